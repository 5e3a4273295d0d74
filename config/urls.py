from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from clarifications.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
]

# Chinese (the default LANGUAGE_CODE) at unprefixed URLs, English under /en/.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("", include("clarifications.urls")),
    path("", include("tips.urls")),
    prefix_default_language=False,
)
