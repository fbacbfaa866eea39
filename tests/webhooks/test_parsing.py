"""parse_event: every documented payload shape, its variants, and malformed bodies."""

from __future__ import annotations

import datetime
import json
from typing import Any, Callable, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcar.exceptions import SmartcarException, WebhookPayloadError, WebhookSignatureError
from smartcar.v3 import Signal
from smartcar.webhooks import (
    LegacyEvent,
    SignalRef,
    Trigger,
    UnknownEvent,
    VehicleErrorEvent,
    VehicleStateEvent,
    VerifyEvent,
    _parsing,
    parse_event,
)

from .support import (
    MANAGEMENT_TOKEN,
    Payload,
    documentation_example,
    encode,
    legacy_event,
    sign,
    vehicle_error,
    vehicle_error_2025,
    vehicle_state,
    vehicle_state_2025,
    verify_v2,
    verify_v3,
)

UTC = datetime.timezone.utc


def parse(payload: Any) -> Any:
    body = payload if isinstance(payload, bytes) else encode(payload)
    return parse_event(body, signature=sign(body), management_token=MANAGEMENT_TOKEN)


# Signature first ------------------------------------------------------------------------------


def test_bad_signature_raises_before_any_json_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("JSON was parsed before the signature was checked")

    monkeypatch.setattr(_parsing.json, "loads", no_parsing)
    body = encode(vehicle_state())
    with pytest.raises(WebhookSignatureError) as caught:
        parse_event(body, signature=sign(body, "wrong-token"), management_token=MANAGEMENT_TOKEN)
    assert isinstance(caught.value, SmartcarException)
    assert MANAGEMENT_TOKEN not in str(caught.value)


@pytest.mark.parametrize("signature", [None, "", "zz", "a" * 64])
def test_missing_or_malformed_signature_raises_signature_error(signature: Any) -> None:
    with pytest.raises(WebhookSignatureError):
        parse_event(b"not even json", signature=signature, management_token=MANAGEMENT_TOKEN)


def test_verify_needs_a_signature_in_parse_event() -> None:
    with pytest.raises(WebhookSignatureError):
        parse_event(encode(verify_v3()), signature=None, management_token=MANAGEMENT_TOKEN)


def test_str_body_is_a_type_error() -> None:
    body = encode(vehicle_state())
    with pytest.raises(TypeError, match="bytes"):
        parse_event(body.decode(), signature=sign(body), management_token=MANAGEMENT_TOKEN)  # type: ignore[arg-type]


# VERIFY ----------------------------------------------------------------------------------------


def test_verify_v3() -> None:
    event = parse(verify_v3("abc-123"))
    assert isinstance(event, VerifyEvent)
    assert event.event_type == "VERIFY"
    assert event.challenge == "abc-123"
    assert event.event_id == "0c6a1d4e-verify"
    assert event.meta.version == "4.0"
    assert event.meta.webhook_id == "5a8e5e38-webhook"
    assert event.meta.webhook_name == "Battery Monitor"
    assert event.meta.delivery_id == "5d569643-delivery"
    # deliveredAt is ISO on VERIFY
    assert event.meta.delivered_at == datetime.datetime(2025, 7, 31, 19, 38, 42, 332000, UTC)


def test_verify_legacy_v2() -> None:
    event = parse(verify_v2("old-challenge"))
    assert isinstance(event, VerifyEvent)
    assert event.challenge == "old-challenge"
    assert event.event_id is None
    assert event.meta.version == "2.0"
    assert event.meta.webhook_id == "legacy-webhook"


# VEHICLE_STATE ---------------------------------------------------------------------------------


