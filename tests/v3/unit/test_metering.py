"""What each call costs (smartcar.v3._metering): calls counted per vehicle and month, the local
``monthly_limit``, a 430 that makes a vehicle spent until the month ends, and the app-wide
pause after a 429 ``SMARTCAR_API`` (per-vehicle 429s stay per vehicle). Exact requests are
asserted on a strict ``responses`` mock."""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest
import responses

from smartcar import const
from smartcar.exceptions import (
    MonthlyLimitExceeded,
    RateLimitingException,
    ServerException,
    TokenStoreException,
)
from smartcar.tokens import MemoryStore
from smartcar.v3 import Client
from smartcar.v3._metering import vehicle_of

from .conftest import Clock
from .support import (
    CLIENT_ID,
    CLIENT_SECRET,
    USER_ID,
    VEHICLES,
    calls_to,
    command_body,
    signal,
    signal_list,
    v3_error,
)

OTHER_ID = "7d0c3e8b-0000-4000-8000-000000000002"
SPENT_ID = "7d0c3e8b-0000-4000-8000-000000000003"
BODY = signal_list([signal("odometer-traveleddistance", {"value": 12.5, "unit": "km"})])
DAYS = 86400.0
LOCKED = command_body("LOCK")


def signals_url(vehicle_id: str) -> str:
    return f"{VEHICLES}/vehicles/{vehicle_id}/signals"


def ok(mocked: responses.RequestsMock, vehicle_id: str) -> None:
    mocked.get(signals_url(vehicle_id), json=BODY)


def error(
    mocked: responses.RequestsMock,
    vehicle_id: str,
    status: int,
    error_type: str,
    code: str,
    retry_after: Optional[str] = None,
) -> None:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    body = v3_error(status, error_type, code, "refused")
    mocked.get(signals_url(vehicle_id), json=body, status=status, headers=headers)


def new_client(**kwargs: Any) -> Client:
    return Client(CLIENT_ID, CLIENT_SECRET, **kwargs)


@pytest.fixture(autouse=True)
def _token(token_requests: List[str]) -> None:
    """Every test gets application tokens from the mocked token endpoint."""


# Counting -------------------------------------------------------------------------------------


def test_every_vehicle_call_is_counted_for_its_vehicle(
    client: Client, mocked: responses.RequestsMock
) -> None:
    ok(mocked, "vehicle-a")
    mocked.get(f"{VEHICLES}/vehicles/vehicle-a", json={"id": "vehicle-a", "type": "vehicle"})
    mocked.get(f"{VEHICLES}/connections", json={"data": [], "meta": {"totalCount": 0}})
    vehicle = client.vehicle("vehicle-a", USER_ID)
    assert vehicle.calls_this_month() == 0
    vehicle.signals()
    vehicle.snapshot().odometer()
    vehicle.info()
    list(client.connections())  # not a vehicle's call: not counted
    assert client.calls_this_month("vehicle-a") == 3
    assert vehicle.calls_this_month() == 3
    assert client.calls_this_month("vehicle-b") == 0


def test_each_attempt_that_reached_the_service_counts(
    mocked: responses.RequestsMock,
) -> None:
    client = new_client()
    mocked.get(signals_url("vehicle-a"), status=503, json={})
    ok(mocked, "vehicle-a")
    client.vehicle("vehicle-a", USER_ID).signals()
    assert len(calls_to(mocked, signals_url("vehicle-a"))) == 2
    assert client.calls_this_month("vehicle-a") == 2


def test_counts_start_again_each_calendar_month(
    mocked: responses.RequestsMock, clock: Clock
) -> None:
    client = new_client()
    ok(mocked, "vehicle-a")
    vehicle = client.vehicle("vehicle-a", USER_ID)
    vehicle.signals()
    assert vehicle.calls_this_month() == 1
    clock.advance(31 * DAYS)  # the conftest clock starts mid-January 2027
    assert vehicle.calls_this_month() == 0
    vehicle.signals()
    assert vehicle.calls_this_month() == 1


