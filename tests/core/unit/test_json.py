"""``smartcar._json.loads`` gives what ``json.loads`` gives, value or exception, whether msgspec
reads the document or refuses it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Iterator, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartcar import _json


def outcome(parse: Any, content: bytes) -> Tuple[str, str]:
    """What ``parse`` makes of ``content``: the value's repr (which tells ``1`` from ``1.0``
    and ``-0.0`` from ``0.0``) or the exception's type."""
    try:
        return "value", repr(parse(content))
    except Exception as error:
        return "error", type(error).__name__


def same_as_standard(content: bytes) -> None:
    assert outcome(_json.loads, content) == outcome(json.loads, content)


def test_msgspec_reads_the_answers_in_this_environment() -> None:
    # The dev requirements install the speedups extra: the tests below compare msgspec's
    # readings, not the standard parser with itself.
    assert _json._fast_decode() is not None


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(DOCUMENTS, st.booleans(), st.sampled_from([None, 0, 2]))
def test_any_document_reads_as_json_reads_it(value: Any, ascii_only: bool, indent: Any) -> None:
    same_as_standard(json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode())


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS, st.data())
def test_damaged_documents_fail_or_read_as_json_reads_them(value: Any, data: st.DataObject) -> None:
    content = bytearray(json.dumps(value).encode())
    for _ in range(data.draw(st.integers(1, 3))):
        index = data.draw(st.integers(0, len(content)))
        content[index:index] = data.draw(st.binary(min_size=1, max_size=3))
    same_as_standard(bytes(content))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_fail_or_read_as_json_reads_them(content: bytes) -> None:
    same_as_standard(content)


EDGES = [
    b"123456789012345678901234567890",  # beyond 64 bits: an int, not a float
    b"-9223372036854775809",
    b"18446744073709551616",
    b"1e400",  # inf for json.loads
    b"-1e400",
    b"4.9e-325",
    b"-0",
    b"-0.0",
    b"[NaN, Infinity, -Infinity]",
    b'{"a": 1, "a": 2}',
    b"\xef\xbb\xbf{}",  # a byte-order mark
    '{"a": 1}'.encode("utf-16"),
    '{"a": 1}'.encode("utf-16-le"),
    b'"\\ud800"',  # a lone surrogate, escaped
    b'"\xed\xa0\x80"',  # and encoded
    b'"a\x01"',
    b"[1,]",
    b"01",
    b"1" * 5000,  # beyond the int digit limit
    b"[" * 3000 + b"]" * 3000,
    b" \t\r\n{} \n",
    b"",
    b"\xff",
]


@pytest.mark.parametrize("content", EDGES, ids=range(len(EDGES)))
def test_edges_read_as_json_reads_them(content: bytes) -> None:
    same_as_standard(content)


@pytest.fixture()
def without_msgspec(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "msgspec", None)  # its import now fails
    _json._fast_decode.cache_clear()
    yield
    _json._fast_decode.cache_clear()


@pytest.mark.usefixtures("without_msgspec")
@pytest.mark.parametrize("content", [b'{"a": [1, 2.5, "x"]}', b"[NaN]", b"nope"])
def test_without_msgspec_the_standard_parser_reads_everything(content: bytes) -> None:
    assert _json._fast_decode() is None
    same_as_standard(content)


def test_import_smartcar_does_not_import_msgspec() -> None:
    probe = "import smartcar, smartcar.v3, sys; print('msgspec' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"
