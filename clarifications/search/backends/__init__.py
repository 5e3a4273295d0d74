"""One module per database: how it stores the index and finds the documents containing a term.

Nothing outside this package asks which database it runs on; everything else in search is the same
Python for both, which is why both give the same results.
"""

from django.db import connections

from . import postgresql, sqlite

BACKENDS = {"sqlite": sqlite, "postgresql": postgresql}


def backend_for(alias):
    """The backend module for a database alias (``NotImplementedError`` for other databases)."""
    connection = connections[alias]
    try:
        return BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"No full-text search for the {connection.vendor} database.") from None
