"""``emu.v3``: the v3 side of the emulator from Python (tests and demos): connect users,
grow big fleets, configure webhooks, read counters and delivery logs, pick wire variants."""

from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Protocol, Sequence

from smartcar.emulator import bounds
from smartcar.emulator.fleet import KINDS, MAKES, SimVehicle, build_vehicle
from smartcar.emulator.permissions import KNOWN_PERMISSIONS, parse_scope
from smartcar.emulator.v3.deliveries import Deliveries
from smartcar.emulator.v3.jsonapi import TIME_FORMATS
from smartcar.emulator.v3.registry import Connection, Subscription, Webhook
from smartcar.emulator.v3.service import V3Service

FLEET_OWNER = "fleet@example.com"
_FLEET_INDEX = 100_000  # vehicle indexes of add_vehicles (garages use 0-4 and 1000+)


class Host(Protocol):
    """What the controls need from the emulator's state."""

    seed: int
    application_id: str

    def user_id(self, user: Optional[str] = None) -> str: ...

    def vehicles(self, user: Optional[str] = None) -> List[SimVehicle]: ...

    def adopt_vehicles(self, owner: str, vehicles: Sequence[SimVehicle]) -> None: ...


class V3Controls:
    """The v3 service, its registries and its webhook deliveries, driven from Python."""

    def __init__(self, service: V3Service, deliveries: Deliveries, host: Host) -> None:
        self.service = service
        self.deliveries = deliveries
        self._host = host
        self._added = 0

    # ------------------------------------------------------------------ counters, options
    @property
    def application_id(self) -> str:
        """The Application ID Connect takes as ``client_id`` for v3 apps."""
        return self._host.application_id

    @property
    def token_requests(self) -> int:
        """``POST /oauth2/token`` requests that reached the emulator (any outcome)."""
        return self.service.tokens.requests

    @property
    def tokens_issued(self) -> int:
        """Application tokens handed out."""
        return self.service.tokens.issued

    @property
    def time_format(self) -> str:
        """How signal times are written: ``"seconds"`` (the documented epoch form,
        default), ``"milliseconds"`` or ``"iso"``."""
        return self.service.time_format

    @time_format.setter
    def time_format(self, value: str) -> None:
        if value not in TIME_FORMATS:
            raise ValueError(f"time_format must be one of {TIME_FORMATS}")
        self.service.time_format = value

    @property
    def command_status(self) -> int:
        """The HTTP status of a successful command: 200 (default) or 202."""
        return self.service.command_status

    @command_status.setter
    def command_status(self, value: int) -> None:
        if value not in (200, 202):
            raise ValueError("command_status must be 200 or 202")
        self.service.command_status = value

    @property
    def management_token(self) -> str:
        """The application management token (AMT) that signs webhook deliveries."""
        return self.deliveries.management_token

    # ------------------------------------------------------------------ connections
    def user_id(self, user: Optional[str] = None) -> str:
        """The user id (``sc-user-id``) of ``user`` (default: :data:`FLEET_OWNER`, who owns
        the vehicles of :meth:`add_vehicles`)."""
        return self._host.user_id(user or FLEET_OWNER)

    def connect(
        self,
        user: Optional[str] = None,
        vehicle_ids: Optional[Sequence[str]] = None,
        permissions: Optional[Sequence[str]] = None,
        mode: str = "live",
        external_id: Optional[str] = None,
    ) -> str:
        """Connect ``user``'s vehicles (default: the whole garage of the default user) as
        Connect would for a v3 app, and return the user id (the ``sc-user-id``).

        ``permissions``: permission names (default: every known one); ``mode``: ``live``
        or ``simulated``; ``external_id``: the application's own id of the user.
        """
        garage = self._host.vehicles(user)
        if vehicle_ids is not None:
            wanted = set(vehicle_ids)
            garage = [vehicle for vehicle in garage if vehicle.id in wanted]
            if len(garage) != len(wanted):
                raise ValueError("vehicle_ids must be vehicles of that user")
        user_id = self._host.user_id(user)
        self.service.registry.connect(
            user_id, [vehicle.id for vehicle in garage], _permissions(permissions),
            self.service.clock.now(), mode,
        )  # fmt: skip
        if external_id is not None:
            self.service.registry.set_external_id(user_id, external_id)
        return user_id

    def add_vehicles(
        self,
        count: int,
        user: str = FLEET_OWNER,
        kind: Optional[str] = None,
        make: Optional[str] = None,
        connect: bool = True,
        permissions: Optional[Sequence[str]] = None,
        mode: str = "live",
    ) -> List[SimVehicle]:
        """Add ``count`` new vehicles to ``user``'s garage (default ``fleet@example.com``),
        connected for that user unless ``connect=False``; cheap enough for thousands.
        ``kind`` (gas/hybrid/electric) and ``make`` narrow the models."""
        count = bounds.integer(count, "count", 0, bounds.MAX_VEHICLES_ADDED)
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if make is not None and make.upper() not in MAKES:
            raise ValueError(f"make must be one of {MAKES}")
        now = self.service.clock.now()
        owner = user.strip().lower()
        start = _FLEET_INDEX + self._added
        self._added += count
        vehicles = [
            build_vehicle(self._host.seed, owner, start + offset, now, kind=kind,
                          make=make.upper() if make else None)
            for offset in range(count)
        ]  # fmt: skip
        self._host.adopt_vehicles(owner, vehicles)
        if connect:
            self.service.registry.connect(
                self._host.user_id(owner), [vehicle.id for vehicle in vehicles],
                _permissions(permissions), now, mode,
            )  # fmt: skip
        return vehicles

    def connections(self, user: Optional[str] = None) -> List[Connection]:
        """Every connection (of ``user`` when given), newest first, whatever its mode."""
        user_id = self._host.user_id(user) if user is not None else None
        return self.service.registry.connections(user_id=user_id)

    # ------------------------------------------------------------------ webhooks
    def add_webhook(
        self,
        name: str,
        callback_uri: str,
        *,
        triggers: Sequence[str] = (),
        data: Sequence[str] = (),
        error_callback_uri: Optional[str] = None,
        auto_subscribe: bool = False,
        verify: bool = True,
    ) -> Webhook:
        """Configure a webhook as the Dashboard does (``triggers``/``data``: signal codes;
        ``data`` defaults to the triggers). With ``verify`` (default) the VERIFY challenge
        goes to ``callback_uri`` now and the webhook is enabled only if answered right;
        ``verify=False`` enables it without asking."""
        hook = self.service.add_webhook(
            name, callback_uri, triggers=triggers, data=data,
            error_callback_uri=error_callback_uri, auto_subscribe=auto_subscribe,
            is_enabled=not verify,
        )  # fmt: skip
        if verify:
            hook = self._verified(hook)
        self.deliveries.start()
        return hook

    def set_webhook_uri(self, webhook_id: str, callback_uri: str) -> Webhook:
        """Change a webhook's callback URI, which sends VERIFY again."""
        hook = self.service.registry.webhook(webhook_id)
        if hook is None:
            raise KeyError(webhook_id)
        bounds.callback_url(callback_uri, "callback_uri")
        return self._verified(replace(hook, callback_uri=callback_uri))

    def verify_webhook(self, webhook_id: str) -> Webhook:
        """ "Verify this webhook": send VERIFY again and enable it if answered right."""
        hook = self.service.registry.webhook(webhook_id)
        if hook is None:
            raise KeyError(webhook_id)
        return self._verified(hook)

    def _verified(self, hook: Webhook) -> Webhook:
        hook = replace(hook, is_enabled=self.deliveries.verify(hook))
        self.service.registry.update_webhook(hook)
        return hook

    def webhooks(self) -> List[Webhook]:
        return self.service.registry.webhooks()

    def subscriptions(self, webhook_id: Optional[str] = None) -> List[Subscription]:
        return self.service.registry.subscriptions(webhook_id=webhook_id)

    def reset(self) -> None:
        """Tokens, connections, webhooks, subscriptions, the delivery log and the options
        back to their defaults."""
        self.service.reset()
        self.deliveries.reset()


def _permissions(names: Optional[Sequence[str]]) -> List[str]:
    if names is None:
        return sorted(KNOWN_PERMISSIONS)
    known, unknown = parse_scope(" ".join(names))
    if unknown:
        raise ValueError(f"unknown permission(s): {' '.join(unknown)}")
    return list(known)
