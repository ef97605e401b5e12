"""The items of a monthly plan: who edits them now, saving the list, carrying last month's
unfinished items forward, and recording results once the plan is confirmed."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, PermissionDenied, TransitionNotAllowed

from .. import selectors
from ..models import (
    EDITABLE_BY_EMPLOYEE,
    EDITABLE_BY_SUPERVISOR,
    PLAN_MAX_ITEMS,
    Goal,
    MonthlyPlan,
    PlanItem,
    PlanItemChange,
    PlanStatus,
)
from .kernel import (
    HUNDRED,
    TWO_PLACES,
    approver_name,
    item_row,
    items_snapshot,
    lock_plan,
    locked_message,
    pct,
    readable,
    relation,
    status_label,
)


def _editing_role(plan: MonthlyPlan, rel: set[str]) -> str:
    """Who edits the items now, or a refusal that says why not and who can act."""
    if plan.status == PlanStatus.CONFIRMED:
        raise TransitionNotAllowed(locked_message(plan))
    if plan.status in EDITABLE_BY_EMPLOYEE:
        if "owner" in rel:
            return "employee"
        if "hr" in rel:
            return "hr"
        if "supervisor" in rel:
            raise PermissionDenied(_("The plan is still with %(name)s (%(status)s); you can adjust it once it is "
                                     "submitted.") % {"name": plan.employee.name,
                                                      "status": status_label(plan.status)})
    if plan.status in EDITABLE_BY_SUPERVISOR:
        if "supervisor" in rel:
            return "supervisor"
        if rel & {"owner", "hr"}:
            raise PermissionDenied(_("This plan has been submitted and waits for %(who)s to confirm it. Ask them "
                                     "to return it if something needs to change.")
                                   % {"who": approver_name(plan.employee)})
    raise PermissionDenied(_("You may see this plan but not change it."))


def editing_role(actor, plan: MonthlyPlan) -> str | None:
    """For pages: the role in which the actor may edit the items now, or None."""
    try:
        return _editing_role(plan, relation(actor, plan))
    except ApplicationError:
        return None


ITEM_FIELDS = ("task", "expected_result", "weight", "due_date", "goal_id")



def _item_error(index: int, field: str, message: str) -> ApplicationError:
    return ApplicationError(message, extra={"item": index, "item_field": field})


def _clean_items(plan: MonthlyPlan, items: list[dict], *, actor, existing: dict[int, PlanItem]) -> list[dict]:
    if len(items) > PLAN_MAX_ITEMS:
        raise ApplicationError(_("A monthly plan has at most %(n)s items.") % {"n": PLAN_MAX_ITEMS})
    first, last = plan.bounds
    month = plan.month_label
    goal_ids = {int(getattr(r.get("goal"), "pk", r.get("goal")) or 0) for r in items} - {0}
    unchanged = {i.goal_id for i in existing.values() if i.goal_id}
    visible = {}
    if goal_ids:
        scope = selectors.goal_scope_q(actor)
        if scope and unchanged:  # Q() means "every goal": OR-ing it with anything would narrow it
            scope = scope | Q(pk__in=unchanged)
        visible = {g.pk: g for g in Goal.objects.filter(scope, pk__in=goal_ids)}
    out = []
    for index, row in enumerate(items):
        n = index + 1
        task = (row.get("task") or "").strip()
        if not task:
            raise _item_error(index, "task", _("Item %(n)s: say what the task is.") % {"n": n})
        try:
            weight = Decimal(str(row.get("weight")))
        except (InvalidOperation, ValueError, TypeError):
            raise _item_error(index, "weight", _("Item %(n)s: the weight must be a number.") % {"n": n})
        if not (Decimal("0") < weight <= HUNDRED):
            raise _item_error(index, "weight", _("Item %(n)s: the weight must be more than 0%% and at most 100%%.")
                              % {"n": n})
        due = row.get("due_date")
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, dt.date):
            raise _item_error(index, "due_date", _("Item %(n)s: give a due date.") % {"n": n})
        if not (first <= due <= last):
            raise _item_error(index, "due_date", _(
                "Item %(n)s: the due date %(date)s is outside %(month)s; due dates must fall between %(first)s and "
                "%(last)s.") % {"n": n, "date": due.isoformat(), "month": month, "first": first.isoformat(),
                                "last": last.isoformat()})
        goal_id = int(getattr(row.get("goal"), "pk", row.get("goal")) or 0) or None
        if goal_id is not None:
            goal = visible.get(goal_id)
            if goal is None:
                raise _item_error(index, "goal", _("Item %(n)s: that goal does not exist or you may not see it.")
                                  % {"n": n})
            if goal.year != plan.year:
                raise _item_error(index, "goal", _("Item %(n)s: the goal “%(goal)s” belongs to %(year)s, not to this "
                                                   "plan's year.") % {"n": n, "goal": goal.name, "year": goal.year})
        item_id = row.get("id") or None
        if item_id is not None and int(item_id) not in existing:
            raise _item_error(index, "id", _("Item %(n)s does not belong to this plan.") % {"n": n})
        out.append({"id": int(item_id) if item_id else None, "task": task,
                    "expected_result": (row.get("expected_result") or "").strip(),
                    "weight": weight.quantize(TWO_PLACES), "due_date": due, "goal_id": goal_id, "order": index})
    return out


def _display(field: str, value):
    if isinstance(value, Decimal):
        return pct(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def plan_items_save(*, actor, plan: MonthlyPlan, items: list[dict],
                    expected_version: int | None = None) -> MonthlyPlan:
    """Replace the plan's items with ``items`` (each: optional id, task, expected_result, weight,
    due_date, goal). Rows with an id update that item, rows without one add an item, items left out
    are removed. The employee edits a draft or returned plan; the supervisor a submitted one.
    After the first submission every change is kept in the plan's change log for both sides."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    role = _editing_role(plan, rel)
    check_version(plan, expected_version)
    existing = {i.pk: i for i in plan.items.all()}
    before = items_snapshot(existing.values())
    rows = _clean_items(plan, items, actor=actor, existing=existing)
    to_update, to_create, log = [], [], []
    seen = set()
    for row in rows:
        if row["id"] is not None:
            item = existing[row["id"]]
            seen.add(item.pk)
            diff = {f: [_display(f, getattr(item, f)), _display(f, row[f])] for f in ITEM_FIELDS
                    if getattr(item, f) != row[f]}
            if diff or item.order != row["order"]:
                for f in ITEM_FIELDS:
                    setattr(item, f, row[f])
                item.order = row["order"]
                item.full_clean(exclude=["plan", "goal", "carried_from"])
                to_update.append(item)
            if diff:
                log.append(PlanItemChange(plan=plan, item=item, item_label=item.task[:300], kind="changed",
                                          changes=diff, actor=actor, actor_role=role, plan_status=plan.status))
        else:
            item = PlanItem(plan=plan, added_by=actor, **{f: row[f] for f in (*ITEM_FIELDS, "order")})
            item.full_clean(exclude=["plan", "goal", "carried_from"])
            to_create.append(item)
    removed = [i for pk, i in existing.items() if pk not in seen]
    if not to_update and not to_create and not removed:
        return plan
    if to_update:
        PlanItem.objects.bulk_update(to_update, ["task", "expected_result", "weight", "due_date", "goal_id", "order",
                                                 "updated_at"])
    created = PlanItem.objects.bulk_create(to_create) if to_create else []
    for item in created:
        log.append(PlanItemChange(plan=plan, item=item if item.pk else None, item_label=item.task[:300],
                                  kind="added", changes={f: [None, _display(f, getattr(item, f))]
                                                         for f in ITEM_FIELDS if getattr(item, f) not in (None, "")},
                                  actor=actor, actor_role=role, plan_status=plan.status))
    for item in removed:
        log.append(PlanItemChange(plan=plan, item=None, item_label=item.task[:300], kind="removed",
                                  changes={f: [_display(f, getattr(item, f)), None] for f in ITEM_FIELDS
                                           if getattr(item, f) not in (None, "")},
                                  actor=actor, actor_role=role, plan_status=plan.status))
    if removed:
        PlanItem.objects.filter(pk__in=[i.pk for i in removed]).delete()
    if plan.first_submitted_at and log:
        PlanItemChange.objects.bulk_create(log)
    bump(plan)
    plan.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="monthly_plan.items_save", obj=plan, before={"items": before},
                 after={"items": items_snapshot(plan.items.all()), "role": role})
    return plan



