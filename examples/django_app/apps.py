"""The example's app: it records each webhook event the Smartcar app hands over."""

from __future__ import annotations

from django.apps import AppConfig


class ExampleConfig(AppConfig):
    name = "examples.django_app"
    label = "django_example"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from smartcar.contrib.django.signals import webhook_received

        from .live import record

        webhook_received.connect(record, dispatch_uid="django_example.record")
