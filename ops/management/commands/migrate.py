"""``manage.py migrate``, which also creates a missing SQLite database file: the one command that may
(the site's connections never create one, see ``core/sqlite``)."""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Creates the SQLite database file first when there is none."

    def execute(self, *args, **options):
        # Before anything connects: Django's checks, which run first, query the database.
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        create = getattr(connection, "create_database_file", None)
        if create is not None and create() and options.get("verbosity", 1) >= 1:
            self.stdout.write(f"Created the database file {connection.database_path}.")
        return super().execute(*args, **options)