@transaction.atomic
def plan_carry_forward(*, actor, plan: MonthlyPlan) -> int:
    """Copy last month's unfinished items into this plan (once each; running it again adds nothing).
    Due dates move to the same day of this month (or its last day)."""
    plan = lock_plan(plan)
    rel = readable(actor, plan)
    role = _editing_role(plan, rel)
    last_month = plan.period.previous()
    previous = MonthlyPlan.objects.filter(employee_id=plan.employee_id, year=last_month.year,
                                          month=last_month.index).first()
    if previous is None:
        raise ApplicationError(_("There is no plan for %(month)s to carry forward from.")
                               % {"month": last_month.label})
    already = set(plan.items.exclude(carried_from=None).values_list("carried_from_id", flat=True))
    unfinished = list(previous.items.filter(completed=False).exclude(pk__in=already).select_related("goal")
                      .order_by("order", "id"))
    if not unfinished:
        return 0
    last_day = plan.bounds[1].day
    start = (plan.items.aggregate(m=Max("order"))["m"] or 0) + 1
    new = [PlanItem(plan=plan, order=start + i, task=item.task, expected_result=item.expected_result,
                    weight=item.weight, due_date=dt.date(plan.year, plan.month, min(item.due_date.day, last_day)),
                    goal_id=item.goal_id if item.goal_id and item.goal.year == plan.year else None,
                    added_by=actor, carried_from=item) for i, item in enumerate(unfinished)]
    created = PlanItem.objects.bulk_create(new)
    if plan.first_submitted_at:
        PlanItemChange.objects.bulk_create([
            PlanItemChange(plan=plan, item=i if i.pk else None, item_label=i.task[:300], kind="added",
                           changes={"carried_from": [None, previous.month_label]}, actor=actor, actor_role=role,
                           plan_status=plan.status) for i in created])
    if plan.carried_from_id is None:
        plan.carried_from = previous
    bump(plan)
    plan.save(update_fields=["carried_from", "version", "updated_at"])
    audit_record(actor=actor, action="monthly_plan.carry_forward", obj=plan,
                 after={"from_plan": previous.pk, "items": [item_row(i) for i in created]})
    return len(created)



