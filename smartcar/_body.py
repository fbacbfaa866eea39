"""Reading one answer's body within bounds: a deadline for the whole body and a size cap.

A hostile or broken server must not keep a call busy, or the process's memory full, for as
long as it likes:

* the whole body must arrive before the attempt's deadline (its read timeout after the
  attempt started), however slowly it drips and whether or not a chunked body ever ends;
  each socket read waits at most for what is left of it;
* the *decoded* body may not exceed ``limit`` bytes (16 MiB by default): reading stops, and
  so does decompression, as soon as it would (a gzip "bomb" is never inflated in full).

``gzip``/``x-gzip`` and ``deflate`` (zlib or raw) content encodings are decoded here, by
zlib with a bounded output size; the SDK asks for no other encoding.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from typing import Any, Callable, List, Optional

__all__ = [
    "ACCEPT_ENCODING",
    "CHUNK_SIZE",
    "BodyTooLarge",
    "DeadlinePassed",
    "read_body",
]

CHUNK_SIZE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The decoded body would exceed the size limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class DeadlinePassed(Exception):
    """The deadline passed before the whole body arrived."""


class _Inflater:
    """Decodes one content encoding, never producing much more output than asked for."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        # "deflate" is zlib-wrapped by the RFC, raw deflate from some servers: probe once.
        self._probing = not self._gzip
        self._finished_members = 0
        self._obj = self._new()

    def _new(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; stop once more than ``room`` bytes came out (the caller gives up)."""
        out = b""
        pending = data
        while pending and len(out) <= room:
            try:
                part = self._obj.decompress(pending, room + 1 - len(out))
            except zlib.error:
                if self._probing:
                    self._probing = False
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                if self._finished_members:
                    return out  # bytes after a complete gzip member: ignored, as urllib3 does
                raise
            self._probing = False
            out += part
            if self._obj.eof:
                pending = self._obj.unused_data
                self._finished_members += 1
                if not (pending and self._gzip):
                    break  # anything after a deflate stream is ignored
                self._obj = self._new()  # the next member of a multi-member gzip body
            else:
                pending = self._obj.unconsumed_tail
        return out


def _decoders(content_encoding: Optional[str]) -> List[_Inflater]:
    """The decoders for a ``Content-Encoding`` value, in the order they are undone."""
    if not content_encoding:
        return []
    names = [name.strip().lower() for name in content_encoding.split(",")]
    return [_Inflater(name) for name in reversed(names) if name in ("gzip", "x-gzip", "deflate")]


def read_body(
    raw: Any,
    content_encoding: Optional[str],
    *,
    deadline: float,
    read_timeout: float,
    limit: int,
    clock: Callable[[], float] = time.monotonic,
) -> bytes:
    """Read and decode a whole body from a ``urllib3`` response opened with ``stream=True``.

    Args:
        raw: ``requests.Response.raw``.
        content_encoding: the answer's ``Content-Encoding`` header.
        deadline: the ``clock()`` time by which the whole body must have arrived.
        read_timeout: the longest wait for one socket read.
        limit: the most decoded bytes accepted.
        clock: the monotonic clock the deadline is measured on.

    Raises:
        DeadlinePassed: the deadline passed first.
        BodyTooLarge: the decoded body would exceed ``limit`` bytes.
        zlib.error: a body that does not decode as its ``Content-Encoding`` says.
        Exception: whatever ``urllib3`` raises for a broken connection or a read timeout.
    """
    read_once = getattr(raw, "read1", None) or raw.read
    decoders = _decoders(content_encoding)
    parts: List[bytes] = []
    size = 0
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            raise DeadlinePassed()
        _limit_socket_wait(raw, min(read_timeout, remaining))
        data = read_once(CHUNK_SIZE, decode_content=False)
        if not data:
            break
        for decoder in decoders:
            data = decoder.feed(data, limit - size)
        size += len(data)
        if size > limit:
            raise BodyTooLarge(limit)
        parts.append(data)
    return b"".join(parts)


def _limit_socket_wait(raw: Any, seconds: float) -> None:
    """Make the next socket read wait at most ``seconds`` (best effort: a real connection)."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    settimeout = getattr(sock, "settimeout", None)
    if callable(settimeout):
        with contextlib.suppress(OSError):
            settimeout(max(seconds, 0.001))
