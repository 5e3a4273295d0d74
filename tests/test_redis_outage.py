"""With the shared Redis not answering, nothing a visitor or a citizen does fails: the rate limits count
in the database (or, for page views, in the process's memory), the API lets requests through, and the
outage is logged once per process, not once per request (core/sharedcache.py). The same through gunicorn
with a Redis killed for real: tests/test_dependency_faults.py."""

import logging

import pytest

from core import ratelimit, sharedcache
from core.models import RateLimitCounter
from tips.models import Tip

from .factories import ClarificationFactory
from .servers import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """REDIS_URL names a port where nothing answers."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    sharedcache.forget_outage()
    yield
    sharedcache.forget_outage()


def test_the_tip_limit_counts_in_the_database_while_redis_is_down(client, settings, redis_down):
    settings.TIPS_RATE = "2/10m"
    tip = {"text": "群里说明天全市停水三天", "platform": "wechat_group"}
    statuses = [client.post("/en/tips/new/", tip).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert Tip.objects.count() == 2
    assert RateLimitCounter.objects.get().count == 2
    assert ratelimit.used_up("tips", "someone", rate="1/m") is False


def test_pages_views_and_the_api_do_without_redis_and_the_outage_is_logged_once(client, settings, redis_down, caplog):
    settings.VIEWS_RATE = "2/h"
    clarification = ClarificationFactory()
    with caplog.at_level(logging.WARNING):
        beacons = [client.post(f"/clarifications/{clarification.pk}/seen").status_code for _ in range(3)]
        api = client.get("/api/clarifications/")
        status = client.get("/en/tips/T-AAAA-BBBB/")
    # Views are limited in this process's memory meanwhile.
    assert beacons == [204, 204, 429]
    assert api.status_code == 200
    assert status.status_code == 404  # the look-up page: the code is unknown, the limit did not fail
    assert len([record for record in caplog.records if "Shared cache unreachable" in record.getMessage()]) == 1
