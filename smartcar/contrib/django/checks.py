"""System checks of the ``SMARTCAR`` settings (``manage.py check``)."""

from __future__ import annotations

from typing import Any, List, Optional

from django.core.checks import CheckMessage, Error

from .conf import numbered_problems, problems, raw_settings

__all__ = ["check_settings", "problems"]

_HINT = "Set it in SMARTCAR = {...} in settings.py, or as an environment variable."


def check_settings(app_configs: Optional[Any] = None, **kwargs: Any) -> List[CheckMessage]:
    """Django system check: one error per wrong or missing ``SMARTCAR`` setting."""
    return [
        Error(message, hint=_HINT, obj="settings.SMARTCAR", id=f"smartcar.E{number:03d}")
        for number, message in numbered_problems(raw_settings())
    ]
