from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("", views.index, name="index"),
    path("most-asked/", views.most_asked, name="most_asked"),
]
