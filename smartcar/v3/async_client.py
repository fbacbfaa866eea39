"""``smartcar.v3.AsyncClient``: :class:`smartcar.v3.Client` for ``asyncio``.

The same methods, arguments, results and exceptions, awaitable; listings are async iterators
(``async for``) and so is :meth:`AsyncClient.sweep`. The settings, their checks, the Connect
URL, the call meter and the token store are the sync client's own (an ``AsyncClient`` holds a
:class:`~smartcar.v3.Client` for them); requests go through an async driver on the caller's
``aiohttp.ClientSession`` or ``httpx.AsyncClient`` (``session=``), or on a client the SDK
makes itself and closes in :meth:`AsyncClient.aclose` (``async with`` does it).
"""

from __future__ import annotations

from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Dict,
    Iterable,
    Mapping,
    Optional,
    Tuple,
    Type,
    Union,
    cast,
)

from .. import api
from .._answers import parsed
from .._async_drivers import AsyncTransport as Driver
from .._async_drivers import driver_for, own_driver
from .._checks import check_id
from . import _async_request, _async_sweep, _resources
from ._async_http import AsyncTransport
from ._async_token import AsyncAppTokenSource
from ._http import ENDPOINTS
from ._signals import kept_signals
from ._sweep import SweepProgress, SweepResult
from .async_vehicle import AsyncVehicle
from .client import _MAX_PAGE_SIZE, Client, _filters, _mode, _page_size, _v3_url
from .types import Connection, SubscribeResult, Subscription, Webhook

if TYPE_CHECKING:
    from ..tokens.store import TokenStore

__all__ = ["AsyncClient"]


