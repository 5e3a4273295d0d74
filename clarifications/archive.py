"""JSON Lines import and export of clarifications: the way to migrate an archive and to back it up.

One clarification per line, with the keys of PRODUCT.md's import format (see the README). Each line
is validated and saved in its own transaction, so a bad line is reported with its number and
skipped while the good lines are kept. ``external_id`` makes a re-import update instead of
duplicating; every clarification has one, so an export imports back onto the same rows.
"""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q

from core.logs import log_event

from .models import Clarification, Language, Platform, Source, Status, Topic, Update, Verdict

logger = logging.getLogger(__name__)

REQUIRED_KEYS = {"title", "claim", "verdict", "truth", "language"}
KNOWN_KEYS = REQUIRED_KEYS | {
    "body",
    "topics",
    "region",
    "authority",
    "sources",
    "status",
    "published_at",
    "claim_seen_on",
    "claim_platform",
    "external_id",
    "updates",
    "withdrawal_note",
    "withdrawn_at",
    "claim_author",
    "claim_url",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)  # (line number, message)

    @property
    def summary(self):
        return f"{self.created} created, {self.updated} updated, {len(self.errors)} skipped"


def import_lines(lines):
    """Import an iterable of JSON Lines text; returns an ImportReport."""
    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            with transaction.atomic():
                created = import_record(record)
        except json.JSONDecodeError as error:
            report.errors.append((number, f"not valid JSON: {error.msg} at column {error.colno}"))
        except ValidationError as error:
            report.errors.append((number, _format_validation_error(error)))
        except DatabaseError as error:
            report.errors.append((number, f"refused by the database: {error}"))
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
    log_event(
        logger, "clarifications.imported", created=report.created, updated=report.updated, skipped=len(report.errors)
    )
    return report


def import_record(record):
    """Create or update one clarification from a decoded record; returns True when created."""
    if not isinstance(record, dict):
        raise ValidationError("each line must be a JSON object")
    unknown = set(record) - KNOWN_KEYS
    if unknown:
        raise ValidationError(f"unknown keys: {', '.join(sorted(unknown))}")
    missing = sorted(key for key in REQUIRED_KEYS if not record.get(key))
    if missing:
        raise ValidationError(f"missing: {', '.join(missing)}")

    external_id = record.get("external_id")
    clarification = None
    if external_id:
        clarification = Clarification.objects.filter(external_id=_text(external_id, "external_id")).first()
    created = clarification is None
    if created:
        clarification = Clarification()
        if external_id:
            clarification.external_id = external_id

    authority = record.get("authority") or {}
    if not isinstance(authority, dict):
        raise ValidationError("authority must be an object with name and url")
    clarification.title = _text(record["title"], "title")
    clarification.claim = _text(record["claim"], "claim")
    clarification.verdict = _choice(record["verdict"], Verdict, "verdict")
    clarification.truth = _text(record["truth"], "truth")
    clarification.body = _text(record.get("body") or "", "body")
    clarification.language = _choice(record["language"], Language, "language")
    clarification.region = _text(record.get("region") or "", "region")
    clarification.authority_name = _text(authority.get("name") or "", "authority.name")
    clarification.authority_url = _text(authority.get("url") or "", "authority.url")
    clarification.status = _choice(record.get("status") or Status.DRAFT, Status, "status")
    clarification.published_at = _datetime(record.get("published_at"), "published_at")
    clarification.claim_seen_on = _date(record.get("claim_seen_on"), "claim_seen_on")
    clarification.claim_platform = _choice(record.get("claim_platform") or Platform.OTHER, Platform, "claim_platform")
    clarification.withdrawal_note = _text(record.get("withdrawal_note") or "", "withdrawal_note")
    # Keys added after the first version: a line without them (an older export) leaves what is stored.
    if "claim_author" in record:
        clarification.claim_author = _text(record["claim_author"] or "", "claim_author")
    if "claim_url" in record:
        clarification.claim_url = _text(record["claim_url"] or "", "claim_url")
    if "withdrawn_at" in record:
        clarification.withdrawn_at = _datetime(record["withdrawn_at"], "withdrawn_at")
    clarification.full_clean(exclude=["author", "reviewer"])
    clarification.save()

    clarification.topics.set([_topic(name) for name in _list(record.get("topics"), "topics")])
    clarification.sources.all().delete()
    for position, item in enumerate(_list(record.get("sources"), "sources")):
        source = Source(
            clarification=clarification,
            title=_text(_get(item, "title", "sources"), "sources.title"),
            url=_text(_get(item, "url", "sources") or "", "sources.url"),
            publisher=_text(_get(item, "publisher", "sources") or "", "sources.publisher"),
            date=_date(_get(item, "date", "sources"), "sources.date"),
            position=position,
        )
        source.full_clean()
        source.save()
    if "updates" in record:
        clarification.updates.all().delete()
        for item in _list(record.get("updates"), "updates"):
            update = Update(
                clarification=clarification,
                date=_datetime(_get(item, "date", "updates"), "updates.date"),
                note=_text(_get(item, "note", "updates"), "updates.note"),
            )
            update.full_clean()
            update.save()
    return created


