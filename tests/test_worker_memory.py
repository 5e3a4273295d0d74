"""What a web worker of the embedded default loads: the site's code, not what only other parts use.

gunicorn's master imports the app and its URLconf once, and its workers share that memory (see
gunicorn.conf.py), so what every worker needs is best loaded there. What web workers never need
should never be loaded by them: these tests serve the pages in a process of their own and check that
the Redis client (with the ssl and event-loop code it brings) stays out without Redis configured,
and the task queue's libraries too: numpy and scipy (through imagehash) and the OCR engine, 10 MB,
which the screenshot-check page and the admin only ask about. ``benchmarks/http_bench.py`` prints
the memory of real gunicorn workers.
"""

import subprocess
import sys

import pytest
from django.conf import settings

from .servers import site_environment

pytestmark = pytest.mark.subprocess

QUEUE_AND_REDIS_ONLY = ("redis", "numpy", "scipy", "imagehash", "tesserocr")

SERVE_PAGES = f"""
import sys
from config.wsgi import application
from django.test import Client
from tests.factories import ClarificationFactory, TopicFactory

clarification = ClarificationFactory(title="接种疫苗后不能洗澡 vaccine", topics=[TopicFactory()])
client = Client()
paths = ["/", "/clarifications/", f"/clarifications/{{clarification.pk}}/", "/clarifications/?q=vaccine+疫苗",
         "/tips/new/", "/check/", "/en/about/", "/most-asked/", "/open-data/", "/feeds/latest.rss",
         "/api/clarifications/"]
print([client.get(path).status_code for path in paths])
print(sorted(name for name in {QUEUE_AND_REDIS_ONLY!r} if name in sys.modules))
"""


def test_a_web_worker_loads_neither_the_task_queues_image_libraries_nor_redis_when_it_is_not_used(tmp_path):
    environment = site_environment(tmp_path, DEBUG="true", ALLOWED_HOSTS="testserver")
    run = {"env": environment, "cwd": settings.BASE_DIR, "capture_output": True, "text": True, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], **run)
    statuses, loaded = subprocess.run([sys.executable, "-c", SERVE_PAGES], **run).stdout.strip().splitlines()
    assert statuses == str([200] * 11)
    assert loaded == "[]"
