"""What importing ``smartcar.tokens`` costs: the store protocol alone loads no driver."""

from __future__ import annotations

from typing import Any

import pytest

import smartcar.tokens

_HEAVY = ["sqlite3", "redis", "smartcar.tokens.manager", "smartcar.tokens.sqlite"]


def test_the_store_protocol_loads_neither_the_manager_nor_a_driver(loaded_after: Any) -> None:
    loaded = loaded_after("from smartcar.tokens.store import TokenStore", _HEAVY)
    assert loaded == dict.fromkeys(_HEAVY, False)


def test_names_load_on_first_use(loaded_after: Any) -> None:
    loaded = loaded_after("from smartcar.tokens import MemoryStore, TokenManager", _HEAVY)
    assert loaded == {
        "sqlite3": False,
        "redis": False,
        "smartcar.tokens.manager": True,
        "smartcar.tokens.sqlite": False,
    }


def test_every_public_name_is_there() -> None:
    for name in smartcar.tokens.__all__:
        assert getattr(smartcar.tokens, name).__name__ == name
    assert set(smartcar.tokens.__all__) <= set(dir(smartcar.tokens))
    with pytest.raises(AttributeError, match="NoSuchStore"):
        smartcar.tokens.NoSuchStore  # type: ignore[attr-defined]  # noqa: B018
