"""``smartcar.v3.Client``: the application's credentials, and everything they can reach.

One application token (``POST {iam}/oauth2/token``, client credentials) authorises every call
for every vehicle; ``sc-user-id`` says which user the call acts for. The client owns that token
(see :mod:`smartcar.v3._app_token` for caching and sharing), builds Connect URLs with the
Application ID, lists and removes connections and users, and manages webhook subscriptions.
Its settings fall back to the ``SMARTCAR_*`` environment variables.
"""

from __future__ import annotations

import os
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    Mapping,
    Optional,
    Tuple,
    Union,
)

from .. import _transport, const
from .._answers import ApiResponse
from .._checks import check_id
from .._config import Config, Timeout, check_retries, check_timeout
from . import _connect, _request, _resources, _sweep
from ._app_token import AppTokenSource
from ._http import Transport
from ._metering import Metering, check_monthly_limit
from ._signals import kept_signals
from ._sweep import SweepProgress, SweepResult
from .types import Connection, SubscribeResult, Subscription, Webhook
from .vehicle import Vehicle

if TYPE_CHECKING:
    from ..tokens.meter import CallMeter
    from ..tokens.store import TokenStore

__all__ = ["Client"]

_MAX_PAGE_SIZE = 100
ENVIRONMENT = {
    "client_id": "SMARTCAR_CLIENT_ID",
    "client_secret": "SMARTCAR_CLIENT_SECRET",
    "application_id": "SMARTCAR_APPLICATION_ID",
    "redirect_uri": "SMARTCAR_REDIRECT_URI",
}
"""Argument -> the environment variable it falls back to."""


