from django.urls import path
from django.views.generic import TemplateView

from . import converters, views  # noqa: F401 (importing converters registers <uslug:...>)
from .pagecache import public_page

app_name = "clarifications"

urlpatterns = [
    path("clarifications/", views.clarification_list, name="list"),
    path("clarifications/suggest", views.suggest, name="suggest"),
    path("clarifications/<int:pk>/", views.clarification_detail, name="detail"),
    path("clarifications/<int:pk>/seen", views.clarification_seen, name="seen"),
    path("clarifications/<int:pk>/preview/", views.clarification_preview, name="preview"),
    path(
        "clarifications/<int:pk>/share.png",
        views.clarification_share_image,
        {"variant": "wide"},
        name="share_image",
    ),
    path(
        "clarifications/<int:pk>/share-square.png",
        views.clarification_share_image,
        {"variant": "square"},
        name="share_image_square",
    ),
    path("topics/<uslug:slug>/", views.topic_detail, name="topic"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("about/", public_page(TemplateView.as_view(template_name="pages/about.html")), name="about"),
    path(
        "how-to-report/",
        public_page(TemplateView.as_view(template_name="pages/how_to_report.html")),
        name="how_to_report",
    ),
    path("privacy/", public_page(TemplateView.as_view(template_name="pages/privacy.html")), name="privacy"),
]
