"""Who may drive the admin endpoints: same-origin callers on a loopback-style host only.

The ``/_emulator`` endpoints have no authentication, so a web page must not reach them:
a cross-site request (a ``text/plain`` POST from ``https://evil.example`` needs no CORS
preflight) is refused by its ``Origin``/``Sec-Fetch-Site`` headers, and a DNS-rebinding
attack (a foreign name resolving to 127.0.0.1) by its ``Host`` header.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Iterable, Optional
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

_SAFE_FETCH_SITES = ("same-origin", "none")


def _hostname(netloc: str) -> Optional[str]:
    """The host of ``host[:port]`` (brackets of an IPv6 literal removed), or None."""
    try:
        parsed = urlsplit("//" + netloc)
        host = parsed.hostname
        parsed.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def is_trusted_host(host: str, extra: Iterable[str] = ()) -> bool:
    """Whether ``host`` (a name or IP literal, no port) cannot be an attacker's DNS name."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    if host in {name.lower() for name in extra}:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def admin_refusal(environ: WSGIEnvironment, extra_hosts: Iterable[str] = ()) -> Optional[str]:
    """Why this admin request is refused, or None when it may proceed.

    Refused: a ``Host`` that is not an IP literal, ``localhost`` or one of ``extra_hosts``;
    an ``Origin`` other than the emulator's own (``null`` included); a ``Sec-Fetch-Site``
    other than ``same-origin``/``none``.
    """
    hosts = tuple(extra_hosts)
    host_header = str(environ.get("HTTP_HOST", "") or "")
    if host_header:
        host = _hostname(host_header)
        if host is None or not is_trusted_host(host, hosts):
            return "The admin endpoints answer only to a loopback Host (DNS rebinding refused)."
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        scheme = str(environ.get("wsgi.url_scheme", "http"))
        own = f"{scheme}://{host_header}".lower() if host_header else None
        if own is None or str(origin).strip().lower().rstrip("/") != own:
            return "Cross-site requests to the admin endpoints are refused."
    fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and str(fetch_site).strip().lower() not in _SAFE_FETCH_SITES:
        return "Cross-site requests to the admin endpoints are refused."
    return None
