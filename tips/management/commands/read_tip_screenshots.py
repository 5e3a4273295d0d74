from django.core.management.base import BaseCommand

from tips.intake import ocr, receive
from tips.models import ScreenshotReading, Tip


class Command(BaseCommand):
    help = (
        "Queue the reading (OCR and fingerprint) of tip screenshots not read yet: waiting ones whose task was "
        "lost, and those that arrived while OCR was unavailable. --status only says whether OCR works here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Only say whether screenshots can be read.")
        parser.add_argument("--failed", action="store_true", help="Also try again the ones that could not be read.")

    def handle(self, *args, status, failed, **options):
        engine = ocr.status()
        if status:
            self.stdout.write("Screenshots: " + ("read by OCR." if engine.available else str(engine.reason)))
            return
        readings = [ScreenshotReading.PENDING, ScreenshotReading.UNAVAILABLE]
        if failed:
            readings.append(ScreenshotReading.FAILED)
        unread = Tip.objects.exclude(screenshot="").filter(screenshot_reading__in=readings)
        ids = list(unread.values_list("pk", flat=True))
        for tip_id in ids:
            receive.queue_screenshot_reading(tip_id)
        self.stdout.write(f"{len(ids)} screenshot(s) queued for reading.")
        if not engine.available:
            self.stderr.write(str(engine.reason))
