"""The staff side of tips: a triage queue where the most-reported rumors come first.

Tips reporting the same rumor share a ``Rumor`` group. The tip list is ordered by the number of open
tips in each tip's group, so a rumor reported fifty times comes before one reported once; the
"reported rumors" list shows the groups themselves, hottest first (``heat.py``), with their charts.
Staff confirm, merge or split groups with the actions below. Status changes and the rules behind
them (which tip is the original of a duplicate) live in ``services``, each in one transaction, so
that answering a tip always sends the promised e-mail and a failure half-way through a batch changes
nothing; the admin only asks and reports.

Contact data (e-mail, consent, address hash) appears only for users with ``tips.view_tip_contact``, and
only they may filter or search by it (``PersonalDataGuard``).
"""

import mimetypes

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import F, OuterRef
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clarifications.models import Clarification
from clarifications.search import find_similar
from core.storage import private_storage
from tips.casework import grouping, services
from tips.intake import ocr
from tips.models import Rumor, ScreenshotReading, Tip, report_counts

from .filters import QueueFilter
from .forms import AnswerTipsForm

TIP_FIELDS = [
    "code",
    "status",
    "text",
    "platform",
    "seen_on",
    "link",
    "screenshot_preview",
    "wechat_picture",
    "screenshot_reading_display",
    "language",
    "channel",
    "submitted_at",
    "closed_at",
]
CONTACT_FIELDS = ["contact_email", "contact_consent", "client_hash", "personal_data_purged_at"]
# The fields that identify a citizen. Without ``tips.view_tip_contact`` no URL of the admin may filter,
# search or order by them: ``?contact_email__startswith=a`` would otherwise read an address letter by letter.
PERSONAL_FIELDS = {"contact_email", "contact_consent", "client_hash"}


