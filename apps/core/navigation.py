"""The menu. Each app registers its entries in ``AppConfig.ready``; the base layout shows those the
user's roles allow (the pages themselves check access again)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: object
    url_name: str
    order: int = 100
    visible: Callable | None = None
    group: str = ""


# Menus that gather entries so the bar stays one line: group key -> (label, order).
GROUPS = {
    "plans": (_("Plans and goals"), 200),
    "coaching": (_("Coaching"), 300),
    "org": (_("Organisation"), 500),
    "settings": (_("Settings"), 900),
}
# Where the entries of each app go, unless an entry names its group itself.
DEFAULT_GROUP = {
    "plans_goals": "plans", "plans_my_plan": "plans", "plans_team": "plans", "plans_strategy": "plans",
    "coaching": "coaching", "coaching_team": "coaching",
    "org_chart": "org", "directory": "org",
    "indicators": "settings", "job_levels": "settings", "org_import": "settings", "coaching_settings": "settings",
    "plans_settings": "settings", "audit": "settings",
}

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
        out.append({"key": e.key, "label": e.label, "url": url, "active": False, "order": e.order,
                    "group": e.group or DEFAULT_GROUP.get(e.key, "")})
    # the entry whose URL is the longest prefix of the current page is the active one
    matches = [o for o in out if (current_path.startswith(o["url"]) if o["url"] != "/" else current_path == "/")]
    if matches:
        max(matches, key=lambda o: len(o["url"]))["active"] = True
    return _grouped(out)


def _grouped(entries: list[dict]) -> list[dict]:
    """Top-level links and menus; a group with a single visible entry shows as a plain link."""
    by_group: dict[str, list[dict]] = {}
    for e in entries:
        if e["group"]:
            by_group.setdefault(e["group"], []).append(e)
    nodes = [e for e in entries if not e["group"] or len(by_group[e["group"]]) == 1]
    for key, children in by_group.items():
        if len(children) > 1:
            label, order = GROUPS.get(key, (key, 999))
            nodes.append({"key": key, "label": label, "order": order, "children": children,
                          "active": any(c["active"] for c in children)})
    return sorted(nodes, key=lambda n: n["order"])
