import logging

from django.core.management.base import BaseCommand, CommandError

from core.logs import log_event
from ops.backups import (
    check_backup,
    copy_database,
    default_backup_path,
    restore_database,
    sqlite_database_path,
)

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Replace the SQLite database with a backup made by backup_database. The file is checked first "
        "(an intact SQLite database holding this site's tables), and the current database is copied to "
        "DATA_DIR/backups/before-restore-<UTC time>.sqlite3 before anything is replaced. Running workers "
        "see the restored content at their next query. Run migrate afterwards if the backup is older "
        "than the code."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="A .sqlite3 file written by backup_database.")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="Do not ask for confirmation.")

    def handle(self, *args, backup, interactive=True, **options):
        target = sqlite_database_path()
        check_backup(backup)
        if interactive:
            answer = input(f"Replace the database {target} with {backup}? Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        safety_copy = None
        if target.exists():
            safety_copy = copy_database(target, default_backup_path("before-restore-"))
        restore_database(backup, target)
        log_event(logger, "database.restored", target=target, backup=backup, previous_kept_as=safety_copy)
        kept = f" The previous database was kept as {safety_copy}." if safety_copy else ""
        self.stdout.write(f"Restored {target} from {backup}.{kept}")
