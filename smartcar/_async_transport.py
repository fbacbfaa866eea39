"""The async twin of :func:`smartcar._transport.request`: the same request, the same rules.

Building a request (URL and query, headers, body, credentials), the retry rule
(:func:`~smartcar._transport.retry_delay`), the app-wide pause
(:func:`~smartcar._transport.app_pause`), the answer decoder
(:func:`~smartcar._answers.parse_response`) and redaction are the sync transport's own
functions; only the I/O differs: one attempt is sent by an :class:`~._async_drivers.AsyncDriver`
and the waits are ``asyncio.sleep``. A gate's work (a call meter whose store does I/O) runs
as its :class:`AsyncGate` says, off the event loop when it may block.

Cancellation: ``asyncio.CancelledError`` is never caught, so a cancelled call sends no further
attempt; the driver closes the connection of the attempt it cut short.
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any, Dict, Iterable, Mapping, Optional, Protocol, Tuple, Union
from urllib.parse import urlencode, urlsplit

from . import _transport
from ._answers import ApiResponse, parse_response
from ._async_drivers import AsyncDriver, RawAnswer, SentRequest
from ._config import Config, RetryPolicy, Timeout
from ._config import default as default_config
from .exceptions import SmartcarException

__all__ = ["AsyncGate", "build", "request"]


class AsyncGate(Protocol):
    """The async form of :class:`smartcar._transport.AttemptGate`."""

    async def admit(self, policy: RetryPolicy) -> None:
        """Before each attempt: may wait, or raise so that nothing is sent."""
        ...

    async def record(
        self, outcome: Union[ApiResponse, SmartcarException], pause: Optional[float]
    ) -> None:
        """After each attempt, with its outcome and the app-wide pause it calls for."""
        ...


def build(
    method: str,
    url: str,
    *,
    token: Optional[str] = None,
    basic_auth: Optional[Tuple[str, str]] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    headers: Optional[Mapping[str, str]] = None,
) -> Tuple[str, Dict[str, str], Optional[bytes], Tuple[str, ...]]:
    """Return ``(url with its query, headers, body, secrets found in the headers)`` as the
    sync transport sends them (``requests``' encoding of the query, form and JSON body).

    Raises:
        ValueError: a credential, header or body that cannot be sent (as the sync transport).
    """
    _transport._check_credentials(token, basic_auth)
    send_headers: Dict[str, str] = {
        "User-Agent": _transport.USER_AGENT,
        "Accept-Encoding": _accept_encoding(),
    }
    if token is not None:
        send_headers["Authorization"] = "Bearer " + token
    elif basic_auth is not None:
        pair = f"{basic_auth[0]}:{basic_auth[1]}".encode("latin1")
        send_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    body: Optional[bytes] = None
    if json_body is not None:
        send_headers["Content-Type"] = "application/json"
        body = _transport.encode_json(json_body)
    elif form is not None:
        send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(list(form)).encode("ascii")
    secrets: Tuple[str, ...] = ()
    if headers is not None:
        for name, value in _transport._checked_headers(headers).items():
            if name.lower() == "authorization":
                send_headers.pop("Authorization", None)
                secrets += (value, value.partition(" ")[2])
            send_headers[name] = value
    if params:
        query = urlencode(list(params.items()), doseq=True)
        url = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
    return url, send_headers, body, secrets


def _accept_encoding() -> str:
    from ._body import ACCEPT_ENCODING

    return ACCEPT_ENCODING


async def request(
    driver: AsyncDriver,
    method: str,
    url: str,
    *,
    token: Optional[str] = None,
    basic_auth: Optional[Tuple[str, str]] = None,
    params: Optional[Mapping[str, Any]] = None,
    json_body: Any = None,
    form: Optional[Iterable[Tuple[str, str]]] = None,
    timeout: Optional[Timeout] = None,
    max_retries: Optional[int] = None,
    secrets: Iterable[Any] = (),
    headers: Optional[Mapping[str, str]] = None,
    repeatable: Optional[bool] = None,
    config: Optional[Config] = None,
    gate: Optional[AsyncGate] = None,
) -> ApiResponse:
    """Send one logical request on ``driver`` and return its 2xx answer; the arguments,
    result and exceptions are those of :func:`smartcar._transport.request`."""
    full_url, send_headers, body, header_secrets = build(
        method,
        url,
        token=token,
        basic_auth=basic_auth,
        params=params,
        json_body=json_body,
        form=form,
        headers=headers,
    )
    settings = config if config is not None else default_config()
    policy = settings.retry
    if max_retries is not None:
        policy = policy._replace(max_retries=max_retries)
    may_repeat = method == "GET" if repeatable is None else repeatable
    send_timeout = timeout if timeout is not None else settings.timeout
    connect, read = send_timeout if isinstance(send_timeout, tuple) else (send_timeout,) * 2
    sent = SentRequest(method, full_url, send_headers, body, connect, read, settings.max_body_size)
    from ._redact import Redactor

    redactor = Redactor((token, *secrets, *header_secrets), basic_auth=basic_auth)
    path = urlsplit(url).path or "/"
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        if gate is not None:
            await gate.admit(policy)
        attempt_started = time.monotonic()
        outcome = await _attempt(driver, sent, redactor)
        _transport._log_attempt(method, path, outcome, time.monotonic() - attempt_started, attempt)
        if gate is not None:
            await gate.record(outcome, _transport.app_pause(outcome, policy, attempt))
        if isinstance(outcome, ApiResponse):
            return outcome
        delay = _transport.retry_delay(may_repeat, outcome, policy, attempt)
        if delay is None or time.monotonic() - started + delay > policy.max_elapsed:
            raise outcome
        _transport.logger.warning(
            "retrying %s %s in %.2fs after %s (attempt %d of %d)",
            method,
            path,
            delay,
            _transport._describe(outcome),
            attempt + 1,
            policy.max_retries + 1,
        )
        await asyncio.sleep(delay)


async def _attempt(
    driver: AsyncDriver, sent: SentRequest, redactor: Any
) -> Union[ApiResponse, SmartcarException]:
    try:
        answer: RawAnswer = await driver.send(sent)
    except SmartcarException as failure:
        return failure
    try:
        return parse_response(
            answer.status, answer.headers, answer.body, answer, answer.reason, redactor=redactor
        )
    except SmartcarException as error:
        return error
