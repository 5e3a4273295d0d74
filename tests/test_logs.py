"""The logs answer "who did this, when, from where": one structured line per action, with a request id."""

import io
import json
import logging

import pytest
from django.urls import reverse

from clarifications.archive import import_lines
from core.logs import JsonFormatter, RequestContextFilter, TextFormatter
from core.redaction import RedactingFilter, redact_identifiers
from tips.casework import lifecycle
from tips.models import ReportStatus, Tip

from .factories import ClarificationFactory, SourceFactory, TipFactory, UserFactory

pytestmark = pytest.mark.django_db


def capture(formatter):
    """A handler configured as settings.LOGGING configures the console's; returns the stream it writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(formatter)
    return stream, handler


@pytest.fixture
def json_log():
    stream, handler = capture(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def events(lines, name):
    return [line for line in lines if line.get("event") == name]


def test_publishing_logs_who_published_what_when_and_from_where(client, publisher, author, json_log):
    clarification = ClarificationFactory(in_review=True, author=author)
    SourceFactory(clarification=clarification)
    client.force_login(publisher)
    url = reverse("admin:clarifications_clarification_transition", args=[clarification.pk, "publish"])
    client.post(url, {"apply": "yes"}, REMOTE_ADDR="203.0.113.9")  # the confirmation page's "Yes, publish now"
    [line] = events(json_log(), "clarification.published")
    assert line["id"] == clarification.pk
    assert line["user"] == "publisher"
    assert line["client"] == "203.0.113.9"
    assert line["time"]
    assert line["published_at"]
    assert len(line["request_id"]) == 16


def test_a_trusted_proxy_s_request_id_joins_its_lines_to_the_site_s(client, publisher, json_log, settings):
    clarification = ClarificationFactory()
    client.force_login(publisher)
    url = reverse("admin:clarifications_clarification_transition", args=[clarification.pk, "withdraw"])
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        url, {"apply": "yes", "note": "撤回"}, HTTP_X_REQUEST_ID="proxy-42", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    [line] = events(json_log(), "clarification.withdrawn")
    assert (line["request_id"], line["client"]) == ("proxy-42", "198.51.100.7")


def test_a_client_s_own_request_id_is_not_believed_without_a_trusted_proxy(client, publisher, json_log):
    clarification = ClarificationFactory(in_review=True)
    client.force_login(publisher)
    url = reverse("admin:clarifications_clarification_transition", args=[clarification.pk, "return_to_draft"])
    client.post(url, HTTP_X_REQUEST_ID="forged")
    [line] = events(json_log(), "clarification.returned_to_draft")
    assert line["request_id"] != "forged"


def test_a_rate_limit_refusal_is_logged_without_the_citizen_s_address(client, settings, json_log):
    settings.TIPS_RATE = "1/10m"
    for _ in range(2):
        client.post(
            "/tips/new/", {"text": "群里说明天全市停水三天", "platform": "wechat_group"}, REMOTE_ADDR="192.0.2.5"
        )
    lines = json_log()
    [refusal] = events(lines, "request.refused")
    assert (refusal["status"], refusal["path"]) == (429, "/tips/new/")
    [received] = events(lines, "tip.received")
    assert received["code"] == Tip.objects.get().code
    assert "192.0.2.5" not in json.dumps(lines)


def test_tip_status_changes_and_imports_are_logged(json_log):
    tip = TipFactory()
    lifecycle.apply(tip, "close", user=UserFactory(is_superuser=True))
    import_lines(["not json"])
    lines = json_log()
    [closed] = events(lines, "report.close")
    assert (closed["reference"], closed["was"], closed["status"]) == (tip.code, "new", ReportStatus.NOT_ACTIONABLE)
    [imported] = events(lines, "clarifications.imported")
    assert (imported["created"], imported["skipped"]) == (0, 1)
    assert closed["request_id"] == "-"  # not in a request


def test_an_error_is_one_json_line_with_its_traceback_and_request_id(json_log):
    logger = logging.getLogger("piyao.test")
    try:
        raise RuntimeError("disk full")
    except RuntimeError:
        logger.exception("Could not save")
    [line] = json_log()
    assert line["message"] == "Could not save"
    assert "RuntimeError: disk full" in line["exception"]


def test_the_text_format_is_one_readable_line_with_the_fields():
    stream, handler = capture(TextFormatter())
    logger = logging.getLogger("piyao.test.text")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "tip.status_changed", extra={"event": "tip.status_changed", "fields": {"code": "AB12", "note": "两 个"}}
        )
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    line = stream.getvalue()
    assert line.count("\n") == 1
    assert 'WARNING piyao.test.text [-] tip.status_changed code=AB12 note="两 个"' in line


# --- identifiers never logged -------------------------------------------------------------------------

OPENID = "oSecretOpenId_0123456789abcd"


def test_the_site_log_handlers_redact_openids(settings):
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    stream, handler = capture(TextFormatter())
    logger = logging.getLogger("piyao.test.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: %s", f"/wechat/?signature=ab&openid={OPENID}&nonce=1")
        logger.warning("quoted", extra={"event": "x", "fields": {"url": f"/next?u=%2Fwechat%2F%3Fopenid%3D{OPENID}"}})
    finally:
        logger.removeHandler(handler)
    assert OPENID not in stream.getvalue()
    assert "openid=[redacted]&nonce=1" in stream.getvalue()


def test_redaction_leaves_other_parameters_alone():
    assert redact_identifiers("/x/?OpenID=abc&myopenid=keep&unionid=u1") == (
        "/x/?OpenID=[redacted]&myopenid=keep&unionid=[redacted]"
    )
    assert redact_identifiers("/clarifications/?q=openid") == "/clarifications/?q=openid"


@pytest.mark.subprocess
def test_gunicorns_access_and_error_logs_never_carry_a_wechat_senders_openid(tmp_path):
    """Through a real gunicorn: WeChat forwards every message as POST /wechat/?...&openid=<OpenID>."""
    import subprocess
    import sys
    import time
    import urllib.request

    from .servers import REPO, site_environment, start_gunicorn, stop_gunicorn
    from .wechat_simulator import TOKEN, WeChat, xml_message

    access_log, error_log = tmp_path / "access.log", tmp_path / "gunicorn.log"
    environment = site_environment(
        tmp_path, GUNICORN_ACCESS_LOG=str(access_log), LOG_LEVEL="INFO", WECHAT_TOKEN=TOKEN, WEB_CONCURRENCY="1"
    )
    # Migrations only: nothing here renders a page with static files.
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=environment, check=True)
    process, base_url = start_gunicorn(environment, log_path=error_log)
    try:
        wechat = WeChat(None, openid=OPENID)
        query = "&".join(f"{key}={value}" for key, value in wechat.query(openid=OPENID).items())
        body = xml_message("text", openid=OPENID, msg_id=99, Content="群里说明天全市停水三天").encode()
        request = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base_url}/wechat/?{query}", data=body, headers={"Content-Type": "text/xml"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own server)
            assert response.status == 200
        # A refused one too (bad signature), which the site logs as a refusal.
        refused = urllib.request.Request(  # noqa: S310 (our own server)
            f"{base_url}/wechat/?signature=0&timestamp=1&nonce=1&openid={OPENID}", data=body
        )
        with pytest.raises(urllib.error.HTTPError) as refusal:
            urllib.request.urlopen(refused, timeout=30)  # noqa: S310
        assert refusal.value.code == 403
    finally:
        stop_gunicorn(process)
    deadline = time.monotonic() + 5
    while access_log.read_text().count("/wechat/") < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    access = access_log.read_text()
    assert access.count("openid=[redacted]") == 2, access
    assert OPENID not in access
    assert OPENID not in error_log.read_text()
