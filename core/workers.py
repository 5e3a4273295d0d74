"""gunicorn's threaded worker with a deadline for request headers, which takes its share of connections.

A sync worker serves one connection at a time, so four clients that send their headers a byte every
few seconds ("slowloris") hold all four workers until gunicorn kills them. The threaded worker only
hands a connection to a thread once data arrives, but then reads the headers without any limit. This
worker gives each request ``HEADER_TIMEOUT`` seconds to send its request line and headers, then drops
it; the body of an upload (a citizen's screenshot on a slow phone line) has ``BODY_IDLE_TIMEOUT``
seconds between packets instead of a total. Production still belongs behind a buffering reverse proxy
(see docs/deployment.md), which absorbs slow clients before they reach gunicorn at all.

**Even load.** All workers accept from the one socket of gunicorn's master. A threaded worker takes
every connection that arrives while it is awake, and a kept-alive connection (a browser's, or one of
nginx's to its upstream) stays with the worker that took it: with 2 workers and 32 persistent
connections, one worker held 30 to 32 of them in most rounds while the other idled. So each worker
publishes how many connections it holds (``Shares``, a little shared memory made in the master before
it forks), and leaves a waiting connection to a worker that holds fewer, which is woken by the same
connection and takes it; after ``LEAVE_AT_MOST`` seconds it takes the connection anyway (the other may
be busy). Kept-alive connections outlive that moment: when a worker is replaced, its clients reconnect
to the others, and the new worker would stay idle. So a worker holding ``REBALANCE_AT`` connections
more than another answers its next request with "Connection: close": the client opens a new
connection, which the other worker takes (looked at every ``REBALANCE_EVERY`` seconds at most).

Sockets of their own per worker (``SO_REUSEPORT``, gunicorn's ``reuse_port``) spread connections
too, but a worker that stops (recycled after ``max_requests``) takes its queue with it: measured,
connections arriving meanwhile were reset, and refused outright while every worker was being replaced
at once (docs/benchmarks.md, HTTP load).
"""

import ctypes
import multiprocessing
import os
import time

from gunicorn.http.errors import NoMoreData
from gunicorn.http.parser import RequestParser
from gunicorn.workers import gthread

# What gthread's handle() returns for a new connection that sent nothing within
# DEFAULT_WORKER_DATA_TIMEOUT: the connection goes back to the poller and frees the thread. The name is
# private, but gunicorn offers no public hook between "data arrived" and "the request line is parsed",
# where the header deadline has to start, so handle() below repeats that first step and must answer as
# the parent does. Taken here only; tests/test_workers.py checks that gunicorn's own handle() still
# returns this object, so an upgrade that changes it fails there rather than in production.
DEFER = gthread._DEFER

HEADER_TIMEOUT = float(os.environ.get("GUNICORN_HEADER_TIMEOUT", 10))
BODY_IDLE_TIMEOUT = float(os.environ.get("GUNICORN_BODY_IDLE_TIMEOUT", 30))


class DeadlineSocket:
    """The parser's view of a client socket: reads fail once the header deadline has passed."""

    def __init__(self, sock):
        self.sock = sock
        self.deadline = None

    def start_request(self):
        self.deadline = time.monotonic() + HEADER_TIMEOUT

    def headers_done(self):
        self.deadline = None

    def recv(self, size):
        if self.deadline is None:
            self.sock.settimeout(BODY_IDLE_TIMEOUT)
        else:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise NoMoreData()
            self.sock.settimeout(remaining)
        try:
            return self.sock.recv(size)
        except TimeoutError:
            raise NoMoreData() from None

    def __getattr__(self, name):
        return getattr(self.sock, name)


LEAVE_AT_MOST = 0.02
REBALANCE_AT = 2
REBALANCE_EVERY = 0.1


class Shares:
    """How many connections each worker holds, in memory shared by the workers of one gunicorn master.

    A slot per worker (its pid and its count), claimed when it starts and freed when it stops; a slot
    whose process is gone (a killed worker) is freed by whoever notices.
    """

    SLOTS = 32

    def __init__(self):
        self.slots = multiprocessing.RawArray(ctypes.c_long, 2 * self.SLOTS)
        self.lock = multiprocessing.Lock()
        self.index = None

    def claim(self):
        pid = os.getpid()
        with self.lock:
            for index in range(self.SLOTS):
                owner = self.slots[2 * index]
                if owner == 0 or not _alive(owner):
                    self.slots[2 * index], self.slots[2 * index + 1] = pid, 0
                    self.index = index
                    return

    def release(self):
        if self.index is not None:
            self.slots[2 * self.index] = 0
            self.index = None

    def publish(self, connections):
        if self.index is not None:
            self.slots[2 * self.index + 1] = connections

    def fewer_elsewhere(self, connections, by=1):
        """Whether another live worker holds ``by`` connections fewer than ``connections`` (or more)."""
        if self.index is None:
            return False
        slots = self.slots[:]  # one copy of the whole array
        for index, (owner, held) in enumerate(zip(slots[0::2], slots[1::2], strict=True)):
            if owner and index != self.index and held <= connections - by:
                if _alive(owner):
                    return True
                self.slots[2 * index] = 0  # a worker that was killed
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class HeaderTimeoutWorker(gthread.ThreadWorker):
    # Made when gunicorn's master loads this class, so that every worker it forks shares it.
    shares = Shares()

    def init_process(self):
        self.shares.claim()
        self.leaving_since = None
        self.next_rebalance = 0.0
        try:
            super().init_process()
        finally:
            self.shares.release()

    def accept(self, listener):
        """Take a waiting connection, unless a worker holding fewer takes it (module docstring)."""
        if self.shares.fewer_elsewhere(self.nr_conns):
            now = time.monotonic()
            if self.leaving_since is None:
                self.leaving_since = now
            if now - self.leaving_since < LEAVE_AT_MOST:
                time.sleep(0.001)  # the listener stays readable until the other worker accepts
                return
        self.leaving_since = None
        super().accept(listener)
        self.shares.publish(self.nr_conns)

    def load_wsgi(self):
        super().load_wsgi()
        application = self.wsgi

        def rebalancing(environ, start_response):
            now = time.monotonic()
            if now >= self.next_rebalance:
                self.next_rebalance = now + REBALANCE_EVERY
                if self.shares.fewer_elsewhere(self.nr_conns, by=REBALANCE_AT):
                    start_response.__self__.force_close()  # gunicorn's Response: "Connection: close"
            return application(environ, start_response)

        self.wsgi = rebalancing

    def wait_for_and_dispatch_events(self, timeout):
        self.shares.publish(self.nr_conns)
        return super().wait_for_and_dispatch_events(timeout)

    def handle(self, conn):
        if not conn.initialized and not self.cfg.is_ssl:
            # What the parent does first, so that the parser exists before it reads anything.
            if not conn.data_ready and not conn.wait_for_data(gthread.DEFAULT_WORKER_DATA_TIMEOUT):
                return DEFER
            conn.init()
        parser = conn.parser
        if type(parser) is RequestParser and parser.unreader.sock is not None:
            if not isinstance(parser.unreader.sock, DeadlineSocket):
                parser.unreader.sock = DeadlineSocket(parser.unreader.sock)
            parser.unreader.sock.start_request()
        return super().handle(conn)

    def handle_request(self, req, conn):
        unreader_sock = getattr(getattr(conn.parser, "unreader", None), "sock", None)
        if isinstance(unreader_sock, DeadlineSocket):
            unreader_sock.headers_done()
        return super().handle_request(req, conn)
