"""The example's pages, and the Smartcar app's webhook and Connect views under ``smartcar/``."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("signin/", views.signin, name="signin"),
    path("signout/", views.signout, name="signout"),
    path("vehicles/", views.vehicles, name="vehicles"),
    path("vehicles/<str:vehicle_id>/<str:action>/", views.command, name="command"),
    path("live/", views.live, name="live"),
    path("smartcar/", include("smartcar.contrib.django.urls")),
]
