"""Each staff role against each transition: what it may do, and the message when it may not."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clarifications import services
from clarifications.models import Clarification, Status
from clarifications.services import TransitionRefused

from .factories import ClarificationFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def codenames(group):
    return {permission.codename for permission in group.permissions.all()}


def test_the_migration_gives_each_group_exactly_its_permissions(staff_groups):
    editor = codenames(staff_groups["Editor"])
    publisher = codenames(staff_groups["Publisher"])
    assert {"add_clarification", "change_clarification", "view_clarification", "add_source", "add_update"} <= editor
    assert {"add_topic", "change_topic", "view_notice"} <= editor
    assert not any("publish" in codename for codename in editor)
    assert not any(codename.startswith("delete_") and codename != "delete_source" for codename in editor)
    assert {"add_synonymgroup", "change_synonymgroup"} <= editor
    assert publisher == editor | {"publish_clarification", "add_notice", "change_notice", "delete_synonymgroup"}
    assert not any(codename.endswith("clarification") for codename in codenames(staff_groups["Tip triage"]))


def test_the_groups_are_named_as_the_product_promises(staff_groups):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editor", "Publisher", "Tip triage"}


def ready(status, author, **kwargs):
    """A clarification in the given state with everything the publish checklist wants."""
    kinds = {
        "draft": {"draft": True},
        "in_review": {"in_review": True},
        "scheduled": {"scheduled": True},
        "published": {},
    }
    clarification = ClarificationFactory(author=author, **kinds[status], **kwargs)
    SourceFactory(clarification=clarification)
    return clarification


IN_AN_HOUR = timedelta(hours=1)

# transition name -> (starting state, how to call it, the state it ends in, refusal without permission)
TRANSITIONS = {
    "submit_for_review": (
        "draft",
        lambda c, u: services.submit_for_review(clarification=c, user=u),
        Status.IN_REVIEW,
        "You do not have permission to submit clarifications for review.",
    ),
    "return_to_draft": (
        "in_review",
        lambda c, u: services.return_to_draft(clarification=c, user=u),
        Status.DRAFT,
        "You do not have permission to edit clarifications.",
    ),
    "publish_now": (
        "in_review",
        lambda c, u: services.publish(clarification=c, user=u),
        Status.PUBLISHED,
        "You do not have permission to publish clarifications.",
    ),
    "schedule": (
        "in_review",
        lambda c, u: services.publish(clarification=c, user=u, at=timezone.now() + IN_AN_HOUR),
        Status.PUBLISHED,
        "You do not have permission to publish clarifications.",
    ),
    "unpublish": (
        "scheduled",
        lambda c, u: services.unpublish(clarification=c, user=u),
        Status.IN_REVIEW,
        "You do not have permission to unpublish clarifications.",
    ),
    "withdraw": (
        "published",
        lambda c, u: services.withdraw(clarification=c, user=u, note="来源已更正。"),
        Status.WITHDRAWN,
        "You do not have permission to withdraw clarifications.",
    ),
}

ALLOWED = {
    "editor": {"submit_for_review", "return_to_draft"},
    "publisher": set(TRANSITIONS),
    "tip_triager": set(),
    "superuser": set(TRANSITIONS),
}

CASES = [(role, name) for role in ALLOWED for name in TRANSITIONS]


@pytest.mark.parametrize(("role", "name"), CASES, ids=[f"{role}-{name}" for role, name in CASES])
def test_each_role_may_do_exactly_its_transitions(request, author, role, name):
    user = request.getfixturevalue(role)
    start, run, end, refusal = TRANSITIONS[name]
    clarification = ready(start, author)
    before = Clarification.objects.get(pk=clarification.pk).status
    if name in ALLOWED[role]:
        run(clarification, user)
        assert Clarification.objects.get(pk=clarification.pk).status == end
        latest = clarification.history.first()
        assert latest.history_user == user
        assert latest.history_change_reason
    else:
        with pytest.raises(TransitionRefused) as refused:
            run(clarification, user)
        assert str(refused.value.message) == refusal
        assert Clarification.objects.get(pk=clarification.pk).status == before


def test_publishing_records_the_publisher_as_reviewer(publisher, author):
    clarification = ready("in_review", author)
    services.publish(clarification=clarification, user=publisher)
    clarification.refresh_from_db()
    assert clarification.reviewer == publisher
    assert clarification.author == author
    assert clarification.published_at <= timezone.now()


def test_an_inactive_publisher_is_refused(publisher, author):
    publisher.is_active = False
    publisher.save()
    clarification = ready("in_review", author)
    with pytest.raises(TransitionRefused):
        services.publish(clarification=clarification, user=publisher)
    assert Clarification.objects.get(pk=clarification.pk).status == Status.IN_REVIEW
