"""Who may see and do what with talent data (ARCHITECTURE.md, the access table).

Talent data (ratings, placements in the nine-box, actions) is confidential:
- HR: everything, and everything HR does (cut-offs, adjustments, overrides, approvals, release);
- executives: the people within their reporting chain (not themselves); they approve promotion
  nominations and exit reviews (the general manager's part);
- managers: their own team (direct reports): they rate, and confirm, edit or drop actions;
- employees: only their own actions once HR has released them (development plans, training, PIPs;
  never nominations or exit reviews); not their ratings, grades or cell.
Everyone else gets 404 in pages, lists, API, PDF and exports.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.roles import is_executive, is_hr
from apps.org import access

from .models import RELEASABLE, ActionStatus

HR, EXECUTIVE, MANAGER = "hr", "executive", "manager"
NOTHING = Q(pk__in=[])


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def people_q(user, prefix: str = "") -> Q:
    """Rows whose employee (reached through ``prefix``, e.g. "employee__") the user may see in the grid:
    one condition on indexed columns."""
    if not _authenticated(user):
        return NOTHING
    if is_hr(user):
        return Q()
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return NOTHING
    q = Q(**{f"{prefix}supervisor_id": viewer.employee_id})
    if is_executive(user) and viewer.report_path:
        q |= Q(**{f"{prefix}report_path__startswith": viewer.report_path})
    pk = f"{prefix}pk" if prefix else "pk"
    return q & ~Q(**{pk: viewer.employee_id})


def may_review(user) -> bool:
    """Whether the talent review (grid) is open to the user at all: HR, executives, line managers."""
    if not _authenticated(user):
        return False
    if is_hr(user) or is_executive(user):
        return True
    return access.is_line_manager(user)


def roles(user, employee) -> frozenset[str]:
    """The user's roles towards one employee's talent data, from loaded fields (no query beyond the viewer)."""
    if not _authenticated(user):
        return frozenset()
    out = set()
    if is_hr(user):
        out.add(HR)
    viewer = access.viewer_for(user)
    me = viewer.employee_id
    if me and employee.pk != me:
        if employee.supervisor_id == me:
            out.add(MANAGER)
        if is_executive(user) and viewer.report_path and employee.report_path.startswith(viewer.report_path):
            out.add(EXECUTIVE)
    return frozenset(out)


def require_read(user, employee) -> frozenset[str]:
    r = roles(user, employee)
    if not r:
        raise NotFound(_("Not found."))
    return r


def require_any(user, employee, wanted: set[str], message: str) -> frozenset[str]:
    """404 for anyone who may not see the person's talent data; 403 with ``message`` for a reader
    without one of the ``wanted`` roles."""
    r = require_read(user, employee)
    if not (r & wanted):
        raise PermissionDenied(message)
    return r


def actions_q(user) -> Q:
    """Talent actions the user may read: those of the people they may see, plus their own released ones."""
    if not _authenticated(user):
        return NOTHING
    if is_hr(user):
        return Q()  # (an empty Q OR-ed with a condition would be that condition alone)
    q = people_q(user, "employee__")
    me = access.viewer_for(user).employee_id
    if me:
        q |= Q(employee_id=me, kind__in=list(RELEASABLE), released_at__isnull=False,
               status__in=[ActionStatus.RELEASED, ActionStatus.DONE])
    return q


def is_released_to(user, action) -> bool:
    me = access.viewer_for(user).employee_id if _authenticated(user) else None
    return bool(me and action.employee_id == me and action.kind in RELEASABLE and action.released_at
                and action.status in (ActionStatus.RELEASED, ActionStatus.DONE))


def viewer_for_id(user) -> int | None:
    return access.viewer_for(user).employee_id if _authenticated(user) else None
