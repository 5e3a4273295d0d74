"""History as staff read it: field diffs in their terms, and the changes to a clarification's evidence.

django-simple-history records every save (with the user from the request, or the one a service
passes); this module only formats what it recorded for the admin's History page.
"""

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .models import Source, Update


class ReadableHistoryHelper(HistoricalRecordContextHelper):
    """History diffs in staff terms: choice labels ("In review", not "in_review"), local times, "—" for empty."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value in (None, "", []) or (isinstance(value, DeletedObject) and value.pk is None):
            return "—"
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return date_format(value, "DATE_FORMAT")
        return super().prepare_delta_change_value(change, value)


def related_changes(clarification_id, *, limit=200):
    """Changes to a clarification's evidence sources and updates, newest first, with field diffs."""
    entries = []
    for model in (Source, Update):
        records = list(
            model.history.filter(clarification_id=clarification_id)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None and record.history_type == "~":
                delta = record.diff_against(before, excluded_fields=["clarification", "position"])
                helper = ReadableHistoryHelper(model, record)
                changes = helper.context_for_delta_changes(delta)
            entries.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "kind": model._meta.verbose_name,
                    "action": record.get_history_type_display(),
                    "object": str(record.instance),
                    "changes": changes,
                }
            )
            previous[record.id] = record
    entries.sort(key=lambda entry: entry["date"], reverse=True)
    return entries[:limit]


# What a status transition writes: none of it is the content a reviewer reads.
NOT_CONTENT_FIELDS = ["status", "published_at", "reviewer", "withdrawal_note", "review_by", "author", "external_id"]


def content_editors(clarification):
    """Who changed a clarification's content, oldest change first, as ``(date, user id or None)``.

    Read from the history records: the creation, every save whose fields (topics included) differ
    from the previous record's outside ``NOT_CONTENT_FIELDS``, and every change to its evidence
    sources and public updates. A status transition alone is no content change. ``None`` is a change
    made outside a request (an import, a shell).
    """
    changes = []
    previous = None
    for record in clarification.history.order_by("history_date", "history_id"):
        if previous is None or record.diff_against(previous, excluded_fields=NOT_CONTENT_FIELDS).changes:
            changes.append((record.history_date, record.history_user_id))
        previous = record
    for model in (Source, Update):
        changes += model.history.filter(clarification_id=clarification.pk).values_list(
            "history_date", "history_user_id"
        )
    changes.sort(key=lambda change: change[0])
    return changes
