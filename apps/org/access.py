"""Who may see and do what: the one place that answers it (docs/ARCHITECTURE.md, "Who sees what").

Kinds of record (the rows of the table):
- ``record``: an employee's plan, contract, scores and personnel record
- ``coaching``: coaching records and the performance file
- ``interview``: feedback interview records (confidential)
- ``appeal``: appeals against a published result
- ``aggregate``: statistics and dashboards
- ``directory``: the public card of a colleague (name, department, position, e-mail)

Relations of the viewer to the employee: ``self``, ``direct`` (direct supervisor), ``chain``
(any manager above, direct included), ``hr``, ``executive``, ``colleague`` (anyone else).
Selectors filter with :func:`employee_scope_q`; single objects go through :func:`require`,
which answers 404 when the user may not read, 403 when they may read but not act.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.memo import remember
from apps.core.roles import is_executive, is_hr

READ, WRITE, SIGN, HANDLE = "read", "write", "sign", "handle"

POLICY: dict[str, dict[str, frozenset[str]]] = {
    "record": {
        "self": frozenset({READ, SIGN}), "direct": frozenset({READ, WRITE}), "chain": frozenset({READ}),
        "hr": frozenset({READ, WRITE, HANDLE}), "executive": frozenset(), "colleague": frozenset(),
    },
    "coaching": {
        "self": frozenset({READ, SIGN}), "direct": frozenset({READ, WRITE}), "chain": frozenset({READ}),
        "hr": frozenset({READ, WRITE, HANDLE}), "executive": frozenset(), "colleague": frozenset(),
    },
    "interview": {
        "self": frozenset({READ, SIGN}), "direct": frozenset({READ, WRITE}), "chain": frozenset(),
        "hr": frozenset({READ, WRITE, HANDLE}), "executive": frozenset(), "colleague": frozenset(),
    },
    "appeal": {
        "self": frozenset({READ, WRITE}), "direct": frozenset({READ}), "chain": frozenset(),
        "hr": frozenset({READ, HANDLE}), "executive": frozenset(), "colleague": frozenset(),
    },
    "aggregate": {
        "self": frozenset({READ}), "direct": frozenset({READ}), "chain": frozenset({READ}),
        "hr": frozenset({READ}), "executive": frozenset({READ}), "colleague": frozenset(),
    },
    "directory": {
        "self": frozenset({READ}), "direct": frozenset({READ}), "chain": frozenset({READ}),
        "hr": frozenset({READ, WRITE}), "executive": frozenset({READ}), "colleague": frozenset({READ}),
    },
}
# Executives see every aggregate of the company, but records only in their own chain.
_ALL_FOR = {"hr": set(POLICY), "executive": {"aggregate", "directory"}}


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    employee_id: int | None
    report_path: str
    is_hr: bool
    is_executive: bool

    @cached_property  # asked by several menu entries and work lists on one page: one query per request
    def is_line_manager(self) -> bool:
        return bool(self.employee_id) and _has_reports(self.employee_id)


def _has_reports(employee_id: int) -> bool:
    from .models import Employee

    return Employee.objects.filter(supervisor_id=employee_id, is_active=True).exists()


def viewer_for(user) -> Viewer:
    """The viewer's place in the organisation, read once per request and kept on the user object."""
    cached = getattr(user, "_org_viewer", None)
    if cached is not None:
        return cached
    from .models import Employee

    emp = None
    if getattr(user, "is_authenticated", False):
        emp = Employee.objects.filter(user_id=user.pk, is_active=True).only("pk", "report_path").first()
    viewer = Viewer(
        user_id=getattr(user, "pk", None),
        employee_id=emp.pk if emp else None,
        report_path=emp.report_path if emp else "",
        is_hr=is_hr(user),
        is_executive=is_executive(user),
    )
    if getattr(user, "is_authenticated", False):
        remember(user, "_org_viewer", lambda: viewer)
    return viewer


def relations(viewer: Viewer, employee) -> set[str]:
    """Relations of the viewer to one employee, from fields already loaded (no query)."""
    rel = {"colleague"}
    if viewer.is_hr:
        rel.add("hr")
    if viewer.is_executive:
        rel.add("executive")
    if viewer.employee_id:
        if employee.pk == viewer.employee_id:
            rel.add("self")
        else:
            if employee.supervisor_id == viewer.employee_id:
                rel.add("direct")
            if viewer.report_path and employee.report_path.startswith(viewer.report_path):
                rel.add("chain")
    return rel


def permissions(user, kind: str, employee) -> frozenset[str]:
    viewer = viewer_for(user)
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    table = POLICY[kind]
    perms: set[str] = set()
    for rel in relations(viewer, employee):
        perms |= table.get(rel, frozenset())
    return frozenset(perms)


def can(user, perm: str, kind: str, employee) -> bool:
    return perm in permissions(user, kind, employee)


def require(user, perm: str, kind: str, employee) -> frozenset[str]:
    """Refuse unless the user may ``perm`` this kind of record of ``employee``.

    404 when the user may not even read it (its existence does not leak), 403 otherwise.
    """
    perms = permissions(user, kind, employee)
    if READ not in perms:
        raise NotFound(_("Not found."))
    if perm not in perms:
        raise PermissionDenied(_("You may see this record but not change it."))
    return perms


def employee_scope_q(user, kind: str, prefix: str = "") -> Q:
    """A filter for rows whose employee (reached through ``prefix``, e.g. "appraisal__employee__")
    the user may read. One condition on indexed columns; no per-row work."""
    viewer = viewer_for(user)
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if (viewer.is_hr and kind in _ALL_FOR["hr"]) or (viewer.is_executive and kind in _ALL_FOR["executive"]):
        return Q()
    if kind == "directory":
        return Q()
    if not viewer.employee_id:
        return Q(pk__in=[])
    pk = f"{prefix}pk" if prefix else "pk"
    own = Q(**{pk: viewer.employee_id})
    if kind in ("record", "coaching", "aggregate"):
        return own | Q(**{f"{prefix}report_path__startswith": viewer.report_path})
    if kind in ("interview", "appeal"):
        return own | Q(**{f"{prefix}supervisor_id": viewer.employee_id})
    raise ValueError(f"unknown kind of record: {kind}")


def is_line_manager(user) -> bool:
    return viewer_for(user).is_line_manager
