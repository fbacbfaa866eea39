"""The URLconf of the tests' Django project: the app's patterns under ``smartcar/``."""

from django.urls import include, path

urlpatterns = [path("smartcar/", include("smartcar.contrib.django.urls"))]
