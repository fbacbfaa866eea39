"""Keeping secrets out of what the SDK shows: exception messages, ``e.body``, pickles, logs.

A :class:`Redactor` knows the secrets of one request (access token, client secret, code,
refresh token, management token) and replaces every form in which a server might echo them:

* the value itself, and its JSON-escaped form;
* its URL/form encodings (``refresh_token=...`` with ``%XX`` escapes in either case, ``+``
  for spaces);
* for an HTTP Basic pair, ``id:secret`` and its base64 (what an echoed ``Authorization:
  Basic ...`` header carries), with and without padding, standard and URL-safe alphabets.

Secrets of any type are accepted (``exchange_code(123)`` passes an ``int``): they are turned
into text, and a value that cannot be is ignored. Values shorter than
:data:`MIN_SECRET_LENGTH` are not redacted (they would blank out ordinary text).
"""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any, Iterable, List, Optional, Set, Tuple
from urllib.parse import quote, quote_plus

__all__ = ["MIN_SECRET_LENGTH", "REDACTED", "Redactor", "redactor_for"]

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 4

_PERCENT_ESCAPE = re.compile(r"%[0-9A-F]{2}")


def _as_text(value: Any) -> Optional[str]:
    """Return ``value`` as text, or ``None`` when it is absent or has no usable text."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    try:
        text = str(value)
    except Exception:
        return None
    return text if isinstance(text, str) else None


def _encodings(secret: str) -> Set[str]:
    """Every form of ``secret`` a server could echo in a body or header."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
    for encoded in (quote(secret, safe=""), quote_plus(secret), quote(secret)):
        forms.add(encoded)
        forms.add(_PERCENT_ESCAPE.sub(lambda match: match.group(0).lower(), encoded))
    return forms


def _basic_forms(user: str, password: str) -> Set[str]:
    """``user:password`` and the base64 forms an echoed Basic ``Authorization`` header takes."""
    joined = f"{user}:{password}"
    raw = joined.encode("utf-8")
    forms = {joined}
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = encoded.decode("ascii")
        forms.update({text, text.rstrip("=")})
    return forms


def _forms_of(secrets: Iterable[Any], basic_auth: Optional[Tuple[Any, Any]]) -> Tuple[str, ...]:
    """Every form of the secrets to replace, longest first."""
    texts = (secret if type(secret) is str else _as_text(secret) for secret in secrets)
    pair = None if basic_auth is None else (_as_text(basic_auth[0]), _as_text(basic_auth[1]))
    return _forms_of_texts(
        tuple(text for text in texts if text is not None and len(text) >= MIN_SECRET_LENGTH),
        pair,
    )


@functools.lru_cache(maxsize=64)
def _forms_of_texts(
    texts: Tuple[str, ...], basic_auth: Optional[Tuple[Optional[str], Optional[str]]]
) -> Tuple[str, ...]:
    """:func:`_forms_of` of secrets already text, kept for the few secrets a process sends
    again and again (its tokens, its client secret) so that a request does not work them out
    anew (a bounded cache in this process's memory, never shown)."""
    needles: Set[str] = set()
    for text in texts:
        needles |= _encodings(text)
    if basic_auth is not None:
        user, password = basic_auth
        if password is not None and len(password) >= MIN_SECRET_LENGTH:
            needles |= _encodings(password)
            needles |= _basic_forms(user or "", password)
    # Longest first, so a secret's encoded form is replaced before a part of it.
    return tuple(
        sorted(
            (needle for needle in needles if len(needle) >= MIN_SECRET_LENGTH),
            key=len,
            reverse=True,
        )
    )


class Redactor:
    """Replaces the secrets of one request, in any echoed form, by ``[REDACTED]``.

    Args:
        secrets: values to hide (any type; ``None`` and short values are skipped).
        basic_auth: an HTTP Basic ``(user, password)`` pair; the password is hidden and so
            are ``user:password`` and its base64.
    """

    __slots__ = ("_basic_auth", "_needles", "_secrets")

    def __init__(
        self,
        secrets: Iterable[Any] = (),
        basic_auth: Optional[Tuple[Any, Any]] = None,
    ) -> None:
        # The forms are worked out on first use: most requests succeed and never need them.
        self._secrets = tuple(secrets)
        self._basic_auth = basic_auth
        self._needles: Optional[Tuple[str, ...]] = None

    @property
    def _forms(self) -> Tuple[str, ...]:
        if self._needles is None:
            self._needles = _forms_of(self._secrets, self._basic_auth)
        return self._needles

    def __bool__(self) -> bool:
        return bool(self._forms)

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._forms)} hidden forms>)"

    def text(self, value: str) -> str:
        """Return ``value`` with every hidden form replaced."""
        for needle in self._forms:
            if needle in value:
                value = value.replace(needle, REDACTED)
        return value

    def value(self, obj: Any) -> Any:
        """Return a copy of a JSON-like value (any depth) with every string redacted.

        Dict keys are redacted too; values that are neither strings, lists nor dicts are
        returned as they are.
        """
        if not self._forms:
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if not isinstance(obj, (dict, list, tuple)):
            return obj
        root: List[Any] = [None]
        # An explicit stack: bodies may nest deeper than Python's recursion limit.
        stack: List[Tuple[Any, Any, Any]] = [(obj, root, 0)]
        while stack:
            source, target, key = stack.pop()
            if isinstance(source, str):
                target[key] = self.text(source)
            elif isinstance(source, dict):
                copy: Any = {}
                target[key] = copy
                for name, item in source.items():
                    new_name = self.text(name) if isinstance(name, str) else name
                    copy[new_name] = None
                    stack.append((item, copy, new_name))
            elif isinstance(source, (list, tuple)):
                copy = [None] * len(source)
                target[key] = copy
                for index, item in enumerate(source):
                    stack.append((item, copy, index))
            else:
                target[key] = source
        return root[0]


def redactor_for(
    secrets: Tuple[Any, ...], basic_auth: Optional[Tuple[Any, Any]] = None
) -> Redactor:
    """A :class:`Redactor` of ``secrets``: for text secrets alone (a request's token), one
    shared by every request that sends the same ones, so their forms are worked out once."""
    if basic_auth is None and all(secret is None or type(secret) is str for secret in secrets):
        return _shared_redactor(secrets)
    return Redactor(secrets, basic_auth=basic_auth)


@functools.lru_cache(maxsize=64)
def _shared_redactor(secrets: Tuple[Optional[str], ...]) -> Redactor:
    return Redactor(secrets)
