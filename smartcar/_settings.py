"""The process-wide default settings: API version, timeouts, retry policy, answer size limit.

Changed with :func:`set_defaults` and :func:`set_api_version` (:func:`override` for a test).
This module depends on no other part of the SDK but the leaf ``_checks``: ``smartcar.const``
reads the API version here, and :mod:`smartcar._config` builds its ``Config`` on top of it.

The API version in force is, in this order: the last :func:`set_api_version`, else the
``SMARTCAR_API_VERSION`` environment variable (read when asked), else
:data:`DEFAULT_API_VERSION`.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, Union

from ._checks import finite, shown  # a leaf: it imports no other part of the SDK

__all__ = [
    "API_VERSIONS",
    "API_VERSION_ENV",
    "DEFAULT_API_VERSION",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "RetryPolicy",
    "Timeout",
    "api_version",
    "check_api_version",
    "check_max_body_size",
    "check_retries",
    "check_timeout",
    "default_max_body_size",
    "default_retry",
    "default_timeout",
    "get_api_version",
    "override",
    "set_api_version",
    "set_defaults",
]

API_VERSIONS = ("1.0", "2.0")
"""The Smartcar API versions the SDK speaks (v3 has its own client, ``smartcar.v3``)."""

DEFAULT_API_VERSION = "2.0"
"""The oldest version that still answers (v1.0 was sunset on 2023-01-06; v3 is `smartcar.v3`)."""
API_VERSION_ENV = "SMARTCAR_API_VERSION"

Timeout = Union[float, Tuple[float, float]]
"""Seconds: one number for both phases, or ``(connect, read)``."""

DEFAULT_TIMEOUT: Tuple[float, float] = (5.0, 310.0)
DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024
"""Bytes of decoded body one answer may have (see :func:`set_defaults`)."""


class RetryPolicy(NamedTuple):
    """How many times, and how long, the transport may repeat an attempt."""

    max_retries: int = 2
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 10.0
    max_elapsed: float = 60.0

    def backoff(self, retry_number: int) -> float:
        """Return a jittered wait before retry ``retry_number`` (1-based)."""
        import random  # only when a retry happens: random is not cheap to import

        return random.uniform(0, self.backoff_ceiling(retry_number))

    def backoff_ceiling(self, retry_number: int) -> float:
        """Return the longest wait before retry ``retry_number`` (1-based): the exponential
        backoff without its jitter."""
        doublings = min(retry_number - 1, 64)  # 2.0 ** 1024 would overflow
        return float(min(self.backoff_max, self.backoff_base * 2.0**doublings))


_defaults: Dict[str, Any] = {
    "retry": RetryPolicy(),
    "timeout": DEFAULT_TIMEOUT,
    "max_body_size": DEFAULT_MAX_BODY_SIZE,
    "api_version": None,  # None: SMARTCAR_API_VERSION, else DEFAULT_API_VERSION
}
"""The process-wide default settings (:func:`set_defaults`, :func:`set_api_version`;
:func:`override` for a test)."""

_lock = threading.Lock()


# Checks of setting values -------------------------------------------------------------------


def check_retries(max_retries: Any) -> int:
    """Return ``max_retries`` if it is a non-negative int, else raise ``ValueError``."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(f"max_retries must be a non-negative integer, not {max_retries!r}")
    return max_retries


def check_timeout(timeout: Any) -> Timeout:
    """Return ``timeout`` as float seconds, or a (connect, read) pair of them.

    Raises:
        ValueError: not a positive finite number, nor a pair of them.
    """
    parts = timeout if isinstance(timeout, tuple) else (timeout,)
    seconds = [number for number in map(finite, parts) if number is not None and number > 0]
    if not 1 <= len(parts) <= 2 or len(seconds) != len(parts):
        raise ValueError(
            f"timeout must be a positive number of seconds or a (connect, read) pair, "
            f"not {shown(timeout)}"
        )
    return (seconds[0], seconds[1]) if len(seconds) == 2 else seconds[0]


def check_max_body_size(max_body_size: Any) -> int:
    """Return ``max_body_size`` if it is a positive int, else raise ``ValueError``."""
    if isinstance(max_body_size, bool) or not isinstance(max_body_size, int) or max_body_size <= 0:
        raise ValueError(f"max_body_size must be a positive number of bytes, not {max_body_size!r}")
    return max_body_size


_VERSION_PATTERN = re.compile(r"(?:v)?(\d+)(?:\.(\d+))?")