def test_the_vehicle_billed_is_the_one_the_url_names() -> None:
    assert vehicle_of(f"{const.VEHICLE_API_V3_URL}/vehicles/a%2Fb/signals/x") == "a/b"
    assert vehicle_of(f"{const.VEHICLE_API_V3_URL}/vehicles/v1") == "v1"
    assert vehicle_of(f"{const.VEHICLE_API_V3_URL}/vehicles/v1?page=2") == "v1"
    assert vehicle_of(f"{const.VEHICLE_API_V3_URL}/connections") is None
    assert vehicle_of(f"{const.MANAGEMENT_API_V3_URL}/vehicles/v1") is None


def test_workers_sharing_a_store_share_the_count(mocked: responses.RequestsMock) -> None:
    store = MemoryStore()
    first, second = new_client(token_store=store), new_client(token_store=store)
    ok(mocked, "vehicle-a")
    first.vehicle("vehicle-a", USER_ID).signals()
    second.vehicle("vehicle-a", USER_ID).signals()
    assert first.calls_this_month("vehicle-a") == 2
    assert store.calls("vehicle-a", "2027-01") == 2


# The client's own monthly limit ---------------------------------------------------------------


def test_a_vehicle_at_its_monthly_limit_raises_locally(
    mocked: responses.RequestsMock, clock: Clock
) -> None:
    client = new_client(monthly_limit=2)
    ok(mocked, "vehicle-a")
    ok(mocked, OTHER_ID)
    vehicle = client.vehicle("vehicle-a", USER_ID)
    vehicle.signals()
    vehicle.signals()
    with pytest.raises(MonthlyLimitExceeded) as raised:
        vehicle.signals()
    assert raised.value.error == "monthly_limit_reached"
    assert raised.value.status_code is None
    assert raised.value.code == "VEHICLE_REQUEST_LIMIT"
    assert "monthly_limit=2" in str(raised.value)
    assert "2027-02-01 00:00 UTC" in str(raised.value)
    assert len(calls_to(mocked, signals_url("vehicle-a"))) == 2
    assert vehicle.calls_this_month() == 2
    client.vehicle(OTHER_ID, USER_ID).signals()  # other vehicles keep their own budget
    clock.advance(31 * DAYS)
    vehicle.signals()  # a new month, a new budget
    assert len(calls_to(mocked, signals_url("vehicle-a"))) == 3


@pytest.mark.parametrize("bad", [0, -1, 2.5, "500", True])
def test_monthly_limit_must_be_a_positive_integer(bad: Any) -> None:
    with pytest.raises(ValueError, match="monthly_limit must be a positive integer"):
        new_client(monthly_limit=bad)


# A 430 from the service -----------------------------------------------------------------------


def test_a_430_marks_the_vehicle_spent_until_the_month_ends(
    mocked: responses.RequestsMock, clock: Clock
) -> None:
    client = new_client()
    error(mocked, SPENT_ID, 430, "BILLING", "VEHICLE_REQUEST_LIMIT")
    ok(mocked, OTHER_ID)
    vehicle = client.vehicle(SPENT_ID, USER_ID)
    with pytest.raises(MonthlyLimitExceeded) as first:
        vehicle.signals()
    assert first.value.status_code == 430
    with pytest.raises(MonthlyLimitExceeded) as later:
        vehicle.odometer()
    assert later.value.error == "vehicle_spent"
    assert later.value.status_code is None
    assert "2027-02-01 00:00 UTC" in str(later.value)
    assert len(calls_to(mocked, signals_url(SPENT_ID))) == 1
    assert vehicle.calls_this_month() == 0  # the refused call was not served
    client.vehicle(OTHER_ID, USER_ID).signals()
    clock.advance(31 * DAYS)
    mocked.replace(responses.GET, signals_url(SPENT_ID), json=BODY)
    vehicle.signals()
    assert len(calls_to(mocked, signals_url(SPENT_ID))) == 2


