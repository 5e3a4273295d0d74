"""The benchmarks' gunicorn helpers live with the tests' (``tests/servers.py``); this name is kept for
the benchmarks that import it from here."""

from tests.servers import REPO, fetch, free_port, start_gunicorn, stop_gunicorn  # noqa: F401
