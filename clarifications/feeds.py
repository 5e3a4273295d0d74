"""RSS and Atom feeds of the latest public clarifications, for all topics and per topic.

Dates are honest: an item's "updated" date is its latest public correction (``public_modified_at``),
not the last time staff touched the row.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Clarification, Topic

FEED_LENGTH = 30


class LatestClarificationsFeed(Feed):
    description = _("The latest rumor clarifications: the claim, the verdict and the truth.")

    def title(self):
        return f"{settings.SITE_NAME}: {_('Latest clarifications')}"

    def link(self):
        return reverse("clarifications:list")

    def clarifications(self, obj):  # noqa: ARG002 (the Feed hook's signature; every feed lists all)
        return Clarification.objects.published()

    def items(self, obj=None):
        return self.clarifications(obj).prefetch_related("topics", "updates")[:FEED_LENGTH]

    def item_title(self, item):
        return f"[{item.get_verdict_display()}] {item.title}"

    def item_description(self, item):
        return item.truth

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.public_modified_at

    def item_categories(self, item):
        return [topic.display_name for topic in item.topics.all()]

    def item_author_name(self, item):
        return item.authority_name or settings.OFFICE_NAME


class LatestClarificationsAtomFeed(LatestClarificationsFeed):
    feed_type = Atom1Feed
    subtitle = LatestClarificationsFeed.description


class TopicFeed(LatestClarificationsFeed):
    def get_object(self, request, slug):  # noqa: ARG002 (Django passes the request first)
        return get_object_or_404(Topic, slug=slug)

    def title(self, obj):
        return f"{settings.SITE_NAME}: {obj.display_name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def clarifications(self, obj):
        return Clarification.objects.published().filter(topics=obj)


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed
    subtitle = LatestClarificationsFeed.description
