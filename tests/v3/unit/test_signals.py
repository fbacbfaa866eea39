"""``smartcar.v3.Signal`` / ``parse_signal``: every documented signal variant."""

from __future__ import annotations

import copy
import dataclasses
import datetime
import json
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

import pytest
from hypothesis import given
from hypothesis import strategies as st

import smartcar
from smartcar._answers import ApiResponse, parse_response
from smartcar.v3 import Signal, SignalError, _signals, parse_signal
from smartcar.v3._signals import kept_signals, lazy_signals, signal_from

from .test_properties import SETTINGS, json_values

UTC = datetime.timezone.utc

REST_SIGNAL: Dict[str, Any] = {
    "id": "charge-voltage",
    "type": "signal",
    "attributes": {
        "code": "charge-voltage",
        "name": "Voltage",
        "group": "Charge",
        "status": {"value": "SUCCESS"},
        "body": {"unit": "volts", "value": 85},
    },
    "meta": {"retrievedAt": 1696156800, "oemUpdatedAt": 1696156799},
    "links": {"self": "/vehicles/vehicle123/signals/charge-voltage"},
}

WEBHOOK_SIGNAL: Dict[str, Any] = {
    "code": "tractionbattery-stateofcharge",
    "name": "StateOfCharge",
    "group": "TractionBattery",
    "body": {"value": 78, "unit": "percent"},
    "status": {"value": "SUCCESS"},
    "meta": {"oemUpdatedAt": 1790080005073, "retrievedAt": 1790080005073},
}


def test_rest_resource_unwrapped() -> None:
    signal = parse_signal(REST_SIGNAL)
    assert signal == Signal(
        code="charge-voltage",
        name="Voltage",
        group="Charge",
        value=85,
        unit="volts",
        body={"unit": "volts", "value": 85},
        status="SUCCESS",
        error=None,
        retrieved_at=datetime.datetime(2023, 10, 1, 10, 40, tzinfo=UTC),
        oem_updated_at=datetime.datetime(2023, 10, 1, 10, 39, 59, tzinfo=UTC),
    )
    assert signal.ok


def test_rest_resource_wrapped_in_data() -> None:
    assert parse_signal({"data": REST_SIGNAL}) == parse_signal(REST_SIGNAL)


def test_webhook_flat_shape_with_millisecond_times() -> None:
    signal = parse_signal(WEBHOOK_SIGNAL)
    assert (signal.code, signal.name, signal.group) == (
        "tractionbattery-stateofcharge",
        "StateOfCharge",
        "TractionBattery",
    )
    assert (signal.value, signal.unit, signal.status) == (78, "percent", "SUCCESS")
    expected = datetime.datetime(2026, 9, 22, 12, 26, 45, 73000, tzinfo=UTC)
    assert signal.retrieved_at == signal.oem_updated_at == expected


def test_live_iso_times_and_ingested_at() -> None:
    live = copy.deepcopy(REST_SIGNAL)
    live["meta"] = {
        "ingestedAt": "2026-09-22T10:00:01.500Z",
        "retrievedAt": "2026-09-22T10:00:00.000Z",
        "oemUpdatedAt": "2026-09-22T11:59:00+02:00",
    }
    signal = parse_signal(live)
    assert signal.retrieved_at == datetime.datetime(2026, 9, 22, 10, 0, tzinfo=UTC)
    assert signal.oem_updated_at == datetime.datetime(2026, 9, 22, 9, 59, tzinfo=UTC)
    assert signal.oem_updated_at is not None and signal.oem_updated_at.tzinfo == UTC


def test_code_falls_back_to_id_and_missing_meta_gives_no_times() -> None:
    bare = {"id": "odometer-traveleddistance", "attributes": {"body": {"value": 1.5}}}
    signal = parse_signal(bare)
    assert signal.code == "odometer-traveleddistance"
    assert (signal.name, signal.group, signal.unit) == (None, None, None)
    assert signal.retrieved_at is None and signal.oem_updated_at is None
    assert signal.status == "SUCCESS"


