"""The sitemap (every public page, in both interface languages) and the robots.txt that points at it."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from .models import Clarification, Notice, Topic


class LanguageSitemap(Sitemap):
    """Each page once per interface language, with hreflang alternates and an x-default."""

    i18n = True
    alternates = True
    x_default = True


class ClarificationSitemap(LanguageSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Clarification.objects.published().prefetch_related("updates").order_by("-published_at", "-id")

    def lastmod(self, clarification):
        return clarification.public_modified_at


class TopicSitemap(LanguageSitemap):
    changefreq = "daily"
    priority = 0.5

    def items(self):
        # Topics with at least one public clarification; empty ones are not worth a visit.
        latest = Clarification.objects.published().filter(topics=OuterRef("pk")).order_by("-published_at")
        return Topic.objects.in_use().annotate(latest=Subquery(latest.values("published_at")[:1])).order_by("slug")

    def lastmod(self, topic):
        return topic.latest


class NoticeSitemap(LanguageSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return Notice.objects.published().order_by("-published_at", "-id")

    def lastmod(self, notice):
        return notice.modified_at


class PageSitemap(LanguageSitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        pages = ["list", "notices", "about", "how_to_report", "privacy"]
        return ["home:index", "home:most_asked", *(f"clarifications:{name}" for name in pages), "opendata:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "clarifications": ClarificationSitemap,
    "topics": TopicSitemap,
    "notices": NoticeSitemap,
}


@require_GET
def robots_txt(request):
    """Everything public may be crawled; the staff back end may not, in any language."""
    admin_paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            admin_paths.append(reverse("admin:index"))
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in dict.fromkeys(admin_paths)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
