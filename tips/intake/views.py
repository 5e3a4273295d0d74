"""The citizen's pages of tips: the tip form, its receipt and the status page per tip code, and
"check a screenshot" (a picture read and matched against the public clarifications).

None of these pages is kept by the page cache. The form refuses an over-long body before reading it,
counts what costs the site against the client's rate limit (``core.ratelimit``) and hands the report
to ``receive.tip_submit``; a tip's status is looked up by its code alone, under a rate limit of its own.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from clarifications.models import Clarification
from clarifications.search import MAX_QUERY_CHARS, Strength, add_snippets, find_similar, rank
from core import ratelimit
from core.clients import client_hash, client_ip
from core.http import allowed_methods
from core.images import too_large
from core.storage import private_storage
from tips.intake.receive import tip_submit
from tips.models import TEXT_MAX_LENGTH, ReportStatus, ScreenshotCheck, ScreenshotReading, Tip, normalise_tip_code

from . import ocr, uploads
from .checks import remove_read_check_pictures
from .forms import ScreenshotCheckForm, TipForm
from .tasks import read_screenshot_check
from .wechat.storing import is_kept as kept_for_filing

# Room for the multipart envelope on top of the screenshot itself. The check form has nothing typed to
# give back, so a body larger than its one picture can be is refused unread.
FORM_OVERHEAD_BYTES = 256 * 1024
SUGGESTIONS = 5
KEPT_ON_RATE_LIMIT = ["text", "platform", "seen_on", "link", "contact_email"]

logger = logging.getLogger(__name__)


@allowed_methods("GET", "POST")
@csrf_exempt
def tip_new(request):
    """The tip form. A body too large even to read is refused before anything reads it, CSRF check included.

    (The CSRF middleware would otherwise parse the whole multipart body to find its token, so the
    size check has to come first; ``tip_form`` below applies the CSRF protection itself.) A smaller
    body whose screenshot is over the limit is read with the file's bytes dropped
    (``uploads.ScreenshotSizeGuard``): the form comes back with everything typed.
    """
    if request.method == "POST" and (length := _body_too_long(request)):
        # The same refusal as a too-large screenshot the form did read, sized from the body's length.
        form = TipForm()
        form.refuse_screenshot(too_large(length, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES))
        context = {"form": form, "suggest_url": reverse("clarifications:suggest"), "unread": True}
        return render(request, "tips/new.html", context, status=413)
    if request.method == "POST":
        guard = uploads.ScreenshotSizeGuard(request, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES)
        request.upload_handlers.insert(0, guard)
    return tip_form(request)


def _body_too_long(request, *, read_at_most=uploads.READ_AT_MOST_BYTES):
    """The body's declared length when it is more than ``read_at_most``, else 0."""
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        length = 0
    return length if length > read_at_most else 0


# Larger bodies than the site-wide limit still get the form's own answer above (core.middleware).
tip_new.checks_request_size = True


@csrf_protect
def tip_form(request):
    if request.method == "POST":
        try:
            return tip_receive(request)
        except (DatabaseError, OSError):
            # The database stayed locked past its busy timeout, the disk is full, ...: the citizen gets
            # the form back with what they wrote and is asked to try again; nothing half-written stays
            # (tip_submit removes its screenshot, and the private storage never leaves a partial file).
            logger.exception("A tip could not be stored; the form went back to the citizen")
            response = render(request, "tips/new.html", {**kept_form(request), "not_saved": True}, status=503)
            response["Retry-After"] = "60"
            return response
    form = TipForm()
    return render(request, "tips/new.html", {"form": form, "suggest_url": reverse("clarifications:suggest")})


@allowed_methods("POST")
@csrf_exempt  # it only renders the form (which carries its own token); the results page posting here has none
def tip_prefill(request):
    """The tip form with the text a visitor searched for and found no clarification of.

    Posted from the search results ("report this rumor"), so that a whole pasted message is carried
    whatever its length; nothing is stored or counted until the citizen sends the form itself. From a
    screenshot check (``check``: its id, the only way to its page), the picture comes too, lent to this
    browser like a screenshot of a form sent back (``uploads.lend``), while the check still holds it.
    """
    text = request.POST.get("text", "")[:TEXT_MAX_LENGTH]
    form = TipForm(initial={"text": text})
    context = {"form": form, "suggest_url": reverse("clarifications:suggest")}
    check = _check_with_picture(request.POST.get("check", ""))
    if check is not None:
        kept = uploads.lend(request, check.image, shown_name=_("the screenshot you checked"))
        context.update(kept=kept, from_check=True)
    return render(request, "tips/new.html", context)


