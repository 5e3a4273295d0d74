from django.core.management.base import BaseCommand
from django.db.models import Count

from tips.intake import ocr, receive
from tips.models import ScreenshotReading, Tip

# Codes of tips whose screenshot could not be read, shown by --status (the latest first).
FAILED_SHOWN = 10


class Command(BaseCommand):
    help = (
        "Queue the reading (OCR and fingerprint) of tip screenshots not read yet: waiting ones whose task was "
        "lost, and those that arrived while OCR was unavailable. --status says whether OCR works here and how "
        "many screenshots wait, could not be read or wait for OCR, without queuing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", action="store_true", help="Only say where the screenshots stand.")
        parser.add_argument("--failed", action="store_true", help="Also try again the ones that could not be read.")

    def handle(self, *args, status, failed, **options):
        engine = ocr.status()
        if status:
            self.stdout.write("Screenshots: " + ("read by OCR." if engine.available else str(engine.reason)))
            self.write_counts()
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

    def write_counts(self):
        with_screenshot = Tip.objects.exclude(screenshot="")
        counts = dict(with_screenshot.values_list("screenshot_reading").annotate(count=Count("pk")).order_by())
        self.stdout.write(
            f"Tips' screenshots: {counts.get(ScreenshotReading.READ, 0)} read, "
            f"{counts.get(ScreenshotReading.PENDING, 0)} waiting to be read, "
            f"{counts.get(ScreenshotReading.FAILED, 0)} could not be read, "
            f"{counts.get(ScreenshotReading.UNAVAILABLE, 0)} waiting for OCR to be available."
        )
        failed = with_screenshot.filter(screenshot_reading=ScreenshotReading.FAILED)
        codes = list(failed.order_by("-submitted_at", "-pk").values_list("code", flat=True)[:FAILED_SHOWN])
        if codes:
            more = counts[ScreenshotReading.FAILED] - len(codes)
            listed = ", ".join(codes) + (f" and {more} more" if more else "")
            self.stdout.write(
                f"Could not be read: {listed}. Staff see each picture in the tip admin; --failed tries them again."
            )
