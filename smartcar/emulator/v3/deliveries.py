"""Webhook deliveries that really arrive: the VERIFY challenge, signed ``VEHICLE_STATE``
events when a trigger signal changes, retries on the emulator's clock, a delivery log.

A worker thread compares every subscribed vehicle's trigger signals with what it last saw
(so a command, a charging session moving with the clock, a location change or a test that
sets a :class:`SimVehicle` attribute all count), and POSTs the events off the request path
to loopback callback URLs only. A delivery fails on a non-2xx answer (3xx included), a
timeout or a refused connection, and is retried at +25, +50 and +100 s of emulator time with
the same ``eventId``, then dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

from smartcar.emulator._clock import Clock
from smartcar.emulator.fleet import SimVehicle
from smartcar.emulator.v3.errors import error_entry
from smartcar.emulator.v3.jsonapi import iso, timestamp
from smartcar.emulator.v3.registry import Registry, Subscription, Webhook
from smartcar.emulator.v3.resources import vehicle_summary
from smartcar.emulator.v3.signals import BY_CODE, signal_values, webhook_signal

RETRY_DELAYS: Tuple[float, ...] = (25.0, 50.0, 100.0)
DEFAULT_TIMEOUT = 15.0  # for a whole exchange with a callback
MAX_ANSWER_BYTES = 64 * 1024  # of a callback's answer (VERIFY's is a few dozen bytes)
PAYLOAD_VERSION = "4.0"
USER_AGENT = "Smartcar/emulator"
SIGNATURE_HEADER = "SC-Signature"

VehicleLookup = Callable[[str], Optional[SimVehicle]]


def sign(management_token: str, body: bytes) -> str:
    """``hex(HMAC-SHA256(key=management_token, msg=body))``, the ``SC-Signature`` value."""
    return hmac.new(management_token.encode(), body, hashlib.sha256).hexdigest()


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) to a loopback host (the only callbacks the emulator calls)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            return False
        if host == "localhost":
            return True
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Attempt:
    """One POST of a delivery: emulator time, HTTP status (None: no answer), error, seconds."""

    at: datetime
    status: Optional[int]
    error: Optional[str]
    latency: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Delivery:
    """One event for one webhook, with every attempt made to deliver it."""

    event_id: str
    event_type: str
    webhook_id: str
    url: str
    payload: Dict[str, Any]  # without meta.deliveredAt (set per attempt)
    due_at: datetime
    vehicle_id: Optional[str] = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempts: List[Attempt] = field(default_factory=list)
    state: str = "pending"  # pending | delivered | dropped
    in_flight: bool = False

    def to_json(self) -> Dict[str, Any]:
        return {
            "id": self.id,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "webhook_id": self.webhook_id,
            "vehicle_id": self.vehicle_id,
            "url": self.url,
            "state": self.state,
            "attempts": [
                {"at": iso(item.at), "status": item.status, "error": item.error,
                 "latency": round(item.latency, 4)}
                for item in self.attempts
            ],
        }  # fmt: skip


def post(url: str, body: bytes, headers: Dict[str, str], timeout: float) -> Tuple[int, bytes]:
    """POST ``body`` to ``url`` (no redirects followed); the status and the first
    :data:`MAX_ANSWER_BYTES` of the response body. The whole exchange takes at most
    ``timeout`` seconds: a callback that keeps sending is cut off then.

    Raises:
        OSError, http.client.HTTPException: no answer in time, or not an HTTP answer.
    """
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    expired = threading.Event()
    opened: List[socket.socket] = []  # http.client forgets its socket once it has the answer

    def cut_off() -> None:  # later reads fail at once
        expired.set()
        for sock in opened:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    deadline = threading.Timer(timeout, cut_off)
    deadline.daemon = True
    deadline.start()
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.connect()
        if connection.sock is not None:
            opened.append(connection.sock)
        if expired.is_set():
            cut_off()
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(MAX_ANSWER_BYTES)
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError(f"timed out after {timeout:g} s") from None
        raise
    finally:
        deadline.cancel()
        connection.close()
    if expired.is_set():
        raise TimeoutError(f"timed out after {timeout:g} s")
    return response.status, answer


Sender = Callable[[str, bytes, Dict[str, str], float], Tuple[int, bytes]]


class Deliveries:
    """Webhook deliveries of one emulator: VERIFY, change detection, retries and the log.

    ``management_token`` signs every payload. ``timeout`` (default 15 s, real time) is how
    long a callback may take. Call :meth:`start` (the emulator does) to run the worker.
    """

    def __init__(
        self,
        clock: Clock,
        registry: Registry,
        vehicle: VehicleLookup,
        lock: threading.RLock,
        management_token: str,
        sender: Sender = post,
    ) -> None:
        self.clock = clock
        self.registry = registry
        self._vehicle = vehicle
        self._state_lock = lock
        self.management_token = management_token
        self.timeout = DEFAULT_TIMEOUT
        self.payload_format = "2026"  # or "2025": see PAYLOAD_FORMATS
        self.interval = 0.2  # real seconds between scans (poke() and wait() scan at once)
        self._send = sender
        self._lock = threading.Condition()
        self._log: List[Delivery] = []
        self._seen: Dict[str, Dict[str, Any]] = {}  # subscription id -> trigger values
        self._errors: Dict[str, Optional[str]] = {}  # subscription id -> vehicle's state error
        self._thread: Optional[threading.Thread] = None
        self._pool: Optional[ThreadPoolExecutor] = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._cycles = 0  # worker loops completed

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="emulator-webhook")
            self._thread = threading.Thread(target=self._run, name="emulator-webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            pool, self._pool = self._pool, None
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def reset(self) -> None:
        """Forget the log and what was seen (the emulator's reset)."""
        with self._lock:
            self._log.clear()
            self._seen.clear()
            self._errors.clear()

    def poke(self) -> None:
        """Scan now (after a change made from Python)."""
        self._wake.set()

    # ------------------------------------------------------------------ VERIFY
    def verify(self, webhook: Webhook) -> bool:
        """Send the VERIFY challenge to the webhook's callback (synchronously) and return
        whether it answered 200 with ``{"challenge": hex HMAC-SHA256(AMT, challenge)}``."""
        challenge = secrets.token_hex(16)
        event_id = str(uuid.uuid4())
        payload: Dict[str, Any] = {
            "eventId": event_id,
            "eventType": "VERIFY",
            "data": {"challenge": challenge},
            "meta": {
                "version": PAYLOAD_VERSION,
                "webhookId": webhook.id,
                "webhookName": webhook.name,
                "deliveryId": str(uuid.uuid4()),
                "deliveredAt": iso(self.clock.now()),
            },
        }
        delivery = Delivery(
            event_id=event_id,
            event_type="VERIFY",
            webhook_id=webhook.id,
            url=webhook.callback_uri,
            payload=payload,
            due_at=self.clock.now(),
        )
        expected = sign(self.management_token, challenge.encode())
        body = json.dumps(payload).encode()
        answer: List[bytes] = []
        attempt = self._attempt(webhook.callback_uri, body, answer)
        delivery.attempts.append(attempt)
        ok = False
        if attempt.status == 200 and answer:
            try:
                reply = json.loads(answer[0])
            except ValueError:
                reply = None
            ok = isinstance(reply, dict) and hmac.compare_digest(
                str(reply.get("challenge", "")), expected
            )
        delivery.state = "delivered" if ok else "dropped"
        with self._lock:
            self._log.append(delivery)
        return ok

    # ------------------------------------------------------------------ the log
    def log(self, event_type: Optional[str] = None) -> List[Delivery]:
        """Every delivery so far (oldest first), of ``event_type`` when given."""
        with self._lock:
            return [item for item in self._log if event_type in (None, item.event_type)]

    def wait(self, timeout: float = 5.0) -> bool:
        """Scan now, then wait (real time) until no delivery is due or in flight; whether
        that happened within ``timeout`` seconds. Needs the worker (:meth:`start`)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            # A loop that starts after this call has seen every change made before it.
            target = self._cycles + 2
        self._wake.set()
        with self._lock:
            while True:
                now = self.clock.now()
                busy = any(
                    item.state == "pending" and (item.in_flight or item.due_at <= now)
                    for item in self._log
                )
                if self._cycles >= target and not busy:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.set()
                self._lock.wait(min(remaining, 0.05))

    # ------------------------------------------------------------------ the worker
    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self._scan()
                self._send_due()
            except Exception as exc:  # keep delivering whatever one bad event did
                sys.stderr.write(f"smartcar emulator: webhook worker: {exc!r}\n")
            with self._lock:
                self._cycles += 1
                self._lock.notify_all()

    def _scan(self) -> None:
        """Queue a FIRST_DELIVERY for new subscriptions and a SIGNAL_UPDATED event for each
        subscribed vehicle whose trigger signals changed."""
        now = self.clock.now()
        live = {}
        for subscription in self.registry.subscriptions():
            webhook = self.registry.webhook(subscription.webhook_id)
            if webhook is None or not webhook.is_enabled:
                continue
            live[subscription.id] = subscription
            with self._state_lock:
                vehicle = self._vehicle(subscription.vehicle_id)
                if vehicle is None:
                    continue
                vehicle.advance(now)
                error_payload = self._error_change(webhook, subscription, vehicle, now)
                if error_payload is not None:
                    self._queue(webhook, error_payload, now, subscription.vehicle_id, error=True)
                values = signal_values(vehicle, webhook.triggers)
                before = self._seen.get(subscription.id)
                self._seen[subscription.id] = values
                triggers: List[Dict[str, Any]]
                if before is None:
                    triggers = [{"type": "FIRST_DELIVERY"}]
                else:
                    changed = [
                        code for code in webhook.triggers if values.get(code) != before.get(code)
                    ]
                    if not changed:
                        continue
                    triggers = [
                        {"type": "SIGNAL_UPDATED", "signal": _signal_ref(code)} for code in changed
                    ]
                payload = self._state_payload(webhook, subscription, vehicle, triggers, now)
            self._queue(webhook, payload, now, subscription.vehicle_id)
        for gone in [key for key in self._seen if key not in live]:
            del self._seen[gone]
            self._errors.pop(gone, None)

    def _error_change(
        self, webhook: Webhook, subscription: Subscription, vehicle: SimVehicle, now: datetime
    ) -> Optional[Dict[str, Any]]:
        """A VEHICLE_ERROR event when the vehicle went into (``ERROR``) or out of
        (``RESOLVED``) an error state since the last scan, else None."""
        before = self._errors.get(subscription.id)
        current = vehicle.state_error or None
        self._errors[subscription.id] = current
        if before == current or subscription.id not in self._seen:
            return None
        refs = [_signal_ref(code) for code in (webhook.data or webhook.triggers)]
        errors = []
        if before is not None:
            errors.append(_vehicle_error(before, "RESOLVED", refs))
        if current is not None:
            errors.append(_vehicle_error(current, "ERROR", refs))
        payload = self._envelope("VEHICLE_ERROR", webhook, subscription, vehicle)
        payload["data"]["errors"] = errors
        return payload

    def _envelope(
        self, event_type: str, webhook: Webhook, subscription: Subscription, vehicle: SimVehicle
    ) -> Dict[str, Any]:
        """An event's common parts: ids, ``data.user``, ``data.vehicle`` and ``meta``."""
        connection = self.registry.find(subscription.user_id, subscription.vehicle_id)
        mode = connection.mode if connection is not None else "live"
        user: Dict[str, Any] = {"id": subscription.user_id}
        external_id = self.registry.external_id(subscription.user_id)
        if external_id is not None:
            user["externalId"] = external_id
        return {
            "eventId": str(uuid.uuid4()),
            "eventType": event_type,
            "data": {"user": user, "vehicle": {"id": vehicle.id, **vehicle_summary(vehicle, mode)}},
            "meta": {
                "version": PAYLOAD_VERSION,
                "webhookId": webhook.id,
                "webhookName": webhook.name,
                "mode": "TEST" if mode != "live" else "LIVE",
            },
        }

    def _state_payload(
        self,
        webhook: Webhook,
        subscription: Subscription,
        vehicle: SimVehicle,
        triggers: List[Dict[str, Any]],
        now: datetime,
    ) -> Dict[str, Any]:
        connection = self.registry.find(subscription.user_id, subscription.vehicle_id)
        permissions = connection.permissions if connection is not None else ()
        flat = [
            webhook_signal(BY_CODE[code], vehicle, permissions, now)
            for code in webhook.data or webhook.triggers
        ]
        payload = self._envelope("VEHICLE_STATE", webhook, subscription, vehicle)
        payload["data"]["signals"] = flat
        payload["triggers"] = triggers
        payload["meta"]["signalCount"] = len(flat)
        return payload

    def _queue(
        self,
        webhook: Webhook,
        payload: Dict[str, Any],
        now: datetime,
        vehicle_id: Optional[str],
        error: bool = False,
    ) -> None:
        """Log a pending delivery (VEHICLE_ERROR goes to the error callback when set)."""
        url = (
            (webhook.error_callback_uri or webhook.callback_uri) if error else webhook.callback_uri
        )
        delivery = Delivery(
            event_id=payload["eventId"],
            event_type=payload["eventType"],
            webhook_id=webhook.id,
            url=url,
            payload=payload,
            due_at=now,
            vehicle_id=vehicle_id,
        )
        with self._lock:
            self._log.append(delivery)

    def _send_due(self) -> None:
        now = self.clock.now()
        with self._lock:
            due = [
                item
                for item in self._log
                if item.state == "pending" and not item.in_flight and item.due_at <= now
            ]
            for item in due:
                item.in_flight = True
            pool = self._pool
        for item in due:
            if pool is None:
                self._deliver(item)
            else:
                pool.submit(self._deliver, item)

    def _deliver(self, delivery: Delivery) -> None:
        payload = dict(delivery.payload)
        payload["meta"] = {
            **payload["meta"],
            "deliveryId": delivery.id,
            "deliveredAt": timestamp(self.clock.now(), "milliseconds"),
        }
        body = json.dumps(PAYLOAD_FORMATS[self.payload_format](payload)).encode()
        attempt = self._attempt(delivery.url, body, [])
        with self._lock:
            delivery.attempts.append(attempt)
            delivery.in_flight = False
            if attempt.ok:
                delivery.state = "delivered"
            elif len(delivery.attempts) > len(RETRY_DELAYS):
                delivery.state = "dropped"
            else:
                delay = RETRY_DELAYS[len(delivery.attempts) - 1]
                delivery.due_at = attempt.at + timedelta(seconds=delay)
            self._lock.notify_all()

    def _attempt(self, url: str, body: bytes, answer: List[bytes]) -> Attempt:
        """POST one signed body; ``answer`` receives the response body (VERIFY reads it)."""
        at = self.clock.now()
        started = time.perf_counter()
        if not is_loopback_url(url):
            return Attempt(at, None, "refused: the emulator only calls loopback URLs", 0.0)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.management_token, body),
            "User-Agent": USER_AGENT,
        }
        try:
            status, reply = self._send(url, body, headers, self.timeout)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            return Attempt(at, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
        answer.append(reply)
        return Attempt(at, status, None, time.perf_counter() - started)


def _early_form(payload: Dict[str, Any]) -> Dict[str, Any]:
    """An event as the service sent it in 2025-09 (api-v2-v3.md section 12 item 11): a meta of
    ``deliveryId``, ``deliveredAt`` and ``deliveryTime`` only; signals named by the string
    ``"Group.Name"`` in triggers and vehicle errors; success signals without ``status``; no
    vehicle ``mode`` or ``powertrainType`` yet."""
    meta = payload["meta"]
    data = dict(payload["data"])
    vehicle = dict(data["vehicle"])
    vehicle.pop("mode", None)
    vehicle.pop("powertrainType", None)
    data["vehicle"] = vehicle
    if "signals" in data:
        data["signals"] = [
            {key: value for key, value in signal.items() if key != "status"}
            if signal.get("status") == {"value": "SUCCESS"}
            else signal
            for signal in data["signals"]
        ]
    if "errors" in data:
        data["errors"] = [
            dict(error, signals=[_dotted(ref) for ref in error["signals"]])
            for error in data["errors"]
        ]
    early = dict(payload, data=data)
    if "triggers" in payload:
        early["triggers"] = [
            dict(trigger, signal=_dotted(trigger["signal"])) if "signal" in trigger else trigger
            for trigger in payload["triggers"]
        ]
    early["meta"] = {
        "deliveryId": meta["deliveryId"],
        "deliveredAt": meta["deliveredAt"],
        "deliveryTime": meta["deliveredAt"],
    }
    return early


def _dotted(ref: Dict[str, str]) -> str:
    return f"{ref['group']}.{ref['name']}"


PAYLOAD_FORMATS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "2026": lambda payload: payload,
    "2025": _early_form,
}
"""``Deliveries.payload_format`` -> how an event is sent: as the live service does now
(``"2026"``, the default), or as it did in 2025-09 (``"2025"``)."""


def _signal_ref(code: str) -> Dict[str, str]:
    signal = BY_CODE[code]
    return {"name": signal.name, "code": code, "group": signal.group}


def _vehicle_error(code: str, state: str, refs: List[Dict[str, str]]) -> Dict[str, Any]:
    entry = error_entry("VEHICLE_STATE", code, f"The vehicle is {code.lower()}.")
    return {
        "type": entry["type"],
        "code": code,
        "description": entry["detail"],
        "docURL": entry["links"]["about"],
        "resolution": entry["resolution"],
        "suggestedUserMessage": entry.get("suggestedUserMessage"),
        "state": state,
        "signals": refs,
    }