def _check_with_picture(check_id):
    try:
        check = ScreenshotCheck.objects.filter(pk=check_id).exclude(image="").first() if check_id else None
    except ValidationError:  # not a UUID
        return None
    return check if check is not None and private_storage().exists(check.image) else None


def kept_form(request):
    """An empty form holding what the citizen wrote (and the screenshot already kept for it, if any)."""
    kept = {name: request.POST.get(name, "") for name in KEPT_ON_RATE_LIMIT}
    context = {"form": TipForm(initial=kept), "suggest_url": reverse("clarifications:suggest")}
    context["kept"] = uploads.kept_from(request, request.POST.get("kept_screenshot", ""))
    return context


def tip_receive(request):
    """Validate, count against the rate limit, store; a database or disk failure propagates.

    The limit counts what costs the site: an accepted report, and a screenshot that will be decoded
    (counted before decoding, whether the picture turns out valid or not). A form sent back for a
    mistake counts nothing, so a citizen correcting a typo three times is not locked out; a screenshot
    kept from such a form (``uploads``) was decoded once and is not decoded again.
    """
    client = client_hash(client_ip(request))
    if ratelimit.used_up("tips", client, rate=settings.TIPS_RATE):
        return rate_limited(request)
    upload = request.FILES.get("screenshot")
    # A file over the size limit is refused from its size alone, before any decoding: it costs nothing.
    decodes = upload is not None and upload.size <= settings.TIPS_MAX_UPLOAD_BYTES
    if decodes and not ratelimit.hit("tips", client, rate=settings.TIPS_RATE):
        return rate_limited(request)
    form = TipForm(request.POST, request.FILES)
    promised = request.POST.get("kept_screenshot", "") and not request.POST.get("remove_screenshot")
    kept = uploads.kept_from(request, request.POST.get("kept_screenshot", ""))
    if kept is not None and request.POST.get("remove_screenshot"):
        kept.discard()
        kept = None
    if not form.is_valid():
        return _sent_back(request, form, upload=upload, kept=kept)
    data = form.cleaned_data
    screenshot = data["screenshot"] or (kept.open() if kept is not None else None)
    # A report whose screenshot was counted above is not counted twice.
    if not decodes and not ratelimit.hit("tips", client, rate=settings.TIPS_RATE):
        return rate_limited(request)
    tip = tip_submit(
        text=data["text"],
        platform=data["platform"],
        seen_on=data["seen_on"],
        link=data["link"],
        screenshot=screenshot,
        contact_email=data["contact_email"],
        contact_consent=data["contact_consent"],
        client_hash=client,
        language=get_language(),
        site_url=request.build_absolute_uri("/"),
    )
    if kept is not None:
        kept.discard()  # stored with the tip, or replaced by the file chosen now
    messages.success(request, _("Thank you: your report has been received."))
    refused = request.POST.get("refused_screenshot", "")[: uploads.NAME_SHOWN_CHARS]
    if promised and screenshot is None:
        # The page said a picture was kept; it was not there any more (kept an hour): the receipt says so.
        messages.warning(
            request,
            _("It was sent without a screenshot: the one kept for you was no longer here (it is kept for an hour)."),
        )
    elif refused and screenshot is None:
        # Never silently without the picture the citizen meant to send: the receipt says so.
        messages.warning(
            request, _("It was sent without a screenshot: %(name)s could not be taken.") % {"name": refused}
        )
    if tip.status == ReportStatus.ANSWERED:
        # It joined a rumor group the office already answered: the answer is on this very page.
        messages.success(request, _("We have already clarified this rumor: our answer is below."))
    return redirect(tip)


def _sent_back(request, form, *, upload, kept):
    """The form again with its errors and all that was typed. A screenshot that passed its own checks is
    kept for the next submit (``uploads.keep``); one refused says so under its field, and its name rides
    along so that a report then sent without a screenshot says on its receipt that it has none."""
    picture = form.cleaned_data.get("screenshot")
    if picture is not None:
        if kept is not None:
            kept.discard()  # replaced by the file chosen now
        kept = uploads.keep(request, picture, shown_name=upload.name)
    refused = upload.name if upload is not None and form.has_error("screenshot") else ""
    context = {"form": form, "suggest_url": reverse("clarifications:suggest"), "kept": kept, "refused": refused}
    # A screenshot over the limit is "payload too large", as when the body is refused unread.
    status = 413 if form.has_error("screenshot", "too_large") else 200
    return render(request, "tips/new.html", context, status=status)


