"""Walking a list the service hands out page by page: one pager for every listing of the SDK
(v3 ``connections()``, ``webhooks()``, ``subscriptions()``, the sweep, and the v2 management
``get_connections``).

The listing rule:

* every item is yielded at most once per listing, recognised by its key (the v3 resource id,
  the v2 ``(userId, vehicleId)`` pair); a later page repeating it (an item pushed onto the next
  page while the list grows) does not yield it again;
* the walk stops after a page that says it is the last, after a page that brings no item not
  already yielded (a service that keeps answering page 1, or that sends neither ``meta`` nor
  ``links``), when the next page would be one already fetched (a cursor that repeats), and in
  any case after :data:`MAX_PAGES` pages (fewer where a caller says so: one vehicle's signals);
* memory holds the keys of the items yielded and the pages fetched (two sets), nothing more.
"""

from __future__ import annotations

from typing import (
    AsyncIterator,
    Awaitable,
    Callable,
    Generic,
    Hashable,
    Iterator,
    List,
    Optional,
    Set,
    Tuple,
    TypeVar,
)

__all__ = ["MAX_PAGES", "Listing", "walk", "walk_async"]

MAX_PAGES = 10_000
"""No listing fetches more pages than this."""

Answer = TypeVar("Answer")
Item = TypeVar("Item")

Fetch = Callable[[Hashable], Tuple[Answer, List[Item], Optional[Hashable]]]
"""``fetch(where)`` -> ``(answer, items, where the next page is)``; ``None``: the last page."""


class Listing(Generic[Item]):
    """The listing rule's state for one walk: where the next page is, and what it yields."""

    def __init__(
        self, first: Hashable, key: Callable[[Item], Optional[Hashable]], max_pages: int
    ) -> None:
        self._key = key
        self._max_pages = min(max_pages, MAX_PAGES)
        self._yielded: Set[Hashable] = set()
        self._fetched: Set[Hashable] = set()
        self._where: Optional[Hashable] = first

    def next_page(self) -> Optional[Hashable]:
        """Where the next page is (marked as fetched), or ``None``: the walk is over."""
        where = self._where
        if where is None or where in self._fetched or len(self._fetched) >= self._max_pages:
            return None
        self._fetched.add(where)
        return where

    def take(self, items: List[Item], following: Optional[Hashable]) -> List[Item]:
        """Return the items of a page not yielded before, noting where the next page is."""
        fresh: List[Item] = []
        new = False
        for item in items:
            name = self._key(item)
            if name is None:
                fresh.append(item)
            elif name not in self._yielded:
                self._yielded.add(name)
                fresh.append(item)
                new = True
        self._where = following if new else None
        return fresh


def walk(
    first: Hashable,
    fetch: Fetch[Answer, Item],
    key: Callable[[Item], Optional[Hashable]],
    *,
    max_pages: int = MAX_PAGES,
) -> Iterator[Tuple[Answer, List[Item]]]:
    """Yield ``(answer, new items)`` for each page, fetched lazily from ``first`` on, at most
    ``max_pages`` pages.

    ``key(item)`` names an item; an item without one (``None``) is always passed on (the
    caller refuses it) but never counts as new.

    Raises:
        whatever ``fetch`` raises.
    """
    listing = Listing(first, key, max_pages)
    where = listing.next_page()
    while where is not None:
        answer, items, following = fetch(where)
        yield answer, listing.take(items, following)
        where = listing.next_page()


async def walk_async(
    first: Hashable,
    fetch: Callable[[Hashable], Awaitable[Tuple[Answer, List[Item], Optional[Hashable]]]],
    key: Callable[[Item], Optional[Hashable]],
    *,
    max_pages: int = MAX_PAGES,
) -> AsyncIterator[Tuple[Answer, List[Item]]]:
    """:func:`walk` with an awaitable ``fetch``: the same rule, pages fetched lazily."""
    listing = Listing(first, key, max_pages)
    where = listing.next_page()
    while where is not None:
        answer, items, following = await fetch(where)
        yield answer, listing.take(items, following)
        where = listing.next_page()
