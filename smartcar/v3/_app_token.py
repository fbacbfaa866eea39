"""The v3 application token: fetched with client credentials, cached, shared, renewed.

``POST {iam}/oauth2/token`` with ``grant_type=client_credentials`` answers a one-hour token and
no refresh token. :class:`AppTokenSource` hands the same token to every caller until shortly
before it expires, and makes sure one request fetches the next one:

* across threads of a process, one lock: the first caller fetches, the others wait for it and
  use its token;
* across processes (with a ``smartcar.tokens.TokenStore``), the token is kept in the store
  under a key derived from the token endpoint and the client id; a process that finds no fresh
  token there takes the key's lease, looks again, and only then fetches and saves. Those that
  find the lease taken poll the store until the token appears.

It is a :class:`~smartcar._core.TokenSource`, like a user's token provider: a token the API
refused (401) is replaced once: :meth:`AppTokenSource.refresh_access_token` fetches a new one
unless another caller already replaced it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Callable, List, NamedTuple, Optional, Tuple

from .. import _calls, const, timeutil
from .._answers import ApiResponse, body_field, body_object, malformed
from .._checks import finite, sendable
from .._config import Config
from .._endpoints.v3 import ENDPOINTS
from .._lease import wait_for_lease
from ..exceptions import TokenStoreException

if TYPE_CHECKING:  # smartcar.tokens is imported only by callers that pass a store
    from ..tokens.store import TokenStore

__all__ = ["AppCredentials", "AppToken", "AppTokenSource", "SharedToken", "token_from_answer"]

logger = logging.getLogger("smartcar.v3")

RENEW_BEFORE = 60.0
"""Seconds before expiry at which a token counts as stale (at most a tenth of its lifetime)."""
LEASE_SECONDS = 30.0
WAIT_SECONDS = 60.0


class AppToken(NamedTuple):
    """An application token and the epoch second at which it stops being handed out."""

    access_token: str
    renew_at: float
    expires_at: float


def _now() -> float:
    """Epoch seconds from the SDK's clock (``smartcar.timeutil``), which tests may move."""
    return timeutil.timestamp()


class AppCredentials:
    """The ``client_…`` credential pair a token request sends (the secret is never shown)."""

    __slots__ = ("_secret", "client_id")

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._secret = client_secret

    def __repr__(self) -> str:
        return f"AppCredentials(client_id={self.client_id!r})"

    def form(self) -> List[Tuple[str, str]]:
        """The fields of ``POST {iam}/oauth2/token`` (client credentials grant)."""
        return [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id),
            ("client_secret", self._secret),
        ]

    @property
    def secrets(self) -> Tuple[str, ...]:
        """What the token request's redactor hides."""
        return (self._secret,)


class SharedToken:
    """One application token shared by processes through a ``TokenStore``: kept under a key
    derived from the token endpoint and the client id; a process that finds no fresh token
    takes the key's lease, looks again, and only then fetches (with the ``fetch`` it is given)
    and saves. Blocking: an async caller runs :meth:`obtain` on a worker thread."""

    def __init__(self, store: TokenStore, client_id: str) -> None:
        self.store = store
        self._client_id = client_id

    def __repr__(self) -> str:
        return repr(self.store)

    def obtain(self, rejected: Optional[str], fetch: Callable[[], AppToken]) -> AppToken:
        """Return the shared token unless it is ``rejected`` or stale, else one ``fetch``
        made under the lease (or the one another process saved meanwhile).

        Raises:
            TokenStoreException: the store failed, or another process's fetch did not finish
                within :data:`WAIT_SECONDS`.
            SmartcarException: what ``fetch`` raised.
        """
        key = self.key()
        shared = self._load(key, rejected)
        if shared is not None:
            return shared
        found, owner = wait_for_lease(
            self.store,
            key,
            lease_seconds=LEASE_SECONDS,
            wait_seconds=WAIT_SECONDS,
            find=lambda: self._load(key, rejected),
            waited_for="another process to fetch the application token",
        )
        if found is not None:
            return found
        try:
            shared = self._load(key, rejected)
            if shared is not None:
                return shared
            fresh = fetch()
            self.store.save(key, _dump(fresh))
            return fresh
        finally:
            try:
                self.store.release(key, owner)
            except TokenStoreException as error:
                logger.warning("could not release the application token lease: %s", error)

    def key(self) -> str:
        """The store key of this client's token."""
        digest = hashlib.sha256(f"{const.IAM_URL}\n{self._client_id}".encode()).hexdigest()
        return "smartcar.v3.app-token:" + digest[:40]

    def _load(self, key: str, rejected: Optional[str]) -> Optional[AppToken]:
        raw = self.store.load(key)
        if raw is None:
            return None
        token = _parse_record(raw)
        if token.access_token == rejected or _now() >= token.renew_at:
            return None
        return token


