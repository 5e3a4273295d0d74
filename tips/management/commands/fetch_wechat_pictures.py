from django.core.management.base import BaseCommand

from tips.intake.wechat.pictures import fetch_pending


class Command(BaseCommand):
    help = (
        "Fetch the pictures sent to the WeChat official account that are still waiting, oldest first, and "
        "store each as its tip's screenshot (bounded in size and time, decoded like an upload). The task queue "
        "fetches each picture as it arrives; this catches up with those it gave up on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="At most this many pictures (default %(default)s).")

    def handle(self, *args, limit, **options):
        stored, waiting = fetch_pending(limit=limit)
        self.stdout.write(f"Stored {stored} picture(s); {waiting} still waiting for a retry.")
