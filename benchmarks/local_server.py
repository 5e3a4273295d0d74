"""The benchmarks' gunicorn helpers live with the tests' (``tests/servers.py``); this name is kept for
the benchmarks that import it from here."""

from tests.servers import (  # noqa: F401
    REPO,
    fetch,
    free_port,
    publish_delay,
    rename_clarification,
    start_gunicorn,
    stop_gunicorn,
)