@pytest.mark.parametrize(
    "body",
    [
        {"latitude": 32.7767, "longitude": -96.797, "locationType": "LAST_PARKED"},
        {"values": [{"row": 0, "column": 0, "isOpen": False}], "rowCount": 2, "columnCount": 2},
        {"capacity": 86, "availableCapacities": [], "source": "SMARTCAR", "unit": "kWh"},
    ],
)
def test_object_bodies_kept_raw(body: Dict[str, Any]) -> None:
    signal = parse_signal({**WEBHOOK_SIGNAL, "body": body})
    assert signal.body == body
    assert signal.value is None
    assert signal.unit == body.get("unit")


@pytest.mark.parametrize("value", ["WVGAWVEB4SH018592", True, 45.5])
def test_single_values(value: Any) -> None:
    signal = parse_signal({**WEBHOOK_SIGNAL, "body": {"value": value}})
    assert signal.value == value and signal.unit is None


SPEC_ERROR = {
    "type": "COMPATIBILITY",
    "code": "VEHICLE_NOT_CAPABLE",
    "description": "The vehicle is not capable.",
    "resolution": {"type": None},
}
LIVE_ERROR = {
    "type": "VEHICLE_STATE",
    "code": "NOT_CHARGING",
    "title": "Not charging",
    "detail": "The vehicle is not charging.",
    "resolution": {"type": "UNKNOWN_RESOLUTION_TYPE"},
}
WEBHOOK_ERROR = {"code": "VEHICLE_NOT_CAPABLE", "type": "COMPATIBILITY"}


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            SPEC_ERROR,
            SignalError(
                "COMPATIBILITY",
                "VEHICLE_NOT_CAPABLE",
                detail="The vehicle is not capable.",
                resolution={"type": None},
            ),
        ),
        (
            LIVE_ERROR,
            SignalError(
                "VEHICLE_STATE",
                "NOT_CHARGING",
                title="Not charging",
                detail="The vehicle is not charging.",
                resolution={"type": "UNKNOWN_RESOLUTION_TYPE"},
            ),
        ),
        (WEBHOOK_ERROR, SignalError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")),
    ],
)
@pytest.mark.parametrize("body", ["absent", {"value": None, "unit": "percent"}])
def test_error_shapes(error: Dict[str, Any], expected: SignalError, body: Any) -> None:
    entry: Dict[str, Any] = {
        "code": "location-isathome",
        "name": "IsAtHome",
        "group": "Location",
        "status": {"value": "ERROR", "error": error},
    }
    if body != "absent":
        entry["body"] = body
    signal = parse_signal(entry)
    assert signal.status == "ERROR" and not signal.ok
    assert signal.error == expected
    assert signal.error is not None and signal.error.raw == error
    assert signal.value is None


def test_error_without_error_object() -> None:
    signal = parse_signal({"code": "x-y", "status": {"value": "ERROR"}})
    assert signal.error == SignalError(None, None)


def test_unavailable_status() -> None:
    signal = parse_signal({"code": "x-y", "status": {"value": "UNAVAILABLE"}, "body": None})
    assert (signal.status, signal.error, signal.body, signal.value) == (
        "UNAVAILABLE",
        None,
        {},
        None,
    )
    with pytest.raises(smartcar.SmartcarException, match="x-y is unavailable"):
        signal.raise_for_status()


def test_status_as_bare_string_and_missing_status() -> None:
    assert parse_signal({"code": "a-b", "status": "success", "body": {"value": 1}}).status == (
        "SUCCESS"
    )
    assert parse_signal({"code": "a-b", "body": {"value": 1}}).status == "SUCCESS"
    assert parse_signal({"code": "a-b"}).status == "UNAVAILABLE"


def test_success_does_not_raise() -> None:
    assert parse_signal(REST_SIGNAL).raise_for_status() is None


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "must be a JSON object"),
        ("signal", "must be a JSON object"),
        ({"attributes": {"name": "X"}}, "without a code"),
        ({"code": "a-b", "body": [1]}, "body that is not an object"),
        ({"code": "a-b", "status": 3}, "status that is not an object"),
        ({"code": "a-b", "meta": {"retrievedAt": "soon"}}, "bad time"),
        ({"code": "a-b", "meta": {"oemUpdatedAt": True}}, "bad time"),
        ({"code": "a-b", "meta": {"retrievedAt": 10**400}}, "bad time"),
        ({"code": "a-b", "meta": {"ingestedAt": -(10**400)}}, "bad time"),
    ],
)
def test_bad_input_raises_smartcar_exception(obj: Any, message: str) -> None:
    with pytest.raises(smartcar.SmartcarException, match=message):
        parse_signal(obj)


