from django.conf import settings
from django.core.management.base import BaseCommand

from core import ratelimit
from tips.casework.purge import purge_personal_data, remove_orphan_screenshots
from tips.evidence.packages import remove_expired_packages
from tips.intake.checks import remove_old_screenshot_checks, remove_read_check_pictures
from tips.intake.uploads import remove_old_kept_screenshots


class Command(BaseCommand):
    help = (
        "Delete the contact e-mail and the address hash of tips closed (answered, not actionable or duplicate) "
        "more than TIPS_PERSONAL_DATA_DAYS days ago, finished rate-limit windows, and screenshot files no tip "
        "refers to (left by a failed submission), visitors' screenshot checks older than a day and their pictures "
        "an hour after reading, screenshots kept for a tip form sent back more than an hour ago, and the evidence "
        "packages kept for their exporters' download once it expired. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.TIPS_PERSONAL_DATA_DAYS,
            help="Override TIPS_PERSONAL_DATA_DAYS (default %(default)s).",
        )

    def handle(self, *args, days, **options):
        tips = purge_personal_data(older_than_days=days)
        windows = ratelimit.purge_expired()
        orphans = remove_orphan_screenshots()
        self.stdout.write(
            f"Purged personal data of {tips} tip(s) closed more than {days} days ago; "
            f"removed {windows} finished rate-limit window(s) and {orphans} orphan screenshot file(s)."
        )
        checks = remove_old_screenshot_checks()
        self.stdout.write(f"Removed {checks} screenshot check(s) older than a day.")
        pictures = remove_read_check_pictures()
        kept = remove_old_kept_screenshots()
        self.stdout.write(
            f"Removed {pictures} screenshot check picture(s) read more than an hour ago and {kept} screenshot(s) "
            "kept for a tip form sent back more than an hour ago."
        )
        packages = remove_expired_packages()
        self.stdout.write(f"Removed {packages} evidence package download(s) past their validity.")