class AsyncClient:
    """A v3 application for ``asyncio`` code (see :class:`smartcar.v3.Client`).

    Args:
        session: an ``aiohttp.ClientSession`` (in Home Assistant, its shared one) or an
            ``httpx.AsyncClient`` to send on; the caller keeps it open and closes it. Without
            one the SDK makes its own (aiohttp when installed, else httpx:
            ``pip install 'smartcar-sdk-next[async]'``), closed by :meth:`aclose`.
        The others: as :class:`smartcar.v3.Client`.

    Raises:
        ValueError, TypeError: as :class:`smartcar.v3.Client`; ``session`` of another kind.
    """

    def __init__(
        self,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        *,
        application_id: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        token_store: Optional[TokenStore] = None,
        timeout: Optional[api.Timeout] = None,
        max_retries: Optional[int] = None,
        monthly_limit: Optional[int] = None,
        session: Any = None,
    ) -> None:
        self._sync = Client(
            client_id,
            client_secret,
            application_id=application_id,
            redirect_uri=redirect_uri,
            token_store=token_store,
            timeout=timeout,
            max_retries=max_retries,
            monthly_limit=monthly_limit,
        )
        self._driver: Optional[Driver] = None if session is None else driver_for(session)
        self._config = self._sync._config
        self._tokens = AsyncAppTokenSource(self._sync._tokens, self._get_driver, self._config)
        self._transport = AsyncTransport(
            self._tokens, self._sync._metering, self._config, self._get_driver
        )

    def __repr__(self) -> str:
        return "Async" + repr(self._sync)

    @property
    def client_id(self) -> str:
        """The API credential's id."""
        return self._sync.client_id

    @property
    def application_id(self) -> Optional[str]:
        """The Application ID Connect calls ``client_id``."""
        return self._sync.application_id

    @property
    def redirect_uri(self) -> Optional[str]:
        """The redirect URI for Connect."""
        return self._sync.redirect_uri

    # The connection pool -----------------------------------------------------------------

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        trace: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the SDK's own connection pool (a caller's ``session`` stays open)."""
        driver, self._driver = self._driver, None
        if driver is not None:
            await driver.aclose()

    def _get_driver(self) -> Driver:
        if self._driver is None:
            self._driver = own_driver()  # made on the event loop that first sends
        return self._driver

    # The application token and Connect -------------------------------------------------

    async def access_token(self) -> str:
        """See :meth:`smartcar.v3.Client.access_token`: one request however many tasks ask."""
        return await self._tokens.access_token()

    def get_auth_url(
        self,
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
        """See :meth:`smartcar.v3.Client.get_auth_url` (no request: not awaitable)."""
        return self._sync.get_auth_url(
            scope,
            state=state,
            force=force,
            mode=mode,
            make=make,
            single_select=single_select,
            flags=flags,
            external_id=external_id,
            user=user,
        )

    async def calls_this_month(self, vehicle_id: str) -> int:
        """See :meth:`smartcar.v3.Client.calls_this_month` (the store is read off the loop)."""
        calls: int = await self._transport.off_loop(self._sync.calls_this_month, vehicle_id)
        return calls

    def vehicle(self, vehicle_id: str, user_id: str, unit_system: str = "metric") -> AsyncVehicle:
        """See :meth:`smartcar.v3.Client.vehicle`."""
        return AsyncVehicle(self._transport, vehicle_id, user_id, unit_system)

    # Connections and users -------------------------------------------------------------

    def connections(
        self,
        *,
        user_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
        external_id: Optional[str] = None,
        mode: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> AsyncIterator[Connection]:
        """See :meth:`smartcar.v3.Client.connections`; iterate with ``async for``."""
        params = _filters(
            ("filter[userId]", "user_id", user_id),
            ("filter[vehicleId]", "vehicle_id", vehicle_id),
            ("filter[user.externalId]", "external_id", external_id),
        )
        if mode is not None:
            params["filter[vehicle.mode]"] = _mode(mode)
        return self._iterate(
            "connections",
            params,
            _page_size(page_size),
            _resources.connection_from,
            user_id=user_id,
        )

    async def get_connection(self, connection_id: str) -> Connection:
        """See :meth:`smartcar.v3.Client.get_connection`."""
        path = {"connection_id": check_id("connection_id", connection_id)}
        return cast(Connection, await self._one("connection", path, _resources.connection_from))

    async def delete_connection(self, connection_id: str) -> None:
        """See :meth:`smartcar.v3.Client.delete_connection`."""
        await self._transport.call(
            "delete_connection", path={"connection_id": check_id("connection_id", connection_id)}
        )

    async def delete_user(self, user_id: str) -> None:
        """See :meth:`smartcar.v3.Client.delete_user`."""
        await self._transport.call("delete_user", path={"user_id": check_id("user_id", user_id)})

    # Webhooks and subscriptions --------------------------------------------------------

    def webhooks(
        self,
        *,
        name: Optional[str] = None,
        callback_uri: Optional[str] = None,
        is_enabled: Optional[bool] = None,
        auto_subscribe: Optional[bool] = None,
        page_size: Optional[int] = None,
    ) -> AsyncIterator[Webhook]:
        """See :meth:`smartcar.v3.Client.webhooks`; iterate with ``async for``."""
        params = _filters(
            ("filter[name]", "name", name), ("filter[callbackUri]", "callback_uri", callback_uri)
        )
        for key, flag_name, flag in (
            ("filter[isEnabled]", "is_enabled", is_enabled),
            ("filter[autoSubscribe]", "auto_subscribe", auto_subscribe),
        ):
            if flag is not None and not isinstance(flag, bool):
                raise ValueError(f"{flag_name} must be True, False or None, not {flag!r}")
            if flag is not None:
                params[key] = "true" if flag else "false"
        return self._iterate("webhooks", params, _page_size(page_size), _resources.webhook_from)

    async def get_webhook(self, webhook_id: str) -> Webhook:
        """See :meth:`smartcar.v3.Client.get_webhook`."""
        path = {"webhook_id": check_id("webhook_id", webhook_id)}
        return cast(Webhook, await self._one("webhook", path, _resources.webhook_from))

    async def subscribe(self, webhook_id: str, *, vehicle_id: str, user_id: str) -> SubscribeResult:
        """See :meth:`smartcar.v3.Client.subscribe`."""
        attributes = {
            "webhookId": check_id("webhook_id", webhook_id),
            "userId": check_id("user_id", user_id),
            "vehicleId": check_id("vehicle_id", vehicle_id),
        }
        response = await self._transport.call(
            "subscribe", json_body={"data": {"attributes": attributes}}
        )
        return _resources.subscribe_result(response)

    def subscriptions(
        self,
        *,
        webhook_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
        user_id: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> AsyncIterator[Subscription]:
        """See :meth:`smartcar.v3.Client.subscriptions`; iterate with ``async for``."""
        params = _filters(
            ("filter[webhookId]", "webhook_id", webhook_id),
            ("filter[vehicleId]", "vehicle_id", vehicle_id),
            ("filter[userId]", "user_id", user_id),
        )
        return self._iterate(
            "subscriptions", params, _page_size(page_size), _resources.subscription_from
        )

    async def get_subscription(self, subscription_id: str) -> Subscription:
        """See :meth:`smartcar.v3.Client.get_subscription`."""
        path = {"subscription_id": check_id("subscription_id", subscription_id)}
        return cast(
            Subscription, await self._one("subscription", path, _resources.subscription_from)
        )

    async def unsubscribe(self, subscription_id: str) -> None:
        """See :meth:`smartcar.v3.Client.unsubscribe`."""
        path = {"subscription_id": check_id("subscription_id", subscription_id)}
        await self._transport.call("unsubscribe", path=path)

    # Any other endpoint ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> api.ApiResponse:
        """See :meth:`smartcar.v3.Client.request`."""
        return await _async_request.send(
            self._transport, method, _v3_url(path), body=body, params=params, headers=headers
        )

    # Fleets ----------------------------------------------------------------------------

    def sweep(
        self,
        codes: Optional[Iterable[str]] = None,
        *,
        concurrency: int = 16,
        user_id: Optional[str] = None,
        shard: Optional[Tuple[int, int]] = None,
        on_progress: Optional[Callable[[SweepProgress], None]] = None,
    ) -> AsyncIterator[SweepResult]:
        """See :meth:`smartcar.v3.Client.sweep`; iterate with ``async for``. At most
        ``concurrency`` reads are in flight, on at most as many connections."""
        policy = self._config.retry
        reader = self._transport.with_config(self._config.replace(max_retries=0))

        def vehicle(connection: Connection) -> AsyncVehicle:
            return AsyncVehicle(reader, connection["vehicle_id"] or "", connection["user_id"] or "")

        def read(connection: Connection) -> Awaitable[api.ApiResponse]:
            return vehicle(connection)._call("signals", raw_body=True)

        async def finish(connection: Connection, answer: api.ApiResponse) -> Mapping[str, Any]:
            first = parsed(answer, ENDPOINTS["signals"].fields)
            return (await vehicle(connection)._fetch_signals(kept_signals, first))[0]

        async def paused_until() -> float:
            until: float = await self._transport.off_loop(self._sync._metering.paused_until)
            return until

        if user_id is not None:
            check_id("user_id", user_id)
        return _async_sweep.sweep(
            self.connections(user_id=user_id, page_size=_MAX_PAGE_SIZE),
            read,
            finish=finish,
            codes=None if codes is None else tuple(codes),
            concurrency=concurrency,
            shard=shard,
            on_progress=on_progress,
            policy=policy,
            paused_until=paused_until,
        )

    # Plumbing --------------------------------------------------------------------------

    async def _one(self, name: str, path: Mapping[str, str], build: Any) -> Any:
        response = await self._transport.call(name, path=path)
        item = _resources.one(response, name)
        return _resources.converted(response, item, build)

    async def _iterate(
        self,
        name: str,
        params: Dict[str, Any],
        page_size: Optional[int],
        build: Any,
        *,
        user_id: Optional[str] = None,
    ) -> AsyncIterator[Any]:
        async for response, items in self._transport.pages(
            name, params, page_size=page_size, user_id=user_id
        ):
            for item in items:
                yield _resources.converted(response, item, build)
