"""The rules every transition keeps: four eyes, the publish checklist, the order of states, the clock."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from clarifications import services
from clarifications.models import Clarification, Status
from clarifications.services import TransitionRefused

from .factories import ClarificationFactory, SourceFactory, UpdateFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


SHANGHAI = ZoneInfo("Asia/Shanghai")


def in_review(author, *, sources=1, **kwargs):
    clarification = ClarificationFactory(in_review=True, author=author, **kwargs)
    for _ in range(sources):
        SourceFactory(clarification=clarification)
    return clarification


def refusal(function, **kwargs):
    with pytest.raises(TransitionRefused) as refused:
        function(**kwargs)
    return str(refused.value.message)


# --- Four-eyes rule ------------------------------------------------------------------------------


def test_a_publisher_cannot_publish_what_they_wrote(publisher):
    clarification = in_review(publisher)
    message = refusal(services.publish, clarification=clarification, user=publisher)
    assert message == "Four-eyes rule: you wrote this clarification, so another publisher must publish it."
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW


def test_the_four_eyes_rule_binds_superusers_too(superuser):
    clarification = in_review(superuser)
    assert "Four-eyes rule" in refusal(services.publish, clarification=clarification, user=superuser)


def test_a_one_person_office_can_relax_the_four_eyes_rule(settings, publisher):
    settings.PIYAO_FOUR_EYES = False
    clarification = in_review(publisher)
    services.publish(clarification=clarification, user=publisher)
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED


def test_another_publisher_may_publish_the_authors_draft(publisher, author):
    clarification = in_review(author)
    services.publish(clarification=clarification, user=publisher)
    assert Clarification.objects.get(pk=clarification.pk).reviewer == publisher


def edited_by(user, instance, **changes):
    """A save as the admin makes it: the history records ``user`` as the one who changed it."""
    for name, value in changes.items():
        setattr(instance, name, value)
    instance._history_user = user
    instance.save()


def test_a_publisher_who_rewrote_someone_elses_draft_cannot_publish_it(publisher, author):
    clarification = in_review(author)
    edited_by(publisher, clarification, truth="改写后的真相。")
    message = refusal(services.publish, clarification=clarification, user=publisher)
    assert message.startswith("Four-eyes rule: you made the last change to its content")
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW


def test_changing_only_the_evidence_counts_as_a_change_to_the_content(publisher, author):
    clarification = in_review(author)
    edited_by(publisher, clarification.sources.get(), title="另一份说明")
    assert "last change to its content" in refusal(services.publish, clarification=clarification, user=publisher)


def test_an_imported_draft_without_author_edited_by_one_publisher_alone_cannot_be_published_by_them(publisher):
    clarification = in_review(None)
    edited_by(publisher, clarification, claim="网传：改写过的说法")
    # A later change made outside any request (a re-import) does not make the publisher a second pair of eyes.
    edited_by(None, clarification, region="浦东新区")
    assert "Four-eyes rule" in refusal(services.publish, clarification=clarification, user=publisher)


def test_another_publisher_may_publish_after_a_publishers_rewrite(publisher, author, staff_groups):
    clarification = in_review(author)
    edited_by(publisher, clarification, truth="改写后的真相。")
    second = UserFactory(username="second-publisher")
    second.groups.add(staff_groups["Publisher"])
    services.publish(clarification=clarification, user=second)
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED


def test_moving_a_draft_through_review_is_no_change_to_its_content(publisher, author):
    clarification = in_review(author)
    services.return_to_draft(clarification=clarification, user=publisher)
    services.submit_for_review(clarification=clarification, user=publisher)
    services.publish(clarification=clarification, user=publisher)
    assert Clarification.objects.get(pk=clarification.pk).reviewer == publisher


# --- Publish checklist ---------------------------------------------------------------------------


def test_publishing_without_a_source_is_refused_and_says_so(publisher, author):
    clarification = in_review(author, sources=0)
    message = refusal(services.publish, clarification=clarification, user=publisher)
    assert message == "It cannot be published yet. Missing: at least one evidence source."
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW


def test_the_checklist_names_every_missing_part(publisher, author):
    # (A missing verdict cannot even be stored: a check constraint allows only the five verdicts.)
    clarification = in_review(author, sources=0, claim="  ", truth="")
    message = refusal(services.publish, clarification=clarification, user=publisher)
    assert message == "It cannot be published yet. Missing: the claim, the truth, at least one evidence source."
    stored = Clarification.objects.get(pk=clarification.pk)
    assert (stored.status, stored.published_at) == (Status.IN_REVIEW, None)


def test_scheduling_keeps_the_checklist_too(publisher, author):
    clarification = in_review(author, sources=0)
    at = timezone.now() + timedelta(days=1)
    assert "Missing" in refusal(services.publish, clarification=clarification, user=publisher, at=at)


# --- Order of states -----------------------------------------------------------------------------


def test_a_draft_cannot_skip_review(publisher, author):
    clarification = ClarificationFactory(draft=True, author=author)
    SourceFactory(clarification=clarification)
    message = refusal(services.publish, clarification=clarification, user=publisher)
    assert message == "Only a clarification in review (or one still scheduled) can be published; it is draft."


def test_only_drafts_are_submitted_and_only_reviews_return_to_draft(editor, author):
    in_review_already = in_review(author)
    assert refusal(services.submit_for_review, clarification=in_review_already, user=editor) == (
        "Only a draft can be submitted for review."
    )
    draft = ClarificationFactory(draft=True, author=author)
    assert refusal(services.return_to_draft, clarification=draft, user=editor) == (
        "Only a clarification in review can go back to draft."
    )


def test_a_public_clarification_is_withdrawn_not_unpublished(publisher, author):
    clarification = ClarificationFactory(author=author)
    message = refusal(services.unpublish, clarification=clarification, user=publisher)
    assert message == "It is already public, so it cannot be unpublished: withdraw it with a public note instead."
    assert Clarification.objects.published().filter(pk=clarification.pk).exists()


def test_a_withdrawal_needs_a_note(publisher, author):
    clarification = ClarificationFactory(author=author)
    assert refusal(services.withdraw, clarification=clarification, user=publisher, note="   ") == (
        "A withdrawal needs a public note saying why."
    )
    assert Clarification.objects.get(pk=clarification.pk).status == Status.PUBLISHED


def test_a_scheduled_clarification_is_unpublished_not_withdrawn(publisher, author):
    clarification = ClarificationFactory(scheduled=True, author=author)
    assert refusal(services.withdraw, clarification=clarification, user=publisher, note="x") == (
        "It is not public yet: unpublish it instead of withdrawing it."
    )
    services.unpublish(clarification=clarification, user=publisher)
    stored = Clarification.objects.get(pk=clarification.pk)
    assert (stored.status, stored.published_at) == (Status.IN_REVIEW, None)


def test_a_schedule_in_the_past_is_refused(publisher, author):
    clarification = in_review(author)
    at = timezone.now() - timedelta(minutes=1)
    assert refusal(services.publish, clarification=clarification, user=publisher, at=at) == (
        "A scheduled time must be in the future; to publish at once, publish now."
    )


# --- Scheduling: visible exactly when the time comes ---------------------------------------------


def test_a_scheduled_clarification_appears_exactly_at_its_time(client, time_machine, publisher, author):
    time_machine.move_to(datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    clarification = in_review(author, title="网传地铁停运不实")
    at = datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)
    services.publish(clarification=clarification, user=publisher, at=at)
    clarification.refresh_from_db()
    assert clarification.is_scheduled
    home = reverse("home:index")

    time_machine.move_to(at - timedelta(seconds=1), tick=False)
    assert "网传地铁停运不实" not in client.get(home).content.decode()
    assert client.get(clarification.get_absolute_url()).status_code == 404

    time_machine.move_to(at, tick=False)
    assert "网传地铁停运不实" in client.get(home).content.decode()
    assert client.get(clarification.get_absolute_url()).status_code == 200


def test_a_scheduled_clarification_can_be_published_at_once(publisher, author):
    clarification = in_review(author)
    services.publish(clarification=clarification, user=publisher, at=timezone.now() + timedelta(days=3))
    services.publish(clarification=clarification, user=publisher)
    assert Clarification.objects.published().filter(pk=clarification.pk).exists()


# --- Withdrawal and corrections on the public page -----------------------------------------------


def test_a_withdrawn_clarification_shows_its_note_at_its_url_and_is_listed_nowhere(client, publisher, author):
    clarification = ClarificationFactory(author=author, title="网传某药可治愈流感")
    services.withdraw(clarification=clarification, user=publisher, note="新的研究结果推翻了原结论。")
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert 'class="withdrawn-note' in page
    assert "新的研究结果推翻了原结论。" in page
    assert "网传某药可治愈流感" not in client.get(reverse("clarifications:list")).content.decode()


def test_a_withdrawn_page_leads_with_the_withdrawal_and_its_date_not_the_old_verdict_badge(
    client, publisher, author, time_machine
):
    time_machine.move_to(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI), tick=False)
    clarification = ClarificationFactory(
        author=author, verdict="false", published_at=datetime(2026, 5, 1, tzinfo=SHANGHAI)
    )
    services.withdraw(clarification=clarification, user=publisher, note="新的研究结果推翻了原结论。")
    page = client.get(clarification.get_absolute_url()).content.decode()
    text = " ".join(strip_tags(page).split())
    assert "Withdrawn on 6 May 2026" in text
    assert 'class="verdict verdict-false"' not in page
    assert "Its verdict before the withdrawal: False" in text


def test_a_correction_shows_on_the_public_page_and_moves_the_updated_date(client, time_machine):
    time_machine.move_to(datetime(2026, 4, 10, 12, 0, tzinfo=SHANGHAI), tick=False)
    clarification = ClarificationFactory(published_at=datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI))
    assert clarification.public_modified_at == clarification.published_at
    UpdateFactory(
        clarification=clarification,
        date=datetime(2026, 4, 9, 15, 0, tzinfo=SHANGHAI),
        note="更正：停水区域仅限浦东新区部分街道。",
    )
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert "更正：停水区域仅限浦东新区部分街道。" in page
    assert 'datetime="2026-04-09T15:00:00+08:00"' in page
    refreshed = Clarification.objects.get(pk=clarification.pk)
    assert refreshed.public_modified_at == datetime(2026, 4, 9, 15, 0, tzinfo=SHANGHAI)


def test_due_for_review_means_published_with_its_date_reached(time_machine, author):
    time_machine.move_to(datetime(2026, 5, 20, 9, 0, tzinfo=SHANGHAI), tick=False)
    due = ClarificationFactory(review_by=date(2026, 5, 20))
    ClarificationFactory(review_by=date(2026, 5, 21))
    ClarificationFactory(draft=True, review_by=date(2026, 5, 1))
    assert list(Clarification.objects.due_for_review()) == [due]
