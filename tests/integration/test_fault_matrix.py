"""The fault matrix: every fault kind x every SDK call x every API version (v1.0, v2.0, with the
calls 6.x adds on v2.0), over real loopback HTTP to the emulator. The one slow kind (an answer
later than the read timeout) runs on a sample of the calls, on every version.

For each case the SDK is switched to the version (``smartcar.set_api_version``), the emulator
is scripted with one fault on the exact method and path of the call, the call is made through
the public SDK, and the test checks

* the outcome: the documented result, or exactly the exception class of the exception table;
* the attempts: how many times the request reached the emulator, read from the emulator's own
  request log, is exactly what the retry policy in ``smartcar/api.py`` allows (GETs answered
  429-with-a-short-Retry-After, an app-wide 429 (v2.0 ``SMARTCAR_API``), 502 or 503 are
  repeated; nothing else is, and no POST or DELETE answer is ever repeated);
* the retry WARNINGs logged under ``smartcar``: one per repeated attempt;
* the ``request_id`` of the exception or result: the ``sc-request-id`` the emulator logged;
* on v2.0, where the emulator answered with a v2 error body (spec 7.3), the v2 attributes
  (``type``, ``code``, ``doc_url``, ``resolution``, ``suggested_user_message``, ``detail``).

The faults are worded as each version's service words them: v1.0 ``{error, message, code}``
bodies, v2.0 ``{type, code, description, docURL, ...}`` bodies (``409`` with the v2 code
``CHARGING_PLUG_NOT_CONNECTED``, ``501`` with ``SMARTCAR_NOT_CAPABLE``, a JSON ``502
UPSTREAM``); the token endpoint has no version and speaks OAuth on both.

A second group stops the server (and uses a closed port): a failed connect is the one failure
repeated for every method, ``max_retries`` times, then ``SmartcarConnectionError``.
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3.util.connection

import smartcar
from smartcar import api, const
from smartcar.emulator import Emulator, RequestRecord, SimVehicle, connect
from smartcar.exceptions import (
    AuthenticationException,
    GatewayTimeoutException,
    MonthlyLimitExceeded,
    PermissionException,
    RateLimitingException,
    ResourceNotFoundException,
    ServerException,
    SmartcarConnectionError,
    SmartcarException,
    SmartcarNotCapableException,
    SmartcarTimeout,
    StateException,
    UpstreamException,
    ValidationException,
    VehicleNotCapableException,
)

USER = "fault-matrix@example.com"
GARAGE = ["TESLA", "gas"]  # an electric car for battery/charge, a gas car for fuel/oil
FAST_POLICY = api.RetryPolicy(
    max_retries=2, backoff_base=0.002, backoff_max=0.01, retry_after_cap=1.0, max_elapsed=10.0
)
ALL_ATTEMPTS = FAST_POLICY.max_retries + 1
TIMEOUT: Tuple[float, float] = (2.0, 10.0)
LATENCY = 2.0  # seconds the emulator waits before answering a "slow" request
# The read timeout the slow request exceeds: long enough for a busy machine's emulator to log
# the request before the client gives up, so each slow case costs about half a second.
SHORT_TIMEOUT: Tuple[float, float] = (2.0, 0.5)
SHORT_RETRY_AFTER = 0.05
LONG_RETRY_AFTER = 3600
# The API versions the matrix runs on. v2.0 is prepared below (its calls, its faults worded as
# v2 bodies, their checks) and joins as soon as the SDK and the emulator both speak it.
VERSIONS: Tuple[str, ...] = ("1.0", "2.0")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(users={USER: GARAGE}) as server:
        yield server


@pytest.fixture(autouse=True)
def fast_retries(smartcar_defaults: Callable[..., None]) -> None:
    """The default policy with tiny backoffs (the retry rules themselves are unchanged)."""
    smartcar_defaults(retry=FAST_POLICY, timeout=TIMEOUT)


def use_api_version(smartcar_defaults: Callable[..., None], version: str) -> None:
    """Switch the SDK to ``version`` for one test (the previous choice comes back after)."""
    smartcar_defaults(api_version=version)


@dataclass
class World:
    """A fresh emulator state for one case: tokens, a code, the two vehicles, the timeout."""

    emu: Emulator
    version: str
    electric: SimVehicle
    gas: SimVehicle
    tokens: Dict[str, Any]
    timeout: Tuple[float, float]
    code: Optional[str] = None
    served: bool = True  # the last attempt reached the emulated service (no fault answered it)

    def vehicle(self, kind: str) -> smartcar.Vehicle:
        sim = self.electric if kind == "electric" else self.gas
        return smartcar.Vehicle(sim.id, self.tokens["access_token"], timeout=self.timeout)

    def client(self) -> smartcar.AuthClient:
        return smartcar.AuthClient(
            self.emu.client_id, self.emu.client_secret, self.emu.redirect_uri, timeout=self.timeout
        )


def fresh_world(
    emu: Emulator, timeout: Tuple[float, float], need_code: bool, version: str = "1.0"
) -> World:
    emu.reset()
    garage = emu.vehicles(USER)
    electric = next(v for v in garage if v.kind == "electric")
    gas = next(v for v in garage if v.kind == "gas")
    # start_charge needs a plugged-in car that is not full; stop_charge one that charges.
    electric.is_plugged_in = True
    electric.battery_percent = 0.5
    electric.charging = False
    world = World(emu, version, electric, gas, emu.issue_tokens(user=USER), timeout)
    if need_code:
        redirect = connect(world.client().get_auth_url(), email=USER)
        world.code = parse_qs(urlsplit(redirect).query)["code"][0]
    return world


# --------------------------------------------------------------------------- the calls


@dataclass(frozen=True)
class Call:
    """One SDK call: the HTTP request it makes and how to check its normal result."""

    name: str
    method: str
    path: str  # "{api}" stands for "/v1.0" or "/v2.0", "{vid}" for the vehicle of ``kind``
    kind: str
    run: Callable[[World], Any]
    check: Callable[[World, Any], None]
    prepare: Optional[Callable[[SimVehicle], None]] = None  # state the call must change
    versions: Tuple[str, ...] = ("1.0", "2.0")  # the API versions that have the call

    def target(self, world: World) -> str:
        sim = world.electric if self.kind == "electric" else world.gas
        return self.path.format(api="/v" + world.version, vid=sim.id)

    @property
    def versioned(self) -> bool:
        """Whether the call goes to the versioned API (the token endpoint has no version)."""
        return self.path.startswith("{api}")

    @property
    def is_get(self) -> bool:
        return self.method == "GET"


def _close(actual: float, expected: float, tolerance: float = 0.2) -> bool:
    return abs(actual - expected) <= tolerance


def _check_info(w: World, r: Any) -> None:
    assert (r["id"], r["make"], r["model"]) == (w.electric.id, "TESLA", w.electric.model)


def _check_vin(w: World, r: Any) -> None:
    assert r == w.gas.vin


def _check_permissions(w: World, r: Any) -> None:
    assert r[:2] == ["read_vehicle_info", "read_vin"] and "read_odometer" in r


def _check_location(w: World, r: Any) -> None:
    assert (r["data"]["latitude"], r["data"]["longitude"]) == (w.gas.latitude, w.gas.longitude)


def _check_odometer(w: World, r: Any) -> None:
    assert r["unit_system"] == "metric"
    assert _close(r["data"]["distance"], w.gas.odometer_km)


def _check_fuel(w: World, r: Any) -> None:
    assert r["unit_system"] == "metric"
    assert _close(r["data"]["percentRemaining"], w.gas.fuel_percent, 0.01)


def _check_battery(w: World, r: Any) -> None:
    assert r["unit_system"] == "metric"
    assert _close(r["data"]["percentRemaining"], 0.5, 0.01)


def _check_capacity(w: World, r: Any) -> None:
    assert r["data"]["capacity"] == w.electric.battery_capacity_kwh


def _check_charge(w: World, r: Any) -> None:
    assert r["data"]["isPluggedIn"] is True


def _check_oil(w: World, r: Any) -> None:
    assert _close(r["data"]["lifeRemaining"], w.gas.oil_life, 0.01)


def _check_tires(w: World, r: Any) -> None:
    assert r["unit_system"] == "metric"
    assert set(r["data"]["tires"]) == {"frontLeft", "frontRight", "backLeft", "backRight"}


def _check_action(attribute: str, value: bool) -> Callable[[World, Any], None]:
    def check(w: World, r: Any) -> None:
        assert r["status"] == "success"
        assert getattr(w.emu.vehicle(w.electric.id), attribute) is value

    return check


def _set(attribute: str, value: bool) -> Callable[[SimVehicle], None]:
    return lambda sim: setattr(sim, attribute, value)


def _check_batch(w: World, r: Any) -> None:
    assert r["/odometer"]["code"] == 200 and r["/battery"]["code"] == 200
    assert _close(r["/odometer"]["body"]["distance"], w.electric.odometer_km)


def _check_disconnect(w: World, r: Any) -> None:
    assert r is None
    if w.served:  # an empty 200 scripted as a fault never reached the service
        assert smartcar.get_vehicle_ids(w.tokens["access_token"])["vehicles"] == [w.gas.id]


def _check_access(w: World, r: Any) -> None:
    assert r["token_type"] == "Bearer"
    assert r["access_token"] != w.tokens["access_token"]
    assert smartcar.get_user_id(r["access_token"]) == w.emu.user_id(USER)


def _check_ids(w: World, r: Any) -> None:
    assert r["vehicles"] == [w.electric.id, w.gas.id]


def _check_user(w: World, r: Any) -> None:
    assert r == w.emu.user_id(USER)


# What the official 6.x SDK adds on v2.0 (``surface: v2 extras``).
WEBHOOK_ID = "wh-fault-matrix"
DESTINATION = (37.7749, -122.4194)


def _check_lock_status(w: World, r: Any) -> None:
    assert r["data"]["isLocked"] is w.emu.vehicle(w.electric.id).locked


def _check_charge_limit(w: World, r: Any) -> None:
    assert r["data"]["limit"] == w.electric.charge_limit


def _check_set_limit(w: World, r: Any) -> None:
    assert r["status"] == "success"
    assert w.emu.vehicle(w.electric.id).charge_limit == 0.8


def _check_destination(w: World, r: Any) -> None:
    assert r["status"] == "success"
    assert w.emu.vehicle(w.electric.id).destination == DESTINATION


def _check_history(w: World, r: Any) -> None:
    assert isinstance(r["data"], list) and all("serviceId" in item for item in r["data"])


def _check_systems(w: World, r: Any) -> None:
    assert isinstance(r["data"]["systems"], list)


def _check_dtcs(w: World, r: Any) -> None:
    assert isinstance(r["data"]["activeCodes"], list)


def _check_nominal(w: World, r: Any) -> None:
    assert "availableCapacities" in r["data"]


def _check_subscribe(w: World, r: Any) -> None:
    assert (r["webhookId"], r["vehicleId"]) == (WEBHOOK_ID, w.electric.id)


def _check_status(w: World, r: Any) -> None:
    assert r["status"] == "success"


def _check_raw_odometer(w: World, r: Any) -> None:
    if not w.served:  # the escape hatch passes an empty 200 on as it came
        assert (r["code"], r["body"]) == (200, None)
        return
    assert r["code"] == 200 and r["headers"]["sc-unit-system"] == "metric"
    assert _close(r["body"]["distance"], w.gas.odometer_km)


def _limit(sim: SimVehicle) -> None:
    sim.charge_limit = 0.9


VEHICLE_PATH = "{api}/vehicles/{vid}"
V2 = ("2.0",)
CALLS: List[Call] = [
    Call("info", "GET", VEHICLE_PATH + "/", "electric", lambda w: w.vehicle("electric").info(),
         _check_info),
    Call("vin", "GET", VEHICLE_PATH + "/vin", "gas", lambda w: w.vehicle("gas").vin(), _check_vin),
    Call("permissions", "GET", VEHICLE_PATH + "/permissions", "gas",
         lambda w: w.vehicle("gas").permissions(), _check_permissions),
    Call("location", "GET", VEHICLE_PATH + "/location", "gas",
         lambda w: w.vehicle("gas").location(), _check_location),
    Call("odometer", "GET", VEHICLE_PATH + "/odometer", "gas",
         lambda w: w.vehicle("gas").odometer(), _check_odometer),
    Call("fuel", "GET", VEHICLE_PATH + "/fuel", "gas", lambda w: w.vehicle("gas").fuel(),
         _check_fuel),
    Call("battery", "GET", VEHICLE_PATH + "/battery", "electric",
         lambda w: w.vehicle("electric").battery(), _check_battery),
    Call("battery_capacity", "GET", VEHICLE_PATH + "/battery/capacity", "electric",
         lambda w: w.vehicle("electric").battery_capacity(), _check_capacity),
    Call("charge", "GET", VEHICLE_PATH + "/charge", "electric",
         lambda w: w.vehicle("electric").charge(), _check_charge),
    Call("oil", "GET", VEHICLE_PATH + "/engine/oil", "gas", lambda w: w.vehicle("gas").oil(),
         _check_oil),
    Call("tire_pressure", "GET", VEHICLE_PATH + "/tires/pressure", "gas",
         lambda w: w.vehicle("gas").tire_pressure(), _check_tires),
    Call("lock", "POST", VEHICLE_PATH + "/security", "electric",
         lambda w: w.vehicle("electric").lock(), _check_action("locked", True),
         _set("locked", False)),
    Call("unlock", "POST", VEHICLE_PATH + "/security", "electric",
         lambda w: w.vehicle("electric").unlock(), _check_action("locked", False),
         _set("locked", True)),
    Call("start_charge", "POST", VEHICLE_PATH + "/charge", "electric",
         lambda w: w.vehicle("electric").start_charge(), _check_action("charging", True),
         _set("charging", False)),
    Call("stop_charge", "POST", VEHICLE_PATH + "/charge", "electric",
         lambda w: w.vehicle("electric").stop_charge(), _check_action("charging", False),
         _set("charging", True)),
    Call("batch", "POST", VEHICLE_PATH + "/batch", "electric",
         lambda w: w.vehicle("electric").batch(["/odometer", "/battery"]), _check_batch),
    Call("disconnect", "DELETE", VEHICLE_PATH + "/application", "electric",
         lambda w: w.vehicle("electric").disconnect(), _check_disconnect),
    Call("exchange_code", "POST", "/oauth/token", "none",
         lambda w: w.client().exchange_code(w.code or ""), _check_access),
    Call("exchange_refresh_token", "POST", "/oauth/token", "none",
         lambda w: w.client().exchange_refresh_token(w.tokens["refresh_token"]), _check_access),
    Call("get_vehicle_ids", "GET", "{api}/vehicles", "none",
         lambda w: smartcar.get_vehicle_ids(w.tokens["access_token"], timeout=w.timeout),
         _check_ids),
    Call("get_user_id", "GET", "{api}/user", "none",
         lambda w: smartcar.get_user_id(w.tokens["access_token"], timeout=w.timeout),
         _check_user),
    # v2.0 only
    Call("attributes", "GET", VEHICLE_PATH + "/", "electric",
         lambda w: w.vehicle("electric").attributes(), _check_info, versions=V2),
    Call("lock_status", "GET", VEHICLE_PATH + "/security", "electric",
         lambda w: w.vehicle("electric").lock_status(), _check_lock_status, versions=V2),
    Call("get_charge_limit", "GET", VEHICLE_PATH + "/charge/limit", "electric",
         lambda w: w.vehicle("electric").get_charge_limit(), _check_charge_limit,
         _limit, versions=V2),
    Call("set_charge_limit", "POST", VEHICLE_PATH + "/charge/limit", "electric",
         lambda w: w.vehicle("electric").set_charge_limit(0.8), _check_set_limit,
         _limit, versions=V2),
    Call("send_destination", "POST", VEHICLE_PATH + "/navigation/destination", "electric",
         lambda w: w.vehicle("electric").send_destination(*DESTINATION), _check_destination,
         versions=V2),
    Call("service_history", "GET", VEHICLE_PATH + "/service/history", "gas",
         lambda w: w.vehicle("gas").service_history(), _check_history, versions=V2),
    Call("diagnostic_system_status", "GET", VEHICLE_PATH + "/diagnostics/system_status", "gas",
         lambda w: w.vehicle("gas").diagnostic_system_status(), _check_systems, versions=V2),
    Call("diagnostic_trouble_codes", "GET", VEHICLE_PATH + "/diagnostics/dtcs", "gas",
         lambda w: w.vehicle("gas").diagnostic_trouble_codes(), _check_dtcs, versions=V2),
    Call("nominal_capacity", "GET", VEHICLE_PATH + "/battery/nominal_capacity", "electric",
         lambda w: w.vehicle("electric").nominal_capacity(), _check_nominal, versions=V2),
    Call("subscribe", "POST", VEHICLE_PATH + "/webhooks/" + WEBHOOK_ID, "electric",
         lambda w: w.vehicle("electric").subscribe(WEBHOOK_ID), _check_subscribe, versions=V2),
    Call("unsubscribe", "DELETE", VEHICLE_PATH + "/webhooks/" + WEBHOOK_ID, "electric",
         lambda w: w.vehicle("electric").unsubscribe(w.emu.management_token, WEBHOOK_ID),
         _check_status, versions=V2),
    Call("request", "GET", VEHICLE_PATH + "/odometer", "gas",
         lambda w: w.vehicle("gas").request("GET", "odometer"), _check_raw_odometer,
         versions=V2),
]  # fmt: skip


# --------------------------------------------------------------------------- the faults


@dataclass(frozen=True)
class Outcome:
    """What a call must end in: ``error`` None means the normal result."""

    error: Optional[Type[SmartcarException]]
    attempts: int
    check: Optional[Callable[[SmartcarException], None]] = None


@dataclass(frozen=True)
class FaultKind:
    name: str
    options: Dict[str, Any]
    expect: Callable[[Call], Outcome]
    slow: bool = False
    answered: bool = True  # the emulator sent an HTTP answer (so the error has a request_id)
    extra: Dict[str, Any] = field(default_factory=dict)
    v2_body: bool = False  # the answer is a v2.0 error body: every v2 attribute is filled


def once(error: Type[SmartcarException], check: Any = None) -> Callable[[Call], Outcome]:
    return lambda call: Outcome(error, 1, check)


def gateway(call: Call) -> Outcome:
    """A persistent 502/503: a GET is tried ``max_retries + 1`` times, anything else once."""
    return Outcome(ServerException, ALL_ATTEMPTS if call.is_get else 1, _no_html)


def gateway_once(call: Call) -> Outcome:
    """One 502/503, then the normal answer: a GET succeeds on its second attempt."""
    return Outcome(None, 2) if call.is_get else Outcome(ServerException, 1, _no_html)


def upstream(call: Call) -> Outcome:
    """A persistent v2 ``502 UPSTREAM``: repeated like any 502, then ``UpstreamException``."""
    return Outcome(UpstreamException, ALL_ATTEMPTS if call.is_get else 1, _status(502))


def upstream_once(call: Call) -> Outcome:
    """One v2 ``502 UPSTREAM``, then the normal answer."""
    return Outcome(None, 2) if call.is_get else Outcome(UpstreamException, 1, _status(502))


def short_retry_after(call: Call) -> Outcome:
    if call.is_get:
        return Outcome(None, 2)
    return Outcome(RateLimitingException, 1, _retry_after(SHORT_RETRY_AFTER))


def app_rate_limit(call: Call) -> Outcome:
    """A persistent app-wide 429 (``SMARTCAR_API``) without ``Retry-After``: a GET backs off
    and is tried ``max_retries + 1`` times, anything else once."""
    return Outcome(RateLimitingException, ALL_ATTEMPTS if call.is_get else 1, _retry_after(None))


def empty_ok(call: Call) -> Outcome:
    """A 200 without a body is a valid answer only to DELETE /application (and the raw
    ``request()`` escape hatch hands it over as it came)."""
    if call.name in ("disconnect", "request"):
        return Outcome(None, 1)
    return Outcome(SmartcarException, 1, _invalid_response)


def _no_html(error: SmartcarException) -> None:
    assert "<" not in error.message and error.status_code in (502, 503)


def _retry_after(seconds: Optional[float]) -> Callable[[SmartcarException], None]:
    def check(error: SmartcarException) -> None:
        assert error.status_code == 429 and error.retry_after == seconds

    return check


def _state_code(code: Optional[str], text: str) -> Callable[[SmartcarException], None]:
    def check(error: SmartcarException) -> None:
        assert error.code == code
        assert str(error) == text

    return check


def _status(status: int) -> Callable[[SmartcarException], None]:
    def check(error: SmartcarException) -> None:
        assert error.status_code == status

    return check


def _invalid_response(error: SmartcarException) -> None:
    assert error.error == "invalid_response" and error.status_code == 200


def _gateway_text(error: SmartcarException) -> None:
    assert error.status_code == 504 and error.message == "upstream request timeout"


def _network(kind: str) -> Callable[[SmartcarException], None]:
    def check(error: SmartcarException) -> None:
        assert error.status_code is None and error.error == kind and error.__cause__ is not None

    return check


DOORS_OPEN = "The doors are open."
FAULTS: List[FaultKind] = [
    FaultKind("none", {}, lambda call: Outcome(None, 1)),
    FaultKind("400", {"status": 400}, once(ValidationException, _status(400))),
    FaultKind("401", {"status": 401}, once(AuthenticationException, _status(401))),
    FaultKind("403", {"status": 403}, once(PermissionException, _status(403))),
    FaultKind("404", {"status": 404}, once(ResourceNotFoundException, _status(404))),
    FaultKind(
        "409-code",
        {"status": 409, "code": "VS_003", "message": "Unplugged."},
        once(StateException, _state_code("VS_003", "VS_003: Unplugged.")),
    ),
    FaultKind(
        "409-no-code",
        {"status": 409, "body": {"error": "vehicle_state_error", "message": DOORS_OPEN}},
        once(StateException, _state_code(None, DOORS_OPEN)),
    ),
    FaultKind(
        "429-no-retry-after",
        {"status": 429, "count": None},
        once(RateLimitingException, _retry_after(None)),
    ),
    FaultKind(
        "429-short-retry-after",
        {"status": 429, "retry_after": SHORT_RETRY_AFTER},
        short_retry_after,
    ),
    FaultKind(
        "429-long-retry-after",
        {"status": 429, "retry_after": LONG_RETRY_AFTER, "count": None},
        once(RateLimitingException, _retry_after(LONG_RETRY_AFTER)),
    ),
    FaultKind("430", {"status": 430}, once(MonthlyLimitExceeded, _status(430))),
    FaultKind("500", {"status": 500}, once(ServerException, _status(500))),
    FaultKind("501-vehicle", {"status": 501}, once(VehicleNotCapableException, _status(501))),
    FaultKind(
        "501-smartcar",
        {"status": 501, "error": "smartcar_not_capable_error"},
        once(SmartcarNotCapableException, _status(501)),
    ),
    FaultKind(
        "501-no-error",
        {"status": 501, "body": {"message": "No."}},
        once(VehicleNotCapableException, _status(501)),
    ),
    FaultKind("504-text", {"status": 504}, once(GatewayTimeoutException, _gateway_text)),
    FaultKind("502-html", {"status": 502, "count": None}, gateway),
    FaultKind("503-html", {"status": 503, "count": None}, gateway),
    FaultKind("502-once", {"status": 502}, gateway_once),
    FaultKind("503-once", {"status": 503}, gateway_once),
    FaultKind("empty-200", {"status": 200, "body": b""}, empty_ok),
    FaultKind("empty-500", {"status": 500, "body": b""}, once(ServerException, _status(500))),
    FaultKind(
        "dropped",
        {"drop": True, "count": None},
        once(SmartcarConnectionError, _network("connection_dropped")),
        answered=False,
    ),
    FaultKind(
        "latency-past-timeout",
        {"latency": LATENCY, "count": None},
        once(SmartcarTimeout, _network("timeout")),
        slow=True,
        answered=False,
    ),
]


# v2.0: the service answers with v2 bodies (spec 7.3). Each fault names its v2 type and code
# so that the expectation does not rest on the emulator's defaults.
def _v2(name: str, status: int, error_type: str, code: Optional[str], **more: Any) -> FaultKind:
    options = {"status": status, "error": error_type, "code": code, **more.pop("options", {})}
    return FaultKind(name, options, v2_body=True, **more)


def _html(status: int, reason: str) -> Dict[str, Any]:
    """A load balancer's HTML page: what a 502/503 looks like on every version."""
    page = f"<html><head><title>{status} {reason}</title></head><body>{reason}</body></html>"
    return {"status": status, "count": None, "body": page, "content_type": "text/html"}


