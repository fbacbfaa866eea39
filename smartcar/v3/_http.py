"""How ``smartcar.v3`` sends a request: the application token, ``sc-user-id``, one repeat on 401.

Everything goes through :func:`smartcar.api.request` (pooled connections, timeouts, the retry
policy, the error decoder). This module adds what v3 needs on top:

* ``Authorization: Bearer <application token>`` from the :class:`AppTokenSource`;
* the ``sc-user-id`` header, checked before anything is sent;
* a 401 answer gets one fresh token and one repeat. A command is repeated only when the 401
  is the service refusing the token (an ``AUTHENTICATION`` error, or no error type): that
  answer proves the command never went further. A 401 of any other type may come from the
  car's side, so the command is not sent again (the token is dropped all the same, so the
  next call fetches a fresh one). A command whose 200/202 *body* reports a failure is never
  repeated either (see ``_commands``);
* every attempt passes the client's call meter (:mod:`smartcar.v3._metering`): counted for
  the vehicle its URL names, refused without a request for a spent vehicle or one at its
  monthly limit, held while the application is paused by an app-wide rate limit.

It also walks JSON:API lists page by page (:meth:`Transport.pages`).
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, Iterator, List, Mapping, Optional, Tuple, cast
from urllib.parse import urlsplit

from .. import _pages, api
from .._checks import sendable
from .._core import token_refused
from ..exceptions import AuthenticationException
from . import _parse
from ._app_token import AppTokenSource
from ._metering import Metering, vehicle_of

__all__ = ["Transport", "check_id", "next_link"]

USER_ID_HEADER = "sc-user-id"


def check_id(name: str, value: Any) -> str:
    """Return ``value`` if it is a non-empty string usable in a header or path.

    Raises:
        ValueError: ``value`` is missing, not a string, or holds non-printable/non-ASCII
            characters.
    """
    if value is None:
        raise ValueError(f"{name} is required")
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    if not sendable(value):
        raise ValueError(f"{name} must hold printable ASCII characters only")
    return value


def next_link(body: Any, base: str) -> Optional[str]:
    """Return the URL of ``links.next`` when it points under ``base``, else ``None``.

    A relative link (``/vehicles/...``, or ``/v3/vehicles/...``) is taken relative to
    ``base``; an absolute one is followed only when it starts with ``base``, so the token is
    never sent to another host.
    """
    links = body.get("links") if isinstance(body, Mapping) else None
    link = links.get("next") if isinstance(links, Mapping) else None
    if not isinstance(link, str) or not link:
        return None
    base = base.rstrip("/")
    if link.startswith("/"):
        base_path = urlsplit(base).path
        origin = base[: len(base) - len(base_path)]
        if base_path and (link == base_path or link.startswith(base_path + "/")):
            return origin + link
        return base + link
    return link if link.startswith(base + "/") else None


class Transport:
    """Sends v3 requests for one :class:`~smartcar.v3.Client`."""

    def __init__(
        self,
        tokens: AppTokenSource,
        metering: Metering,
        *,
        timeout: Optional[api.Timeout] = None,
        max_retries: Optional[int] = None,
    ) -> None:
        self.tokens = tokens
        self.metering = metering
        self.timeout = timeout
        self.max_retries = max_retries

    def send(
        self,
        method: str,
        url: str,
        *,
        user_id: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        command: bool = False,
        headers: Optional[Mapping[str, str]] = None,
    ) -> api.ApiResponse:
        """Send one request with the application token (and ``sc-user-id`` when given).

        ``headers`` are sent too (``user_id`` wins over an ``sc-user-id`` among them).

        Raises:
            SmartcarException: the subclass the error answer maps to;
                ``MonthlyLimitExceeded`` or ``RateLimitingException`` from the call meter
                (nothing sent); ``TokenStoreException`` when the meter's store failed.
        """
        if user_id is not None:
            headers = {**(headers or {}), USER_ID_HEADER: user_id}
        token = self.tokens.get()
        options: Dict[str, Any] = {
            "params": params,
            "json_body": json_body,
            "headers": headers,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "gate": self.metering.gate(vehicle_of(url)),
        }
        try:
            return api.request(method, url, token=token, **options)
        except AuthenticationException as error:
            if error.status_code != 401:
                raise
            if command and not token_refused(error):
                self.tokens.forget(token)
                raise
            fresh = self.tokens.renew(token)
            return api.request(method, url, token=fresh, **options)

    def pages(
        self,
        url: str,
        params: Mapping[str, Any],
        *,
        page_size: Optional[int] = None,
        user_id: Optional[str] = None,
    ) -> Iterator[Tuple[api.ApiResponse, List[Mapping[str, Any]]]]:
        """Yield ``(answer, resources)`` for page 1, 2, ... fetched one at a time, lazily,
        following the listing rule of :mod:`smartcar._pages` (a resource already yielded is
        left out of a later page).

        A page is the last when it is empty, has ``links.next: null``, reaches
        ``meta.totalCount``, or is shorter than the page size (``meta.pageSize`` or the one
        asked for).

        Raises:
            SmartcarException: a page's request failed, or its answer holds no ``data`` list.
        """
        from ._resources import many

        listed = 0

        def fetch(number: Hashable) -> Tuple[api.ApiResponse, List[Mapping[str, Any]], Any]:
            nonlocal listed
            query = dict(params)
            query["page[number]"] = number
            if page_size is not None:
                query["page[size]"] = page_size
            response = self.send("GET", url, params=query, user_id=user_id)
            items = many(response, "list")
            listed += len(items)
            info = _parse.page_info(response.body)
            size = info.size or page_size
            last = (
                not items
                or info.has_next is False
                or (info.total is not None and listed >= info.total)
                or (info.has_next is None and size is not None and len(items) < size)
            )
            return response, items, None if last else cast(int, number) + 1

        return _pages.walk(1, fetch, _resource_id)


def _resource_id(item: Mapping[str, Any]) -> Optional[str]:
    return _parse.optional_str(item.get("id"))
