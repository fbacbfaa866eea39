"""HTTP plumbing shared by the emulator's routes and middleware: the request as read from
the WSGI environ, a buffered reply, and the few formats every surface writes."""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple, Union
from urllib.parse import parse_qsl

from werkzeug.wrappers import Request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

JSON = "application/json"
REQUEST_ID_HEADER = "sc-request-id"
HTML = "text/html; charset=utf-8"
# environ keys the emulator's server and middleware share
DROP_KEY = "smartcar_emulator.drop"  # set: close the connection without an answer
HANDLER_KEY = "smartcar_emulator.handler"  # set by the emulator's own HTTP/1.1 handler
BODY_KEY = "smartcar_emulator.body"  # the request body, read once
RECORD_KEY = "smartcar_emulator.record"  # the RequestRecord of this request
REQ_KEY = "smartcar_emulator.req"  # the Req of this request (built once)
SURFACE_KEY = "smartcar_emulator.surface"  # the surface the router picked (looked up once)

# Deeper JSON is refused: no request to Smartcar nests more than a few levels.
MAX_JSON_DEPTH = 64
# Digits of the largest integer a request may carry (float range: about 1.8e308).
_MAX_INT_DIGITS = 308

_STATUS_LINES: Dict[int, str] = {
    status.value: f"{status.value} {status.phrase}" for status in HTTPStatus
}
_STATUS_LINES[430] = "430 Monthly Limit Exceeded"


def status_line(status: int) -> str:
    """``"200 OK"`` for 200 (``"430 Monthly Limit Exceeded"``, ``"599 Unknown"``...)."""
    line = _STATUS_LINES.get(status)
    return line if line is not None else f"{status} Unknown"


def iso(moment: datetime) -> str:
    """``2019-10-24T00:43:46.000Z`` (UTC, milliseconds)."""
    if moment.utcoffset():
        moment = moment.astimezone(timezone.utc)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def request_body(environ: WSGIEnvironment) -> bytes:
    """The request body, read once and kept in the environ (``wsgi.input`` is rewound to
    a copy, so any later reader, werkzeug's included, sees it whole)."""
    cached = environ.get(BODY_KEY)
    if cached is not None:
        return bytes(cached)
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    data = stream.read(length) if stream is not None and length > 0 else b""
    environ[BODY_KEY] = data
    environ["wsgi.input"] = io.BytesIO(data)
    return data


class BadJson(ValueError):
    """A request body that is not JSON the emulator accepts."""


def _reject_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"the number {text[:20]}... is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise BadJson(f"the number {text[:20]}... is out of range")
    return int(text)


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(raw: Union[bytes, str]) -> Any:
    """A request body as JSON, every surface's one way to read it: numbers must be finite
    floats (no ``NaN``/``Infinity``, no 400-digit integers) and nesting at most
    :data:`MAX_JSON_DEPTH` deep.

    Raises:
        BadJson: the body is not such JSON (each surface answers 400 in its own form).
    """
    try:
        value = json.loads(
            raw,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise BadJson(f"JSON nested more than {MAX_JSON_DEPTH} deep") from None
    except BadJson:
        raise
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, int digit limit
        raise BadJson(f"not JSON: {exc}") from None
    if _too_deep(value, MAX_JSON_DEPTH):
        raise BadJson(f"JSON nested more than {MAX_JSON_DEPTH} deep")
    return value


_UNREAD = object()


class Req:
    """The request, read straight from the WSGI environ on the hot path; werkzeug's
    :class:`Request` is built only when a body, form or Authorization header is needed."""

    __slots__ = ("_args", "_json", "_request", "environ", "method", "path")

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ
        self.method: str = str(environ.get("REQUEST_METHOD", "GET")).upper()
        raw = str(environ.get("PATH_INFO", "") or "/")
        self.path: str = raw.encode("latin-1", "replace").decode("utf-8", "replace")
        self._request: Optional[Request] = None
        self._args: Optional[Dict[str, str]] = None
        self._json: Any = _UNREAD

    @classmethod
    def of(cls, environ: WSGIEnvironment) -> Req:
        """The request's :class:`Req`, built once per request and kept in the environ."""
        found = environ.get(REQ_KEY)
        if isinstance(found, cls):
            return found
        made = cls(environ)
        environ[REQ_KEY] = made
        return made

    @property
    def request(self) -> Request:
        """werkzeug's request over the same environ (form, JSON, Authorization)."""
        if self._request is None:
            request_body(self.environ)
            self._request = Request(self.environ)
        return self._request

    @property
    def args(self) -> Dict[str, str]:
        """Query parameters (the first value of each name)."""
        if self._args is None:
            args: Dict[str, str] = {}
            query = str(self.environ.get("QUERY_STRING", ""))
            if query:
                for key, value in parse_qsl(query, keep_blank_values=True):
                    args.setdefault(key, value)
            self._args = args
        return self._args

    def arg_list(self, name: str) -> List[str]:
        """Every value of the query parameter ``name``."""
        query = str(self.environ.get("QUERY_STRING", ""))
        return [value for key, value in parse_qsl(query, keep_blank_values=True) if key == name]

    def header(self, name: str) -> Optional[str]:
        """A request header's value, or None."""
        value = self.environ.get("HTTP_" + name.upper().replace("-", "_"))
        return None if value is None else str(value)

    def json(self) -> Any:
        """The body parsed by :func:`parse_json` whatever its Content-Type (None when it is
        empty or not such JSON); parsed once per request."""
        if self._json is _UNREAD:
            try:
                self._json = parse_json(request_body(self.environ))
            except BadJson:
                self._json = None
        return self._json


@dataclass
class Reply:
    """A fully buffered HTTP response."""

    status: int
    body: bytes
    content_type: str = JSON
    headers: Dict[str, str] = field(default_factory=dict)

    def wsgi_headers(self) -> List[Tuple[str, str]]:
        headers = [("Content-Type", self.content_type), ("Content-Length", str(len(self.body)))]
        headers.extend(self.headers.items())
        return headers

    def send(self, start_response: StartResponse) -> Iterable[bytes]:
        """Answer a WSGI call with this reply."""
        start_response(status_line(self.status), self.wsgi_headers())
        return [self.body]


def json_reply(status: int, payload: Any, headers: Optional[Dict[str, str]] = None) -> Reply:
    data = json.dumps(payload, separators=(",", ":")).encode()
    return Reply(status, data, JSON, dict(headers or {}))


def html_reply(status: int, document: str) -> Reply:
    return Reply(status, document.encode(), HTML, {"Cache-Control": "no-store"})


def redirect_reply(location: str) -> Reply:
    body = f'<!doctype html><p>Redirecting to <a href="{location}">the application</a>.</p>'
    return Reply(302, body.encode(), HTML, {"Location": location, "Cache-Control": "no-store"})


def raw_reply(status: int, headers: Dict[str, str], body: bytes) -> Reply:
    """A reply from a (status, headers with Content-Type, body) triple."""
    rest = dict(headers)
    content_type = rest.pop("Content-Type", JSON)
    return Reply(status, body, content_type, rest)