V2_DOORS_OPEN = {
    "type": "VEHICLE_STATE",
    "code": None,
    "description": DOORS_OPEN,
    "docURL": "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors",
    "statusCode": 409,
    "requestId": "00000000-0000-4000-8000-000000000409",
    "resolution": {"type": None},
    "suggestedUserMessage": "Close the doors of your car, then try again.",
}
V2_REPLACED: Dict[str, FaultKind] = {
    kind.name: kind
    for kind in [
        _v2("400", 400, "VALIDATION", None, expect=once(ValidationException, _status(400))),
        _v2("401", 401, "AUTHENTICATION", None, expect=once(AuthenticationException)),
        _v2("403", 403, "PERMISSION", None, expect=once(PermissionException, _status(403))),
        _v2("404", 404, "RESOURCE_NOT_FOUND", "PATH", expect=once(ResourceNotFoundException)),
        _v2(
            "409-code",
            409,
            "VEHICLE_STATE",
            "CHARGING_PLUG_NOT_CONNECTED",
            options={"message": "Unplugged."},
            expect=once(
                StateException,
                _state_code(
                    "CHARGING_PLUG_NOT_CONNECTED", "CHARGING_PLUG_NOT_CONNECTED: Unplugged."
                ),
            ),
        ),
        FaultKind(
            "409-no-code",
            {"status": 409, "body": V2_DOORS_OPEN},
            once(StateException, _state_code(None, DOORS_OPEN)),
            v2_body=True,
        ),
        _v2(
            "429-no-retry-after",
            429,
            "RATE_LIMIT",
            "VEHICLE",
            options={"count": None},
            expect=once(RateLimitingException, _retry_after(None)),
        ),
        _v2(
            "429-short-retry-after",
            429,
            "RATE_LIMIT",
            "VEHICLE",
            options={"retry_after": SHORT_RETRY_AFTER},
            expect=short_retry_after,
        ),
        _v2(
            "429-long-retry-after",
            429,
            "RATE_LIMIT",
            "VEHICLE",
            options={"retry_after": LONG_RETRY_AFTER, "count": None},
            expect=once(RateLimitingException, _retry_after(LONG_RETRY_AFTER)),
        ),
        _v2("430", 430, "BILLING", "VEHICLE_REQUEST_LIMIT", expect=once(MonthlyLimitExceeded)),
        _v2("500", 500, "SERVER", "INTERNAL", expect=once(ServerException, _status(500))),
        _v2(
            "501-vehicle",
            501,
            "COMPATIBILITY",
            "VEHICLE_NOT_CAPABLE",
            expect=once(VehicleNotCapableException),
        ),
        _v2(
            "501-smartcar",
            501,
            "COMPATIBILITY",
            "SMARTCAR_NOT_CAPABLE",
            expect=once(SmartcarNotCapableException),
        ),
        FaultKind(
            "504-text",
            {"status": 504, "body": "upstream request timeout", "content_type": "text/plain"},
            once(GatewayTimeoutException, _gateway_text),
        ),
        FaultKind("502-html", _html(502, "Bad Gateway"), gateway),
        FaultKind("503-html", _html(503, "Service Temporarily Unavailable"), gateway),
        _v2("502-once", 502, "UPSTREAM", "UNKNOWN_ISSUE", expect=upstream_once),
        _v2("503-once", 503, "SERVER", "INTERNAL", expect=gateway_once),
    ]
}
V2_ONLY: List[FaultKind] = [
    _v2("502-upstream", 502, "UPSTREAM", "INVALID_DATA", options={"count": None}, expect=upstream),
    _v2(
        "429-app-no-retry-after",
        429,
        "RATE_LIMIT",
        "SMARTCAR_API",
        options={"count": None},
        expect=app_rate_limit,
    ),
]
V2_FAULTS = [V2_REPLACED.get(kind.name, kind) for kind in FAULTS] + V2_ONLY


