"""With ``REDIS_URL`` set, what several app servers must share really lives in Redis: cached pages, the
tip rate-limit counters and the API throttle. Runs only when the suite is given a Redis (CI does)."""

import pytest
from django.conf import settings as django_settings

from core.models import RateLimitCounter
from tips.models import Tip

from .factories import ClarificationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not django_settings.REDIS_URL, reason="REDIS_URL is not set: the cache is per process"),
]


@pytest.fixture
def redis_keys():
    """The keys in the Redis database the site uses, read straight from Redis (not through Django)."""
    import redis

    connection = redis.Redis.from_url(django_settings.REDIS_URL)
    yield lambda pattern: sorted(key.decode() for key in connection.scan_iter(match=pattern))
    connection.close()


def test_what_the_site_caches_lands_in_redis(redis_keys):
    from django.core.cache import caches

    caches["default"].set("shared-probe", 1)
    assert len(redis_keys("*shared-probe*")) == 1


def test_an_anonymous_page_is_cached_in_redis(client, settings, redis_keys):
    settings.PAGE_CACHE_ENABLED = True
    clarification = ClarificationFactory(title="网传地铁停运不实")
    assert redis_keys("*page:*") == []
    assert "网传地铁停运不实" in client.get(clarification.get_absolute_url()).text
    assert len(redis_keys("*page:*")) == 1
    # The second visit is the stored page: no query, no rendering.
    assert "网传地铁停运不实" in client.get(clarification.get_absolute_url()).text
    assert len(redis_keys("*page:*")) == 1


def test_the_tip_rate_limit_counts_in_redis_not_in_the_database(client, settings, redis_keys):
    settings.TIPS_RATE = "1/10m"
    tip = {"text": "群里说明天全市停水三天", "platform": "wechat_group"}
    assert client.post("/tips/new/", tip).status_code == 302
    assert client.post("/tips/new/", tip).status_code == 429
    assert len(redis_keys("*ratelimit:tips:*")) == 1
    assert RateLimitCounter.objects.count() == 0
    assert Tip.objects.count() == 1


def test_the_redis_counter_says_when_a_limit_is_used_up_without_counting(settings, redis_keys):
    from core import ratelimit

    settings.TIPS_RATE = "2/10m"
    assert [ratelimit.hit("tips", "c", rate=settings.TIPS_RATE) for _ in range(3)] == [True, True, False]
    assert ratelimit.used_up("tips", "c", rate=settings.TIPS_RATE)
    assert not ratelimit.used_up("tips", "d", rate=settings.TIPS_RATE)
    assert len(redis_keys("*ratelimit:tips:*")) == 1
    assert RateLimitCounter.objects.count() == 0


def test_the_api_throttle_counts_in_redis(client, settings, redis_keys):
    settings.API_ANON_RATE = "2/min"
    assert [client.get("/api/clarifications/").status_code for _ in range(3)] == [200, 200, 429]
    assert len(redis_keys("*throttle_anon_*")) == 1
