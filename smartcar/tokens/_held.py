"""Refreshed pairs a store refused, kept by this process until the store takes them.

They belong to the process, not to one ``TokenManager``: a manager built per request, or one
that is garbage collected, must not take the only copy of a live refresh token with it. So
they are kept per storage location (:func:`location_of`), shared by every manager of the
process that uses that storage, and written once more when the interpreter exits. A forked
child starts with none: the pairs and the locks its parent holds are the parent's to write.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Hashable, List, Optional, Tuple

__all__ = ["Held", "Holding", "holding", "holdings", "location_of"]


@dataclass(frozen=True)
class Held:
    """A refreshed pair the store has not accepted yet.

    ``stored`` is the record the first unstored refresh started from (what the store still
    holds) and ``lineage`` its refresh token, now dead; ``record`` is the newest pair.
    """

    stored: str
    lineage: str
    record: Dict[str, Any]


@dataclass
class Holding:
    """What this process holds for one storage location."""

    pairs: Dict[str, Held] = field(default_factory=dict)
    unreleased: Dict[str, str] = field(default_factory=dict)
    """key -> owner of a refresh lock the store could not release."""
    io: threading.Lock = field(default_factory=threading.Lock)
    """Taken by whoever writes or refreshes these pairs: one at a time."""
    flush: Optional[Callable[[], List[str]]] = None
    """The ``flush`` of the last manager that held a pair here (for the exit hook)."""


_holdings: Dict[Hashable, Holding] = {}
_guard = threading.Lock()


def location_of(store: Any) -> Hashable:
    """What names the storage of ``store``: its ``location`` attribute, else the object itself.

    A store's ``location`` (optional, hashable) is equal for two store objects that use the
    same data, e.g. the real path of an SQLite file.
    """
    location = getattr(store, "location", None)
    try:
        hash(location)
    except TypeError:
        location = None
    if location is None:
        return ("object", id(store))  # the Holding keeps the store alive, so ids stay unique
    return (type(store).__name__, location)


def holding(location: Hashable) -> Holding:
    """The :class:`Holding` of ``location`` (created empty)."""
    found = _holdings.get(location)
    if found is not None:
        return found
    with _guard:
        return _holdings.setdefault(location, Holding())


def holdings() -> List[Tuple[Hashable, Holding]]:
    """Every location this process holds something for, with its :class:`Holding`."""
    with _guard:
        return [(location, held) for location, held in _holdings.items() if held.pairs]


def _forget_in_child() -> None:
    global _guard
    _guard = threading.Lock()
    _holdings.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
