from django.urls import path

from . import views

app_name = "tips"

urlpatterns = [
    path("tips/", views.tip_lookup, name="lookup"),
    path("tips/new/", views.tip_new, name="new"),
    path("tips/new/from-search/", views.tip_prefill, name="prefill"),
    path("tips/<str:code>/", views.tip_status, name="status"),
    path("check/", views.check_new, name="check"),
    path("check/<uuid:pk>/", views.check_result, name="check_result"),
]
