"""The official 6.x SDK's v2 webhook helpers, ``hash_challenge`` and ``verify_payload``, with
its argument order; the HMAC itself is :mod:`smartcar.webhooks`' (imported when first used)."""

from __future__ import annotations

from typing import Any, Union

from ._checks import non_empty_str

__all__ = ["hash_challenge", "verify_payload"]


def hash_challenge(management_token: str, challenge: str) -> str:
    """Return the answer to a webhook VERIFY challenge: the hex HMAC-SHA256 of ``challenge``
    keyed with the application management token.

    Raises:
        TypeError: ``management_token`` or ``challenge`` is not a string.
        ValueError: ``management_token`` is empty.
    """
    from .webhooks import hash_hmac

    token = non_empty_str(management_token, "management_token")
    if not isinstance(challenge, str):
        raise TypeError(f"challenge must be a string, not {type(challenge).__name__}")
    return hash_hmac(token, challenge)


def verify_payload(management_token: str, signature: Any, body: Union[str, bytes]) -> bool:
    """Return whether ``signature`` (the ``SC-Signature`` header) signs ``body``.

    The comparison runs in constant time; a missing or malformed signature gives ``False``.

    Args:
        management_token: the application management token.
        signature: the ``SC-Signature`` header value.
        body: the request body as received: bytes, or the text of the body (taken as UTF-8,
            as the official SDK does). Prefer the raw bytes: re-serialised JSON differs.

    Raises:
        TypeError: ``management_token`` is not a string, or ``body`` neither str nor bytes.
        ValueError: ``management_token`` is empty.
    """
    from .webhooks import verify_signature

    token = non_empty_str(management_token, "management_token")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return verify_signature(token, body, signature)
