"""The async I/O drivers: send one built request, return the whole answer or an SDK exception.

A driver is the only async code that touches the network. It gets a request the core built
(method, URL with its query, headers, body bytes) and gives back :class:`RawAnswer` (status,
reason, headers, decoded body bytes); everything else (credentials, retries, error answers)
is the core's. Two libraries can carry it, the caller's choice:

* :class:`HttpxDriver` on an ``httpx.AsyncClient``;
* :class:`AiohttpDriver` on an ``aiohttp.ClientSession`` (Home Assistant's shared one, say).

Bounds, as in the sync transport: the whole answer (head and body) must arrive within the
read timeout of the attempt, the decoded body may not exceed the size limit (decoded here, by
the same bounded inflaters, so a gzip bomb is never inflated in full), and no exception of
either library, nor ``asyncio.TimeoutError``, escapes: each becomes
:class:`~smartcar.exceptions.SmartcarTimeout` or
:class:`~smartcar.exceptions.SmartcarConnectionError` (``error="connection_failed"``: nothing
was sent). ``asyncio.CancelledError`` is never caught: a cancelled call is cancelled, and the
connection it held is closed, not returned to the pool half read.

Neither library is imported by ``import smartcar``: only a driver built for one imports it.
"""

from __future__ import annotations

import asyncio
import sys
import zlib
from typing import TYPE_CHECKING, Any, AsyncIterator, Mapping, NamedTuple, Optional, Protocol

from requests.structures import CaseInsensitiveDict

from ._body import CHUNK_SIZE, BodyTooLarge, _decoders
from .exceptions import SmartcarConnectionError, SmartcarException, SmartcarTimeout

if TYPE_CHECKING:
    import aiohttp
    import httpx

__all__ = [
    "AiohttpDriver",
    "AsyncDriver",
    "HttpxDriver",
    "RawAnswer",
    "SentRequest",
    "driver_for",
    "own_driver",
]

POOL_SIZE = 1024
"""Connections the SDK's own client keeps per host: as many as a sweep's reads in flight."""


