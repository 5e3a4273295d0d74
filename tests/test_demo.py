import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from clarifications.models import Clarification, Notice

pytestmark = pytest.mark.django_db


def test_load_demo_publishes_bilingual_clarifications_and_the_offices_notice():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    published = Clarification.objects.published()
    assert published.count() >= 30
    assert published.filter(language="en").exists()
    assert published.filter(language="zh-hans").exists()
    assert len(set(published.values_list("verdict", flat=True))) == 5
    assert Clarification.objects.exclude(pk__in=published).exists()  # drafts and a scheduled item for staff
    assert Notice.objects.published().filter(published_at__year=2022).exists()
    assert "Demo content loaded" in out.getvalue()


def test_load_demo_refuses_a_database_with_content_and_if_empty_does_nothing():
    call_command("load_demo", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("load_demo", stdout=io.StringIO())
    count = Clarification.objects.count()
    call_command("load_demo", if_empty=True, stdout=io.StringIO())
    assert Clarification.objects.count() == count


def test_load_demo_creates_the_admin_once_and_prints_the_password():
    out = io.StringIO()
    call_command("load_demo", create_admin=True, stdout=out)
    password = out.getvalue().split("password: ")[1].strip()
    assert get_user_model().objects.get(username="admin").check_password(password)
