"""HMAC-SHA256 signatures of webhook deliveries and answers to VERIFY challenges.

Smartcar signs every delivery with ``SC-Signature: hex(HMAC-SHA256(key, raw body))``, where the
key is the application's management token (Dashboard, Configuration) as UTF-8. The same HMAC,
over the challenge string, answers a VERIFY event.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Dict, Union

__all__ = [
    "as_body_bytes",
    "challenge_response",
    "hash_hmac",
    "is_unicode",
    "key_bytes",
    "verify_signature",
]

_HEX_DIGITS = frozenset("0123456789abcdef")
_SIGNATURE_LENGTH = 64  # hex digits of a SHA-256 digest


def hash_hmac(key: str, message: Union[str, bytes]) -> str:
    """Return the lowercase hex HMAC-SHA256 of ``message`` (a str is taken as UTF-8).

    Raises:
        TypeError: ``key`` is not a str, or ``message`` is neither str nor bytes.
        ValueError: ``key`` is empty, or ``message`` is a str that is not valid Unicode (a
            lone surrogate such as ``"\\ud800"``, which JSON can carry but UTF-8 cannot).
    """
    secret = key_bytes(key, "key")
    if isinstance(message, str):
        if not is_unicode(message):
            raise ValueError("message is not valid Unicode (it holds a lone surrogate)")
        message_bytes = message.encode("utf-8")
    elif isinstance(message, (bytes, bytearray, memoryview)):
        message_bytes = bytes(message)
    else:
        raise TypeError(f"message must be str or bytes, not {type(message).__name__}")
    return hmac.new(secret, message_bytes, hashlib.sha256).hexdigest()


def verify_signature(management_token: str, body: bytes, signature: Any) -> bool:
    """Return whether ``signature`` is the hex HMAC-SHA256 of the raw ``body`` bytes.

    The comparison runs in constant time and ignores the case of the hex digits (and
    surrounding whitespace). A missing or malformed signature (``None``, not hex, wrong length,
    not a string) gives ``False``, never an exception.

    Args:
        management_token: the application management token that signs the deliveries.
        body: the request body exactly as received (``request.get_data()`` in Flask,
            ``request.body`` in Django, ``await request.body()`` in FastAPI).
        signature: the ``SC-Signature`` header value (str or bytes).

    Raises:
        TypeError: ``body`` is a str (or any other non-bytes type): the signature covers the
            raw bytes, and decoded or re-serialised JSON may differ from them.
        TypeError, ValueError: ``management_token`` is not a non-empty str.
    """
    key = key_bytes(management_token, "management_token")
    raw = as_body_bytes(body)
    candidate = _normalised_signature(signature)
    if candidate is None:
        return False
    expected = hmac.new(key, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, candidate)


def challenge_response(management_token: str, challenge: str) -> Dict[str, str]:
    """Return the JSON object answering a VERIFY event: ``{"challenge": hex HMAC}``.

    Raises:
        TypeError: ``challenge`` is not a str, or ``management_token`` is not a str.
        ValueError: ``management_token`` is empty, or ``challenge`` is not valid Unicode.
    """
    if not isinstance(challenge, str):
        raise TypeError(f"challenge must be a str, not {type(challenge).__name__}")
    return {"challenge": hash_hmac(management_token, challenge)}


def is_unicode(text: str) -> bool:
    """Whether ``text`` can be encoded as UTF-8 (JSON's ``"\\ud800"`` gives a str that cannot)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def as_body_bytes(body: Any) -> bytes:
    """Return ``body`` as bytes; refuse a str (and anything else) with a TypeError."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        raise TypeError(
            "body must be the raw request body as bytes, not a str: the signature covers the "
            "exact bytes received (request.get_data() in Flask, request.body in Django)"
        )
    raise TypeError(f"body must be the raw request body as bytes, not {type(body).__name__}")


def key_bytes(key: Any, name: str) -> bytes:
    """Return the HMAC key ``key`` as UTF-8; raise TypeError/ValueError naming ``name``."""
    # The key is a secret: neither its value nor its length goes into a message.
    if not isinstance(key, str):
        raise TypeError(f"{name} must be a str, not {type(key).__name__}")
    if not key:
        raise ValueError(f"{name} must not be empty")
    return key.encode("utf-8")


def _normalised_signature(signature: Any) -> Union[str, None]:
    if isinstance(signature, (bytes, bytearray)):
        try:
            signature = bytes(signature).decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(signature, str):
        return None
    candidate = signature.strip().lower()
    if len(candidate) != _SIGNATURE_LENGTH or not _HEX_DIGITS.issuperset(candidate):
        return None
    return candidate
