"""The staff back end: editors draft, publishers publish; every status change goes through services.py.

Status, publish time and reviewer are never edited in the form: list actions and the buttons on the
change page call the same transition functions, which check permission, status, the four-eyes rule
and the publish checklist, and say why when they refuse. Published and withdrawn clarifications can
be changed only by publishers (a correction is a public act); editors see them read-only.
"""

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.history import ReadOnlyHistoryAdmin
from core.images import clean_screenshot
from core.logs import log_event

from . import services
from .history import ReadableHistoryHelper, related_changes
from .models import Clarification, Notice, Source, Status, SynonymGroup, Topic, Update
from .search import synonyms
from .search.analysis import CJK_RE
from .services import TransitionRefused

logger = logging.getLogger(__name__)

# Links typed without a scheme are official sites: assume https (Django 6's default, without the warning).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}

# --- Permissions that depend on the clarification's status ---------------------------------------


def is_locked_for(user, clarification):
    """Public (or once public) clarifications are changed only by those who may publish."""
    return (
        clarification is not None
        and clarification.status in (Status.PUBLISHED, Status.WITHDRAWN)
        and not services.can_publish(user)
    )


class FollowsParentLock:
    """Inlines are read-only wherever their clarification is."""

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and not is_locked_for(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_locked_for(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_locked_for(request.user, obj)


class SourceInline(FollowsParentLock, admin.TabularInline):
    model = Source
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    extra = 1
    fields = ["title", "url", "publisher", "date", "position"]


class UpdateInline(FollowsParentLock, admin.TabularInline):
    model = Update
    extra = 0
    fields = ["date", "note"]
    verbose_name = _("public update (correction)")
    verbose_name_plural = _("public updates (corrections are shown with their date, never silent)")


# --- List filters --------------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    """Status as staff think of it: "scheduled" is its own state, not just "published"."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (Status.DRAFT, _("Draft")),
            (Status.IN_REVIEW, _("In review")),
            ("scheduled", _("Scheduled")),
            (Status.PUBLISHED, _("Published (public)")),
            (Status.WITHDRAWN, _("Withdrawn")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "scheduled":
            return queryset.scheduled()
        if value == Status.PUBLISHED:
            return queryset.published()
        if value in (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN):
            return queryset.filter(status=value)
        return queryset


class DueForReviewFilter(admin.SimpleListFilter):
    title = _("re-review")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("yes", _("Due for re-review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.due_for_review()
        return queryset


# --- Forms for the transitions that need an answer -----------------------------------------------


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].help_text = _("Time zone: %(zone)s. The clarification appears by itself at that time.") % {
            "zone": timezone.get_current_timezone_name()
        }

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future, or use “Publish now”."))
        return at


class ConfirmForm(forms.Form):
    """Publishing now asks nothing but "are you sure?": the page says what becomes public."""


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Public withdrawal note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the clarification's page: why it was withdrawn and what is known now."),
    )


# --- The clarification admin ---------------------------------------------------------------------


def staff_name(user):
    """A person as staff know them: their name, with the login name to tell two Wang Weis apart.

    A Chinese name reads family name first, without a space (王伟); Django's ``get_full_name()`` puts
    the first name first, as in English.
    """
    first, last = user.first_name.strip(), user.last_name.strip()
    chinese = CJK_RE.search(first + last)
    full_name = last + first if chinese else user.get_full_name().strip()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


class ClarificationForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "author" in self.fields:
            # Authors are staff; whoever wrote it stays selectable even after leaving the staff.
            field = self.fields["author"]
            field.queryset = field.queryset.filter(Q(is_staff=True) | Q(pk=self.instance.author_id)).order_by(
                "username"
            )
            field.label_from_instance = staff_name

    def clean_image(self):
        """A new illustration is re-encoded as tips' screenshots are: only its pixels reach the public
        (no EXIF with the photographer's GPS position, no ICC profile or comment), under a random name."""
        image = self.cleaned_data.get("image")
        if not image or not hasattr(image, "content_type"):
            return image  # unchanged, or cleared
        return clean_screenshot(image, max_bytes=settings.ILLUSTRATION_MAX_UPLOAD_BYTES)

    def clean(self):
        cleaned = super().clean()
        # Browsers send textarea lines ending in CRLF; store LF as imports do, so that saving without
        # an edit does not show up in the history as a change to every line.
        for name in ("claim", "truth", "body", "withdrawal_note", "image_alt"):
            if isinstance(cleaned.get(name), str):
                cleaned[name] = cleaned[name].replace("\r\n", "\n")
        return cleaned


# What each kind of transition page asks for, by the transition's ``asks``; publishing now only confirms.
ASKING_FORMS = {"at": ScheduleForm, "note": WithdrawForm, None: ConfirmForm}

# The name of the change form's transition buttons: the form is saved, then the transition named runs.
TRANSITION_BUTTON = "_transition"


def transition_action(transition):
    """The list action of one transition in ``services.TRANSITIONS``."""

    def action(modeladmin, request, queryset):
        if transition.has_page:
            return modeladmin._transition_page(request, transition, list(queryset))
        modeladmin._run_each(request, queryset, transition)
        return None

    action.__name__ = transition.name
    permission = "publish" if transition.permission == services.PUBLISH_PERMISSION else "change"
    return admin.action(description=transition.action_label, permissions=[permission])(action)


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyHistoryAdmin):
    form = ClarificationForm
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["title", "verdict", "state", "published_at", "author", "review_by"]
    list_filter = [StateFilter, DueForReviewFilter, "verdict", "language", "topics", "claim_platform"]
    search_fields = ["title", "claim", "truth", "external_id"]
    date_hierarchy = "published_at"
    ordering = ["-modified_at", "-id"]
    autocomplete_fields = ["topics"]
    inlines = [SourceInline, UpdateInline]
    list_select_related = ["author"]
    actions = [transition_action(transition) for transition in services.TRANSITIONS.values()]
    change_form_template = "admin/clarifications/clarification/change_form.html"
    object_history_template = "admin/clarifications/clarification/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "language", "verdict", "truth"]}),
        (
            _("The rumor"),
            {"fields": ["claim", "claim_platform", "claim_seen_on", "claim_author", "claim_url", "region"]},
        ),
        (_("Explanation"), {"fields": ["body", "image", "image_alt", "topics"]}),
        (_("Authority"), {"fields": ["authority_name", "authority_url"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "review_by", "withdrawal_note", "author", "reviewer"],
                "description": _("Status changes go through the buttons above and the list's actions."),
            },
        ),
        (_("Record"), {"fields": ["external_id", "created_at", "modified_at"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {"all": ["css/admin-workflow.css"]}

    # Columns -------------------------------------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        if obj.is_scheduled:
            return _("Scheduled")
        return obj.get_status_display()

    # Permissions and fields ----------------------------------------------------------------------

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_locked_for(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "published_at", "reviewer", "created_at", "modified_at"]
        if not request.user.is_superuser:
            readonly.append("author")
        if not (obj and obj.status == Status.WITHDRAWN and services.can_publish(request.user)):
            readonly.append("withdrawal_note")
        return readonly

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        added_update = any(formset.model is Update and formset.new_objects for formset in formsets)
        if (
            change
            and TRANSITION_BUTTON in request.POST
            and (form.has_changed() or any(formset.has_changed() for formset in formsets))
        ):
            self.message_user(request, _("Your changes were saved."), messages.SUCCESS)
        if change and obj.status in (Status.PUBLISHED, Status.WITHDRAWN):
            changed = [*form.changed_data, *(f.model._meta.model_name for f in formsets if f.has_changed())]
            if changed:
                # A change to public content is a public act: it is logged as one, correction or not.
                log_event(
                    logger,
                    "clarification.corrected" if added_update else "clarification.changed",
                    id=obj.pk,
                    changed=",".join(changed),
                    by=request.user.get_username(),
                )
        if (
            change
            and obj.status == Status.PUBLISHED
            and not obj.is_scheduled
            and form.changed_data
            and not added_update
        ):
            self.message_user(
                request,
                _(
                    "This clarification is public. If the change matters to readers, add a dated entry under "
                    "public updates: corrections are shown, never silent."
                ),
                messages.WARNING,
            )

    # Change page: buttons, preview, history ------------------------------------------------------

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="clarifications_clarification_transition",
            ),
        ]
        return own + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and obj is not None:
            context["preview_url"] = reverse("clarifications:preview", args=[obj.pk])
            context["is_scheduled"] = obj.is_scheduled
            context["author_name"] = staff_name(obj.author) if obj.author else None
            context["reviewer_name"] = staff_name(obj.reviewer) if obj.reviewer else None
            # The buttons save the form first, so they are offered only where the form can be saved.
            if self.has_change_permission(request, obj):
                buttons = services.transition_buttons(clarification=obj, user=request.user)
                context["transition_buttons"], context["blocked_transitions"] = workflow_buttons(buttons)
        context["error_summary"] = error_summary(request, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        """After the form (and its inlines) is saved: a transition button's move, or the usual answer."""
        transition = services.TRANSITIONS.get(request.POST.get(TRANSITION_BUTTON, ""))
        if transition is None:
            return super().response_change(request, obj)
        if transition.has_page:
            return redirect(self._transition_url(obj, transition))
        self._run(request, transition, obj, single=True)
        return redirect(self._change_url(obj))

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {**(extra_context or {}), "related_changes": related_changes(unquote(object_id))}
        return super().history_view(request, object_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistoryHelper(self.model, historical_record)

    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj):
        return reverse("admin:clarifications_clarification_change", args=[obj.pk])

    def _transition_url(self, obj, transition):
        return reverse("admin:clarifications_clarification_transition", args=[obj.pk, transition.name])

    def _run(self, request, transition, obj, *, single=False, **kwargs):
        """Run one transition and tell the user how it went; True when it happened.

        On its own page (``single``) a refusal is said as it is; in a list, it is led by the title.
        """
        try:
            transition.function(clarification=obj, user=request.user, **kwargs)
        except TransitionRefused as refusal:
            if single:
                message = refusal.message
            else:
                message = format_html(gettext("“{title}”: {message}"), title=obj.title, message=refusal.message)
            self.message_user(request, message, messages.ERROR)
            return False
        time = timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M") if obj.published_at else ""
        self.message_user(request, transition.done % {"title": obj.title, "time": time}, messages.SUCCESS)
        return True

    def transition_view(self, request, object_id, name):
        """A transition's own address: its page (a time, a note, the confirmation of publishing), or,
        for a one-click move, a POST that runs it on the saved version."""
        transition = services.TRANSITIONS.get(name)
        if transition is None:
            raise Http404
        obj = self._object_or_404(request, object_id)
        if transition.has_page:
            return self._transition_page(request, transition, [obj], single=obj)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._run(request, transition, obj, single=True)
        return redirect(self._change_url(obj))

    def _transition_page(self, request, transition, objects, *, single=None):
        """The page between the click and the move: it asks for a time (schedule) or a note (withdraw),
        or asks to confirm publishing now, and says what will become public and what cannot move.

        Used by the change page's buttons (``single``) and by the list actions; for the latter the
        form posts back to the changelist with the selected ids, as Django's own delete page does.
        """
        form = ASKING_FORMS[transition.asks](request.POST if "apply" in request.POST else None)
        if form.is_valid():
            kwargs = {transition.asks: form.cleaned_data[transition.asks]} if transition.asks else {}
            done = sum(self._run(request, transition, obj, single=single is not None, **kwargs) for obj in objects)
            if single is not None:
                return redirect(self._change_url(single))
            self._say_how_many(request, done)
            return None
        entries = [(obj, transition.why_not(clarification=obj, user=request.user)) for obj in objects]
        context = {
            **self.admin_site.each_context(request),
            "title": str(transition.label).rstrip("…"),
            "opts": self.model._meta,
            "transition": transition,
            "entries": entries,
            "ready": [obj for obj, refusal in entries if refusal is None],
            "single": single,
            "form": form,
            "action_name": transition.name,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "change_url": self._change_url(single) if single else None,
        }
        return TemplateResponse(request, "admin/clarifications/clarification/transition_form.html", context)

    def _run_each(self, request, queryset, transition):
        self._say_how_many(request, sum(self._run(request, transition, obj) for obj in queryset))

    def _say_how_many(self, request, done):
        if done > 1:
            self.message_user(
                request,
                ngettext("%(count)d clarification changed.", "%(count)d clarifications changed.", done)
                % {"count": done},
            )


def workflow_buttons(buttons):
    """The change page's buttons and the reasons of the disabled ones, each reason said once
    (publishing now and scheduling share theirs).

    Returns ``[(transition, id or None)]``, where a disabled button's id names its reasons (for
    aria-describedby), and ``[(id, "label · label", reasons)]``.
    """
    shown: list[tuple[Any, str | None]] = []
    blocked: dict[int, dict[str, Any]] = {}
    for transition, refusal in buttons:
        if refusal is None:
            shown.append((transition, None))
            continue
        entry = blocked.setdefault(id(refusal), {"id": f"why-not-{transition.name}", "labels": [], "refusal": refusal})
        entry["labels"].append(str(transition.label).rstrip("…"))
        shown.append((transition, entry["id"]))
    reasons = [(entry["id"], " · ".join(entry["labels"]), entry["refusal"].reasons) for entry in blocked.values()]
    return shown, reasons


def error_summary(request, context):
    """Every error of a posted change form, each led by its field's label (and, in an inline, the row),
    linking to the field: the form is long, and on a phone the first error may be screens away."""
    summary: list[tuple[Any, Any, str]] = []  # (label, message: either may be a lazy translation, anchor)
    adminform = context.get("adminform")
    if adminform is None or not adminform.form.is_bound:
        return summary
    form = adminform.form
    for name, errors in form.errors.items():
        if name in form.fields:
            summary += [(capfirst(form.fields[name].label), error, f"id_{name}") for error in errors]
    if form.errors and request.FILES.get("image") and "image" in form.fields:
        summary.append(
            (capfirst(form.fields["image"].label), _("Choose the picture again: a browser cannot keep it."), "id_image")
        )
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        summary += [
            (capfirst(inline.opts.verbose_name_plural), error, f"{formset.prefix}-group")
            for error in formset.non_form_errors()
        ]
        for number, inline_form in enumerate(formset.forms, start=1):
            for name, errors in inline_form.errors.items():
                row = format_html("{} {}", capfirst(inline.opts.verbose_name), number)
                if name in inline_form.fields:
                    label = format_html("{} – {}", row, capfirst(inline_form.fields[name].label))
                    anchor = f"id_{inline_form.prefix}-{name}"
                else:
                    label, anchor = row, f"{formset.prefix}-group"
                summary += [(label, error, anchor) for error in errors]
    return summary


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Editors add topics and rename the ones nobody sees yet; a topic that a public clarification
    carries has a public page and name, so changing or deleting it is a publisher's act."""

    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}

    def is_locked_for(self, request, topic):
        return (
            topic is not None
            and not services.can_publish(request.user)
            and Topic.objects.in_use().filter(pk=topic.pk).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_locked_for(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_locked_for(request, obj)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = ["title", "issuer", "language", "is_published", "published_at"]
    list_filter = ["is_published", "language"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    """The office's own other words for the same thing; the change list also shows the built-in groups.

    A change takes effect at the next search of every worker and retires the cached pages (see the model).
    """

    list_display = ["__str__", "note", "active", "modified_at"]
    list_filter = ["active"]
    search_fields = ["forms", "note"]
    fields = ["forms", "note", "active"]

    def changelist_view(self, request, extra_context=None):
        built_in = [
            (", ".join(written), "zh-hans" if CJK_RE.search(written[0]) else "en")
            for written, _compiled in synonyms.built_in_groups()
        ]
        return super().changelist_view(request, extra_context={**(extra_context or {}), "built_in_groups": built_in})
