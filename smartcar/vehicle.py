"""``Vehicle``: one method per Smartcar API endpoint (described in ``smartcar/_endpoints``)."""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Tuple,
    Union,
    cast,
)

from . import _calls, const
from ._answers import ApiResponse, body_field, body_object, malformed
from ._checks import (
    CHARGE_LIMIT_RANGE,
    DateArgument,
    bounded_number,
    checked_json,
    non_empty_str,
    optional_count,
    request_method,
    request_path,
    service_date,
    str_items,
)
from ._config import Configured, Timeout
from ._endpoints import REPLAY, REPLAY_IF_REFUSED, Endpoint
from ._results import Result
from .timeutil import parse_timestamp

if TYPE_CHECKING:
    from ._transport import Transport
    from .types import (
        ActionResult,
        BatchResult,
        CommandResult,
        DataResult,
        RawResponse,
        ServiceHistoryResult,
        StatusResult,
        SubscribeResult,
        TokenProvider,
        UnitDataResult,
        VehicleInfo,
    )

__all__ = ["Vehicle", "check_unit_system"]


PERMISSION_PREFIX = "required:"
VEHICLE_PATH = "vehicles/{vehicle_id}/"
"""The path of a vehicle under the API URL (``Vehicle.request`` appends to it)."""

LIST_BODIES: Dict[str, Tuple[type, ...]] = {"service_history": (list, dict)}
"""Reads whose answer may be a JSON array (every other read's is an object)."""


def check_unit_system(unit_system: Any) -> str:
    """Return ``unit_system`` if it is ``"metric"`` or ``"imperial"``.

    Raises:
        ValueError: any other value (smartcar 4.3 silently used imperial instead).
    """
    if unit_system not in const.UNIT_SYSTEMS:
        raise ValueError(f"unit_system must be 'metric' or 'imperial', not {unit_system!r}")
    return str(unit_system)


