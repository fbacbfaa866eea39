"""The emulator's WSGI application: Connect pages, the token endpoint, the v1.0 API, admin."""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.wrappers import Request

from smartcar.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    DEFAULT_USER,
    pages,
)
from smartcar.emulator._clock import Clock
from smartcar.emulator.faults import Fault, FaultSet, RateLimiter, error_body
from smartcar.emulator.fleet import (
    KM_PER_MILE,
    KPA_PER_PSI,
    LITERS_PER_US_GALLON,
    MAKES,
    SMARTCAR_UNSUPPORTED,
    WMI_MAKES,
    SimVehicle,
    build_garage,
    build_vehicle,
    default_garage_spec,
    user_id_for,
)
from smartcar.emulator.guard import admin_refusal
from smartcar.emulator.permissions import PERMISSIONS, ordered, parse_scope
from smartcar.emulator.redact import redact_query
from smartcar.emulator.vin import VIN_ALPHABET

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ACCESS_TOKEN_LIFETIME = 2 * 60 * 60
REFRESH_TOKEN_LIFETIME = 60 * 24 * 60 * 60
CODE_LIFETIME = 10 * 60
CONNECT_SESSION_LIFETIME = 60 * 60
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 10  # /vehicles
DEFAULT_PERMISSIONS_PAGE_SIZE = 25  # /permissions: every known permission fits one page
SUPPORTED_COUNTRIES = frozenset(
    {
        "US",
        "CA",
        "GB",
        "IE",
        "FR",
        "DE",
        "AT",
        "BE",
        "NL",
        "LU",
        "CH",
        "IT",
        "ES",
        "PT",
        "DK",
        "NO",
        "SE",
        "FI",
        "PL",
        "CZ",
        "HU",
    }
)

DROP_KEY = "smartcar_emulator.drop"
HANDLER_KEY = "smartcar_emulator.handler"
_METRIC = "metric"
_IMPERIAL = "imperial"
_JSON = "application/json"
_HTML = "text/html; charset=utf-8"

UsersSpec = Mapping[str, Union[int, Sequence[str]]]


def _iso(moment: datetime) -> str:
    """``2019-10-24T00:43:46.000Z``"""
    if moment.utcoffset():
        moment = moment.astimezone(timezone.utc)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


_STATUS_LINES: Dict[int, str] = {
    status.value: f"{status.value} {status.phrase}" for status in HTTPStatus
}
_STATUS_LINES[430] = "430 Monthly Limit Exceeded"


def _status_line(status: int) -> str:
    line = _STATUS_LINES.get(status)
    return line if line is not None else f"{status} Unknown"


def _normal_email(email: str) -> str:
    return email.strip().lower()


class _Req:
    """The request, read straight from the WSGI environ on the hot path; werkzeug's
    :class:`Request` is built only when a body, form or Authorization header is needed."""

    __slots__ = ("_args", "_request", "environ", "method", "path")

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ
        self.method: str = str(environ.get("REQUEST_METHOD", "GET")).upper()
        raw = str(environ.get("PATH_INFO", "") or "/")
        self.path: str = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        self._request: Optional[Request] = None
        self._args: Optional[Dict[str, str]] = None

    @property
    def request(self) -> Request:
        if self._request is None:
            self._request = Request(self.environ)
        return self._request

    @property
    def args(self) -> Dict[str, str]:
        """Query parameters (the first value of each name)."""
        if self._args is None:
            args: Dict[str, str] = {}
            query = str(self.environ.get("QUERY_STRING", ""))
            if query:
                for key, value in parse_qsl(query, keep_blank_values=True):
                    args.setdefault(key, value)
            self._args = args
        return self._args

    def header(self, name: str) -> Optional[str]:
        value = self.environ.get("HTTP_" + name.upper().replace("-", "_"))
        return None if value is None else str(value)


@dataclass
class Reply:
    """A fully buffered HTTP response."""

    status: int
    body: bytes
    content_type: str = _JSON
    headers: Dict[str, str] = field(default_factory=dict)


