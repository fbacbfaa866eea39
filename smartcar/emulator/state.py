"""The emulated service's state, shared by every surface (Connect, OAuth, v1.0, v2.0, v3):
the app's registration, the fleet (a garage per user), Connect sessions, authorization
codes, grants and their tokens, remembered approvals, and the clock.

Connections live in one store, :attr:`EmulatorState.registry` (user x vehicle, with the
users' external ids, webhooks and subscriptions). A v1/v2 grant (one token chain) holds
the ids of the connections it was made with, and reaches a vehicle only while that
connection exists: the v3 users and connections, the grants' vehicles and the v2.0
management listing are views of the same store, so a disconnect on any surface is one
deletion and nothing has to be kept in step.

Routes read and change vehicles through :meth:`EmulatorState.vehicle` /
:meth:`EmulatorState.find_vehicle` (a :class:`~smartcar.emulator.fleet.SimVehicle`, whose
attributes are the state: ``locked``, ``is_plugged_in``, ``charging``, ``charge_limit``,
``battery_percent``, ``odometer_km``, ``latitude``/``longitude``, ...), holding
:attr:`EmulatorState.lock` while they do, after ``vehicle.advance(state.clock.now())``.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import (
    Any,
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

from smartcar.emulator import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
)
from smartcar.emulator import DEFAULT_MANAGEMENT_TOKEN as DEFAULT_MANAGEMENT_TOKEN
from smartcar.emulator import DEFAULT_USER as DEFAULT_USER
from smartcar.emulator._clock import Clock
from smartcar.emulator.fleet import (
    MAKES,
    TEST_VEHICLES,
    SimVehicle,
    build_garage,
    build_test_vehicle,
    build_vehicle,
    default_garage_spec,
    test_vehicle_count,
    user_id_for,
)
from smartcar.emulator.permissions import DEFAULT_SCOPE, ordered, parse_scope
from smartcar.emulator.problems import Problem
from smartcar.emulator.v3.registry import MODES as V3_MODES
from smartcar.emulator.v3.registry import Registry

ACCESS_TOKEN_LIFETIME = 2 * 60 * 60
REFRESH_TOKEN_LIFETIME = 60 * 24 * 60 * 60
CODE_LIFETIME = 10 * 60
CONNECT_SESSION_LIFETIME = 60 * 60
ALL_MAKES = "ALL"  # a Connect choice: every brand of the user's garage

UsersSpec = Mapping[str, Union[int, Sequence[str]]]


def normal_email(email: str) -> str:
    return email.strip().lower()


@dataclass
class Grant:
    """What one Connect approval (or ``issue_tokens``) authorised; shared by its token chain.

    ``vehicle_ids`` are the vehicles granted; ``connection_ids`` (vehicle id -> connection
    id in :attr:`EmulatorState.registry`) the connections made for them. A vehicle stays
    reachable while its connection exists (:meth:`EmulatorState.connected_vehicle_ids`);
    a reconnection makes a new connection, so a disconnected token chain stays dead.
    ``mode`` is ``live``, ``test`` or ``simulated``; ``connected_at`` when the grant was made.
    """

    client_id: str
    user: str
    user_id: str
    scopes: Tuple[str, ...]
    vehicle_ids: List[str]
    mode: str = "live"
    connected_at: Optional[datetime] = None
    connection_ids: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Connection:
    """One vehicle connected to the app by one user (the management API's view)."""

    user_id: str
    vehicle_id: str
    connected_at: datetime
    mode: str


@dataclass
class TokenRecord:
    grant: Grant
    expires_at: datetime


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    grant: Grant
    expires_at: datetime
    used: bool = False


@dataclass
class ConnectSession:
    """One pass through the Connect pages (brand, sign-in, permissions)."""

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
    mode: str = "live"
    v3: bool = False  # started with the Application ID: the redirect carries user_id
    response_type: str = "code"  # "none" (v3 only): no code in the redirect
    external_id: Optional[str] = None  # echoed back (v3); "null" clears the stored one


class EmulatorState:
    """Everything the emulated service remembers, behind one re-entrant :attr:`lock`.

    ``users`` maps an email to its garage: a number of vehicles, or a list whose items are
    kinds (``"gas"``, ``"hybrid"``, ``"electric"``) or makes (``"TESLA"``). Any other email
    gets a seeded garage of its own (one of each kind plus up to two more).
    """

    def __init__(
        self,
        seed: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uris: Optional[Iterable[str]] = None,
        users: Optional[UsersSpec] = None,
        app_name: str = "Emulated App",
        clock: Optional[Clock] = None,
        application_id: Optional[str] = None,
        management_token: str = DEFAULT_MANAGEMENT_TOKEN,
    ) -> None:
        self.seed = seed
        self.client_id = client_id
        self.client_secret = client_secret
        # The Dashboard's Application ID (Connect's client_id for v3 apps) and the
        # application management token (signs webhooks, authorizes v2 management calls).
        self.application_id = application_id or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"smartcar-emulator:{client_id}")
        )
        self.management_token = management_token
        # The one store of connections, external ids, webhooks and subscriptions.
        self.registry = Registry()
        uris = list(redirect_uris) if redirect_uris is not None else [DEFAULT_REDIRECT_URI]
        if not uris:
            raise ValueError("register at least one redirect URI")
        self.redirect_uris: List[str] = uris
        self.app_name = app_name
        self.users: Dict[str, Union[int, Sequence[str]]] = {
            normal_email(email): spec for email, spec in (users or {}).items()
        }
        self.clock = clock if clock is not None else Clock()
        self.lock = threading.RLock()
        self._init()

    def _init(self) -> None:
        self.garages: Dict[str, List[SimVehicle]] = {}
        self.vehicles_by_id: Dict[str, SimVehicle] = {}
        self.sessions: Dict[str, ConnectSession] = {}
        self.codes: Dict[str, AuthCode] = {}
        self.access_tokens: Dict[str, TokenRecord] = {}
        self.refresh_tokens: Dict[str, TokenRecord] = {}
        # (client_id, user) -> (scopes approved, vehicle ids approved); Connect remembers
        # an approved vehicle only while it is connected (see the registry)
        self.approvals: Dict[Tuple[str, str], Tuple[Set[str], Set[str]]] = {}
        self._extra_makes: Dict[str, List[str]] = {}  # owner -> makes added on demand
        # test mode: (owner, make, VIN asked for or "") -> the account's test vehicles
        self.test_garages: Dict[Tuple[str, str, str], List[SimVehicle]] = {}
        self.registry.clear()

    # ------------------------------------------------------------------ lifecycle
    def reset(self, keep_tokens: bool = False) -> None:
        """Back to the seed: vehicles, Connect sessions, codes, approvals and the clock.
        Tokens are forgotten too unless ``keep_tokens`` (their grants are then restored)."""
        with self.lock:
            access, refresh = self.access_tokens, self.refresh_tokens
            extras = dict(self._extra_makes)
            tested = list(self.test_garages)
            self.clock.reset()
            self._init()
            for owner, make, vin in tested:
                self.test_vehicles(owner, make, vin or None)
            # Rebuild the garages seen so far, so vehicle ids stay valid across a reset.
            for owner, makes in extras.items():
                self.garage(owner)
                for make in makes:
                    self.vehicles_of(owner, make)
            if keep_tokens:
                self.access_tokens, self.refresh_tokens = access, refresh
                kept = {
                    id(record.grant): record.grant
                    for record in [*access.values(), *refresh.values()]
                }
                for grant in kept.values():
                    self.connected(grant)

    def add_redirect_uri(self, uri: str) -> None:
        """Register another redirect URI for the app."""
        with self.lock:
            if uri not in self.redirect_uris:
                self.redirect_uris.append(uri)

    def app_credentials_match(self, client_id: Optional[str], secret: Optional[str]) -> bool:
        """Whether ``client_id``/``secret`` are this app's."""
        return client_id == self.client_id and secret == self.client_secret

    # ------------------------------------------------------------------ fleet
    def garage(self, email: str) -> List[SimVehicle]:
        """``email``'s garage (built from the seed on first use). Hold :attr:`lock`."""
        owner = normal_email(email)
        garage = self.garages.get(owner)
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
            self.garages[owner] = garage
            self._extra_makes.setdefault(owner, [])
            for vehicle in garage:
                self.vehicles_by_id[vehicle.id] = vehicle
        return garage

    def vehicles_of(self, email: str, make: Optional[str] = None) -> List[SimVehicle]:
        """``email``'s vehicles of ``make`` (all when None or ``ALL``); a garage with none of
        that make gets one (the user has an account with every brand). Hold :attr:`lock`."""
        garage = self.garage(email)
        if make is None or make == ALL_MAKES:
            return list(garage)
        found = [vehicle for vehicle in garage if vehicle.make == make]
        if not found:
            owner = normal_email(email)
            index = 1000 + MAKES.index(make)
            vehicle = build_vehicle(self.seed, owner, index, self.clock.now(), make=make)
            garage.append(vehicle)
            self.vehicles_by_id[vehicle.id] = vehicle
            self._extra_makes.setdefault(owner, []).append(make)
            found = [vehicle]
        return found

    def test_vehicles(self, email: str, make: str, vin: Optional[str] = None) -> List[SimVehicle]:
        """The test vehicles Connect in test mode gives ``email`` for ``make``: that brand's
        test vehicle (the same model, state and capabilities for every email), ``N`` of them
        for ``<N>-vehicles@smartcar.com``, or one with ``vin`` (a single-select VIN).
        Hold :attr:`lock`.

        Raises:
            ValueError: ``make`` has no test vehicle.
        """
        if make not in TEST_VEHICLES:
            raise ValueError(f"no test vehicle for make {make!r}")
        owner = normal_email(email)
        key = (owner, make, (vin or "").upper())
        found = self.test_garages.get(key)
        if found is None:
            now = self.clock.now()
            count = 1 if vin else test_vehicle_count(owner)
            found = [build_test_vehicle(make, owner, index, now, vin) for index in range(count)]
            self.test_garages[key] = found
            for vehicle in found:
                self.vehicles_by_id[vehicle.id] = vehicle
        return list(found)

    def vehicles(self, user: Optional[str] = None) -> List[SimVehicle]:
        """The vehicles of ``user`` (default: the default user), brought up to date."""
        with self.lock:
            garage = list(self.garage(user or DEFAULT_USER))
            now = self.clock.now()
            for vehicle in garage:
                vehicle.advance(now)
            return garage

    def vehicle(self, vehicle_id: str) -> SimVehicle:
        """The vehicle with this id, brought up to date (KeyError when unknown)."""
        with self.lock:
            vehicle = self.vehicles_by_id[vehicle_id]
            vehicle.advance(self.clock.now())
            return vehicle

    def find_vehicle(self, vehicle_id: str) -> Optional[SimVehicle]:
        """The vehicle with this id brought up to date, or None (for the v3 routes)."""
        with self.lock:
            vehicle = self.vehicles_by_id.get(vehicle_id)
            if vehicle is not None:
                vehicle.advance(self.clock.now())
            return vehicle

    def vehicle_by_vin(self, vin: str) -> Optional[SimVehicle]:
        with self.lock:
            return next((item for item in self.vehicles_by_id.values() if item.vin == vin), None)

    def user_id(self, user: Optional[str] = None) -> str:
        """The stable user id of ``user`` (an email; default the default user)."""
        return user_id_for(self.seed, normal_email(user or DEFAULT_USER))

    # ------------------------------------------------------------------ tokens
    def mint(self, grant: Grant) -> Dict[str, Any]:
        """New access and refresh tokens for ``grant``: the token response body."""
        with self.lock:
            now = self.clock.now()
            if grant.connected_at is None:
                grant.connected_at = now
                self.connected(grant)
            access = str(uuid.uuid4())
            refresh = str(uuid.uuid4())
            self.access_tokens[access] = TokenRecord(
                grant, now + timedelta(seconds=ACCESS_TOKEN_LIFETIME)
            )
            self.refresh_tokens[refresh] = TokenRecord(
                grant, now + timedelta(seconds=REFRESH_TOKEN_LIFETIME)
            )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME,
            "refresh_token": refresh,
            "refresh_expires_in": REFRESH_TOKEN_LIFETIME,
        }

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
            names = list(DEFAULT_SCOPE)
        else:
            names, unknown = parse_scope(scope if isinstance(scope, str) else " ".join(scope))
            if unknown:
                raise ValueError(f"unknown permission(s): {' '.join(unknown)}")
        with self.lock:
            email = normal_email(user or DEFAULT_USER)
            candidates = self.vehicles_of(email, make.upper() if make else None)
            if vehicle_ids is not None:
                wanted = set(vehicle_ids)
                candidates = [vehicle for vehicle in self.garage(email) if vehicle.id in wanted]
                if len(candidates) != len(wanted):
                    raise ValueError("vehicle_ids must be vehicles of that user")
            grant = Grant(
                client_id=self.client_id,
                user=email,
                user_id=self.user_id(email),
                scopes=tuple(ordered(names)),
                vehicle_ids=[vehicle.id for vehicle in candidates],
            )
            return self.mint(grant)

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
        with self.lock:
            body = self.mint_tokens(scope=scope, user=user, make=make, vehicle_ids=vehicle_ids)
            expires = self.access_tokens[body["access_token"]].expires_at
            refresh_expires = self.refresh_tokens[body["refresh_token"]].expires_at
        access = dict(body)
        access["expiration"] = expires.astimezone(timezone.utc).replace(tzinfo=None)
        access["refresh_expiration"] = refresh_expires.astimezone(timezone.utc).replace(tzinfo=None)
        return access

    def grant_for_access_token(self, authorization: Optional[str]) -> Grant:
        """The grant behind ``Authorization: Bearer <token>``.

        Raises:
            Problem: AUTHENTICATION when the header, token, expiry or grant is not good.
        """
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Problem("AUTHENTICATION", "Missing bearer access token.")
        with self.lock:
            record = self.access_tokens.get(token)
            if record is None:
                raise Problem("AUTHENTICATION", "Invalid or unknown access token.")
            if record.expires_at <= self.clock.now():
                raise Problem("AUTHENTICATION", "The access token expired.")
            if not self.is_live(record.grant):
                raise Problem("AUTHENTICATION", "The access token was revoked.")
            return record.grant

    def authorized_vehicle(self, grant: Grant, vehicle_id: str) -> SimVehicle:
        """The vehicle ``grant`` may use, brought up to date. Hold :attr:`lock`.

        Raises:
            Problem: AUTHENTICATION for a disconnected vehicle, RESOURCE_NOT_FOUND for one
                the grant never had.
        """
        vehicle = self.vehicles_by_id.get(vehicle_id)
        if vehicle_id not in grant.vehicle_ids or vehicle is None:
            raise Problem("RESOURCE_NOT_FOUND", "Vehicle not found for this token.")
        if vehicle_id not in self.connected_vehicle_ids(grant):
            raise Problem(
                "AUTHENTICATION",
                "This vehicle was disconnected from the application; reconnect it.",
            )
        vehicle.advance(self.clock.now())
        return vehicle

    def connected_vehicle_ids(self, grant: Grant) -> List[str]:
        """The vehicles of ``grant`` whose connection still exists, in grant order."""
        with self.lock:
            return [
                vehicle_id
                for vehicle_id in grant.vehicle_ids
                if vehicle_id in grant.connection_ids
                and self.registry.connection(grant.connection_ids[vehicle_id]) is not None
            ]

    def is_live(self, grant: Grant) -> bool:
        """Whether ``grant`` still reaches a vehicle (its tokens die with the last one)."""
        return bool(self.connected_vehicle_ids(grant))

    def revoke(self, grant: Grant, vehicle_id: str) -> None:
        """Disconnect ``vehicle_id`` from ``grant``'s user: its connection goes, and with it
        every grant's reach to the vehicle (tokens die with their last vehicle)."""
        with self.lock:
            connection_id = grant.connection_ids.get(vehicle_id)
            if connection_id is not None:
                self.registry.disconnect(connection_id)

    def subscribe_webhook(self, webhook_id: str, user_id: str, vehicle_id: str) -> None:
        """Subscribe a vehicle to a webhook (v2.0 ``POST .../webhooks/{id}``)."""
        with self.lock:
            self.registry.subscribe(webhook_id, user_id, vehicle_id, self.clock.now())

    def unsubscribe_webhook(self, webhook_id: str, vehicle_id: str) -> None:
        """Unsubscribe a vehicle from a webhook (v2.0 ``DELETE .../webhooks/{id}``)."""
        with self.lock:
            self.registry.unsubscribe_vehicle(webhook_id, vehicle_id)

    @property
    def webhook_subscriptions(self) -> Set[Tuple[str, str]]:
        """Every ``(webhook id, vehicle id)`` subscribed (v2.0 or v3)."""
        return {(item.webhook_id, item.vehicle_id) for item in self.registry.subscriptions()}

    def connected(self, grant: Grant, external_id: Optional[str] = None) -> None:
        """Connect ``grant``'s vehicles in the :attr:`registry` (a Connect approval, the
        first tokens of a grant, a reset that keeps tokens). ``external_id``: None leaves
        the user's external id, "" clears it, anything else sets it."""
        with self.lock:
            at = grant.connected_at or self.clock.now()
            mode = grant.mode if grant.mode in V3_MODES else "simulated"
            made = self.registry.connect(grant.user_id, grant.vehicle_ids, grant.scopes, at, mode)
            grant.connection_ids = {item.vehicle_id: item.id for item in made}
            if external_id is not None:
                self.registry.set_external_id(grant.user_id, external_id or None)

    def adopt_vehicles(self, owner: str, vehicles: Sequence[SimVehicle]) -> None:
        """Add built vehicles to ``owner``'s garage (a fleet grown from Python)."""
        with self.lock:
            garage = self.garage(owner)
            garage.extend(vehicles)
            for vehicle in vehicles:
                self.vehicles_by_id[vehicle.id] = vehicle

    def connections(self) -> List[Connection]:
        """Every connected (user, vehicle) pair of this app, oldest first (one per pair,
        however many grants share it)."""
        seen: Dict[Tuple[str, str], Connection] = {}
        for grant in self.grants():
            if grant.client_id != self.client_id:
                continue
            for vehicle_id in self.connected_vehicle_ids(grant):
                key = (grant.user_id, vehicle_id)
                if key not in seen:
                    at = grant.connected_at or self.clock.now()
                    seen[key] = Connection(grant.user_id, vehicle_id, at, grant.mode)
        return list(seen.values())

    def disconnect(
        self, user_id: Optional[str] = None, vehicle_id: Optional[str] = None
    ) -> List[Connection]:
        """Revoke every connection of ``user_id`` and/or ``vehicle_id`` (both: that vehicle
        of that user); return the connections removed."""
        if user_id is None and vehicle_id is None:
            raise ValueError("name a user_id, a vehicle_id or both")
        removed: Dict[Tuple[str, str], Connection] = {}
        with self.lock:
            current = {(item.user_id, item.vehicle_id): item for item in self.connections()}
            for grant in self.grants():
                if user_id is not None and grant.user_id != user_id:
                    continue
                for vid in self.connected_vehicle_ids(grant):
                    if vehicle_id is None or vid == vehicle_id:
                        self.revoke(grant, vid)
                        key = (grant.user_id, vid)
                        if key in current:
                            removed[key] = current[key]
        return list(removed.values())

    def grants(self) -> List[Grant]:
        """Every live grant (one per token chain), oldest first."""
        with self.lock:
            seen: Dict[int, Grant] = {}
            for record in list(self.refresh_tokens.values()) + list(self.access_tokens.values()):
                if self.is_live(record.grant):
                    seen.setdefault(id(record.grant), record.grant)
            epoch = datetime.min.replace(tzinfo=timezone.utc)
            return sorted(seen.values(), key=lambda grant: grant.connected_at or epoch)


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
        "charge_limit": vehicle.charge_limit,
    }
