"""List filters shared by the tips' admin pages: each has a choice in effect when staff chose none."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class DefaultChoiceFilter(admin.SimpleListFilter):
    """A filter whose ``default_choice`` applies (and shows as selected) until staff pick another."""

    default_choice = None

    def effective_value(self):
        return self.value() or self.default_choice

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.effective_value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class QueueFilter(DefaultChoiceFilter):
    """Open reports by default: the queue is what still needs someone (unless a status is chosen).
    For any model whose queryset has ``open()`` and ``closed()`` (tips, sightings)."""

    title = _("queue")
    parameter_name = "queue"
    default_choice = "open"

    def __init__(self, request, params, model, model_admin):
        self.status_chosen = any(key.startswith("status") for key in params)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]

    def effective_value(self):
        return self.value() or ("all" if self.status_chosen else self.default_choice)

    def queryset(self, request, queryset):
        value = self.effective_value()
        if value == "open":
            return queryset.open()
        if value == "closed":
            return queryset.closed()
        return queryset
