"""Helpers every app imports, below all of them: the client address and its keyed hash (``clients``),
structured logs with request ids (``logs``), rates and rate limits (``rates``, ``ratelimit``), the task
queue's retries and recovery (``taskqueue``), private file storage (``storage``), image cleaning
(``images``), database functions the counts share (``sql``), media serving (``media``), request guards
(``middleware``), the staff-login lockout page (``login``), the error reports' masking (``reporting``)
and gunicorn's worker (``workers``).

The rule: ``core`` imports Django and the standard library, never an app of this project; apps import
``core``, and ``config`` (settings, URLs, WSGI) sits on top of everything (tests/test_architecture.py).
"""
