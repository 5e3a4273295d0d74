"""The reference app of the benchmark: Django answering "Hello, world" from one view.

No database, no middleware, no templates: the floor that any Django page served by the same gunicorn
configuration stands on. Piyao's pages are reported as fractions of its throughput.
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
