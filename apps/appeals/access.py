"""Who may see and do what with appeals and concerns (ARCHITECTURE.md, the access table).

- An appeal (or a review opened from a concern) is read by its employee, by HR, and by the manager of
  record only once HR has asked that manager for information, and then only what HR shares (the
  ``MANAGER`` role sees the shared summary, the contested lines and the requests addressed to them: not
  the employee's reasons, evidence or the hearing).
- A concern is HR's alone. Its author sees that it was received, nothing more; the subject, the manager
  and everyone else never learn it exists (404), and a review opened from it never names its author.
Everyone else: 404 in pages, lists, API, PDF.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.roles import is_hr
from apps.org import access

EMPLOYEE, MANAGER, HR = "employee", "manager", "hr"


def viewer_employee_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return access.viewer_for(user).employee_id


def _asked_manager_q(user_id: int) -> Q:
    from .models import Addressee, InfoRequest

    asked = InfoRequest.objects.filter(appeal_id=OuterRef("pk"), addressee=Addressee.MANAGER,
                                       addressee_user_id=user_id)
    return Q(Exists(asked))


def scope_q(user) -> Q:
    """Appeals the user may read: one condition."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if is_hr(user):
        return Q()
    me = viewer_employee_id(user)
    if not me:
        return Q(pk__in=[])
    return Q(employee_id=me) | (Q(manager_id=me) & _asked_manager_q(user.pk))


def roles(user, appeal) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    out = set()
    me = viewer_employee_id(user)
    if me and appeal.employee_id == me:
        out.add(EMPLOYEE)
    if me and appeal.manager_id == me and appeal.info_requests.filter(addressee="manager",
                                                                      addressee_user_id=user.pk).exists():
        out.add(MANAGER)
    if is_hr(user):
        out.add(HR)
    return frozenset(out)


def require_read(user, appeal) -> frozenset[str]:
    r = roles(user, appeal)
    if not r:
        raise NotFound(_("Not found."))
    return r


def require_role(user, appeal, role: str, message: str) -> frozenset[str]:
    r = require_read(user, appeal)
    if role not in r:
        raise PermissionDenied(message)
    return r


def require_hr_or_404(user) -> None:
    if not is_hr(user):
        raise NotFound(_("Not found."))