def test_vehicle_state_documented_sample() -> None:
    event = parse(vehicle_state("evt-1"))
    assert isinstance(event, VehicleStateEvent)
    assert event.event_type == "VEHICLE_STATE"
    assert event.event_id == "evt-1"
    assert (event.user_id, event.external_id) == ("f3fc39e5-user", "user-external-id-123")
    assert event.vehicle_id == "bd77cd6e-vehicle"
    assert (event.vehicle.make, event.vehicle.model, event.vehicle.year) == (
        "Tesla",
        "Model 3",
        2020,
    )
    assert (event.vehicle.mode, event.vehicle.powertrain_type) == ("test", "BEV")
    assert all(isinstance(signal, Signal) for signal in event.signals)
    assert [s.code for s in event.signals] == [
        "tractionbattery-stateofcharge",
        "location-isathome",
        "closure-doors",
        "location-preciselocation",
    ]
    soc = event.signal("tractionbattery-stateofcharge")
    assert soc is not None
    assert (soc.value, soc.unit, soc.status) == (78, "percent", "SUCCESS")
    # signal times are epoch milliseconds in webhooks
    assert soc.oem_updated_at == datetime.datetime.fromtimestamp(1790080005.073, UTC)
    at_home = event.signal("location-isathome")
    assert at_home is not None and at_home.status == "ERROR" and at_home.error is not None
    assert (at_home.error.type, at_home.error.code) == ("COMPATIBILITY", "VEHICLE_NOT_CAPABLE")
    doors = event.signal("closure-doors")
    assert doors is not None and doors.body["rowCount"] == 2
    location = event.signal("location-preciselocation")
    assert location is not None and location.body["latitude"] == 32.7767
    assert event.signal("nope") is None
    assert event.triggers == (
        Trigger(
            "SIGNAL_UPDATED",
            SignalRef("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery"),
        ),
    )
    meta = event.meta
    assert (meta.version, meta.delivery_id, meta.mode, meta.signal_count) == (
        "4.0",
        "7e1d-delivery",
        "LIVE",
        4,
    )
    assert (meta.webhook_id, meta.webhook_name, meta.application_id) == (
        "5a8e5e38-webhook",
        "Battery Monitor",
        "app_123",
    )
    assert meta.delivered_at == datetime.datetime.fromtimestamp(1761896351.529, UTC)
    assert meta.raw["signalCount"] == 4


def test_flat_signal_triggers_of_the_event_page() -> None:
    payload = vehicle_state()
    payload["triggers"] = [
        {
            "code": "tractionbattery-stateofcharge",
            "name": "StateOfCharge",
            "group": "TractionBattery",
        }
    ]
    event = parse(payload)
    assert event.triggers == (
        Trigger(
            "SIGNAL_UPDATED",
            SignalRef("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery"),
        ),
    )


@pytest.mark.parametrize(
    "trigger", [{"code": "FIRST_DELIVERY"}, {"type": "FIRST_DELIVERY"}], ids=["flat", "typed"]
)
def test_first_delivery_trigger_in_both_shapes(trigger: Payload) -> None:
    payload = vehicle_state()
    payload["triggers"] = [trigger]
    assert parse(payload).triggers == (Trigger("FIRST_DELIVERY", None),)


def test_several_triggers_and_a_flat_code_only_signal_trigger() -> None:
    payload = vehicle_state()
    payload["triggers"] = [{"code": "FIRST_DELIVERY"}, {"code": "closure-islocked"}]
    assert parse(payload).triggers == (
        Trigger("FIRST_DELIVERY"),
        Trigger("SIGNAL_UPDATED", SignalRef("closure-islocked")),
    )


def test_vehicle_id_only_at_the_top_level() -> None:
    payload = vehicle_state()
    del payload["data"]["vehicle"]
    payload["vehicleId"] = "bc6ea99e-top"
    event = parse(payload)
    assert event.vehicle_id == "bc6ea99e-top"
    assert event.vehicle.make is None


def test_vehicle_id_in_data_wins_over_top_level() -> None:
    payload = vehicle_state()
    payload["vehicleId"] = "bc6ea99e-top"
    assert parse(payload).vehicle_id == "bd77cd6e-vehicle"


def test_v2_era_payload_without_user_or_triggers_or_meta() -> None:
    payload = vehicle_state()
    del payload["data"]["user"], payload["triggers"], payload["meta"]
    event = parse(payload)
    assert event.user is None and event.user_id is None and event.external_id is None
    assert event.triggers == ()
    assert event.meta.version is None and event.meta.delivered_at is None


def test_user_without_external_id() -> None:
    payload = vehicle_state()
    payload["data"]["user"] = {"id": "u-1"}
    event = parse(payload)
    assert (event.user_id, event.external_id) == ("u-1", None)