def rate_limited(request):
    """The form comes back with what the citizen wrote, so that waiting loses nothing."""
    return render(request, "tips/new.html", {**kept_form(request), "rate_limited": True}, status=429)


def lookup_allowed(request):
    """The status page and the code look-up allow ``TIPS_LOOKUP_RATE`` per client, so that nobody can
    try codes in bulk. A database that cannot count does not lock citizens out of their status."""
    try:
        return ratelimit.hit("tip-lookup", client_hash(client_ip(request)), rate=settings.TIPS_LOOKUP_RATE)
    except DatabaseError:
        logger.exception("The tip look-up limit could not be counted")
        return True


def lookup_refused(request, code=""):
    response = render(request, "tips/lookup.html", {"code": code, "rate_limited": True}, status=429)
    response["Retry-After"] = "60"
    return response


@allowed_methods("GET")
@never_cache
def tip_status(request, code):
    if not lookup_allowed(request):
        return lookup_refused(request)
    normalised = normalise_tip_code(code)
    tip = Tip.objects.select_related("duplicate_of").filter(code=normalised).first() if normalised else None
    if tip is None and normalised and kept_for_filing(normalised):
        # A WeChat message received while the database was locked: its tip is stored in a moment.
        return render(request, "tips/lookup.html", {"code": normalised, "kept": True})
    if tip is None:
        # The look-up page, not the site's 404 page: the citizen most likely mistyped their code.
        context = {"code": normalised or code, "invalid": normalised is None, "not_found": normalised is not None}
        return render(request, "tips/lookup.html", context, status=404)
    if normalised != code:
        return redirect(tip)
    answer_id = tip.clarification_id
    if tip.status == ReportStatus.DUPLICATE and tip.duplicate_of and tip.duplicate_of.status == ReportStatus.ANSWERED:
        answer_id = tip.duplicate_of.clarification_id
    answer = Clarification.objects.published(include_withdrawn=True).filter(pk=answer_id).first() if answer_id else None
    matches = []
    if not (answer or tip.is_closed):
        # Only what really matches: a receipt must not offer unrelated items as possible answers.
        matches = find_similar(
            tip.matching_text,
            queryset=Clarification.objects.published().for_cards(),
            limit=SUGGESTIONS,
            at_least=Strength.MATCH,
        )
    # A strong first match is shown as the answer card (templates/includes/answer_card.html).
    answer_first = bool(matches) and matches[0].match_strength == Strength.STRONG
    context = {
        "tip": tip,
        "answer": answer,
        "matches": matches,
        "answer_first": answer_first,
        "masked_email": masked_email(tip),
    }
    return render(request, "tips/status.html", context)


def masked_email(tip):
    """The address the answer will be sent to, recognisable to its owner only: ``c***@example.com``."""
    if not (tip.contact_email and tip.contact_consent):
        return ""
    local, _at, domain = tip.contact_email.rpartition("@")
    return f"{local[:1]}***@{domain}"


@allowed_methods("GET")
def tip_lookup(request):
    """``/tips/?code=...``: the citizen types their code and lands on its status page."""
    code = request.GET.get("code", "")
    if code and not lookup_allowed(request):
        return lookup_refused(request, code)
    normalised = normalise_tip_code(code) if code else None
    if normalised:
        return redirect("tips:status", code=normalised)
    return render(request, "tips/lookup.html", {"code": code, "invalid": bool(code)}, status=404 if code else 200)


# --- "Check a screenshot": a visitor's picture is read by the task queue and matched like a paste ----

CHECK_RESULTS = 10
CHECK_REFRESH_SECONDS = 2
CHECK_WAIT_COUNTED = timedelta(minutes=30)
# A picture not read by then (its task given up or lost, no worker running) is not waited for any more.
CHECK_GIVEN_UP = timedelta(minutes=5)


@allowed_methods("GET", "POST")
@csrf_exempt
def check_new(request):
    """The "check a screenshot" form; as for tips, an over-long body is refused before anything reads it
    (CSRF check included), and ``check_form`` applies the CSRF protection itself."""
    if request.method == "POST" and (length := _body_too_long(request, read_at_most=_check_body_limit())):
        form = ScreenshotCheckForm()
        form.refuse_screenshot(too_large(length, max_bytes=settings.TIPS_MAX_UPLOAD_BYTES))
        context = {"form": form, "ocr_available": ocr.status().available}
        return render(request, "tips/check_new.html", context, status=413)
    return check_form(request)


check_new.checks_request_size = True


def _check_body_limit():
    return min(settings.TIPS_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES, settings.MAX_REQUEST_BYTES)


