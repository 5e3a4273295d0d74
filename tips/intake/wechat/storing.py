"""Storing a tip sent to the official account within WeChat's five seconds, even while the database
is locked, and never losing it.

WeChat waits 5 seconds for the reply to a message, then sends it again (twice) and finally tells the
citizen the service is unavailable. Storing a tip takes the database's write lock (on SQLite, one for
the whole database), and a long write elsewhere (a restore, a big import, a migration) can hold it
for longer than that: with the lock held for 14 s a reply took 13.7 s (docs/benchmarks.md, *Dependency
faults*). So:

- **Bounded wait.** Every write on the reply's path (the tip and its ``WeChatMessage``, the sender's
  rate-limit count, the record of a reply) waits at most ``WAIT_SECONDS`` for the lock
  (``bounded_wait``: SQLite's busy timeout, PostgreSQL's ``lock_timeout``, for those statements only).
- **Kept on disk.** When that is not enough, or the database does not answer, the message is kept
  (``keep``): one JSON file per message in ``DATA_DIR/spool/wechat/``, written under a temporary name,
  flushed to disk and renamed into place, so that after a crash it is complete or absent. It holds
  what the tip needs (the text or the picture's address, the sender's keyed hash, never the OpenID,
  the ``MsgId``) and the **code the tip will have**, drawn now: the reply is the usual "we have
  received your report, its code is T-…, follow it here", true a few seconds later. A retry of the
  same ``MsgId`` gets the same reply from the file; the status page of a kept code says the report is
  being filed rather than "no such code".
- **Stored when the lock clears.** ``store_kept`` stores the kept messages, oldest first, with the
  time they arrived: a thread of the web worker that kept one runs it every ``RETRY_SECONDS`` until
  the folder is empty, and so does the task worker's periodic thread (``manage.py run_worker``), in
  case that web worker was stopped. An exclusive lock on the folder keeps two processes from storing
  one message at once; a message already stored (its ``MsgId``, or its code, in the database) is not
  stored again, and a file is removed only once its tip is committed: a crash in between stores it
  once, never loses it. A message that cannot be stored for another reason than the database being
  unavailable is moved to ``failed/`` beside the others, for an operator, with a log line.

The code is 40 random bits: should it belong to another tip by the time the message is stored (odds
of one in a trillion per tip), the tip gets another code and the log says which.

Bounds: at most ``MAX_KEPT`` messages wait, and at most ``MAX_KEPT_PER_SENDER`` of one sender; beyond,
the reply says honestly that the message could not be taken and asks to send it again later.
"""

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from clarifications.models import Platform
from core.logs import log_event
from tips.casework import grouping
from tips.intake.receive import tip_submit
from tips.models import TEXT_MAX_LENGTH, Tip, TipChannel, WeChatMessage, new_tip_code

from . import tasks

logger = logging.getLogger(__name__)

WAIT_SECONDS = 2
RETRY_SECONDS = 2
# Off in the test process, whose tests call store_kept themselves (a thread would write outside their transaction).
BACKGROUND = True
MAX_KEPT = 1000
MAX_KEPT_PER_SENDER = 5
# What "the database cannot take it now" looks like: locked past the wait, or not answering.
UNAVAILABLE = (OperationalError, InterfaceError)


# --- Storing ---------------------------------------------------------------------------------------


def store_tip(*, msg_id, kind, sender, text, picture_url, reply_for, link="", site_url="", code="", received_at=None):
    """Store the tip of a message with its ``WeChatMessage`` in one transaction; returns the reply
    (``reply_for(tip)``), or the earlier reply when a concurrent retry of this ``MsgId`` stored it first."""
    # Chosen before the transaction: reading the candidates must not hold the write lock (SQLite's is global).
    rumor_id = grouping.candidate_rumor_id(text) if text else None
    try:
        with transaction.atomic():
            # First, so that a concurrent retry of this message waits here and then finds it.
            seen = WeChatMessage.objects.create(msg_id=msg_id, kind=kind) if msg_id else None
            tip = tip_submit(
                text=text[:TEXT_MAX_LENGTH],  # the reply says when it was cut (``replies.tip_reply``)
                platform=Platform.OTHER,
                link=link,
                client_hash=sender,
                language="zh-hans",
                channel=TipChannel.WECHAT,
                pending_picture_url=picture_url,
                rumor_id=rumor_id,
                site_url=site_url,
                code=code,
            )
            if received_at is not None:
                Tip.objects.filter(pk=tip.pk).update(submitted_at=received_at)
            reply = reply_for(tip)
            if seen is not None:
                seen.tip, seen.reply = tip, reply
                seen.save(update_fields=["tip", "reply"])
            if picture_url:
                tip_id = tip.pk
                transaction.on_commit(lambda: tasks.enqueue_fetch(tip_id), robust=True)
    except IntegrityError:
        earlier = WeChatMessage.objects.filter(msg_id=msg_id).first() if msg_id else None
        if earlier is None:
            raise
        return earlier.reply
    if code and tip.code != code:
        logger.error("A kept WeChat message's code %s was taken; its tip has the code %s.", code, tip.code)
    log_event(logger, "wechat.tip_received", code=tip.code, msg_id=msg_id, kind=kind)
    return reply


