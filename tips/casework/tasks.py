"""Casework's slow work, run by the task queue's workers: the answer e-mail (whose mail server errors
are retried by the queue and can never roll an answer back)."""

from django_tasks import task

from . import emails


@task()
def send_answer_email(tip_id, clarification_id, site_url):
    emails.send_answer_email(tip_id, clarification_id, site_url)
