"""A list read a page at a time: `limit` items, then the server's `continue` token,
until it gives none (https://kubernetes.io/docs/reference/using-api/api-concepts/
#retrieving-large-results-sets-in-chunks). The informers page through their own relist
(kube/informer.py, page by page into the store); this is for the one-shot reads."""

from __future__ import annotations

from collections.abc import Callable

from kubetui.render.json_types import Obj

# fetch(continue token or None) -> (the page's items, the list's metadata)
Fetch = Callable[[str | None], tuple[list[Obj], Obj]]


def read_pages(fetch: Fetch, max_pages: int | None = None) -> tuple[list[Obj], bool]:
    """(every item of every page read, whether the server had more after `max_pages`).
    A server that gives the same token twice would page in place for ever: ValueError."""
    items: list[Obj] = []
    token: str | None = None
    read = 0
    while max_pages is None or read < max_pages:
        page, meta = fetch(token)
        items.extend(page)
        read += 1
        following = meta.get("continue") or None
        if following is None:
            return items, False
        if following == token:
            raise ValueError("the server gave the same continue token twice")
        token = following
    return items, True
