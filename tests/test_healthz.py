"""``/healthz`` names each dependency's state in a small JSON body; 200 when the site can serve pages
and store reports, 503 when it cannot. A dependency the site can do without (the shared cache, the OCR
engine, the task queue's workers) makes it "degraded", never a reason for a load balancer to drop it."""

from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core import sharedcache

from .queue_tasks import DATABASE_QUEUE, fail_times
from .servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_recorded_outage():
    sharedcache.forget_outage()
    yield
    sharedcache.forget_outage()


def test_healthz_names_every_dependency_and_answers_ok(client, settings):
    settings.OCR_TESSDATA = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"status", "database", "cache", "task_queue", "ocr", "disk"}
    assert body["database"] == {"state": "ok"}
    assert body["task_queue"]["state"] == "ok"
    assert body["disk"]["state"] == "ok"
    assert body["disk"]["free_mb"] > 0
    assert body["cache"]["state"] == "ok"
    assert body["status"] == ("ok" if body["ocr"]["state"] == "ok" else "degraded")


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"state": "down", "reason": "database unavailable"}
    assert body["task_queue"]["state"] == "down"


def test_a_full_disk_is_a_503(client, settings):
    settings.HEALTHZ_MIN_FREE_BYTES = 2**62
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["disk"]["reason"] == "disk full"


def test_an_unreachable_shared_cache_is_degraded_not_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"]["state"] == "down"
    assert body["cache"]["shared"] is True
    assert body["database"] == {"state": "ok"}


def test_ocr_missing_is_degraded_and_ocr_switched_off_is_not(client, settings, tmp_path):
    settings.OCR_TESSDATA = str(tmp_path / "no-model-here")
    missing = client.get("/healthz")
    assert missing.status_code == 200
    assert missing.json()["status"] == "degraded"
    assert missing.json()["ocr"]["state"] == "down"
    assert "tesseract-ocr-chi-sim" in missing.json()["ocr"]["reason"]
    settings.OCR_ENABLED = False
    assert client.get("/healthz").json()["ocr"] == {"state": "off"}


def test_the_task_queue_reports_its_depth_and_a_late_oldest_task(client, settings, tmp_path):
    settings.TASKS = DATABASE_QUEUE
    settings.OCR_ENABLED = False
    for _ in range(3):
        fail_times.enqueue(str(tmp_path / "counter"), 0)
    assert client.get("/healthz").json()["task_queue"]["waiting"] == 3
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=20))
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["task_queue"]["state"] == "late"
    assert body["task_queue"]["waiting"] == 3
    assert 1190 <= body["task_queue"]["oldest_waiting_seconds"] <= 1300


def test_the_health_check_writes_nothing(client, settings):
    settings.TASKS = DATABASE_QUEUE
    client.get("/healthz")  # the connection's own set-up is not the check's
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
    assert statements
    assert set(statements) <= {"SELECT"}