def test_caller_chooses_the_error_class() -> None:
    class PayloadError(smartcar.SmartcarException):
        pass

    with pytest.raises(PayloadError):
        parse_signal({"name": "x"}, error_class=PayloadError)


def test_signal_is_frozen_and_hashable_fields_compare() -> None:
    signal = parse_signal(WEBHOOK_SIGNAL)
    with pytest.raises(AttributeError):
        signal.value = 1  # type: ignore[misc]
    assert parse_signal(copy.deepcopy(WEBHOOK_SIGNAL)) == signal


@pytest.mark.parametrize("obj", [REST_SIGNAL, WEBHOOK_SIGNAL, {"code": "a-b", "status": "ERROR"}])
def test_a_parsed_signal_is_the_one_its_constructor_builds(obj: Dict[str, Any]) -> None:
    parsed = parse_signal(obj)
    fields = [field.name for field in dataclasses.fields(Signal)]
    assert list(vars(parsed)) == fields
    built = Signal(**{name: getattr(parsed, name) for name in fields})
    assert (parsed, repr(parsed), vars(parsed)) == (built, repr(built), vars(built))
    assert type(parsed) is Signal


def test_signal_error_reads_like_an_exception() -> None:
    live = parse_signal({"code": "a-b", "status": {"value": "ERROR", "error": LIVE_ERROR}}).error
    assert live is not None
    assert (live.message, live.description) == ("The vehicle is not charging.", live.detail)
    bare = parse_signal({"code": "a-b", "status": {"value": "ERROR", "error": WEBHOOK_ERROR}})
    assert bare.error is not None and bare.error.message == "COMPATIBILITY:VEHICLE_NOT_CAPABLE"
    assert SignalError(None, None).message == "Unknown signal error"
    error = bare.error.exception(request_id="r-9")
    assert isinstance(error, smartcar.VehicleNotCapableException)
    assert (error.type, error.code, error.request_id) == (
        "COMPATIBILITY",
        "VEHICLE_NOT_CAPABLE",
        "r-9",
    )


# Lazy signals (``signals()`` / ``snapshot()``) -------------------------------------------

SECRET = "tok-secret-0123456789"
FIELDS = [field.name for field in dataclasses.fields(Signal)]
LAZY_FIELDS = [name for name in FIELDS if name != "code"]
ERROR_SIGNAL: Dict[str, Any] = {
    "code": "charge-chargingcurrent",
    "status": {
        "value": "ERROR",
        "error": {**LIVE_ERROR, "detail": f"Bearer {SECRET} was refused"},
    },
    "meta": {"ingestedAt": "2026-09-22T10:00:01.500Z"},
}
SAMPLES = [
    REST_SIGNAL,
    WEBHOOK_SIGNAL,
    {"data": REST_SIGNAL},
    {"id": "odometer-traveleddistance", "attributes": {"body": {"value": 1.5}}},
    {**REST_SIGNAL, "meta": {"ingestedAt": "2026-09-22T10:00:01.500Z", "retrievedAt": 0}},
    ERROR_SIGNAL,
]
BAD_PARTS = [
    ({"code": "a-b", "body": [1]}, "body that is not an object"),
    ({"code": "a-b", "status": 3}, "status that is not an object"),
    ({"code": "a-b", "meta": {"retrievedAt": "soon"}}, "bad time"),
    ({"code": "a-b", "meta": {"ingestedAt": -(10**400)}}, "bad time"),
]


def answer(*items: Any) -> ApiResponse:
    """A 2xx ``/signals`` answer to a request whose secret is :data:`SECRET`."""
    return parse_response(
        200,
        {"Content-Type": "application/json", "sc-request-id": "req-7"},
        json.dumps({"data": list(items)}).encode(),
        secrets=[SECRET],
    )


def lazy(obj: Any) -> Signal:
    return lazy_signals(answer(obj))[0]


def eager(obj: Any) -> Signal:
    return signal_from(answer(obj), obj)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """The objects ``parse_signal`` is called with from now on."""
    seen: List[Any] = []

    def counted(obj: Any, **kwargs: Any) -> Signal:
        seen.append(obj)
        return parse_signal(obj, **kwargs)

    monkeypatch.setattr(_signals, "parse_signal", counted)
    return seen


