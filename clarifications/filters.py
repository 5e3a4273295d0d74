"""The FilterSet behind the clarification list and the API.

Invalid values do not raise: django-filter leaves them out of ``cleaned_data`` and the page shows
the form's errors beside the unfiltered field. The text match is applied after the other filters
(so the ranking is computed among what the filters keep), and the sort last; the ranking itself
(match strengths, the terms to highlight) stays on the FilterSet as ``ranking`` for the page.
"Best match" is the first sort choice, so a search form submitted as it stands sorts by relevance;
without words there is nothing to rank and the newest come first.
"""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import search
from .models import Clarification, Language, Topic, Verdict

RELEVANCE = "relevance"


# A day at either end of what a date can hold has no start in another time zone, or no next day.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def within_calendar(value):
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()},
        )


class ClarificationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Words from the rumor"),
        method="filter_text",
        max_length=search.MAX_QUERY_CHARS,
        error_messages={
            "max_length": _("Paste at most %(limit_value)s characters: the first lines of the message are enough.")
        },
        # A textarea keeps the line breaks of a pasted forward; Enter still searches (js/search-box.js).
        widget=forms.Textarea(attrs={"rows": 2, "data-enter-searches": True}),
    )
    verdict = django_filters.ChoiceFilter(label=_("Verdict"), choices=Verdict.choices, empty_label=_("Any verdict"))
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        field_name="topics",
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("Any topic"),
    )
    region = django_filters.CharFilter(label=_("Region"), field_name="region", lookup_expr="iexact", max_length=100)
    language = django_filters.ChoiceFilter(label=_("Language"), choices=Language.choices, empty_label=_("Any language"))
    published_after = django_filters.DateFilter(
        label=_("Published from"),
        field_name="published_at",
        method="filter_published_after",
        validators=[within_calendar],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_before = django_filters.DateFilter(
        label=_("Published until"),
        field_name="published_at",
        method="filter_published_before",
        validators=[within_calendar],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[
            (RELEVANCE, _("Best match")),
            ("-published", _("Newest first")),
            ("published", _("Oldest first")),
        ],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = Clarification
        fields: list[str] = []

    @property
    def search_query(self):
        """The words actually searched for (empty when there are none or they were invalid)."""
        if not self.is_bound:
            return ""
        self.errors  # noqa: B018 (validates the form, which fills cleaned_data)
        return self.form.cleaned_data.get("q") or ""

    def filter_queryset(self, queryset):
        last = ("q", "sort")
        values = self.form.cleaned_data
        for name in [name for name in values if name not in last] + [name for name in last if name in values]:
            queryset = self.filters[name].filter(queryset, values[name])
        return queryset

    # Dates in the site's time zone, compared as the instants they start at rather than with
    # ``published_at__date``: the column is compared as stored (SQLite calls no Python function per
    # row, which made a date filter cost more than the search it narrowed).
    def filter_published_after(self, queryset, name, value):  # noqa: ARG002 (django-filter\'s method signature)
        return queryset.filter(published_at__gte=_start_of(value))

    def filter_published_before(self, queryset, name, value):  # noqa: ARG002 (django-filter\'s method signature)
        return queryset.filter(published_at__lt=_start_of(value + timedelta(days=1)))

    ranking = None

    def filter_text(self, queryset, name, value):  # noqa: ARG002 (django-filter\'s method signature)
        self.ranking = search.rank(queryset, value)
        return self.ranking.apply(queryset)

    def filter_sort(self, queryset, name, value):  # noqa: ARG002 (django-filter\'s method signature)
        if value == "published":
            return queryset.order_by("published_at", "id")
        if value == RELEVANCE and search.is_ranked(queryset):
            return search.order_by_relevance(queryset)
        return queryset.order_by("-published_at", "-id")


def _start_of(day):
    """The instant ``day`` begins in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
