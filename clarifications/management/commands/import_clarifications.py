import contextlib
import sys

from django.core.management.base import BaseCommand, CommandError

from clarifications.archive import import_lines


class Command(BaseCommand):
    help = (
        "Import clarifications from a JSON Lines file (one clarification per line, format in the README). "
        "A line whose external_id already exists updates that clarification. Bad lines are reported with "
        "their line number and skipped; good lines are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .jsonl file, or - for standard input.")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") if file != "-" else contextlib.nullcontext(sys.stdin) as stream:
                report = import_lines(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text.") from None
        for number, message in report.errors:
            self.stderr.write(f"line {number}: {message}")
        self.stdout.write(f"Imported {file}: {report.summary}.")
