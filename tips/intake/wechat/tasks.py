"""Fetching a picture sent to the official account, in the task queue (``pictures.fetch``)."""

import logging

from django_tasks import task

from core.logs import log_event

from . import pictures

logger = logging.getLogger(__name__)


@task()
def fetch_wechat_picture(tip_id):
    """A failure that may pass (timeout, server error) raises FetchFailed: the queue tries again."""
    return "stored" if pictures.fetch(tip_id) else "not stored"


def enqueue_fetch(tip_id: int) -> None:
    """Ask the task queue to fetch the tip's picture (call it once the tip is committed)."""
    log_event(logger, "wechat.picture_pending", tip=tip_id)
    fetch_wechat_picture.enqueue(tip_id)
