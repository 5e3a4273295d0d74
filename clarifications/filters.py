"""The FilterSet behind the clarification list (and, later, the API).

Invalid values do not raise: django-filter leaves them out of ``cleaned_data`` and the page shows
the form's errors beside the unfiltered field.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Clarification, Language, Topic, Verdict
from .search import search


class ClarificationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Words from the rumor"),
        method="filter_text",
        max_length=500,
        widget=forms.TextInput(attrs={"type": "search", "enterkeyhint": "search"}),
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
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_before = django_filters.DateFilter(
        label=_("Published until"),
        field_name="published_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.OrderingFilter(
        label=_("Sort"),
        fields=(("published_at", "published"),),
        field_labels={"published": _("Oldest first"), "-published": _("Newest first")},
        empty_label=None,
        null_label=None,
    )

    class Meta:
        model = Clarification
        fields = []

    def filter_text(self, queryset, name, value):
        return search(queryset, value)
