"""The emulator's controllable clock."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Optional


class Clock:
    """Real UTC time plus an offset that tests move forward (or a frozen instant).

    Token and code lifetimes, data ages, rate-limit windows and the drift of batteries and
    odometers all read this clock, so ``clock.advance(7201)`` expires every access token
    without sleeping.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen: Optional[datetime] = None

    def now(self) -> datetime:
        """The emulated current time (timezone-aware, UTC)."""
        frozen = self._frozen  # plain reads: each is atomic, no lock needed on this hot path
        if frozen is not None:
            return frozen
        offset = self._offset
        now = datetime.now(timezone.utc)
        return now + timedelta(seconds=offset) if offset else now

    def timestamp(self) -> float:
        """The emulated current time as POSIX seconds."""
        return self.now().timestamp()

    def advance(self, seconds: float) -> datetime:
        """Move the emulated time forward by ``seconds`` (may be fractional) and return it."""
        if seconds < 0:
            raise ValueError("the emulated clock only moves forward")
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += seconds
        return self.now()

    def freeze(self, at: Optional[datetime] = None) -> datetime:
        """Stop the clock at ``at`` (default: now); ``advance`` still moves it."""
        instant = at if at is not None else self.now()
        if instant.tzinfo is None:
            raise ValueError("freeze() needs a timezone-aware datetime")
        with self._lock:
            self._frozen = instant.astimezone(timezone.utc)
        return instant

    def unfreeze(self) -> None:
        """Let the clock run again from where it was frozen."""
        with self._lock:
            if self._frozen is None:
                return
            self._offset = (self._frozen - datetime.now(timezone.utc)).total_seconds()
            self._frozen = None

    @property
    def offset(self) -> float:
        """Seconds between the emulated time and the real time."""
        return (self.now() - datetime.now(timezone.utc)).total_seconds()

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._offset = 0.0
            self._frozen = None