@pytest.mark.parametrize("code", ["ACCOUNT_SUSPENDED", "INVALID_PLAN", "VEHICLE_LIMIT"])
def test_an_account_wide_430_does_not_mark_the_vehicle(
    mocked: responses.RequestsMock, code: str
) -> None:
    client = new_client()
    error(mocked, SPENT_ID, 430, "BILLING", code)
    vehicle = client.vehicle(SPENT_ID, USER_ID)
    for _ in range(2):
        with pytest.raises(MonthlyLimitExceeded) as raised:
            vehicle.signals()
        assert raised.value.status_code == 430
    assert len(calls_to(mocked, signals_url(SPENT_ID))) == 2


def test_a_430_seen_by_one_worker_stops_the_others(mocked: responses.RequestsMock) -> None:
    store = MemoryStore()
    first, second = new_client(token_store=store), new_client(token_store=store)
    error(mocked, SPENT_ID, 430, "BILLING", "VEHICLE_REQUEST_LIMIT")
    with pytest.raises(MonthlyLimitExceeded):
        first.vehicle(SPENT_ID, USER_ID).signals()
    with pytest.raises(MonthlyLimitExceeded, match="used up its monthly allowance"):
        second.vehicle(SPENT_ID, USER_ID).signals()
    assert len(calls_to(mocked, signals_url(SPENT_ID))) == 1


# The app-wide pause ---------------------------------------------------------------------------


def arrivals(mocked: responses.RequestsMock, vehicle_id: str) -> List[float]:
    """Record the time each request for ``vehicle_id`` arrives; answer it with signals."""
    times: List[float] = []

    def answer(request: Any) -> Tuple[int, Dict[str, str], str]:
        times.append(time.time())
        return 200, {"Content-Type": "application/json"}, json.dumps(BODY)

    mocked.add_callback(responses.GET, signals_url(vehicle_id), callback=answer)
    return times


def test_an_app_wide_429_pauses_every_request_of_the_client(
    mocked: responses.RequestsMock,
) -> None:
    client = new_client(max_retries=0)
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "SMARTCAR_API", retry_after="0.5")
    other = arrivals(mocked, OTHER_ID)
    refused_at = time.time()
    with pytest.raises(RateLimitingException):
        client.vehicle("vehicle-a", USER_ID).signals()
    client.vehicle(OTHER_ID, USER_ID).signals()
    assert len(other) == 1
    assert other[0] - refused_at >= 0.5
    assert client.calls_this_month("vehicle-a") == 0  # a refused call is not counted


def test_an_app_wide_429_without_retry_after_pauses_for_the_backoff(
    mocked: responses.RequestsMock,
) -> None:
    from .conftest import FAST_POLICY

    client = new_client()
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "SMARTCAR_API")
    ok(mocked, "vehicle-a")
    client.vehicle("vehicle-a", USER_ID).signals()  # retried once the pause is over
    assert len(calls_to(mocked, signals_url("vehicle-a"))) == 2
    paused_until = client._metering.paused_until()
    assert paused_until == pytest.approx(time.time() + FAST_POLICY.backoff_ceiling(1), abs=0.5)


def test_a_pause_longer_than_the_cap_raises_at_once_without_a_request(
    mocked: responses.RequestsMock,
) -> None:
    client = new_client()
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "SMARTCAR_API", retry_after="30")
    ok(mocked, OTHER_ID)
    with pytest.raises(RateLimitingException) as first:
        client.vehicle("vehicle-a", USER_ID).signals()
    assert first.value.status_code == 429
    with pytest.raises(RateLimitingException) as later:
        client.vehicle(OTHER_ID, USER_ID).signals()
    assert later.value.error == "app_paused"
    assert later.value.code == "SMARTCAR_API"
    assert 29 < (later.value.retry_after or 0) <= 30
    assert calls_to(mocked, signals_url(OTHER_ID)) == []


