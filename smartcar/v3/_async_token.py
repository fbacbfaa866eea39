"""The application token for the async client: one request however many tasks ask at once.

The token is the sync client's (:mod:`smartcar.v3._app_token`): the same credentials
(:class:`~smartcar.v3._app_token.AppCredentials`), the same answer checks and renewal time
(:func:`~smartcar.v3._app_token.token_from_answer`), and the same sharing between processes
through a token store (:class:`~smartcar.v3._app_token.SharedToken`), whose lease and polling
logic runs on a worker thread (``asyncio.to_thread``), so a store's I/O never blocks the event
loop. Only the token request itself goes through the async driver, back on the loop.

Within one event loop an ``asyncio.Lock`` makes the fetch single-flight: the first task
fetches, the others wait for it and use its token.
"""

from __future__ import annotations

import asyncio
from typing import Callable, Optional

from .. import _async_calls, _async_drivers
from .._config import Config
from .._endpoints.v3 import ENDPOINTS
from ._app_token import AppToken, AppTokenSource, _now, token_from_answer

__all__ = ["AsyncAppTokenSource"]


class AsyncAppTokenSource:
    """Fetches, caches and shares one application token for async callers.

    Args:
        source: the sync client's source (credentials, store).
        driver: returns the async driver the token request goes through.
        config: the token request's settings (timeout, retries).
    """

    def __init__(
        self,
        source: AppTokenSource,
        driver: Callable[[], _async_drivers.AsyncTransport],
        config: Config,
    ) -> None:
        self._source = source
        self._credentials = source.credentials
        self._shared = source.shared
        self._config = config
        self._driver = driver
        self._cached: Optional[AppToken] = None
        self._lock: Optional[asyncio.Lock] = None
        self._lock_loop: Optional[asyncio.AbstractEventLoop] = None

    def __repr__(self) -> str:
        return f"Async{self._source!r}"

    async def access_token(self) -> str:
        """The awaitable :meth:`smartcar.v3._app_token.AppTokenSource.access_token`."""
        cached = self._cached
        if cached is not None and _now() < cached.renew_at:
            return cached.access_token
        async with self._loop_lock():
            cached = self._cached
            if cached is not None and _now() < cached.renew_at:
                return cached.access_token
            self._cached = await self._obtain(rejected=None)
            return self._cached.access_token

    async def refresh_access_token(self, rejected: str) -> str:
        """A token other than ``rejected``, fetched unless another task already replaced it."""
        async with self._loop_lock():
            cached = self._cached
            if cached is not None and cached.access_token != rejected and _now() < cached.renew_at:
                return cached.access_token
            self._cached = await self._obtain(rejected=rejected)
            return self._cached.access_token

    def forget(self, rejected: str) -> None:
        """Stop handing out ``rejected``; the next :meth:`access_token` fetches anew."""
        if self._cached is not None and self._cached.access_token == rejected:
            self._cached = None

    async def fetch(self) -> AppToken:
        """One token request (``POST {iam}/oauth2/token``, client credentials)."""
        started = _now()
        response = await _async_calls.call(
            ENDPOINTS["app_token"],
            self._driver(),
            config=self._config,
            form=self._credentials.form(),
            secrets=self._credentials.secrets,
        )
        return token_from_answer(response, started)

    async def _obtain(self, rejected: Optional[str]) -> AppToken:
        shared = self._shared
        if shared is None:
            return await self.fetch()
        loop = asyncio.get_running_loop()

        def fetch_on_the_loop() -> AppToken:  # called by the store logic, on its thread
            return asyncio.run_coroutine_threadsafe(self.fetch(), loop).result()

        return await asyncio.to_thread(shared.obtain, rejected, fetch_on_the_loop)

    def _loop_lock(self) -> asyncio.Lock:
        """This event loop's lock (a lock belongs to the loop it was first used on)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock
