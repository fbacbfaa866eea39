"""URL patterns: ``path("smartcar/", include("smartcar.contrib.django.urls"))``.

==================== ============================ ==========================================
path                 name                         view
==================== ============================ ==========================================
``webhooks/``        ``smartcar:webhook``         :func:`~.views.webhook` (POST, no CSRF)
``connect/``         ``smartcar:connect``         :func:`~.views.connect`
``callback/``        ``smartcar:callback``        :func:`~.views.callback` (the redirect URI)
==================== ============================ ==========================================
"""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "smartcar"

urlpatterns = [
    path("webhooks/", views.webhook, name="webhook"),
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
]
