from django.urls import path

from . import views

app_name = "opendata"

# The page, in each interface language (included under i18n_patterns).
urlpatterns = [
    path("open-data/", views.open_data, name="index"),
]

# The files: machine URLs, one address whatever the language (included at the root, like the feeds).
download_patterns = [
    path("clarifications.jsonl", views.clarifications_jsonl, name="clarifications_jsonl"),
    path("clarifications.csv", views.clarifications_csv, name="clarifications_csv"),
]