@dataclass
class Related:
    """A clarification's topic names, sources and updates, read for a whole chunk of rows at once."""

    topics: list[str]
    sources: list[Source]
    updates: list[Update]

    @classmethod
    def of(cls, clarification):
        return cls(
            topics=[topic.name for topic in clarification.topics.all()],
            sources=list(clarification.sources.all()),
            updates=list(clarification.updates.all()),
        )


def export_record(clarification, related=None):
    """The JSON-ready record of one clarification (``related`` saves the queries for its relations)."""
    related = related or Related.of(clarification)
    return {
        "external_id": clarification.external_id,
        "title": clarification.title,
        "claim": clarification.claim,
        "verdict": clarification.verdict,
        "truth": clarification.truth,
        "body": clarification.body,
        "language": clarification.language,
        "topics": related.topics,
        "region": clarification.region,
        "authority": {"name": clarification.authority_name, "url": clarification.authority_url},
        "sources": [
            {
                "title": source.title,
                "url": source.url,
                "publisher": source.publisher,
                "date": source.date.isoformat() if source.date else None,
            }
            for source in related.sources
        ],
        "status": clarification.status,
        "published_at": clarification.published_at.isoformat() if clarification.published_at else None,
        "claim_seen_on": clarification.claim_seen_on.isoformat() if clarification.claim_seen_on else None,
        "claim_platform": clarification.claim_platform,
        "claim_author": clarification.claim_author,
        "claim_url": clarification.claim_url,
        "withdrawal_note": clarification.withdrawal_note,
        "withdrawn_at": clarification.withdrawn_at.isoformat() if clarification.withdrawn_at else None,
        "updates": [{"date": update.date.isoformat(), "note": update.note} for update in related.updates],
    }


def with_related(queryset, *, chunk_size=500):
    """``(clarification, Related)`` for each row of ``queryset``, in id order, four queries per chunk.

    Chunks are read by id ranges (keyset pagination), so no cursor stays open while a caller streams
    them out, and memory holds one chunk. The relations are read as plain rows: ``prefetch_related``
    builds a queryset per row and relation, which made a 100,000-row export take minutes.
    """
    queryset = queryset.order_by("id")
    last_id = 0
    while chunk := list(queryset.filter(id__gt=last_id)[:chunk_size]):
        ids = [clarification.pk for clarification in chunk]
        topics = defaultdict(list)
        links = Clarification.topics.through.objects.filter(clarification_id__in=ids).order_by("topic__name")
        for clarification_id, name in links.values_list("clarification_id", "topic__name"):
            topics[clarification_id].append(name)
        sources, updates = defaultdict(list), defaultdict(list)
        for source in Source.objects.filter(clarification_id__in=ids):
            sources[source.clarification_id].append(source)
        for update in Update.objects.filter(clarification_id__in=ids):
            updates[update.clarification_id].append(update)
        for clarification in chunk:
            pk = clarification.pk
            yield clarification, Related(topics=topics[pk], sources=sources[pk], updates=updates[pk])
        last_id = ids[-1]


def export_lines(queryset=None):
    """Yield one JSON line per clarification, oldest first, in a fixed number of queries per chunk."""
    queryset = queryset if queryset is not None else Clarification.objects.all()
    for clarification, related in with_related(queryset):
        yield json.dumps(export_record(clarification, related), ensure_ascii=False)


def _topic(name):
    name = _text(name, "topics").strip()
    if not name:
        raise ValidationError("topics: a topic name is empty")
    topic = Topic.objects.filter(Q(name=name) | Q(name_en=name)).first()
    if topic is None:
        topic = Topic(name=name)
        topic.full_clean(exclude=["slug"])
        topic.save()
    return topic


def _text(value, key):
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a string")
    return value


def _list(value, key):
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{key} must be a list")
    return value


def _get(item, key, container):
    if not isinstance(item, dict):
        raise ValidationError(f"each of {container} must be an object")
    return item.get(key)


def _choice(value, choices, key):
    if value not in choices.values:
        raise ValidationError(f"{key} must be one of {', '.join(choices.values)}, not {value!r}")
    return value


def _datetime(value, key):
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(_text(value, key))
    except ValueError:
        raise ValidationError(f"{key} is not an ISO 8601 date and time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{key} needs a UTC offset, such as +08:00: {value!r}")
    return parsed


def _date(value, key):
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(_text(value, key))
    except ValueError:
        raise ValidationError(f"{key} is not an ISO 8601 date (YYYY-MM-DD): {value!r}") from None


def _format_validation_error(error):
    if hasattr(error, "message_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    return " ".join(error.messages)
