"""What the stages of the plans services share (package-internal; the names are public within
the package, not to the rest of the product: callers use ``apps.plans.services``).

Numbers in messages, notifications in the recipient's language, and the monthly plan's "who is who":
the actor's relation to a plan, the row lock, the refusal of a confirmed (locked) plan."""
from __future__ import annotations

import contextlib
import contextvars
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.notifications.services import notification_create
from apps.org import access
from apps.org.models import Employee

from ..models import MonthlyPlan, PlanItem, PlanStatus

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


def pct(value) -> str:
    """90 -> "90", 92.5 -> "92.5" (for messages)."""
    text = format(Decimal(value or 0).quantize(TWO_PLACES), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def person_name(user) -> str:
    if user is None:
        return _("someone")
    emp = Employee.objects.filter(user_id=user.pk).only("name_zh", "name_en").first()
    return emp.name if emp else user.get_username()


_SEND_EMAIL = contextvars.ContextVar("plans_send_email", default=True)


@contextlib.contextmanager
def without_email():
    """Notifications inside this block stay in-app (the demo seed: no e-mail to made-up people)."""
    token = _SEND_EMAIL.set(False)
    try:
        yield
    finally:
        _SEND_EMAIL.reset(token)


def notify(recipient, *, title, body="", url="", dedupe_key=None):
    """Notify in the recipient's own language (their saved preference, else the site default).
    ``title`` and ``body`` are callables so they are translated inside that language."""
    if recipient is None:
        return None
    from apps.accounts.models import UserPreference

    language = (UserPreference.objects.filter(user_id=recipient.pk).values_list("language", flat=True).first()
                or settings.LANGUAGE_CODE)
    with translation.override(language):
        return notification_create(recipient=recipient, title=str(title()), body=str(body() if body else ""),
                                   url=url, dedupe_key=dedupe_key, send_email=_SEND_EMAIL.get())


# --- monthly plans: who is who ------------------------------------------------------------------------

def supervisor_can_act(employee: Employee) -> bool:
    sup = employee.supervisor
    return sup is not None and sup.is_active and sup.user_id is not None


def approver_name(employee: Employee) -> str:
    if supervisor_can_act(employee):
        return _("%(name)s (the direct supervisor)") % {"name": employee.supervisor.name}
    return _("HR")


def relation(actor, plan: MonthlyPlan) -> set[str]:
    """The actor's roles on this plan: "owner" (the employee), "supervisor" (the direct supervisor,
    or HR when the supervisor cannot act: none, left, or no login), "hr" (HR files on behalf)."""
    viewer = access.viewer_for(actor)
    emp = plan.employee
    rel: set[str] = set()
    if viewer.employee_id and viewer.employee_id == emp.pk:
        rel.add("owner")
    if viewer.employee_id and emp.supervisor_id == viewer.employee_id:
        rel.add("supervisor")
    if viewer.is_hr and "owner" not in rel:
        rel.add("hr")
        if not supervisor_can_act(emp):
            rel.add("supervisor")
    return rel


def lock_plan(plan: MonthlyPlan) -> MonthlyPlan:
    return (MonthlyPlan.objects.select_for_update(of=("self",))
            .select_related("employee__supervisor__user", "employee__user", "employee__position__job_level",
                            "confirmed_by")
            .get(pk=plan.pk))


def readable(actor, plan: MonthlyPlan) -> set[str]:
    access.require(actor, access.READ, "record", plan.employee)
    return relation(actor, plan)


def locked_message(plan: MonthlyPlan) -> str:
    return (_("This plan was confirmed by %(by)s on %(date)s and is locked: its targets cannot move. Only "
              "%(who)s can reopen it, with a reason.")
            % {"by": person_name(plan.confirmed_by),
               "date": timezone.localtime(plan.confirmed_at).date().isoformat() if plan.confirmed_at else "—",
               "who": approver_name(plan.employee)})


def status_label(status: str) -> str:
    return str(PlanStatus(status).label)


# --- monthly plans: items as the audit trail and the submitted copy keep them -------------------------

def item_row(item: PlanItem) -> dict:
    return {"id": item.pk, "task": item.task, "expected_result": item.expected_result, "weight": str(item.weight),
            "due_date": item.due_date.isoformat() if item.due_date else None, "goal_id": item.goal_id,
            "completed": item.completed}


def items_snapshot(items) -> list[dict]:
    return [item_row(i) for i in sorted(items, key=lambda i: (i.order, i.pk or 0))]

