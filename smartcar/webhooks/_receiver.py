"""A framework-free webhook endpoint: answers VERIFY, checks signatures, drops redeliveries."""

from __future__ import annotations

import inspect
import secrets
from typing import Any, Dict, Optional, Tuple

from ..exceptions import WebhookPayloadError
from ._events import Event, VerifyEvent
from ._parsing import parse_unverified
from ._seen import MemorySeenSet, SeenSet, SeenSetError
from ._signature import (
    as_body_bytes,
    challenge_response,
    is_unicode,
    key_bytes,
    verify_signature,
)

__all__ = ["Receiver", "find_header"]

SIGNATURE_HEADER = "SC-Signature"
_MAX_UNSIGNED_BODY = 64 * 1024
_MAX_UNSIGNED_CHALLENGE = 1024
_NOT_UNICODE = "the VERIFY challenge is not valid Unicode (a lone surrogate): it has no HMAC"

Response = Tuple[int, Dict[str, str], Optional[Event]]


class Receiver:
    """Turns one webhook request into ``(status, response_body, event_or_None)``.

    Call :meth:`handle` from your view with the request headers and the raw body bytes, answer
    with ``status`` and ``response_body`` (a dict: send it as JSON), and process ``event``
    when it is not ``None``::

        receiver = Receiver(management_token, seen=SQLiteSeenSet("webhooks.db"))

        @app.post("/webhooks/smartcar")            # Flask
        def smartcar_webhook():
            status, body, event = receiver.handle(request.headers, request.get_data())
            if event is not None:
                process(event)
            return body, status

    What it answers:

    * **200** ``{"challenge": hmac}`` to a VERIFY event (the event is returned too). A VERIFY
      is answered with or without a valid ``SC-Signature``, since whether Smartcar signs it is
      not documented. Unsigned, it is answered only if its challenge cannot be the body of an
      event (no ``{`` or ``[``, at most 1024 characters), so the answer can never serve as a
      signature for a forged delivery.
    * **401** when ``SC-Signature`` is missing or wrong (any other event; nothing is parsed
      beyond the VERIFY check, and no event is returned).
    * **200** ``{"status": "received"}`` with the event, the first time its ``eventId`` is seen.
    * **200** ``{"status": "duplicate"}`` and no event for a redelivery of an id seen within the
      seen-set's ttl: Smartcar stops retrying and the app does not process it twice.
    * **503** and no event when the seen-set's storage fails (tried twice, with the same mark,
      so that a write whose reply was lost is recognised): Smartcar delivers again later. An
      event is never acknowledged without being handed over.
    * **400** when a correctly signed body is not an event at all (not a JSON object, no event
      type, a VERIFY without a challenge): a signed event of a known type is always accepted,
      whatever the shape of its parts; **413** past ``max_body_bytes``.

    From an ``async`` view, ``await receiver.ahandle(request.headers, await request.body())``
    (and :meth:`aforget`): the seen-set's I/O never blocks the event loop.

    An id is recorded when the event is handed over. If processing then fails, call
    :meth:`forget` and answer 5xx: Smartcar redelivers and the retry is handed over again.

    Args:
        management_token: the application management token that signs the deliveries.
        seen: the seen-set of event ids; a :class:`~smartcar.webhooks.MemorySeenSet` (7 days,
            100,000 ids) by default. Use :class:`~smartcar.webhooks.SQLiteSeenSet` or
            :class:`~smartcar.webhooks.RedisSeenSet` when several workers receive webhooks.
        max_body_bytes: larger bodies are refused with 413 before any work.

    Raises:
        TypeError, ValueError: ``management_token`` is not a non-empty str.
    """

    def __init__(
        self,
        management_token: str,
        *,
        seen: Optional[SeenSet] = None,
        max_body_bytes: int = 5 * 1024 * 1024,
    ) -> None:
        key_bytes(management_token, "management_token")
        self._management_token = management_token
        self.seen = MemorySeenSet() if seen is None else seen
        self.max_body_bytes = max_body_bytes

    @property
    def seen(self) -> SeenSet:
        """The seen-set of event ids (may be replaced)."""
        return self._seen

    @seen.setter
    def seen(self, seen: SeenSet) -> None:
        self._seen = seen
        self._marks = takes_mark(seen)  # once per seen-set, not per delivery

    def __repr__(self) -> str:
        return f"Receiver(seen={self.seen!r})"  # never the management token

    def handle(self, headers: Any, raw_body: bytes) -> Response:
        """Return ``(status, response_body, event_or_None)`` for one delivery.

        Args:
            headers: the request headers: a dict (any key case), Flask/Werkzeug or
                Starlette headers, Django's ``request.headers`` or ``request.META``
                (``HTTP_SC_SIGNATURE``), or a list of ``(name, value)`` pairs (str or bytes).
            raw_body: the body bytes exactly as received.

        Raises:
            TypeError: ``raw_body`` is a str or not bytes-like (pass the raw bytes).
        """
        body = as_body_bytes(raw_body)
        if len(body) > self.max_body_bytes:
            return 413, {"error": "payload too large"}, None
        signature = find_header(headers, SIGNATURE_HEADER)
        if signature is None or not verify_signature(self._management_token, body, signature):
            return self._unsigned(body, missing=signature is None)
        try:
            event = parse_unverified(body)
        except WebhookPayloadError as error:
            return 400, {"error": "malformed payload", "message": error.message}, None
        if isinstance(event, VerifyEvent):
            if not is_unicode(event.challenge):
                return 400, {"error": "malformed payload", "message": _NOT_UNICODE}, None
            return 200, challenge_response(self._management_token, event.challenge), event
        if event.event_id is not None:
            try:
                first = self._add(event.event_id)
            except SeenSetError:
                return 503, {"error": "the seen-set is unavailable; deliver again later"}, None
            if not first:
                return 200, {"status": "duplicate"}, None
        return 200, {"status": "received"}, event

    async def ahandle(self, headers: Any, raw_body: bytes) -> Response:
        """:meth:`handle` for an async view (FastAPI, Starlette, aiohttp): the same answer,
        without blocking the event loop. Unless the seen-set lives in this process's memory,
        the delivery is handled on a worker thread, its seen-set I/O included.

        Raises:
            TypeError: as :meth:`handle`.
        """
        if isinstance(self.seen, MemorySeenSet):
            return self.handle(headers, raw_body)
        import asyncio

        return await asyncio.to_thread(self.handle, headers, raw_body)

    async def aforget(self, event_id: str) -> None:
        """:meth:`forget` for an async view (the seen-set's I/O on a worker thread)."""
        if isinstance(self.seen, MemorySeenSet):
            self.forget(event_id)
            return
        import asyncio

        await asyncio.to_thread(self.forget, event_id)

    def _add(self, event_id: str) -> bool:
        # One mark per delivery: when the storage recorded the id but its reply was lost, the
        # retry finds its own mark and the event is still handed over, exactly once.
        if not self._marks:
            # A seen-set written before marks existed: no own-mark recognition, one attempt.
            return self.seen.add(event_id)
        mark = secrets.token_hex(16)
        try:
            return self.seen.add(event_id, mark)
        except SeenSetError:
            return self.seen.add(event_id, mark)

    def forget(self, event_id: str) -> None:
        """Forget an accepted event id, so that Smartcar's next delivery of it is handed over."""
        self.seen.discard(event_id)

    def _unsigned(self, body: bytes, *, missing: bool) -> Response:
        verify = _safe_verify(body)
        if verify is not None:
            return 200, challenge_response(self._management_token, verify.challenge), verify
        reason = f"missing {SIGNATURE_HEADER} header" if missing else "invalid signature"
        return 401, {"error": reason}, None