def test_signal_times_in_seconds_and_iso() -> None:
    payload = vehicle_state()
    payload["data"]["signals"] = [
        dict(payload["data"]["signals"][0], meta={"retrievedAt": 1696156800}),
        dict(
            payload["data"]["signals"][0],
            code="odometer-traveleddistance",
            meta={"oemUpdatedAt": "2026-09-22T10:00:00Z", "ingestedAt": "2026-09-22T10:00:01Z"},
        ),
    ]
    first, second = parse(payload).signals
    assert first.retrieved_at == datetime.datetime(2023, 10, 1, 10, 40, tzinfo=UTC)
    assert second.oem_updated_at == datetime.datetime(2026, 9, 22, 10, tzinfo=UTC)


def test_empty_signal_list() -> None:
    payload = vehicle_state()
    payload["data"]["signals"] = []
    assert parse(payload).signals == ()


def test_unreadable_delivery_time_is_none_not_an_error() -> None:
    payload = vehicle_state()
    payload["meta"]["deliveredAt"] = "yesterday-ish"
    assert parse(payload).meta.delivered_at is None


# VEHICLE_ERROR ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["ERROR", "RESOLVED"])
def test_vehicle_error_and_its_resolution(state: str) -> None:
    event = parse(vehicle_error(state, event_id=f"err-{state}"))
    assert isinstance(event, VehicleErrorEvent)
    assert event.event_type == "VEHICLE_ERROR"
    assert event.event_id == f"err-{state}"
    assert event.vehicle_id == "bd77cd6e-vehicle"
    assert (event.user_id, event.external_id) == ("f3fc39e5-user", None)
    asleep, permission = event.errors
    assert (asleep.type, asleep.code, asleep.state) == ("VEHICLE_STATE", "ASLEEP", state)
    assert asleep.resolved is (state == "RESOLVED")
    assert asleep.description == "The vehicle is asleep."
    assert asleep.doc_url == "https://smartcar.com/docs/errors/api-errors/vehicle-state-errors"
    assert asleep.resolution == {"type": "RETRY_LATER", "url": None}
    assert asleep.suggested_user_message == "Wake your car up."
    assert asleep.signals == (
        SignalRef("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery"),
    )
    assert (permission.type, permission.code, permission.signals) == ("PERMISSION", None, ())
    assert permission.resolution == {"type": "REAUTHENTICATE", "url": None}
    assert event.meta.webhook_name == "Battery Monitor"


def test_vehicle_error_without_state_is_an_error() -> None:
    payload = vehicle_error()
    del payload["data"]["errors"][0]["state"]
    assert parse(payload).errors[0].state == "ERROR"


# Legacy and unknown ------------------------------------------------------------------------------


def test_legacy_event_based() -> None:
    event = parse(legacy_event())
    assert isinstance(event, LegacyEvent)
    assert event.event_name == "eventBased"
    assert (event.event_id, event.vehicle_id, event.event_type) == (
        "legacy-event-1",
        "legacy-vehicle",
        "CHARGING_STARTED",
    )
    assert event.event_time == datetime.datetime(2022, 4, 1, 12, tzinfo=UTC)
    assert event.mode == "test"
    assert event.meta.version == "2.0" and event.meta.webhook_id == "legacy-webhook"
    assert event.payload["eventType"] == "CHARGING_STARTED"


def test_legacy_schedule_body_parses_as_a_legacy_event() -> None:
    event = parse({"version": "2.0", "webhookId": "w", "eventName": "schedule", "payload": {}})
    assert isinstance(event, LegacyEvent) and event.event_name == "schedule"
    assert event.event_id is None


def test_unknown_v3_event_type() -> None:
    event = parse({"eventId": "e-9", "eventType": "VEHICLE_DREAM", "data": {}, "meta": {}})
    assert isinstance(event, UnknownEvent)
    assert (event.event_type, event.event_id) == ("VEHICLE_DREAM", "e-9")


def test_events_are_frozen() -> None:
    event = parse(vehicle_state())
    with pytest.raises(AttributeError):
        event.event_id = "other"  # type: ignore[misc]


# Malformed bodies --------------------------------------------------------------------------------


def _mutate(
    change: Callable[[Payload], None], make: Callable[[], Payload] = vehicle_state
) -> bytes:
    payload = make()
    change(payload)
    return encode(payload)


