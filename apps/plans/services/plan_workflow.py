"""The workflow of a monthly plan: start, submit, return, confirm (one or many), reopen.

The moves are the table ``models.PLAN_TRANSITIONS``, checked in one place: ``_transition``."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_bulk, audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, PermissionDenied, TransitionNotAllowed
from apps.core.periods import MONTHLY, Period
from apps.org import access
from apps.org.models import Employee, ReviewFrequency

from .. import selectors
from ..models import EDITABLE_BY_EMPLOYEE, PLAN_NO_OPS, PLAN_TRANSITIONS, MonthlyPlan, PlanItem, PlanStatus
from .kernel import (
    HUNDRED,
    approver_name,
    items_snapshot,
    lock_plan,
    locked_message,
    notify,
    pct,
    readable,
    relation,
    status_label,
    supervisor_can_act,
)
from .plan_items import editing_role, plan_carry_forward


def _transition(plan: MonthlyPlan, action: str) -> bool:
    """The one place that checks a workflow move. True when the plan moves, False for a no-op (the
    move was already made); TransitionNotAllowed otherwise."""
    sources, _target = PLAN_TRANSITIONS[action]
    if plan.status in PLAN_NO_OPS[action]:
        return False
    if plan.status in sources:
        return True
    if plan.status == PlanStatus.CONFIRMED:
        raise TransitionNotAllowed(locked_message(plan))
    messages = {
        "submit": _("This plan is %(status)s; it can be submitted only while it is a draft or returned."),
        "return": _("Only a submitted plan can be returned; this one is %(status)s."),
        "confirm": _("Only a submitted plan can be confirmed; this one is %(status)s."),
        "reopen": _("Only a confirmed plan can be reopened; this one is %(status)s."),
    }
    raise TransitionNotAllowed(messages[action] % {"status": status_label(plan.status)},
                               extra={"status": plan.status})


def _require_approver(plan: MonthlyPlan, rel: set[str], verb: str) -> None:
    if "supervisor" not in rel:
        messages = {
            "return": _("Only %(who)s can return this plan."),
            "confirm": _("Only %(who)s can confirm this plan."),
            "reopen": _("Only %(who)s can reopen this plan."),
        }
        raise PermissionDenied(messages[verb] % {"who": approver_name(plan.employee)})



def plan_actions(actor, plan: MonthlyPlan) -> set[str]:
    """For pages and the API: the actions the actor may take on the plan now."""
    rel = relation(actor, plan)
    out = set()
    if editing_role(actor, plan):
        out.add("edit")
        if plan.status in EDITABLE_BY_EMPLOYEE:
            out.add("carry_forward")
    if rel & {"owner", "hr"} and plan.status in PLAN_TRANSITIONS["submit"][0]:
        out.add("submit")
    if "supervisor" in rel:
        for action in ("return", "confirm", "reopen"):
            if plan.status in PLAN_TRANSITIONS[action][0]:
                out.add(action)
    if plan.status == PlanStatus.CONFIRMED and rel & {"owner", "supervisor"}:
        out.add("complete")
    return out



def _plan_url(plan: MonthlyPlan) -> str:
    return reverse("plans:plan_detail", args=[plan.pk])


def _plan_state(plan: MonthlyPlan) -> dict:
    return snapshot(plan, fields=["status", "version", "submitted_at", "returned_at", "return_comment",
                                  "confirmed_at", "reopened_at", "reopen_reason"])


def _weights_total(plan: MonthlyPlan) -> Decimal:
    return plan.items.aggregate(t=Sum("weight"))["t"] or Decimal("0")


def _check_ready(plan: MonthlyPlan, *, confirming: bool = False) -> None:
    if not plan.items.exists():
        raise ApplicationError(_("Add at least one item before the plan is submitted."), field="items")
    total = _weights_total(plan)
    if total != HUNDRED:
        message = (_("The weights of the items total %(total)s%%; adjust them to 100%% before confirming.")
                   if confirming else
                   _("The weights of the items total %(total)s%%; they must total 100%% before the plan can be "
                     "submitted."))
        raise ApplicationError(message % {"total": pct(total)}, field="items", extra={"total_weight": pct(total)})
    first, last = plan.bounds
    if plan.items.exclude(due_date__range=(first, last)).exists():
        raise ApplicationError(_("Every due date must fall in %(month)s.") % {"month": plan.month_label},
                               field="items")


def files_monthly_plans_or_refuse(employee: Employee) -> None:
    if selectors.files_monthly_plans(employee):
        return
    level = employee.job_level
    freq = (str(ReviewFrequency(level.review_frequency).label).lower() if level else _("not set"))
    raise ApplicationError(
        _("%(name)s's job level (%(level)s) is reviewed %(freq)s. Monthly work plans are for staff reviewed "
          "monthly; managers and above list quarterly or half-year goals instead.")
        % {"name": employee.name, "level": level.name if level else "—", "freq": freq})


@transaction.atomic
def plan_create(*, actor, employee: Employee, year: int, month: int, carry_forward: bool = False) -> MonthlyPlan:
    """Start the month's plan as a draft (a no-op when it exists), optionally from last month's
    unfinished items. The employee starts their own; HR may start one on an employee's behalf."""
    emp = Employee.objects.select_related("position__job_level", "supervisor").get(pk=employee.pk)
    access.require(actor, access.READ, "record", emp)
    viewer = access.viewer_for(actor)
    if viewer.employee_id != emp.pk and not viewer.is_hr:
        raise PermissionDenied(_("Only %(name)s (or HR on their behalf) can start this plan.") % {"name": emp.name})
    if not emp.is_active:
        raise ApplicationError(_("%(name)s has left the company.") % {"name": emp.name})
    files_monthly_plans_or_refuse(emp)
    if not (1 <= int(month) <= 12):
        raise ApplicationError(_("Choose a month from 1 to 12."), field="month")
    today = timezone.localdate()
    latest = Period.containing(MONTHLY, today).next()
    if (int(year), int(month)) > (latest.year, latest.index):
        raise ApplicationError(_("A plan can be started at most one month ahead."), field="month")
    plan = MonthlyPlan.objects.filter(employee=emp, year=year, month=month).first()
    if plan is None:
        plan = MonthlyPlan(employee=emp, year=year, month=month)
        # the (employee, year, month) rule is left to the database: a plan started at the same moment elsewhere
        # is caught below and is the same plan, not an error
        plan.full_clean(exclude=["employee"], validate_unique=False)
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:  # started at the same moment elsewhere: the same plan
            plan = MonthlyPlan.objects.get(employee=emp, year=year, month=month)
        else:
            audit_record(actor=actor, action="monthly_plan.create", obj=plan, after=_plan_state(plan))
    if carry_forward:
        plan_carry_forward(actor=actor, plan=plan)
        plan.refresh_from_db()
    return plan



