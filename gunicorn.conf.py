"""gunicorn settings; the environment can override the address, the workers and the access log."""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Four worker processes are plenty for two cores and keep SQLite's single writer from queueing too
# many. Each runs threads, with a deadline for request headers (core/workers.py): a sync worker is
# held by one slow client, so four clients sending headers a byte at a time froze the whole site.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2 + 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "core.workers.HeaderTimeoutWorker")
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# Even load: the worker class (core/workers.py) keeps its threads and header deadline, and each worker
# leaves a new connection to one that holds fewer. gunicorn's threaded workers otherwise share the
# master's socket greedily, and kept-alive connections stay where they land: with 2 workers and 32
# connections of wrk (or of nginx's upstream keepalive), one worker held 30 to 32 of them in most
# rounds while the other idled (docs/benchmarks.md, HTTP load). Sockets of their own per worker (reuse_port)
# spread them too, but reset the connections queued on a worker being recycled (max_requests).
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50000))
max_requests_jitter = max_requests // 10
# Django runs its app-registry setup once in the master, then forks.
preload_app = True
# The access log: behind a reverse proxy (TRUSTED_PROXY_COUNT above 0) the proxy writes it, with the
# request id the site's own lines carry (deploy/nginx.conf), so gunicorn writes none unless
# GUNICORN_ACCESS_LOG names a file ("-": standard output); without a proxy, gunicorn writes it to
# standard output. A second access log of every request costs a tenth of a cached page's throughput.
_behind_proxy = os.environ.get("TRUSTED_PROXY_COUNT", "0").strip() not in ("", "0")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or (None if _behind_proxy else "-")
# The access log names the client by the site's one address rule (TRUSTED_PROXY_COUNT, core/clients.py).
logger_class = "core.clients.AccessLogger"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn believes X-Forwarded-Proto (and friends) only from these peers. It follows the site's own
# setting: unless TRUST_PROXY_SSL_HEADER is on, no peer may claim https, not even one on 127.0.0.1.
if os.environ.get("TRUST_PROXY_SSL_HEADER", "").lower() in ("1", "true", "yes", "on"):
    forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
else:
    forwarded_allow_ips = ""


def when_ready(server):
    """In the master, after the preloaded app and before the workers fork: import the URLconf (and
    with it every view module) once for all workers, then move every object so far out of the garbage
    collector's reach, so that the workers' collections do not touch (and thereby copy) the memory
    they share with the master."""
    import gc

    if not server.cfg.preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
    connections.close_all()  # no database connection may be shared by the forked workers
    gc.freeze()


def worker_exit(server, worker):
    """In a worker that stops (a restart, a recycle after max_requests): write the page views it counted
    in memory and has not written yet (clarifications/pageviews.py)."""
    from clarifications import pageviews

    pageviews.flush()
