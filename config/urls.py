from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from clarifications import api, converters, feeds  # noqa: F401 (converters registers <uslug:...>)
from clarifications.branding import admin_header, admin_title
from clarifications.pagecache import public_page
from clarifications.sitemaps import SITEMAPS, robots_txt
from core.media import serve_media
from opendata.urls import download_patterns
from ops.metrics import metrics_view
from ops.views import healthz
from tips.intake.wechat.views import endpoint as wechat_endpoint

# Each language has its own feed channel at the pages' paths: /feeds/latest.rss (the default language)
# and /en/feeds/latest.rss (see clarifications/feeds.py); they are included with the pages below
# (docs/contracts.md, Feeds).
feed_patterns = [
    path("latest.rss", public_page(feeds.LatestClarificationsFeed()), name="latest_rss"),
    path("latest.atom", public_page(feeds.LatestClarificationsAtomFeed()), name="latest_atom"),
    path("topics/<uslug:slug>.rss", public_page(feeds.TopicFeed()), name="topic_rss"),
    path("topics/<uslug:slug>.atom", public_page(feeds.TopicAtomFeed()), name="topic_atom"),
]
api_patterns = [
    path("clarifications/", api.ClarificationList.as_view(), name="clarification-list"),
    path("clarifications/match/", api.ClarificationMatch.as_view(), name="clarification-match"),
    path("clarifications/<int:pk>/", api.ClarificationDetail.as_view(), name="clarification-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]

# The admin is the office's tool: its name, not "Django administration".
admin.site.site_header = admin_header()
admin.site.site_title = admin_title()


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin's error pages, feeds)."""

    permanent = False  # the icon's hashed name changes with it

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.ico")


# Machine URLs keep one address whatever the language (see PRODUCT.md's contracts).
urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("sitemap.xml", public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", public_page(robots_txt), name="robots_txt"),
    path("api/", include((api_patterns, "api"))),
    # The WeChat official account's server URL (one address, whatever the language).
    path("wechat/", wechat_endpoint, name="wechat"),
    path("open-data/", include((download_patterns, "downloads"))),
]

if settings.SERVE_MEDIA:
    # Clarifications' illustrations (see core/media.py); tip screenshots live elsewhere, never here.
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"))

handler404 = "ops.views.not_found"

# Chinese (the default LANGUAGE_CODE) at unprefixed URLs, English under /en/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("home.urls")),
    path("", include("clarifications.urls")),
    path("", include("tips.intake.urls")),
    path("", include("opendata.urls")),
    path("feeds/", include((feed_patterns, "feeds"))),
    prefix_default_language=False,
)
