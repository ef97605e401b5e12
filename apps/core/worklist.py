"""The "my work" home page asks every app what waits for the user.

Apps register a provider in their ``AppConfig.ready``; a provider takes the user and returns
``WorkItem``s. Each provider must run a bounded number of queries.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    detail: str = ""
    due: object | None = None
    overdue: bool = False
    count: int | None = None


_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(user) -> list[WorkItem]:
    items: list[WorkItem] = []
    for provider in _providers:
        items.extend(provider(user) or [])
    return items
