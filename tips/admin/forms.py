"""Forms of the staff's extra admin pages: answering reports, exporting evidence."""

from django import forms
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification
from clarifications.search import Strength, find_similar


class AnswerTipsForm(forms.Form):
    """The admin's "answer with a clarification" step.

    The choices are the published clarifications most similar to the tips, best match first. They are
    built for each request (a queryset on the class would freeze "published" at start-up, leaving out
    whatever was published since); any other published clarification can be given by its ID.
    """

    SUGGESTIONS_PER_TIP = 5

    clarification = forms.ModelChoiceField(
        label=_("Clarification"),
        queryset=Clarification.objects.none(),
        widget=forms.RadioSelect,
        required=False,
    )
    clarification_id = forms.IntegerField(label=_("or its ID"), required=False, min_value=1)

    def __init__(self, *args, tips, **kwargs):
        super().__init__(*args, **kwargs)
        suggestions = similar_to_tips(tips, limit=self.SUGGESTIONS_PER_TIP)
        strengths = {item.pk: item.match_strength for item in suggestions}
        field = self.fields["clarification"]
        if suggestions:
            rank = Case(*(When(pk=item.pk, then=position) for position, item in enumerate(suggestions)))
            field.queryset = Clarification.objects.published().filter(pk__in=strengths).order_by(rank)
        field.label_from_instance = lambda item: (
            _("%(title)s (%(strength)s; %(verdict)s; ID %(id)s)")
            % {
                "title": item.title,
                "strength": Strength(strengths[item.pk]).label,
                "verdict": item.get_verdict_display(),
                "id": item.pk,
            }
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("clarification"):
            pk = cleaned.get("clarification_id")
            found = Clarification.objects.published().filter(pk=pk).first() if pk else None
            if not found:
                raise forms.ValidationError(_("Choose a published clarification."), code="required")
            cleaned["clarification"] = found
        return cleaned


def similar_to_tips(tips, *, limit):
    """The published clarifications matching any of ``tips`` (or sightings), strongest match first.

    Each keeps its best strength over the tips; equal strengths keep the order the tips' rankings
    gave (the first tip's best match before the second tip's).
    """
    best = {}
    for tip in tips:
        for item in find_similar(tip.matching_text, queryset=Clarification.objects.published(), limit=limit):
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
