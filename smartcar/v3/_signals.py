"""v3 signals: one :class:`Signal` per reading, parsed from any shape the service sends.

Two shapes carry a signal:

* the REST resource of ``GET /vehicles/{id}/signals[/{code}]``:
  ``{"id", "type": "signal", "attributes": {code, name, group, status, body}, "meta": {...}}``,
  bare or wrapped in ``{"data": ...}``;
* the flat entry of a webhook's ``data.signals[]``: ``{code, name, group, body, status, meta}``.

``meta.retrievedAt``, ``meta.oemUpdatedAt`` and ``meta.ingestedAt`` come as epoch seconds,
epoch milliseconds or ISO-8601 strings; all three become aware UTC datetimes (``0``, sent for
static attributes, is ``None``: unknown). A signal in error carries a :class:`SignalError` (any
of the documented error shapes, ``title``/``detail`` included); ``body`` may then be absent,
hold ``{"value": null}``, or still hold a stale value. A signal sent without ``status`` (early
webhook deliveries) is ``SUCCESS`` when it has a body.

:func:`lazy_signals` builds the signals of a ``/signals`` answer lazily: each reads its code at
once, keeps its raw JSON and the answer, and is parsed by :func:`signal_from` (whole, into its
``__dict__``) on the first use of another field, after which it is an ordinary ``Signal``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Type, cast

from .._answers import ApiResponse
from .._checks import finite
from .._errors import exception_from_v3_entry
from ..exceptions import SmartcarException
from . import _parse, _units
from ._parse import is_object
from ._resources import bad_answer, many

__all__ = [
    "SUCCESS",
    "Signal",
    "SignalError",
    "kept_signals",
    "lazy_signals",
    "parse_signal",
    "signal_from",
]

SUCCESS = "SUCCESS"
ERROR = "ERROR"
UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class SignalError:
    """Why a signal could not be read (its ``status.error``).

    Attributes:
        type: the error type, e.g. ``"COMPATIBILITY"`` or ``"VEHICLE_STATE"`` (``None`` when
            the service sent none).
        code: e.g. ``"VEHICLE_NOT_CAPABLE"``, ``"NOT_CHARGING"``, or ``None``.
        title: a short title (live REST answers), or ``None``.
        detail: the explanation (``detail``, or ``description`` in the documented shape).
        resolution: the resolution object as sent (``{"type": "RETRY_LATER"}``...), else
            ``None``.
        raw: the error object exactly as sent.
    """

    type: Optional[str]
    code: Optional[str]
    title: Optional[str] = None
    detail: Optional[str] = None
    resolution: Optional[Mapping[str, Any]] = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def description(self) -> Optional[str]:
        """The explanation (``detail``), as ``SmartcarException.description`` names it."""
        return self.detail

    @property
    def message(self) -> str:
        """A one-line text: the explanation, else the title, else ``"TYPE:CODE"``."""
        return (
            self.detail
            or self.title
            or ":".join(p for p in (self.type, self.code) if p)
            or "Unknown signal error"
        )

    def exception(self, *, request_id: Optional[str] = None) -> SmartcarException:
        """Return the :class:`~smartcar.SmartcarException` subclass this error type maps to."""
        return exception_from_v3_entry(self.raw, request_id=request_id)


@dataclass(frozen=True)
class Signal:
    """One v3 signal reading.

    Attributes:
        code: the signal code, lowercase ``<group>-<name>`` (``"tractionbattery-stateofcharge"``).
        name: PascalCase name (``"StateOfCharge"``), or ``None`` when not sent.
        group: PascalCase group (``"TractionBattery"``), or ``None`` when not sent.
        value: ``body["value"]`` when the body has one (it may be ``None``), else ``None``.
        unit: ``body["unit"]`` exactly as sent (free text such as ``"km"`` or
            ``"kilometers"``), else ``None``.
        body: the raw body (``{}`` when absent); object-valued signals such as
            ``location-preciselocation`` or ``wheel-tires`` are read from here.
        status: ``"SUCCESS"``, ``"ERROR"`` or ``"UNAVAILABLE"`` (another string only if the
            service sends one).
        error: a :class:`SignalError` when ``status`` is ``"ERROR"``, else ``None``.
        retrieved_at: when Smartcar retrieved the value (aware UTC), or ``None``.
        oem_updated_at: when the manufacturer last updated it (aware UTC), or ``None``.
        ingested_at: when Smartcar stored it (aware UTC), or ``None``; live REST answers
            often carry only this time for the VIN and for signals in error.
    """

    code: str
    name: Optional[str]
    group: Optional[str]
    value: Any
    unit: Optional[str]
    body: Mapping[str, Any]
    status: str
    error: Optional[SignalError]
    retrieved_at: Optional[datetime.datetime]
    oem_updated_at: Optional[datetime.datetime]
    ingested_at: Optional[datetime.datetime] = None

    @property
    def ok(self) -> bool:
        """Whether the signal was read successfully (``status == "SUCCESS"``)."""
        return self.status == SUCCESS

    def value_in(self, unit: str) -> Optional[float]:
        """Return the signal's number converted to ``unit`` (e.g. ``"kW"``, ``"miles"``).

        The signal's own unit is free text (``"watts"``, ``"km"``, ``"kilometers"``...).

        Returns:
            The converted value; ``None`` when the signal holds no number, or its unit is
            missing, unknown or of another quantity than ``unit``.

        Raises:
            ValueError: ``unit`` is not a unit this SDK knows.
        """
        target = _units.find_unit(unit)
        if target is None:
            raise ValueError("unit must be a known unit such as km, miles, kW, watts, kPa, psi")
        source = _units.find_unit(self.unit)
        value = finite(self.value)
        if source is None or source.quantity != target.quantity or value is None:
            return None
        return finite(_units.convert(value, self.unit, unit, assume=unit))

    def raise_for_status(self, *, request_id: Optional[str] = None) -> None:
        """Raise the exception this signal's error maps to, if it is not ``SUCCESS``.

        Raises:
            SmartcarException: the subclass the error type maps to (e.g.
                ``VehicleNotCapableException`` for ``COMPATIBILITY``); a plain
                ``SmartcarException`` for ``UNAVAILABLE``.
        """
        if self.status == SUCCESS:
            return
        if self.error is not None:
            raise self.error.exception(request_id=request_id)
        raise SmartcarException(
            f"The signal {self.code} is {self.status.lower()}",
            error="signal_" + self.status.lower(),
            request_id=request_id,
        )

    def __getstate__(self) -> Dict[str, Any]:
        state = self.__dict__
        pending = state.get(_PENDING)
        if pending is not None:
            _fill(self, pending)
        return state

    if not TYPE_CHECKING:  # seen by mypy, it would make every attribute of a Signal ``Any``

        def __getattr__(self, name: str) -> Any:
            # Called only for an attribute the instance lacks: a lazy signal's unread fields.
            state = self.__dict__
            if name in _LAZY_FIELDS:
                pending = state.get(_PENDING)
                if pending is not None:
                    _fill(self, pending)
                if name in state:
                    return state[name]
            raise AttributeError(f"'Signal' object has no attribute {name!r}")


class _ClassDefault:
    """A field's class-level default that a lazy signal's instance does not hide: the value
    for ``Signal.ingested_at``, the lazy fill for an instance lacking the field."""

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, instance: Optional[Signal], owner: Any = None) -> Any:
        if instance is None:
            return self.default
        return instance.__getattr__(self.name)  # type: ignore[attr-defined]


_PENDING = "_pending"  # a lazy signal's (raw JSON, answer) in its __dict__, until filled
_LAZY_FIELDS = frozenset(f.name for f in fields(Signal)) - {"code"}
for _field in fields(Signal):
    if _field.name in vars(Signal):
        setattr(Signal, _field.name, _ClassDefault(_field.name, _field.default))
del _field


def parse_signal(
    obj: Mapping[str, Any], *, error_class: Type[SmartcarException] = SmartcarException
) -> Signal:
    """Return the :class:`Signal` in ``obj`` (a REST resource, bare or wrapped, or a webhook
    entry).

    Args:
        obj: the parsed JSON of one signal.
        error_class: the exception raised on malformed input (e.g.
            ``smartcar.WebhookPayloadError`` for a webhook payload).

    Raises:
        SmartcarException: (``error_class``) ``obj`` is not a signal: no code, a body or
            status of the wrong type, or a time that is not one of the three forms.
    """
    plain = _plain_rest_signal(obj)
    if plain is not None:
        return plain
    obj, fields, code = _located(obj, error_class)
    body = fields.get("body")
    if body is None:
        body = {}
    elif not is_object(body):
        raise error_class(f"The signal {code} has a body that is not an object")
    status, error = _status(fields.get("status"), code, error_class)
    if status is None:
        status = SUCCESS if body else UNAVAILABLE
    try:
        times = _times(_meta(obj, fields))
    except ValueError as exc:
        raise error_class(f"The signal {code} has a bad time ({exc})") from None
    return _assembled(code, fields, body, status, error, times)


def _plain_rest_signal(obj: Any) -> Optional[Signal]:
    """The signal of the live REST shape at its plainest (a bare resource of dicts, a body, a
    ``SUCCESS`` status without error, readable times in ``meta``), read without the general
    path's checks; ``None`` for anything else, which the general path then reads (or refuses):
    the result is the one it would give."""
    if type(obj) is not dict or "data" in obj:
        return None
    attrs = obj.get("attributes")
    if type(attrs) is not dict:
        return None
    code = attrs.get("code")
    body = attrs.get("body")
    status = attrs.get("status")
    meta = obj.get("meta")
    if (
        type(code) is not str
        or not code
        or type(body) is not dict
        or type(status) is not dict
        or status.get("value") != SUCCESS
        or status.get("error") is not None
        or type(meta) is not dict
    ):
        return None
    try:
        times = _times(meta)
    except ValueError:
        return None
    return _assembled(code, attrs, body, SUCCESS, None, times)


def _times(meta: Mapping[str, Any]) -> Tuple[Optional[datetime.datetime], ...]:
    """A signal's ``(retrievedAt, oemUpdatedAt, ingestedAt)`` read from its ``meta``.

    Raises:
        ValueError: one of them is not a time (:func:`smartcar.v3._parse.parse_time`).
    """
    parse = _parse.parse_time
    return (
        parse(meta.get("retrievedAt")),
        parse(meta.get("oemUpdatedAt")),
        parse(meta.get("ingestedAt")),
    )


def _assembled(
    code: str,
    fields: Mapping[str, Any],
    body: Mapping[str, Any],
    status: str,
    error: Optional[SignalError],
    times: Tuple[Optional[datetime.datetime], ...],
) -> Signal:
    """The signal of these parts read (``fields``: the mapping holding name and group)."""
    unit = body.get("unit")
    name = fields.get("name")
    group = fields.get("group")
    return _built(
        code=code,
        name=name if isinstance(name, str) and name else None,
        group=group if isinstance(group, str) and group else None,
        value=body.get("value"),
        unit=unit if isinstance(unit, str) else None,
        body=body,
        status=status,
        error=error,
        retrieved_at=times[0],
        oem_updated_at=times[1],
        ingested_at=times[2],
    )


def _located(
    obj: Any, error_class: Type[SmartcarException]
) -> Tuple[Mapping[str, Any], Mapping[str, Any], str]:
    """Return (the signal object, the mapping holding its fields, its code) of ``obj``.

    Raises:
        SmartcarException: (``error_class``) ``obj`` is not an object or has no code.
    """
    if not is_object(obj):
        raise error_class(f"A signal must be a JSON object, not {type(obj).__name__}")
    data = obj.get("data")
    if data is not None and is_object(data):
        obj = data
    attrs: Any = obj.get("attributes")
    fields: Mapping[str, Any] = attrs if is_object(attrs) else obj
    code = fields.get("code")
    if not (isinstance(code, str) and code):
        code = _parse.optional_str(obj.get("id"))
        if code is None:
            raise error_class("A signal without a code")
    return obj, fields, code


def signal_from(response: ApiResponse, obj: Any) -> Signal:
    """Return the signal ``obj`` of ``response``, parsed at once; a signal in error is parsed
    from the redacted ``obj``, so its error's text (an exception's, later) keeps the request's
    secrets out.

    Raises:
        SmartcarException: "a bad signal: ..." when ``obj`` is not a signal.
    """
    try:
        signal = parse_signal(obj)
    except SmartcarException as error:
        raise _bad_signal(response, error) from None
    return signal if signal.error is None else parse_signal(response.redacted(obj))


def lazy_signals(response: ApiResponse) -> List[Signal]:
    """Return the signals of a ``/signals`` answer, each with its code read now and its other
    fields at the first use of any of them (then as :func:`signal_from` gives them).

    Raises:
        SmartcarException: the answer holds no list of signals, or ("a bad signal: ...") a
            signal that is not an object or has no code; a malformed other part raises
            "a bad signal: ..." at its signal's first use instead.
    """
    signals = []
    new = object.__new__
    for item in many(response, "signal"):
        # The REST shape first: the code in a dict of attributes, in an entry not wrapped in
        # ``data``; any other shape, or no code there, is left to _located.
        attrs = item.get("attributes")
        code = attrs.get("code") if type(attrs) is dict and "data" not in item else None
        if not (type(code) is str and code):
            code = _code_of(response, item)
        signal: Signal = new(Signal)  # _lazy(code, item, response), without the call
        state = signal.__dict__
        state["code"] = code
        state[_PENDING] = (item, response)
        signals.append(signal)
    return signals


def kept_signals(response: ApiResponse) -> List[Signal]:
    """Return the signals of a ``/signals`` answer built at once (as :func:`signal_from`
    gives them), for answers kept a while: a sweep's results, many held at the same moment,
    then hold no raw JSON, which the garbage collector would walk again and again. A malformed
    signal is left lazy, so it raises "a bad signal: ..." at its first use, as with
    :func:`lazy_signals`.

    Raises:
        SmartcarException: the answer holds no list of signals, or a signal that is not an
            object or has no code.
    """
    signals = []
    for item in many(response, "signal"):
        try:
            signals.append(signal_from(response, item))
        except SmartcarException:
            signals.append(_lazy(_code_of(response, item), item, response))
    return signals


def _lazy(code: str, item: Any, response: ApiResponse) -> Signal:
    """A signal of ``code`` whose other fields are read from ``item`` at their first use."""
    signal: Signal = object.__new__(Signal)
    state = signal.__dict__
    state["code"] = code
    state[_PENDING] = (item, response)
    return signal


def _code_of(response: ApiResponse, item: Any) -> str:
    try:
        return _located(item, SmartcarException)[2]
    except SmartcarException as error:
        raise _bad_signal(response, error) from None


def _bad_signal(response: ApiResponse, error: SmartcarException) -> SmartcarException:
    return bad_answer(response, f"a bad signal: {error}")


def _fill(signal: Signal, pending: Tuple[Any, ApiResponse]) -> None:
    """Set the fields of the lazy ``signal``, once: a thread filling it at the same time
    keeps the values the first one stored."""
    state = signal.__dict__
    for name, value in signal_from(pending[1], pending[0]).__dict__.items():
        state.setdefault(name, value)
    state.pop(_PENDING, None)


def _built(**fields: Any) -> Signal:
    """``Signal(**fields)`` (every field given) without the frozen dataclass's
    ``object.__setattr__`` per field: the same object, at a fraction of the cost of a call
    that builds every signal of an answer."""
    signal: Signal = object.__new__(Signal)
    signal.__dict__.update(fields)
    return signal


def _status(
    raw: Any, code: str, error_class: Type[SmartcarException]
) -> Tuple[Optional[str], Optional[SignalError]]:
    """Return (status value, error) from ``status``: ``{"value", "error"}`` or a bare string."""
    if raw is None:
        return None, None
    if isinstance(raw, str):
        value: Any = raw
        error_obj: Any = None
    elif is_object(raw):
        value, error_obj = raw.get("value"), raw.get("error")
    else:
        raise error_class(f"The signal {code} has a status that is not an object")
    if error_obj is not None and not is_object(error_obj):
        error_obj = None
    if not isinstance(value, str) or not value:
        value = ERROR if error_obj is not None else None
    status = value.upper() if value else None
    error = None
    if error_obj is not None:
        error = parse_signal_error(error_obj)
    elif status == ERROR:
        error = SignalError(type=None, code=None)
    return status, error


def parse_signal_error(entry: Mapping[str, Any]) -> SignalError:
    """Return the :class:`SignalError` of a ``status.error`` object (any documented shape)."""
    resolution = entry.get("resolution")
    return SignalError(
        type=_parse.optional_str(entry.get("type")),
        code=_parse.optional_str(entry.get("code")),
        title=_parse.optional_str(entry.get("title")),
        detail=_parse.optional_str(entry.get("detail"))
        or _parse.optional_str(entry.get("description")),
        resolution=resolution if isinstance(resolution, Mapping) else None,
        raw=dict(entry),
    )


def _meta(obj: Mapping[str, Any], fields: Mapping[str, Any]) -> Mapping[str, Any]:
    for value in (obj.get("meta"), fields.get("meta")):
        if is_object(value):
            return cast(Mapping[str, Any], value)
    return {}
