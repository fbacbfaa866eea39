"""The async I/O drivers: send one built request, return the whole answer or an SDK exception.

A driver is the only async code that touches the network. It gets a
:class:`~smartcar._core.Request` the sans-I/O core built (method, URL with its query, every
header, body bytes, timeout, size limit), sends it once, and hands the status, headers and
body bytes to :func:`smartcar._core.decode`; a failure without an answer becomes the core's
exception for it (:func:`~smartcar._core.timed_out`, :func:`~smartcar._core.connection_failed`,
...). Everything else (credentials, retries, the meaning of an answer) is the core's.
Two libraries can carry it, the caller's choice:

* :class:`HttpxDriver` on an ``httpx.AsyncClient``;
* :class:`AiohttpDriver` on an ``aiohttp.ClientSession`` (Home Assistant's shared one, say).

Bounds, as in the sync transport: the whole answer (head and body) must arrive within the
read timeout of the attempt, the decoded body may not exceed the size limit (decoded here, by
the same bounded inflaters, so a gzip bomb is never inflated in full), and no exception of
either library, nor ``asyncio.TimeoutError``, escapes: each becomes the core's
:class:`~smartcar.exceptions.SmartcarTimeout` or
:class:`~smartcar.exceptions.SmartcarConnectionError`. ``asyncio.CancelledError`` is never
caught: a cancelled call is cancelled, and the
connection it held is closed, not returned to the pool half read.

Neither library is imported by ``import smartcar``: only a driver built for one imports it.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import sys
import zlib
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
)

from requests.structures import CaseInsensitiveDict

from . import _core
from ._body import CHUNK_SIZE, BodyTooLarge, _decoders
from ._core import Outcome, Request
from ._settings import Timeout

if TYPE_CHECKING:
    import aiohttp
    import httpx

__all__ = ["AiohttpDriver", "AsyncTransport", "HttpxDriver", "driver_for", "own_driver"]

POOL_SIZE = 1024
"""Connections the SDK's own client keeps per host: as many as a sweep's reads in flight."""


class AsyncTransport(Protocol):
    """The async :class:`smartcar._transport.Transport`: sends one attempt of a request."""

    async def attempt(self, request: Request) -> Outcome:
        """Send ``request`` once; return its decoded answer or the exception for a failure
        without one (never raise it; ``asyncio.CancelledError`` propagates)."""
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
        self._parts: List[bytes] = []

    def feed(self, data: bytes) -> None:
        for decoder in self._decoders:
            data = decoder.feed(data, self._limit - self._size)
        self._size += len(data)
        if self._size > self._limit:
            raise BodyTooLarge(self._limit)
        self._parts.append(data)

    def value(self) -> bytes:
        return b"".join(self._parts)


async def _receive(
    request: Request,
    chunks: AsyncIterator[bytes],
    status: int,
    headers: Mapping[str, str],
    reason: str,
) -> Outcome:
    """Read the body within the size limit and decode the answer."""
    body = _Body(headers.get("Content-Encoding"), request.max_body_size)
    try:
        async for chunk in chunks:
            body.feed(chunk)
    except BodyTooLarge:
        return _core.too_large(request, status, headers)
    except zlib.error:
        return _core.invalid_encoding(request, status, headers)
    return _decoded(request, status, headers, body.value(), reason)


def _decoded(
    request: Request, status: int, headers: Mapping[str, str], content: bytes, reason: str
) -> Outcome:
    """The whole answer decoded, an exception keeping it as ``e.response``."""
    return _core.decode(
        request, status, headers, content, reason=reason, response=_Answer(status, headers, content)
    )


class _Answer(NamedTuple):
    """What an exception keeps as ``e.response``: the answer's status, headers and body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