class Client:
    """A v3 application: its API credentials, Connect settings and token.

    Each of the four settings not given is read from the environment: ``SMARTCAR_CLIENT_ID``,
    ``SMARTCAR_CLIENT_SECRET``, ``SMARTCAR_APPLICATION_ID``, ``SMARTCAR_REDIRECT_URI``
    (an argument given wins; an empty variable counts as unset).

    Args:
        client_id: the API credential's id (``client_…``, Dashboard → API Credentials).
        client_secret: its secret (never shown by ``repr``, logs or exceptions).
        application_id: the Application ID (a UUID), which Connect calls ``client_id``;
            needed only by :meth:`get_auth_url`.
        redirect_uri: the redirect URI for Connect (the Dashboard's first one if omitted).
        token_store: a ``smartcar.tokens`` store (``SQLiteStore``, ``RedisStore``...) to share
            one application token between processes; without it each process keeps its own.
            It also keeps the call meter (calls per vehicle this month, vehicles the service
            refused with 430, the app-wide pause), so every worker sharing it shares them;
            without a store (or with one that is not a ``CallMeter``) the client counts in
            memory of its own.
        timeout: seconds, or ``(connect, read)``, for every request; process default if None.
        max_retries: retries allowed when a request certainly did not take effect.
        transport: what sends each request, e.g. ``smartcar.testing.MockTransport`` in your
            own unit tests; the network by default.
        monthly_limit: calls per vehicle per calendar month (UTC) this application allows
            itself: a call for a vehicle that reached it raises
            :class:`~smartcar.exceptions.MonthlyLimitExceeded` without a request. ``None``
            (default): no limit of its own (the service's 430 still stops a vehicle).

    Raises:
        ValueError: ``client_id``/``client_secret`` neither given nor in the environment
            (the message names the variable), empty, an ``application_id`` that is empty or
            an API credential id (``client_…``; the message says which value goes where), or
            a bad ``timeout``, ``max_retries`` or ``monthly_limit``.
        TypeError: ``token_store`` is not a ``TokenStore``.
    """

    def __init__(
        self,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        *,
        application_id: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        token_store: Optional[TokenStore] = None,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        monthly_limit: Optional[int] = None,
        transport: Optional[_transport.Transport] = None,
    ) -> None:
        client_id = _required("client_id", client_id)
        client_secret = _required("client_secret", client_secret)
        application_id = _setting("application_id", application_id)
        redirect_uri = _setting("redirect_uri", redirect_uri)
        for name, value in (("client_id", client_id), ("client_secret", client_secret)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string")
        if application_id is not None:
            _connect.check_application_id(application_id)
        if token_store is not None and not _is_token_store(token_store):
            raise TypeError(
                "token_store must be a smartcar.tokens.TokenStore (load, save, replace, delete, "
                f"acquire, release), not {type(token_store).__name__}"
            )
        self.client_id = client_id
        self.application_id = application_id
        self.redirect_uri = redirect_uri
        self.timeout = check_timeout(timeout) if timeout is not None else None
        self.max_retries = check_retries(max_retries) if max_retries is not None else None
        self.monthly_limit = check_monthly_limit(monthly_limit)
        self._config = Config(
            timeout=self.timeout, max_retries=self.max_retries, transport=transport
        )
        self._metering = Metering(_call_meter(token_store), client_id, self.monthly_limit)
        self._tokens = AppTokenSource(
            client_id, client_secret, store=token_store, config=self._config
        )
        self._transport = Transport(self._tokens, self._metering, self._config)

    def __repr__(self) -> str:
        return (
            f"Client(client_id={self.client_id!r}, application_id={self.application_id!r}, "
            f"redirect_uri={self.redirect_uri!r})"
        )

    # The application token and Connect -------------------------------------------------

    def access_token(self) -> str:
        """Return the application token, fetching it only when none is fresh.

        The token is cached and renewed shortly (at most a minute) before it expires; threads
        asking at the same moment share one request, and with ``token_store`` so do
        processes.

        Raises:
            AuthenticationException: the credentials were refused (``invalid_client``).
            TokenStoreException: the token store failed.
            SmartcarException: the token request failed otherwise.
        """
        return self._tokens.access_token()

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
        """Return the Smartcar Connect URL to send a user to.

        Args:
            scope: permissions to ask for (``"required:"`` prefix allowed); the Dashboard's
                Vehicle Access settings apply when omitted.
            state: an opaque value echoed back to the redirect (use it against CSRF).
            force: always show the approval screen (``approval_prompt=force``).
            mode: ``"live"`` (default, not sent), ``"simulated"`` or ``"test"``.
            make: skip the brand selection, e.g. ``"TESLA"``.
            single_select: ``True`` for one vehicle only; ``{"vin": VIN}`` for that vehicle.
            flags: ``{"country": "DE"}`` or ``["country:DE"]``.
            external_id: your id for the user, echoed back and shown on connections.
            user: a user id, to re-authorise that user.

        Returns:
            ``{connect}/oauth/authorize?response_type=code&client_id=<application id>&...``

        Raises:
            ValueError: the client has no ``application_id``, or a bad ``mode``/``scope``.
        """
        if not isinstance(self.application_id, str) or not self.application_id:
            raise ValueError(
                "get_auth_url needs the Application ID: Client(..., application_id=...) or "
                "SMARTCAR_APPLICATION_ID (Connect's client_id is the Application ID, not the "
                "client_… credential)"
            )
        return _connect.auth_url(
            self.application_id,
            self.redirect_uri,
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

    def calls_this_month(self, vehicle_id: str) -> int:
        """Return how many calls this application made for ``vehicle_id`` this calendar month
        (UTC), as counted by every worker sharing the client's token store.

        Raises:
            ValueError: an empty ``vehicle_id``.
            TokenStoreException: the token store failed.
        """
        return self._metering.calls(check_id("vehicle_id", vehicle_id))

    def vehicle(self, vehicle_id: str, user_id: str, unit_system: str = "metric") -> Vehicle:
        """Return the :class:`~smartcar.v3.Vehicle` ``vehicle_id`` as user ``user_id`` sees it.

        Raises:
            ValueError: a missing or empty id, or a bad ``unit_system`` (nothing is sent).
        """
        return Vehicle(self, vehicle_id, user_id, unit_system)

    # Connections and users -------------------------------------------------------------

    def connections(
        self,
        *,
        user_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
        external_id: Optional[str] = None,
        mode: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[Connection]:
        """Iterate over every connection (newest first), fetching pages only as needed.

        Args:
            user_id: only this user's connections (``filter[userId]`` and ``sc-user-id``).
            vehicle_id: only this vehicle's (``filter[vehicleId]``).
            external_id: only the user with this external id (``filter[user.externalId]``).
            mode: ``"live"`` (the service's default), ``"simulated"`` or ``"test"``.
            page_size: connections per request, 1 to 100 (the service's default: 10).

        Raises:
            ValueError: (at once) an empty id or a bad ``mode``/``page_size``.
            SmartcarException: (while iterating) a page's request failed.
        """
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

    def get_connection(self, connection_id: str) -> Connection:
        """Return one connection.

        Raises:
            ValueError: an empty ``connection_id``.
            ResourceNotFoundException: no such connection.
            SmartcarException: another error answer.
        """
        response = self._transport.call(
            "connection", path={"connection_id": check_id("connection_id", connection_id)}
        )
        item = _resources.one(response, "connection")
        connection: Connection = _resources.converted(response, item, _resources.connection_from)
        return connection

    def delete_connection(self, connection_id: str) -> None:
        """Remove one connection (the user's access to that vehicle).

        Raises:
            ValueError: an empty ``connection_id``.
            SmartcarException: the subclass the error answer maps to.
        """
        self._transport.call(
            "delete_connection", path={"connection_id": check_id("connection_id", connection_id)}
        )

    def delete_user(self, user_id: str) -> None:
        """Remove a user: all their connections and data are purged.

        Raises:
            ValueError: an empty ``user_id``.
            SmartcarException: the subclass the error answer maps to.
        """
        self._transport.call("delete_user", path={"user_id": check_id("user_id", user_id)})

    # Webhooks and subscriptions (management API) ---------------------------------------

    def webhooks(
        self,
        *,
        name: Optional[str] = None,
        callback_uri: Optional[str] = None,
        is_enabled: Optional[bool] = None,
        auto_subscribe: Optional[bool] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[Webhook]:
        """Iterate over the application's webhooks (configured in the Dashboard).

        Args:
            name: partial, case-insensitive name filter.
            callback_uri: partial, case-insensitive callback URI filter.
            is_enabled: only enabled (``True``) or disabled (``False``) webhooks.
            auto_subscribe: only webhooks that do (or do not) auto-subscribe vehicles.
            page_size: webhooks per request, 1 to 100 (the service's default: 50).

        Raises:
            ValueError: (at once) a bad ``page_size``, or a flag that is not a bool.
            SmartcarException: (while iterating) a page's request failed.
        """
        params = _filters(
            ("filter[name]", "name", name), ("filter[callbackUri]", "callback_uri", callback_uri)
        )
        for key, name, flag in (
            ("filter[isEnabled]", "is_enabled", is_enabled),
            ("filter[autoSubscribe]", "auto_subscribe", auto_subscribe),
        ):
            if flag is not None and not isinstance(flag, bool):
                raise ValueError(f"{name} must be True, False or None, not {flag!r}")
            if flag is not None:
                params[key] = "true" if flag else "false"
        return self._iterate("webhooks", params, _page_size(page_size), _resources.webhook_from)

    def get_webhook(self, webhook_id: str) -> Webhook:
        """Return one webhook.

        Raises:
            ValueError: an empty ``webhook_id``.
            ResourceNotFoundException: no such webhook.
            SmartcarException: another error answer.
        """
        response = self._transport.call(
            "webhook", path={"webhook_id": check_id("webhook_id", webhook_id)}
        )
        item = _resources.one(response, "webhook")
        webhook: Webhook = _resources.converted(response, item, _resources.webhook_from)
        return webhook

    def subscribe(self, webhook_id: str, *, vehicle_id: str, user_id: str) -> SubscribeResult:
        """Subscribe a user's vehicle to a webhook (``POST /subscriptions``).

        Returns:
            The accepted request: the service answers 202 "subscription creation in
            progress"; ``subscription`` is set only when it answered with the resource.

        Raises:
            ValueError: a missing or empty id (nothing is sent).
            StateException: (409) the vehicle is already subscribed to this webhook.
            SmartcarException: another error answer.
        """
        attributes = {
            "webhookId": check_id("webhook_id", webhook_id),
            "userId": check_id("user_id", user_id),
            "vehicleId": check_id("vehicle_id", vehicle_id),
        }
        response = self._transport.call("subscribe", json_body={"data": {"attributes": attributes}})
        return _resources.subscribe_result(response)

    def subscriptions(
        self,
        *,
        webhook_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
        user_id: Optional[str] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[Subscription]:
        """Iterate over the application's subscriptions, optionally filtered.

        Args:
            webhook_id: only this webhook's (``filter[webhookId]``).
            vehicle_id: only this vehicle's (``filter[vehicleId]``).
            user_id: only this user's (``filter[userId]``).
            page_size: subscriptions per request, 1 to 100 (the service's default: 25).

        Raises:
            ValueError: (at once) an empty id or a bad ``page_size``.
            SmartcarException: (while iterating) a page's request failed.
        """
        params = _filters(
            ("filter[webhookId]", "webhook_id", webhook_id),
            ("filter[vehicleId]", "vehicle_id", vehicle_id),
            ("filter[userId]", "user_id", user_id),
        )
        return self._iterate(
            "subscriptions", params, _page_size(page_size), _resources.subscription_from
        )

    def get_subscription(self, subscription_id: str) -> Subscription:
        """Return one subscription.

        Raises:
            ValueError: an empty ``subscription_id``.
            ResourceNotFoundException: no such subscription.
            SmartcarException: another error answer.
        """
        response = self._transport.call(
            "subscription", path={"subscription_id": check_id("subscription_id", subscription_id)}
        )
        item = _resources.one(response, "subscription")
        subscription: Subscription = _resources.converted(
            response, item, _resources.subscription_from
        )
        return subscription

    def unsubscribe(self, subscription_id: str) -> None:
        """Delete a subscription: the vehicle stops sending that webhook's deliveries.

        Raises:
            ValueError: an empty ``subscription_id``.
            SmartcarException: the subclass the error answer maps to.
        """
        self._transport.call(
            "unsubscribe", path={"subscription_id": check_id("subscription_id", subscription_id)}
        )

    # Any other endpoint ------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> ApiResponse:
        """Send a request to a v3 endpoint the SDK has no method for.

        ``path`` is below the vehicle API's ``/v3`` (``"connections"``,
        ``"vehicles/{id}/signals"``...); a full URL is accepted only under the vehicle or
        management API's ``/v3``, so the application token goes nowhere else. Give
        ``headers={"sc-user-id": user_id}`` to act for a user (or use
        :meth:`Vehicle.request <smartcar.v3.Vehicle.request>`). Errors raise the same
        exceptions as every call, and only a ``GET`` is ever sent again (after a 429, 502 or
        503; any method after a 401 that refused the token).

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: the path (percent-encode segments yourself), or a full v3 URL.
            body: a JSON-serialisable body (sent as ``application/json``).
            params: query parameters (a value may be a list).
            headers: extra headers (not ``Authorization``).

        Returns:
            The answer: ``status_code``, ``headers``, ``body`` (parsed JSON, ``None`` when
            empty) and ``request_id``.

        Raises:
            ValueError, TypeError: a bad argument, or a URL outside the v3 APIs (nothing is
                sent).
            SmartcarException: the subclass the error answer maps to.
        """
        return _request.send(
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
    ) -> Iterator[SweepResult]:
        """Read the signals of every connected vehicle, ``concurrency`` at a time.

        Pages through :meth:`connections` lazily (100 per page) and reads each vehicle's
        signals (one request each; only ``codes`` are kept when given) on the pooled
        connections; yields a :class:`~smartcar.v3.SweepResult` per connection as it
        completes: its signals, or the exception for that vehicle (one vehicle's failure never
        stops the sweep). A 429 with ``Retry-After`` puts only that vehicle aside; retries
        follow the client's policy. An app-wide 429 pauses the whole sweep (no read starts
        until the pause ends); a vehicle the service refused with 430 this month, or one at
        ``monthly_limit``, gets a failed result (``MonthlyLimitExceeded``) without a request.
        Memory is bounded by ``concurrency``, not by the fleet, and so are the connections:
        every read in flight keeps its connection alive for the next one.

        Args:
            codes: signal codes to keep (all signals when ``None``).
            concurrency: reads in flight at most (1 to 1024).
            user_id: only this user's vehicles.
            shard: ``(k, n)``: a stable 1/n of the fleet by vehicle id, so ``n`` workers
                cover it exactly once without talking to each other.
            on_progress: called after each result with a :class:`~smartcar.v3.SweepProgress`.

        Raises:
            ValueError, TypeError: (at once) bad arguments; nothing is sent.
            SmartcarException: (while iterating) listing the connections failed.
        """
        policy = self._config.retry
        # The reads go out without retries of their own: the sweep schedules the repeats, so
        # a vehicle waiting out a Retry-After holds no worker.
        reader = Transport(self._tokens, self._metering, self._config.replace(max_retries=0))

        def read(connection: Connection) -> Mapping[str, Any]:
            vehicle_id, user_id = connection["vehicle_id"] or "", connection["user_id"] or ""
            return Vehicle(reader, vehicle_id, user_id)._fetch_signals(kept_signals)[0]

        if user_id is not None:
            check_id("user_id", user_id)
        if self._config.transport is None:
            # Every read in flight, and the listing, on a kept-alive connection of its own.
            _transport.reserve_connections(_sweep.check_concurrency(concurrency) + 1)
        return _sweep.sweep(
            self.connections(user_id=user_id, page_size=_MAX_PAGE_SIZE),
            read,
            codes=None if codes is None else _sweep.check_codes(codes),
            concurrency=concurrency,
            shard=shard,
            on_progress=on_progress,
            policy=policy,
            paused_until=self._metering.paused_until,
        )

    # Plumbing --------------------------------------------------------------------------

    def _iterate(
        self,
        name: str,
        params: Dict[str, Any],
        page_size: Optional[int],
        build: Any,
        *,
        user_id: Optional[str] = None,
    ) -> Iterator[Any]:
        for response, items in self._transport.pages(
            name, params, page_size=page_size, user_id=user_id
        ):
            for item in items:
                yield _resources.converted(response, item, build)


def _setting(name: str, value: Optional[str]) -> Optional[str]:
    """``value`` if given, else its environment variable's (unset or empty: ``None``)."""
    if value is not None:
        return value
    return os.environ.get(ENVIRONMENT[name]) or None


def _required(name: str, value: Optional[str]) -> str:
    """:func:`_setting`, for a setting without which nothing works.

    Raises:
        ValueError: neither given nor set; the message names the variable.
    """
    found = _setting(name, value)
    if found is None:
        raise ValueError(f"{name} is required: pass {name}= or set {ENVIRONMENT[name]}")
    return found


def _v3_url(path: Any) -> str:
    """The URL ``Client.request`` sends to: under one of the v3 APIs, never elsewhere."""
    if isinstance(path, str) and "://" in path:
        for base in (const.VEHICLE_API_V3_URL, const.MANAGEMENT_API_V3_URL):
            if path.startswith(base.rstrip("/") + "/"):
                return _request.under(base.rstrip("/"), path[len(base.rstrip("/")) :])
        raise ValueError("path must be below the v3 vehicle or management API, or relative")
    return _request.under(const.VEHICLE_API_V3_URL.rstrip("/"), path)


def _is_token_store(value: Any) -> bool:
    # Imported here: ``import smartcar.v3`` (and the webhooks module) stay free of the stores.
    from ..tokens.store import TokenStore

    return isinstance(value, TokenStore)


def _call_meter(token_store: object) -> CallMeter:
    """The token store when it is a ``CallMeter``, else a ``MemoryStore`` of the client's own."""
    from ..tokens.memory import MemoryStore
    from ..tokens.meter import CallMeter

    if isinstance(token_store, CallMeter):
        return token_store
    return MemoryStore()


def _filters(*filters: Tuple[str, str, Optional[str]]) -> Dict[str, Any]:
    """Return ``{query parameter: value}`` for each ``(parameter, argument, value)`` given."""
    return {key: check_id(name, value) for key, name, value in filters if value is not None}


def _mode(mode: Any) -> str:
    if mode not in _connect.MODES:
        raise ValueError(f"mode must be one of {', '.join(_connect.MODES)}, not {mode!r}")
    return str(mode)


def _page_size(page_size: Any) -> Optional[int]:
    if page_size is None:
        return None
    if (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= _MAX_PAGE_SIZE
    ):
        raise ValueError(
            f"page_size must be an integer from 1 to {_MAX_PAGE_SIZE}, not {page_size!r}"
        )
    return page_size