@transaction.atomic
def plan_item_complete(*, actor, item: PlanItem, completed: bool = True, result_note: str = "") -> PlanItem:
    """Record that an item of a confirmed plan is done (or not): the result, not the target, so it
    does not unlock the plan. Unfinished items can be carried forward into next month."""
    obj = (PlanItem.objects.select_for_update(of=("self",))
           .select_related("plan__employee__supervisor__user").get(pk=item.pk))
    rel = readable(actor, obj.plan)
    if not rel & {"owner", "supervisor"}:
        raise PermissionDenied(_("Only %(name)s and their supervisor can record results.")
                               % {"name": obj.plan.employee.name})
    if obj.plan.status != PlanStatus.CONFIRMED:
        raise ApplicationError(_("Results are recorded once the plan is confirmed."))
    before = snapshot(obj, fields=["completed", "result_note"])
    obj.completed, obj.result_note = bool(completed), (result_note or "").strip()
    obj.full_clean(exclude=["plan", "goal", "carried_from"])
    if snapshot(obj, fields=["completed", "result_note"]) == before:
        return obj
    obj.save(update_fields=["completed", "result_note", "updated_at"])
    audit_record(actor=actor, action="plan_item.complete", obj=obj, before=before,
                 after=snapshot(obj, fields=["completed", "result_note"]))
    return obj

