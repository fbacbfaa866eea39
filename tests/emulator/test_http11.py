"""http11.read_chunked: chunked bodies are decoded and never read past the cap."""

from __future__ import annotations

import io

import pytest

from smartcar.emulator.http11 import BodyTooLarge, read_chunked


class _Endless(io.RawIOBase):
    """A stream of 1 KiB chunks that never ends (counts what was read)."""

    def __init__(self) -> None:
        self.read_bytes = 0
        self._lines = 0

    def readline(self, size: int = -1) -> bytes:  # type: ignore[override]
        self._lines += 1
        line = b"400\r\n" if self._lines % 2 else b"\r\n"  # size line, then chunk end
        self.read_bytes += len(line)
        return line

    def read(self, size: int = -1) -> bytes:
        self.read_bytes += size
        return b"x" * size


def test_decodes_chunks_and_trailers() -> None:
    framed = b"3\r\nabc\r\n2;ext\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
    assert read_chunked(io.BytesIO(framed), 100) == b"abcde"


@pytest.mark.parametrize(
    "framed", [b"zz\r\n", b"3\r\nab", b"3\r\nabcXX\r\n0\r\n\r\n", b"3\r\nabc\r\n0\r\n"]
)
def test_malformed_framing_is_none(framed: bytes) -> None:
    assert read_chunked(io.BytesIO(framed), 100) is None


def test_an_endless_body_stops_at_the_cap() -> None:
    stream = _Endless()
    with pytest.raises(BodyTooLarge):
        read_chunked(stream, 10 * 1024)
    assert stream.read_bytes < 12 * 1024
