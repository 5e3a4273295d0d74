import logging

from django.core.management.base import BaseCommand

from core.logs import log_event
from ops.backups import copy_database, default_backup_path, sqlite_database_path

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Make a consistent copy of the SQLite database while the site keeps running (SQLite's backup "
        "API), into DATA_DIR/backups/<UTC time>.sqlite3 or --output FILE. On PostgreSQL it refuses and "
        "names pg_dump instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write instead of DATA_DIR/backups/<time>.sqlite3.")

    def handle(self, *args, output=None, **options):
        source = sqlite_database_path()
        destination = copy_database(source, output or default_backup_path())
        size_mb = destination.stat().st_size / (1024 * 1024)
        log_event(
            logger, "database.backed_up", source=source, backup=destination, size_bytes=destination.stat().st_size
        )
        self.stdout.write(f"Backed up {source} to {destination} ({size_mb:.1f} MB).")
