from datetime import timedelta

from django.core.management.base import BaseCommand

from tips.casework.purge import remove_orphan_screenshots


class Command(BaseCommand):
    help = (
        "Delete screenshot files that no tip refers to and that are older than --minutes (default 60): what a "
        "submission that failed or was killed mid-way left behind. purge_tip_personal_data runs it too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=60, help="Leave younger files alone (default %(default)s).")

    def handle(self, *args, minutes, **options):
        removed = remove_orphan_screenshots(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"Removed {removed} orphan screenshot file(s).")