class PersonalDataGuard:
    """Refuses lookups, searches and orderings that touch a tip's personal fields without the permission.

    Django's admin allows any lookup on a model's own fields in the changelist's query string, and a
    relation's fields when listed in ``list_filter``; here any path that reaches a personal field of a
    tip (``contact_email__regex``, ``tips__client_hash``) is refused with a 400, like other forbidden
    lookups.
    """

    def lookup_allowed(self, lookup, value, request=None):
        if touches_personal_data(self.model, lookup) and not (
            request is not None and request.user.has_perm("tips.view_tip_contact")
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if request.user.has_perm("tips.view_tip_contact"):
            return fields
        return [field for field in fields if not touches_personal_data(self.model, field.lstrip("^=@"))]


def touches_personal_data(model, lookup):
    """Whether a lookup path such as ``rumor__tips__contact_email__startswith`` reads a personal field."""
    for part in lookup.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if model is Tip and part in PERSONAL_FIELDS:
            return True
        if not field.is_relation:
            return False
        model = field.related_model
    return False


@admin.register(Tip)
class TipAdmin(PersonalDataGuard, admin.ModelAdmin):
    list_display = ["code", "excerpt", "status", "group", "platform", "submitted_at"]
    list_display_links = ["code", "excerpt"]
    list_filter = [QueueFilter, "status", "platform", "channel", "rumor__confirmed"]
    search_fields = ["code", "text"]
    raw_id_fields = ["rumor"]
    list_per_page = 50
    actions = [
        "answer_with_clarification",
        "mark_reviewing",
        "mark_duplicate",
        "mark_not_actionable",
        "start_draft",
        "group_together",
        "split_off",
    ]
    change_form_template = "admin/tips/tip/change_form.html"

    class Media:
        css = {"all": ["css/tips-admin.css"]}

    # --- what each user sees -------------------------------------------------------------------

    def has_add_permission(self, request):
        # Tips come from citizens through the public form only.
        return False

    def has_contact_permission(self, request):
        return request.user.has_perm("tips.view_tip_contact")

    def has_draft_permission(self, request):
        return request.user.has_perm("tips.change_tip") and request.user.has_perm("clarifications.add_clarification")

    def get_queryset(self, request):
        # Built here rather than by super(), which would order by the annotations before they exist.
        # Both channels weigh: a group's open sightings (online inspection) count like its open tips.
        queryset = (
            Tip.objects.select_related("rumor")
            .annotate(**report_counts(OuterRef("rumor_id"), prefix="rumor_"))
            .annotate(
                rumor_open=F("rumor_open_tip_count") + F("rumor_open_sighting_count"), rumor_total=F("rumor_tip_count")
            )
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        # Most-reported open rumors first; the tips of one group stay together, newest first.
        return ["-rumor_open", "-rumor_total", "rumor", "-submitted_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # The admin would order the choices by RumorAdmin's ordering, which needs its annotations.
        if db_field.name == "rumor":
            kwargs["queryset"] = Rumor.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {"fields": TIP_FIELDS},
            ),
            (_("Triage"), {"fields": ["rumor", "clarification_link", "duplicate_of_link", "staff_notes"]}),
            (_("Similar"), {"fields": ["similar_clarifications", "similar_tips"]}),
        ]
        if self.has_contact_permission(request):
            fieldsets.append((_("Contact (personal data)"), {"fields": CONTACT_FIELDS}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # What the citizen sent is evidence and stays as sent; triage changes only group and notes.
        readonly = [
            *TIP_FIELDS,
            "clarification_link",
            "duplicate_of_link",
            "similar_clarifications",
            "similar_tips",
        ]
        if self.has_contact_permission(request):
            readonly += CONTACT_FIELDS
        return readonly

    def delete_model(self, request, obj):
        self.delete_queryset(request, Tip.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Screenshots live outside the database: remove the files once the rows are surely gone.
        names = [name for name in queryset.values_list("screenshot", flat=True) if name]
        super().delete_queryset(request, queryset)
        storage = private_storage()
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    # --- columns and read-only fields ----------------------------------------------------------

    @admin.display(description=_("what was seen"))
    def excerpt(self, tip):
        return Truncator(tip.text).chars(80)

    @admin.display(description=_("rumor group (open / all tips)"), ordering="-rumor_open")
    def group(self, tip):
        if not tip.rumor_id:
            return "—"
        url = reverse("admin:tips_rumor_change", args=[tip.rumor_id])
        mark = "✓ " if tip.rumor.confirmed else ""
        sightings = getattr(tip, "rumor_open_sighting_count", 0)
        return format_html(
            '<a href="{}">{}{}</a> ({} / {}){}',
            url,
            mark,
            Truncator(tip.rumor.label).chars(30),
            getattr(tip, "rumor_open_tip_count", "?"),
            getattr(tip, "rumor_total", "?"),
            ngettext(" + %(count)d open sighting", " + %(count)d open sightings", sightings) % {"count": sightings}
            if sightings
            else "",
        )

    @admin.display(description=_("screenshot"))
    def screenshot_preview(self, tip):
        if not tip.screenshot:
            return "—"
        url = reverse("admin:tips_tip_screenshot", args=[tip.pk])
        return format_html(
            '<a href="{}"><img src="{}" alt="{}" class="tip-screenshot" width="320"></a>',
            url,
            url,
            _("Screenshot sent with the tip"),
        )

    @admin.display(description=_("picture sent through WeChat"))
    def wechat_picture(self, tip):
        if tip.picture_fetch_error:
            return _("Could not be fetched: %(reason)s") % {"reason": tip.picture_fetch_error}
        if tip.pending_picture_url:
            return _("Not fetched yet: it becomes the screenshot once fetched.")
        return "—"

    @admin.display(description=_("text read from the screenshot"))
    def screenshot_reading_display(self, tip):
        """Beside the picture: what OCR read (it makes mistakes: the picture is the evidence), or why not."""
        if tip.screenshot_reading == ScreenshotReading.READ:
            if not tip.screenshot_text:
                return _("No text was found in the screenshot.")
            return format_html('<div class="tip-screenshot-text" lang="zh-Hans">{}</div>', tip.screenshot_text)
        if tip.screenshot_reading == ScreenshotReading.UNAVAILABLE:
            engine = ocr.status()
            if engine.available:
                return _("Not read: OCR was unavailable when it arrived (manage.py read_tip_screenshots reads it now).")
            return format_html("{} {}", _("Not read: OCR is unavailable on this server."), engine.reason)
        if not tip.screenshot_reading:
            return "—"
        return tip.get_screenshot_reading_display()

    def changelist_view(self, request, extra_context=None):
        engine = ocr.status()
        if not engine.available:
            self.message_user(
                request,
                _("OCR is unavailable: screenshots are kept but their text is not read. %(reason)s")
                % {"reason": engine.reason},
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("answered by"))
    def clarification_link(self, tip):
        if not tip.clarification_id:
            return "—"
        # The public page: tip triage works on tips only and may not open clarifications in the admin.
        return format_html('<a href="{}">{}</a>', tip.clarification.get_absolute_url(), tip.clarification)

    @admin.display(description=_("duplicate of"))
    def duplicate_of_link(self, tip):
        if not tip.duplicate_of_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:tips_tip_change", args=[tip.duplicate_of_id]), tip.duplicate_of
        )

    @admin.display(description=_("similar published clarifications"))
    def similar_clarifications(self, tip):
        found = find_similar(tip.matching_text, queryset=Clarification.objects.published(), limit=5)
        if not found:
            return _("None found.")
        rows = [
            (item.get_absolute_url(), item.title, item.match_strength.label, item.get_verdict_display(), item.pk)
            for item in found
        ]
        item_html = '<li><a href="{}" target="_blank" rel="noopener">{}</a> ({}; {}; ID {})</li>'
        return format_html("<ul>{}</ul>", format_html_join("", item_html, rows))

    @admin.display(description=_("similar open tips in other groups"))
    def similar_tips(self, tip):
        found = [
            (score, other)
            for score, other in grouping.similar_open_tips(tip.matching_text, exclude_pk=tip.pk, limit=10)
            if other.rumor_id != tip.rumor_id
        ]
        if not found:
            return _("None found.")
        return format_html(
            "<ul>{}</ul><p>{}</p>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> {} ({}: {})</li>',
                (
                    (
                        reverse("admin:tips_tip_change", args=[other.pk]),
                        other.code,
                        Truncator(other.text).chars(60),
                        _("group"),
                        other.rumor_id or "—",
                    )
                    for _score, other in found
                ),
            ),
            _(
                "To merge, enter that group's ID as this tip's rumor group, or select the tips in the list and "
                "use “Group the selected tips together”."
            ),
        )

    # --- extra pages ---------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("<int:pk>/screenshot/", self.admin_site.admin_view(self.screenshot_view), name="tips_tip_screenshot"),
            path("answer/", self.admin_site.admin_view(self.answer_view), name="tips_tip_answer"),
            path(
                "<int:pk>/start-draft/", self.admin_site.admin_view(self.start_draft_view), name="tips_tip_start_draft"
            ),
            *super().get_urls(),
        ]

    def screenshot_view(self, request, pk):
        """The screenshot, for staff who may view tips; no other URL serves these files."""
        tip = get_object_or_404(Tip, pk=pk)
        if not self.has_view_permission(request, tip):
            raise PermissionDenied
        if not tip.screenshot or not private_storage().exists(tip.screenshot.name):
            raise Http404("No screenshot")
        content_type = mimetypes.guess_type(tip.screenshot.name)[0] or "application/octet-stream"
        response = FileResponse(private_storage().open(tip.screenshot.name), content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def answer_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        tips = list(Tip.objects.filter(pk__in=ids).order_by("submitted_at"))
        if not tips:
            return redirect("admin:tips_tip_changelist")
        form = AnswerTipsForm(request.POST or None, tips=tips)
        if request.method == "POST" and form.is_valid():
            clarification = form.cleaned_data["clarification"]
            site_url = request.build_absolute_uri("/")
            mailed = services.tips_answer(tips=tips, clarification=clarification, site_url=site_url)
            self.message_user(
                request,
                ngettext(
                    "%(count)d tip answered with “%(title)s”; %(mailed)d e-mail(s) will be sent.",
                    "%(count)d tips answered with “%(title)s”; %(mailed)d e-mail(s) will be sent.",
                    len(tips),
                )
                % {"count": len(tips), "title": clarification.title, "mailed": mailed},
                messages.SUCCESS,
            )
            return redirect("admin:tips_tip_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Answer tips with a clarification"),
            "opts": self.opts,
            "tips": tips,
            "form": form,
        }
        return TemplateResponse(request, "admin/tips/tip/answer.html", context)

    def start_draft_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_draft_permission(request):
            raise PermissionDenied
        return self._start_draft(request, get_object_or_404(Tip, pk=pk))

    def _start_draft(self, request, tip):
        """The button on a tip's page and the list action both come here."""
        if not tip.text.strip():
            self.message_user(
                request, _("This tip has no text to start a draft from (only a picture)."), messages.ERROR
            )
            return redirect("admin:tips_tip_change", tip.pk)
        draft = services.draft_from_tip(tip=tip, author=request.user)
        self.message_user(request, _("Draft clarification created from tip %(code)s.") % {"code": tip.code})
        return redirect("admin:clarifications_clarification_change", draft.pk)

    # --- actions -------------------------------------------------------------------------------

    @admin.action(description=_("Answer with a clarification…"), permissions=["change"])
    def answer_with_clarification(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:tips_tip_answer')}?ids={ids}")

    @admin.action(description=_("Mark as being reviewed"), permissions=["change"])
    def mark_reviewing(self, request, queryset):
        count = services.tips_mark_reviewing(tips=queryset)
        self.message_user(request, _("%(count)d tip(s) marked as being reviewed.") % {"count": count})

    @admin.action(description=_("Mark as duplicates of the first tip of their group"), permissions=["change"])
    def mark_duplicate(self, request, queryset):
        marked, skipped = services.tips_mark_duplicates(tips=queryset)
        self.message_user(request, _("%(marked)d tip(s) marked as duplicates.") % {"marked": marked})
        if skipped:
            self.message_user(
                request,
                _("%(skipped)d tip(s) left alone: each is the first report of its group.") % {"skipped": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Mark as not actionable"), permissions=["change"])
    def mark_not_actionable(self, request, queryset):
        count = services.tips_mark_not_actionable(tips=queryset)
        self.message_user(request, _("%(count)d tip(s) marked as not actionable.") % {"count": count})

    @admin.action(description=_("Start a draft clarification from this tip"), permissions=["draft"])
    def start_draft(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one tip to start a draft from."), messages.ERROR)
            return None
        return self._start_draft(request, queryset.get())

    @admin.action(description=_("Group the selected tips together"), permissions=["change"])
    def group_together(self, request, queryset):
        rumor = services.tips_group(tips=queryset)
        self.message_user(request, _("Tips grouped as “%(label)s”.") % {"label": rumor.label})

    @admin.action(description=_("Split the selected tips into a new group"), permissions=["change"])
    def split_off(self, request, queryset):
        rumor = services.tips_split(tips=queryset)
        self.message_user(request, _("Tips moved to the new group “%(label)s”.") % {"label": rumor.label})


class TipInline(admin.TabularInline):
    model = Tip
    fields = ["code_link", "excerpt", "status", "submitted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reference code"))
    def code_link(self, tip):
        return format_html('<a href="{}">{}</a>', reverse("admin:tips_tip_change", args=[tip.pk]), tip.code)

    @admin.display(description=_("what was seen"))
    def excerpt(self, tip):
        return Truncator(tip.text).chars(100)