def test_lazy_signals_read_only_codes_until_a_field_is_used(parses: List[Any]) -> None:
    signals = lazy_signals(answer(REST_SIGNAL, WEBHOOK_SIGNAL, {"data": ERROR_SIGNAL}))
    assert [s.code for s in signals] == [
        "charge-voltage",
        "tractionbattery-stateofcharge",
        "charge-chargingcurrent",
    ]
    assert parses == []
    assert signals[0].value == 85
    assert len(parses) == 1
    assert (signals[0].unit, signals[0].status, signals[0].ingested_at) == (
        "volts",
        "SUCCESS",
        None,
    )
    assert len(parses) == 1
    assert signals[2].error is not None
    assert len(parses) == 3  # a signal in error: parsed again from the redacted JSON
    assert list(vars(signals[0])) == FIELDS


@pytest.mark.parametrize("name", LAZY_FIELDS)
@pytest.mark.parametrize("obj", SAMPLES)
def test_any_field_first_fills_the_signal_as_parse_signal_would(obj: Any, name: str) -> None:
    signal = lazy(obj)
    expected = eager(obj)
    assert getattr(signal, name) == getattr(expected, name)
    assert vars(signal) == vars(expected)


def test_the_class_default_stays_and_a_missing_attribute_is_an_attribute_error() -> None:
    assert Signal.ingested_at is None
    assert (
        Signal("a-b", None, None, None, None, {}, "SUCCESS", None, None, None).ingested_at is None
    )
    assert dataclasses.fields(Signal)[-1].default is None
    signal = lazy(REST_SIGNAL)
    with pytest.raises(AttributeError, match="no attribute 'colour'"):
        signal.colour  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(parse_signal(REST_SIGNAL), "colour")
    assert "_pending" in vars(signal)  # asking for another attribute fills nothing


OPERATIONS: Dict[str, Callable[[Signal], Any]] = {
    "eq": lambda s: (s == eager_of(s), s != eager_of(s)),
    "repr": repr,
    "asdict": dataclasses.asdict,
    "astuple": dataclasses.astuple,
    "replace": lambda s: dataclasses.replace(s, code="other-code"),
    "copy": lambda s: (copy.copy(s), vars(copy.copy(s))),
    "deepcopy": lambda s: (copy.deepcopy(s), vars(copy.deepcopy(s))),
    "pickle": lambda s: (pickle.loads(pickle.dumps(s)), vars(pickle.loads(pickle.dumps(s)))),
    "ok": lambda s: s.ok,
    "value_in": lambda s: s.value_in("kW"),
}


def eager_of(signal: Signal) -> Signal:
    return eager(next(obj for obj in SAMPLES if lazy(obj).code == signal.code))


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("obj", SAMPLES)
def test_a_lazy_signal_behaves_as_the_eager_one(obj: Any, operation: str) -> None:
    run = OPERATIONS[operation]
    assert run(lazy(obj)) == run(eager(obj))


@pytest.mark.parametrize("obj", SAMPLES)
def test_hash_and_raise_for_status_as_the_eager_signal(obj: Any) -> None:
    with pytest.raises(TypeError):  # the body is a dict, as in an eager signal
        hash(eager(obj))
    with pytest.raises(TypeError):
        hash(lazy(obj))
    outcomes: List[Any] = []
    for signal in (eager(obj), lazy(obj)):
        try:
            signal.raise_for_status(request_id="r-1")
            outcomes.append(None)
        except smartcar.SmartcarException as error:
            outcomes.append((type(error), str(error)))
    assert outcomes[0] == outcomes[1]


def test_pickle_carries_the_parsed_fields_not_the_json_or_the_answer() -> None:
    data = pickle.dumps(lazy(ERROR_SIGNAL))
    for leftover in (b"_pending", b"ApiResponse", b"Redactor", b"req-7", SECRET.encode()):
        assert leftover not in data
    copied = pickle.loads(data)
    assert vars(copied) == vars(eager(ERROR_SIGNAL))
    assert list(vars(copied)) == FIELDS