class Vehicle(Configured):
    """A connected vehicle, read and commanded with one access token.

    Args:
        vehicle_id: the vehicle's id (from :func:`smartcar.get_vehicle_ids`).
        access_token: an access token string, or a :class:`smartcar.types.TokenProvider`
            (e.g. from ``smartcar.tokens.TokenManager.provider``); with a provider, a read
            answered 401 gets one fresh token and is repeated once.
        unit_system: ``"metric"`` (default) or ``"imperial"``.
        timeout: seconds, or ``(connect, read)``; defaults to the process default.
        max_retries: retries allowed when a request certainly did not take effect.
        version: the API version of this object's calls, ``"1.0"`` or ``"2.0"``; ``None``
            (default) follows :func:`smartcar.set_api_version` / ``SMARTCAR_API_VERSION``.
        transport: what sends each request, e.g. ``smartcar.testing.MockTransport`` in your
            own unit tests; ``None`` (default): the process default, the network.

    Raises:
        ValueError: a bad ``unit_system``, ``timeout`` or ``max_retries``, an empty
            ``vehicle_id``, or an empty token.
    """

    def __init__(
        self,
        vehicle_id: str,
        access_token: Union[str, TokenProvider],
        unit_system: str = "metric",
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        version: Optional[str] = None,
        transport: Optional[Transport] = None,
    ) -> None:
        if isinstance(access_token, str):
            if not access_token:
                raise ValueError("access_token must be a non-empty string or a token provider")
            self._token: Optional[str] = access_token
            self._provider: Optional[TokenProvider] = None
        elif callable(getattr(access_token, "access_token", None)) and callable(
            getattr(access_token, "refresh_access_token", None)
        ):
            self._token = None
            self._provider = access_token
        else:
            raise ValueError("access_token must be a non-empty string or a token provider")
        if not isinstance(vehicle_id, str) or not vehicle_id:
            raise ValueError("vehicle_id must be a non-empty string")
        self.vehicle_id = vehicle_id
        self.unit_system = check_unit_system(unit_system)
        self._configure(
            timeout=timeout, max_retries=max_retries, version=version, transport=transport
        )

    if not TYPE_CHECKING:  # type checkers keep reporting a misspelt method

        def __getattr__(self, name: str) -> Any:
            from ._six_x import VEHICLE_METHODS, no_attribute

            raise AttributeError(
                no_attribute(f"{type(self).__name__!r} object", name, VEHICLE_METHODS)
            )

    @property
    def access_token(self) -> str:
        """The access token the next request will use."""
        if self._provider is not None:
            return self._provider.access_token()
        assert self._token is not None
        return self._token

    def __repr__(self) -> str:
        return f"Vehicle(vehicle_id={self.vehicle_id!r}, unit_system={self.unit_system!r})"

    def set_unit_system(self, unit_system: str) -> None:
        """Use ``"metric"`` or ``"imperial"`` for the following requests.

        Raises:
            ValueError: any other value.
        """
        self.unit_system = check_unit_system(unit_system)

    # Data reads -------------------------------------------------------------------------

    def info(self) -> VehicleInfo:
        """Return the answer as it came, ``{"id", "make", "model", "year"}``
        (``GET /vehicles/{id}/``, with smartcar 4.3.5's trailing slash).

        Raises:
            SmartcarException: the matching subclass, or the base class for an answer that
                is not a JSON object.
        """
        response = self._send("info")
        return cast("VehicleInfo", Result(body_object(response), response.request_id))

    def vin(self) -> str:
        """Return the vehicle's VIN.

        Raises:
            SmartcarException: the matching subclass.
        """
        vin: str = body_field(self._send("vin"), "vin", str)
        return vin

    def location(self) -> DataResult:
        """Return ``{"data": {"latitude", "longitude"}, "age"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("location"))

    def odometer(self) -> UnitDataResult:
        """Return ``{"data": {"distance"}, "unit_system", "age"}`` (km or miles).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("UnitDataResult", self._read("odometer"))

    def fuel(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining", "amountRemaining"}, "unit_system",
        "age"}`` (km or miles; liters or US gallons).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("UnitDataResult", self._read("fuel"))

    def battery(self) -> UnitDataResult:
        """Return ``{"data": {"range", "percentRemaining"}, "unit_system", "age"}``.

        Raises:
            SmartcarException: the matching subclass (``VehicleNotCapableException`` for a
                vehicle without a traction battery).
        """
        return cast("UnitDataResult", self._read("battery"))

    def battery_capacity(self) -> DataResult:
        """Return ``{"data": {"capacity"}, "age"}`` (kWh).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("battery_capacity"))

    def charge(self) -> DataResult:
        """Return ``{"data": {"isPluggedIn", "state"}, "age"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("charge"))

    def oil(self) -> DataResult:
        """Return ``{"data": {"lifeRemaining"}, "age"}`` (0..1).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("oil"))

    def tire_pressure(self) -> UnitDataResult:
        """Return ``{"data": {"tires": {"frontLeft", "frontRight", "backLeft", "backRight"}},
        "unit_system", "age"}`` (kPa or psi).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("UnitDataResult", self._read("tire_pressure"))

    def permissions(self, limit: Optional[int] = None, offset: Optional[int] = None) -> List[str]:
        """Return the permissions this vehicle granted to the application.

        Raises:
            SmartcarException: the matching subclass.
            TypeError: ``limit`` or ``offset`` is not an integer.
            ValueError: ``limit`` or ``offset`` is negative.
        """
        paging = (("limit", limit), ("offset", offset))
        params = {k: optional_count(v, k) for k, v in paging if v is not None}
        response = self._send("permissions", params=params or None)
        permissions = body_field(response, "permissions", list)
        return [p for p in permissions if isinstance(p, str)]

    def has_permissions(self, permissions: Union[str, Iterable[str]]) -> bool:
        """Return whether the vehicle granted every permission given (``required:`` allowed).

        Raises:
            SmartcarException: the matching subclass.
            TypeError: ``permissions`` is not a string or a list of strings.
        """
        wanted = str_items(permissions, "permissions")
        granted = set(self.permissions())
        return all(_strip_prefix(p) in granted for p in wanted)

    def batch(self, paths: Iterable[str]) -> BatchResult:
        """Read several endpoints in one request.

        Returns:
            ``{path: {"code", "headers", "body"}}`` for each path requested.

        Raises:
            SmartcarException: the matching subclass for the batch request itself; each
                path's own error is reported in its ``code`` and ``body``.
            TypeError: ``paths`` is not a string or a list of strings (one string is one
                path).
        """
        requests = [{"path": path} for path in str_items(paths, "paths")]
        response = self._send("batch", json_body={"requests": requests})
        result = cast("BatchResult", Result(request_id=response.request_id))
        for item in body_field(response, "responses", list):
            if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                raise malformed(response, "a 'path' in every batch response")
            headers = item.get("headers")
            result[item["path"]] = {
                "code": item.get("code"),  # type: ignore[typeddict-item]
                "headers": headers if isinstance(headers, dict) else {},
                "body": item.get("body"),
            }
        return result

    # Commands ---------------------------------------------------------------------------

    def lock(self) -> ActionResult:
        """Lock the vehicle. Returns ``{"status": "success"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return self._act("lock")

    def unlock(self) -> ActionResult:
        """Unlock the vehicle. Returns ``{"status": "success"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return self._act("unlock")

    def start_charge(self) -> ActionResult:
        """Start charging. Returns ``{"status": "success"}``.

        Raises:
            SmartcarException: the matching subclass (``StateException`` when unplugged).
        """
        return self._act("start_charge")

    def stop_charge(self) -> ActionResult:
        """Stop charging. Returns ``{"status": "success"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return self._act("stop_charge")

    def disconnect(self) -> None:
        """Revoke this application's access to the vehicle; the token stops working for it.

        Raises:
            SmartcarException: the matching subclass.
        """
        self._send("disconnect")

    # API v2.0 additions (what the official 6.x SDK offers) -------------------------------

    def attributes(self) -> VehicleInfo:
        """Return ``{"id", "make", "model", "year"}`` as it came (``GET /vehicles/{id}/``;
        the official 6.x name of :meth:`info`).

        Raises:
            SmartcarException: the matching subclass.
        """
        return self.info()

    def lock_status(self) -> DataResult:
        """Return ``{"data": {"isLocked", "doors", "windows", "sunroof", "storage",
        "chargingPort"}, "age"}`` (``GET .../security``).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("lock_status"))

    def get_charge_limit(self) -> DataResult:
        """Return ``{"data": {"limit"}, "age"}``, the charge limit as a fraction (0..1).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("get_charge_limit"))

    def service_history(
        self,
        start_date: Optional[DateArgument] = None,
        end_date: Optional[DateArgument] = None,
    ) -> ServiceHistoryResult:
        """Return the vehicle's service records between two dates (the service's default:
        the last year).

        Args:
            start_date: ``"YYYY-MM-DD"``, an ISO-8601 time, or a ``date``/``datetime``.
            end_date: the same.

        Returns:
            ``{"data": [{"serviceId", "serviceDate", "odometerDistance", "serviceTasks",
            "serviceDetails", "serviceCost"}], "unit_system", "age"}``.

        Raises:
            SmartcarException: the matching subclass.
            TypeError: a date of another type.
            ValueError: a string that is not an ISO-8601 date or time.
        """
        dates = (("startDate", start_date, "start_date"), ("endDate", end_date, "end_date"))
        params = {key: service_date(value, name) for key, value, name in dates if value is not None}
        return cast("ServiceHistoryResult", self._read("service_history", params or None))

    def diagnostic_system_status(self) -> DataResult:
        """Return ``{"data": {"systems": [{"systemId", "status", "description"}]}, "age"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("diagnostic_system_status"))

    def diagnostic_trouble_codes(self) -> DataResult:
        """Return ``{"data": {"activeCodes": [{"code", "timestamp"}]}, "age"}``.

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("diagnostic_trouble_codes"))

    def nominal_capacity(self) -> DataResult:
        """Return ``{"data": {"availableCapacities", "capacity", "url"}, "age"}`` (kWh).

        Raises:
            SmartcarException: the matching subclass.
        """
        return cast("DataResult", self._read("nominal_capacity"))

    def set_charge_limit(self, limit: float) -> CommandResult:
        """Set the charge limit, a fraction from 0.5 to 1 (``POST .../charge/limit``).

        Returns:
            The answer as it came, ``{"status": "success", "message"}``.

        Raises:
            SmartcarException: the matching subclass; the command is never repeated.
            TypeError: ``limit`` is not a number.
            ValueError: ``limit`` is outside 0.5..1 (e.g. a percentage).
        """
        limit = bounded_number(limit, "limit", CHARGE_LIMIT_RANGE)
        return cast("CommandResult", self._command("set_charge_limit", {"limit": limit}))

    def send_destination(self, latitude: float, longitude: float) -> CommandResult:
        """Send a navigation destination to the vehicle (``POST .../navigation/destination``).

        Returns:
            The answer as it came, ``{"status": "success", "message"}``.

        Raises:
            SmartcarException: the matching subclass; the command is never repeated.
            TypeError: a coordinate that is not a number.
            ValueError: a latitude outside -90..90 or a longitude outside -180..180.
        """
        body = {
            "latitude": bounded_number(latitude, "latitude", (-90.0, 90.0)),
            "longitude": bounded_number(longitude, "longitude", (-180.0, 180.0)),
        }
        return cast("CommandResult", self._command("send_destination", body))

    def subscribe(self, webhook_id: str) -> SubscribeResult:
        """Subscribe this vehicle to a webhook (``POST .../webhooks/{webhook_id}``).

        Returns:
            The answer as it came, ``{"webhookId", "vehicleId"}``.

        Raises:
            SmartcarException: the matching subclass.
            TypeError, ValueError: ``webhook_id`` is not a non-empty string.
        """
        webhook = non_empty_str(webhook_id, "webhook_id")
        return cast("SubscribeResult", self._command("subscribe", path={"webhook_id": webhook}))

    def unsubscribe(self, management_token: str, webhook_id: str) -> StatusResult:
        """Unsubscribe this vehicle from a webhook (``DELETE .../webhooks/{webhook_id}``,
        authorised by the application management token instead of the vehicle's token).

        Returns:
            The answer as it came, ``{"status"}``.

        Raises:
            SmartcarException: the matching subclass.
            TypeError, ValueError: an argument that is not a non-empty string.
        """
        token = non_empty_str(management_token, "management_token")
        webhook = non_empty_str(webhook_id, "webhook_id")
        response = self._send("unsubscribe", token=token, path={"webhook_id": webhook})
        return cast("StatusResult", Result(body_object(response), response.request_id))

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> RawResponse:
        """Send any request under ``{API}/vehicles/{id}/`` (e.g. a make-specific endpoint).

        As the official 6.x SDK: the vehicle's token and ``sc-unit-system`` are added unless
        ``headers`` has its own (an ``Authorization`` there replaces both).

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: the path below the vehicle, e.g. ``"tesla/charge/ammeter"``.
            body: a JSON body, or ``None`` for none.
            headers: extra request headers.

        Returns:
            ``{"code", "headers", "body"}`` as in :meth:`batch` (header names in lower case).

        Raises:
            SmartcarException: the matching subclass; only a GET is ever repeated.
            TypeError: an argument of the wrong type.
            ValueError: an unknown method, a path with ``.``/``..`` segments, ``#`` or
                control characters, or a body that is not JSON.
        """
        verb = request_method(method)
        sub_path = request_path(path)
        if headers is not None and not isinstance(headers, Mapping):
            raise TypeError(f"headers must be a dict of strings, not {type(headers).__name__}")
        wants_units = not _has_header(headers, "authorization") and not _has_header(
            headers, const.UNIT_SYSTEM_HEADER
        )
        if body is not None:
            body = checked_json(body, "body")
        # A read may be repeated and replayed after a refreshed token; anything else is
        # sent once, or twice after a 401 that refused the token. Braces are doubled: the
        # path is a format template (``{vehicle_id}``).
        template = VEHICLE_PATH + sub_path.replace("{", "{{").replace("}", "}}")
        described = Endpoint(
            verb,
            template,
            repeatable=verb == "GET",
            on_401=REPLAY if verb == "GET" else REPLAY_IF_REFUSED,
            unit_system=wants_units,
        )
        response = self._send(described, json_body=body, headers=headers)
        raw = {
            "code": response.status_code,
            "headers": {name.lower(): value for name, value in response.headers.items()},
            "body": response.body,
        }
        return cast("RawResponse", Result(raw, response.request_id))

    # Plumbing ---------------------------------------------------------------------------

    def _read(self, name: str, params: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        endpoint = self._endpoint(name)
        response = self._send(endpoint, params=params)
        data = response.body
        if not isinstance(data, LIST_BODIES.get(name, dict)):
            raise malformed(response, "a JSON object")
        result = Result({"data": {endpoint.wrap_in: data} if endpoint.wrap_in else data})
        if endpoint.units:
            result["unit_system"] = response.headers.get(const.UNIT_SYSTEM_HEADER) or (
                self.unit_system
            )
        result["age"] = parse_timestamp(response.headers.get(const.DATA_AGE_HEADER))
        result.request_id = response.request_id
        return result

    def _act(self, name: str) -> ActionResult:
        response = self._send(name)
        status: str = body_field(response, "status", str)
        return cast("ActionResult", Result({"status": status}, response.request_id))

    def _command(
        self, name: str, json_body: Any = None, path: Optional[Dict[str, str]] = None
    ) -> Result:
        response = self._send(name, json_body=json_body, path=path)
        return Result(body_object(response), response.request_id)

    def _endpoint(self, name: str) -> Endpoint:
        """The endpoint ``name`` of this vehicle's API version.

        Raises:
            ValueError: that version has no such endpoint (the v2.0 additions on v1.0).
        """
        config = self._config
        try:
            return _calls.endpoint(name, config)
        except KeyError:
            raise ValueError(
                f"Vehicle.{name}() needs API v2.0; this call uses v{config.api_version}"
            ) from None

    def _send(
        self,
        name: Union[str, Endpoint],
        *,
        params: Optional[Dict[str, Any]] = None,
        json_body: Any = None,
        token: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        path: Optional[Dict[str, str]] = None,
    ) -> ApiResponse:
        """Call endpoint ``name``; with a token provider, a 401 is handled as the endpoint
        says (:func:`smartcar._calls.call`). ``token`` replaces the vehicle's
        token, an ``Authorization`` in ``headers`` replaces both (neither is refreshed); ``path``
        fills the endpoint's path placeholders besides ``{vehicle_id}``."""
        endpoint = self._endpoint(name) if isinstance(name, str) else name
        own_token = token is None and not _has_header(headers, "authorization")
        options: Dict[str, Any] = {
            "config": self._config,
            "unit_system": self.unit_system,
            "params": params,
            "json_body": json_body,
            "headers": headers,
            "vehicle_id": self.vehicle_id,
            **(path or {}),
        }
        if own_token and self._provider is not None:
            return _calls.call(endpoint, source=self._provider, **options)
        return _calls.call(endpoint, token=self._token if own_token else token, **options)


def _has_header(headers: Optional[Mapping[str, str]], name: str) -> bool:
    return headers is not None and any(
        isinstance(key, str) and key.lower() == name for key in headers
    )


def _strip_prefix(permission: str) -> str:
    if permission.startswith(PERMISSION_PREFIX):
        return permission[len(PERMISSION_PREFIX) :]
    return permission
