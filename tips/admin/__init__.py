"""The staff's screens over reports (Django admin): the triage lists of tips and sightings
(``reports``, ``sightings``), the rumor groups (``rumors``) and the evidence exports (``evidence``).
Importing the package registers them all."""

from . import evidence, reports, rumors, sightings  # noqa: F401 (each registers its model admins)