def _safe_verify(body: bytes) -> Optional[VerifyEvent]:
    """The VERIFY event in an unsigned ``body`` whose challenge is safe to sign, else None."""
    if len(body) > _MAX_UNSIGNED_BODY:
        return None
    try:
        event = parse_unverified(body)
    except WebhookPayloadError:
        return None
    if not isinstance(event, VerifyEvent):
        return None
    challenge = event.challenge
    if not is_unicode(challenge):
        return None
    # A JSON object or array needs "{" or "[" (byte 0x7B/0x5B in UTF-8, UTF-16 and UTF-32), so
    # the HMAC of such a challenge can never be the signature of an event body.
    if len(challenge) > _MAX_UNSIGNED_CHALLENGE or "{" in challenge or "[" in challenge:
        return None
    return event


def find_header(headers: Any, name: str) -> Optional[str]:
    """Return the value of header ``name`` in ``headers`` (any case; Django META names too).

    ``headers`` may be a mapping (a dict, Werkzeug/Starlette/Django headers, ``request.META``)
    or an iterable of ``(name, value)`` pairs of str or bytes. Returns ``None`` when absent.
    """
    wanted = name.lower()
    getter = getattr(headers, "get", None)
    if callable(getter):
        for candidate in (name, wanted):
            try:
                value = getter(candidate)
            except Exception:  # an odd mapping; the scan below still finds the header
                value = None
            if value is not None:
                return _text(value)
    try:
        pairs = headers.items() if hasattr(headers, "items") else headers
        for pair in pairs:
            key, value = pair
            if _header_name(key) == wanted:
                return _text(value)
    except (TypeError, ValueError):
        return None
    return None


def _header_name(key: Any) -> str:
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).decode("latin-1")
    if not isinstance(key, str):
        return ""
    normalised = key.lower().replace("_", "-")
    return normalised[5:] if normalised.startswith("http-") else normalised


def _text(value: Any) -> Optional[str]:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and value:
        return _text(value[0])
    return None


def takes_mark(seen: object) -> bool:
    """Whether ``seen.add`` accepts the mark (seen-sets of the one-argument protocol do not)."""
    try:
        parameters = inspect.signature(seen.add).parameters.values()  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
