"""Every public page type is valid HTML: html-validate (npm, like axe-core) with its ``document`` preset.

The pages are rendered with realistic content (Markdown body with a table, sources, updates, related
items, a withdrawn page, form errors, a 404) and checked in one run of html-validate. The rules are in
``.htmlvalidate.json``: ``standard`` plus ``document``, without the two rules about how source files
are typed (DOCTYPE case, trailing spaces), which say nothing about the HTML a browser receives, and
with subresource integrity required only from other origins (the site loads nothing from them).
Without html-validate installed the test is skipped with the reason, except under CI, where it fails.
"""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clarifications.models import DailyViews

from .factories import ClarificationFactory, NoticeFactory, SourceFactory, TipFactory, TopicFactory, UpdateFactory
from .tips_images import upload

pytestmark = [pytest.mark.django_db, pytest.mark.subprocess]

HTML_VALIDATE = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "html-validate"
BODY = """## 核实情况

经向**地铁集团**核实，2号线运营正常。

| 日期 | 安排 |
| --- | --- |
| 3月16日 | 夜间检修 |

- 以官方公告为准
- 勿转发未核实的截图

[地铁集团公告](https://metro.example.cn/n/1)
"""


@pytest.fixture
def html_validate():
    if not HTML_VALIDATE.exists():
        message = "html-validate is not installed (node_modules missing): run `npm ci` or `make test`."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return HTML_VALIDATE


def test_every_public_page_type_is_valid_html(client, html_validate, tmp_path):
    topic = TopicFactory(name="交通出行", name_en="Transport")
    clarification = ClarificationFactory(body=BODY, topics=[topic], claim_seen_on="2024-03-11", region="浦东新区")
    SourceFactory(clarification=clarification, title="停运公告", publisher="市交通委员会", date="2024-03-11")
    UpdateFactory(clarification=clarification, note="补充了说明。")
    ClarificationFactory(topics=[topic], language="en", title="Subway closure claim is false")
    withdrawn = ClarificationFactory(withdrawn=True)
    notice = NoticeFactory()
    answered = TipFactory(status="answered", clarification=clarification)
    suggested = TipFactory(text=clarification.claim)  # open, its first suggestion is the answer card
    from tips.models import ScreenshotCheck

    waiting = ScreenshotCheck.objects.create()
    checked = ScreenshotCheck.objects.create(reading="read", text=clarification.claim)
    unmatched = ScreenshotCheck.objects.create(reading="read", text="下周全市中小学放假两周", image="checks/seen.png")
    received = TipFactory(with_contact=True, screenshot="tips/seen.png", seen_on="2026-12-05")
    DailyViews.objects.create(clarification=clarification, day=timezone.localdate(), views=3)
    pages = {
        "home": "/",
        "home-en": "/en/",
        "list": reverse("clarifications:list"),
        "search": reverse("clarifications:list") + "?q=地铁&verdict=false&sort=-published",
        "answer": reverse("clarifications:list") + "?" + urlencode({"q": clarification.claim}),
        "filter-errors": reverse("clarifications:list") + "?published_after=yesterday&verdict=nonsense",
        "detail": clarification.get_absolute_url(),
        "detail-en": "/en" + clarification.get_absolute_url(),
        "withdrawn": withdrawn.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "notices": reverse("clarifications:notices"),
        "most-asked": reverse("home:most_asked"),
        "notice": notice.get_absolute_url(),
        "about": reverse("clarifications:about"),
        "how-to-report": reverse("clarifications:how_to_report"),
        "privacy": reverse("clarifications:privacy"),
        "open-data": reverse("opendata:index"),
        "open-data-en": "/en" + reverse("opendata:index"),
        "tip-form": reverse("tips:new"),
        "tip-lookup": reverse("tips:lookup"),
        "tip-status": reverse("tips:status", args=[answered.code]),
        "tip-status-received": reverse("tips:status", args=[received.code]),
        "tip-receipt-answer": reverse("tips:status", args=[suggested.code]),
        "check-form": reverse("tips:check"),
        "check-progress": reverse("tips:check_result", args=[waiting.pk]),
        "check-result": reverse("tips:check_result", args=[checked.pk]),
        "check-no-match": reverse("tips:check_result", args=[unmatched.pk]),
        "not-found": "/no-such-page/",
    }
    for name, path in pages.items():
        response = client.get(path)
        if name in ("answer", "check-result", "tip-receipt-answer"):
            assert b'class="answer-card' in response.content, f"{name} has no answer card"
        assert response.status_code in (200, 404), f"{path} answered {response.status_code}"
        (tmp_path / f"{name}.html").write_bytes(response.content)
    response = client.post(reverse("tips:new"), {"text": ""})
    (tmp_path / "tip-form-errors.html").write_bytes(response.content)
    # A screenshot kept across a mistake, and one refused.
    response = client.post(reverse("tips:new"), {"text": "停", "platform": "weibo", "screenshot": upload("shot.png")})
    (tmp_path / "tip-form-kept.html").write_bytes(response.content)
    response = client.post(reverse("tips:new"), {"text": "停", "screenshot": upload("bad.png", b"not a picture")})
    (tmp_path / "tip-form-refused.html").write_bytes(response.content)

    config = Path(settings.BASE_DIR) / ".htmlvalidate.json"
    files = sorted(str(path) for path in tmp_path.glob("*.html"))
    result = subprocess.run(
        [str(html_validate), "--config", str(config), "--formatter", "text", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
