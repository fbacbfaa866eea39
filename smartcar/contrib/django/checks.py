"""System checks of the ``SMARTCAR`` settings (``manage.py check``)."""

from __future__ import annotations

import math
from typing import Any, List, Mapping, Optional, Tuple

from django.core.checks import CheckMessage, Error

from .conf import ENVIRONMENT, MODES, OTHER_KEYS, REQUIRED, describe, raw_settings

__all__ = ["check_settings", "problems"]

_HINT = "Set it in SMARTCAR = {...} in settings.py, or as an environment variable."


def check_settings(app_configs: Optional[Any] = None, **kwargs: Any) -> List[CheckMessage]:
    """Django system check: one error per wrong or missing ``SMARTCAR`` setting."""
    return [
        Error(message, hint=_HINT, obj="settings.SMARTCAR", id=f"smartcar.E{number:03d}")
        for number, message in _numbered(raw_settings())
    ]


def problems(values: Mapping[str, Any]) -> List[str]:
    """What is wrong with ``values`` (the merged settings), one sentence each."""
    return [message for _, message in _numbered(values)]


def _numbered(values: Mapping[str, Any]) -> List[Tuple[int, str]]:
    found: List[Tuple[int, str]] = []
    for key in REQUIRED:
        value = values.get(key)
        if value in (None, ""):
            found.append((1, f"{describe(key)} is not set"))
        elif not isinstance(value, str) or not value.strip():
            found.append((2, f"{describe(key)} must be a non-empty string"))
    application_id = values.get("APPLICATION_ID")
    if isinstance(application_id, str) and application_id.strip().lower().startswith("client_"):
        found.append(
            (
                3,
                f"{describe('APPLICATION_ID')} looks like an API credential id (client_…): "
                "Connect needs the Application ID (a UUID from the Dashboard); the client_… "
                f"id goes in {describe('CLIENT_ID')}",
            )
        )
    mode = values.get("MODE")
    if mode not in (None, "") and mode not in MODES:
        found.append((4, f"{describe('MODE')} must be one of {', '.join(MODES)}"))
    scope = values.get("SCOPE")
    if scope not in (None, "") and not (
        isinstance(scope, str)
        or (isinstance(scope, (list, tuple)) and all(isinstance(item, str) for item in scope))
    ):
        found.append((5, f"{describe('SCOPE')} must be a list of permission names"))
    ttl = values.get("SEEN_TTL")
    if ttl is not None and (
        isinstance(ttl, bool)
        or not isinstance(ttl, (int, float))
        or not (ttl > 0 and math.isfinite(ttl))
    ):
        found.append((6, f"{describe('SEEN_TTL')} must be a positive number of seconds"))
    handler = values.get("WEBHOOK_HANDLER")
    if handler is not None and not (callable(handler) or _importable(handler)):
        found.append((7, f"{describe('WEBHOOK_HANDLER')} must be a callable or its dotted path"))
    database = values.get("DATABASE")
    if database is not None and not _known_database(database):
        found.append((8, f"{describe('DATABASE')} is not a key of DATABASES"))
    unknown = sorted(set(values) - set(ENVIRONMENT) - set(OTHER_KEYS), key=str)
    if unknown:
        found.append((9, f"SMARTCAR has unknown keys: {', '.join(map(str, unknown))}"))
    return found


def _importable(path: Any) -> bool:
    from django.utils.module_loading import import_string

    if not isinstance(path, str):
        return False
    try:
        return callable(import_string(path))
    except ImportError:
        return False


def _known_database(alias: Any) -> bool:
    from django.conf import settings

    return isinstance(alias, str) and alias in settings.DATABASES
