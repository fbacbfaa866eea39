"""The SDK's configuration: API version, timeouts, retry policy, answer size limit, origins.

There is one process-wide default, changed with :func:`set_defaults` and
:func:`set_api_version`. A :class:`Config` is a view of it with some settings overridden (a
``Vehicle(version="1.0", timeout=5)`` holds one); every setting it does not override follows
the default at the moment it is read, so a change of the default reaches existing objects.

The origins are not stored here: they are the ``smartcar.const`` URL constants, resolved when a
request is made (an explicit assignment, else the ``SMARTCAR_*_ORIGIN`` variable, else the
default); :meth:`Config.url` reads them.

The API version in force is, in this order: the last :func:`set_api_version`, else the
``SMARTCAR_API_VERSION`` environment variable (read when asked), else
:data:`DEFAULT_API_VERSION`.
"""

from __future__ import annotations

import os
import re
import threading
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Optional, Tuple, Union

from ._checks import finite, shown

if TYPE_CHECKING:
    import requests

    from ._transport import Transport

__all__ = [
    "API_VERSIONS",
    "API_VERSION_ENV",
    "DEFAULT_API_VERSION",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_TIMEOUT",
    "Config",
    "Configured",
    "RetryPolicy",
    "Timeout",
    "api_version",
    "check_api_version",
    "check_max_body_size",
    "check_retries",
    "check_timeout",
    "default",
    "default_retry",
    "default_timeout",
    "get_api_version",
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
"""The process-wide default settings (tests patch items of this very dict)."""

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


def default_timeout() -> Timeout:
    """The default timeout."""
    timeout: Timeout = _defaults["timeout"]
    return timeout


class Config:
    """The settings one call uses: the process default with some of them overridden.

    Args:
        api_version: ``"1.0"`` or ``"2.0"``; ``None`` follows :func:`get_api_version`.
        timeout: seconds, or ``(connect, read)``; ``None`` follows the default.
        max_retries: overrides the default policy's ``max_retries``.
        retry: a whole :class:`RetryPolicy` (``max_retries`` still overrides its count).
        max_body_size: overrides the default answer size limit.
        transport: what sends each attempt (e.g. ``smartcar.testing.MockTransport``);
            ``None`` follows the process default (the network).

    Raises:
        TypeError, ValueError: a setting that is not valid (naming it).
    """

    __slots__ = (
        "_api_version",
        "_max_body_size",
        "_max_retries",
        "_retry",
        "_timeout",
        "transport",
    )

    def __init__(
        self,
        *,
        api_version: Optional[str] = None,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        retry: Optional[RetryPolicy] = None,
        max_body_size: Optional[int] = None,
        transport: Optional[Transport] = None,
    ) -> None:
        if transport is not None and not callable(getattr(transport, "attempt", None)):
            raise TypeError(
                "transport must have an attempt(request) method (smartcar.testing.MockTransport),"
                f" not {type(transport).__name__}"
            )
        self.transport = transport
        self._api_version = check_api_version(api_version) if api_version is not None else None
        self._timeout = check_timeout(timeout) if timeout is not None else None
        self._max_retries = check_retries(max_retries) if max_retries is not None else None
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
        self._retry = retry
        self._max_body_size = (
            check_max_body_size(max_body_size) if max_body_size is not None else None
        )

    def __repr__(self) -> str:
        return (
            f"Config(api_version={self.api_version!r}, timeout={self.timeout!r}, "
            f"retry={self.retry!r}, max_body_size={self.max_body_size!r})"
        )

    @property
    def api_version(self) -> str:
        """The API version of the calls made with this configuration."""
        return self._api_version if self._api_version is not None else get_api_version()

    @property
    def timeout(self) -> Timeout:
        """Seconds, or ``(connect, read)``."""
        return self._timeout if self._timeout is not None else default_timeout()

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy."""
        policy = self._retry if self._retry is not None else default_retry()
        if self._max_retries is not None:
            policy = policy._replace(max_retries=self._max_retries)
        return policy

    @property
    def max_body_size(self) -> int:
        """The most bytes of decoded body one answer may have."""
        if self._max_body_size is not None:
            return self._max_body_size
        size: int = _defaults["max_body_size"]
        return size

    @property
    def session(self) -> requests.Session:
        """The process-wide pooled ``requests.Session`` every call goes through."""
        from ._transport import get_session

        return get_session()

    def url(self, name: str) -> str:
        """Return the ``smartcar.const`` URL constant ``name`` as it stands now; ``API_URL``
        for this configuration's API version.

        Raises:
            KeyError: ``name`` is not a URL constant.
        """
        from . import const

        if name == "API_URL":
            return const.api_url(self.api_version)
        if name not in const.ORIGINS:
            raise KeyError(name)
        value: str = getattr(const, name)
        return value

    def replace(
        self,
        *,
        api_version: Optional[str] = None,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        transport: Optional[Transport] = None,
    ) -> Config:
        """Return a copy with more settings overridden (``None`` keeps this one's)."""
        copy = Config(
            api_version=api_version,
            timeout=timeout,
            max_retries=max_retries,
            retry=self._retry,
            transport=transport if transport is not None else self.transport,
        )
        if api_version is None:
            copy._api_version = self._api_version
        if timeout is None:
            copy._timeout = self._timeout
        if max_retries is None:
            copy._max_retries = self._max_retries
        copy._max_body_size = self._max_body_size
        return copy


_DEFAULT = Config()


def default() -> Config:
    """The default configuration (it overrides nothing: every setting is the default's)."""
    return _DEFAULT


class Configured:
    """The settings an object's calls use (``Vehicle``, ``AuthClient``): its ``version``,
    ``timeout``, ``max_retries`` and ``transport`` attributes, held as one :class:`Config`
    built once (and again only after one of them is reassigned)."""

    version: Optional[str]
    timeout: Optional[Timeout]
    max_retries: Optional[int]
    transport: Optional[Transport]

    def _configure(
        self,
        *,
        timeout: Optional[Timeout],
        max_retries: Optional[int],
        version: Optional[str],
        transport: Optional[Transport],
    ) -> None:
        """Check and keep the settings.

        Raises:
            TypeError, ValueError: a setting that is not valid (naming it).
        """
        held = Config(
            api_version=version, timeout=timeout, max_retries=max_retries, transport=transport
        )
        self.version, self.timeout = held._api_version, held._timeout
        self.max_retries, self.transport = held._max_retries, transport
        self._held = (self._settings_key(), held)

    def _settings_key(self) -> Tuple[Any, ...]:
        return (self.version, self.timeout, self.max_retries, self.transport)

    @property
    def _config(self) -> Config:
        """The settings of this object's next call."""
        key, held = self._held
        if key != self._settings_key():
            held = Config(
                api_version=self.version,
                timeout=self.timeout,
                max_retries=self.max_retries,
                transport=self.transport,
            )
            self._held = (self._settings_key(), held)
        return held