def test_an_error_signal_keeps_the_requests_secrets_out() -> None:
    response = answer(ERROR_SIGNAL)
    signal = lazy_signals(response)[0]
    assert parse_signal(ERROR_SIGNAL).error is not None  # unredacted, the secret is there
    assert signal.error is not None
    assert SECRET not in json.dumps(dict(signal.error.raw)) and SECRET not in repr(signal)
    assert signal.error.detail is not None and "was refused" in signal.error.detail
    assert SECRET not in str(signal.error.exception())
    assert "_pending" not in vars(signal)  # the answer is dropped once filled


@pytest.mark.parametrize(("obj", "message"), BAD_PARTS)
def test_a_malformed_part_raises_at_first_use_and_the_others_stay_usable(
    obj: Any, message: str
) -> None:
    good, bad = lazy_signals(answer(REST_SIGNAL, obj))
    assert bad.code == "a-b"
    for _ in range(2):  # every use raises, never AttributeError/KeyError/TypeError
        with pytest.raises(smartcar.SmartcarException, match=f"a bad signal: .*{message}"):
            bad.status  # noqa: B018
    with pytest.raises(smartcar.SmartcarException, match="a bad signal"):
        repr(bad)
    with pytest.raises(smartcar.SmartcarException, match="a bad signal"):
        pickle.dumps(bad)
    assert good == eager(REST_SIGNAL)


@pytest.mark.parametrize(("obj", "message"), BAD_PARTS)
def test_kept_signals_are_built_at_once_and_a_malformed_one_stays_lazy(
    obj: Any, message: str
) -> None:
    good, bad = kept_signals(answer(REST_SIGNAL, obj))
    assert "_pending" not in vars(good)  # built: no raw JSON held
    assert vars(good) == vars(eager(REST_SIGNAL))
    assert bad.code == "a-b"
    with pytest.raises(smartcar.SmartcarException, match=f"a bad signal: .*{message}"):
        bad.status  # noqa: B018


def test_a_kept_error_signal_keeps_the_requests_secrets_out() -> None:
    (signal,) = kept_signals(answer(ERROR_SIGNAL))
    assert signal == eager(ERROR_SIGNAL) and signal.error is not None
    assert SECRET not in repr(signal.error) and SECRET not in json.dumps(signal.error.raw)


@pytest.mark.parametrize(
    "items",
    [
        [REST_SIGNAL, {"attributes": {"name": "X"}}],
        [REST_SIGNAL, {"data": {"id": ""}}],
        [{"data": "signal"}],
    ],
)
@pytest.mark.parametrize("read", [lazy_signals, kept_signals])
def test_a_signal_without_a_code_fails_the_whole_answer(
    items: List[Any], read: Callable[[ApiResponse], List[Signal]]
) -> None:
    with pytest.raises(smartcar.SmartcarException, match="a bad signal"):
        read(answer(*items))


def test_no_list_of_signals_fails_the_whole_answer() -> None:
    response = ApiResponse(200, {}, {"data": {"id": "a-b"}}, "req-1")
    with pytest.raises(smartcar.SmartcarException, match="list of signal"):
        lazy_signals(response)


def test_threads_reading_one_lazy_signal_get_the_same_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def slow(obj: Any, **kwargs: Any) -> Signal:
        time.sleep(0.01)  # every thread is inside the fill at once
        return parse_signal(obj, **kwargs)

    monkeypatch.setattr(_signals, "parse_signal", slow)
    signal = lazy(ERROR_SIGNAL)
    threads = 8
    start = threading.Barrier(threads)

    def read(name: str) -> Any:
        start.wait()
        return getattr(signal, name), signal.error, signal.body

    with ThreadPoolExecutor(threads) as pool:
        seen = list(pool.map(read, (LAZY_FIELDS * threads)[:threads]))
    assert all(error is seen[0][1] and body is seen[0][2] for _, error, body in seen)
    assert [value for value, _, _ in seen] == [
        getattr(signal, name) for name in (LAZY_FIELDS * threads)[:threads]
    ]
    assert vars(signal) == vars(eager(ERROR_SIGNAL))


