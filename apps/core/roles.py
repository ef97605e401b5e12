"""Product-wide roles held as Django groups: HR and executive. Line manager is derived from the org."""
from __future__ import annotations

from apps.core.memo import remember

HR_GROUP = "hr"
EXECUTIVE_GROUP = "executive"


def _group_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return remember(user, "_role_groups", lambda: frozenset(user.groups.values_list("name", flat=True)))


def is_hr(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or HR_GROUP in _group_names(user)


def is_executive(user) -> bool:
    return EXECUTIVE_GROUP in _group_names(user)

FINANCE_GROUP = "finance"


def is_finance(user) -> bool:
    """Finance staff: they read pay data and download the payroll export (apps/pay)."""
    return FINANCE_GROUP in _group_names(user)