class SentRequest(NamedTuple):
    """One attempt as built by the core: what goes on the wire, nothing more."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: Optional[bytes]
    connect_timeout: float
    read_timeout: float
    limit: int


class RawAnswer(NamedTuple):
    """The whole answer to one attempt."""

    status: int
    reason: str
    headers: Mapping[str, str]
    body: bytes


class AsyncDriver(Protocol):
    """Sends one attempt (see the module docstring)."""

    async def send(self, request: SentRequest) -> RawAnswer:
        """Send ``request`` and return its whole answer.

        Raises:
            SmartcarTimeout: the answer did not arrive in time.
            SmartcarConnectionError: the connection failed or broke.
            SmartcarException: a body over the limit, or one that does not decode.
        """
        ...

    async def aclose(self) -> None:
        """Release the connection pool (only the SDK's own; a caller's session is theirs)."""
        ...


class _Body:
    """Collects decoded body bytes, at most ``limit`` of them."""

    def __init__(self, content_encoding: Optional[str], limit: int) -> None:
        self._decoders = _decoders(content_encoding)
        self._limit = limit
        self._size = 0
        self._parts: list[bytes] = []

    def feed(self, data: bytes) -> None:
        for decoder in self._decoders:
            data = decoder.feed(data, self._limit - self._size)
        self._size += len(data)
        if self._size > self._limit:
            raise BodyTooLarge(self._limit)
        self._parts.append(data)

    def value(self) -> bytes:
        return b"".join(self._parts)


async def _collect(
    chunks: AsyncIterator[bytes], request: SentRequest, status: int, headers: Mapping[str, str]
) -> bytes:
    body = _Body(headers.get("Content-Encoding"), request.limit)
    try:
        async for chunk in chunks:
            body.feed(chunk)
    except BodyTooLarge:
        raise SmartcarException(
            f"The answer from {_host(request.url)} is larger than the {request.limit}-byte "
            "limit (smartcar.set_defaults(max_body_size=...))",
            status_code=status,
            error="response_too_large",
            request_id=headers.get("sc-request-id") or None,
        ) from None
    except zlib.error:
        raise SmartcarException(
            f"The answer from {_host(request.url)} does not decode as its Content-Encoding says",
            status_code=status,
            error="invalid_response",
            request_id=headers.get("sc-request-id") or None,
        ) from None
    return body.value()


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc


def _late(request: SentRequest) -> SmartcarTimeout:
    return SmartcarTimeout(
        f"Timed out waiting for {_host(request.url)}: the whole answer did not arrive within "
        f"the {request.read_timeout:g} s read timeout",
        error="timeout",
    )


def _not_connected(request: SentRequest, timed_out: bool) -> SmartcarException:
    """Nothing was sent: the core may repeat any request after this."""
    import requests

    host = _host(request.url)
    if timed_out:
        failure: SmartcarException = SmartcarTimeout(
            f"Timed out connecting to {host}", error="timeout"
        )
        # What :func:`smartcar._transport.was_sent` reads to know nothing left this machine.
        failure.__cause__ = requests.ConnectTimeout(f"connect timeout to {host}")
        return failure
    return SmartcarConnectionError(f"Could not connect to {host}", error="connection_failed")


def _dropped(request: SentRequest) -> SmartcarConnectionError:
    return SmartcarConnectionError(
        f"The connection to {_host(request.url)} broke before the whole answer arrived",
        error="connection_dropped",
    )


def _tls_failed(request: SentRequest) -> SmartcarConnectionError:
    return SmartcarConnectionError(
        f"TLS verification with {_host(request.url)} failed (untrusted certificate?)",
        error="tls_failed",
    )


if sys.version_info >= (3, 11):

    def _deadline(seconds: float) -> Any:
        return asyncio.timeout(seconds)

else:  # pragma: no cover - the interpreter the tests run on has asyncio.timeout

    class _deadline:
        """``asyncio.timeout`` for Python 3.9 and 3.10: cancels the task at the deadline."""

        def __init__(self, seconds: float) -> None:
            self._seconds = seconds
            self._fired = False
            self._handle: Optional[asyncio.TimerHandle] = None

        async def __aenter__(self) -> None:
            task = asyncio.current_task()
            assert task is not None
            loop = asyncio.get_running_loop()
            self._handle = loop.call_later(self._seconds, self._fire, task)

        def _fire(self, task: asyncio.Task[Any]) -> None:
            self._fired = True
            task.cancel()

        async def __aexit__(self, kind: Any, error: Any, trace: Any) -> bool:
            assert self._handle is not None
            self._handle.cancel()
            if self._fired and kind is asyncio.CancelledError:
                raise asyncio.TimeoutError() from None
            return False


class HttpxDriver:
    """Sends on an ``httpx.AsyncClient`` (the caller's, or one the SDK made: ``owned``)."""

    def __init__(self, client: httpx.AsyncClient, *, owned: bool = False) -> None:
        self.client = client
        self._owned = owned

    def __repr__(self) -> str:
        return f"HttpxDriver(owned={self._owned})"

    async def send(self, request: SentRequest) -> RawAnswer:
        import httpx

        timeout = httpx.Timeout(
            request.read_timeout, connect=request.connect_timeout, pool=request.read_timeout
        )
        built = self.client.build_request(
            request.method,
            request.url,
            headers=dict(request.headers),
            content=request.body,
            timeout=timeout,
        )
        try:
            async with _deadline(request.read_timeout):
                response = await self.client.send(built, stream=True, follow_redirects=False)
                try:
                    headers = CaseInsensitiveDict(response.headers.items())
                    body = await _collect(
                        response.aiter_raw(CHUNK_SIZE), request, response.status_code, headers
                    )
                finally:
                    await response.aclose()
        except asyncio.TimeoutError:
            raise _late(request) from None
        except httpx.ConnectTimeout:
            raise _not_connected(request, timed_out=True) from None
        except httpx.ConnectError as error:
            if _is_tls(error):
                raise _tls_failed(request) from None
            raise _not_connected(request, timed_out=False) from None
        except httpx.TimeoutException:
            raise _late(request) from None
        except httpx.HTTPError:
            raise _dropped(request) from None
        return RawAnswer(response.status_code, response.reason_phrase, headers, body)

    async def aclose(self) -> None:
        if self._owned:
            await self.client.aclose()


class AiohttpDriver:
    """Sends on an ``aiohttp.ClientSession`` (the caller's, or one the SDK made: ``owned``)."""

    def __init__(self, session: aiohttp.ClientSession, *, owned: bool = False) -> None:
        self.session = session
        self._owned = owned

    def __repr__(self) -> str:
        return f"AiohttpDriver(owned={self._owned})"

    async def send(self, request: SentRequest) -> RawAnswer:
        import aiohttp

        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=request.connect_timeout, sock_read=request.read_timeout
        )
        try:
            async with (
                _deadline(request.read_timeout),
                self.session.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    data=request.body,
                    timeout=timeout,
                    allow_redirects=False,
                    auto_decompress=False,
                ) as response,
            ):
                headers = CaseInsensitiveDict(response.headers.items())
                body = await _collect(
                    response.content.iter_chunked(CHUNK_SIZE),
                    request,
                    response.status,
                    headers,
                )
        except asyncio.TimeoutError:
            raise _late(request) from None
        except aiohttp.ConnectionTimeoutError:
            raise _not_connected(request, timed_out=True) from None
        except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError):
            raise _tls_failed(request) from None
        except aiohttp.ClientConnectorError:
            raise _not_connected(request, timed_out=False) from None
        except aiohttp.ServerTimeoutError:
            raise _late(request) from None
        except (aiohttp.ClientError, OSError, ValueError):
            raise _dropped(request) from None
        return RawAnswer(response.status, response.reason or "", headers, body)

    async def aclose(self) -> None:
        if self._owned:
            await self.session.close()


