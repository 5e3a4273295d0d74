from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from core.taskqueue import recover_stalled


class Command(BaseCommand):
    help = (
        "Queue again the tasks running for longer than --older-than seconds (their worker died); "
        "a task out of attempts is marked failed. Workers started with run_worker do this every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=settings.TASK_STALLED_AFTER_SECONDS)

    def handle(self, *args, older_than, **options):
        requeued, given_up = recover_stalled(older_than=timedelta(seconds=older_than))
        self.stdout.write(f"{requeued} task(s) queued again, {given_up} given up after their last attempt.")