def check_api_version(version: Any, name: str = "version") -> str:
    """Return ``version`` in its canonical form (``"2"``, ``"v2.0"`` -> ``"2.0"``).

    Raises:
        TypeError: not a string.
        ValueError: not one of :data:`API_VERSIONS`.
    """
    if not isinstance(version, str):
        raise TypeError(f"{name} must be a string such as '2.0', not {type(version).__name__}")
    match = _VERSION_PATTERN.fullmatch(version.strip())
    canonical = f"{match.group(1)}.{match.group(2) or '0'}" if match else version
    if canonical not in API_VERSIONS:
        raise ValueError(f"{name} must be one of {', '.join(API_VERSIONS)}, not {version!r}")
    return canonical


# The process-wide default -------------------------------------------------------------------


def set_defaults(
    *,
    max_retries: Optional[int] = None,
    timeout: Optional[Timeout] = None,
    max_body_size: Optional[int] = None,
) -> None:
    """Set the process-wide default retry count, timeout and answer size limit.

    Objects created with their own ``max_retries=``/``timeout=`` keep theirs.

    Args:
        max_retries: retries allowed when an attempt certainly did not take effect.
        timeout: seconds, or ``(connect, read)``; the read timeout bounds the whole answer.
        max_body_size: the most bytes of (decoded) body one answer may have; past it the
            call raises ``SmartcarException`` (default 16 MiB).

    Raises:
        ValueError: ``max_retries`` is negative, ``timeout`` is not positive, or
            ``max_body_size`` is not a positive integer.
    """
    changes: Dict[str, Any] = {}
    if max_retries is not None:
        changes["max_retries"] = check_retries(max_retries)
    if timeout is not None:
        changes["timeout"] = check_timeout(timeout)
    if max_body_size is not None:
        changes["max_body_size"] = check_max_body_size(max_body_size)
    with _lock:
        if "max_retries" in changes:
            _defaults["retry"] = _defaults["retry"]._replace(max_retries=changes["max_retries"])
        for name in ("timeout", "max_body_size"):
            if name in changes:
                _defaults[name] = changes[name]


def override(**settings: Any) -> Callable[[], None]:
    """Replace process-wide defaults at once (``retry``: a :class:`RetryPolicy`, ``timeout``,
    ``max_body_size``, ``api_version``: a version, or ``None`` to follow
    ``SMARTCAR_API_VERSION``); return the function that puts every default back as it was.

    Raises:
        TypeError: an unknown setting, or a ``retry`` that is not a ``RetryPolicy``.
        ValueError: a value the setting does not take.
    """
    checked: Dict[str, Any] = {}
    for name, value in settings.items():
        if name == "retry":
            if not isinstance(value, RetryPolicy):
                raise TypeError(f"retry must be a RetryPolicy, not {type(value).__name__}")
            checked[name] = value
        elif name == "timeout":
            checked[name] = check_timeout(value)
        elif name == "max_body_size":
            checked[name] = check_max_body_size(value)
        elif name == "api_version":
            checked[name] = None if value is None else check_api_version(value, name)
        else:
            raise TypeError(
                f"no default setting {name!r} (retry, timeout, max_body_size, api_version)"
            )
    with _lock:
        saved = dict(_defaults)
        _defaults.update(checked)

    def undo() -> None:
        with _lock:
            _defaults.update(saved)

    return undo


def set_api_version(version: str) -> None:
    """Use API ``version`` (``"1.0"`` or ``"2.0"``) for every call that does not name its own.

    ``smartcar.const.API_URL`` follows (unless it was assigned explicitly).

    Raises:
        TypeError: ``version`` is not a string.
        ValueError: an unsupported version.
    """
    _defaults["api_version"] = check_api_version(version)


def get_api_version() -> str:
    """Return the API version in force: the last :func:`set_api_version`, else
    ``SMARTCAR_API_VERSION``, else :data:`DEFAULT_API_VERSION`.

    Raises:
        ValueError: ``SMARTCAR_API_VERSION`` holds an unsupported version.
    """
    chosen: Optional[str] = _defaults["api_version"]
    if chosen is not None:
        return chosen
    from_env = os.environ.get(API_VERSION_ENV, "").strip()
    if from_env:
        return check_api_version(from_env, API_VERSION_ENV)
    return DEFAULT_API_VERSION


api_version = get_api_version


def default_retry() -> RetryPolicy:
    """The default retry policy."""
    policy: RetryPolicy = _defaults["retry"]
    return policy


def default_max_body_size() -> int:
    """The default answer size limit."""
    size: int = _defaults["max_body_size"]
    return size


def default_timeout() -> Timeout:
    """The default timeout."""
    timeout: Timeout = _defaults["timeout"]
    return timeout