def _is_tls(error: BaseException) -> bool:
    import ssl

    seen = 0
    current: Optional[BaseException] = error
    while current is not None and seen < 10:
        if isinstance(current, ssl.SSLError):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False


def driver_for(session: Any) -> AsyncDriver:
    """The driver for a caller's ``aiohttp.ClientSession`` or ``httpx.AsyncClient``.

    Raises:
        TypeError: ``session`` is neither.
    """
    kind = type(session)
    module = kind.__module__.split(".")[0]
    if module == "httpx":
        import httpx

        if isinstance(session, httpx.AsyncClient):
            return HttpxDriver(session)
    if module == "aiohttp":
        import aiohttp

        if isinstance(session, aiohttp.ClientSession):
            return AiohttpDriver(session)
    raise TypeError(
        f"session must be an aiohttp.ClientSession or an httpx.AsyncClient, not {kind.__name__}"
    )


def own_driver() -> AsyncDriver:
    """A driver on a client of the SDK's own (closed by ``aclose()``): aiohttp's, the faster in
    the sweep benchmark (benchmarks/async_sweep.py), else httpx's when only it is installed.

    Raises:
        ImportError: neither library is installed (``pip install 'smartcar-sdk-next[async]'``).
    """
    try:
        import aiohttp
    except ImportError:
        try:
            import httpx
        except ImportError:
            raise ImportError(
                "the async client needs aiohttp or httpx: pip install 'smartcar-sdk-next[async]'"
            ) from None
        limits = httpx.Limits(max_connections=POOL_SIZE, max_keepalive_connections=POOL_SIZE)
        return HttpxDriver(httpx.AsyncClient(limits=limits), owned=True)
    connector = aiohttp.TCPConnector(limit=POOL_SIZE, limit_per_host=POOL_SIZE)
    return AiohttpDriver(
        aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()),
        owned=True,
    )
