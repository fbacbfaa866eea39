"""Waiting for a token store's lease on a key: the one polling loop of the per-user token
manager (a refresh) and of the v3 application token (a fetch).

The caller wants to do some work under the lease, unless another process does it first: while
the lease is taken, the store is polled (jittered, doubling pauses) for the other process's
result.
"""

from __future__ import annotations

import os
import random
import time
from typing import TYPE_CHECKING, Callable, Optional, Tuple, TypeVar

from .exceptions import TokenStoreException

if TYPE_CHECKING:
    from .tokens.store import TokenStore

__all__ = ["wait_for_lease"]

T = TypeVar("T")

POLL_FIRST = 0.005
POLL_MAX = 0.1


def wait_for_lease(
    store: TokenStore,
    key: str,
    *,
    lease_seconds: float,
    wait_seconds: float,
    find: Callable[[], Optional[T]],
    waited_for: str,
) -> Tuple[Optional[T], str]:
    """Take the lease on ``key``, or find what another process did meanwhile.

    Returns:
        ``(found, owner)``: ``found`` is what ``find()`` gave while the lease was taken
        elsewhere (the lease is not held), or ``None`` when the lease is held under ``owner``
        (the caller releases it).

    Raises:
        TokenStoreException: the store failed, or the lease stayed taken for
            ``wait_seconds`` (the message says it was waiting for ``waited_for``).
    """
    owner = os.urandom(16).hex()
    deadline = time.monotonic() + wait_seconds
    pause = POLL_FIRST
    while not store.acquire(key, owner, lease_seconds):
        if time.monotonic() >= deadline:
            raise TokenStoreException(f"timed out after {wait_seconds:g}s waiting for {waited_for}")
        time.sleep(random.uniform(pause / 2, pause))
        pause = min(POLL_MAX, pause * 2)
        found = find()
        if found is not None:
            return found, owner
    return None, owner
