"""The app's settings, read in one place: ``SMARTCAR = {...}`` in settings.py, with the
``SMARTCAR_*`` environment variables as fallback.

==================== ============================= ============================================
key                  environment variable          meaning
==================== ============================= ============================================
``CLIENT_ID``        ``SMARTCAR_CLIENT_ID``        the API credential's id (``client_…``)
``CLIENT_SECRET``    ``SMARTCAR_CLIENT_SECRET``    the API credential's secret
``APPLICATION_ID``   ``SMARTCAR_APPLICATION_ID``   the Application ID (a UUID) Connect needs
``REDIRECT_URI``     ``SMARTCAR_REDIRECT_URI``     where Connect sends the user back
``MANAGEMENT_TOKEN`` ``SMARTCAR_MANAGEMENT_TOKEN`` the Application Management Token (webhooks)
``SCOPE``            ``SMARTCAR_SCOPE``            permissions Connect asks for (list or
                                                   space-separated)
``MODE``             ``SMARTCAR_MODE``             ``live`` (default), ``simulated`` or ``test``
``DATABASE``                                       the database alias of the token store and
                                                   seen-set (``"default"``)
``WEBHOOK_HANDLER``                                a callable (or its dotted path) given each new
                                                   event; without it the ``webhook_received``
                                                   signal is sent
``SEEN_TTL``                                       seconds an event id is remembered (7 days)
``CONNECT_SUCCESS_URL``                            where the Connect callback view goes (``/``)
==================== ============================= ============================================

A key set in ``SMARTCAR`` wins over its environment variable. ``manage.py check`` reports a
missing credential or an API credential id given as the Application ID, naming the setting.
"""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Tuple

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from smartcar.v3 import Client
    from smartcar.webhooks import Receiver

__all__ = [
    "DEFAULT_SCOPE",
    "ENVIRONMENT",
    "MODES",
    "REQUIRED",
    "SmartcarSettings",
    "describe",
    "get_client",
    "get_receiver",
    "get_settings",
    "numbered_problems",
    "problems",
    "raw_settings",
]

ENVIRONMENT = {
    "CLIENT_ID": "SMARTCAR_CLIENT_ID",
    "CLIENT_SECRET": "SMARTCAR_CLIENT_SECRET",
    "APPLICATION_ID": "SMARTCAR_APPLICATION_ID",
    "REDIRECT_URI": "SMARTCAR_REDIRECT_URI",
    "MANAGEMENT_TOKEN": "SMARTCAR_MANAGEMENT_TOKEN",
    "SCOPE": "SMARTCAR_SCOPE",
    "MODE": "SMARTCAR_MODE",
}
"""Setting key -> the environment variable it falls back to."""
REQUIRED = ("CLIENT_ID", "CLIENT_SECRET", "APPLICATION_ID", "REDIRECT_URI", "MANAGEMENT_TOKEN")
OTHER_KEYS = ("DATABASE", "WEBHOOK_HANDLER", "SEEN_TTL", "CONNECT_SUCCESS_URL")
MODES = ("live", "simulated", "test")
DEFAULT_SCOPE = ("read_vehicle_info", "read_odometer", "read_location", "read_security")


def describe(key: str) -> str:
    """How a setting is named in messages: ``SMARTCAR['CLIENT_ID']`` (or its variable)."""
    variable = ENVIRONMENT.get(key)
    where = f"SMARTCAR[{key!r}]"
    return f"{where} (or the {variable} environment variable)" if variable else where


def raw_settings() -> Dict[str, Any]:
    """The ``SMARTCAR`` setting merged over the environment variables (no checks)."""
    configured = getattr(django_settings, "SMARTCAR", None)
    values: Dict[str, Any] = dict(configured) if isinstance(configured, Mapping) else {}
    for key, variable in ENVIRONMENT.items():
        if values.get(key) in (None, "") and os.environ.get(variable):
            values[key] = os.environ[variable]
    return values


def problems(values: Mapping[str, Any]) -> List[str]:
    """What is wrong with ``values`` (the merged settings), one sentence each."""
    return [message for _, message in numbered_problems(values)]


def numbered_problems(values: Mapping[str, Any]) -> List[Tuple[int, str]]:
    """:func:`problems`, each with its check's number (``smartcar.E<number>``)."""
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
    if not isinstance(path, str):
        return False
    try:
        return callable(import_string(path))
    except ImportError:
        return False


def _known_database(alias: Any) -> bool:
    return isinstance(alias, str) and alias in django_settings.DATABASES


@dataclass(frozen=True)
class SmartcarSettings:
    """The checked settings (secrets are left out of the repr)."""

    client_id: str
    client_secret: str = field(repr=False)
    application_id: str
    redirect_uri: str
    management_token: str = field(repr=False)
    scope: Tuple[str, ...] = DEFAULT_SCOPE
    mode: str = "live"
    database: str = "default"
    webhook_handler: Optional[Callable[[Any], Any]] = None
    seen_ttl: float = 7 * 24 * 3600.0
    connect_success_url: str = "/"


def get_settings() -> SmartcarSettings:
    """Return the checked settings (read once; again after ``SMARTCAR`` changes).

    Raises:
        ImproperlyConfigured: a setting is missing or wrong (``manage.py check`` lists them all).
    """
    return _settings()


@functools.cache
def _settings() -> SmartcarSettings:
    values = raw_settings()
    found = problems(values)
    if found:
        raise ImproperlyConfigured("; ".join(found))
    handler = values.get("WEBHOOK_HANDLER")
    if isinstance(handler, str):
        handler = import_string(handler)
    scope = values.get("SCOPE") or DEFAULT_SCOPE
    return SmartcarSettings(
        client_id=values["CLIENT_ID"],
        client_secret=values["CLIENT_SECRET"],
        application_id=values["APPLICATION_ID"],
        redirect_uri=values["REDIRECT_URI"],
        management_token=values["MANAGEMENT_TOKEN"],
        scope=tuple(scope.split() if isinstance(scope, str) else scope),
        mode=values.get("MODE") or "live",
        database=values.get("DATABASE") or "default",
        webhook_handler=handler,
        seen_ttl=float(values.get("SEEN_TTL") or 7 * 24 * 3600.0),
        connect_success_url=values.get("CONNECT_SUCCESS_URL") or "/",
    )


@functools.cache
def get_client() -> Client:
    """The project's :class:`smartcar.v3.Client`, its app token in the Django token store."""
    from smartcar.v3 import Client

    from .store import DjangoTokenStore

    config = get_settings()
    return Client(
        config.client_id,
        config.client_secret,
        application_id=config.application_id,
        redirect_uri=config.redirect_uri,
        token_store=DjangoTokenStore(using=config.database),
    )


@functools.cache
def get_receiver() -> Receiver:
    """The project's webhook :class:`~smartcar.webhooks.Receiver`, on the Django seen-set."""
    from smartcar.webhooks import Receiver

    from .seen import DjangoSeenSet

    config = get_settings()
    return Receiver(
        config.management_token, seen=DjangoSeenSet(using=config.database, ttl=config.seen_ttl)
    )


def settings_changed(setting: str, **kwargs: Any) -> None:
    """Forget what was built from the settings when ``SMARTCAR`` changes (``override_settings``)."""
    if setting == "SMARTCAR":
        for cached in (_settings, get_client, get_receiver):
            cached.cache_clear()
