"""Who may see and do what with feedback interviews (docs/ARCHITECTURE.md, the access table).

An interview is open to exactly three kinds of people: the employee, the manager of record (the
interview's ``manager``: the appraiser who scored the appraisal, or the manager HR named) and HR. Not
the manager's manager, not executives, not colleagues: for them every page, list, API, PDF and export
answers 404 or leaves the interview out. The manager's private preparation notes are the manager's
alone: HR does not see them either.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.roles import is_hr
from apps.org import access

EMPLOYEE, MANAGER, HR = "employee", "manager", "hr"


def viewer_employee_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return access.viewer_for(user).employee_id


def scope_q(user, prefix: str = "") -> Q:
    """Interviews (reached through ``prefix``, e.g. "interview__") the user may read: one condition."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if is_hr(user):
        return Q()
    me = viewer_employee_id(user)
    if not me:
        return Q(pk__in=[])
    return Q(**{f"{prefix}employee_id": me}) | Q(**{f"{prefix}manager_id": me})


def roles(user, interview) -> frozenset[str]:
    """The user's roles on this interview, from fields already loaded (no query beyond the viewer)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    out = set()
    me = viewer_employee_id(user)
    if me and interview.employee_id == me:
        out.add(EMPLOYEE)
    if me and interview.manager_id == me:
        out.add(MANAGER)
    if is_hr(user):
        out.add(HR)
    return frozenset(out)


def require_read(user, interview) -> frozenset[str]:
    r = roles(user, interview)
    if not r:
        raise NotFound(_("Not found."))
    return r


def require_role(user, interview, role: str, message: str) -> frozenset[str]:
    """404 for anyone who may not read the interview; 403 with ``message`` for a reader without ``role``."""
    r = require_read(user, interview)
    if role not in r:
        raise PermissionDenied(message)
    return r
