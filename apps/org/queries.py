"""Query pieces every app's lists share: the search box over people and the department subtree.

Pages, API filter sets, exports and services build their filters from these, so a list searches and
narrows the same way wherever it is shown."""
from __future__ import annotations

from django.db.models import Q


def employee_search_q(text: str, prefix: str = "") -> Q:
    """The search box of a list of people: the name (Chinese or English) or the employee number
    contains ``text``. ``prefix`` leads from the listed model to the employee ("employee__",
    "appraisal__employee__"; "" for employees). Blank text matches everyone."""
    t = (text or "").strip()
    if not t:
        return Q()
    return (Q(**{f"{prefix}name_zh__icontains": t}) | Q(**{f"{prefix}name_en__icontains": t})
            | Q(**{f"{prefix}employee_no__icontains": t}))


def department_subtree_q(department, field: str = "department") -> Q:
    """In ``department`` (a Department or its path) or any department below it (the materialised
    path): ``field`` names the department relation of the listed model ("department",
    "employee__department"; "" for departments themselves)."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    return Q(**{lookup: getattr(department, "path", department)})
