"""Panels that higher apps show on a lower app's page, without the lower app importing them.

A page names a *slot* (e.g. ``"appraisal.detail"``) and renders whatever panels the apps above
registered for it: an interview's improvement plan beside the appraisal, an appeal's status, the
agreed development actions. Apps register a provider in their ``AppConfig.ready``; a provider takes
``user`` and ``obj`` and returns a ``Panel`` or ``None`` (nothing to show, or the user may not see
it). Each provider must run a bounded number of queries and apply its own access rules.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with ``context`` (plus ``request``) by the ``{% panels %}`` tag
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: dict[str, list[Callable]] = {}


def register(slot: str, provider: Callable) -> Callable:
    providers = _providers.setdefault(slot, [])
    if provider not in providers:
        providers.append(provider)
    return provider


def panels_for(slot: str, *, user, obj) -> list[Panel]:
    found = [p for p in (provider(user=user, obj=obj) for provider in _providers.get(slot, ())) if p is not None]
    return sorted(found, key=lambda p: p.order)
