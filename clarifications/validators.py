"""Validators shared by the models and the forms of the clarifications app."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .search import synonyms


def validate_synonym_forms(value):
    """Two or more forms that the search reads as different terms (a lone Chinese character is no term)."""
    unreadable = [form for form in synonyms.split_forms(value) if not synonyms.form_terms(form)]
    if unreadable:
        raise ValidationError(
            _("The search cannot read %(forms)s: write a word, or two Chinese characters or more."),
            code="unreadable",
            params={"forms": "、".join(unreadable)},
        )
    if len(synonyms.compile_group(value)) < 2:
        raise ValidationError(_("Give at least two different words or phrases, separated by commas."), code="too_few")
