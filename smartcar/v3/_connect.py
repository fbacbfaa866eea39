"""Smartcar Connect for v3 applications: the authorize URL and the redirect back.

Connect identifies the application by its **Application ID** (a UUID from the Dashboard), not by
the ``client_…`` API credential; passing the credential there is the "400: Invalid parameter
client_id" users report. The redirect back carries ``user_id`` (the ``sc-user-id`` of every
later call) and ``state``; ``code`` only matters to v2.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union
from urllib.parse import parse_qsl, urlencode, urlsplit

from .. import const
from .._checks import whole_number
from ..exceptions import ConnectException
from .types import Redirect

__all__ = ["MODES", "auth_url", "check_application_id", "parse_redirect"]

MODES = ("live", "simulated", "test")
_REDIRECT_FIELDS = ("user_id", "state", "code", "external_id", "vehicle_id", "virtual_key_url")


_WHICH_GOES_WHERE = (
    "the client_… value is the API credential's id: pass it as client_id "
    "(SMARTCAR_CLIENT_ID); the Application ID is the UUID on the Dashboard's application "
    "page, and goes in application_id (SMARTCAR_APPLICATION_ID)"
)


def check_application_id(application_id: str) -> str:
    """Return ``application_id`` if it can be Connect's Application ID.

    Connect identifies an application by its Application ID (a UUID from the Dashboard).
    The API credential's id (``client_…``) looks similar in settings files and is the usual
    mix-up: Connect then answers "400: Invalid parameter client_id".

    Raises:
        ValueError: ``application_id`` is not a non-empty string, or looks like an API
            credential (``client_…``); the message says which value goes where.
    """
    if not isinstance(application_id, str) or not application_id.strip():
        raise ValueError("application_id must be a non-empty string (the Application ID)")
    if application_id.strip().lower().startswith("client_"):
        raise ValueError(f"application_id looks like an API credential id: {_WHICH_GOES_WHERE}")
    return application_id


def auth_url(
    application_id: str,
    redirect_uri: Optional[str],
    scope: Optional[Iterable[str]] = None,
    *,
    state: Optional[str] = None,
    force: bool = False,
    mode: str = "live",
    make: Optional[str] = None,
    single_select: Union[bool, Mapping[str, Any], None] = None,
    flags: Union[Mapping[str, Any], Iterable[str], None] = None,
    external_id: Optional[str] = None,
    user: Optional[str] = None,
) -> str:
    """Return ``{connect}/oauth/authorize?...`` (see ``Client.get_auth_url``).

    Raises:
        ValueError: a ``mode`` other than live/simulated/test, or a ``scope`` given as one
            string instead of a list of permissions.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if isinstance(scope, str):
        raise ValueError("scope must be a list of permissions, not a string")
    query: List[Tuple[str, str]] = [("response_type", "code"), ("client_id", application_id)]
    if redirect_uri:
        query.append(("redirect_uri", redirect_uri))
    if scope is not None:
        permissions = [str(permission) for permission in scope]
        if permissions:
            query.append(("scope", " ".join(permissions)))
    if force:
        query.append(("approval_prompt", "force"))
    if mode != "live":
        query.append(("mode", mode))
    optional = (("state", state), ("make", make), ("external_id", external_id), ("user", user))
    query.extend((name, str(value)) for name, value in optional if value)
    if single_select is not None:
        query.extend(_single_select(single_select))
    if flags:
        query.append(("flags", _flags(flags)))
    return f"{const.CONNECT_URL}/oauth/authorize?{urlencode(query)}"


def _single_select(value: Union[bool, Mapping[str, Any]]) -> List[Tuple[str, str]]:
    if isinstance(value, Mapping):
        vin = value.get("vin")
        if vin:
            return [("single_select", "true"), ("single_select_vin", str(vin))]
        return [("single_select", "true" if value.get("enabled") else "false")]
    return [("single_select", "true" if value else "false")]


def _flags(flags: Union[Mapping[str, Any], Iterable[str]]) -> str:
    if isinstance(flags, Mapping):
        return " ".join(f"{key}:{_flag_value(value)}" for key, value in flags.items())
    if isinstance(flags, str):
        return flags
    return " ".join(str(flag) for flag in flags)


def _flag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_redirect(url_or_query: str) -> Redirect:
    """Read the redirect Smartcar Connect sent the user back with.

    Args:
        url_or_query: the full redirect URL, or its query string (with or without ``?``).

    Returns:
        The parameters present among ``user_id``, ``state``, ``code``, ``external_id``,
        ``vehicle_id`` (re-authorisation) and ``virtual_key_url``.

    Raises:
        ConnectException: Connect ended in an error (``access_denied``,
            ``vehicle_incompatible``, ...); its ``error``, ``description`` and ``state`` are
            set, and for ``vehicle_incompatible`` also ``vin``, ``make``, ``model``, ``year``.
        ValueError: ``url_or_query`` is not a string, or carries none of ``user_id``, ``code``
            and ``vehicle_id``, or carries a ``code`` without ``user_id`` (the v2 flow: Connect
            was given another id than the Application ID).
    """
    if not isinstance(url_or_query, str):
        raise ValueError("url_or_query must be the redirect URL or its query string")
    text = url_or_query.strip()
    if "://" in text or text.startswith("/"):
        split = urlsplit(text)
        text = split.query or (split.fragment if "=" in split.fragment else "")
    text = text.lstrip("?")
    params: Dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        params.setdefault(name, value)
    error = params.get("error")
    if error:
        description = params.get("error_description") or None
        raise ConnectException(
            f"Smartcar Connect ended with {error}" + (f": {description}" if description else ""),
            error=error,
            description=description,
            state=params.get("state") or None,
            vin=params.get("vin") or None,
            make=params.get("make") or None,
            model=params.get("model") or None,
            year=_year(params.get("year")),
        )
    redirect: Redirect = {}
    for name in _REDIRECT_FIELDS:
        field = params.get(name)
        if field:
            redirect[name] = field  # type: ignore[literal-required]
    if not any(name in redirect for name in ("user_id", "code", "vehicle_id")):
        raise ValueError(
            "url_or_query is not a Connect redirect: it has no user_id, code, vehicle_id or error"
        )
    if "code" in redirect and "user_id" not in redirect and "vehicle_id" not in redirect:
        raise ValueError(
            "the Connect redirect has a code but no user_id: Connect ran the v2 flow because its "
            "client_id was not the v3 Application ID. Build the URL with "
            "Client(application_id=<the Application ID>).get_auth_url(); " + _WHICH_GOES_WHERE
        )
    return redirect


def _year(value: Optional[str]) -> Any:
    year = whole_number(value)
    return year if year is not None else value or None
