"""Who sees pay (docs/ARCHITECTURE.md, "Who sees what"). Pay is the most confidential data of the product:

- HR and finance (group ``finance``, apps/core/roles.py) see pay data, runs with their lines, proposals;
  HR writes, finance reads and downloads the payroll export;
- the general manager (an ``executive`` with no supervisor: the top of the reporting line) sees run totals (not the lines), approves runs and
  proposals, and sees the proposals they approve;
- a line manager sees only the proposals for their own team (the people below them, never their own);
- an employee sees only their own payout, once the run is released.
Everyone else gets 404. Views and the API call these checks; selectors filter with them.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.memo import remember
from apps.core.roles import is_executive, is_finance, is_hr
from apps.org.access import viewer_for


def is_pay_hr(user) -> bool:
    return is_hr(user)


def is_gm(user) -> bool:
    """The general manager: an executive at the top of the reporting line (no supervisor). Other
    executives (a vice-president) do not approve pay."""
    if not is_executive(user):
        return False
    def compute() -> bool:
        from apps.org.models import Employee

        return Employee.objects.filter(user_id=user.pk, is_active=True, supervisor__isnull=True).exists()

    return remember(user, "_pay_is_gm", compute)


def sees_pay_data(user) -> bool:
    """Pay data (bases, salaries, bands) and the lines of runs."""
    return is_hr(user) or is_finance(user)


def sees_totals(user) -> bool:
    return sees_pay_data(user) or is_gm(user)


def require_pay_data(user) -> None:
    if not sees_pay_data(user):
        raise NotFound(_("Not found."))


def require_totals(user) -> None:
    if not sees_totals(user):
        raise NotFound(_("Not found."))


def require_hr(user) -> None:
    """HR writes pay settings and runs; finance may read them (403), others do not see them (404)."""
    if is_hr(user):
        return
    if sees_totals(user):
        raise PermissionDenied(_("Only HR may change this."))
    raise NotFound(_("Not found."))


def require_gm(user) -> None:
    if is_gm(user):
        return
    if sees_totals(user):
        raise PermissionDenied(_("Only the general manager may approve."))
    raise NotFound(_("Not found."))


def proposal_scope_q(user) -> Q:
    """Proposals the user may read: HR, finance and the general manager all; a manager those of the people
    below them (not their own)."""
    if sees_totals(user):
        return Q()
    viewer = viewer_for(user)
    if not viewer.employee_id or not viewer.report_path:
        return Q(pk__in=[])
    return Q(employee__report_path__startswith=viewer.report_path) & ~Q(employee_id=viewer.employee_id)


def manages(user, employee) -> bool:
    """The employee is below the user in the reporting line (not the user themself)."""
    viewer = viewer_for(user)
    return bool(viewer.employee_id and viewer.report_path and employee.pk != viewer.employee_id
                and employee.report_path.startswith(viewer.report_path))


def is_line_manager(user) -> bool:
    return viewer_for(user).is_line_manager
