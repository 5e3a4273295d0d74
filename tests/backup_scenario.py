"""The live site's side of test_backup, run in its own process against a throwaway SQLite DATA_DIR.

``fill_and_back_up`` puts rows in every table of the project's apps, then backs the database up
while another thread keeps publishing clarifications; ``dump`` lists what a database holds. Each
prints JSON on standard output for the test to compare.
"""

import io
import json
import sys
import threading
import time
from pathlib import Path

import django


def project_models():
    from django.apps import apps
    from django.conf import settings

    # The project's own apps sit at the top of the repository (a virtualenv inside it does not count).
    return [
        model
        for model in apps.get_models()
        if Path(model._meta.app_config.path).parent == Path(settings.BASE_DIR) and model._meta.managed
    ]


def rows_by_model():
    # A UUID key (ScreenshotCheck) goes into JSON as its string.
    return {
        model._meta.label: sorted(
            pk if isinstance(pk, int) else str(pk) for pk in model._base_manager.values_list("pk", flat=True)
        )
        for model in project_models()
    }


def make_rows():
    """At least one row of every kind. A new model gets its rows here (test_backup says so when not)."""
    from tests.factories import (
        ClarificationFactory,
        NoticeFactory,
        SightingFactory,
        SourceFactory,
        TipFactory,
        TopicFactory,
        UpdateFactory,
        UserFactory,
    )

    author = UserFactory()
    topics = [TopicFactory(), TopicFactory()]
    from datetime import timedelta

    from django.utils import timezone

    from clarifications.models import DailyViews, SynonymGroup

    for number in range(20):
        clarification = ClarificationFactory(topics=topics, author=author, region=f"区{number}")
        SourceFactory(clarification=clarification)
        UpdateFactory(clarification=clarification)
        DailyViews.objects.create(
            clarification=clarification, day=timezone.localdate() - timedelta(days=number % 3), views=number + 1
        )
    ClarificationFactory(draft=True)
    ClarificationFactory(withdrawn=True)
    NoticeFactory()
    SynonymGroup.objects.create(forms="酸菜, 泡菜", note="东北叫法")
    from django.utils import timezone

    from core.models import RateLimitCounter
    from tips.models import EvidenceExport, ScreenshotCheck, WeChatMessage

    first = TipFactory(with_contact=True)
    second = TipFactory(rumor=first.rumor)
    SightingFactory(rumor=first.rumor, recorded_by=author)
    WeChatMessage.objects.create(msg_id="23000000000000001", kind="text", reply="已收到", tip=second)
    RateLimitCounter.objects.create(key="tips:test", count=1, expires_at=timezone.now())
    ScreenshotCheck.objects.create(reading="read", text="网传明天停水")
    EvidenceExport.objects.create(
        rumor=first.rumor,
        rumor_label=first.rumor.label,
        exported_by=author,
        exported_by_username=author.username,
        exported_at=timezone.now(),
        items=[{"channel": "tip", "reference": first.code}],
        files={"reports.csv": "0" * 64},
        manifest_sha256="0" * 64,
    )
    from clarifications.models import ImportProgress

    ImportProgress.objects.create(file_sha256="1" * 64, file_name="archive.jsonl", lines_done=500, created=500)


def fill_and_back_up(backup_path):
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from tests.factories import ClarificationFactory

    make_rows()
    before = rows_by_model()
    stop = threading.Event()
    written = []

    def keep_writing():
        # Each write is one transaction (a clarification and its history row), as an admin save is:
        # the backup must hold both or neither.
        try:
            while not stop.is_set():
                with transaction.atomic():
                    written.append(ClarificationFactory().pk)
        finally:
            connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    # Make sure the backup overlaps real writes, not an idle database.
    while len(written) < 5:
        time.sleep(0.01)
    call_command("backup_database", output=backup_path, stdout=io.StringIO())
    during = len(written)
    stop.set()
    writer.join()
    print(json.dumps({"before": before, "written_before_backup_ended": during, "written": len(written)}))


def dump():
    django.setup()
    print(json.dumps({"rows": rows_by_model(), "search": searched()}))


def fill():
    django.setup()
    make_rows()
    print(json.dumps({"rows": rows_by_model(), "search": searched()}))


def searched():
    """The titles a visitor's search finds, in order."""
    from clarifications.models import Clarification
    from clarifications.search import search

    return [item.title for item in search(Clarification.objects.published(), "全市停水")]


if __name__ == "__main__":
    if sys.argv[1] == "fill_and_back_up":
        fill_and_back_up(sys.argv[2])
    elif sys.argv[1] == "fill":
        fill()
    else:
        dump()