NOT_EVENTS = {
    "not json": b"{not json",
    "truncated": encode(vehicle_state())[:-7],
    "not utf-8": b'{"eventType":"VERIFY","data":{"challenge":"\xff"}}',
    "empty": b"",
    "null": b"null",
    "array": b"[]",
    "string": b'"VERIFY"',
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "no event type": encode({"eventId": "e", "data": {}}),
    "event type not a string": _mutate(lambda p: p.update(eventType=7)),
    "verify without challenge": _mutate(lambda p: p["data"].pop("challenge"), verify_v3),
    "verify challenge not a string": _mutate(lambda p: p["data"].update(challenge=123), verify_v3),
    "legacy event name not a string": _mutate(lambda p: p.update(eventName=None), legacy_event),
    "legacy verify without challenge": _mutate(lambda p: p.update(payload={}), verify_v2),
}


@pytest.mark.parametrize("body", list(NOT_EVENTS.values()), ids=list(NOT_EVENTS))
def test_a_body_that_is_no_event_raises_payload_error(body: bytes) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        parse(body)
    assert isinstance(caught.value, SmartcarException)
    assert MANAGEMENT_TOKEN not in str(caught.value)


def _readable(event: Any) -> Any:
    """Every attribute of an event, read (so that any lazy decoding happens)."""
    names = ["event_id", "meta", "vehicle", "user", "signals", "triggers", "errors", "payload"]
    return [getattr(event, name, None) for name in names]


ODD_SHAPES = {
    "no event id": (_mutate(lambda p: p.pop("eventId")), lambda e: e.event_id is None),
    "event id not a string": (
        _mutate(lambda p: p.update(eventId=12)),
        lambda e: e.event_id is None and len(e.signals) == 4,
    ),
    "data missing": (_mutate(lambda p: p.pop("data")), lambda e: e.signals == ()),
    "data not an object": (_mutate(lambda p: p.update(data=[])), lambda e: e.vehicle_id is None),
    "no vehicle id": (
        _mutate(lambda p: p["data"]["vehicle"].pop("id")),
        lambda e: e.vehicle_id is None and e.vehicle.make == "Tesla",
    ),
    "vehicle not an object": (
        _mutate(lambda p: p["data"].update(vehicle="bd77")),
        lambda e: e.vehicle_id is None and len(e.signals) == 4,
    ),
    "signals not a list": (
        _mutate(lambda p: p["data"].update(signals={})),
        lambda e: e.signals == (),
    ),
    "signal not an object": (
        _mutate(lambda p: p["data"]["signals"].append("soc")),
        lambda e: len(e.signals) == 4,
    ),
    "signal without code": (
        _mutate(lambda p: p["data"]["signals"][0].pop("code")),
        lambda e: e.signals[0].code == "location-isathome",
    ),
    "signal body not an object": (
        _mutate(lambda p: p["data"]["signals"][0].update(body=5)),
        lambda e: e.signals[0].code == "tractionbattery-stateofcharge" and e.signals[0].body == {},
    ),
    "signal with a bad time": (
        _mutate(lambda p: p["data"]["signals"][0]["meta"].update(retrievedAt=True)),
        lambda e: e.signals[0].retrieved_at is None and e.signals[0].oem_updated_at is not None,
    ),
    "user not an object": (_mutate(lambda p: p["data"].update(user="u")), lambda e: e.user is None),
    "user without id": (_mutate(lambda p: p["data"]["user"].pop("id")), lambda e: e.user is None),
    "triggers not a list": (
        _mutate(lambda p: p.update(triggers="SIGNAL_UPDATED")),
        lambda e: e.triggers == (),
    ),
    "trigger not an object": (
        _mutate(lambda p: p.update(triggers=[1])),
        lambda e: e.triggers == (),
    ),
    "trigger without type or code": (
        _mutate(lambda p: p.update(triggers=[{"name": "x"}])),
        lambda e: e.triggers == (Trigger("SIGNAL_UPDATED", SignalRef(None, "x")),),
    ),
    "trigger signal a number": (
        _mutate(lambda p: p.update(triggers=[{"type": "SIGNAL_UPDATED", "signal": 5}])),
        lambda e: e.triggers == (Trigger("SIGNAL_UPDATED"),),
    ),
    "errors missing": (
        _mutate(lambda p: p["data"].pop("errors"), vehicle_error),
        lambda e: e.errors == () and e.vehicle_id == "bd77cd6e-vehicle",
    ),
    "errors not a list": (
        _mutate(lambda p: p["data"].update(errors={}), vehicle_error),
        lambda e: e.errors == (),
    ),
    "error not an object": (
        _mutate(lambda p: p["data"]["errors"].append("ASLEEP"), vehicle_error),
        lambda e: len(e.errors) == 2,
    ),
    "error signals not a list": (
        _mutate(lambda p: p["data"]["errors"][0].update(signals="soc"), vehicle_error),
        lambda e: e.errors[0].signals == () and e.errors[0].code == "ASLEEP",
    ),
    "legacy without payload": (
        _mutate(lambda p: p.pop("payload"), legacy_event),
        lambda e: isinstance(e, LegacyEvent) and e.payload == {} and e.event_id is None,
    ),
}


