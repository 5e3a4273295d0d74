"""A message sent to the official account while the database cannot take it (locked past the reply's
short wait, or away) is kept on disk, answered at once with the code its tip will have, and stored with
that code when the database is back: never lost, never stored twice (tips/intake/wechat/storing.py).
The real lock, through gunicorn, is in tests/test_dependency_faults.py."""

import json
import re

import pytest
from django.db import OperationalError
from django.utils import timezone

from tips.intake.wechat import storing
from tips.models import Tip, TipChannel, WeChatMessage

from .test_wechat import RUMOR, chinese
from .wechat_simulator import ACCOUNT, TOKEN, PictureServer, WeChat

pytestmark = pytest.mark.django_db

CODE = re.compile(r"T-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def wechat(client, settings):
    settings.WECHAT_TOKEN, settings.WECHAT_ACCOUNT_ID = TOKEN, ACCOUNT
    settings.WECHAT_PICTURE_HOSTS = ["127.0.0.1"]
    return WeChat(client)


@pytest.fixture
def spool(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "spool" / "wechat"


@pytest.fixture
def locked(monkeypatch):
    """Every write of the reply's path finds the database locked past its wait."""

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(storing, "store_tip", busy)
    return monkeypatch


def test_a_text_sent_while_the_database_is_locked_is_answered_with_its_code_and_stored_later(
    wechat, spool, locked, client
):
    reply = wechat.text(RUMOR)
    code = CODE.search(reply.text).group()
    received = "We have received your report. Its code is %(code)s. We will check it; you can follow it here:"
    assert reply.text == chinese(received, code=code) + "\n" + f"http://testserver/tips/{code}/"
    assert not Tip.objects.exists()
    (kept,) = spool.glob("*.json")
    entry = json.loads(kept.read_text())
    assert entry["code"] == code
    assert entry["text"] == RUMOR
    assert wechat.openid not in kept.read_text()  # only the sender's keyed hash
    # Meanwhile the citizen's link says the report is being filed.
    status = client.get(f"/en/tips/{code}/")
    assert status.status_code == 200
    assert f"Your report {code} has been received and is being filed." in status.text

    locked.undo()
    sent_at = timezone.now()
    assert storing.store_kept() == (1, 0)
    tip = Tip.objects.get()
    assert (tip.code, tip.text, tip.channel) == (code, RUMOR, TipChannel.WECHAT)
    assert abs((tip.submitted_at - sent_at).total_seconds()) < 60
    assert WeChatMessage.objects.get().tip == tip
    assert not list(spool.glob("*.json"))
    assert client.get(f"/en/tips/{code}/").status_code == 200


def test_a_retry_of_a_kept_message_gets_the_same_reply_and_nothing_is_stored_twice(wechat, spool, locked):
    first, msg_id = wechat.send("text", Content=RUMOR)
    again, _msg_id = wechat.send("text", Content=RUMOR, msg_id=msg_id)
    assert again.text == first.text
    assert len(list(spool.glob("*.json"))) == 1
    locked.undo()
    storing.store_kept()
    retried_after, _msg_id = wechat.send("text", Content=RUMOR, msg_id=msg_id)
    assert retried_after.text == first.text
    assert Tip.objects.count() == 1


def test_a_kept_message_stored_before_its_file_was_removed_is_not_stored_again(wechat, spool, locked):
    wechat.text(RUMOR)
    (kept,) = spool.glob("*.json")
    copy = kept.read_text()
    locked.undo()
    storing.store_kept()
    kept.write_text(copy)  # as if the process had died between the commit and the removal
    assert storing.store_kept() == (1, 0)
    assert Tip.objects.count() == 1


@pytest.mark.subprocess
def test_a_picture_kept_while_locked_is_fetched_once_stored(wechat, spool, locked, django_capture_on_commit_callbacks):
    from .tips_images import image_bytes

    with PictureServer(image_bytes()) as server:
        reply = wechat.image(server.url)
        code = CODE.search(reply.text).group()
        locked.undo()
        with django_capture_on_commit_callbacks(execute=True):
            storing.store_kept()
    tip = Tip.objects.get(code=code)
    assert tip.screenshot
    assert not tip.pending_picture_url


def test_when_too_many_messages_wait_the_reply_promises_nothing(wechat, spool, locked, monkeypatch):
    monkeypatch.setattr(storing, "MAX_KEPT_PER_SENDER", 2)
    replies = [wechat.text(f"{RUMOR} 第{number}条").text for number in range(3)]
    assert all(CODE.search(reply) for reply in replies[:2])
    assert not CODE.search(replies[2])
    assert replies[2] == chinese("We could not take your message just now. Please send it again in a few minutes.")
    assert len(list(spool.glob("*.json"))) == 2


def test_a_message_that_cannot_be_stored_for_another_reason_is_set_aside_not_lost(wechat, spool, locked):
    wechat.text(RUMOR)
    locked.undo()
    (kept,) = spool.glob("*.json")
    entry = json.loads(kept.read_text())
    entry["text"] = None  # damaged
    kept.write_text(json.dumps(entry))
    assert storing.store_kept() == (0, 0)
    assert len(list((spool / "failed").glob("*.json"))) == 1