class AppTokenSource:
    """Fetches, caches and shares one application token (see the module docstring).

    Args:
        client_id: the ``client_…`` API credential id.
        client_secret: its secret (never shown, logged or put in an exception).
        store: a ``TokenStore`` shared by processes, or ``None`` for this process only.
        config: the token request's settings (timeout, retries, transport).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        store: Optional[TokenStore] = None,
        config: Optional[Config] = None,
    ) -> None:
        self.credentials = AppCredentials(client_id, client_secret)
        self.shared = SharedToken(store, client_id) if store is not None else None
        self._store = store
        self._config = config
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._cached: Optional[AppToken] = None

    def __repr__(self) -> str:
        return f"AppTokenSource(client_id={self.credentials.client_id!r}, store={self._store!r})"

    def access_token(self) -> str:
        """Return a token that is not about to expire, fetching one only when needed.

        Raises:
            AuthenticationException: the credentials were refused (``invalid_client``).
            TokenStoreException: the store failed, or another process's fetch did not
                finish within a minute.
            SmartcarException: the token request failed otherwise.
        """
        cached = self._cached
        if cached is not None and _now() < cached.renew_at:
            return cached.access_token
        with self._process_lock():
            cached = self._cached
            if cached is not None and _now() < cached.renew_at:
                return cached.access_token
            self._cached = self._obtain(rejected=None)
            return self._cached.access_token

    def refresh_access_token(self, rejected: str) -> str:
        """Return a token other than ``rejected`` (which the API refused with 401).

        Fetches a new one unless another thread or process already replaced ``rejected``.

        Raises:
            The exceptions of :meth:`access_token`.
        """
        with self._process_lock():
            cached = self._cached
            if cached is not None and cached.access_token != rejected and _now() < cached.renew_at:
                return cached.access_token
            self._cached = self._obtain(rejected=rejected)
            return self._cached.access_token

    def forget(self, rejected: str) -> None:
        """Stop handing out ``rejected`` in this process; the next :meth:`access_token`
        fetches anew (a command answered 401 for another reason than the token: it is not
        replayed, but the token is not trusted either)."""
        with self._process_lock():
            if self._cached is not None and self._cached.access_token == rejected:
                self._cached = None

    def _process_lock(self) -> threading.Lock:
        """This process's lock: a forked child starts with a fresh one (the parent's may have
        been held by a thread that does not exist in the child)."""
        pid = os.getpid()
        if pid != self._pid:
            self._lock, self._pid = threading.Lock(), pid
        return self._lock

    # Fetching and sharing ------------------------------------------------------------------

    def _obtain(self, rejected: Optional[str]) -> AppToken:
        if self.shared is None:
            return self._fetch()
        return self.shared.obtain(rejected, self._fetch)

    def _fetch(self) -> AppToken:
        started = _now()
        logger.info("requesting an application token")
        response = _calls.call(
            ENDPOINTS["app_token"],
            config=self._config,
            form=self.credentials.form(),
            secrets=self.credentials.secrets,
        )
        return token_from_answer(response, started)


def token_from_answer(response: ApiResponse, started: float) -> AppToken:
    """Read ``{"access_token", "token_type", "expires_in"}`` into an :class:`AppToken`.

    Raises:
        SmartcarException: no token (or one that cannot go in an HTTP header: control or
            non-ASCII characters), a ``token_type`` other than Bearer (any case), or no
            positive finite ``expires_in``.
    """
    token: str = body_field(response, "access_token", str)
    if not sendable(token):
        raise malformed(response, "a valid 'access_token'")
    token_type = body_object(response).get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise malformed(response, "'token_type': 'Bearer'")
    lifetime = finite(body_field(response, "expires_in", (int, float)))
    if lifetime is None or lifetime <= 0:
        raise malformed(response, "a valid 'expires_in'")
    expires_at = started + lifetime
    return AppToken(token, expires_at - min(RENEW_BEFORE, lifetime / 10.0), expires_at)


def _dump(token: AppToken) -> str:
    return json.dumps(
        {
            "access_token": token.access_token,
            "renew_at": token.renew_at,
            "expires_at": token.expires_at,
        }
    )


def _parse_record(raw: str) -> AppToken:
    try:
        record: Any = json.loads(raw)
        token, renew_at, expires_at = (
            record["access_token"],
            finite(record["renew_at"]),
            finite(record["expires_at"]),
        )
    except (ValueError, TypeError, KeyError, RecursionError):
        raise TokenStoreException("the stored application token record is corrupt") from None
    if not sendable(token) or renew_at is None or expires_at is None:
        raise TokenStoreException("the stored application token record is corrupt")
    return AppToken(token, renew_at, expires_at)