@pytest.mark.parametrize("body, check", list(ODD_SHAPES.values()), ids=list(ODD_SHAPES))
def test_a_signed_event_with_odd_parts_parses_what_can_be_read(
    body: bytes, check: Callable[[Any], bool]
) -> None:
    event = parse(body)
    _readable(event)
    assert check(event)
    assert event.raw == json.loads(body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = ["eventId", "eventType", "data", "triggers", "meta", "vehicleId", "eventName", "payload"]
DATA_KEYS = ["user", "vehicle", "signals", "errors", "challenge"]


@settings(max_examples=300, deadline=None)
@given(
    top=st.sampled_from(KEYS),
    inner=st.sampled_from(DATA_KEYS),
    value=JSON,
    make=st.sampled_from([vehicle_state, vehicle_error, verify_v3, verify_v2, legacy_event]),
)
def test_any_value_anywhere_parses_and_reads_or_raises_payload_error(
    top: str, inner: str, value: Any, make: Callable[[], Payload]
) -> None:
    for change in (
        lambda p: p.update({top: value}),
        lambda p: p["data"].update({inner: value}) if isinstance(p.get("data"), dict) else None,
        lambda p: p["data"]["signals"].append(value) if "signals" in p.get("data", {}) else None,
        lambda p: p.update(triggers=[value]),
    ):
        body = _mutate(change, make)
        try:
            event = parse(body)
        except WebhookPayloadError:
            continue
        _readable(event)
        assert isinstance(
            event, (VerifyEvent, VehicleStateEvent, VehicleErrorEvent, LegacyEvent, UnknownEvent)
        )


def test_payloads_with_insignificant_whitespace_parse_the_same() -> None:
    compact = parse(vehicle_state())
    pretty = parse(json.dumps(vehicle_state(), indent=2).encode())
    assert pretty == compact


# Numbers beyond float range (issue 16) -----------------------------------------------------------

HUGE = "1" + "0" * 400  # a valid JSON integer that no float can hold


def _with_huge(text: str, *keys: str) -> bytes:
    for key in keys:
        text = text.replace(f'"{key}":"__HUGE__"', f'"{key}":{HUGE}')
    return text.encode()


def test_huge_delivery_and_signal_times_are_unknown() -> None:
    payload = vehicle_state()
    payload["meta"]["deliveredAt"] = "__HUGE__"
    payload["data"]["signals"][0]["meta"] = {"retrievedAt": "__HUGE__", "oemUpdatedAt": 0}
    text = encode(payload).decode()
    body = _with_huge(text, "deliveredAt", "retrievedAt")
    assert HUGE.encode() in body
    event = parse(body)
    assert event.meta.delivered_at is None
    soc = event.signal("tractionbattery-stateofcharge")
    assert soc is not None and soc.value == 78
    assert (soc.retrieved_at, soc.oem_updated_at) == (None, None)


def test_huge_legacy_event_time_is_unknown() -> None:
    payload = legacy_event()
    payload["payload"]["eventTime"] = "__HUGE__"
    event = parse(_with_huge(encode(payload).decode(), "eventTime"))
    assert isinstance(event, LegacyEvent) and event.event_time is None
    assert event.event_id == "legacy-event-1"


def test_huge_event_type_is_not_an_event() -> None:
    with pytest.raises(WebhookPayloadError):
        parse(('{"eventType":' + HUGE + "}").encode())


# What the live service sends (api-v2-v3.md section 12, issue 17) ---------------------------------


def test_2025_delivery_names_its_trigger_signal_by_a_string() -> None:
    event = parse(vehicle_state_2025())
    assert event.triggers == (
        Trigger(
            "SIGNAL_UPDATED",
            SignalRef("odometer-traveleddistance", "TraveledDistance", "Odometer"),
        ),
    )
    odometer = event.signal("odometer-traveleddistance")
    assert odometer is not None and odometer.status == "SUCCESS" and odometer.ok
    assert event.meta.delivery_id == "d-2025"
    assert event.meta.delivered_at == datetime.datetime.fromtimestamp(1758000002, UTC)


def test_2025_vehicle_error_names_its_signals_by_strings() -> None:
    event = parse(vehicle_error_2025())
    assert isinstance(event, VehicleErrorEvent)
    (error,) = event.errors
    assert error.signals == (
        SignalRef("closure-islocked", "IsLocked", "Closure"),
        SignalRef("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery"),
    )
    assert (error.type, error.code, error.state) == ("PERMISSION", None, "ERROR")


def test_a_signal_named_by_a_code_string_keeps_the_code() -> None:
    payload = vehicle_state()
    payload["triggers"] = [{"type": "SIGNAL_UPDATED", "signal": "closure-islocked"}]
    assert parse(payload).triggers == (Trigger("SIGNAL_UPDATED", SignalRef("closure-islocked")),)


def test_static_attribute_times_of_zero_are_unknown() -> None:
    vin = parse(vehicle_state_2025()).signal("vehicleidentification-vin")
    assert vin is not None and vin.value == "WVGAWVEB4SH018592"
    assert (vin.retrieved_at, vin.oem_updated_at, vin.ingested_at) == (None, None, None)


@pytest.mark.parametrize("zero", [0, "0", 0.0])
def test_a_delivery_time_of_zero_is_unknown(zero: Any) -> None:
    payload = vehicle_state()
    payload["meta"]["deliveredAt"] = zero
    assert parse(payload).meta.delivered_at is None


def test_documentation_example_keeps_its_triggers_and_meta() -> None:
    event = parse(documentation_example())
    assert isinstance(event, VehicleStateEvent)
    assert event.vehicle_id == "bc6ea99e-vehicle"
    assert event.triggers == (
        Trigger(
            "SIGNAL_UPDATED",
            SignalRef("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery"),
        ),
    )
    assert (event.meta.version, event.meta.webhook_id) == ("4.0", "w-docs")
    assert event.meta.delivered_at == datetime.datetime(2025, 7, 31, 19, 38, 42, 332000, UTC)


def test_top_level_meta_and_triggers_win_over_nested_ones() -> None:
    payload = documentation_example()
    payload["meta"] = {"webhookId": "w-top"}
    payload["triggers"] = [{"type": "FIRST_DELIVERY"}]
    event = parse(payload)
    assert event.meta.webhook_id == "w-top"
    assert event.triggers == (Trigger("FIRST_DELIVERY"),)


def test_delivered_at_as_iso_on_a_state_event() -> None:
    payload = vehicle_state()
    payload["meta"]["deliveredAt"] = "2026-05-01T08:00:00.500Z"
    assert parse(payload).meta.delivered_at == datetime.datetime(2026, 5, 1, 8, 0, 0, 500000, UTC)


def test_ingested_at_is_exposed_on_signals() -> None:
    payload = vehicle_state()
    payload["data"]["signals"][0]["meta"]["ingestedAt"] = 1790080006000
    soc = parse(payload).signal("tractionbattery-stateofcharge")
    assert soc is not None
    assert soc.ingested_at == datetime.datetime.fromtimestamp(1790080006, UTC)


def test_vehicle_year_as_a_string_and_powertrain_null() -> None:
    payload = vehicle_state()
    payload["data"]["vehicle"].update(year="2021", powertrainType=None)
    vehicle = parse(payload).vehicle
    assert (vehicle.year, vehicle.powertrain_type) == (2021, None)


def test_signals_are_decoded_on_first_access_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from smartcar.webhooks import _parts

    calls: List[Any] = []
    real = _parts.parse_signal

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_parts, "parse_signal", counting)
    event = parse(vehicle_state())
    assert event.event_id == "52f6e0bb-state" and calls == []
    assert len(event.signals) == 4 and len(calls) == 4
    assert event.signal("closure-doors") is not None and len(calls) == 4