def _json(status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> Reply:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return Reply(status, data, _JSON, dict(headers or {}))


def _html(status: int, document: str) -> Reply:
    return Reply(status, document.encode(), _HTML, {"Cache-Control": "no-store"})


def _redirect(location: str) -> Reply:
    body = f'<!doctype html><p>Redirecting to <a href="{location}">the application</a>.</p>'
    return Reply(302, body.encode(), _HTML, {"Location": location, "Cache-Control": "no-store"})


class ApiError(Exception):
    """A v1.0 error answer."""

    def __init__(
        self,
        status: int,
        error: Optional[str] = None,
        message: Optional[str] = None,
        code: Optional[str] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> None:
        super().__init__(message or error or str(status))
        self.status = status
        self.error = error
        self.message = message
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> Dict[str, Any]:
        return error_body(self.status, self.error, self.message, self.code)

    def reply(self) -> Reply:
        return _json(self.status, self.body(), self.headers)


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def reply(self) -> Reply:
        headers = {"WWW-Authenticate": 'Basic realm="smartcar"'} if self.status == 401 else {}
        payload = {"error": self.error, "error_description": self.description}
        return _json(self.status, payload, headers)


class ConnectProblem(Exception):
    """A bad Connect request: shown as an HTML error page (400)."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title
        self.message = message


@dataclass
class RequestRecord:
    """One request attempt as the emulator saw it (never tokens nor Authorization values).

    Recorded when the request arrives: ``status`` stays None while it is in flight (e.g.
    under a latency fault) and for a dropped connection (``dropped``). ``at`` is the
    emulated time and ``time`` the real POSIX time of arrival; ``duration`` is in seconds.
    """

    method: str
    path: str
    query: Dict[str, str]
    status: Optional[int]
    at: datetime
    time: float
    duration: float
    unit_system: Optional[str]
    request_id: Optional[str]
    vehicle_id: Optional[str] = None
    grant_type: Optional[str] = None
    action: Optional[str] = None
    fault: Optional[str] = None
    dropped: bool = False
    client_port: Optional[int] = None

    def to_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["at"] = _iso(self.at)
        return data


@dataclass
class Grant:
    """What one Connect approval (or ``issue_tokens``) authorised; shared by its token chain."""

    client_id: str
    user: str
    user_id: str
    scopes: Tuple[str, ...]
    vehicle_ids: List[str]
    revoked: Set[str] = field(default_factory=set)
    active: bool = True


@dataclass
class _TokenRecord:
    grant: Grant
    expires_at: datetime


@dataclass
class _AuthCode:
    client_id: str
    redirect_uri: str
    grant: Grant
    expires_at: datetime
    used: bool = False


@dataclass
class _ConnectSession:
    sid: str
    client_id: str
    redirect_uri: str
    scopes: Tuple[str, ...]
    state: Optional[str]
    make: Optional[str]
    single_select: bool
    vin: Optional[str]
    test_mode: bool
    force: bool
    flags: Tuple[str, ...]
    expires_at: datetime
    user: Optional[str] = None
    candidates: List[str] = field(default_factory=list)


@dataclass
class _Context:
    """What a request revealed, for the log."""

    vehicle_id: Optional[str] = None
    grant_type: Optional[str] = None
    action: Optional[str] = None


# GET endpoints under /vehicles/{id}: permission, vehicle kinds able to answer, body maker.
_Reader = Callable[[SimVehicle, bool], Dict[str, Any]]


def _info(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"id": vehicle.id, "make": vehicle.make, "model": vehicle.model, "year": vehicle.year}


def _vin(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"vin": vehicle.vin}


def _location(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"latitude": vehicle.latitude, "longitude": vehicle.longitude}


def _distance(km: float, imperial: bool) -> float:
    return round(km / KM_PER_MILE if imperial else km, 1)


def _odometer(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"distance": _distance(vehicle.odometer_km, imperial)}


def _fuel(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    liters = vehicle.fuel_liters
    amount = liters / LITERS_PER_US_GALLON if imperial else liters
    return {
        "range": _distance(vehicle.fuel_range_km, imperial),
        "percentRemaining": round(vehicle.fuel_percent, 3),
        "amountRemaining": round(amount, 2),
    }


def _battery(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {
        "range": _distance(vehicle.battery_range_km, imperial),
        "percentRemaining": round(vehicle.battery_percent, 3),
    }


def _capacity(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"capacity": vehicle.battery_capacity_kwh}


def _charge(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"isPluggedIn": vehicle.is_plugged_in, "state": vehicle.charging_state}


def _oil(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {"lifeRemaining": round(vehicle.oil_life, 2)}


def _tires(vehicle: SimVehicle, imperial: bool) -> Dict[str, Any]:
    return {
        name: round(value / KPA_PER_PSI if imperial else value, 1)
        for name, value in vehicle.tire_pressure_kpa.items()
    }


_ALL = ("gas", "hybrid", "electric")
_ENGINE = ("gas", "hybrid")
_BATTERY = ("hybrid", "electric")
# path -> (permission, kinds, reader, body has units)
READS: Dict[str, Tuple[str, Tuple[str, ...], _Reader, bool]] = {
    "": ("read_vehicle_info", _ALL, _info, False),
    "/vin": ("read_vin", _ALL, _vin, False),
    "/location": ("read_location", _ALL, _location, False),
    "/odometer": ("read_odometer", _ALL, _odometer, True),
    "/fuel": ("read_fuel", _ENGINE, _fuel, True),
    "/battery": ("read_battery", _BATTERY, _battery, True),
    "/battery/capacity": ("read_battery", _BATTERY, _capacity, False),
    "/charge": ("read_charge", _BATTERY, _charge, False),
    "/engine/oil": ("read_engine_oil", _ENGINE, _oil, False),
    "/tires/pressure": ("read_tires", _ALL, _tires, True),
}
# The permission each endpoint needs, for the scope names a vehicle kind can support.
_KIND_PERMISSIONS: Dict[str, Set[str]] = {
    kind: {perm for perm, kinds, _, _ in READS.values() if kind in kinds}
    | {"control_security"}
    | ({"control_charge"} if kind in _BATTERY else set())
    for kind in _ALL
}
_ACTIONS = {
    "/security": ("control_security", _ALL, ("LOCK", "UNLOCK")),
    "/charge": ("control_charge", _BATTERY, ("START", "STOP")),
}


class EmulatorApp:
    """The emulated Smartcar as a WSGI application (serve it with any WSGI server; the
    :class:`~smartcar.emulator.Emulator` runs it on werkzeug's threaded server).

    ``users`` maps an email to its garage: a number of vehicles, or a list whose items are
    kinds (``"gas"``, ``"hybrid"``, ``"electric"``) or makes (``"TESLA"``). Any other email
    that signs in gets a seeded garage of its own (one of each kind plus up to two more).
    """

    def __init__(
        self,
        seed: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Optional[Iterable[str]] = None,
        users: Optional[UsersSpec] = None,
        app_name: str = "Emulated App",
        log_limit: Optional[int] = 200_000,
        trusted_hosts: Iterable[str] = (),
    ) -> None:
        self.seed = seed
        self.client_id = client_id
        self.client_secret = client_secret
        uris = list(redirect_uris) if redirect_uris is not None else [DEFAULT_REDIRECT_URI]
        if not uris:
            raise ValueError("register at least one redirect URI")
        self.redirect_uris: List[str] = uris
        self.app_name = app_name
        self.users: Dict[str, Union[int, Sequence[str]]] = {
            _normal_email(email): spec for email, spec in (users or {}).items()
        }
        self.log_limit = log_limit
        # Host names besides localhost and IP literals that may drive /_emulator.
        self.trusted_hosts: Tuple[str, ...] = tuple(trusted_hosts)
        self.clock = Clock()
        self.faults = FaultSet()
        self.rate_limits = RateLimiter()
        self.request_log: List[RequestRecord] = []
        self._lock = threading.RLock()
        self._init_state()

    # ------------------------------------------------------------------ state
    def _init_state(self) -> None:
        self._garages: Dict[str, List[SimVehicle]] = {}
        self._vehicles: Dict[str, SimVehicle] = {}
        self._sessions: Dict[str, _ConnectSession] = {}
        self._codes: Dict[str, _AuthCode] = {}
        self._access: Dict[str, _TokenRecord] = {}
        self._refresh: Dict[str, _TokenRecord] = {}
        self._approvals: Dict[Tuple[str, str], Tuple[Set[str], Set[str]]] = {}
        self._extra_makes: Dict[str, List[str]] = {}  # owner -> makes added on demand

    def reset(self, keep_tokens: bool = False) -> None:
        """Back to the seed: vehicles, Connect sessions, codes, faults, rate limits, the log
        and the clock. Tokens are forgotten too unless ``keep_tokens``."""
        with self._lock:
            access, refresh = self._access, self._refresh
            extras = dict(self._extra_makes)
            self.clock.reset()
            self._init_state()
            # Rebuild the garages seen so far, so vehicle ids stay valid across a reset.
            for owner, makes in extras.items():
                self._garage(owner)
                for make in makes:
                    self._vehicles_of(owner, make)
            if keep_tokens:
                self._access, self._refresh = access, refresh
                for record in list(access.values()) + list(refresh.values()):
                    record.grant.revoked.clear()
                    record.grant.active = True
            self.faults.clear()
            self.rate_limits.clear()
            self.request_log.clear()

    def add_redirect_uri(self, uri: str) -> None:
        """Register another redirect URI for the app."""
        with self._lock:
            if uri not in self.redirect_uris:
                self.redirect_uris.append(uri)

    def _garage(self, email: str) -> List[SimVehicle]:
        owner = _normal_email(email)
        garage = self._garages.get(owner)
        if garage is None:
            spec = self.users.get(owner)
            items: Optional[Sequence[str]]
            if isinstance(spec, int):
                kinds = [kind or "gas" for kind in default_garage_spec(self.seed, owner)]
                while len(kinds) < spec:
                    kinds.append(("electric", "gas", "hybrid")[len(kinds) % 3])
                items = kinds[:spec]
            else:
                items = spec
            garage = build_garage(self.seed, owner, self.clock.now(), items)
            self._garages[owner] = garage
            self._extra_makes.setdefault(owner, [])
            for vehicle in garage:
                self._vehicles[vehicle.id] = vehicle
        return garage

    def _vehicles_of(self, email: str, make: Optional[str] = None) -> List[SimVehicle]:
        """``email``'s vehicles of ``make`` (all when None); a garage that has none of that
        make gets one (the user has an account with every brand)."""
        garage = self._garage(email)
        if make is None or make == pages.ALL_MAKES:
            return list(garage)
        found = [vehicle for vehicle in garage if vehicle.make == make]
        if not found:
            owner = _normal_email(email)
            index = 1000 + MAKES.index(make)
            vehicle = build_vehicle(self.seed, owner, index, self.clock.now(), make=make)
            garage.append(vehicle)
            self._vehicles[vehicle.id] = vehicle
            self._extra_makes.setdefault(owner, []).append(make)
            found = [vehicle]
        return found

    def vehicles(self, user: Optional[str] = None) -> List[SimVehicle]:
        """The simulated vehicles of ``user`` (default: the default user), brought up to date."""
        with self._lock:
            garage = list(self._garage(user or DEFAULT_USER))
            now = self.clock.now()
            for vehicle in garage:
                vehicle.advance(now)
            return garage

    def vehicle(self, vehicle_id: str) -> SimVehicle:
        """The simulated vehicle with this id (KeyError when unknown)."""
        with self._lock:
            vehicle = self._vehicles[vehicle_id]
            vehicle.advance(self.clock.now())
            return vehicle

    def user_id(self, user: Optional[str] = None) -> str:
        return user_id_for(self.seed, _normal_email(user or DEFAULT_USER))

    def rate_limit(
        self, vehicle_id: Optional[str] = None, per_second: Optional[float] = 1.0
    ) -> None:
        """Allow ``per_second`` requests per vehicle (``vehicle_id`` None: every vehicle);
        beyond that answer 429 ``rate_limit_error`` with ``Retry-After``. ``None`` lifts it."""
        self.rate_limits.set(vehicle_id, per_second)

    def token_exchanges(self, grant_type: Optional[str] = None) -> int:
        """How many POSTs reached ``/oauth/token`` (of ``grant_type`` when given)."""
        return sum(
            1
            for record in list(self.request_log)
            if record.method == "POST"
            and record.path == "/oauth/token"
            and (grant_type is None or record.grant_type == grant_type)
        )

    def requests(self, pattern: str = "*", method: Optional[str] = None) -> List[RequestRecord]:
        """Logged attempts whose path matches the fnmatch ``pattern`` (and ``method``)."""
        import fnmatch

        return [
            record
            for record in list(self.request_log)
            if fnmatch.fnmatchcase(record.path, pattern)
            and (method is None or record.method == method.upper())
        ]

    def issue_tokens(
        self,
        scope: Union[str, Sequence[str], None] = None,
        user: Optional[str] = None,
        make: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]:
        """Mint tokens without Connect and return the access dict ``exchange_code`` builds.

        The dict has the token response's fields (``access_token``, ``token_type``,
        ``expires_in``, ``refresh_token``, ``refresh_expires_in``) plus ``expiration`` and
        ``refresh_expiration``: naive UTC datetimes on the emulator's clock.

        ``scope``: permission names (list or space-separated; default all), ``user``: the
        email (default ``driver@example.com``), ``make``: only that brand's vehicles,
        ``vehicle_ids``: exactly these vehicles of the user.

        Raises:
            ValueError: an unknown permission, or vehicle ids that are not that user's.
        """
        with self._lock:
            body = self.mint_tokens(scope=scope, user=user, make=make, vehicle_ids=vehicle_ids)
            expires = self._access[body["access_token"]].expires_at
            refresh_expires = self._refresh[body["refresh_token"]].expires_at
        access = dict(body)
        access["expiration"] = expires.astimezone(timezone.utc).replace(tzinfo=None)
        access["refresh_expiration"] = refresh_expires.astimezone(timezone.utc).replace(tzinfo=None)
        return access

    def mint_tokens(
        self,
        scope: Union[str, Sequence[str], None] = None,
        user: Optional[str] = None,
        make: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
    ) -> Dict[str, Any]:
        """Mint tokens without Connect; return the token response as ``POST /oauth/token``
        sends it (arguments as for :meth:`issue_tokens`)."""
        if scope is None:
            names = list(PERMISSIONS)
        else:
            names, unknown = parse_scope(scope if isinstance(scope, str) else " ".join(scope))
            if unknown:
                raise ValueError(f"unknown permission(s): {' '.join(unknown)}")
        with self._lock:
            email = _normal_email(user or DEFAULT_USER)
            candidates = self._vehicles_of(email, make.upper() if make else None)
            if vehicle_ids is not None:
                wanted = set(vehicle_ids)
                candidates = [vehicle for vehicle in self._garage(email) if vehicle.id in wanted]
                if len(candidates) != len(wanted):
                    raise ValueError("vehicle_ids must be vehicles of that user")
            grant = Grant(
                client_id=self.client_id,
                user=email,
                user_id=self.user_id(email),
                scopes=tuple(ordered(names)),
                vehicle_ids=[vehicle.id for vehicle in candidates],
            )
            return self._mint(grant)

    def _mint(self, grant: Grant) -> Dict[str, Any]:
        now = self.clock.now()
        access = str(uuid.uuid4())
        refresh = str(uuid.uuid4())
        self._access[access] = _TokenRecord(grant, now + timedelta(seconds=ACCESS_TOKEN_LIFETIME))
        self._refresh[refresh] = _TokenRecord(
            grant, now + timedelta(seconds=REFRESH_TOKEN_LIFETIME)
        )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "refresh_token": refresh,
            "refresh_expires_in": REFRESH_TOKEN_LIFETIME,
        }

    # ------------------------------------------------------------------ WSGI
    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = _Req(environ)
        path = request.path
        if path == "/_emulator" or path.startswith("/_emulator/"):
            refusal = admin_refusal(environ, self.trusted_hosts)
            if refusal is not None:
                return self._send(
                    _json(403, {"error": "permission_error", "message": refusal}), start_response
                )
            try:
                reply = self._admin(request, path)
            except ApiError as exc:
                reply = exc.reply()
            except Exception as exc:  # pragma: no cover - admin misuse
                reply = _json(500, {"error": "server_error", "message": repr(exc)})
            return self._send(reply, start_response)
        return self._serve(request, path, environ, start_response)

    def _send(self, reply: Reply, start_response: StartResponse) -> Iterable[bytes]:
        headers = [("Content-Type", reply.content_type), ("Content-Length", str(len(reply.body)))]
        headers.extend(reply.headers.items())
        start_response(_status_line(reply.status), headers)
        return [reply.body]

    def _serve(
        self,
        request: _Req,
        path: str,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        ctx = self._context(request, path)
        fault = self.faults.take(request.method, path)
        # Logged on arrival (status None while in flight), so a client that gave up waiting
        # still finds its attempt in the log.
        record = self._record(request, path, ctx, fault, environ)
        if fault is not None and fault.latency:
            time.sleep(fault.latency)
        if fault is not None and fault.drop:
            record.dropped = True
            record.duration = time.perf_counter() - started
            environ[DROP_KEY] = True
            if not environ.get(HANDLER_KEY):
                _shutdown(environ.get("werkzeug.socket"))
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        if fault is not None and fault.status is not None:
            status, headers, body = fault.render(oauth=path == "/oauth/token")
            reply = Reply(status, body, headers.pop("Content-Type"), headers)
        else:
            reply = self._dispatch(request, path, ctx)
            if fault is not None:
                if fault.retry_after is not None:
                    reply.headers["Retry-After"] = str(fault.retry_after)
                reply.headers.update(fault.headers)
        request_id = str(uuid.uuid4())
        reply.headers.setdefault("sc-request-id", request_id)
        record.request_id = reply.headers["sc-request-id"]
        record.duration = time.perf_counter() - started
        record.status = reply.status
        return self._send(reply, start_response)

    def _context(self, request: _Req, path: str) -> _Context:
        ctx = _Context()
        if path.startswith("/v1.0/vehicles/"):
            rest = path[len("/v1.0/vehicles/") :]
            ctx.vehicle_id = rest.split("/", 1)[0] or None
            if request.method == "POST" and (
                rest.endswith("/security") or rest.endswith("/charge")
            ):
                payload = request.request.get_json(silent=True, force=True)
                if isinstance(payload, dict) and isinstance(payload.get("action"), str):
                    ctx.action = payload["action"]
        elif path == "/oauth/token" and request.method == "POST":
            grant_type = request.request.form.get("grant_type")
            ctx.grant_type = grant_type or None
        return ctx

    def _record(
        self,
        request: _Req,
        path: str,
        ctx: _Context,
        fault: Optional[Fault],
        environ: WSGIEnvironment,
    ) -> RequestRecord:
        query = redact_query(request.args)
        port = environ.get("REMOTE_PORT")
        record = RequestRecord(
            method=request.method,
            path=path,
            query=query,
            status=None,
            at=self.clock.now(),
            time=time.time(),
            duration=0.0,
            unit_system=request.header("sc-unit-system"),
            request_id=None,
            vehicle_id=ctx.vehicle_id,
            grant_type=ctx.grant_type,
            action=ctx.action,
            fault=fault.describe() if fault is not None else None,
            client_port=int(port) if port else None,
        )
        with self._lock:
            self.request_log.append(record)
            if self.log_limit is not None and len(self.request_log) > self.log_limit:
                del self.request_log[: len(self.request_log) - self.log_limit]
        return record

    def _dispatch(self, request: _Req, path: str, ctx: _Context) -> Reply:
        try:
            if path.startswith("/v1.0/") or path == "/v1.0":
                return self._api(request, path[len("/v1.0") :].rstrip("/"), ctx)
            if path == "/oauth/token":
                if request.method != "POST":
                    return _json(405, {"error": "invalid_request", "error_description": "POST"})
                return self._token(request)
            if path.startswith("/oauth/authorize"):
                return self._connect(request, path)
            if path == "/" and request.method in ("GET", "HEAD"):
                return _html(200, pages.index_page("See the README's Emulator section."))
            raise ApiError(404, "resource_not_found_error", f"No route for {path}.")
        except ApiError as exc:
            return exc.reply()
        except OAuthError as exc:
            return exc.reply()
        except ConnectProblem as exc:
            return _html(400, pages.error_page(exc.title, exc.message))
        except Exception as exc:
            return _json(500, {"error": "server_error", "message": f"Emulator bug: {exc!r}"})

    # ------------------------------------------------------------------ Connect
    def _connect(self, request: _Req, path: str) -> Reply:
        with self._lock:
            if path == "/oauth/authorize" and request.method in ("GET", "HEAD"):
                return self._authorize(request)
            if request.method != "POST":
                raise ConnectProblem("Method not allowed", "Use the Connect forms.")
            session = self._session(request.request.form.get("sid", ""))
            if path == "/oauth/authorize/brand":
                make = request.request.form.get("make", "").upper()
                if make not in MAKES and make != pages.ALL_MAKES:
                    raise ConnectProblem("Unknown brand", f"{make or 'No brand'} is not offered.")
                session.make = make
                return _html(200, pages.login_page(session.sid, make, session.test_mode))
            if path == "/oauth/authorize/login":
                return self._login(request, session)
            if path == "/oauth/authorize/grant":
                return self._decide(request, session)
        raise ConnectProblem("Not found", "This Connect page does not exist.")

    def _session(self, sid: str) -> _ConnectSession:
        session = self._sessions.get(sid)
        if session is None or session.expires_at <= self.clock.now():
            self._sessions.pop(sid, None)
            raise ConnectProblem(
                "Session expired", "This Connect session is unknown or expired. Start again."
            )
        return session

    def _authorize(self, request: _Req) -> Reply:
        args = request.args
        client_id = args.get("client_id")
        if not client_id or client_id != self.client_id:
            raise ConnectProblem("Unknown application", "The client_id is missing or unknown.")
        redirect_uri = args.get("redirect_uri")
        if not redirect_uri or redirect_uri not in self.redirect_uris:
            raise ConnectProblem(
                "Invalid redirect URI",
                "The redirect_uri is missing or is not registered for this application.",
            )
        if args.get("response_type") != "code":
            raise ConnectProblem("Invalid request", "response_type must be 'code'.")
        scope = args.get("scope")
        if scope is None:
            scopes = list(PERMISSIONS)
        else:
            scopes, unknown = parse_scope(scope)
            if unknown:
                raise ConnectProblem("Invalid scope", f"Unknown permission(s): {' '.join(unknown)}")
            if not scopes:
                raise ConnectProblem("Invalid scope", "The scope names no permission.")
        prompt = args.get("approval_prompt", "auto")
        if prompt not in ("auto", "force"):
            raise ConnectProblem("Invalid request", "approval_prompt must be 'auto' or 'force'.")
        mode = args.get("mode")
        if mode is not None and mode not in ("test", "live", "simulated"):
            raise ConnectProblem("Invalid request", "mode must be 'test', 'live' or 'simulated'.")
        single = args.get("single_select")
        if single is not None and single not in ("true", "false"):
            raise ConnectProblem(
                "Invalid request", "single_select must be the string 'true' or 'false'."
            )
        vin = args.get("single_select_vin")
        if vin is not None:
            vin = vin.upper()
            if len(vin) != 17 or any(char not in VIN_ALPHABET for char in vin):
                raise ConnectProblem("Invalid request", "single_select_vin is not a VIN.")
        make = (args.get("make") or "").upper() or None
        if make is not None and make not in MAKES:
            make = None  # unknown brands get the brand selection
        if vin is not None:
            make = WMI_MAKES.get(vin[:3], pages.ALL_MAKES)
        now = self.clock.now()
        for sid in [key for key, item in self._sessions.items() if item.expires_at <= now]:
            del self._sessions[sid]
        session = _ConnectSession(
            sid=secrets.token_urlsafe(16),
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=tuple(ordered(scopes)),
            state=args.get("state"),
            make=make,
            single_select=single == "true" or vin is not None,
            vin=vin,
            test_mode=mode == "test",
            force=prompt == "force",
            flags=tuple((args.get("flags") or "").split()),
            expires_at=now + timedelta(seconds=CONNECT_SESSION_LIFETIME),
        )
        self._sessions[session.sid] = session
        if make is None:
            page = pages.brand_page(session.sid, MAKES, self.app_name, session.test_mode)
        else:
            page = pages.login_page(session.sid, make, session.test_mode)
        return _html(200, page)

    def _login(self, request: _Req, session: _ConnectSession) -> Reply:
        email = request.request.form.get("email", "").strip()
        password = request.request.form.get("password", "")
        make = session.make or pages.ALL_MAKES
        if not email or not password or "@" not in email:
            page = pages.login_page(
                session.sid, make, session.test_mode, "Enter your email and password.", email
            )
            return _html(200, page)
        session.user = _normal_email(email)
        if session.vin is not None:
            garage = self._garage(session.user)
            vehicles = [vehicle for vehicle in garage if vehicle.vin == session.vin]
            if not vehicles:
                del self._sessions[session.sid]
                return _redirect(
                    self._redirect_url(
                        session,
                        error="no_vehicles",
                        error_description="No vehicle with the requested VIN is in this account.",
                    )
                )
        else:
            vehicles = self._vehicles_of(session.user, make)
        session.candidates = [vehicle.id for vehicle in vehicles]
        approved = self._approvals.get((session.client_id, session.user))
        if approved is not None and not session.force and not session.single_select:
            scopes, vehicle_ids = approved
            remembered = [vid for vid in session.candidates if vid in vehicle_ids]
            if set(session.scopes) <= scopes and remembered:
                return self._approve(session, remembered)
        return _html(200, self._grant_page(session))

    def _grant_page(self, session: _ConnectSession, error: Optional[str] = None) -> str:
        choices = [
            (vid, self._vehicles[vid].summary(), self._vehicles[vid].vin)
            for vid in session.candidates
        ]
        return pages.grant_page(
            session.sid,
            self.app_name,
            session.scopes,
            choices,
            session.single_select,
            session.test_mode,
            error,
        )

    def _decide(self, request: _Req, session: _ConnectSession) -> Reply:
        if session.user is None:
            raise ConnectProblem("Not signed in", "Sign in before granting access.")
        decision = request.request.form.get("decision")
        if decision == "deny":
            del self._sessions[session.sid]
            return _redirect(
                self._redirect_url(
                    session,
                    error="access_denied",
                    error_description="User denied access to the requested scope of permissions.",
                )
            )
        if decision != "approve":
            raise ConnectProblem("Invalid request", "Choose Allow or Deny.")
        chosen = [
            vid for vid in request.request.form.getlist("vehicle") if vid in session.candidates
        ]
        if not chosen:
            return _html(200, self._grant_page(session, "Select a vehicle to share."))
        if session.single_select and len(chosen) > 1:
            return _html(200, self._grant_page(session, "Select only one vehicle."))
        return self._approve(session, chosen)

    def _approve(self, session: _ConnectSession, vehicle_ids: List[str]) -> Reply:
        assert session.user is not None
        key = (session.client_id, session.user)
        scopes, remembered = self._approvals.get(key, (set(), set()))
        self._approvals[key] = (scopes | set(session.scopes), remembered | set(vehicle_ids))
        grant = Grant(
            client_id=session.client_id,
            user=session.user,
            user_id=self.user_id(session.user),
            scopes=session.scopes,
            vehicle_ids=list(vehicle_ids),
        )
        code = str(uuid.uuid4())
        self._codes[code] = _AuthCode(
            client_id=session.client_id,
            redirect_uri=session.redirect_uri,
            grant=grant,
            expires_at=self.clock.now() + timedelta(seconds=CODE_LIFETIME),
        )
        self._sessions.pop(session.sid, None)
        return _redirect(self._redirect_url(session, code=code))

    @staticmethod
    def _redirect_url(session: _ConnectSession, **params: str) -> str:
        parts = urlsplit(session.redirect_uri)
        query = parse_qsl(parts.query, keep_blank_values=True)
        query.extend(params.items())
        if session.state is not None:
            query.append(("state", session.state))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def _has_app_credentials(self, request: _Req) -> bool:
        """Whether the request carries HTTP Basic auth with this app's id and secret."""
        auth = request.request.authorization
        return (
            auth is not None
            and (auth.type or "").lower() == "basic"
            and auth.username == self.client_id
            and auth.password == self.client_secret
        )

    # ------------------------------------------------------------------ token endpoint
    def _token(self, request: _Req) -> Reply:
        if not self._has_app_credentials(request):
            raise OAuthError(401, "invalid_client", "Invalid client id or client secret.")
        if request.request.mimetype != "application/x-www-form-urlencoded":
            raise OAuthError(
                400, "invalid_request", "The body must be application/x-www-form-urlencoded."
            )
        form = request.request.form
        grant_type = form.get("grant_type")
        with self._lock:
            now = self.clock.now()
            if grant_type == "authorization_code":
                code = form.get("code")
                redirect_uri = form.get("redirect_uri")
                if not code or not redirect_uri:
                    raise OAuthError(400, "invalid_request", "code and redirect_uri are required.")
                record = self._codes.get(code)
                if record is None or record.used or record.client_id != self.client_id:
                    raise OAuthError(400, "invalid_grant", "Invalid or already used code.")
                if record.expires_at <= now:
                    raise OAuthError(400, "invalid_grant", "The authorization code expired.")
                if record.redirect_uri != redirect_uri:
                    raise OAuthError(
                        400, "invalid_grant", "redirect_uri does not match the authorization."
                    )
                record.used = True
                return _json(200, self._mint(record.grant))
            if grant_type == "refresh_token":
                token = form.get("refresh_token")
                if not token:
                    raise OAuthError(400, "invalid_request", "refresh_token is required.")
                refresh = self._refresh.get(token)
                if refresh is None or not refresh.grant.active:
                    raise OAuthError(400, "invalid_grant", "Invalid or revoked refresh token.")
                if refresh.expires_at <= now:
                    del self._refresh[token]
                    raise OAuthError(400, "invalid_grant", "The refresh token expired.")
                del self._refresh[token]  # rotation: the old refresh token dies
                return _json(200, self._mint(refresh.grant))
        if not grant_type:
            raise OAuthError(400, "invalid_request", "grant_type is required.")
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type}.")

    # ------------------------------------------------------------------ API
    def _api(self, request: _Req, sub: str, ctx: _Context) -> Reply:
        imperial = (request.header("sc-unit-system") or "").strip().lower() == _IMPERIAL
        method = request.method
        if sub == "/compatibility":
            self._require(method, "GET")
            return self._compatibility(request)
        grant = self._authenticate(request)
        if sub == "/vehicles":
            self._require(method, "GET")
            limit, offset = self._paging(request)
            with self._lock:
                ids = list(grant.vehicle_ids)
            page = ids[offset : offset + limit]
            payload = {"vehicles": page, "paging": {"count": len(ids), "offset": offset}}
            return self._ok(payload, self.clock.now(), imperial)
        if sub == "/user":
            self._require(method, "GET")
            return self._ok({"id": grant.user_id}, self.clock.now(), imperial)
        if not sub.startswith("/vehicles/"):
            raise ApiError(404, "resource_not_found_error", "Unknown API path.")
        vehicle_id, _, tail = sub[len("/vehicles/") :].partition("/")
        tail = f"/{tail}" if tail else ""
        with self._lock:
            vehicle = self._authorized_vehicle(grant, vehicle_id)
            if tail == "/permissions":
                self._require(method, "GET")
                limit, offset = self._paging(request, DEFAULT_PERMISSIONS_PAGE_SIZE)
                names = list(grant.scopes)
                payload = {
                    "permissions": names[offset : offset + limit],
                    "paging": {"count": len(names), "offset": offset},
                }
                return self._ok(payload, self.clock.now(), imperial)
            if tail == "/application":
                self._require(method, "DELETE")
                self._revoke(grant, vehicle.id)
                return _json(200, {"status": "success"})
            known = tail in READS or tail in _ACTIONS or tail == "/batch"
            if not known:
                raise ApiError(404, "resource_not_found_error", f"Unknown vehicle path {tail}.")
            now = self.clock.now()
            retry = self.rate_limits.check(vehicle.id, now.timestamp())
            if retry is not None:
                raise ApiError(429, "rate_limit_error", headers={"Retry-After": str(retry)})
            vehicle.advance(now)
            if tail == "/batch":
                self._require(method, "POST")
                return self._batch(request, grant, vehicle, imperial, now)
            if method == "POST" and tail in _ACTIONS:
                return self._action(request, grant, vehicle, tail)
            if tail not in READS:
                raise ApiError(405, "validation_error", f"{method} is not allowed on {tail}.")
            self._require(method, "GET")
            payload, _ = self._read(grant, vehicle, tail, imperial)
            return self._ok(payload, vehicle.data_age(now), imperial)

    @staticmethod
    def _require(method: str, *allowed: str) -> None:
        if method not in allowed and not (method == "HEAD" and "GET" in allowed):
            raise ApiError(405, "validation_error", f"Method {method} is not allowed here.")

    @staticmethod
    def _ok(payload: Any, age: datetime, imperial: bool) -> Reply:
        headers = {"sc-data-age": _iso(age), "sc-unit-system": _IMPERIAL if imperial else _METRIC}
        return _json(200, payload, headers)

    @staticmethod
    def _paging(request: _Req, default_limit: int = DEFAULT_PAGE_SIZE) -> Tuple[int, int]:
        try:
            limit = int(request.args.get("limit", default_limit))
            offset = int(request.args.get("offset", 0))
        except ValueError:
            raise ApiError(400, "validation_error", "limit and offset must be integers.") from None
        if not 1 <= limit <= MAX_PAGE_SIZE or offset < 0:
            raise ApiError(
                400, "validation_error", f"limit must be 1-{MAX_PAGE_SIZE} and offset >= 0."
            )
        return limit, offset

    def _authenticate(self, request: _Req) -> Grant:
        header = request.header("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "authentication_error", "Missing bearer access token.")
        with self._lock:
            record = self._access.get(token.strip())
            if record is None:
                raise ApiError(401, "authentication_error", "Invalid or unknown access token.")
            if record.expires_at <= self.clock.now():
                raise ApiError(401, "authentication_error", "The access token expired.")
            if not record.grant.active:
                raise ApiError(401, "authentication_error", "The access token was revoked.")
            return record.grant

    def _authorized_vehicle(self, grant: Grant, vehicle_id: str) -> SimVehicle:
        if vehicle_id in grant.revoked:
            raise ApiError(
                401,
                "authentication_error",
                "This vehicle was disconnected from the application; reconnect it.",
            )
        if vehicle_id not in grant.vehicle_ids or vehicle_id not in self._vehicles:
            raise ApiError(404, "resource_not_found_error", "Vehicle not found for this token.")
        return self._vehicles[vehicle_id]

    def _revoke(self, grant: Grant, vehicle_id: str) -> None:
        grant.vehicle_ids.remove(vehicle_id)
        grant.revoked.add(vehicle_id)
        if not grant.vehicle_ids:
            grant.active = False
        approved = self._approvals.get((grant.client_id, grant.user))
        if approved is not None:
            approved[1].discard(vehicle_id)

    def _read(
        self, grant: Grant, vehicle: SimVehicle, tail: str, imperial: bool
    ) -> Tuple[Dict[str, Any], bool]:
        permission, kinds, reader, has_units = READS[tail]
        if permission not in grant.scopes:
            raise ApiError(
                403, "permission_error", f"This token lacks the {permission} permission."
            )
        self._capable(vehicle, tail, kinds)
        return reader(vehicle, imperial), has_units

    @staticmethod
    def _capable(vehicle: SimVehicle, tail: str, kinds: Tuple[str, ...]) -> None:
        if vehicle.kind not in kinds:
            raise ApiError(
                501,
                "vehicle_not_capable_error",
                f"{'An' if vehicle.kind == 'electric' else 'A'} {vehicle.kind} {vehicle.make} "
                f"{vehicle.model} cannot answer {tail}.",
            )
        if tail in SMARTCAR_UNSUPPORTED.get(vehicle.make, ()):
            raise ApiError(
                501,
                "smartcar_not_capable_error",
                f"Smartcar does not support {tail} for {vehicle.make} vehicles.",
            )

    def _action(self, request: _Req, grant: Grant, vehicle: SimVehicle, tail: str) -> Reply:
        permission, kinds, actions = _ACTIONS[tail]
        if permission not in grant.scopes:
            raise ApiError(
                403, "permission_error", f"This token lacks the {permission} permission."
            )
        self._capable(vehicle, tail, kinds)
        payload = request.request.get_json(silent=True, force=True)
        action = payload.get("action") if isinstance(payload, dict) else None
        if action not in actions:
            raise ApiError(
                400, "validation_error", f'The body must be {{"action": one of {list(actions)}}}.'
            )
        if action == "LOCK":
            vehicle.locked = True
        elif action == "UNLOCK":
            vehicle.locked = False
        elif action == "START":
            if not vehicle.is_plugged_in:
                raise ApiError(
                    409, "vehicle_state_error", "The charging cable is not plugged in.", "VS_003"
                )
            if vehicle.battery_percent >= 0.999:
                raise ApiError(
                    409, "vehicle_state_error", "The battery is already fully charged.", "VS_004"
                )
            vehicle.charging = True
        else:
            vehicle.charging = False
        return _json(200, {"status": "success"})

    def _batch(
        self, request: _Req, grant: Grant, vehicle: SimVehicle, imperial: bool, now: datetime
    ) -> Reply:
        payload = request.request.get_json(silent=True, force=True)
        items = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not items:
            raise ApiError(400, "validation_error", 'The body must be {"requests": [{"path"}]}.')
        paths: List[str] = []
        for item in items:
            path = item.get("path") if isinstance(item, dict) else None
            if not isinstance(path, str) or not path.startswith("/"):
                raise ApiError(400, "validation_error", "Each request needs a path like /odometer.")
            paths.append(path)
        age = _iso(vehicle.data_age(now))
        units = _IMPERIAL if imperial else _METRIC
        responses = []
        for path in paths:
            tail = path.rstrip("/")
            try:
                if tail not in READS:
                    raise ApiError(404, "resource_not_found_error", f"Unknown batch path {path}.")
                body, has_units = self._read(grant, vehicle, tail, imperial)
                headers = {"sc-data-age": age}
                if has_units:
                    headers["sc-unit-system"] = units
                responses.append({"path": path, "code": 200, "headers": headers, "body": body})
            except ApiError as exc:
                responses.append(
                    {"path": path, "code": exc.status, "headers": {}, "body": exc.body()}
                )
        return self._ok({"responses": responses}, vehicle.data_age(now), imperial)

    def _compatibility(self, request: _Req) -> Reply:
        if not self._has_app_credentials(request):
            raise ApiError(401, "authentication_error", "Invalid application credentials.")
        vin = (request.args.get("vin") or "").upper()
        if len(vin) != 17 or any(char not in VIN_ALPHABET for char in vin):
            raise ApiError(400, "validation_error", "vin must be a 17-character VIN.")
        scopes, unknown = parse_scope(request.args.get("scope") or "")
        if unknown or not scopes:
            raise ApiError(400, "validation_error", "scope must name known permissions.")
        country = (request.args.get("country") or "US").upper()
        if len(country) != 2 or not country.isalpha():
            raise ApiError(400, "validation_error", "country must be an ISO 3166-1 alpha-2 code.")
        compatible = country in SUPPORTED_COUNTRIES and vin[:3] in WMI_MAKES
        with self._lock:
            known = next((item for item in self._vehicles.values() if item.vin == vin), None)
        if known is not None and compatible:
            supported = _KIND_PERMISSIONS[known.kind]
            compatible = all(name in supported for name in scopes if name in PERMISSIONS)
        return _json(200, {"compatible": compatible})

    # ------------------------------------------------------------------ admin
    def _admin(self, request: _Req, path: str) -> Reply:
        method = request.method
        sub = path[len("/_emulator") :].rstrip("/")
        payload = (
            request.request.get_json(silent=True, force=True) if method in ("POST", "PUT") else None
        )
        body: Dict[str, Any] = payload if isinstance(payload, dict) else {}
        if sub == "" and method == "GET":
            return _json(200, self.describe())
        if sub == "/log":
            if method == "DELETE":
                with self._lock:
                    self.request_log.clear()
                return _json(200, {"status": "success"})
            records = [record.to_json() for record in list(self.request_log)]
            return _json(200, {"requests": records})
        if sub == "/faults":
            if method == "POST":
                return _json(201, self._admin_fault(body).to_json())
            if method == "DELETE":
                self.faults.clear()
                return _json(200, {"status": "success"})
            return _json(200, {"faults": [fault.to_json() for fault in self.faults.active]})
        if sub.startswith("/faults/") and method == "DELETE":
            try:
                self.faults.remove(int(sub[len("/faults/") :]))
            except ValueError:
                raise ApiError(400, "validation_error", "Fault ids are integers.") from None
            return _json(200, {"status": "success"})
        if sub == "/reset" and method == "POST":
            self.reset(keep_tokens=bool(body.get("keep_tokens", False)))
            return _json(200, {"status": "success"})
        if sub == "/clock":
            if method == "POST":
                try:
                    self.clock.advance(float(body.get("advance", 0)))
                except (TypeError, ValueError) as exc:
                    raise ApiError(400, "validation_error", str(exc)) from None
            return _json(200, {"now": _iso(self.clock.now()), "offset": self.clock.offset})
        if sub == "/rate-limit" and method == "POST":
            per_second = body.get("per_second")
            try:
                self.rate_limit(
                    body.get("vehicle_id"), None if per_second is None else float(per_second)
                )
            except (TypeError, ValueError) as exc:
                raise ApiError(400, "validation_error", str(exc)) from None
            return _json(200, {"status": "success"})
        if sub == "/tokens" and method == "POST":
            try:
                issued = self.issue_tokens(
                    scope=body.get("scope"), user=body.get("user"), make=body.get("make")
                )
            except (TypeError, ValueError) as exc:
                raise ApiError(400, "validation_error", str(exc)) from None
            for name in ("expiration", "refresh_expiration"):
                issued[name] = _iso(issued[name].replace(tzinfo=timezone.utc))
            return _json(200, issued)
        if sub == "/vehicles" and method == "GET":
            garage = self.vehicles(request.args.get("user"))
            return _json(200, {"vehicles": [vehicle_state(vehicle) for vehicle in garage]})
        if sub == "/redirect-uris" and method == "POST":
            uri = body.get("uri")
            if not isinstance(uri, str) or not uri:
                raise ApiError(400, "validation_error", 'Send {"uri": "..."}.')
            self.add_redirect_uri(uri)
            return _json(200, {"redirect_uris": self.redirect_uris})
        raise ApiError(404, "resource_not_found_error", f"No admin route {method} {path}.")

    def _admin_fault(self, body: Dict[str, Any]) -> Fault:
        allowed = {
            "pattern", "status", "count", "latency", "drop", "retry_after", "body", "method",
            "error", "code", "message", "headers", "content_type",
        }  # fmt: skip
        unknown = set(body) - allowed
        if unknown:
            raise ApiError(400, "validation_error", f"Unknown fault fields: {sorted(unknown)}.")
        try:
            return self.faults.add(**body)
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "validation_error", str(exc)) from None

    def describe(self) -> Dict[str, Any]:
        """The app's configuration and dynamic state (admin ``GET /_emulator``)."""
        return {
            "seed": self.seed,
            "client_id": self.client_id,
            "redirect_uris": list(self.redirect_uris),
            "now": _iso(self.clock.now()),
            "faults": [fault.to_json() for fault in self.faults.active],
            "rate_limits": {str(key): value for key, value in self.rate_limits.limits().items()},
            "requests_logged": len(self.request_log),
        }


def vehicle_state(vehicle: SimVehicle) -> Dict[str, Any]:
    """A JSON-able snapshot of a simulated vehicle."""
    return {
        "id": vehicle.id,
        "owner": vehicle.owner,
        "make": vehicle.make,
        "model": vehicle.model,
        "year": vehicle.year,
        "kind": vehicle.kind,
        "vin": vehicle.vin,
        "latitude": vehicle.latitude,
        "longitude": vehicle.longitude,
        "odometer_km": round(vehicle.odometer_km, 1),
        "battery_percent": round(vehicle.battery_percent, 3),
        "fuel_percent": round(vehicle.fuel_percent, 3),
        "oil_life": round(vehicle.oil_life, 2),
        "tire_pressure_kpa": dict(vehicle.tire_pressure_kpa),
        "locked": vehicle.locked,
        "is_plugged_in": vehicle.is_plugged_in,
        "charging_state": vehicle.charging_state,
    }


def _shutdown(sock: Any) -> None:
    """Close a client connection abruptly (used to emulate a dropped connection)."""
    import socket

    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