SIGNAL_KEYS = ["code", "id", "name", "group", "body", "status", "meta", "attributes", "data"]
signal_parts = st.fixed_dictionaries(
    {},
    optional={
        "code": st.one_of(st.sampled_from(["a-b", ""]), json_values),
        "name": json_values,
        "group": json_values,
        "body": st.one_of(st.dictionaries(st.sampled_from(["value", "unit"]), json_values)),
        "status": st.one_of(
            st.sampled_from(["SUCCESS", "ERROR", "error"]),
            st.fixed_dictionaries({}, optional={"value": json_values, "error": json_values}),
            json_values,
        ),
        "meta": st.one_of(
            st.dictionaries(
                st.sampled_from(["retrievedAt", "oemUpdatedAt", "ingestedAt"]), json_values
            ),
            json_values,
        ),
    },
)
signal_objects = st.one_of(
    signal_parts,
    st.builds(lambda attrs, rest: {**rest, "attributes": attrs}, signal_parts, signal_parts),
    st.builds(lambda inner: {"data": inner}, signal_parts),
    st.dictionaries(st.sampled_from(SIGNAL_KEYS), json_values, max_size=6),
)


@SETTINGS
@given(signal_objects, st.sampled_from(LAZY_FIELDS))
def test_lazy_signal_of_any_json_is_parse_signal_or_raises_where_it_does(
    obj: Dict[str, Any], first: str
) -> None:
    response = ApiResponse(200, {}, {"data": [obj]}, "req-1")
    try:
        expected: Any = parse_signal(obj)
    except smartcar.SmartcarException as error:
        expected = error
    try:
        signal = lazy_signals(response)[0]
        getattr(signal, first)
    except smartcar.SmartcarException as error:
        assert isinstance(expected, smartcar.SmartcarException)
        assert str(error) == f"The Smartcar API answered 200 with a bad signal: {expected}"
        return
    assert isinstance(expected, Signal)
    assert vars(signal) == vars(expected)


plain_rest_signals = st.fixed_dictionaries(
    {
        "attributes": st.fixed_dictionaries(
            {
                "code": st.one_of(st.text(max_size=8), json_values),
                "body": st.one_of(
                    st.dictionaries(st.sampled_from(["value", "unit"]), json_values), json_values
                ),
                "status": st.one_of(
                    st.fixed_dictionaries(
                        {"value": st.sampled_from(["SUCCESS", "success", "ERROR", None])},
                        optional={"error": st.one_of(st.none(), json_values)},
                    ),
                    json_values,
                ),
            },
            optional={"name": json_values, "group": json_values},
        ),
        "meta": st.one_of(
            st.dictionaries(
                st.sampled_from(["retrievedAt", "oemUpdatedAt", "ingestedAt"]),
                st.one_of(
                    st.integers(min_value=-(10**14), max_value=10**14),
                    st.sampled_from(["2026-09-22T10:00:01.500Z", "1696156800", "soon", True]),
                    json_values,
                ),
            ),
            json_values,
        ),
    },
    optional={"id": json_values, "type": st.just("signal"), "data": json_values},
)


@SETTINGS
@given(plain_rest_signals)
def test_the_plain_rest_shortcut_gives_what_the_general_path_gives(obj: Dict[str, Any]) -> None:
    shortcut = _signals._plain_rest_signal(obj)
    original = _signals._plain_rest_signal
    _signals._plain_rest_signal = lambda obj: None
    try:
        try:
            general: Any = parse_signal(obj)
        except smartcar.SmartcarException as error:
            general = error
    finally:
        _signals._plain_rest_signal = original
    if shortcut is None:
        return  # left to the general path, which parse_signal then takes
    assert isinstance(general, Signal) and vars(shortcut) == vars(general)


@pytest.mark.parametrize(
    "meta",
    [
        {"retrievedAt": 1696156800, "oemUpdatedAt": 1696156799},
        {"ingestedAt": "2026-09-22T10:00:01.500Z", "retrievedAt": "2026-09-22T10:00:00Z"},
        {"retrievedAt": 1790080005073},
    ],
)
def test_the_live_rest_shape_takes_the_shortcut(meta: Dict[str, Any]) -> None:
    obj = {**REST_SIGNAL, "meta": meta}
    shortcut = _signals._plain_rest_signal(obj)
    assert shortcut is not None
    assert parse_signal(obj) == shortcut and vars(shortcut) == vars(eager(obj))
    assert shortcut.retrieved_at is not None
