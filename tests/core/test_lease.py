"""``smartcar._lease.wait_for_lease``: the one polling loop for a token store's lease."""

from __future__ import annotations

from typing import List, Optional

import pytest

from smartcar._lease import wait_for_lease
from smartcar.exceptions import TokenStoreException
from smartcar.tokens import MemoryStore


def test_a_free_lease_is_taken_without_looking_for_a_result() -> None:
    store = MemoryStore()
    looked: List[int] = []

    def find() -> Optional[str]:
        looked.append(1)
        return None

    found, owner = wait_for_lease(
        store, "k", lease_seconds=30, wait_seconds=1, find=find, waited_for="x"
    )
    assert found is None and looked == []
    assert not store.acquire("k", "someone else", 30)  # held under ``owner``
    store.release("k", owner)
    assert store.acquire("k", "someone else", 30)


def test_a_result_found_while_the_lease_is_taken_ends_the_wait() -> None:
    store = MemoryStore()
    assert store.acquire("k", "other process", 30)
    answers = [None, "their token"]
    found, _ = wait_for_lease(
        store, "k", lease_seconds=30, wait_seconds=5, find=lambda: answers.pop(0), waited_for="x"
    )
    assert found == "their token"


def test_a_lease_that_stays_taken_times_out_naming_what_it_waited_for() -> None:
    store = MemoryStore()
    assert store.acquire("k", "other process", 30)
    with pytest.raises(TokenStoreException, match="waiting for the refresh of key 'k'"):
        wait_for_lease(
            store,
            "k",
            lease_seconds=30,
            wait_seconds=0.05,
            find=lambda: None,
            waited_for="the refresh of key 'k'",
        )
