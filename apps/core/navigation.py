"""The menu. Each app registers its entries in ``AppConfig.ready``; the base layout shows those the
user's roles allow (the pages themselves check access again)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    order: int = 100
    visible: Callable | None = None


_entries: dict[str, NavEntry] = {}


def register(entry: NavEntry) -> None:
    _entries[entry.key] = entry


def entries_for(user, current_path: str = "") -> list[dict]:
    out = []
    for e in sorted(_entries.values(), key=lambda e: (e.order, e.key)):
        if e.visible is not None and not e.visible(user):
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        out.append({"key": e.key, "label": e.label, "url": url, "active": False})
    # the entry whose URL is the longest prefix of the current page is the active one
    matches = [o for o in out if (current_path.startswith(o["url"]) if o["url"] != "/" else current_path == "/")]
    if matches:
        max(matches, key=lambda o: len(o["url"]))["active"] = True
    return out
