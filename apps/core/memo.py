"""Facts about a user computed once per request and kept on the user object itself.

Each fact lives in the object's own ``__dict__`` under its key, so ``delattr(user, key)`` (or
:func:`forget`) drops it and the next read computes it again (tests and the demo do that after changing
someone's roles or place in the organisation)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def remember(obj, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per object: later calls return the kept value."""
    store = vars(obj)
    if key not in store:
        store[key] = compute()
    return store[key]


def forget(obj, *keys: str) -> None:
    """Drop the kept facts ``keys``: the next read computes them again."""
    store = vars(obj)
    for key in keys:
        store.pop(key, None)
