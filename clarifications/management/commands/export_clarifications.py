import contextlib
import sys

from django.core.management.base import BaseCommand

from clarifications.archive import export_lines


class Command(BaseCommand):
    help = (
        "Export every clarification (all statuses) as JSON Lines, in the format import_clarifications "
        "reads, to standard output or --output FILE. Importing the export gives the same content back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write instead of standard output.")

    def handle(self, *args, output=None, **options):
        count = 0
        with open(output, "w", encoding="utf-8") if output else contextlib.nullcontext(sys.stdout) as stream:
            for line in export_lines():
                stream.write(line + "\n")
                count += 1
        # The summary goes to stderr so that standard output stays pure JSON Lines.
        sys.stderr.write(f"Exported {count} clarifications{f' to {output}' if output else ''}.\n")
