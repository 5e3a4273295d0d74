"""The citizen's forms: a tip (``TipForm``) and a screenshot to check (``ScreenshotCheckForm``).

Both take a screenshot bounded in bytes and pixels and re-encoded without hidden data
(``core.images.clean_screenshot``), and both can show the refusal of a body too large to read
(``ScreenshotForm.refuse_screenshot``). Labels and errors are translated per request.
"""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from clarifications.models import Platform
from core.images import MAX_PIXELS, TOO_LARGE, clean_screenshot, limit_megabytes
from tips.models import TEXT_MAX_LENGTH


class ScreenshotForm(forms.Form):
    """A form with a ``screenshot`` field, whose request body may be refused before it is read."""

    def refuse_screenshot(self, error):
        """Show ``error`` under the screenshot field of an unbound form (a body refused unread has no data
        to bind): the page then reads like any other refusal, with the field marked and focused."""
        self.errors["screenshot"] = self.error_class(error.messages, renderer=self.renderer)


class TipForm(ScreenshotForm):
    text = forms.CharField(
        label=_("What did you see?"),
        help_text=_("Paste or type the message as you saw it."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please tell us what the message said.")},
    )
    platform = forms.ChoiceField(
        label=_("Where did you see it?"), choices=Platform.choices, initial=Platform.WECHAT_GROUP
    )
    seen_on = forms.DateField(
        label=_("When did you see it?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Please enter a date such as 2025-03-01.")},
    )
    link = forms.URLField(
        label=_("Link (optional)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Please enter a web address such as https://example.com/article.")},
    )
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        # The limits are filled in by __init__, from the settings.
        help_text=_(
            "A JPEG, PNG or WebP picture of at most %(megabytes)s MB and %(megapixels)s megapixels. Hidden data such "
            "as your location is removed."
        ),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    # Giving an address is the request to be written to: the sentence beside the field says so, and no
    # second tick is asked for (a missing tick once cost citizens their report and their screenshot).
    contact_email = forms.EmailField(
        label=_("Your e-mail (optional)"),
        help_text=_("Give it and we will e-mail you when we answer this report, and for nothing else."),
        required=False,
        error_messages={"invalid": _("Please enter an e-mail address such as name@example.com.")},
    )
    # The honeypot: hidden from people by CSS and from screen readers; bots fill every field.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form is made per request, so what follows is translated into the request's language here.
        # Chinese labels end in a full-width colon, and a question needs none: "您看到了什么消息？".
        self.label_suffix = pgettext("after a form label", ":")
        for field in self.fields.values():
            if str(field.label).endswith(("?", "？")):
                field.label_suffix = ""
        field = self.fields["screenshot"]
        limit = limit_megabytes(settings.TIPS_MAX_UPLOAD_BYTES)
        field.help_text = field.help_text % {"megabytes": limit, "megapixels": MAX_PIXELS // 1_000_000}
        # For static/js/tip-form.js, which refuses a too-large file as soon as it is chosen, in the same words.
        field.widget.attrs["data-max-bytes"] = settings.TIPS_MAX_UPLOAD_BYTES
        field.widget.attrs["data-too-large"] = TOO_LARGE % {"size": "{size}", "limit": limit}
        field.widget.attrs["data-not-attached"] = _(
            "It was not attached: choose a smaller one, or send the report without it."
        )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        # Chinese is dense: three characters can already name a rumor (e.g. 停水了).
        if len(text) < 3:
            raise forms.ValidationError(_("Please tell us a little more about the message."), code="too_short")
        return text

    def clean_seen_on(self):
        seen_on = self.cleaned_data["seen_on"]
        if seen_on and seen_on > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."), code="future")
        return seen_on

    def clean_screenshot(self):
        upload = self.cleaned_data.get("screenshot")
        if not upload:
            return None
        return clean_screenshot(upload, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                _("Your report could not be accepted. Please leave the field “Leave this field empty” empty."),
                code="honeypot",
            )
        return ""

    def clean(self):
        cleaned = super().clean()
        cleaned["contact_consent"] = bool(cleaned.get("contact_email"))
        return cleaned


class ScreenshotCheckForm(ScreenshotForm):
    """One screenshot to read and match ("check a screenshot"), bounded and re-encoded like a tip's."""

    screenshot = forms.FileField(
        label=_("Screenshot"),
        help_text=_("A JPEG, PNG or WebP picture of at most %(megabytes)s MB and %(megapixels)s megapixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Please choose a screenshot.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = pgettext("after a form label", ":")
        field = self.fields["screenshot"]
        limit = limit_megabytes(settings.TIPS_MAX_UPLOAD_BYTES)
        field.help_text = field.help_text % {"megabytes": limit, "megapixels": MAX_PIXELS // 1_000_000}
        field.widget.attrs["data-max-bytes"] = settings.TIPS_MAX_UPLOAD_BYTES
        field.widget.attrs["data-too-large"] = TOO_LARGE % {"size": "{size}", "limit": limit}

    def clean_screenshot(self):
        return clean_screenshot(self.cleaned_data["screenshot"], max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)
