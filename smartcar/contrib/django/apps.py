"""The Django application configuration of ``smartcar.contrib.django``."""

from __future__ import annotations

from django.apps import AppConfig


class SmartcarConfig(AppConfig):
    """Registers the system checks and the settings-change hook when Django starts."""

    name = "smartcar.contrib.django"
    label = "smartcar"
    verbose_name = "Smartcar"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.core.signals import setting_changed

        from . import conf
        from .checks import check_settings

        checks.register(check_settings, "smartcar")
        setting_changed.connect(conf.settings_changed)
