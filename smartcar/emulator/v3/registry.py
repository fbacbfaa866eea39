"""What v3 adds to the emulator's state: application tokens, connections (user x vehicle),
webhooks and subscriptions. Plain thread-safe registries; the routes render them."""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

APP_TOKEN_LIFETIME = 60 * 60
MODES = ("live", "simulated")


@dataclass(frozen=True)
class AppToken:
    token: str = field(repr=False)  # a secret: never in a repr
    expires_at: datetime


class AppTokens:
    """Application (client-credentials) tokens: 1 hour on the emulator's clock, no refresh.

    ``requests`` counts every ``POST /oauth2/token`` that arrived, ``issued`` the tokens
    handed out."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._tokens: Dict[str, AppToken] = {}
        self.requests = 0
        self.issued = 0

    def count_request(self) -> None:
        with self._lock:
            self.requests += 1

    def issue(self) -> AppToken:
        now = self._now()
        token = AppToken(secrets.token_urlsafe(32), now + timedelta(seconds=APP_TOKEN_LIFETIME))
        with self._lock:
            for key in [key for key, item in self._tokens.items() if item.expires_at <= now]:
                del self._tokens[key]
            self._tokens[token.token] = token
            self.issued += 1
        return token

    def check(self, token: str) -> Optional[str]:
        """None when ``token`` is a live application token, else why it is not."""
        with self._lock:
            record = self._tokens.get(token)
        if record is None:
            return "The Authorization token is missing or invalid."
        if record.expires_at <= self._now():
            return "The application token expired; request a new one."
        return None

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
            self.requests = 0
            self.issued = 0


@dataclass(frozen=True)
class Connection:
    """One user's connection of one vehicle to the application."""

    id: str
    user_id: str
    vehicle_id: str
    permissions: Tuple[str, ...]
    mode: str
    created_at: datetime
    updated_at: datetime
    sequence: int  # creation order (ties on created_at sort newest first by this)


@dataclass(frozen=True)
class Webhook:
    """A webhook as configured in the Dashboard."""

    id: str
    name: str
    callback_uri: str
    created_at: datetime
    error_callback_uri: Optional[str] = None
    triggers: Tuple[str, ...] = ()  # signal codes
    data: Tuple[str, ...] = ()  # signal codes carried by each delivery
    auto_subscribe: bool = False
    is_enabled: bool = True


@dataclass(frozen=True)
class Subscription:
    id: str
    webhook_id: str
    user_id: str
    vehicle_id: str
    created_at: datetime
    updated_at: datetime
    sequence: int


