"""Project package: settings, root URLs and WSGI.

Named ``config`` rather than ``site`` because ``site`` is a standard-library module.
"""