@transaction.atomic
def plan_submit(*, actor, plan: MonthlyPlan, expected_version: int | None = None) -> MonthlyPlan:
    """Employee (or HR on their behalf): draft/returned -> submitted. The weights must total 100%."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    if not rel & {"owner", "hr"}:
        raise PermissionDenied(_("Only %(name)s can submit their plan.") % {"name": plan.employee.name})
    if not _transition(plan, "submit"):
        return plan
    check_version(plan, expected_version)
    _check_ready(plan)
    before = _plan_state(plan)
    now = timezone.now()
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at, plan.submitted_by = now, actor
    plan.first_submitted_at = plan.first_submitted_at or now
    plan.submitted_items = items_snapshot(plan.items.all())
    _save_move(actor, plan, "submit", before)
    emp = plan.employee
    if supervisor_can_act(emp):
        notify(emp.supervisor.user,
                title=lambda: _("%(name)s submitted the plan for %(month)s") % {"name": emp.name,
                                                                                 "month": plan.month_label},
                body=lambda: _("Confirm it, adjust it or return it with a comment."), url=_plan_url(plan))
    return plan


def _save_move(actor, plan: MonthlyPlan, action: str, before: dict) -> None:
    """The tail of every workflow move: new version, validated, saved, audited before/after."""
    bump(plan)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action=f"monthly_plan.{action}", obj=plan, before=before, after=_plan_state(plan))


@transaction.atomic
def plan_return(*, actor, plan: MonthlyPlan, comment: str, expected_version: int | None = None) -> MonthlyPlan:
    """Supervisor: submitted -> returned, with a comment saying what to change."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    _require_approver(plan, rel, "return")
    comment = (comment or "").strip()
    if not _transition(plan, "return"):
        return plan
    check_version(plan, expected_version)
    if not comment:
        raise ApplicationError(_("Say what needs to change: a returned plan needs a comment."), field="comment")
    before = _plan_state(plan)
    plan.status = PlanStatus.RETURNED
    plan.returned_at, plan.returned_by, plan.return_comment = timezone.now(), actor, comment
    _save_move(actor, plan, "return", before)
    if plan.employee.user_id:
        notify(plan.employee.user,
                title=lambda: _("Your plan for %(month)s was returned") % {"month": plan.month_label},
                body=lambda: comment, url=_plan_url(plan))
    return plan


