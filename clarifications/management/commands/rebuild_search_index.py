import time

from django.core.management.base import BaseCommand

from clarifications import search
from clarifications.models import Clarification


class Command(BaseCommand):
    help = (
        "Rebuild the full-text search index and its term statistics from the clarifications table (every "
        "clarification, whatever its status: visibility is applied when searching). Needed after writes that bypass "
        "Clarification.save(), such as bulk_create() or raw SQL; safe to run at any time."
    )

    def handle(self, *args, **options):
        start = time.monotonic()
        count = search.rebuild_index(model=Clarification)
        self.stdout.write(f"Search index rebuilt: {count} clarifications indexed in {time.monotonic() - start:.1f} s.")
