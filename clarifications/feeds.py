"""RSS and Atom feeds of the latest public clarifications, for all topics and per topic.

One channel per language, at the same paths as the pages: ``/feeds/latest.rss`` is the Chinese
channel, ``/en/feeds/latest.rss`` the English one. Each channel is wholly in its language: its title
and description, the verdict labels and topic names, and its items, which are the clarifications
published in that language (a reader of the English channel is not sent Chinese posts it cannot
read; each page links its own language's channel in its head and footer).

Dates are honest: an item's "updated" date is its latest public correction (``public_modified_at``),
not the last time staff touched the row.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .branding import office_name
from .models import Clarification, Language, Topic

FEED_LENGTH = 30


def channel_language():
    """The language of the channel being served: the URL's (``/en/feeds/...`` or the default)."""
    return Language.EN if get_language().startswith("en") else Language.ZH_HANS


class LatestClarificationsFeed(Feed):
    def description(self):
        if channel_language() == Language.EN:
            return _("The latest rumor clarifications published in English: the claim, the verdict and the truth.")
        return _("The latest rumor clarifications published in Chinese: the claim, the verdict and the truth.")

    def title(self):
        return f"{settings.SITE_NAME}: {_('Latest clarifications')}"

    def link(self):
        return reverse("clarifications:list")

    def clarifications(self, obj):  # noqa: ARG002 (the Feed hook's signature; every feed lists all)
        return Clarification.objects.published()

    def items(self, obj=None):
        in_its_language = self.clarifications(obj).filter(language=channel_language())
        return in_its_language.prefetch_related("topics", "updates")[:FEED_LENGTH]

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
        return item.authority_name or office_name()


class LatestClarificationsAtomFeed(LatestClarificationsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


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

    def subtitle(self, obj):  # noqa: ARG002 (the Feed hook's signature)
        return self.description()
