"""``MemoryStore``: records, locks and call counts in dicts, for tests and one-process scripts."""

from __future__ import annotations

import threading
import time
from typing import Dict, Optional, Set, Tuple

from .meter import check_month, check_name, check_until, previous_month
from .store import check_key

__all__ = ["MemoryStore"]


class MemoryStore:
    """A :class:`~smartcar.tokens.store.TokenStore` and
    :class:`~smartcar.tokens.meter.CallMeter` kept in this process's memory.

    Safe between threads (one lock guards the records, and each key has its own expiring
    refresh lock); nothing is shared with other processes and nothing survives a restart.
    Call counts of months before the previous one are dropped once a newer month is counted.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._records: Dict[str, str] = {}
        self._locks: Dict[str, Tuple[str, float]] = {}
        self._calls: Dict[Tuple[str, str], int] = {}
        self._spent: Set[Tuple[str, str]] = set()
        self._holds: Dict[str, float] = {}
        self._newest_month = ""

    def __repr__(self) -> str:
        return f"MemoryStore(keys={len(self._records)})"

    def load(self, key: str) -> Optional[str]:
        with self._guard:
            return self._records.get(check_key(key))

    def save(self, key: str, record: str) -> None:
        with self._guard:
            self._records[check_key(key)] = record

    def replace(self, key: str, expected: str, record: str) -> bool:
        with self._guard:
            if self._records.get(check_key(key)) != expected:
                return False
            self._records[key] = record
            return True

    def delete(self, key: str) -> None:
        with self._guard:
            self._records.pop(check_key(key), None)

    def acquire(self, key: str, owner: str, ttl: float) -> bool:
        now = time.monotonic()
        with self._guard:
            held = self._locks.get(check_key(key))
            if held is not None and held[0] != owner and held[1] > now:
                return False
            self._locks[key] = (owner, now + ttl)
            return True

    def release(self, key: str, owner: str) -> None:
        with self._guard:
            held = self._locks.get(check_key(key))
            if held is not None and held[0] == owner:
                del self._locks[key]

    # CallMeter ----------------------------------------------------------------------------

    def add_call(self, vehicle_id: str, month: str) -> int:
        key = _meter_key(vehicle_id, month)
        with self._guard:
            self._forget_before(month)
            count = self._calls.get(key, 0) + 1
            self._calls[key] = count
            return count

    def calls(self, vehicle_id: str, month: str) -> int:
        key = _meter_key(vehicle_id, month)
        with self._guard:
            return self._calls.get(key, 0)

    def mark_spent(self, vehicle_id: str, month: str) -> None:
        key = _meter_key(vehicle_id, month)
        with self._guard:
            self._forget_before(month)
            self._spent.add(key)

    def is_spent(self, vehicle_id: str, month: str) -> bool:
        key = _meter_key(vehicle_id, month)
        with self._guard:
            return key in self._spent

    def hold(self, scope: str, until: float) -> None:
        check_name("scope", scope)
        until = check_until(until)
        with self._guard:
            if until > self._holds.get(scope, 0.0):
                self._holds[scope] = until

    def held_until(self, scope: str) -> float:
        check_name("scope", scope)
        with self._guard:
            return self._holds.get(scope, 0.0)

    def _forget_before(self, month: str) -> None:
        """Drop the counts of months before the one preceding ``month`` (under the guard)."""
        if month <= self._newest_month:
            return
        self._newest_month = month
        oldest = previous_month(month)
        self._calls = {key: count for key, count in self._calls.items() if key[1] >= oldest}
        self._spent = {key for key in self._spent if key[1] >= oldest}


def _meter_key(vehicle_id: str, month: str) -> Tuple[str, str]:
    return check_name("vehicle_id", vehicle_id), check_month(month)