def test_a_pause_reaches_every_worker_sharing_the_store(mocked: responses.RequestsMock) -> None:
    store = MemoryStore()
    first, second = new_client(token_store=store), new_client(token_store=store)
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "SMARTCAR_API", retry_after="30")
    with pytest.raises(RateLimitingException):
        first.vehicle("vehicle-a", USER_ID).signals()
    with pytest.raises(RateLimitingException, match="paused"):
        second.connections().__next__()  # management calls wait too
    assert len(mocked.calls) == 2  # the token and the one 429


def test_a_vehicle_429_pauses_only_that_vehicle(mocked: responses.RequestsMock) -> None:
    client = new_client()
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "VEHICLE", retry_after="30")
    other = arrivals(mocked, OTHER_ID)
    with pytest.raises(RateLimitingException):
        client.vehicle("vehicle-a", USER_ID).signals()
    started = time.time()
    client.vehicle(OTHER_ID, USER_ID).signals()
    assert len(other) == 1
    assert other[0] - started < 0.5
    assert client._metering.paused_until() == 0.0


def test_requests_waiting_out_a_pause_all_go_after_it(mocked: responses.RequestsMock) -> None:
    client = new_client(max_retries=0)
    error(mocked, "vehicle-a", 429, "RATE_LIMIT", "SMARTCAR_API", retry_after="0.6")
    other = arrivals(mocked, OTHER_ID)
    refused_at = time.time()
    with pytest.raises(RateLimitingException):
        client.vehicle("vehicle-a", USER_ID).signals()
    threads = [
        threading.Thread(target=client.vehicle(OTHER_ID, USER_ID).signals) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(other) == 8
    assert min(other) - refused_at >= 0.6


# The store ------------------------------------------------------------------------------------


class BrokenMeter(MemoryStore):
    def is_spent(self, vehicle_id: str, month: str) -> bool:
        raise TokenStoreException("the meter's store is down")


def test_a_failing_store_fails_the_call_before_a_request(mocked: responses.RequestsMock) -> None:
    client = new_client(token_store=BrokenMeter())
    ok(mocked, "vehicle-a")
    with pytest.raises(TokenStoreException, match="down"):
        client.vehicle("vehicle-a", USER_ID).signals()
    assert calls_to(mocked, signals_url("vehicle-a")) == []


class CountingFails(MemoryStore):
    def add_call(self, vehicle_id: str, month: str) -> int:
        raise TokenStoreException("the meter's store went away")


def test_a_store_failing_after_the_call_never_hides_its_answer(
    mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    client = new_client(token_store=CountingFails())
    mocked.post(f"{VEHICLES}/vehicles/vehicle-a/commands/security/lock", json=LOCKED)
    caplog.set_level("WARNING", logger="smartcar")
    assert client.vehicle("vehicle-a", USER_ID).lock()["status"] == "SUCCESS"
    assert len(calls_to(mocked, f"{VEHICLES}/vehicles/vehicle-a/commands")) == 1
    assert "could not record an attempt: the meter's store went away" in caplog.text


def test_a_token_store_that_is_no_meter_gets_a_meter_of_the_clients_own(
    mocked: responses.RequestsMock,
) -> None:
    class RecordsOnly:
        def __init__(self) -> None:
            self.inner = MemoryStore()

        def __getattr__(self, name: str) -> Any:
            if name in ("load", "save", "replace", "delete", "acquire", "release"):
                return getattr(self.inner, name)
            raise AttributeError(name)

    client = new_client(token_store=RecordsOnly())
    ok(mocked, "vehicle-a")
    client.vehicle("vehicle-a", USER_ID).signals()
    assert client.calls_this_month("vehicle-a") == 1


def test_a_gateway_error_is_still_counted_and_raised(mocked: responses.RequestsMock) -> None:
    client = new_client(max_retries=0)
    mocked.get(signals_url("vehicle-a"), status=500, json=v3_error(500, "SERVER", "INTERNAL", "x"))
    with pytest.raises(ServerException):
        client.vehicle("vehicle-a", USER_ID).signals()
    assert client.calls_this_month("vehicle-a") == 1
