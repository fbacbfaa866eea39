"""The configuration object: the settings one call uses (:class:`Config`), and the objects
that hold one (:class:`Configured`: ``Vehicle``, ``AuthClient``).

A :class:`Config` is a view of the process-wide defaults (:mod:`smartcar._settings`, re-exported
here) with some settings overridden (a ``Vehicle(version="1.0", timeout=5)`` holds one); every
setting it does not override follows the default at the moment it is read, so a change of the
default reaches existing objects.

The origins are not stored here: they are the ``smartcar.const`` URL constants, resolved when a
request is made (an explicit assignment, else the ``SMARTCAR_*_ORIGIN`` variable, else the
default); :meth:`Config.url` reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Tuple

from . import const
from ._settings import (
    API_VERSION_ENV,
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_TIMEOUT,
    RetryPolicy,
    Timeout,
    api_version,
    check_api_version,
    check_max_body_size,
    check_retries,
    check_timeout,
    default_max_body_size,
    default_retry,
    default_timeout,
    get_api_version,
    override,
    set_api_version,
    set_defaults,
)

if TYPE_CHECKING:
    from ._wire import Transport

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
    "override",
    "set_api_version",
    "set_defaults",
]


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
        "_retry_made",
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
        self._retry_made: Tuple[Optional[RetryPolicy], Optional[RetryPolicy]] = (None, None)
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
        if self._max_retries is None:
            return policy
        base, made = self._retry_made  # the override of the base policy it was made from
        if base is not policy or made is None:
            made = policy._replace(max_retries=self._max_retries)
            self._retry_made = (policy, made)
        return made

    @property
    def max_body_size(self) -> int:
        """The most bytes of decoded body one answer may have."""
        if self._max_body_size is not None:
            return self._max_body_size
        return default_max_body_size()

    def url(self, name: str) -> str:
        """Return the ``smartcar.const`` URL constant ``name`` as it stands now; ``API_URL``
        for this configuration's API version.

        Raises:
            KeyError: ``name`` is not a URL constant.
        """
        if name == "API_URL":
            return const.api_url(self.api_version)
        return const.current(name)

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
