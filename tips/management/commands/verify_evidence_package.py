from django.core.management.base import BaseCommand, CommandError

from tips.evidence.verification import EXIT_STATUS, TAMPERED, UNVERIFIABLE, verify_package


class Command(BaseCommand):
    help = (
        "Check an evidence package (ZIP) exported from a rumor group: a plain ZIP (each name once, no unsafe "
        "name, no data in directory entries), every file's size and SHA-256 against the package's manifest "
        "(read in bounded chunks), no file missing or added, and the manifest against this office's record of "
        "the export. Exit status: 0 verified; 1 tampered or damaged (each problem named); 3 unverifiable (the "
        "package agrees with itself but this office has no record of exporting it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", help="The package's ZIP file.")

    def handle(self, *args, package, **options):
        result = verify_package(package)
        if result.status == TAMPERED:
            problems = "\n".join(f"  - {problem}" for problem in result.problems)
            raise CommandError(f"{package} FAILED verification (tampered or damaged):\n{problems}")
        if result.status == UNVERIFIABLE:
            message = (
                f"{package} UNVERIFIABLE: package {result.package_id} agrees with its own manifest "
                f"({result.checked} file(s) match their SHA-256), but this office has no record of exporting it, "
                "so nothing shows that it is the office's: it may come from another installation, or have been "
                "rebuilt whole (files, custody and hashes) under a new ID."
            )
            raise CommandError(message, returncode=EXIT_STATUS[UNVERIFIABLE])
        record = result.record
        assert record is not None  # VERIFIED means the office's record was found
        self.stdout.write(
            f"{package} OK: package {result.package_id}, {result.checked} file(s) match their SHA-256; "
            f"the manifest (SHA-256 {result.manifest_sha256}) matches the office's record of its export by "
            f"{record.exported_by_username} at {record.exported_at.isoformat()}."
        )
