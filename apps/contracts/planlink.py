"""The link to the plans app (a lower layer): goals of the cascade a line serves, and the confirmed
monthly work plan whose items become the "work plan" section of a monthly employee's contract.
Kept in one module so the rest of the app does not depend on the shape of the plans models."""
from __future__ import annotations

from django.db.models import Q

from apps.core.periods import MONTHLY, Period
from apps.plans.models import Goal, MonthlyPlan, OwnerKind, PlanStatus

from .models import Contract, ContractLine, Section

PLAN_ITEM_RULE = {"kind": "direct", "min": 0, "max": 100}


def _month(contract: Contract) -> tuple[int, int] | None:
    if contract.frequency != MONTHLY:
        return None
    p = Period.parse(contract.period)
    return p.year, p.index


def _line_for_item(item, contract_id: int, order: int) -> ContractLine:
    return ContractLine(
        contract_id=contract_id, section=Section.PLAN, order=order, title=item.task[:200],
        standard=(item.expected_result or item.task)[:300], weight=item.weight, due_date=item.due_date,
        rule=dict(PLAN_ITEM_RULE), goal_id=item.goal_id, plan_item_id=item.pk)


def confirmed_plan(contract: Contract) -> MonthlyPlan | None:
    month = _month(contract)
    if month is None:
        return None
    return (MonthlyPlan.objects.filter(employee_id=contract.employee_id, year=month[0], month=month[1],
                                       status=PlanStatus.CONFIRMED).prefetch_related("items").first())


def plan_lines_for(contract: Contract, start: int = 0) -> list[ContractLine]:
    """Lines for the items of the appraisee's confirmed plan of the month (monthly staff only);
    records the plan on the contract."""
    plan = confirmed_plan(contract)
    if plan is None:
        return []
    contract.work_plan = plan
    contract.save(update_fields=["work_plan"])
    return [_line_for_item(item, contract.pk, start + i)
            for i, item in enumerate(plan.items.all().order_by("order", "id"), start=1)]


def plan_lines_bulk(contracts: list[Contract], start: int = 0) -> list[ContractLine]:
    """The same for many contracts of one period: two reads and one update, whatever their number."""
    if not contracts or contracts[0].frequency != MONTHLY:
        return []
    year, month = _month(contracts[0])
    plans = {p.employee_id: p for p in MonthlyPlan.objects.filter(
        employee_id__in=[c.employee_id for c in contracts], year=year, month=month,
        status=PlanStatus.CONFIRMED).prefetch_related("items")}
    if not plans:
        return []
    lines, changed = [], []
    for c in contracts:
        plan = plans.get(c.employee_id)
        if plan is None:
            continue
        c.work_plan_id = plan.pk
        changed.append(c)
        items = sorted(plan.items.all(), key=lambda i: (i.order, i.pk))
        lines += [_line_for_item(item, c.pk, start + i) for i, item in enumerate(items, start=1)]
    Contract.objects.bulk_update(changed, ["work_plan"], batch_size=500)
    return lines


def goal_choices(contract: Contract) -> list[tuple[int, str]]:
    """Goals a line of this contract may serve: the appraisee's own, their position's, and those of
    their department and the departments above it, in the period's year. One query."""
    year = Period.parse(contract.period).year
    emp = contract.employee
    dept_ids = [int(x) for x in emp.department.path.strip("/").split("/") if x] if emp.department_id else []
    q = Q(owner_kind=OwnerKind.EMPLOYEE, employee_id=emp.pk) | Q(owner_kind=OwnerKind.DEPARTMENT,
                                                                 department_id__in=dept_ids)
    if emp.position_id:
        q |= Q(owner_kind=OwnerKind.POSITION, position_id=emp.position_id)
    goals = Goal.objects.filter(q, year=year).order_by("path")
    return [(g.pk, f"{'· ' * g.depth}{g.name}") for g in goals.only("pk", "name_zh", "name_en", "depth", "path")]
