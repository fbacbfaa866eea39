"""What webhooks pushed: the events handed to the app and each vehicle's latest pushed state.

Smartcar POSTs signed events to ``/webhooks/smartcar``; :class:`smartcar.webhooks.Receiver`
checks the signature, answers VERIFY and drops redeliveries (its seen-set lives in the app's
SQLite file, so every worker process shares it). Each event handed over is recorded here, in
the same file, and the vehicle page reads it back through ``GET /live`` every second, so the
page changes without a reload. Deliveries are not ordered: a vehicle's state is the event with
the latest ``meta.deliveredAt``.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Iterator, List, NamedTuple, Optional, Union

from smartcar.v3 import Signal
from smartcar.webhooks import Event, VehicleErrorEvent, VehicleStateEvent

__all__ = ["LIVE_SIGNALS", "LiveState", "PushedEvent", "signal_text"]

LIVE_SIGNALS = (
    "closure-islocked",
    "odometer-traveleddistance",
    "tractionbattery-stateofcharge",
    "internalcombustionengine-fuellevel",
    "location-preciselocation",
)
"""The signals the example's webhook carries (the first one triggers a delivery)."""

_LABELS = {
    "closure-islocked": "Doors",
    "odometer-traveleddistance": "Odometer",
    "tractionbattery-stateofcharge": "Battery",
    "internalcombustionengine-fuellevel": "Fuel",
    "location-preciselocation": "Location",
}
_UNITS = {"percent": "%", "kilometers": "km", "kilometer": "km", "km": "km"}
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS example_webhook_events ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT, event_type TEXT NOT NULL,"
    " user_id TEXT, vehicle_id TEXT NOT NULL, delivered_at REAL, received_at REAL NOT NULL,"
    " summary TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS example_webhook_events_user"
    " ON example_webhook_events (user_id, event_type, vehicle_id)",
)
_RECENT = 8
_MAX_ERRORS = 500
_COLUMNS = "seq, event_id, event_type, vehicle_id, delivered_at, received_at, summary"
# Each vehicle's VEHICLE_STATE event with the latest delivery time (then the latest arrival).
_LATEST_STATES = f"""
    SELECT {_COLUMNS} FROM example_webhook_events AS e
    WHERE e.user_id = ?1 AND e.event_type = 'VEHICLE_STATE' AND e.seq = (
        SELECT l.seq FROM example_webhook_events AS l
        WHERE l.user_id = ?1 AND l.vehicle_id = e.vehicle_id AND l.event_type = 'VEHICLE_STATE'
        ORDER BY COALESCE(l.delivered_at, l.received_at) DESC, l.seq DESC LIMIT 1)
"""


class PushedEvent(NamedTuple):
    """One event a webhook handed to the app, as the page shows it."""

    seq: int
    event_id: Optional[str]
    event_type: str
    vehicle_id: str
    delivered_at: Optional[float]
    received_at: float
    summary: Dict[str, Any]

    def to_json(self) -> Dict[str, Any]:
        return {
            "seq": self.seq,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "vehicle_id": self.vehicle_id,
            "received_at": _iso(self.received_at),
            "delivered_at": _iso(self.delivered_at),
            **self.summary,
        }


