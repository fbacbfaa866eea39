"""The emulator's controllable clock."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Optional

from smartcar.emulator import bounds

_LAST_YEAR = 9000  # datetime ends at 9999; time stays writable with room to spare


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
        """Move the emulated time forward by ``seconds`` (may be fractional) and return it.

        Raises:
            TypeError: ``seconds`` is not a number.
            ValueError: it is negative, not finite, more than a century, or would move the
                clock past the year 9000 (the clock is then unchanged).
        """
        step = bounds.number(seconds, "seconds", 0.0, bounds.MAX_CLOCK_ADVANCE)
        with self._lock:
            frozen = self._frozen
            if frozen is not None:
                moved = frozen + timedelta(seconds=step)
            else:
                moved = datetime.now(timezone.utc) + timedelta(seconds=self._offset + step)
            if moved.year > _LAST_YEAR:
                raise ValueError(f"the emulated clock cannot pass the year {_LAST_YEAR}")
            if frozen is not None:
                self._frozen = moved
            else:
                self._offset += step
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
