"""One vehicle's signals, read page by page: what the sync and async vehicles share (they only
send the calls).

The first page is fetched at the vehicle's signals path; a page that says more signals exist
(``meta.totalCount`` above those read) leads to ``links.next``, followed under the listing rule
of :mod:`smartcar._pages` (a page fetched twice or one bringing no new code ends it), over at
most :data:`MAX_SIGNAL_PAGES` pages. A code sent twice keeps its later reading.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional

from .. import _calls, _pages, const
from .._answers import ApiResponse
from .._config import Config
from . import _parse
from ._http import ENDPOINTS, next_link
from ._signals import Signal

__all__ = ["MAX_SIGNAL_PAGES", "SignalPages"]

MAX_SIGNAL_PAGES = 50


class SignalPages:
    """The signals read so far, and where the next page is.

    Args:
        config: the settings the vehicle's calls use (for the first page's URL, worked out
            only when a second page is named, to recognise a link back to it).
        vehicle_id: the vehicle.
        read: the signals of one answer (raises ``SmartcarException`` for a bad one).
    """

    def __init__(
        self, config: Config, vehicle_id: str, read: Callable[[ApiResponse], List[Signal]]
    ) -> None:
        self.signals: Dict[str, Signal] = {}
        self.request_id: Optional[str] = None
        self._config = config
        self._vehicle_id = vehicle_id
        self._read = read
        self._listing: Optional[_pages.Listing[str]] = None

    def add(self, response: ApiResponse) -> Optional[str]:
        """Take one page's signals; return the URL of the next page to fetch, or ``None``."""
        page = self._read(response)
        signals = self.signals
        for signal in page:
            signals[signal.code] = signal
        if self.request_id is None:
            self.request_id = response.request_id
        info = _parse.page_info(response.body)
        if info.total is None or len(signals) >= info.total:
            return None
        listing = self._listing
        if listing is None:
            first = _calls.url_for(ENDPOINTS["signals"], self._config, vehicle_id=self._vehicle_id)
            listing = self._listing = _pages.Listing(first, _same, MAX_SIGNAL_PAGES)
            listing.next_page()  # the first page, fetched already
        listing.take([signal.code for signal in page], next_link(response.body, _base()))
        return listing.next_page()  # type: ignore[return-value]


def _same(code: str) -> str:
    return code


def _base() -> str:
    return const.VEHICLE_API_V3_URL
