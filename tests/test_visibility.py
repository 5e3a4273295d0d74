"""Drafts, items in review and scheduled items appear on no public page; withdrawn ones only at their URL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clarifications.models import Clarification, Notice

from .factories import ClarificationFactory, NoticeFactory, TopicFactory

pytestmark = pytest.mark.django_db

HIDDEN_KINDS = ["draft", "in_review", "scheduled", "withdrawn"]


@pytest.fixture
def topic():
    return TopicFactory(name="供水", name_en="Water")


@pytest.fixture
def visible(topic):
    return ClarificationFactory(title="可见的澄清", topics=[topic])


def listing_urls(topic):
    return [
        reverse("home:index"),
        reverse("clarifications:list"),
        reverse("clarifications:list") + "?q=澄清",
        reverse("clarifications:topic", args=[topic.slug]),
    ]


@pytest.mark.parametrize("kind", [*HIDDEN_KINDS, "visible"])
def test_one_loaded_clarification_is_public_exactly_when_the_public_queryset_holds_it(kind):
    clarification = ClarificationFactory(**({kind: True} if kind != "visible" else {}))
    listed = Clarification.objects.published().filter(pk=clarification.pk).exists()
    assert clarification.is_public == listed == (kind == "visible")
    scheduled = Clarification.objects.scheduled().filter(pk=clarification.pk).exists()
    assert clarification.is_scheduled == scheduled == (kind == "scheduled")


def test_a_scheduled_notice_is_neither_public_nor_lost():
    shown = NoticeFactory(title="已发布的通告")
    later = NoticeFactory(title="定时通告", published_at=timezone.now() + timedelta(days=1))
    NoticeFactory(title="未发布的通告", is_published=False)
    assert list(Notice.objects.published()) == [shown]
    assert list(Notice.objects.scheduled()) == [later]


@pytest.mark.parametrize("kind", HIDDEN_KINDS)
def test_hidden_kinds_are_listed_nowhere(client, topic, visible, kind):
    hidden = ClarificationFactory(title=f"隐藏的澄清{kind}", topics=[topic], **{kind: True})
    for url in listing_urls(topic):
        page = client.get(url).content.decode()
        assert visible.title in page, url
        assert hidden.title not in page, url
    related = client.get(visible.get_absolute_url()).content.decode()
    assert hidden.title not in related


@pytest.mark.parametrize("kind", ["draft", "in_review", "scheduled"])
def test_unpublished_detail_pages_are_not_found(client, kind):
    hidden = ClarificationFactory(**{kind: True})
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_withdrawn_clarification_stays_at_its_url_with_the_note(client):
    withdrawn = ClarificationFactory(withdrawn=True, withdrawal_note="后续调查推翻了原结论。")
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 200
    assert "后续调查推翻了原结论。" in response.content.decode()


def test_scheduled_clarification_appears_once_its_time_comes(client, time_machine):
    scheduled = ClarificationFactory(scheduled=True)
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    time_machine.move_to(scheduled.published_at, tick=False)
    assert client.get(scheduled.get_absolute_url()).status_code == 200
    assert scheduled.title in client.get(reverse("clarifications:list")).content.decode()


def test_published_queryset_is_the_one_rule():
    shown = ClarificationFactory()
    for kind in HIDDEN_KINDS:
        ClarificationFactory(**{kind: True})
    assert list(Clarification.objects.published()) == [shown]
    assert Clarification.objects.published(include_withdrawn=True).count() == 2
