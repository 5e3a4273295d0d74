"""How a rumor group's clarification reads in the admin: the one place that says whether a group is
clarified, being clarified or not yet (the queue, a group's page, a report's group column)."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clarifications.models import Status


def state_of(clarification):
    """(css class, label) of a group's clarification, as the public would see it now."""
    if clarification is None:
        return "none", _("not clarified")
    if clarification.is_public:
        return "public", _("clarified")
    if clarification.is_scheduled:
        return "scheduled", _("scheduled")
    if clarification.status == Status.WITHDRAWN:
        return "withdrawn", _("clarification withdrawn")
    if clarification.status == Status.IN_REVIEW:
        return "review", _("clarification in review")
    return "draft", _("draft in progress")


def clarification_state(rumor):
    """A small badge: the group's clarification state (with its title when it has one)."""
    css, label = state_of(rumor.clarification)
    if rumor.clarification is None:
        return format_html('<span class="rumor-state rumor-state-{}">{}</span>', css, label)
    return format_html(
        '<span class="rumor-state rumor-state-{}" title="{}">{}</span>', css, rumor.clarification.title, label
    )
