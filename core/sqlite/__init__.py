"""SQLite as the site opens it: an existing database file only, never a new empty one.

Asked to open a file that is not there, SQLite creates an empty database. A worker whose database
was renamed away for a second (a restore, an operator's slip) did exactly that: it served errors
from an empty database at the real path, and when the real file came back it met that empty
database's ``-wal`` and ``-shm`` files, so searches failed until a restart. So this backend
(``ENGINE = "core.sqlite"``, Django's own SQLite backend underneath) opens the file with SQLite's
``mode=rw`` (a ``file:`` URI): a missing file is an error, "database file missing" on ``/healthz``
(503) and the tip form's "could not be saved", until it is back; the next request then connects
again, with no restart.

Only ``manage.py migrate`` creates the file (``create_database_file``, called by
``ops/management/commands/migrate.py``), so ``make run`` on a fresh machine and a new deployment
work as before. A name that is already a URI (the test suite's in-memory database) is left as it is.

A connection also remembers which file (device and inode) it opened. Django checks kept connections
at the start and end of every request and in the task worker's loop (``close_old_connections``):
when the file at the path has been removed or replaced (a restore), the connection is closed there
instead of writing reports into a file nobody will read again.
"""
