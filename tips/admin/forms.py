"""Forms of the staff's extra admin pages: answering reports, exporting evidence."""

from typing import Any

from django import forms
from django.db import models
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification
from clarifications.search import Strength, find_similar


class AnswerReportsForm(forms.Form):
    """The admin's "answer with a clarification" step, for reports or a whole rumor group.

    The choices are the public clarifications of the reports' groups first, then those most similar to
    the reports, best match first. They are built for each request (a queryset on the class would
    freeze "published" at start-up, leaving out whatever was published since); any other published
    clarification can be given by its ID.
    """

    SUGGESTIONS_PER_TIP = 5

    clarification = forms.ModelChoiceField(
        label=_("Clarification"),
        queryset=Clarification.objects.none(),
        widget=forms.RadioSelect,
        required=False,
    )
    clarification_id = forms.IntegerField(label=_("or its ID"), required=False, min_value=1)

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        groups = Clarification.objects.published().filter(rumors__in={report.rumor_id for report in reports})
        own = list(groups.distinct())
        suggestions = similar_to_reports(reports, limit=self.SUGGESTIONS_PER_TIP)
        strengths = {item.pk: item.match_strength for item in suggestions}
        ordered = [item.pk for item in own] + [item.pk for item in suggestions if item.pk not in {c.pk for c in own}]
        field = self.fields["clarification"]
        if ordered:
            rank = Case(*(When(pk=pk, then=position) for position, pk in enumerate(ordered)))
            field.queryset = Clarification.objects.published().filter(pk__in=ordered).order_by(rank)
        if own:
            field.initial = own[0].pk
        own_ids = {item.pk for item in own}

        def label(item):
            strength = _("the group's clarification") if item.pk in own_ids else Strength(strengths[item.pk]).label
            return _("%(title)s (%(strength)s; %(verdict)s; ID %(id)s)") % {
                "title": item.title,
                "strength": strength,
                "verdict": item.get_verdict_display(),
                "id": item.pk,
            }

        field.label_from_instance = label

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("clarification"):
            pk = cleaned.get("clarification_id")
            found = Clarification.objects.published().filter(pk=pk).first() if pk else None
            if not found:
                raise forms.ValidationError(_("Choose a published clarification."), code="required")
            cleaned["clarification"] = found
        return cleaned


def similar_to_reports(reports, *, limit):
    """The published clarifications matching any of ``reports``, strongest match first.

    Each keeps its best strength over the reports; equal strengths keep the order the reports'
    rankings gave (the first report's best match before the second's).
    """
    best: dict[int, Any] = {}  # clarifications, each with the match_strength find_similar gave it
    for report in reports:
        for item in find_similar(report.matching_text, queryset=Clarification.objects.published(), limit=limit):
            kept = best.setdefault(item.pk, item)
            kept.match_strength = max(kept.match_strength, item.match_strength)
    return sorted(best.values(), key=lambda item: -item.match_strength)


class EvidenceExportForm(forms.Form):
    """What to put in an evidence package. Contact details are offered only to those who may see
    them, and are never ticked in advance."""

    reference = forms.CharField(
        label=_("Case reference"),
        required=False,
        max_length=200,
        help_text=_("For example the police case number; recorded with the export."),
    )
    include_contact = forms.BooleanField(
        label=_("Include the contact details citizens left (personal data)"),
        required=False,
        initial=False,
        help_text=_("Only when the receiving authority needs them for this case."),
    )

    def __init__(self, *args, may_see_contact, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_contact:
            del self.fields["include_contact"]


class ReasonForm(forms.Form):
    """Why a report is re-opened or taken out of its group: kept in its history and the log."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: it is kept in the report's history.")},
    )

    def __init__(self, *args, purpose, **kwargs):
        super().__init__(*args, **kwargs)
        if purpose == "detach":
            self.fields["reason"].help_text = _("For example: it is about another district's water, not this rumor.")
        else:
            self.fields["reason"].help_text = _("For example: the answer given was about another rumor.")

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"], code="required")
        return reason


def https_by_default(field, **kwargs):
    # A link typed without its scheme is https (Django 6's default, said now). The admin's form gets
    # this from URL_FIELDS_ASSUME_HTTPS; a form class built when its module is imported needs it here.
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class DraftForm(forms.ModelForm):
    """The first lines of a draft clarification, filled in from a report; saved only when sent."""

    class Meta:
        model = Clarification
        formfield_callback = https_by_default
        fields = ["title", "claim", "claim_platform", "claim_seen_on", "claim_url", "language"]
        widgets = {
            "claim": forms.Textarea(attrs={"rows": 6}),
            "claim_seen_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = _(
            "Write the headline readers will see, e.g. “Water will not be cut off for three days”: not the "
            "rumor's own words."
        )
