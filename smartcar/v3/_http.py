"""How ``smartcar.v3`` sends a call: through :func:`smartcar._calls.call` like every other,
with the endpoint described in ``smartcar/_endpoints/v3.py`` or ``v3_management.py``.

What v3 adds to a call:

* ``Authorization: Bearer <application token>`` from the :class:`AppTokenSource` (a
  :class:`~smartcar._core.TokenSource`: the 401 replay is :func:`smartcar._calls.call`'s, by
  the endpoint's ``on_401`` rule; a command's 401 that did not refuse the token is not
  replayed, and the token is dropped all the same, so the next call fetches a fresh one);
* the ``sc-user-id`` header, checked before anything is sent;
* every attempt passes the client's call meter (:mod:`smartcar.v3._metering`): counted for
  the vehicle its URL names, refused without a request for a spent vehicle or one at its
  monthly limit, held while the application is paused by an app-wide rate limit.

It also walks JSON:API lists page by page (:meth:`Transport.pages`).
"""

from __future__ import annotations

from typing import (
    Any,
    Dict,
    Hashable,
    Iterator,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Tuple,
    Union,
)
from urllib.parse import urlsplit

from .. import _calls, _pages
from .._answers import ApiResponse
from .._config import Config
from .._endpoints import Endpoint, v3, v3_management
from . import _parse
from ._app_token import AppTokenSource
from ._metering import Metering, vehicle_of

__all__ = [
    "ENDPOINTS",
    "USER_ID_HEADER",
    "VEHICLE_API",
    "Resolved",
    "Transport",
    "next_link",
    "next_page",
    "page_query",
    "resolve",
]

USER_ID_HEADER = "sc-user-id"
VEHICLE_API = "VEHICLE_API_V3_URL"
"""The service (``smartcar.const`` URL constant) whose calls are billed to a vehicle."""


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


ENDPOINTS: Dict[str, Endpoint] = {**v3.ENDPOINTS, **v3_management.ENDPOINTS}
"""Every v3 endpoint by name (the vehicle API's and the management API's)."""


class Transport:
    """Sends v3 calls for one :class:`~smartcar.v3.Client`: its application token, its call
    meter and its settings."""

    def __init__(self, tokens: AppTokenSource, metering: Metering, config: Config) -> None:
        self.tokens = tokens
        self.metering = metering
        self.config = config

    def call(
        self,
        name: Union[str, Endpoint],
        *,
        user_id: Optional[str] = None,
        params: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        url: Optional[str] = None,
        path: Optional[Mapping[str, str]] = None,
    ) -> ApiResponse:
        """Call v3 endpoint ``name`` with the application token (and ``sc-user-id`` when
        given), at ``url`` if given (a page link, a checked URL), else at its path with
        ``path``'s values in its placeholders.

        ``headers`` are sent too (``user_id`` wins over an ``sc-user-id`` among them).

        Raises:
            SmartcarException: the subclass the error answer maps to;
                ``MonthlyLimitExceeded`` or ``RateLimitingException`` from the call meter
                (nothing sent); ``TokenStoreException`` when the meter's store failed.
        """
        call = resolve(name, self.config, user_id, headers, url, path)
        return _calls.call(
            call.described,
            config=self.config,
            source=self.tokens,
            params=params,
            json_body=json_body,
            headers=call.headers,
            url=call.url,
            gate=self.metering.gate(call.vehicle_id),
        )

    def pages(
        self,
        name: str,
        params: Mapping[str, Any],
        *,
        page_size: Optional[int] = None,
        user_id: Optional[str] = None,
    ) -> Iterator[Tuple[ApiResponse, List[Mapping[str, Any]]]]:
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

        def fetch(number: Hashable) -> Tuple[ApiResponse, List[Mapping[str, Any]], Any]:
            nonlocal listed
            query = page_query(params, number, page_size)
            response = self.call(name, params=query, user_id=user_id)
            items = many(response, "list")
            listed += len(items)
            return response, items, next_page(response.body, items, number, listed, page_size)

        return _pages.walk(1, fetch, _resource_id)


class Resolved(NamedTuple):
    """What one v3 call is: its endpoint, headers, URL and the vehicle it is billed to."""

    described: Endpoint
    headers: Optional[Mapping[str, str]]
    url: str
    vehicle_id: Optional[str]


_VEHICLE_PATH = "vehicles/{vehicle_id}"


def resolve(
    name: Union[str, Endpoint],
    config: Config,
    user_id: Optional[str],
    headers: Optional[Mapping[str, str]],
    url: Optional[str],
    path: Optional[Mapping[str, str]],
) -> Resolved:
    """The endpoint, the headers (with ``sc-user-id`` when a user is given), the URL (``url``
    if given, else the endpoint's path with ``path``'s values) and the billed vehicle (the one
    the URL names under the vehicle API, :func:`~smartcar.v3._metering.vehicle_of`) of one v3
    call."""
    described = ENDPOINTS[name] if isinstance(name, str) else name
    if user_id is not None:
        headers = {**headers, USER_ID_HEADER: user_id} if headers else {USER_ID_HEADER: user_id}
    if url is not None:
        return Resolved(described, headers, url, vehicle_of(url))
    target = _calls.url_for(described, config, **(path or {}))
    if path and described.service == VEHICLE_API and described.path.startswith(_VEHICLE_PATH):
        # The id the URL was made of: what vehicle_of(target) would read back from it.
        return Resolved(described, headers, target, path["vehicle_id"])
    return Resolved(described, headers, target, vehicle_of(target))


def page_query(
    params: Mapping[str, Any], number: Hashable, page_size: Optional[int]
) -> Dict[str, Any]:
    """The query of page ``number`` of a listing."""
    query = dict(params)
    query["page[number]"] = number
    if page_size is not None:
        query["page[size]"] = page_size
    return query


def next_page(
    body: Any, items: List[Any], number: Hashable, listed: int, page_size: Optional[int]
) -> Optional[int]:
    """The next page's number, or ``None`` after the last page: one that is empty, has
    ``links.next: null``, reaches ``meta.totalCount``, or is shorter than the page size."""
    info = _parse.page_info(body)
    size = info.size or page_size
    last = (
        not items
        or info.has_next is False
        or (info.total is not None and listed >= info.total)
        or (info.has_next is None and size is not None and len(items) < size)
    )
    return None if last or not isinstance(number, int) else number + 1


def _resource_id(item: Mapping[str, Any]) -> Optional[str]:
    return _parse.optional_str(item.get("id"))
