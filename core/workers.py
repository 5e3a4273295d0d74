"""gunicorn's threaded worker with a deadline for request headers, for the embedded default.

A sync worker serves one connection at a time, so four clients that send their headers a byte every
few seconds ("slowloris") hold all four workers until gunicorn kills them. The threaded worker only
hands a connection to a thread once data arrives, but then reads the headers without any limit. This
worker gives each request ``HEADER_TIMEOUT`` seconds to send its request line and headers, then drops
it; the body of an upload (a citizen's screenshot on a slow phone line) has ``BODY_IDLE_TIMEOUT``
seconds between packets instead of a total. Production still belongs behind a buffering reverse proxy
(see the README), which absorbs slow clients before they reach gunicorn at all.
"""

import os
import time

from gunicorn.http.errors import NoMoreData
from gunicorn.http.parser import RequestParser
from gunicorn.workers import gthread

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


class HeaderTimeoutWorker(gthread.ThreadWorker):
    def handle(self, conn):
        if not conn.initialized and not self.cfg.is_ssl:
            # What the parent does first, so that the parser exists before it reads anything.
            if not conn.data_ready and not conn.wait_for_data(gthread.DEFAULT_WORKER_DATA_TIMEOUT):
                return gthread._DEFER
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