class LiveState:
    """The pushed events in an SQLite file (a table next to the token store's).

    Args:
        path: the SQLite database file (created when missing).

    Raises:
        sqlite3.Error: the file cannot be opened or is not an SQLite database.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        with self._db() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def __repr__(self) -> str:
        return f"LiveState(path={self.path!r})"

    def record(self, event: Event) -> Optional[int]:
        """Store a VEHICLE_STATE or VEHICLE_ERROR event; return its sequence number, or
        ``None`` for an event that carries no vehicle state (VERIFY, legacy, unknown, or a
        delivery that names no vehicle).

        Raises:
            sqlite3.Error: the write failed (the caller un-sees the event and answers 500).
        """
        if isinstance(event, VehicleStateEvent):
            summary: Dict[str, Any] = {"signals": _signals_summary(event.signals)}
        elif isinstance(event, VehicleErrorEvent):
            summary = {"errors": [_error_summary(error) for error in event.errors]}
        else:
            return None
        if event.vehicle_id is None:
            return None
        delivered = event.meta.delivered_at
        row = (
            event.event_id,
            event.event_type,
            event.user_id,
            event.vehicle_id,
            delivered.timestamp() if delivered is not None else None,
            time.time(),
            json.dumps(summary),
        )
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO example_webhook_events (event_id, event_type, user_id, vehicle_id,"
                " delivered_at, received_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def events(
        self, user_id: str, *, event_type: Optional[str] = None, limit: Optional[int] = None
    ) -> List[PushedEvent]:
        """The events of ``user_id``'s vehicles (of ``event_type`` if given), newest first,
        at most ``limit``."""
        sql = f"SELECT {_COLUMNS} FROM example_webhook_events WHERE user_id = ?"
        params: List[Union[str, int]] = [user_id]
        if event_type is not None:
            sql += " AND event_type = ?"
            params.append(event_type)
        sql += " ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._db() as db:
            return _events(db.execute(sql, params))

    def snapshot(self, user_id: str) -> Dict[str, Any]:
        """What the page shows for ``user_id``: ``cursor`` (changes when anything new
        arrived), ``count`` (events handed over), ``recent`` events and, per vehicle, the
        latest pushed ``state`` (signals) and any unresolved ``errors``.

        Its cost does not grow with the number of events: the page asks every second.
        """
        with self._db() as db:
            count, cursor = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM example_webhook_events"
                " WHERE user_id = ?",
                (user_id,),
            ).fetchone()
            latest = _events(db.execute(_LATEST_STATES, (user_id,)))
        vehicles: Dict[str, Dict[str, Any]] = {}
        for event in latest:
            vehicles[event.vehicle_id] = {"state": event.to_json(), "errors": []}
        errors = self.events(user_id, event_type=VehicleErrorEvent.event_type, limit=_MAX_ERRORS)
        for event in sorted(errors, key=_arrival_order):
            entry = vehicles.setdefault(event.vehicle_id, {"state": None, "errors": []})
            entry["errors"] = _open_errors(entry["errors"], event.summary["errors"])
        return {
            "cursor": cursor,
            "count": count,
            "recent": [event.to_json() for event in self.events(user_id, limit=_RECENT)],
            "vehicles": vehicles,
        }

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:  # one transaction, committed on success
                yield db
        finally:
            db.close()


def _events(rows: Iterable[Any]) -> List[PushedEvent]:
    return [
        PushedEvent(seq, event_id, kind, vehicle, delivered, received, json.loads(summary))
        for seq, event_id, kind, vehicle, delivered, received, summary in rows
    ]


def signal_text(signal: Signal) -> str:
    """How the page writes one pushed signal: ``Locked``, ``78%``, ``12,345.6 km``..."""
    if signal.status != "SUCCESS":
        code = signal.error.code if signal.error is not None else None
        return "not supported" if code == "VEHICLE_NOT_CAPABLE" else "unavailable"
    if signal.code == "closure-islocked":
        return "Locked" if signal.value else "Unlocked"
    if signal.code == "location-preciselocation":
        lat, lon = signal.body.get("latitude"), signal.body.get("longitude")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            return f"{lat:.5f}, {lon:.5f}"
        return "unavailable"
    value = signal.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "unavailable" if value is None else str(value)
    unit = _UNITS.get((signal.unit or "").lower(), signal.unit or "")
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:,.1f} {unit}".rstrip()


def _signals_summary(signals: Any) -> List[Dict[str, Any]]:
    shown = []
    for signal in signals:
        shown.append(
            {
                "code": signal.code,
                "label": _LABELS.get(signal.code, signal.name or signal.code),
                "text": signal_text(signal),
                "value": signal.value if signal.status == "SUCCESS" else None,
            }
        )
    return shown


def _error_summary(error: Any) -> Dict[str, Any]:
    return {
        "type": error.type,
        "code": error.code,
        "state": error.state,
        "text": error.suggested_user_message or error.description or error.code or "error",
    }


def _open_errors(current: List[Dict[str, Any]], update: List[Dict[str, Any]]) -> List[Any]:
    """The errors still open after a VEHICLE_ERROR event: RESOLVED entries close theirs."""
    still = {(item["type"], item["code"]): item for item in current}
    for item in update:
        key = (item["type"], item["code"])
        if item["state"] == "RESOLVED":
            still.pop(key, None)
        else:
            still[key] = item
    return list(still.values())


def _arrival_order(event: PushedEvent) -> Any:
    # Delivery time first (deliveries are not ordered), then the order they reached us.
    return (event.delivered_at if event.delivered_at is not None else event.received_at, event.seq)


def _iso(epoch: Optional[float]) -> Optional[str]:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")
