"""``DjangoSeenSet`` on SQLite and PostgreSQL: the SeenSet protocol with marks, expiry, any
str as an id, storage failures as SeenSetError, and one delivery received by 4 worker
processes at once handed over once."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest
from webhooks.test_seen import FakeClock, clock

from smartcar.contrib.django.seen import DjangoSeenSet, digest
from smartcar.webhooks import SeenSet, SeenSetError

from .conftest import MANAGEMENT_TOKEN, database_settings
from .test_views import state_body

__all__ = ["clock"]
from .workers import run_together


@pytest.fixture
def seen(alias: str, clock: FakeClock) -> Iterator[DjangoSeenSet]:
    yield DjangoSeenSet(alias, ttl=60, clock=clock)


def test_is_a_seen_set(seen: DjangoSeenSet) -> None:
    assert isinstance(seen, SeenSet)
    assert repr(seen) == f"DjangoSeenSet(using={seen.using!r}, ttl=60.0)"


def test_an_id_is_handed_over_once(seen: DjangoSeenSet) -> None:
    assert seen.add("e1") is True
    assert seen.add("e1") is False
    assert seen.add("e2") is True
    assert DjangoSeenSet(seen.using).add("e1") is False  # shared by every instance


def test_ids_expire_after_the_ttl(seen: DjangoSeenSet, clock: FakeClock) -> None:
    assert seen.add("e1")
    clock.now += 59.9
    assert not seen.add("e1")
    clock.now += 0.2
    assert seen.add("e1")
    assert not seen.add("e1")


def test_discard_forgets(seen: DjangoSeenSet) -> None:
    assert seen.add("e1")
    seen.discard("e1")
    seen.discard("never-seen")
    assert seen.add("e1")


def test_the_same_mark_is_the_callers_own_earlier_attempt(seen: DjangoSeenSet) -> None:
    assert seen.add("e1", "attempt-a") is True
    assert seen.add("e1", "attempt-a") is True  # its reply was lost: the same caller again
    assert seen.add("e1", "attempt-b") is False
    assert seen.add("e1") is False  # no mark never matches
    assert seen.add("e2") is True
    assert seen.add("e2", "") is False


def test_an_expired_id_takes_the_new_mark(seen: DjangoSeenSet, clock: FakeClock) -> None:
    assert seen.add("e1", "a")
    clock.now += 61
    assert seen.add("e1", "b")
    assert not seen.add("e1", "a")
    assert seen.add("e1", "b")


@pytest.mark.parametrize(
    "event_id", ["\ud800", "x\udfff", "é✓🚗", "a" * 10_000, "nul\x00byte", "'; DROP TABLE x; --"]
)
def test_any_str_is_an_id(seen: DjangoSeenSet, event_id: str) -> None:
    assert seen.add(event_id, "\udc80mark")
    assert seen.add(event_id, "\udc80mark")
    assert not seen.add(event_id)
    seen.discard(event_id)
    assert seen.add(event_id)


def test_rows_hold_the_digest(seen: DjangoSeenSet, clock: FakeClock) -> None:
    from smartcar.contrib.django.models import SeenEvent

    seen.add("evt-1", "m")
    row = SeenEvent.objects.get()
    assert row.digest == digest("evt-1") and row.mark == digest("m")
    assert row.expires_at == clock.now + 60


def test_expired_rows_are_swept(seen: DjangoSeenSet, clock: FakeClock) -> None:
    from smartcar.contrib.django.models import SeenEvent

    for number in range(5):
        seen.add(f"old-{number}")
    clock.now += 120
    seen._adds = 999  # the next add is the 1000th
    seen.add("new")
    assert list(SeenEvent.objects.values_list("digest", flat=True)) == [digest("new")]


@pytest.mark.parametrize("bad", ["", None, 3, b"e1"])
def test_event_id_must_be_a_non_empty_string(seen: DjangoSeenSet, bad: Any) -> None:
    with pytest.raises(ValueError, match="event_id"):
        seen.add(bad)
    with pytest.raises(ValueError, match="event_id"):
        seen.discard(bad)


def test_mark_must_be_a_str(seen: DjangoSeenSet) -> None:
    with pytest.raises(ValueError, match="mark"):
        seen.add("e1", 7)  # type: ignore[arg-type]


@pytest.mark.parametrize("ttl", [0, -1, float("inf"), True])
def test_ttl_must_be_positive(ttl: Any) -> None:
    with pytest.raises(ValueError, match="ttl"):
        DjangoSeenSet(ttl=ttl)


def test_storage_failures_are_seen_set_errors(alias: str) -> None:
    from django.db import connections

    from smartcar.contrib.django.models import SeenEvent

    with connections[alias].cursor() as cursor:
        cursor.execute("DROP TABLE smartcar_seen_event")
    try:
        seen = DjangoSeenSet(alias)
        with pytest.raises(SeenSetError, match=r"Django seen-set \(database .*\): add failed"):
            seen.add("e1")
        with pytest.raises(SeenSetError, match="discard failed"):
            seen.discard("e1")
    finally:
        with connections[alias].schema_editor() as editor:
            editor.create_model(SeenEvent)
    with pytest.raises(SeenSetError, match="no such database"):
        DjangoSeenSet("nowhere").add("e1")


def _delivery_job(alias: str) -> Any:
    from smartcar import const
    from smartcar.webhooks import hash_hmac

    body = state_body("evt-4-workers")
    return {
        "databases": {alias: database_settings(alias), "default": database_settings(alias)},
        "urls": {"API_URL": const.API_URL},
        "alias": alias,
        "management_token": MANAGEMENT_TOKEN,
        "headers": {"SC-Signature": hash_hmac(MANAGEMENT_TOKEN, body)},
        "body": body,
    }


def test_one_delivery_to_4_workers_at_once_is_handed_over_once(alias: str) -> None:
    results = run_together("delivery", _delivery_job(alias), processes=4)
    assert [error for _, _, error in results] == [None] * 4
    answers = sorted(json.dumps(answer[1]) for _, answer, _ in results)
    assert answers == [json.dumps({"status": "duplicate"})] * 3 + [
        json.dumps({"status": "received"})
    ]
    handed = [answer[2] for _, answer, _ in results if answer[2] is not None]
    assert handed == ["evt-4-workers"]
    assert len({pid for pid, _, _ in results}) == 4
