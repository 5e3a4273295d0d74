"""Evidence packages for referral to the police: everything the office holds about one rumor group, in
one ZIP with a chain-of-custody record and a printable summary (``packages``, ``summary``), and their
verification (``verification``)."""