def _check_v2_attributes(error: SmartcarException, fault: FaultKind) -> None:
    """Every attribute a v2.0 error body fills (spec 7.3)."""
    body = fault.options.get("body")
    expected_type = body["type"] if isinstance(body, dict) else fault.options["error"]
    expected_code = body["code"] if isinstance(body, dict) else fault.options["code"]
    assert (error.type, error.error, error.code) == (expected_type, expected_type, expected_code)
    assert error.description and error.description in error.message
    assert error.doc_url is not None and error.doc_url.startswith("https://smartcar.com/docs/")
    assert error.resolution is not None and "type" in error.resolution
    assert error.suggested_user_message
    if expected_type == "VALIDATION":
        assert error.detail is not None


def faults_for(version: str, call: Call) -> List[FaultKind]:
    """The faults as the service of ``version`` words them (the token endpoint: OAuth)."""
    return V2_FAULTS if version == "2.0" and call.versioned else FAULTS


# --------------------------------------------------------------------------- the matrix


def _attempts(emu: Emulator, call: Call, target: str, faulted: int) -> List[RequestRecord]:
    """The logged attempts of the call; waits for slow ones the client gave up on."""
    deadline = time.monotonic() + LATENCY + 5.0
    while True:
        records = emu.requests(target, call.method)
        with_fault = sum(1 for record in records if record.fault is not None)
        if with_fault >= faulted or time.monotonic() > deadline:
            return records
        time.sleep(0.02)