@csrf_protect
@never_cache
def check_form(request):
    context = {"ocr_available": ocr.status().available}
    if request.method != "POST":
        return render(request, "tips/check_new.html", {**context, "form": ScreenshotCheckForm()})
    client = client_hash(client_ip(request))
    # One address may not fill the queue (tasks.py says why): its own checks first, then everyone's.
    waiting_already = _waiting_checks().filter(client_hash=client).count()
    if waiting_already >= settings.SCREENSHOT_CHECK_MAX_WAITING_PER_CLIENT:
        context.update(form=ScreenshotCheckForm(), waiting_already=waiting_already)
        response = render(request, "tips/check_new.html", context, status=429)
        response["Retry-After"] = "30"
        return response
    # The queue is bounded: a visitor is told to come back rather than wait for minutes.
    if _checks_waiting() >= settings.SCREENSHOT_CHECK_MAX_WAITING:
        response = render(request, "tips/check_busy.html", status=503)
        response["Retry-After"] = "120"
        return response
    # Counted before decoding, whether the picture turns out valid or not, like a tip's screenshot.
    if not ratelimit.hit("screenshot-check", client, rate=settings.SCREENSHOT_CHECK_RATE):
        response = render(
            request, "tips/check_new.html", {**context, "form": ScreenshotCheckForm(), "rate_limited": True}, status=429
        )
        response["Retry-After"] = "60"
        return response
    form = ScreenshotCheckForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "tips/check_new.html", {**context, "form": form})
    try:
        check = check_submit(form.cleaned_data["screenshot"], client=client)
    except (DatabaseError, OSError):
        logger.exception("A screenshot check could not be stored")
        response = render(
            request, "tips/check_new.html", {**context, "form": ScreenshotCheckForm(), "not_saved": True}, status=503
        )
        response["Retry-After"] = "60"
        return response
    return redirect("tips:check_result", pk=check.pk)


def check_submit(picture, *, client=""):
    """Store the (already re-encoded) picture privately and queue its reading; returns the check."""
    remove_read_check_pictures()
    name = private_storage().save(f"checks/{picture.name}", picture)
    try:
        with transaction.atomic():
            check = ScreenshotCheck.objects.create(image=name, client_hash=client)
            transaction.on_commit(lambda: read_screenshot_check.enqueue(str(check.pk)))
    except Exception:
        private_storage().delete(name)
        raise
    return check


@allowed_methods("GET")
@never_cache
def check_result(request, pk):
    """Progress until the picture is read (meta refresh, or the script polling ``?progress``), then the
    text read and the clarifications it matches, presented like a pasted message's search."""
    check = get_object_or_404(ScreenshotCheck, pk=pk)
    given_up = check.created_at < timezone.now() - CHECK_GIVEN_UP
    pending = check.reading == ScreenshotReading.PENDING and not given_up
    if "progress" in request.GET:
        return JsonResponse({"done": not pending})
    if pending:
        context = {"check": check, "refresh": CHECK_REFRESH_SECONDS, "ahead": _checks_ahead(check)}
        return render(request, "tips/check_progress.html", context)
    context = {"check": check}
    if check.reading == ScreenshotReading.READ and check.text.strip():
        context.update(_matches(check.text))
    return render(request, "tips/check_result.html", context)


def _waiting_checks():
    """Pictures sent and not read yet; one whose task was lost stops counting after CHECK_WAIT_COUNTED."""
    recent = timezone.now() - CHECK_WAIT_COUNTED
    return ScreenshotCheck.objects.filter(reading=ScreenshotReading.PENDING, created_at__gte=recent)


def _checks_waiting():
    return _waiting_checks().count()


def _checks_ahead(check):
    return _waiting_checks().filter(created_at__lt=check.created_at).count()


def _matches(text):
    """The list view's presentation of a pasted message: the ranking of ``clarifications.search`` and
    the notice of ``includes/match_notice.html`` (strong match, or none with "report this rumor")."""
    truncated = len(text) > MAX_QUERY_CHARS
    query = text[:MAX_QUERY_CHARS]
    published = Clarification.objects.published().for_cards()
    ranking = rank(published, query)
    results = add_snippets(list(ranking.apply(published)[:CHECK_RESULTS]), ranking.highlight)
    match = ranking.notice()
    first_related = next((i for i, item in enumerate(results) if item.search_strength == Strength.RELATED), None)
    return {
        "results": results,
        "match": match,
        "first_related": first_related,
        "truncated": truncated,
        # match_notice.html carries the searched text into "report this rumor".
        "filter": {"search_query": query},
    }