@contextlib.contextmanager
def bounded_wait(seconds=WAIT_SECONDS):
    """Writes in this block wait at most ``seconds`` for a lock, then raise OperationalError."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        read, write = "PRAGMA busy_timeout", "PRAGMA busy_timeout = %d"
        value = int(seconds * 1000)
    elif connection.vendor == "postgresql":
        read, write = "SHOW lock_timeout", "SET lock_timeout = '%dms'"
        value = int(seconds * 1000)
    else:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(read)
        previous = cursor.fetchone()[0]
        cursor.execute(write % value)
    try:
        yield
    finally:
        with contextlib.suppress(*UNAVAILABLE), connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA busy_timeout = {int(previous)}")
            else:
                cursor.execute("SELECT set_config('lock_timeout', %s, false)", [previous])


# --- Keeping --------------------------------------------------------------------------------------


def spool_dir():
    return Path(settings.DATA_DIR) / "spool" / "wechat"


def _digest(value, length):
    return hashlib.sha256(value.encode()).hexdigest()[:length]


def _kept_files():
    folder = spool_dir()
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def kept_reply(msg_id):
    """The reply given to a kept message with this ``MsgId``, or None."""
    if not msg_id:
        return None
    for path in spool_dir().glob(f"*-m{_digest(msg_id, 24)}-*.json") if spool_dir().is_dir() else []:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(path.read_text(encoding="utf-8"))["reply"]
    return None


def is_kept(code):
    """Whether a kept message will become the tip with this code."""
    folder = spool_dir()
    return folder.is_dir() and any(folder.glob(f"*-{code}.json"))


class KeptTooMany(Exception):
    """The folder, or this sender's share of it, is full: the message was not kept."""


def keep(*, msg_id, kind, sender, text, picture_url, reply_for, link="", site_url=""):
    """Keep a message on disk to be stored later (module docstring); returns the reply, or raises
    KeptTooMany. ``reply_for`` receives an unsaved tip holding the code the stored tip will have."""
    kept = _kept_files()
    sender_tag = _digest(sender, 12)
    if len(kept) >= MAX_KEPT or sum(f"-s{sender_tag}-" in path.name for path in kept) >= MAX_KEPT_PER_SENDER:
        raise KeptTooMany()
    code = new_tip_code()
    reply = reply_for(Tip(code=code))
    entry = {
        "msg_id": msg_id,
        "kind": kind,
        "sender": sender,
        "text": text,
        "picture_url": picture_url,
        "link": link,
        "site_url": site_url,
        "code": code,
        "reply": reply,
        "received_at": timezone.now().isoformat(),
    }
    message_tag = _digest(msg_id, 24) if msg_id else uuid.uuid4().hex[:24]
    _write_durably(spool_dir() / f"{time.time_ns():020d}-m{message_tag}-s{sender_tag}-{code}.json", entry)
    log_event(logger, "wechat.message_kept", code=code, msg_id=msg_id, kind=kind, waiting=len(kept) + 1)
    _storer.start()
    return reply


def _write_durably(path, entry):
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{uuid.uuid4().hex}")
    try:
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(entry, file, ensure_ascii=False)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- Storing what was kept ------------------------------------------------------------------------


def store_kept(*, limit=200):
    """Store the kept messages, oldest first; returns (stored, still kept). Stops at the first one the
    database cannot take yet; does nothing while another process is at it."""
    folder = spool_dir()
    if not folder.is_dir():
        return 0, 0
    stored = 0
    with open(folder / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0, len(_kept_files())
        for path in _kept_files()[:limit]:
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
                _store_entry(entry)
            except UNAVAILABLE as error:
                log_event(logger, "wechat.kept_waiting", level=logging.WARNING, reason=str(error)[:200])
                break
            except Exception:
                logger.exception("A kept WeChat message could not be stored; moved to %s", folder / "failed")
                (folder / "failed").mkdir(exist_ok=True)
                os.replace(path, folder / "failed" / path.name)
                continue
            path.unlink()
            _sync_folder(folder)
            stored += 1
    return stored, len(_kept_files())


def _store_entry(entry):
    if entry["msg_id"] and WeChatMessage.objects.filter(msg_id=entry["msg_id"]).exists():
        return  # stored before its file could be removed
    if Tip.objects.filter(code=entry["code"], client_hash=entry["sender"], channel=TipChannel.WECHAT).exists():
        return
    store_tip(
        msg_id=entry["msg_id"],
        kind=entry["kind"],
        sender=entry["sender"],
        text=entry["text"],
        picture_url=entry["picture_url"],
        link=entry.get("link", ""),
        site_url=entry.get("site_url", ""),
        reply_for=lambda _tip: entry["reply"],
        code=entry["code"],
        received_at=datetime.fromisoformat(entry["received_at"]),
    )
    log_event(logger, "wechat.kept_stored", code=entry["code"], msg_id=entry["msg_id"])


class _Storer:
    """A thread of this process that runs ``store_kept`` every ``RETRY_SECONDS`` until nothing is kept."""

    def __init__(self):
        self.lock = threading.Lock()
        self.thread = None
        self.pid = None

    def start(self):
        if not BACKGROUND:
            return
        with self.lock:
            if self.thread is None or self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="wechat-kept", daemon=True)
                self.thread.start()

    def _run(self):
        while True:
            time.sleep(RETRY_SECONDS)
            try:
                store_kept()
            except Exception:
                logger.exception("Storing kept WeChat messages failed; trying again")
            finally:
                connection.close()
            with self.lock:
                # Under the lock: a message kept meanwhile either sees this thread or starts another.
                if not _kept_files():
                    self.thread = None
                    return


_storer = _Storer()
