"""Personal data of closed tips is purged after TIPS_PERSONAL_DATA_DAYS; open tips keep theirs."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from core.models import RateLimitCounter
from tips.models import ReportStatus

from .factories import ClarificationFactory, TipFactory

pytestmark = pytest.mark.django_db


def purge(**options):
    out = StringIO()
    call_command("purge_tip_personal_data", stdout=out, **options)
    return out.getvalue()


def test_closed_tips_lose_contact_and_address_hash_after_the_period(settings):
    settings.TIPS_PERSONAL_DATA_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    answered = TipFactory(
        with_contact=True, status=ReportStatus.ANSWERED, clarification=ClarificationFactory(), closed_at=long_ago
    )
    rejected = TipFactory(with_contact=True, status=ReportStatus.NOT_ACTIONABLE, closed_at=long_ago)
    recent = TipFactory(
        with_contact=True, status=ReportStatus.NOT_ACTIONABLE, closed_at=timezone.now() - timedelta(days=3)
    )
    still_open = TipFactory(with_contact=True, submitted_at=long_ago)

    output = purge()

    assert "Purged personal data of 2 tip(s) closed more than 30 days ago" in output
    for tip in (answered, rejected):
        tip.refresh_from_db()
        assert tip.contact_email == ""
        assert tip.client_hash == ""
        assert tip.contact_consent is False
        assert tip.personal_data_purged_at is not None
        assert tip.text  # the report itself stays
    for tip in (recent, still_open):
        tip.refresh_from_db()
        assert tip.contact_email == "citizen@example.com"
        assert tip.client_hash


def test_the_days_can_be_given_on_the_command_line():
    TipFactory(with_contact=True, status=ReportStatus.NOT_ACTIONABLE, closed_at=timezone.now() - timedelta(days=8))
    assert "of 0 tip(s)" in purge(days=10)
    assert "of 1 tip(s)" in purge(days=7)
    assert "of 0 tip(s)" in purge(days=7)


def test_finished_rate_limit_windows_are_removed():
    RateLimitCounter.objects.create(key="old", count=3, expires_at=timezone.now() - timedelta(minutes=1))
    RateLimitCounter.objects.create(key="current", count=1, expires_at=timezone.now() + timedelta(minutes=1))
    assert "removed 1 finished rate-limit window(s)" in purge()
    assert list(RateLimitCounter.objects.values_list("key", flat=True)) == ["current"]


def test_the_database_refuses_an_address_without_consent():
    with pytest.raises(IntegrityError):
        TipFactory(contact_email="someone@example.com", contact_consent=False)