def _pair(timeout: Timeout) -> Tuple[float, float]:
    """``(connect, read)`` seconds of a request's timeout."""
    return timeout if isinstance(timeout, tuple) else (timeout, timeout)


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

    async def attempt(self, request: Request) -> Outcome:
        """See :class:`AsyncTransport`."""
        import httpx

        built = self.client.build_request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.body,
            timeout=_httpx_timeout(request.timeout),
        )
        try:
            async with _deadline(request.read_timeout):
                response = await self.client.send(built, stream=True, follow_redirects=False)
                try:
                    headers = CaseInsensitiveDict(response.headers.items())
                    length = headers.get("Content-Length")
                    if _whole_body_known(
                        int(length) if length and length.isdigit() else None,
                        headers,
                        request.max_body_size,
                    ):
                        content = await response.aread()
                        return _decoded(
                            request, response.status_code, headers, content, response.reason_phrase
                        )
                    outcome = await _receive(
                        request,
                        response.aiter_raw(CHUNK_SIZE),
                        response.status_code,
                        headers,
                        response.reason_phrase,
                    )
                finally:
                    await response.aclose()
        except asyncio.TimeoutError:
            return _core.timed_out(request, deadline=True)
        except httpx.ConnectTimeout:
            return _core.timed_out(request, connecting=True)
        except httpx.ConnectError as error:
            return _core.tls_failed(request) if _is_tls(error) else _core.connection_failed(request)
        except httpx.TimeoutException:
            return _core.timed_out(request, deadline=True)
        except httpx.HTTPError:
            return _core.connection_dropped(request)
        return outcome

    async def aclose(self) -> None:
        """See :class:`AsyncTransport`."""
        if self._owned:
            await self.client.aclose()


class AiohttpDriver:
    """Sends on an ``aiohttp.ClientSession`` (the caller's, or one the SDK made: ``owned``)."""

    def __init__(self, session: aiohttp.ClientSession, *, owned: bool = False) -> None:
        from multidict import CIMultiDict  # aiohttp's own; imported once, not per attempt

        self.session = session
        self._owned = owned
        self._headers: Callable[[Any], Mapping[str, str]] = CIMultiDict

    def __repr__(self) -> str:
        return f"AiohttpDriver(owned={self._owned})"

    async def attempt(self, request: Request) -> Outcome:
        """See :class:`AsyncTransport`."""
        import aiohttp

        try:
            # aiohttp's ``total`` runs until the body is read: the whole-answer deadline.
            async with self.session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.body,
                timeout=_aiohttp_timeout(request.timeout),
                allow_redirects=False,
                auto_decompress=False,
            ) as response:
                headers = self._headers(response.headers)
                status = response.status
                if _whole_body_known(response.content_length, headers, request.max_body_size):
                    content = await response.read()
                    return _decoded(request, status, headers, content, response.reason or "")
                outcome = await _receive(
                    request,
                    response.content.iter_chunked(CHUNK_SIZE),
                    status,
                    headers,
                    response.reason or "",
                )
        except aiohttp.ConnectionTimeoutError:
            return _core.timed_out(request, connecting=True)
        except asyncio.TimeoutError:  # the total deadline, or a read between its chunks
            return _core.timed_out(request, deadline=True)
        except (aiohttp.ClientSSLError, aiohttp.ClientConnectorCertificateError):
            return _core.tls_failed(request)
        except aiohttp.ClientConnectorError:
            return _core.connection_failed(request)
        except (aiohttp.ClientError, OSError, ValueError):
            return _core.connection_dropped(request)
        return outcome

    async def aclose(self) -> None:
        """See :class:`AsyncTransport`."""
        if self._owned:
            await self.session.close()


def _whole_body_known(length: Optional[int], headers: Mapping[str, str], limit: int) -> bool:
    """Whether the body can be read in one go: its length is announced, within ``limit``, and
    it comes as is (no ``Content-Encoding`` to inflate within the limit)."""
    return length is not None and length <= limit and "Content-Encoding" not in headers


@functools.lru_cache(maxsize=32)
def _aiohttp_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for a request's ``(connect, read)``: ``read`` for the whole answer."""
    import aiohttp

    connect, read = _pair(timeout)
    return aiohttp.ClientTimeout(total=read, sock_connect=connect)


@functools.lru_cache(maxsize=32)
def _httpx_timeout(timeout: Timeout) -> httpx.Timeout:
    """httpx's timeouts for a request's ``(connect, read)``."""
    import httpx

    connect, read = _pair(timeout)
    return httpx.Timeout(read, connect=connect, pool=read)


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


def driver_for(session: Any) -> AsyncTransport:
    """The driver for a caller's ``aiohttp.ClientSession`` or ``httpx.AsyncClient`` (or an
    :class:`AsyncTransport` such as :class:`smartcar.testing.AsyncMockTransport`, as is).

    Raises:
        TypeError: ``session`` is none of them.
    """
    if inspect.iscoroutinefunction(getattr(session, "attempt", None)):
        transport: AsyncTransport = session
        return transport
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


def own_driver() -> AsyncTransport:
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
