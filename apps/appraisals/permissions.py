"""Who may see and do what with appraisals, on top of ``apps.org.access`` (kind "record").

- An appraisal is read by the people who may read the employee's record (self, direct manager,
  the manager chain, HR) and by its appraiser (who may sit outside the chain when HR named them).
- Data-source users (a user whose own department is a line's data source, not a section below it,
  or the head HR named for that department) see and enter the actuals of those lines only: never
  the scores, comments or the other lines. Nobody, HR included, enters or returns their own actual.
- A record a user may not see answers 404 (NotFound), never 403.
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.memo import remember
from apps.core.roles import is_hr
from apps.org import access
from apps.org.queries import department_subtree_q


def viewer(user) -> access.Viewer:
    return access.viewer_for(user)


def _memo(user, key: str, compute):
    """``compute()`` once per user object (one request): see :mod:`apps.core.memo`."""
    return remember(user, key, compute)


def data_source_ids(user) -> frozenset[int]:
    """Departments whose lines the user provides data for: the user's own department itself (not the
    departments above it: a section of sales does not enter the figures sales answers for) and the
    departments HR made the user head of (the role given explicitly, ``Department.head``)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()

    def compute() -> frozenset[int]:
        from apps.org.models import Department

        # one query: the department the user is in, and those whose head HR made them
        return frozenset(Department.objects.filter(
            Q(employees__user_id=user.pk, employees__is_active=True)
            | Q(head__user_id=user.pk, head__is_active=True)).values_list("pk", flat=True).distinct())

    return _memo(user, "_appraisal_ds_ids", compute)


def _own_line(user, appraisal) -> bool:
    v = viewer(user)
    return bool(v.employee_id) and appraisal.employee_id == v.employee_id


def appraisal_scope_q(user, prefix: str = "") -> Q:
    """Appraisals (reached through ``prefix``, e.g. "appraisal__") the user may read as a record."""
    q = access.employee_scope_q(user, "record", prefix=f"{prefix}employee__")
    v = viewer(user)
    if v.employee_id and q != Q():
        q |= Q(**{f"{prefix}appraiser_id": v.employee_id})
    return q


def relations(user, appraisal) -> set[str]:
    """Relations of the user to the appraisal: those of ``access.relations`` plus "appraiser"."""
    v = viewer(user)
    rel = access.relations(v, appraisal.employee)
    if v.employee_id and appraisal.appraiser_id == v.employee_id:
        rel.add("appraiser")
    return rel


def can_read(user, appraisal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return "appraiser" in relations(user, appraisal) or access.can(user, access.READ, "record", appraisal.employee)


def require_read(user, appraisal) -> set[str]:
    if not can_read(user, appraisal):
        raise NotFound(_("Not found."))
    return relations(user, appraisal)


def is_appraiser(user, appraisal) -> bool:
    v = viewer(user)
    return bool(v.employee_id) and appraisal.appraiser_id == v.employee_id


def is_self(user, appraisal) -> bool:
    v = viewer(user)
    return bool(v.employee_id) and appraisal.employee_id == v.employee_id


def can_enter_actual(user, line, appraisal=None) -> bool:
    """HR, a user of the line's data source, or (a line without a data source) its appraiser; never
    the appraisee, whoever they are (nobody enters, returns or sees as data owner their own actual)."""
    appraisal = appraisal or line.appraisal
    if _own_line(user, appraisal):
        return False
    if is_hr(user):
        return True
    if line.data_source_id is not None:
        return line.data_source_id in data_source_ids(user)
    return is_appraiser(user, appraisal)


def require_line_data(user, line, appraisal=None) -> None:
    """The user may see and enter the actual of this line; otherwise 404 (the line does not leak)."""
    if not can_enter_actual(user, line, appraisal):
        raise NotFound(_("Not found."))


def actuals_scope_q(user) -> Q:
    """Score lines whose actuals the user may see and enter (never the user's own lines)."""
    v = viewer(user)
    if is_hr(user):
        return ~Q(appraisal__employee_id=v.employee_id) if v.employee_id else Q()
    ids = data_source_ids(user)
    q = Q(data_source_id__in=list(ids)) if ids else Q(pk__in=[])
    if v.employee_id:
        q |= Q(data_source__isnull=True, appraisal__appraiser_id=v.employee_id)
        q &= ~Q(appraisal__employee_id=v.employee_id)
    return q


def sees_company_aggregates(user) -> bool:
    """Company-wide and per-department counts (a cycle's progress): HR and executives, as the
    aggregate policy of ``apps.org.access`` says ("all" for both; no one else sees the whole company)."""
    return access.employee_scope_q(user, "aggregate") == Q()


def require_hr(user) -> None:
    if not is_hr(user):
        raise PermissionDenied(_("Only HR may do this."))


def require_hr_or_404(user) -> None:
    if not is_hr(user):
        raise NotFound(_("Not found."))


# --- calibration: HR everywhere, a department head (Department.head) in their department subtree -------

def headed_paths(user) -> tuple[str, ...]:
    """Tree paths of the departments the user heads (cached on the user object)."""

    def compute() -> tuple[str, ...]:
        v = viewer(user)
        if not v.employee_id:
            return ()
        from apps.org.models import Department

        return tuple(Department.objects.filter(head_id=v.employee_id, is_active=True)
                     .order_by("path").values_list("path", flat=True))

    return _memo(user, "_appraisal_headed_paths", compute)


def calibration_scope_q(user, prefix: str = "") -> Q | None:
    """Appraisals the user calibrates: all for HR, the headed subtrees for a head, None for anyone else."""
    if is_hr(user):
        return Q()
    paths = headed_paths(user)
    if not paths:
        return None
    q = Q(pk__in=[])
    for p in paths:
        q |= department_subtree_q(p, f"{prefix}department")
    return q


def can_calibrate(user, appraisal) -> bool:
    if is_hr(user):
        return True
    path = appraisal.department.path
    return any(path.startswith(p) for p in headed_paths(user))


def require_calibrate(user, appraisal) -> None:
    """HR or the head of the appraisal's department (or one above it); otherwise 404."""
    if not getattr(user, "is_authenticated", False) or not can_calibrate(user, appraisal):
        raise NotFound(_("Not found."))