class Registry:
    """Connections, users' external ids, webhooks and subscriptions (one lock for all)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._connections: Dict[str, Connection] = {}
        self._pairs: Dict[Tuple[str, str], str] = {}  # (user id, vehicle id) -> connection id
        self._external_ids: Dict[str, str] = {}  # user id -> the application's own id
        self._webhooks: Dict[str, Webhook] = {}
        self._subscriptions: Dict[str, Subscription] = {}
        self._sequence = itertools.count()

    # ------------------------------------------------------------ connections
    def connect(
        self,
        user_id: str,
        vehicle_ids: Iterable[str],
        permissions: Sequence[str],
        now: datetime,
        mode: str = "live",
    ) -> List[Connection]:
        """Connect each vehicle for ``user_id`` (an existing connection gets the union of
        permissions and a new ``updated_at``); vehicles of auto-subscribe webhooks are
        subscribed."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        made = []
        with self._lock:
            for vehicle_id in vehicle_ids:
                existing = self.find(user_id, vehicle_id)
                if existing is not None:
                    merged = tuple(dict.fromkeys(existing.permissions + tuple(permissions)))
                    connection = replace(existing, permissions=merged, updated_at=now, mode=mode)
                else:
                    connection = Connection(
                        id=str(uuid.uuid4()),
                        user_id=user_id,
                        vehicle_id=vehicle_id,
                        permissions=tuple(permissions),
                        mode=mode,
                        created_at=now,
                        updated_at=now,
                        sequence=next(self._sequence),
                    )
                self._connections[connection.id] = connection
                self._pairs[(user_id, vehicle_id)] = connection.id
                made.append(connection)
                for webhook in self._webhooks.values():
                    if webhook.auto_subscribe:
                        self._subscribe(webhook.id, user_id, vehicle_id, now)
        return made

    def find(self, user_id: str, vehicle_id: str) -> Optional[Connection]:
        """The connection of this user and vehicle, if any."""
        with self._lock:
            connection_id = self._pairs.get((user_id, vehicle_id))
            return None if connection_id is None else self._connections[connection_id]

    def connection(self, connection_id: str) -> Optional[Connection]:
        with self._lock:
            return self._connections.get(connection_id)

    def connections(
        self,
        user_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
        mode: Optional[str] = None,
        external_id: Optional[str] = None,
    ) -> List[Connection]:
        """Matching connections, newest first."""
        with self._lock:
            found = [
                item
                for item in self._connections.values()
                if (user_id is None or item.user_id == user_id)
                and (vehicle_id is None or item.vehicle_id == vehicle_id)
                and (mode is None or item.mode == mode)
                and (external_id is None or self._external_ids.get(item.user_id) == external_id)
            ]
        return sorted(found, key=lambda item: (item.created_at, item.sequence), reverse=True)

    def is_connected(self, vehicle_id: str) -> bool:
        with self._lock:
            return any(item.vehicle_id == vehicle_id for item in self._connections.values())

    def disconnect(self, connection_id: str) -> Optional[Connection]:
        """Delete one connection (and its subscriptions); the removed one or None."""
        with self._lock:
            connection = self._connections.pop(connection_id, None)
            if connection is not None:
                del self._pairs[(connection.user_id, connection.vehicle_id)]
                self._drop_subscriptions(connection.user_id, connection.vehicle_id)
            return connection

    def disconnect_pair(self, user_id: str, vehicle_id: str) -> Optional[Connection]:
        """Delete the connection of this user and vehicle (None when there is none)."""
        with self._lock:
            connection = self.find(user_id, vehicle_id)
            return None if connection is None else self.disconnect(connection.id)

    def delete_user(self, user_id: str) -> List[Connection]:
        """Purge a user: connections, subscriptions and external id."""
        with self._lock:
            removed = [item for item in self._connections.values() if item.user_id == user_id]
            for item in removed:
                del self._connections[item.id]
                del self._pairs[(item.user_id, item.vehicle_id)]
                self._drop_subscriptions(item.user_id, item.vehicle_id)
            self._external_ids.pop(user_id, None)
        return removed

    def set_external_id(self, user_id: str, external_id: Optional[str]) -> None:
        """Record (or, with None, clear) the application's own id of a user."""
        with self._lock:
            if external_id is None:
                self._external_ids.pop(user_id, None)
            else:
                self._external_ids[user_id] = external_id

    def external_id(self, user_id: str) -> Optional[str]:
        with self._lock:
            return self._external_ids.get(user_id)

    # ------------------------------------------------------------ webhooks
    def add_webhook(self, webhook: Webhook, now: datetime) -> Webhook:
        """Register ``webhook``; auto-subscribe ones subscribe every connected vehicle."""
        with self._lock:
            self._webhooks[webhook.id] = webhook
            if webhook.auto_subscribe:
                for connection in list(self._connections.values()):
                    self._subscribe(webhook.id, connection.user_id, connection.vehicle_id, now)
        return webhook

    def update_webhook(self, webhook: Webhook) -> None:
        with self._lock:
            if webhook.id not in self._webhooks:
                raise KeyError(webhook.id)
            self._webhooks[webhook.id] = webhook

    def webhook(self, webhook_id: str) -> Optional[Webhook]:
        with self._lock:
            return self._webhooks.get(webhook_id)

    def webhooks(self) -> List[Webhook]:
        """Every webhook, oldest first."""
        with self._lock:
            return sorted(self._webhooks.values(), key=lambda item: item.created_at)

    def remove_webhook(self, webhook_id: str) -> None:
        with self._lock:
            self._webhooks.pop(webhook_id, None)
            for key in [k for k, s in self._subscriptions.items() if s.webhook_id == webhook_id]:
                del self._subscriptions[key]

    # ------------------------------------------------------------ subscriptions
    def subscribe(
        self, webhook_id: str, user_id: str, vehicle_id: str, now: datetime
    ) -> Optional[Subscription]:
        """Subscribe a vehicle to a webhook; None when it already is."""
        with self._lock:
            if self._subscription_of(webhook_id, vehicle_id) is not None:
                return None
            return self._subscribe(webhook_id, user_id, vehicle_id, now)

    def _subscribe(
        self, webhook_id: str, user_id: str, vehicle_id: str, now: datetime
    ) -> Subscription:
        existing = self._subscription_of(webhook_id, vehicle_id)
        if existing is not None:
            return existing
        subscription = Subscription(
            id=str(uuid.uuid4()),
            webhook_id=webhook_id,
            user_id=user_id,
            vehicle_id=vehicle_id,
            created_at=now,
            updated_at=now,
            sequence=next(self._sequence),
        )
        self._subscriptions[subscription.id] = subscription
        return subscription

    def _subscription_of(self, webhook_id: str, vehicle_id: str) -> Optional[Subscription]:
        for item in self._subscriptions.values():
            if item.webhook_id == webhook_id and item.vehicle_id == vehicle_id:
                return item
        return None

    def subscription(self, subscription_id: str) -> Optional[Subscription]:
        with self._lock:
            return self._subscriptions.get(subscription_id)

    def subscriptions(
        self,
        webhook_id: Optional[str] = None,
        user_id: Optional[str] = None,
        vehicle_id: Optional[str] = None,
    ) -> List[Subscription]:
        """Matching subscriptions, newest first."""
        with self._lock:
            found = [
                item
                for item in self._subscriptions.values()
                if (webhook_id is None or item.webhook_id == webhook_id)
                and (user_id is None or item.user_id == user_id)
                and (vehicle_id is None or item.vehicle_id == vehicle_id)
            ]
        return sorted(found, key=lambda item: (item.created_at, item.sequence), reverse=True)

    def unsubscribe_vehicle(self, webhook_id: str, vehicle_id: str) -> Optional[Subscription]:
        """Remove the subscription of this vehicle to this webhook (None when none)."""
        with self._lock:
            found = self._subscription_of(webhook_id, vehicle_id)
            return None if found is None else self._subscriptions.pop(found.id)

    def unsubscribe(self, subscription_id: str) -> Optional[Subscription]:
        with self._lock:
            return self._subscriptions.pop(subscription_id, None)

    def _drop_subscriptions(self, user_id: str, vehicle_id: str) -> None:
        for key in [
            key
            for key, item in self._subscriptions.items()
            if item.user_id == user_id and item.vehicle_id == vehicle_id
        ]:
            del self._subscriptions[key]

    def clear(self) -> None:
        """Forget everything (the emulator's reset)."""
        with self._lock:
            self._connections.clear()
            self._pairs.clear()
            self._external_ids.clear()
            self._webhooks.clear()
            self._subscriptions.clear()
