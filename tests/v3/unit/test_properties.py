"""Property-based tests of the v3 readers: whatever a v3 answer holds, the SDK returns a
result or raises a ``SmartcarException``; never a ``KeyError``, ``TypeError``,
``AttributeError``, ``ValueError``..."""

from __future__ import annotations

import contextlib
import os
from typing import Any, Dict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

import smartcar
from smartcar.api import ApiResponse
from smartcar.v3 import _commands, _parse, _resources, _seed_reads, parse_signal
from smartcar.v3._app_token import token_from_answer

SETTINGS = settings(
    max_examples=int(os.environ.get("SMARTCAR_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["SUCCESS", "ERROR", "UNAVAILABLE", "2024-01-01T00:00:00Z", "km", "psi"]),
)
keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "data", "attributes", "meta", "links", "next", "id", "code", "body", "status",
            "value", "error", "unit", "values", "row", "column", "tirePressure", "latitude",
            "longitude", "capacity", "retrievedAt", "oemUpdatedAt", "totalCount", "pageSize",
            "page", "pageNumber", "relationships", "user", "vehicle", "errors", "type",
            "commandType", "parameters", "executedAt", "durationInSeconds", "access_token",
            "token_type", "expires_in",
        ]
    ),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=30,
)


SIGNAL_CODES = sorted({code for read in _seed_reads.SEED_READS.values() for code in read.codes})


def answer(body: Any, status: int = 200) -> ApiResponse:
    return ApiResponse(status, CaseInsensitiveDict(), body, "req-1")


@SETTINGS
@given(json_values)
def test_parse_signal_returns_or_raises_smartcar_exception(value: Any) -> None:
    try:
        signal = parse_signal(value)
    except smartcar.SmartcarException:
        return
    assert isinstance(signal.code, str) and signal.code
    assert isinstance(signal.status, str)


@SETTINGS
@given(json_values)
def test_parse_time_returns_or_raises_value_error(value: Any) -> None:
    try:
        parsed = _parse.parse_time(value)
    except ValueError:
        return
    assert parsed is None or parsed.tzinfo is not None


@SETTINGS
@given(json_values)
def test_page_info_reads_any_object(value: Any) -> None:
    info = _parse.page_info(value if isinstance(value, dict) else {"meta": value})
    for number in (info.number, info.size, info.total):
        assert number is None or (isinstance(number, int) and not isinstance(number, bool))
    assert info.has_next in (None, True, False)


@SETTINGS
@given(json_values)
def test_resource_readers_return_or_raise_smartcar_exception(value: Any) -> None:
    response = answer(value)
    for kind, build in (
        ("vehicle", _resources.vehicle_info_from),
        ("connection", _resources.connection_from),
        ("webhook", _resources.webhook_from),
        ("subscription", _resources.subscription_from),
    ):
        results = []
        with contextlib.suppress(smartcar.SmartcarException):
            results.append(_resources.converted(response, _resources.one(response, kind), build))
        with contextlib.suppress(smartcar.SmartcarException):
            for entry in _resources.many(response, kind):
                results.append(_resources.converted(response, entry, build))
        for result in results:
            assert isinstance(result["id"], str) and result["id"]
            assert result.request_id == "req-1"


@SETTINGS
@given(json_values, st.sampled_from([200, 202]))
def test_command_result_returns_or_raises_smartcar_exception(value: Any, status: int) -> None:
    try:
        execution = _commands.command_result(answer(value, status))
    except smartcar.SmartcarException:
        return
    assert execution["status"] == "SUCCESS"


@SETTINGS
@given(json_values)
def test_token_answer_returns_or_raises_smartcar_exception(value: Any) -> None:
    try:
        token = token_from_answer(answer(value), 1_800_000_000.0)
    except smartcar.SmartcarException:
        return
    assert token.access_token and token.renew_at < token.expires_at


@SETTINGS
@given(st.dictionaries(st.sampled_from(SIGNAL_CODES), json_values, max_size=4))
def test_seed_reads_from_any_signals_return_or_raise_smartcar_exception(
    raw: Dict[str, Any],
) -> None:
    signals = {}
    for code, value in raw.items():
        try:
            signals[code] = parse_signal(
                {"code": code, **(value if isinstance(value, dict) else {})}
            )
        except smartcar.SmartcarException:
            continue
    for name in _seed_reads.SEED_READS:
        for unit_system in ("metric", "imperial"):
            try:
                result = _seed_reads.build(name, signals, unit_system, None)
            except smartcar.SmartcarException:
                continue
            assert isinstance(result["data"], dict)
            assert result.get("unit_system", unit_system) == unit_system