@transaction.atomic
def plan_confirm(*, actor, plan: MonthlyPlan, expected_version: int | None = None) -> MonthlyPlan:
    """Supervisor: submitted -> confirmed. The plan is then locked (targets cannot move)."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    _require_approver(plan, rel, "confirm")
    if not _transition(plan, "confirm"):
        return plan
    check_version(plan, expected_version)
    _check_ready(plan, confirming=True)
    before = _plan_state(plan)
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_at, plan.confirmed_by = timezone.now(), actor
    _save_move(actor, plan, "confirm", before)
    _notify_confirmed(plan)
    return plan


def _notify_confirmed(plan: MonthlyPlan) -> None:
    if not plan.employee.user_id:
        return
    changed = plan.changes.filter(at__gte=plan.submitted_at).count() if plan.submitted_at else 0
    notify(plan.employee.user,
            title=lambda: _("Your plan for %(month)s was confirmed") % {"month": plan.month_label},
            body=lambda: (_("Your supervisor made %(n)s change(s) before confirming; see the plan.") % {"n": changed}
                          if changed else _("It is now locked for the month.")),
            url=_plan_url(plan))


@transaction.atomic
def plan_reopen(*, actor, plan: MonthlyPlan, reason: str, expected_version: int | None = None) -> MonthlyPlan:
    """Supervisor: confirmed -> returned, with a reason; the audit trail keeps before and after."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    _require_approver(plan, rel, "reopen")
    reason = (reason or "").strip()
    if not _transition(plan, "reopen"):
        return plan
    check_version(plan, expected_version)
    if not reason:
        raise ApplicationError(_("Give the reason for reopening a confirmed plan."), field="reason")
    before = _plan_state(plan)
    plan.status = PlanStatus.RETURNED
    plan.reopened_at, plan.reopened_by, plan.reopen_reason = timezone.now(), actor, reason
    _save_move(actor, plan, "reopen", before)
    if plan.employee.user_id:
        notify(plan.employee.user,
                title=lambda: _("Your plan for %(month)s was reopened") % {"month": plan.month_label},
                body=lambda: reason, url=_plan_url(plan))
    return plan


@transaction.atomic
def plan_bulk_confirm(*, actor, plan_ids: list[int]) -> dict:
    """Confirm many submitted plans at once (the team page). Set-based: the plans are locked and
    checked together, confirmed in one UPDATE and audited in one insert. Plans the actor may not
    confirm, that are not submitted or whose weights do not total 100% are skipped with a reason."""
    ids = sorted({int(i) for i in plan_ids})
    plans = list(MonthlyPlan.objects.select_for_update(of=("self",))
                 .select_related("employee__supervisor", "employee__user").filter(pk__in=ids).order_by("pk"))
    totals = dict(PlanItem.objects.filter(plan_id__in=ids).order_by().values("plan_id")
                  .annotate(t=Sum("weight")).values_list("plan_id", "t"))
    ok, skipped = [], []
    for plan in plans:
        if not access.can(actor, access.READ, "record", plan.employee):
            continue
        if "supervisor" not in relation(actor, plan):
            skipped.append((plan, _("Only %(who)s can confirm this plan.") % {"who": approver_name(plan.employee)}))
        elif plan.status != PlanStatus.SUBMITTED:
            skipped.append((plan, _("It is %(status)s.") % {"status": status_label(plan.status)}))
        elif totals.get(plan.pk) != HUNDRED:
            skipped.append((plan, _("Its weights total %(total)s%%.") % {"total": pct(totals.get(plan.pk) or 0)}))
        else:
            ok.append(plan)
    if ok:
        now = timezone.now()
        MonthlyPlan.objects.filter(pk__in=[p.pk for p in ok]).update(
            status=PlanStatus.CONFIRMED, confirmed_at=now, confirmed_by=actor, version=F("version") + 1,
            updated_at=now)
        rows = []
        for plan in ok:
            before = _plan_state(plan)
            plan.status, plan.confirmed_at, plan.confirmed_by, plan.version = (PlanStatus.CONFIRMED, now, actor,
                                                                               plan.version + 1)
            rows.append(("plans.monthlyplan", str(plan.pk), str(plan), before, _plan_state(plan)))
        audit_bulk(actor=actor, action="monthly_plan.confirm", rows=rows)
        for plan in ok:
            _notify_confirmed(plan)
    return {"confirmed": ok, "skipped": skipped}

