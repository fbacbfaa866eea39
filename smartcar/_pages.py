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

from typing import Callable, Hashable, Iterator, List, Optional, Set, Tuple, TypeVar

__all__ = ["MAX_PAGES", "walk"]

MAX_PAGES = 10_000
"""No listing fetches more pages than this."""

Answer = TypeVar("Answer")
Item = TypeVar("Item")

Fetch = Callable[[Hashable], Tuple[Answer, List[Item], Optional[Hashable]]]
"""``fetch(where)`` -> ``(answer, items, where the next page is)``; ``None``: the last page."""


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
    yielded: Set[Hashable] = set()
    fetched: Set[Hashable] = set()
    where: Optional[Hashable] = first
    while where is not None and where not in fetched and len(fetched) < min(max_pages, MAX_PAGES):
        fetched.add(where)
        answer, items, following = fetch(where)
        fresh: List[Item] = []
        new = False
        for item in items:
            name = key(item)
            if name is None:
                fresh.append(item)
            elif name not in yielded:
                yielded.add(name)
                fresh.append(item)
                new = True
        yield answer, fresh
        where = following if new else None
