"""The Chinese admin speaks Chinese: no heading, column or label left in English, third-party apps
(django-axes, django-tasks-db) included."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tips.casework.tasks import send_answer_email

from .factories import UserFactory

pytestmark = pytest.mark.django_db

# Words that are the same in a Chinese interface: names, protocols, abbreviations.
NOT_ENGLISH = {"Piyao", "ID", "Id", "IP", "HTTP", "Accept", "GET", "POST", "SHA", "API", "RSS", "Atom"}
# What staff read as headings: page and section titles, app and model names, columns, filters, labels.
HEADINGS = {"title", "h1", "h2", "h3", "caption", "th", "label", "summary", "legend"}


class Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open, self.found = [], []

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 (HTMLParser's signature)
        if tag in HEADINGS:
            self.open.append(tag)
            self.found.append("")

    def handle_endtag(self, tag):
        if tag in HEADINGS and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.open:
            self.found[-1] += data


def english_headings(page, *, data=()):
    """The headings of ``page`` with an English word in them (the records' own text removed)."""
    parser = Headings()
    parser.feed(page)
    left = []
    for heading in parser.found:
        for text in data:
            heading = heading.replace(text, "")
        words = set(re.findall(r"[A-Za-z]{2,}", heading)) - NOT_ENGLISH
        if words:
            left.append(" ".join(heading.split()))
    return left


@pytest.fixture
def records(database_queue):
    """One row of each third-party table the admin shows."""
    AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/admin/login/",
        get_data="",
        post_data="username=someone",
        failures_since_start=2,
    )
    AccessFailureLog.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/admin/login/",
    )
    AccessLog.objects.create(
        username="chief",
        ip_address="192.0.2.2",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/admin/login/",
    )
    send_answer_email.enqueue(1, 1, "https://example.org")
    return [AccessAttempt, AccessFailureLog, AccessLog, DBTaskResult]


def test_the_chinese_admin_index_has_no_heading_left_in_english(client):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in page
    assert "任务队列" in page
    assert "登录尝试" in page
    assert "任务记录" in page
    assert english_headings(page) == []


def test_the_login_protection_and_task_pages_have_no_heading_left_in_english(client, records):
    client.force_login(UserFactory(username="chief", is_superuser=True))
    for model in records:
        opts = model._meta
        obj = model.objects.get()
        data = [str(obj), str(obj.pk), "Mozilla", "someone", "chief", "send_answer_email", "default"]
        pages = [
            reverse("admin:app_list", args=[opts.app_label]),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert english_headings(response.content.decode(), data=data) == [], url


def test_the_checker_finds_a_heading_left_in_english():
    assert english_headings("<table><caption>Tasks Database Backend</caption></table>") == ["Tasks Database Backend"]
    assert english_headings("<h2>登录保护</h2><th>IP 地址</th>") == []
