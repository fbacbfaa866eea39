"""verify_signature, hash_hmac, challenge_response: vectors computed here with hmac."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, List

import pytest

from smartcar.webhooks import _signature, challenge_response, hash_hmac, verify_signature

from .support import MANAGEMENT_TOKEN, encode, sign, vehicle_state

# Published HMAC-SHA256 vectors (RFC 4231 test case 2, and the common "key"/"fox" vector).
PUBLISHED = [
    ("Jefe", b"what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    ("key", b"The quick brown fox jumps over the lazy dog",
     "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"),
]  # fmt: skip

BODIES = [
    b"",
    b"{}",
    encode(vehicle_state()),
    '{"name":"Zoë ✓ 車"}'.encode(),
    bytes(range(256)),  # not UTF-8 at all: the signature covers bytes, not text
]


@pytest.mark.parametrize(("key", "message", "digest"), PUBLISHED)
def test_published_vectors(key: str, message: bytes, digest: str) -> None:
    assert hash_hmac(key, message) == digest
    assert hash_hmac(key, message.decode()) == digest
    assert verify_signature(key, message, digest)


@pytest.mark.parametrize("body", BODIES)
def test_signature_of_raw_bytes(body: bytes) -> None:
    expected = hmac.new(MANAGEMENT_TOKEN.encode(), body, hashlib.sha256).hexdigest()
    assert verify_signature(MANAGEMENT_TOKEN, body, expected)
    assert hash_hmac(MANAGEMENT_TOKEN, body) == expected


def test_non_ascii_key_is_utf8() -> None:
    key = "clé-🔑"
    expected = hmac.new(key.encode("utf-8"), b"payload", hashlib.sha256).hexdigest()
    assert hash_hmac(key, "payload") == expected
    assert verify_signature(key, b"payload", expected)


def test_hex_case_and_surrounding_whitespace_are_ignored() -> None:
    body = encode(vehicle_state())
    signature = sign(body)
    assert verify_signature(MANAGEMENT_TOKEN, body, signature.upper())
    assert verify_signature(MANAGEMENT_TOKEN, body, f"  {signature}\r\n")
    assert verify_signature(MANAGEMENT_TOKEN, body, signature.encode("ascii"))


def test_bytes_like_bodies_are_accepted() -> None:
    body = encode(vehicle_state())
    assert verify_signature(MANAGEMENT_TOKEN, bytearray(body), sign(body))
    assert verify_signature(MANAGEMENT_TOKEN, memoryview(body), sign(body))


def test_wrong_key_body_or_signature_is_false() -> None:
    body = encode(vehicle_state())
    signature = sign(body)
    assert not verify_signature("another-token", body, signature)
    assert not verify_signature(MANAGEMENT_TOKEN, body + b" ", signature)
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not verify_signature(MANAGEMENT_TOKEN, body, flipped)


def test_reserialised_json_does_not_verify() -> None:
    """The classic mistake: signing json.dumps(json.loads(body)) instead of the raw bytes."""
    import json

    body = b'{"eventId": "e1",  "eventType": "VEHICLE_STATE"}'
    reserialised = json.dumps(json.loads(body)).encode()
    assert reserialised != body
    assert not verify_signature(MANAGEMENT_TOKEN, body, sign(reserialised))


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "   ",
        "not-a-signature",
        "g" * 64,
        "a" * 63,
        "a" * 65,
        "é" * 64,
        b"\xff" * 64,
        64,
        ["a" * 64],
        {"sig": "x"},
        "sha256=" + "a" * 64,
    ],
)
def test_malformed_signature_is_false_never_an_exception(signature: Any) -> None:
    assert verify_signature(MANAGEMENT_TOKEN, b"{}", signature) is False


def test_str_body_is_refused_with_a_hint_to_pass_bytes() -> None:
    body = encode(vehicle_state())
    with pytest.raises(TypeError, match="raw request body as bytes"):
        verify_signature(MANAGEMENT_TOKEN, body.decode(), sign(body))  # type: ignore[arg-type]


@pytest.mark.parametrize("body", [None, 12, {"eventId": "x"}, ["x"]])
def test_other_non_bytes_bodies_are_refused(body: Any) -> None:
    with pytest.raises(TypeError, match="body must be the raw request body as bytes"):
        verify_signature(MANAGEMENT_TOKEN, body, "a" * 64)


@pytest.mark.parametrize(
    ("token", "error"), [("", ValueError), (None, TypeError), (b"k", TypeError)]
)
def test_bad_management_token_names_the_argument(token: Any, error: type) -> None:
    with pytest.raises(error, match="management_token"):
        verify_signature(token, b"{}", "a" * 64)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Any] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(_signature.hmac, "compare_digest", spy)
    body = encode(vehicle_state())
    assert verify_signature(MANAGEMENT_TOKEN, body, sign(body).upper())
    assert calls == [(sign(body), sign(body))]


def test_challenge_response_is_the_hmac_of_the_challenge() -> None:
    challenge = "3b2f8c1e-challenge-9d41"
    expected = hmac.new(MANAGEMENT_TOKEN.encode(), challenge.encode(), hashlib.sha256).hexdigest()
    assert challenge_response(MANAGEMENT_TOKEN, challenge) == {"challenge": expected}


@pytest.mark.parametrize("challenge", [None, 5, b"bytes"])
def test_challenge_must_be_a_str(challenge: Any) -> None:
    with pytest.raises(TypeError, match="challenge must be a str"):
        challenge_response(MANAGEMENT_TOKEN, challenge)


def test_hash_hmac_refuses_other_message_types() -> None:
    with pytest.raises(TypeError, match="message must be str or bytes"):
        hash_hmac("key", 12)  # type: ignore[arg-type]


def test_errors_never_show_the_token() -> None:
    for call in (
        lambda: verify_signature(MANAGEMENT_TOKEN, "text", "x"),  # type: ignore[arg-type]
        lambda: challenge_response(MANAGEMENT_TOKEN, None),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError) as caught:
            call()
        assert MANAGEMENT_TOKEN not in str(caught.value)
        assert MANAGEMENT_TOKEN not in repr(caught.value)
