"""The v3 handlers: ``POST /oauth2/token`` (application tokens, :meth:`V3Service.token`),
the Vehicle API (``/v3/vehicles``, ``/v3/connections``, ``/v3/users``) and the Management
API (``/v3/webhooks``, ``/v3/subscriptions``), over the emulator's shared vehicle state.

Handlers raise :class:`~smartcar.emulator.problems.Problem`; the surfaces of
:mod:`smartcar.emulator.routes.v3` render them (v3 ``{"errors": [...]}``, OAuth for the
token endpoint). Faults, per-vehicle rate limits, the request log and latency are the
emulator's middleware's job (see :func:`rate_limited`).
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from smartcar.emulator import bounds
from smartcar.emulator._clock import Clock
from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.problems import Problem
from smartcar.emulator.v3 import commands, jsonapi, resources, schedules, signals
from smartcar.emulator.v3.errors import invalid_input
from smartcar.emulator.v3.registry import (
    MODES,
    AppTokens,
    Connection,
    Registry,
    Subscription,
    Webhook,
)
from smartcar.emulator.web import BadJson, Reply, Req, json_reply, parse_json, request_body

if TYPE_CHECKING:
    pass

_JSON = "application/json"
CONNECTIONS_PAGE_SIZE = 10
WEBHOOKS_PAGE_SIZE = 50
SUBSCRIPTIONS_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
SUBSCRIPTION_ACCEPTED = {"meta": {"message": "subscription creation in progress"}}

VehicleLookup = Callable[[str], Optional[SimVehicle]]

# Every ``/v3`` route: a path leads to its handler in one look. The endpoint
# names the V3Service method (``_`` + endpoint); the vehicle endpoints go through
# ``_vehicles`` (the vehicle and the connection first). HEAD is taken wherever GET is.
ROUTES = Map(
    [
        Rule("/v3/vehicles/<vehicle_id>", methods=["GET"], endpoint="vehicle"),
        Rule("/v3/vehicles/<vehicle_id>/signals", methods=["GET"], endpoint="signals"),
        Rule("/v3/vehicles/<vehicle_id>/signals/<code>", methods=["GET"], endpoint="signal"),
        Rule("/v3/vehicles/<vehicle_id>/commands/<group>/<action>", methods=["POST"],
             endpoint="command"),
        Rule("/v3/vehicles/<vehicle_id>/charge-schedules/<schedule_type>", methods=["POST"],
             endpoint="create_schedule"),
        Rule("/v3/vehicles/<vehicle_id>/charge-schedules/<schedule_id>", methods=["DELETE"],
             endpoint="delete_schedule"),
        Rule("/v3/connections", methods=["GET"], endpoint="list_connections"),
        Rule("/v3/connections/<connection_id>", methods=["GET"], endpoint="get_connection"),
        Rule("/v3/connections/<connection_id>", methods=["DELETE"], endpoint="delete_connection"),
        Rule("/v3/users/<user_id>", methods=["DELETE"], endpoint="delete_user"),
        Rule("/v3/webhooks", methods=["GET"], endpoint="list_webhooks"),
        Rule("/v3/webhooks/<webhook_id>", methods=["GET"], endpoint="get_webhook"),
        Rule("/v3/subscriptions", methods=["GET"], endpoint="list_subscriptions"),
        Rule("/v3/subscriptions", methods=["POST"], endpoint="subscribe"),
        Rule("/v3/subscriptions/<subscription_id>", methods=["GET"], endpoint="get_subscription"),
        Rule("/v3/subscriptions/<subscription_id>", methods=["DELETE"], endpoint="unsubscribe"),
    ],
    strict_slashes=False,
)  # fmt: skip
_VEHICLE_ENDPOINTS = frozenset(
    {"vehicle", "signals", "signal", "command", "create_schedule", "delete_schedule"}
)


class V3Service:
    """The v3 API over shared state.

    ``vehicle`` looks a simulated vehicle up by id (None when unknown); ``lock`` guards the
    vehicles (the emulator's state lock); ``credentials`` gives the app's current
    ``(client_id, client_secret)``. ``time_format`` (``"seconds"``, ``"milliseconds"`` or
    ``"iso"``) is how signal times are written; ``command_status`` (200 or 202) the HTTP
    status of a successful command.
    """

    def __init__(
        self,
        clock: Clock,
        vehicle: VehicleLookup,
        credentials: Callable[[], Tuple[str, str]],
        lock: Optional[threading.RLock] = None,
        registry: Optional[Registry] = None,
    ) -> None:
        self.clock = clock
        self._vehicle = vehicle
        self._credentials = credentials
        self.lock = lock if lock is not None else threading.RLock()
        self.tokens = AppTokens(clock.now)
        self.registry = registry if registry is not None else Registry()
        self.time_format = "iso"
        self.command_status = 200

    def reset(self) -> None:
        """Forget application tokens; default options (the registry is the state's)."""
        self.tokens.clear()
        self.time_format = "iso"
        self.command_status = 200

    def answer(self, request: Req) -> Reply:
        """The response to a ``/v3`` request.

        Raises:
            Problem: the request fails (the surface renders it in the v3 form).
        """
        endpoint, args = self._route(request)
        self._authenticate(request)
        if endpoint in _VEHICLE_ENDPOINTS:
            return self._vehicles(request, endpoint, **args)
        handler: Callable[..., Reply] = getattr(self, "_" + endpoint)
        return handler(request, **args)

    # ---------------------------------------------------------------- /oauth2/token
    def token(self, request: Req) -> Reply:
        """An application token for ``POST /oauth2/token`` (client credentials).

        Raises:
            Problem: with the OAuth ``error`` as its code.
        """
        self.tokens.count_request()
        if request.method != "POST":
            raise Problem("VALIDATION", "Use POST.", "invalid_request", status=405)
        fields = _token_fields(request)
        if not fields.get("grant_type"):
            raise Problem("VALIDATION", "grant_type is required.", "invalid_request")
        client_id, client_secret = fields.get("client_id"), fields.get("client_secret")
        auth = request.request.authorization
        if not client_id and auth is not None and (auth.type or "").lower() == "basic":
            client_id, client_secret = auth.username, auth.password
        if (client_id, client_secret) != self._credentials():
            raise Problem("AUTHENTICATION", "Invalid client id or client secret.", "invalid_client")
        if fields["grant_type"] != "client_credentials":
            raise Problem(
                "VALIDATION",
                "Only grant_type=client_credentials is supported.",
                "unsupported_grant_type",
            )
        token = self.tokens.issue()
        lifetime = round((token.expires_at - self.clock.now()).total_seconds())
        payload = {"access_token": token.token, "token_type": "Bearer", "expires_in": lifetime}
        return json_reply(200, payload, {"Cache-Control": "no-store"})

    # ---------------------------------------------------------------- /v3
    def _route(self, request: Req) -> Tuple[str, Dict[str, str]]:
        """The endpoint of :data:`ROUTES` and its arguments; a path or method no route
        takes is 404 ``RESOURCE_NOT_FOUND``/``PATH`` (authenticated first, as the service
        answers 401 before it looks at the path)."""
        path = request.path.rstrip("/") or "/"
        try:
            endpoint, args = ROUTES.bind("emulator").match(path, method=request.method)
        except HTTPException:
            self._authenticate(request)
            raise _no_route(request.method, request.path) from None
        return str(endpoint), dict(args)

    def _authenticate(self, request: Req) -> None:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        problem = (
            self.tokens.check(token.strip())
            if scheme.lower() == "bearer" and token.strip()
            else "The Authorization token is missing or invalid."
        )
        if problem is not None:
            raise Problem("AUTHENTICATION", problem, "UNAUTHORIZED")

    def _base(self, request: Req) -> str:
        return request.request.host_url.rstrip("/") + "/v3"

    # ---------------------------------------------------------------- vehicles
    def _vehicles(self, request: Req, endpoint: str, vehicle_id: str, **args: str) -> Reply:
        """Every ``/v3/vehicles/{id}...`` endpoint: the vehicle through the connection of
        ``sc-user-id`` (not needed for the vehicle itself), then the endpoint's work."""
        user_id = (request.header("sc-user-id") or "").strip()
        if endpoint != "vehicle" and not user_id:
            raise Problem("VALIDATION", "missing userId", "MISSING_PARAMETER")
        now = self.clock.now()
        with self.lock:
            vehicle = self._vehicle(vehicle_id)
            connection = self._connection_for(vehicle_id, user_id, vehicle is not None)
            assert vehicle is not None
            vehicle.advance(now)
            if endpoint == "vehicle":
                document = {"data": signals.vehicle_resource(vehicle, connection.mode)}
                return json_reply(200, document)
            if vehicle.state_error:
                raise Problem(
                    "VEHICLE_STATE",
                    f"The vehicle cannot answer now ({vehicle.state_error}).",
                    vehicle.state_error,
                )
            if endpoint in ("signals", "signal"):
                return self._signals(request, vehicle, connection, args.get("code"), now)
            if endpoint == "delete_schedule":
                document = schedules.delete(
                    vehicle, connection.permissions, args["schedule_id"], now
                )
                return json_reply(self.command_status, document)
            attrs = jsonapi.attributes(request_body(request.environ))
            if endpoint == "create_schedule":
                document = schedules.create(
                    args["schedule_type"], vehicle, connection.permissions, attrs, now
                )
                return json_reply(self.command_status, document)
            name = f"{args['group']}/{args['action']}"
            document = commands.execute(name, vehicle, connection.permissions, attrs, now)
            return json_reply(self.command_status, document)

    def _connection_for(self, vehicle_id: str, user_id: str, known: bool) -> Connection:
        """The connection a vehicle request acts through: the user's when ``sc-user-id``
        is given, else any (``GET /vehicles/{id}`` does not declare the header)."""
        found: Optional[Connection] = None
        if known:
            if user_id:
                found = self.registry.find(user_id, vehicle_id)
                if found is None and self.registry.is_connected(vehicle_id):
                    raise Problem(
                        "PERMISSION",
                        f"The user {user_id} has not connected the vehicle {vehicle_id}.",
                    )
            else:
                matches = self.registry.connections(vehicle_id=vehicle_id)
                found = matches[0] if matches else None
        if found is None:
            raise Problem("RESOURCE_NOT_FOUND", f"No vehicle {vehicle_id} is connected.", "PATH")
        return found

    def _signals(
        self,
        request: Req,
        vehicle: SimVehicle,
        connection: Connection,
        code: Optional[str],
        now: datetime,
    ) -> Reply:
        if code is None:
            document = signals.signals_document(
                vehicle, connection.permissions, now, self.time_format, connection.mode,
                self._base(request),
            )  # fmt: skip
            return json_reply(200, document)
        signal = signals.BY_CODE.get(code)
        if signal is None:
            raise Problem(
                "RESOURCE_NOT_FOUND",
                f"Signal with code {code} not found for vehicle with ID {vehicle.id}.",
                "SIGNAL_NOT_FOUND",
            )
        document = signals.signal_document(
            signal, vehicle, connection.permissions, now, self.time_format, connection.mode
        )
        return json_reply(200, document)

    # ---------------------------------------------------------------- connections
    def _connection_document(self, connection: Connection, base: str) -> Dict[str, Any]:
        return resources.connection_resource(
            connection,
            self._vehicle(connection.vehicle_id),
            base,
            self.registry.external_id(connection.user_id),
        )

    def _list_connections(self, request: Req) -> Reply:
        args = _args(request)
        page = jsonapi.parse_page(args, CONNECTIONS_PAGE_SIZE, MAX_PAGE_SIZE)
        wanted = jsonapi.filters(args)
        mode = wanted.get("vehicle.mode", "live")
        if mode not in MODES:
            raise _invalid_filter("vehicle.mode", f"one of {', '.join(MODES)}")
        found = self.registry.connections(
            user_id=wanted.get("userId") or request.header("sc-user-id") or None,
            vehicle_id=wanted.get("vehicleId"),
            mode=mode,
            external_id=wanted.get("user.externalId"),
        )
        base = self._base(request)
        with self.lock:
            data = [self._connection_document(item, base) for item in page.slice(found)]
        params = jsonapi.kept_params(args)
        params.setdefault("filter[vehicle.mode]", mode)
        order = {"orderBy": "createdAt", "orderDirection": "DESC"}
        document = jsonapi.list_document(
            data, f"{base}/connections", page, len(found), params, order
        )
        return json_reply(200, document)

    def _get_connection(self, request: Req, connection_id: str) -> Reply:
        connection = self.registry.connection(connection_id)
        if connection is None:
            raise _not_found("connection", connection_id)
        with self.lock:
            document = {"data": self._connection_document(connection, self._base(request))}
        return json_reply(200, document)

    def _delete_connection(self, request: Req, connection_id: str) -> Reply:
        connection = self.registry.disconnect(connection_id)
        if connection is None:
            raise _not_found("connection", connection_id)
        return Reply(204, b"")

    def _delete_user(self, request: Req, user_id: str) -> Reply:
        removed = self.registry.delete_user(user_id)
        if not removed:
            raise _not_found("user", user_id)
        return Reply(204, b"")

    # ---------------------------------------------------------------- webhooks
    def _list_webhooks(self, request: Req) -> Reply:
        args = _args(request)
        page = jsonapi.parse_page(args, WEBHOOKS_PAGE_SIZE, MAX_PAGE_SIZE)
        wanted = jsonapi.filters(args)
        texts = {
            attribute: wanted[name].lower()
            for name, attribute in (("name", "name"), ("callbackUri", "callback_uri"))
            if name in wanted
        }
        flags = {
            attribute: _flag(name, wanted[name])
            for name, attribute in (
                ("isEnabled", "is_enabled"),
                ("autoSubscribe", "auto_subscribe"),
            )
            if name in wanted
        }

        def matches(hook: Webhook) -> bool:
            return all(
                needle in str(getattr(hook, attribute)).lower()
                for attribute, needle in texts.items()
            ) and all(getattr(hook, attribute) is flag for attribute, flag in flags.items())

        found = [hook for hook in self.registry.webhooks() if matches(hook)]
        base = self._base(request)
        data = [resources.webhook_resource(hook, base) for hook in page.slice(found)]
        document = jsonapi.list_document(
            data, f"{base}/webhooks", page, len(found), jsonapi.kept_params(args)
        )
        return json_reply(200, document)

    def _get_webhook(self, request: Req, webhook_id: str) -> Reply:
        webhook = self.registry.webhook(webhook_id)
        if webhook is None:
            raise _not_found("webhook", webhook_id)
        return json_reply(200, {"data": resources.webhook_resource(webhook, self._base(request))})

    # ---------------------------------------------------------------- subscriptions
    def _mode_of(self, subscription: Subscription) -> str:
        connection = self.registry.find(subscription.user_id, subscription.vehicle_id)
        return connection.mode if connection is not None else "live"

    def _subscription_document(self, subscription: Subscription, base: str) -> Dict[str, Any]:
        vehicle = self._vehicle(subscription.vehicle_id)
        return resources.subscription_resource(
            subscription, vehicle, self._mode_of(subscription), base
        )

    def _list_subscriptions(self, request: Req) -> Reply:
        args = _args(request)
        page = jsonapi.parse_page(args, SUBSCRIPTIONS_PAGE_SIZE, MAX_PAGE_SIZE)
        wanted = jsonapi.filters(args)
        found = self.registry.subscriptions(
            webhook_id=wanted.get("webhookId"),
            user_id=wanted.get("userId"),
            vehicle_id=wanted.get("vehicleId"),
        )
        mode = wanted.get("vehicle.mode")
        if mode is not None:
            if mode not in MODES:
                raise _invalid_filter("vehicle.mode", f"one of {', '.join(MODES)}")
            found = [item for item in found if self._mode_of(item) == mode]
        base = self._base(request)
        with self.lock:
            data = [self._subscription_document(item, base) for item in page.slice(found)]
        document = jsonapi.list_document(
            data, f"{base}/subscriptions", page, len(found), jsonapi.kept_params(args)
        )
        return json_reply(200, document)

    def _subscribe(self, request: Req) -> Reply:
        attrs = jsonapi.attributes(request_body(request.environ))
        names = ("webhookId", "userId", "vehicleId")
        missing = [
            name for name in names if not isinstance(attrs.get(name), str) or not attrs[name]
        ]
        if missing:
            raise Problem.all(
                [Problem("VALIDATION", f"missing {name}", "MISSING_PARAMETER") for name in missing]
            )
        webhook_id, user_id, vehicle_id = (str(attrs[name]) for name in names)
        if self.registry.webhook(webhook_id) is None:
            raise _not_found("webhook", webhook_id)
        if self.registry.find(user_id, vehicle_id) is None:
            raise Problem(
                "RESOURCE_NOT_FOUND",
                f"The user {user_id} has not connected the vehicle {vehicle_id}.",
                "PATH",
            )
        if self.registry.subscribe(webhook_id, user_id, vehicle_id, self.clock.now()) is None:
            raise Problem(
                "VALIDATION",
                f"The vehicle {vehicle_id} is already subscribed to the webhook {webhook_id}.",
                "ALREADY_SUBSCRIBED",
                status=409,
            )
        return json_reply(202, SUBSCRIPTION_ACCEPTED)

    def _get_subscription(self, request: Req, subscription_id: str) -> Reply:
        subscription = self.registry.subscription(subscription_id)
        if subscription is None:
            raise _not_found("subscription", subscription_id)
        with self.lock:
            document = {"data": self._subscription_document(subscription, self._base(request))}
        return json_reply(200, document)

    def _unsubscribe(self, request: Req, subscription_id: str) -> Reply:
        if self.registry.unsubscribe(subscription_id) is None:
            raise _not_found("subscription", subscription_id)
        return Reply(204, b"")

    # ---------------------------------------------------------------- from Python
    def add_webhook(
        self,
        name: str,
        callback_uri: str,
        *,
        triggers: Sequence[str] = (),
        data: Sequence[str] = (),
        error_callback_uri: Optional[str] = None,
        auto_subscribe: bool = False,
        is_enabled: bool = True,
    ) -> Webhook:
        """Configure a webhook as the Dashboard does (``triggers``/``data``: signal codes;
        ``data`` defaults to the triggers)."""
        unknown = [code for code in (*triggers, *data) if code not in signals.BY_CODE]
        if unknown:
            raise ValueError(f"unknown signal code(s): {', '.join(unknown)}")
        if not name or not callback_uri:
            raise ValueError("a webhook needs a name and a callback URI")
        bounds.callback_url(callback_uri, "callback_uri")
        if error_callback_uri is not None:
            bounds.callback_url(error_callback_uri, "error_callback_uri")
        webhook = Webhook(
            id=str(uuid.uuid4()),
            name=name,
            callback_uri=callback_uri,
            created_at=self.clock.now(),
            error_callback_uri=error_callback_uri,
            triggers=tuple(triggers),
            data=tuple(data) if data else tuple(triggers),
            auto_subscribe=auto_subscribe,
            is_enabled=is_enabled,
        )
        return self.registry.add_webhook(webhook, self.clock.now())


def rate_limited(retry_after: int) -> Problem:
    """429 RATE_LIMIT/VEHICLE with ``Retry-After`` (a vehicle over its rate limit)."""
    return Problem(
        "RATE_LIMIT",
        f"Too many requests to this vehicle; retry in {retry_after} s.",
        "VEHICLE",
        headers={"Retry-After": str(retry_after)},
    )


def _args(request: Req) -> Dict[str, str]:
    return dict(request.args)


def _token_fields(request: Req) -> Mapping[str, str]:
    """The token request's fields, from a form or a JSON body."""
    mimetype = request.request.mimetype
    if mimetype == "application/json":
        try:
            payload = parse_json(request_body(request.environ))
        except BadJson:
            payload = None
        if not isinstance(payload, dict):
            raise Problem("VALIDATION", "The JSON body must be an object.", "invalid_request")
        return {key: value for key, value in payload.items() if isinstance(value, str)}
    if mimetype in ("application/x-www-form-urlencoded", ""):
        return {key: request.request.form.get(key, "") for key in request.request.form}
    raise Problem(
        "VALIDATION",
        "Send application/x-www-form-urlencoded or application/json.",
        "invalid_request",
    )


def _flag(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise _invalid_filter(name, "true or false")
    return lowered == "true"


def _invalid_filter(name: str, allowed: str) -> Problem:
    return invalid_input(f"filter[{name}] must be {allowed}.", f"filter[{name}]")


def _not_found(kind: str, identifier: str) -> Problem:
    return Problem("RESOURCE_NOT_FOUND", f"No {kind} with id {identifier}.", "PATH")


def _no_route(method: str, path: str) -> Problem:
    return Problem("RESOURCE_NOT_FOUND", f"No route for {method} {path}.", "PATH")
