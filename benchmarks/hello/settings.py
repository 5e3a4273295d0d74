"""The reference app of the benchmark: Django answering "Hello, world" from one view.

No database, no middleware, no templates: the floor that any Django page served by the same gunicorn
configuration stands on. Piyao's pages are reported as fractions of its throughput. The settings the
shared gunicorn.conf.py reads (the access log's client address rule) are here too, read from the
same environment as the site's.
"""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "hello-world-benchmark-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchmarks.hello.urls"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
