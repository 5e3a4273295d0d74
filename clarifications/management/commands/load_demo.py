import json
import secrets
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clarifications.archive import import_lines
from clarifications.models import Clarification, Notice, Topic

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"

TOPIC_NAMES_EN = {
    "公共卫生": "Public health",
    "交通出行": "Transport",
    "食品安全": "Food safety",
    "疫苗": "Vaccines",
    "天气灾害": "Weather and disasters",
    "教育": "Education",
    "社会保障": "Social security",
    "网络诈骗": "Online scams",
    "物价民生": "Prices and living costs",
    "城市建设": "Urban development",
}


class Command(BaseCommand):
    help = (
        "Load the demo content (bilingual clarifications, topics and the office's notices) into an empty "
        "database. Refuses when clarifications already exist, unless --force is given (demo items are "
        "then updated in place by external_id). --create-admin also creates a superuser 'admin' with a "
        "generated password, printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if the database has content.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (successfully) when content exists: for make run."
        )
        parser.add_argument("--create-admin", action="store_true", help="Create the 'admin' superuser.")

    def handle(self, *args, force=False, if_empty=False, create_admin=False, **options):
        if if_empty and Clarification.objects.exists():
            return
        if Clarification.objects.exists() and not force:
            raise CommandError("The database already has clarifications; use --force to load the demo anyway.")
        with transaction.atomic():
            for name, name_en in TOPIC_NAMES_EN.items():
                Topic.objects.update_or_create(name=name, defaults={"name_en": name_en})
            with open(DEMO_DIR / "clarifications.jsonl", encoding="utf-8") as stream:
                report = import_lines(stream)
            if report.errors:
                raise CommandError(f"Demo content has bad lines: {report.errors}")
            notices = self._load_notices()
        self.stdout.write(f"Demo content loaded: {report.summary} clarifications, {notices} notices.")
        if create_admin:
            self._create_admin()

    def _load_notices(self):
        count = 0
        with open(DEMO_DIR / "notices.jsonl", encoding="utf-8") as stream:
            for line in stream:
                if not line.strip():
                    continue
                record = json.loads(line)
                Notice.objects.update_or_create(
                    title=record["title"],
                    defaults={
                        "body": record["body"],
                        "issuer": record.get("issuer", ""),
                        "language": record["language"],
                        "source_url": record.get("source_url", ""),
                        "published_at": datetime.fromisoformat(record["published_at"]),
                        "is_published": True,
                    },
                )
                count += 1
        return count

    def _create_admin(self):
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("The 'admin' user already exists; its password is unchanged.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@localhost", password)
        self.stdout.write(f"Created the superuser 'admin' with the password: {password}")