# A slow fault costs a read timeout per case: it runs on a sample of the calls (a read of each
# kind, each command form, a DELETE, a token exchange, a module function) on every version.
SLOW_SAMPLE = {"info", "odometer", "tire_pressure", "lock", "batch", "disconnect",
               "exchange_refresh_token", "get_vehicle_ids", "lock_status", "set_charge_limit",
               "unsubscribe", "request"}  # fmt: skip
MATRIX: List[Tuple[str, Call, FaultKind]] = [
    (version, call, fault)
    for version in VERSIONS
    for call in CALLS
    if version in call.versions
    for fault in faults_for(version, call)
    if not fault.slow or call.name in SLOW_SAMPLE
]
CASES = [pytest.param(*case, id=f"v{case[0]}-{case[1].name}-{case[2].name}") for case in MATRIX]


@pytest.mark.parametrize(("version", "call", "fault"), CASES)
def test_fault_matrix(
    emu: Emulator,
    version: str,
    call: Call,
    fault: FaultKind,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
) -> None:
    use_api_version(smartcar_defaults, version)
    timeout = SHORT_TIMEOUT if fault.slow else TIMEOUT
    world = fresh_world(emu, timeout, call.name == "exchange_code", version)
    if call.prepare is not None:
        call.prepare(world.electric)
    target = call.target(world)
    scripted = (
        emu.faults.add(target, method=call.method, **fault.options) if fault.options else None
    )
    expected = fault.expect(call)
    caplog.set_level(logging.WARNING, logger="smartcar")

    started = time.monotonic()
    result: Any = None
    error: Optional[SmartcarException] = None
    try:
        result = call.run(world)
    except SmartcarException as raised:
        error = raised
    elapsed = time.monotonic() - started

    records = _attempts(emu, call, target, scripted.hits if scripted is not None else 0)
    assert len(records) == expected.attempts, (
        f"{call.method} {call.name} under {fault.name}: the emulator saw {len(records)} "
        f"attempt(s), the policy allows {expected.attempts}: {[r.status for r in records]}"
    )
    retries = [r for r in caplog.records if r.name == "smartcar" and r.levelno == logging.WARNING]
    assert len(retries) == expected.attempts - 1

    if expected.error is None:
        assert error is None, f"{call.name} under {fault.name} raised {error!r}"
        assert smartcar.last_request_id() == records[-1].request_id is not None
        if isinstance(result, dict) and call.name != "batch":  # batch: keys are paths
            assert result.request_id == records[-1].request_id
        world.served = records[-1].fault is None
        call.check(world, result)
        return
    assert error is not None, f"{call.name} under {fault.name} returned {result!r}"
    assert type(error) is expected.error, f"{call.name} under {fault.name}: {error!r}"
    if expected.check is not None:
        expected.check(error)
    if fault.v2_body:
        _check_v2_attributes(error, fault)
    if fault.answered:
        assert error.request_id is not None and error.request_id == records[-1].request_id
    else:
        assert error.request_id is None
    if fault.name == "429-long-retry-after":
        assert elapsed < 1.0  # raised at once, without waiting for the Retry-After


