"""Fail-open: with its Redis gone, the site still serves every public page (uncached, with one warning
per outage) and goes back to caching by itself when Redis returns.

The test starts a Redis server of its own on a free port and kills it for real; it is skipped where
redis-server is not installed, and fails under CI.
"""

import logging

import pytest

from clarifications.models import ContentVersion
from core import sharedcache

from .factories import ClarificationFactory
from .servers import redis_server

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]


@pytest.fixture
def own_redis(tmp_path, settings):
    server = redis_server(tmp_path)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.PAGE_CACHE_ENABLED = True
    ContentVersion.forget()
    sharedcache.forget_outage()
    yield server
    ContentVersion.forget()
    sharedcache.forget_outage()
    if server.process.poll() is None:
        server.kill()


def page_keys(server):
    import redis

    return redis.Redis.from_url(server.url).keys("*page:*")


def test_pages_are_served_while_redis_is_down_and_cached_again_once_it_is_back(client, own_redis, caplog, monkeypatch):
    monkeypatch.setattr(sharedcache, "RETRY_SECONDS", 0)  # try Redis on every request
    clarification = ClarificationFactory(title="停电前的标题")
    assert "停电前的标题" in client.get("/").text
    assert page_keys(own_redis)

    own_redis.kill()
    clarification.title = "停电时的标题"
    clarification.save()  # a new version: every page must be rendered again, without Redis
    with caplog.at_level(logging.WARNING, logger="core.sharedcache"):
        responses = [client.get(url) for url in ["/", "/", "/about/", "/clarifications/", "/"]]
    assert [response.status_code for response in responses] == [200] * 5
    assert "停电时的标题" in responses[0].text
    warnings = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(warnings) == 1

    caplog.clear()
    own_redis.start()
    clarification.title = "恢复后的标题"
    clarification.save()
    with caplog.at_level(logging.WARNING, logger="core.sharedcache"):
        assert "恢复后的标题" in client.get("/").text
    assert page_keys(own_redis)
    assert any("reachable again" in record.getMessage() for record in caplog.records)
