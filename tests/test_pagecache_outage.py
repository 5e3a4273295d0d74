"""Fail-open: with its Redis gone, the site still serves every public page (uncached, with one warning
per outage) and goes back to caching by itself when Redis returns.

The test starts a Redis server of its own on a free port and kills it for real; it is skipped where
redis-server is not installed, and fails under CI.
"""

import logging
import os
import shutil
import subprocess
import time

import pytest

from clarifications.models import ContentVersion
from clarifications.pagecache import PublicPageCacheMiddleware

from .factories import ClarificationFactory
from .servers import free_port

pytestmark = pytest.mark.django_db


class RedisServer:
    def __init__(self, binary, directory):
        self.binary, self.directory, self.port = binary, directory, free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        self.process = subprocess.Popen(  # noqa: S603 (the installed redis-server, fixed arguments)
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        connection = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                connection.ping()
                return connection
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path, settings):
    binary = shutil.which("redis-server")
    if not binary:
        message = "redis-server is not installed (Debian: apt-get install redis-server); the outage test needs it."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(binary, tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.PAGE_CACHE_ENABLED = True
    ContentVersion.forget()
    yield server
    ContentVersion.forget()
    if server.process.poll() is None:
        server.kill()


def page_keys(server):
    import redis

    return redis.Redis.from_url(server.url).keys("*page:*")


def test_pages_are_served_while_redis_is_down_and_cached_again_once_it_is_back(client, own_redis, caplog, monkeypatch):
    monkeypatch.setattr(PublicPageCacheMiddleware, "RETRY_SECONDS", 0)  # try Redis on every request
    clarification = ClarificationFactory(title="停电前的标题")
    assert "停电前的标题" in client.get("/").text
    assert page_keys(own_redis)

    own_redis.kill()
    clarification.title = "停电时的标题"
    clarification.save()  # a new version: every page must be rendered again, without Redis
    with caplog.at_level(logging.WARNING, logger="clarifications.pagecache"):
        responses = [client.get(url) for url in ["/", "/", "/about/", "/clarifications/", "/"]]
    assert [response.status_code for response in responses] == [200] * 5
    assert "停电时的标题" in responses[0].text
    warnings = [record for record in caplog.records if "unreachable" in record.getMessage()]
    assert len(warnings) == 1

    caplog.clear()
    own_redis.start()
    clarification.title = "恢复后的标题"
    clarification.save()
    with caplog.at_level(logging.WARNING, logger="clarifications.pagecache"):
        assert "恢复后的标题" in client.get("/").text
    assert page_keys(own_redis)
    assert any("reachable again" in record.getMessage() for record in caplog.records)
