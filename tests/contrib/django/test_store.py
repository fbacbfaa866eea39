"""``DjangoTokenStore``: the TokenStore and CallMeter contract suites of the other stores
(tests/tokens/integration/test_tokens_stores.py, test_tokens_meter.py), run on SQLite and
PostgreSQL; and what is the Django store's own."""

from __future__ import annotations

import inspect
import time
from typing import Any, Callable, Dict

import pytest
import test_tokens_meter
import test_tokens_stores
from test_tokens_store_outage import (
    AfterTheAnswer,
    _another_worker_refreshes,
    _stored,
    _successful_refreshes,
)
from test_tokens_stores import fake_client
from token_harness import App, connect_and_save

import smartcar
from smartcar import TokenStoreException
from smartcar.contrib.django.store import DjangoTokenStore
from smartcar.tokens import TokenManager, TokenStore
from smartcar.tokens.meter import CallMeter

from .conftest import database_settings
from .workers import run_together

__all__ = ["fake_client"]


def _contract(module: Any) -> Dict[str, Callable[..., Any]]:
    """The tests of ``module`` that take ``any_store``: the contract every store meets."""
    return {
        name: test
        for name, test in vars(module).items()
        if name.startswith("test_")
        and callable(test)
        and "any_store" in inspect.signature(test).parameters
    }


STORE_CONTRACT = _contract(test_tokens_stores)
METER_CONTRACT = _contract(test_tokens_meter)
globals().update(STORE_CONTRACT)
globals().update(METER_CONTRACT)


@pytest.fixture
def any_store(alias: str) -> DjangoTokenStore:
    """The contract suites' store: here, the Django store on this run's database."""
    return DjangoTokenStore(using=alias)


def test_the_contract_suites_are_here() -> None:
    assert {"test_load_save_delete", "test_replace_is_compare_and_set"} <= set(STORE_CONTRACT)
    assert "test_calls_are_counted_per_vehicle_and_month" in METER_CONTRACT


def test_is_a_token_store_and_a_call_meter(any_store: DjangoTokenStore) -> None:
    assert isinstance(any_store, TokenStore)
    assert isinstance(any_store, CallMeter)
    assert repr(any_store) == f"DjangoTokenStore(using={any_store.using!r})"
    assert any_store.location == DjangoTokenStore(using=any_store.using).location


def test_rows_are_in_the_orm_tables(any_store: DjangoTokenStore) -> None:
    from smartcar.contrib.django.models import CallCount, Token, TokenLock

    any_store.save("k", "v")
    assert any_store.acquire("k", "me", ttl=5)
    any_store.add_call("veh", "2026-03")
    assert list(Token.objects.values_list("key", "record")) == [("k", "v")]
    lock = TokenLock.objects.get()
    assert lock.owner == "me" and time.time() < lock.expires_at <= time.time() + 5
    assert CallCount.objects.get().calls == 1


def test_old_months_are_purged_when_a_newer_one_is_counted(any_store: DjangoTokenStore) -> None:
    from smartcar.contrib.django.models import CallCount

    any_store.add_call("veh", "2026-01")
    any_store.add_call("veh", "2026-02")
    DjangoTokenStore(using=any_store.using).add_call("veh", "2026-03")
    assert sorted(CallCount.objects.values_list("month", flat=True)) == ["2026-02", "2026-03"]


def test_unknown_alias_is_a_token_store_exception(alias: str) -> None:
    store = DjangoTokenStore(using="nowhere")
    with pytest.raises(TokenStoreException, match="database 'nowhere'"):
        store.load("k")


def test_using_must_be_an_alias() -> None:
    with pytest.raises(ValueError, match="database alias"):
        DjangoTokenStore(using="")


def test_a_missing_table_is_a_token_store_exception(alias: str) -> None:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute("DROP TABLE smartcar_token")
    try:
        store = DjangoTokenStore(using=alias)
        for operation in (
            lambda: store.load("k"),
            lambda: store.save("k", "v"),
            lambda: store.replace("k", "v", "w"),
        ):
            with pytest.raises(TokenStoreException, match=r"Django token store .* failed"):
                operation()
    finally:
        with connections[alias].schema_editor() as editor:
            from smartcar.contrib.django.models import Token

            editor.create_model(Token)


# Against the emulator -------------------------------------------------------------------------

KEY = "driver"
EXPIRE = 2 * 60 * 60 + 1  # past the emulator's access token lifetime


def test_8_processes_share_one_app_token(alias: str, emu: Any) -> None:
    """One token request for all workers: 8 processes ask for the v3 app token at once."""
    emu.faults.add("/oauth2/token", method="POST", latency=0.3, count=1)
    before = emu.v3.token_requests
    job = {
        "databases": {alias: database_settings(alias), "default": database_settings(alias)},
        "urls": emu.urls(),
        "alias": alias,
        "client_id": emu.client_id,
        "client_secret": emu.client_secret,
    }
    results = run_together("app_token", job, processes=8)
    assert [error for _, _, error in results] == [None] * 8
    assert len({pid for pid, _, _ in results}) == 8
    tokens = {token for _, token, _ in results}
    assert len(tokens) == 1 and None not in tokens
    assert emu.v3.token_requests - before == 1


class TableAway:
    """Renames a table of the store away (its writes fail) until restored."""

    def __init__(self, alias: str, table: str) -> None:
        self.alias = alias
        self.table = table

    def _rename(self, old: str, new: str) -> None:
        from django.db import connections

        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"ALTER TABLE {old} RENAME TO {new}")

    def take(self) -> None:
        self._rename(self.table, f"{self.table}_away")

    def restore(self) -> None:
        self._rename(f"{self.table}_away", self.table)


def test_a_refresh_whose_store_write_fails_keeps_the_rotated_token(alias: str, emu: Any) -> None:
    store = DjangoTokenStore(alias)
    table = TableAway(alias, "smartcar_token")
    client = AfterTheAnswer(App.of(emu).client(), then=table.take)
    manager = TokenManager(client, store, lock_timeout=5, clock=emu.clock.now)
    first = connect_and_save(emu, manager, KEY)
    emu.clock.advance(EXPIRE)
    try:
        token = manager.access_token(KEY)  # the answer arrived, then the table went away
        assert smartcar.get_user_id(token) == emu.user_id()
        assert manager.access_token(KEY) == token  # the store still fails: the held pair
        assert manager.flush() == [KEY]
    finally:
        table.restore()
    assert _stored(store)["refresh_token"] == first["refresh_token"]  # type: ignore[index]

    assert manager.access_token(KEY) == token  # this call writes the held pair
    assert manager.flush() == []
    stored = _stored(store)
    assert stored is not None and stored["access_token"] == token
    assert stored["refresh_token"] != first["refresh_token"]
    assert store.acquire(KEY, "probe", ttl=1)  # the refresh lock is free again
    store.release(KEY, "probe")
    assert _successful_refreshes(emu) == 1

    _another_worker_refreshes(emu, store)  # from the stored, rotated refresh token
    assert _successful_refreshes(emu) == 2
