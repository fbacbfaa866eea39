"""``MemoryStore``: records and locks in a dict, for tests and single-process scripts."""

from __future__ import annotations

import threading
import time
from typing import Dict, Optional, Tuple

from .store import check_key

__all__ = ["MemoryStore"]


class MemoryStore:
    """A :class:`~smartcar.tokens.store.TokenStore` kept in this process's memory.

    Safe between threads (one lock guards the records, and each key has its own expiring
    refresh lock); nothing is shared with other processes and nothing survives a restart.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._records: Dict[str, str] = {}
        self._locks: Dict[str, Tuple[str, float]] = {}

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
