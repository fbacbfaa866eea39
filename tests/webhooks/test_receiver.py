"""Receiver.handle: VERIFY, signatures, duplicates, header styles, a real Flask view."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import EnvironHeaders, Headers

from smartcar.exceptions import SmartcarException
from smartcar.webhooks import (
    MemorySeenSet,
    Receiver,
    RedisSeenSet,
    SeenSetError,
    SQLiteSeenSet,
    VehicleErrorEvent,
    VehicleStateEvent,
    VerifyEvent,
    find_header,
)

from .support import (
    MANAGEMENT_TOKEN,
    encode,
    legacy_event,
    sign,
    vehicle_error,
    vehicle_state,
    verify_v2,
    verify_v3,
)


def expected_answer(challenge: str) -> Dict[str, str]:
    digest = hmac.new(MANAGEMENT_TOKEN.encode(), challenge.encode(), hashlib.sha256).hexdigest()
    return {"challenge": digest}


@pytest.fixture
def receiver() -> Receiver:
    return Receiver(MANAGEMENT_TOKEN)


def signed(body: bytes) -> Dict[str, str]:
    return {"Content-Type": "application/json", "SC-Signature": sign(body)}


# VERIFY ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [verify_v3, verify_v2], ids=["v3", "legacy-v2"])
def test_signed_verify_is_answered(receiver: Receiver, make: Callable[[str], Any]) -> None:
    body = encode(make("chal-7c1d"))
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, answer) == (200, expected_answer("chal-7c1d"))
    assert isinstance(event, VerifyEvent) and event.challenge == "chal-7c1d"


@pytest.mark.parametrize("headers", [{}, {"SC-Signature": "0" * 64}], ids=["unsigned", "bad"])
def test_verify_without_a_valid_signature_is_answered(
    receiver: Receiver, headers: Dict[str, str]
) -> None:
    body = encode(verify_v3("Zm9vYmFy+/=-_.~"))
    status, answer, event = receiver.handle(headers, body)
    assert (status, answer) == (200, expected_answer("Zm9vYmFy+/=-_.~"))
    assert isinstance(event, VerifyEvent)


def test_verify_answer_is_never_a_signing_oracle(receiver: Receiver) -> None:
    """An unsigned VERIFY whose challenge is an event body must not get that body signed."""
    forged = encode(vehicle_state("forged"))
    for challenge in (forged.decode(), " " + forged.decode(), '["x"]'):
        status, answer, event = receiver.handle({}, encode(verify_v3(challenge)))
        assert (status, event) == (401, None)
        assert "challenge" not in answer
    status, _, event = receiver.handle({"SC-Signature": sign(forged)}, forged)
    assert status == 200 and event is not None  # (the real signature still works)


def test_a_signed_verify_may_carry_any_challenge(receiver: Receiver) -> None:
    challenge = '{"any": "thing"}'
    body = encode(verify_v3(challenge))
    assert receiver.handle(signed(body), body)[:2] == (200, expected_answer(challenge))


def test_verify_is_answered_again_every_time(receiver: Receiver) -> None:
    body = encode(verify_v3("again"))
    for _ in range(3):
        assert receiver.handle(signed(body), body)[:2] == (200, expected_answer("again"))


# Events ----------------------------------------------------------------------------------------


def test_signed_state_event_is_handed_over(receiver: Receiver) -> None:
    body = encode(vehicle_state("evt-1"))
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, answer) == (200, {"status": "received"})
    assert isinstance(event, VehicleStateEvent) and event.event_id == "evt-1"


def test_signed_error_event_is_handed_over(receiver: Receiver) -> None:
    body = encode(vehicle_error("RESOLVED"))
    status, _, event = receiver.handle(signed(body), body)
    assert status == 200
    assert isinstance(event, VehicleErrorEvent) and event.errors[0].resolved


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"SC-Signature": ""},
        {"SC-Signature": "nonsense"},
        {"SC-Signature": sign(b"other body")},
        {"SC-Signature": sign(encode(vehicle_state()), "another-token")},
    ],
    ids=["missing", "empty", "malformed", "other-body", "other-key"],
)
def test_bad_signature_is_401_and_hands_nothing(
    receiver: Receiver, headers: Dict[str, str]
) -> None:
    body = encode(vehicle_state())
    status, answer, event = receiver.handle(headers, body)
    assert (status, event) == (401, None)
    assert answer["error"] in ("missing SC-Signature header", "invalid signature")
    # a refused delivery is not remembered: the genuine one still goes through
    assert receiver.handle(signed(body), body)[2] is not None


@pytest.mark.parametrize("body", [b'{"eventId":"e"}', b"[1]", b"{", b'{"eventType":"VERIFY"}'])
def test_a_signed_body_that_is_no_event_is_400(receiver: Receiver, body: bytes) -> None:
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, event) == (400, None)
    assert answer["error"] == "malformed payload"


@pytest.mark.parametrize(
    "body",
    [
        b'{"eventType":"VEHICLE_STATE"}',
        b'{"eventType":"VEHICLE_ERROR","eventId":"e-odd","data":{"errors":"x","vehicle":7}}',
        b'{"eventType":"VEHICLE_STATE","eventId":"e-odd2","data":{"signals":[1,{"code":5}]},'
        b'"triggers":{},"meta":[]}',
    ],
)
def test_a_signed_event_of_a_known_type_is_never_refused(receiver: Receiver, body: bytes) -> None:
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, answer) == (200, {"status": "received"})
    assert event is not None and event.raw == json.loads(body)


def test_oversized_body_is_413_without_work() -> None:
    receiver = Receiver(MANAGEMENT_TOKEN, max_body_bytes=100)
    body = encode(vehicle_state())
    assert receiver.handle(signed(body), body) == (413, {"error": "payload too large"}, None)


@pytest.mark.parametrize("body", ["{}", None, 3, {"eventId": "x"}])
def test_non_bytes_body_is_a_type_error(receiver: Receiver, body: Any) -> None:
    with pytest.raises(TypeError, match="bytes"):
        receiver.handle({"SC-Signature": "0" * 64}, body)


def test_bytearray_and_memoryview_bodies(receiver: Receiver) -> None:
    body = encode(vehicle_state("ba"))
    assert receiver.handle(signed(body), bytearray(body))[2] is not None
    body = encode(vehicle_state("mv"))
    assert receiver.handle(signed(body), memoryview(body))[2] is not None


def test_token_never_in_repr(receiver: Receiver) -> None:
    assert MANAGEMENT_TOKEN not in repr(receiver)


@pytest.mark.parametrize(("token", "error"), [("", ValueError), (None, TypeError)])
def test_bad_management_token(token: Any, error: type) -> None:
    with pytest.raises(error, match="management_token"):
        Receiver(token)


# Duplicates ------------------------------------------------------------------------------------


def test_redelivery_is_acknowledged_but_not_handed_twice(receiver: Receiver) -> None:
    body = encode(vehicle_state("evt-dup"))
    first = receiver.handle(signed(body), body)
    again = receiver.handle(signed(body), body)
    assert first[0] == 200 and first[2] is not None
    assert again == (200, {"status": "duplicate"}, None)


def test_retry_with_another_delivery_id_is_a_duplicate(receiver: Receiver) -> None:
    payload = vehicle_state("evt-retry")
    body = encode(payload)
    assert receiver.handle(signed(body), body)[2] is not None
    payload["meta"]["deliveryId"] = "second-attempt"
    payload["meta"]["deliveredAt"] += 25_000
    retry = encode(payload)
    assert receiver.handle(signed(retry), retry) == (200, {"status": "duplicate"}, None)


def test_distinct_event_ids_are_all_handed_over(receiver: Receiver) -> None:
    bodies = [encode(vehicle_state(f"evt-{n}")) for n in range(50)]
    events = [receiver.handle(signed(body), body)[2] for body in bodies]
    assert all(event is not None for event in events)


def test_legacy_events_dedupe_on_their_payload_event_id(receiver: Receiver) -> None:
    body = encode(legacy_event())
    assert receiver.handle(signed(body), body)[2] is not None
    assert receiver.handle(signed(body), body)[2] is None


def test_forget_lets_the_next_delivery_through(receiver: Receiver) -> None:
    body = encode(vehicle_state("evt-failed"))
    status, _, event = receiver.handle(signed(body), body)
    assert status == 200 and event is not None
    receiver.forget(event.event_id)  # the app failed to process it and answers 500
    assert receiver.handle(signed(body), body)[2] is not None
    assert receiver.handle(signed(body), body)[2] is None


SeenFactory = Callable[[], Any]


@pytest.fixture(params=["memory", "sqlite", "redis"])
def seen_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SeenFactory]:
    """Makes the seen-set of one worker; the workers of one test share its storage."""
    if request.param == "memory":
        shared = MemorySeenSet()
        yield lambda: shared
        return
    if request.param == "sqlite":
        opened: List[SQLiteSeenSet] = []

        def open_sqlite() -> SQLiteSeenSet:
            seen = SQLiteSeenSet(tmp_path / "seen.db")
            opened.append(seen)
            return seen

        yield open_sqlite
        for seen in opened:
            seen.close()
        return
    redis_client = request.getfixturevalue("redis_client")
    yield lambda: RedisSeenSet(redis_client)


def test_concurrent_deliveries_of_one_event_are_handed_once(seen_factory: SeenFactory) -> None:
    workers = 24
    receivers = [Receiver(MANAGEMENT_TOKEN, seen=seen_factory()) for _ in range(workers)]
    body = encode(vehicle_state("evt-race"))
    headers = signed(body)
    barrier = threading.Barrier(workers)
    results: List[Tuple[int, Dict[str, str], Optional[Any]]] = []
    lock = threading.Lock()

    def deliver(receiver: Receiver) -> None:
        barrier.wait()
        result = receiver.handle(headers, body)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=deliver, args=(r,)) for r in receivers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == workers
    assert all(status == 200 for status, _, _ in results)
    handed = [event for _, _, event in results if event is not None]
    assert len(handed) == 1 and handed[0].event_id == "evt-race"
    assert sum(1 for _, answer, _ in results if answer == {"status": "duplicate"}) == workers - 1


# Header styles ---------------------------------------------------------------------------------

SIG = "ab" * 32

HEADER_STYLES: Dict[str, Any] = {
    "dict canonical": {"SC-Signature": SIG},
    "dict lowercase": {"sc-signature": SIG},
    "dict odd case": {"Content-Type": "application/json", "Sc-SIGNATURE": SIG},
    "werkzeug Headers": Headers([("Content-Type", "application/json"), ("sc-signature", SIG)]),
    "werkzeug EnvironHeaders": EnvironHeaders({"HTTP_SC_SIGNATURE": SIG, "CONTENT_LENGTH": "2"}),
    "django META": {"CONTENT_TYPE": "application/json", "HTTP_SC_SIGNATURE": SIG},
    "asgi byte pairs": [(b"content-type", b"application/json"), (b"sc-signature", SIG.encode())],
    "str pairs": [("SC-Signature", SIG)],
    "multi-value list": {"SC-Signature": [SIG, "other"]},
}


@pytest.mark.parametrize("headers", list(HEADER_STYLES.values()), ids=list(HEADER_STYLES))
def test_signature_header_is_found_in_every_style(headers: Any) -> None:
    assert find_header(headers, "SC-Signature") == SIG


@pytest.mark.parametrize("headers", [{}, [], {"Signature": SIG}, None, 42, [("x",)]])
def test_absent_header_is_none(headers: Any) -> None:
    assert find_header(headers, "SC-Signature") is None


def test_django_meta_delivery_end_to_end(receiver: Receiver) -> None:
    body = encode(vehicle_state("django"))
    meta = {"REQUEST_METHOD": "POST", "HTTP_SC_SIGNATURE": sign(body)}
    assert receiver.handle(meta, body)[2] is not None


# A real Flask view -----------------------------------------------------------------------------


def test_flask_view_built_on_the_receiver() -> None:
    from flask import Flask, request

    app = Flask(__name__)
    receiver = Receiver(MANAGEMENT_TOKEN)
    handed: List[Any] = []

    @app.post("/webhooks/smartcar")
    def smartcar_webhook() -> Any:
        status, answer, event = receiver.handle(request.headers, request.get_data())
        if event is not None and not isinstance(event, VerifyEvent):
            handed.append(event)
        return answer, status

    client = app.test_client()
    verify = encode(verify_v3("flask-challenge"))
    response = client.post("/webhooks/smartcar", data=verify, content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.get_json() == expected_answer("flask-challenge")

    state = encode(vehicle_state("flask-evt"))
    for _ in range(2):
        response = client.post(
            "/webhooks/smartcar", data=state, headers={"SC-Signature": sign(state).upper()}
        )
        assert response.status_code == 200
    forged = client.post("/webhooks/smartcar", data=state, headers={"SC-Signature": "0" * 64})
    assert forged.status_code == 401
    assert [event.event_id for event in handed] == ["flask-evt"]


# Bodies no UTF-8 text or float can hold (issue 16) ---------------------------------------------


def test_huge_times_are_received_with_unknown_times(receiver: Receiver) -> None:
    huge = "1" + "0" * 400
    body = encode(vehicle_state("huge-1")).replace(b"1761896351529", huge.encode())
    assert huge.encode() in body
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, answer) == (200, {"status": "received"})
    assert isinstance(event, VehicleStateEvent) and event.meta.delivered_at is None


LONE_SURROGATE = "\\ud800"  # valid JSON; no UTF-8 encoding exists for it


def test_unsigned_verify_with_a_lone_surrogate_is_401(receiver: Receiver) -> None:
    body = encode(verify_v3("x")).replace(
        b'"challenge":"x"', f'"challenge":"{LONE_SURROGATE}"'.encode()
    )
    status, _, event = receiver.handle({}, body)
    assert (status, event) == (401, None)


def test_signed_verify_with_a_lone_surrogate_is_400(receiver: Receiver) -> None:
    body = encode(verify_v3("x")).replace(
        b'"challenge":"x"', f'"challenge":"a{LONE_SURROGATE}"'.encode()
    )
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, event) == (400, None) and "Unicode" in answer["message"]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_event_ids_with_a_lone_surrogate_are_deduplicated(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seen: Any = {
        "memory": lambda: MemorySeenSet(),
        "sqlite": lambda: SQLiteSeenSet(tmp_path / "seen.db"),
        "redis": lambda: RedisSeenSet(request.getfixturevalue("redis_client")),
    }[kind]()
    receiver = Receiver(MANAGEMENT_TOKEN, seen=seen)
    body = encode(vehicle_state("x")).replace(
        b'"eventId":"x"', f'"eventId":"{LONE_SURROGATE}"'.encode()
    )
    first = receiver.handle(signed(body), body)
    assert first[0] == 200 and first[2] is not None and first[2].event_id == "\ud800"
    again = receiver.handle(signed(body), body)
    assert (again[0], again[2]) == (200, None)
    # the escaped spelling of the same bytes is another id
    other = encode(vehicle_state("\\xed\\xa0\\x80"))
    assert receiver.handle(signed(other), other)[2] is not None


# Seen-set failures: never acknowledge an event not handed over (issue 16) ------------------------


class FailingSeenSet:
    """Records like a MemorySeenSet, but its first ``failures`` adds raise after recording."""

    def __init__(self, failures: int) -> None:
        self.inner = MemorySeenSet()
        self.failures = failures
        self.marks: List[str] = []

    def add(self, event_id: str, mark: str = "") -> bool:
        self.marks.append(mark)
        added = self.inner.add(event_id, mark)
        if self.failures:
            self.failures -= 1
            raise SeenSetError("the reply was lost")
        return added

    def discard(self, event_id: str) -> None:
        self.inner.discard(event_id)


def test_a_lost_seen_set_reply_is_retried_with_the_same_mark() -> None:
    seen = FailingSeenSet(failures=1)
    receiver = Receiver(MANAGEMENT_TOKEN, seen=seen)
    body = encode(vehicle_state("evt-lost"))
    status, answer, event = receiver.handle(signed(body), body)
    assert (status, answer) == (200, {"status": "received"}) and event is not None
    assert len(seen.marks) == 2 and seen.marks[0] == seen.marks[1] and len(seen.marks[0]) == 32
    assert receiver.handle(signed(body), body)[:2] == (200, {"status": "duplicate"})
    assert seen.marks[2] != seen.marks[0]  # a fresh mark per delivery


def test_a_failing_seen_set_answers_503_and_hands_nothing() -> None:
    receiver = Receiver(MANAGEMENT_TOKEN, seen=FailingSeenSet(failures=10))
    body = encode(vehicle_state("evt-down"))
    status, answer, event = receiver.handle(signed(body), body)
    assert status == 503 and event is None and "error" in answer


class OneArgumentSeenSet:
    """A seen-set written to the protocol before marks: ``add(event_id)`` only."""

    def __init__(self) -> None:
        self.ids: List[str] = []

    def add(self, event_id: str) -> bool:
        first = event_id not in self.ids
        self.ids.append(event_id)
        return first

    def discard(self, event_id: str) -> None:
        self.ids = [known for known in self.ids if known != event_id]


def test_a_seen_set_without_marks_still_works() -> None:
    seen = OneArgumentSeenSet()
    receiver = Receiver(MANAGEMENT_TOKEN, seen=seen)  # type: ignore[arg-type]
    body = encode(vehicle_state("evt-old-protocol"))
    assert receiver.handle(signed(body), body)[:2] == (200, {"status": "received"})
    assert receiver.handle(signed(body), body)[:2] == (200, {"status": "duplicate"})
    assert seen.ids == ["evt-old-protocol", "evt-old-protocol"]


def test_a_seen_set_without_marks_can_replace_the_receivers_own() -> None:
    receiver = Receiver(MANAGEMENT_TOKEN)
    seen = OneArgumentSeenSet()
    receiver.seen = seen  # type: ignore[assignment]
    body = encode(vehicle_state("evt-replaced"))
    assert receiver.handle(signed(body), body)[:2] == (200, {"status": "received"})
    assert seen.ids == ["evt-replaced"]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**500), max_value=10**500)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
PLACES = [
    ("eventId",), ("data",), ("triggers",), ("meta",), ("vehicleId",), ("data", "user"),
    ("data", "vehicle"), ("data", "signals"), ("data", "errors"), ("meta", "deliveredAt"),
    ("data", "vehicle", "id"), ("data", "signals", 0), ("data", "signals", 0, "meta"),
    ("data", "signals", 0, "status"), ("data", "signals", 0, "body"), ("triggers", 0),
    ("data", "signals", 0, "meta", "retrievedAt"), ("triggers", 0, "signal"),
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(PLACES), value=JSON_VALUES, error=st.booleans())
def test_a_signed_event_of_a_known_type_is_accepted_whatever_its_parts(
    place: Tuple[Any, ...], value: Any, error: bool
) -> None:
    payload: Any = vehicle_state()
    if error:
        payload["eventType"] = "VEHICLE_ERROR"
        payload["data"]["errors"] = vehicle_error()["data"]["errors"]
    payload["triggers"] = [{"type": "SIGNAL_UPDATED", "signal": "Closure.IsLocked"}]
    holder = payload
    for key in place[:-1]:
        holder = holder[key]
    holder[place[-1]] = value
    body = encode(payload)
    status, answer, event = Receiver(MANAGEMENT_TOKEN).handle(signed(body), body)
    assert (status, answer) == (200, {"status": "received"})
    assert event is not None
    for name in ("event_id", "meta", "vehicle", "user", "signals", "triggers", "errors"):
        getattr(event, name, None)
    if hasattr(event, "odometer"):
        with contextlib.suppress(SmartcarException):
            event.odometer()
