from django.core.management.base import BaseCommand, CommandError

from tips.evidence.packages import verify_package


class Command(BaseCommand):
    help = (
        "Check an evidence package (ZIP) exported from a rumor group: every file's SHA-256 against the "
        "package's manifest, no file missing or added, and, when this database recorded the export, the "
        "manifest against that record. Exits with status 1 and names each problem when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", help="The package's ZIP file.")

    def handle(self, *args, package, **options):
        result = verify_package(package)
        if not result.ok:
            problems = "\n".join(f"  - {problem}" for problem in result.problems)
            raise CommandError(f"{package} FAILED verification:\n{problems}")
        record = result.record
        if record is not None:
            origin = (
                f"matches the office's record of its export by {record.exported_by_username} "
                f"at {record.exported_at.isoformat()}"
            )
        else:
            origin = "has no export record in this database to compare its manifest with"
        self.stdout.write(
            f"{package} OK: package {result.package_id}, {result.checked} file(s) match their SHA-256; "
            f"the manifest (SHA-256 {result.manifest_sha256}) {origin}."
        )
