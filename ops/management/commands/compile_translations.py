"""Compile the .po catalogues under LOCALE_PATHS into the .mo files Django reads.

Pure Python (polib), so that installing needs no GNU gettext; the .mo files are build output and are
not committed. Each is written beside its place and then renamed into it, so that a process reading
the catalogue meanwhile (a test process of a parallel run, which compiles too) never reads half a file.
"""

import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po into its .mo file (no GNU gettext needed)."

    def handle(self, *args, **options):
        compiled = 0
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/*.po")):
                catalogue = polib.pofile(str(po_path))
                mo_path = po_path.with_suffix(".mo")
                written = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
                catalogue.save_as_mofile(str(written))
                os.replace(written, mo_path)
                compiled += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{po_path}: {catalogue.percent_translated()}% translated")
        if options["verbosity"] >= 1:
            self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
