"""What holds without the forms: the database's own rules, the site's settings, the admin's finding tools."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from clarifications.models import Clarification, Status

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "change",
    [
        {"verdict": "probably"},
        {"status": "archived"},
        {"language": "fr"},
        {"status": Status.PUBLISHED, "published_at": None},
        {"status": Status.WITHDRAWN, "published_at": None},
        {"image": "clarifications/2026/05/photo.png", "image_alt": ""},
    ],
    ids=["verdict", "status", "language", "published-without-time", "withdrawn-without-time", "image-without-alt"],
)
def test_the_database_refuses_a_clarification_that_breaks_its_rules(change):
    clarification = ClarificationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        # update() skips the model's validation: only the database's constraints stand in the way.
        Clarification.objects.filter(pk=clarification.pk).update(**change)


def test_the_site_name_is_the_one_configured(client, settings):
    settings.SITE_NAME = "Rumor Desk"
    page = client.get("/en/about/").text
    assert "Rumor Desk" in page


def test_times_are_shown_in_the_configured_time_zone(client, settings):
    clarification = ClarificationFactory(published_at=datetime(2026, 5, 20, 17, 30, tzinfo=UTC))
    page = client.get(clarification.get_absolute_url()).text
    assert 'datetime="2026-05-21T01:30:00+08:00"' in page  # Asia/Shanghai: the next day already
    settings.TIME_ZONE = "UTC"
    page = client.get(clarification.get_absolute_url()).text
    assert 'datetime="2026-05-20T17:30:00+00:00"' in page


def test_a_host_that_is_not_allowed_gets_400(client, settings):
    settings.ALLOWED_HOSTS = ["piyao.example.org"]
    assert client.get("/", HTTP_HOST="piyao.example.org").status_code == 200
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_staff_find_a_clarification_by_its_claim_or_external_id(client, publisher):
    wanted = ClarificationFactory(claim="网传自来水含有重金属", external_id="archive-77")
    other = ClarificationFactory(claim="网传地铁停运")
    client.force_login(publisher)
    for query in ("重金属", "archive-77"):
        page = client.get("/admin/clarifications/clarification/", {"q": query}).text
        assert wanted.title in page, query
        assert other.title not in page, query


def test_the_admin_s_date_drill_down_keeps_a_year_s_clarifications(client, publisher):
    old = ClarificationFactory(title="二〇二五年的澄清", published_at=datetime(2025, 3, 1, 2, 0, tzinfo=UTC))
    new = ClarificationFactory(title="二〇二六年的澄清", published_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    client.force_login(publisher)
    page = client.get("/admin/clarifications/clarification/", {"published_at__year": "2025"}).text
    assert old.title in page
    assert new.title not in page