def test_matrix_covers_every_vehicle_method_and_token_call_on_every_version() -> None:
    public = {
        name
        for name in dir(smartcar.Vehicle)
        if not name.startswith("_") and callable(getattr(smartcar.Vehicle, name))
    }
    # has_permissions() is permissions() plus a set check; set_unit_system() sends nothing.
    # The v2.0 additions (what the official 6.x adds: attributes() is info() by its 6.x name,
    # request() the escape hatch) are v2.0 only.
    v2_only = {call.name for call in CALLS if call.versions == V2}
    assert v2_only <= public
    assert "2.0" in VERSIONS
    for version in VERSIONS:
        cases = [case for case in MATRIX if case[0] == version]
        covered = {call.name for _, call, _ in cases}
        expected = public - {"has_permissions", "set_unit_system"}
        if version == "1.0":
            expected -= v2_only
            assert not covered & v2_only
        assert expected <= covered, version
        assert {"exchange_code", "exchange_refresh_token", "get_vehicle_ids"} <= covered
        assert "get_user_id" in covered
        kinds = {fault.name for _, _, fault in cases}
        assert kinds == {fault.name for fault in (V2_FAULTS if version == "2.0" else FAULTS)}


# --------------------------------------------------------------------------- failed connects


@pytest.fixture
def connect_attempts(monkeypatch: pytest.MonkeyPatch) -> List[Tuple[str, int]]:
    """Every TCP connect urllib3 tries (host, port), counted at the socket layer."""
    seen: List[Tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def counting(address: Tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        seen.append((address[0], int(address[1])))
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return seen


@pytest.fixture
def stopped_origin(monkeypatch: pytest.MonkeyPatch) -> str:
    """The origin of an emulator that was started, used, and stopped: its port now refuses."""
    with Emulator() as server:
        tokens = server.issue_tokens()
        assert smartcar.get_user_id(tokens["access_token"]) == server.user_id()
        origin = server.origin
    monkeypatch.setattr(const, "API_URL", origin + "/v1.0")
    monkeypatch.setattr(const, "AUTH_URL", origin + "/oauth/token")
    return origin


REFUSED_CALLS: Dict[str, Callable[[Optional[int]], Any]] = {
    "GET odometer": lambda retries: smartcar.Vehicle("v", "t", max_retries=retries).odometer(),
    "POST lock": lambda retries: smartcar.Vehicle("v", "t", max_retries=retries).lock(),
    "DELETE disconnect": lambda retries: smartcar.Vehicle(
        "v", "t", max_retries=retries
    ).disconnect(),
    "POST exchange_refresh_token": lambda retries: smartcar.AuthClient(
        "id", "secret", "http://localhost/cb", max_retries=retries
    ).exchange_refresh_token("refresh"),
}


@pytest.mark.parametrize("retries", [None, 0, 3], ids=["default", "max_retries=0", "max_retries=3"])
@pytest.mark.parametrize("name", list(REFUSED_CALLS))
def test_refused_connection_is_retried_for_every_method(
    stopped_origin: str,
    connect_attempts: List[Tuple[str, int]],
    caplog: pytest.LogCaptureFixture,
    name: str,
    retries: Optional[int],
) -> None:
    caplog.set_level(logging.DEBUG, logger="smartcar")
    port = int(stopped_origin.rsplit(":", 1)[1])
    with pytest.raises(SmartcarConnectionError) as raised:
        REFUSED_CALLS[name](retries)
    allowed = (FAST_POLICY.max_retries if retries is None else retries) + 1
    assert [p for _, p in connect_attempts] == [port] * allowed
    attempts = [r for r in caplog.records if r.name == "smartcar" and r.levelno == logging.DEBUG]
    assert [r.args[-1] for r in attempts] == list(range(1, allowed + 1))  # type: ignore[index]
    assert raised.value.error == "connection_failed"
    assert raised.value.request_id is None and raised.value.status_code is None


def test_closed_port_get_and_post_alike(
    monkeypatch: pytest.MonkeyPatch, connect_attempts: List[Tuple[str, int]]
) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    monkeypatch.setattr(const, "API_URL", f"http://127.0.0.1:{port}/v1.0")
    vehicle = smartcar.Vehicle("v", "token-value")
    for action in (vehicle.vin, vehicle.unlock):
        connect_attempts.clear()
        with pytest.raises(SmartcarConnectionError, match="Could not connect"):
            action()
        assert len(connect_attempts) == ALL_ATTEMPTS


# --------------------------------------------------------------------------- time bounds


@pytest.mark.parametrize("version", VERSIONS)
def test_rate_limit_of_the_emulator_is_waited_out_for_a_get(
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
    version: str,
) -> None:
    """A real per-vehicle limit: the 429 carries Retry-After: 1, under the cap, so the GET
    waits about a second and is answered; a POST over the limit is refused at once."""
    use_api_version(smartcar_defaults, version)
    world = fresh_world(emu, TIMEOUT, need_code=False, version=version)
    emu.rate_limit(world.gas.id, per_second=1)
    vehicle = world.vehicle("gas")
    vehicle.odometer()
    started = time.monotonic()
    assert vehicle.vin() == world.gas.vin
    waited = time.monotonic() - started
    prefix = f"/v{version}/vehicles/{world.gas.id}"
    statuses = [record.status for record in emu.requests(f"{prefix}/vin")]
    assert statuses == [429, 200]
    assert 0.9 <= waited < 3.0
    with pytest.raises(RateLimitingException) as raised:
        vehicle.lock()
    assert raised.value.retry_after is not None and raised.value.retry_after >= 1
    assert len(emu.requests(f"{prefix}/security")) == 1
    if version == "2.0":
        assert (raised.value.type, raised.value.code) == ("RATE_LIMIT", "VEHICLE")


@pytest.mark.parametrize("version", VERSIONS)
def test_max_elapsed_bounds_a_call_that_keeps_failing(
    emu: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    smartcar_defaults: Callable[..., None],
    version: str,
) -> None:
    """No retry starts after ``max_elapsed``: a call lasts at most that plus one attempt."""
    use_api_version(smartcar_defaults, version)
    policy = FAST_POLICY._replace(max_retries=50, max_elapsed=0.5)
    smartcar_defaults(retry=policy)
    world = fresh_world(emu, TIMEOUT, need_code=False, version=version)
    target = f"/v{version}/vehicles/{world.gas.id}/odometer"
    latency = 0.2
    emu.faults.add(target, status=503, latency=latency, count=None)
    started = time.monotonic()
    with pytest.raises(ServerException):
        world.vehicle("gas").odometer()
    elapsed = time.monotonic() - started
    attempts = len(emu.requests(target))
    assert 2 <= attempts <= 4
    assert elapsed <= policy.max_elapsed + latency + 0.5
