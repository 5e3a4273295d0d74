"""The threaded worker's one borrowed piece of gunicorn (core.workers.DEFER) is still gunicorn's own."""

import socket

import pytest
from gunicorn.config import Config
from gunicorn.workers import gthread

from core.workers import DEFER, HeaderTimeoutWorker


@pytest.fixture
def silent_connection(monkeypatch):
    """A new connection whose client has sent nothing, with gunicorn's wait for data made short."""
    monkeypatch.setattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", 0.01)
    ours, theirs = socket.socketpair()
    config = Config()
    yield config, gthread.TConn(config, ours, ("192.0.2.1", 40000), ("192.0.2.2", 8000))
    ours.close()
    theirs.close()


def test_gunicorn_defers_a_silent_connection_with_the_sentinel_our_worker_returns(silent_connection):
    config, connection = silent_connection
    worker = HeaderTimeoutWorker.__new__(HeaderTimeoutWorker)  # handle() needs only the settings here
    worker.cfg = config
    assert gthread.ThreadWorker.handle(worker, connection) is DEFER
    assert worker.handle(connection) is DEFER
    assert not connection.initialized, "a deferred connection is not read from"
