"""Reads of strategy, goals and monthly plans shared by pages, the API, tasks and later apps.

Who sees which goal (the alignment tree): HR sees every goal. Everyone else, executives included,
sees the department and position goals of their own department and of the departments above it
(the chain up to the company, so "why does this goal exist" can be answered), their own goals and
those of the people below them in the reporting line (the personnel-record row of
apps/org/access.py: self, manager chain, HR; executives within their chain), and, as a line
manager or department head, the department and position goals of the departments below.
Executives also see every department goal of the company: the cascade from the company goals down
is meant to be visible to those who steer it (a department goal carries no one's personal data).
Who may change a goal is the services' rule (``services.goal_can_manage``: owners, their managers
and HR). Monthly plans follow the personnel-record row (own, manager chain, HR).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core import periods
from apps.core.exceptions import NotFound
from apps.core.models import AuditEvent
from apps.org import access
from apps.org.models import Department, Employee, ReviewFrequency
from apps.org.queries import department_subtree_q, employee_search_q

from .models import (
    AnnualPlan,
    Goal,
    GoalAcknowledgement,
    MonthlyPlan,
    OwnerKind,
    PlanItem,
    PlanSettings,
    PlanStatus,
    StrategicTheme,
    Strategy,
)

NOT_STARTED = "none"  # the status shown for an employee who has not started the month's plan


# --- the viewer --------------------------------------------------------------------------------

def _cache(user) -> dict:
    """Per-request facts about the viewer, kept on the user object (as ``plans_viewer_facts``) and
    dropped together with apps.org.access's own cache of the viewer (so both always describe the
    same organisation)."""
    viewer = access.viewer_for(user)
    cached = getattr(user, "plans_viewer_facts", None)
    if cached is None or cached[0] is not viewer:
        cached = (viewer, {})
        user.plans_viewer_facts = cached
    return cached[1]


def viewer_employee(user) -> Employee | None:
    """The user's own employee record with department and job level, read once per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = _cache(user)
    if "employee" not in cache:
        cache["employee"] = (Employee.objects.select_related("department", "position__job_level", "supervisor")
                             .filter(user_id=user.pk, is_active=True).first())
    return cache["employee"]


def headed_department_paths(user) -> list[str]:
    cache = _cache(user)
    if "headed" not in cache:
        me = viewer_employee(user)
        cache["headed"] = (list(Department.objects.filter(head_id=me.pk).values_list("path", flat=True))
                           if me else [])
    return cache["headed"]


def is_line_manager(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cache = _cache(user)
    if "manager" not in cache:
        cache["manager"] = access.is_line_manager(user)
    return cache["manager"]


def sees_all_goals(user) -> bool:
    """HR sees every goal; executives see every department goal and people's goals in their chain."""
    viewer = access.viewer_for(user)
    return bool(getattr(user, "is_authenticated", False)) and viewer.is_hr


def files_monthly_plans(employee: Employee | None) -> bool:
    level = employee.job_level if employee is not None else None
    return bool(level and level.review_frequency == ReviewFrequency.MONTHLY)


# --- goals -------------------------------------------------------------------------------------

def goal_scope_q(user) -> Q:
    """A filter for the goals the user may see (see the module docstring). No per-row work."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if sees_all_goals(user):
        return Q()
    # executives: the whole cascade of department goals, besides what their place in the org shows them
    cascade = Q(owner_kind=OwnerKind.DEPARTMENT) if access.viewer_for(user).is_executive else None
    me = viewer_employee(user)
    if me is None:
        return cascade if cascade is not None else Q(pk__in=[])
    chain_ids = [int(x) for x in me.department.path.strip("/").split("/") if x]
    not_individual = ~Q(owner_kind=OwnerKind.EMPLOYEE)
    q = (Q(department_id__in=chain_ids) & not_individual) | Q(employee_id=me.pk)
    q |= Q(employee__report_path__startswith=me.report_path)
    below = list(headed_department_paths(user))
    if is_line_manager(user):
        below.append(me.department.path)
    for path in below:
        q |= department_subtree_q(path) & not_individual
    if cascade is not None:
        q |= cascade
    return q


def goal_can_see(user, goal: Goal) -> bool:
    return Goal.objects.filter(goal_scope_q(user), pk=goal.pk).exists()


def _goal_qs() -> QuerySet[Goal]:
    return Goal.objects.select_related("department", "position", "employee", "theme__strategy",
                                       "annual_plan__strategy")


def goal_list(*, user, filters: dict | None = None) -> QuerySet[Goal]:
    """Goals the user may see, flat, in tree order, with what pages show already joined.

    Filters: year, period (a code: H1, Q2, M5; goals overlapping it), period_kind, department (its
    subtree), owner_kind, employee, parent, q (name or measure), mine (owned by the user)."""
    f = filters or {}
    qs = _goal_qs().filter(goal_scope_q(user))
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    period = periods.parse_code(f.get("period") or "")
    if period:
        kind, index = period
        overlapping = Q()
        for k, n in periods.PERIODS_IN_YEAR.items():
            idx = [i for i in range(1, n + 1) if periods.overlaps(k, i, kind, index)]
            overlapping |= Q(period_kind=k, period_index__in=idx)
        qs = qs.filter(overlapping)
    if f.get("period_kind"):
        qs = qs.filter(period_kind=f["period_kind"])
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=dept).first()
        if dept is not None:
            qs = qs.filter(department_subtree_q(dept))
    if f.get("owner_kind"):
        qs = qs.filter(owner_kind=f["owner_kind"])
    if f.get("employee"):
        qs = qs.filter(employee_id=getattr(f["employee"], "pk", f["employee"]))
    if f.get("parent"):
        qs = qs.filter(parent_id=getattr(f["parent"], "pk", f["parent"]))
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(measure__icontains=q)
                       | Q(code__iexact=q))
    if f.get("mine"):
        me = viewer_employee(user)
        mine = Q(pk__in=[])
        if me is not None:
            mine = Q(employee_id=me.pk)
            if me.position_id:
                mine |= Q(position_id=me.position_id)
            for path in headed_department_paths(user):
                mine |= Q(department__path=path, owner_kind=OwnerKind.DEPARTMENT)
        qs = qs.filter(mine)
    return qs.order_by("path")


def goal_get(*, user, pk) -> Goal:
    goal = _goal_qs().filter(goal_scope_q(user), pk=pk).first()
    if goal is None:
        raise NotFound("Not found.")
    return goal


def goal_tree(*, user, filters: dict | None = None) -> list[dict]:
    """The alignment tree as nested dicts ``{"goal", "children", "context"}``, from two queries.

    Goals matching the filters come first; their ancestors (the user may see) are added as context,
    so every branch still hangs from the company goals it serves."""
    matching = list(goal_list(user=user, filters=filters))
    by_id = {g.pk: g for g in matching}
    missing = {aid for g in matching for aid in g.ancestor_ids} - set(by_id)
    context_ids = set()
    if missing:
        for g in _goal_qs().filter(goal_scope_q(user), pk__in=missing):
            by_id[g.pk] = g
            context_ids.add(g.pk)
    nodes = {pk: {"goal": g, "children": [], "context": pk in context_ids} for pk, g in by_id.items()}
    roots = []
    for g in sorted(by_id.values(), key=lambda g: g.path):
        node = nodes[g.pk]
        if g.parent_id in nodes:
            nodes[g.parent_id]["children"].append(node)
        else:
            roots.append(node)
    return roots


def goal_chain(goal: Goal, *, user=None) -> dict:
    """"Why does this goal exist": the goals above it (top first), its theme, the annual plan and
    the strategy. One query whatever the depth (the ancestors, from the materialised path)."""
    ids = goal.ancestor_ids
    qs = _goal_qs().filter(goal_scope_q(user)) if user is not None else _goal_qs()
    by_id = qs.in_bulk(ids) if ids else {}
    ancestors = [by_id[i] for i in ids if i in by_id]
    theme = next((g.theme for g in [goal, *reversed(ancestors)] if g.theme_id), None)
    annual_plan = goal.annual_plan
    strategy = theme.strategy if theme is not None else annual_plan.strategy
    return {"ancestors": ancestors, "theme": theme, "strategy": strategy, "annual_plan": annual_plan,
            "hidden_ancestors": len(ids) - len(ancestors)}


def goal_children(goal: Goal) -> QuerySet[Goal]:
    return _goal_qs().filter(parent=goal).order_by("path")


def goal_choices_for_plan(*, user, year: int, keep: set[int] | None = None) -> list[tuple[int, str]]:
    """(id, label) of the goals a monthly plan item may serve: those the user sees in that year,
    plus ``keep`` (the goals the plan's items already serve, so a supervisor can save them as they are)."""
    scope = goal_scope_q(user)
    if scope and keep:  # Q() already means every goal
        scope = scope | Q(pk__in=keep)
    rows = (Goal.objects.filter(scope, year=year)
            .select_related("department", "employee", "position").order_by("path"))
    return [(g.pk, f"{'· ' * g.depth}{g.name} ({g.period_code})") for g in rows]


def annual_plan_list() -> QuerySet[AnnualPlan]:
    return AnnualPlan.objects.select_related("strategy").annotate(goal_count=Count("goals")).order_by("-year")


def annual_plan_for_year(year: int) -> AnnualPlan | None:
    return AnnualPlan.objects.select_related("strategy").filter(year=year).first()


def strategy_list() -> QuerySet[Strategy]:
    return Strategy.objects.prefetch_related(
        Prefetch("themes", queryset=StrategicTheme.objects.annotate(goal_count=Count("goals")))
    ).order_by("-start_year", "code")


# --- monthly plans -----------------------------------------------------------------------------

def plan_settings_get() -> PlanSettings:
    """The settings row, or the defaults (unsaved) before HR has saved any."""
    return PlanSettings.objects.order_by("pk").first() or PlanSettings()


def plan_due_date(year: int, month: int, settings: PlanSettings | None = None) -> dt.date:
    settings = settings or plan_settings_get()
    return dt.date(year, month, min(settings.due_day, periods.month_bounds(year, month)[1].day))


def plan_is_overdue(status: str | None, due: dt.date, today: dt.date | None = None) -> bool:
    return (status in (None, NOT_STARTED, PlanStatus.DRAFT, PlanStatus.RETURNED)
            and (today or timezone.localdate()) > due)


def _plan_qs() -> QuerySet[MonthlyPlan]:
    return MonthlyPlan.objects.select_related(
        "employee__department", "employee__position__job_level", "employee__supervisor__user",
        "confirmed_by__employee", "returned_by__employee", "submitted_by__employee", "reopened_by__employee")


def monthly_plan_list(*, user, filters: dict | None = None) -> QuerySet[MonthlyPlan]:
    """Plans the user may read (own, reports, HR all) with totals, for lists and the API."""
    f = filters or {}
    qs = (_plan_qs().filter(access.employee_scope_q(user, "record", prefix="employee__"))
          .annotate(total_weight=Coalesce(Sum("items__weight"), Value(Decimal("0")),
                                          output_field=DecimalField(max_digits=7, decimal_places=2)),
                    item_count=Count("items")))
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    if f.get("month"):
        qs = qs.filter(month=f["month"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("employee"):
        qs = qs.filter(employee_id=getattr(f["employee"], "pk", f["employee"]))
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=dept).first()
        if dept is not None:
            qs = qs.filter(department_subtree_q(dept, "employee__department"))
    if f.get("direct"):
        me = viewer_employee(user)
        qs = qs.filter(employee__supervisor_id=me.pk if me else -1)
    return qs.order_by("-year", "-month", "employee__employee_no")


def monthly_plan_get(*, user, pk) -> MonthlyPlan:
    """One plan; 404 unless the user may read the employee's record."""
    plan = _plan_qs().filter(pk=pk).first()
    if plan is None:
        raise NotFound("Not found.")
    access.require(user, access.READ, "record", plan.employee)
    return plan


def monthly_plan_for(*, employee: Employee, year: int, month: int) -> MonthlyPlan | None:
    return _plan_qs().filter(employee=employee, year=year, month=month).first()


def confirmed_plans_for(*, employee_ids, year: int, month: int) -> dict[int, MonthlyPlan]:
    """The confirmed plans of these employees for one month, items (and their goals) prefetched,
    keyed by employee id: two queries however many. For higher layers (the KPI contract's work-plan
    section, appraisals); they read targets that can no longer move."""
    plans = (MonthlyPlan.objects.filter(employee_id__in=list(employee_ids), year=year, month=month,
                                        status=PlanStatus.CONFIRMED)
             .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("goal")
                                        .order_by("order", "id"))))
    return {p.employee_id: p for p in plans}


def plan_items(plan: MonthlyPlan) -> list[PlanItem]:
    changed_ids = set(plan.changes.filter(item__isnull=False).values_list("item_id", flat=True))
    items = list(plan.items.select_related("goal", "added_by__employee", "carried_from__plan").order_by("order", "id"))
    for item in items:
        item.was_changed = item.pk in changed_ids
    return items


def plan_changes(plan: MonthlyPlan) -> QuerySet:
    return plan.changes.select_related("actor__employee").order_by("-at", "-id")


def plan_history(plan: MonthlyPlan, limit: int = 50) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="plans.monthlyplan", object_id=str(plan.pk))
                .select_related("actor__employee").order_by("-at", "-id")[:limit])


def plan_history_for_employee(employee: Employee, limit: int = 24) -> QuerySet[MonthlyPlan]:
    return (MonthlyPlan.objects.filter(employee=employee)
            .annotate(total_weight=Coalesce(Sum("items__weight"), Value(Decimal("0")),
                                            output_field=DecimalField(max_digits=7, decimal_places=2)),
                      item_count=Count("items"))
            .order_by("-year", "-month")[:limit])


def team_plan_rows(*, user, year: int, month: int, filters: dict | None = None) -> QuerySet[Employee]:
    """The team page: every monthly-reviewed employee the user may see (not the user), each with the
    month's plan status, totals and dates annotated: one query however large the team."""
    f = filters or {}
    me = viewer_employee(user)
    plan = MonthlyPlan.objects.filter(employee=OuterRef("pk"), year=year, month=month)
    items = PlanItem.objects.filter(plan__employee=OuterRef("pk"), plan__year=year, plan__month=month)
    qs = (Employee.objects.filter(access.employee_scope_q(user, "record"), is_active=True,
                                  position__job_level__review_frequency=ReviewFrequency.MONTHLY)
          .exclude(pk=me.pk if me else None)
          .select_related("department", "position", "supervisor")
          .annotate(
              plan_id=Subquery(plan.values("pk")[:1]),
              plan_status=Coalesce(Subquery(plan.values("status")[:1]), Value(NOT_STARTED)),
              plan_version=Subquery(plan.values("version")[:1]),
              plan_submitted_at=Subquery(plan.values("submitted_at")[:1]),
              plan_confirmed_at=Subquery(plan.values("confirmed_at")[:1]),
              total_weight=Subquery(items.order_by().values("plan").annotate(s=Sum("weight")).values("s")[:1],
                                    output_field=DecimalField(max_digits=7, decimal_places=2)),
              item_count=Coalesce(Subquery(items.order_by().values("plan").annotate(c=Count("pk")).values("c")[:1],
                                           output_field=IntegerField()), Value(0)),
              acknowledged=Exists(GoalAcknowledgement.objects.filter(employee=OuterRef("pk"), year=year)),
          ))
    if f.get("direct"):
        qs = qs.filter(supervisor_id=me.pk if me else -1)
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=dept).first()
        if dept is not None:
            qs = qs.filter(department_subtree_q(dept))
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(employee_search_q(q))
    status = f.get("status")
    if status == "overdue":
        due = plan_due_date(year, month)
        if timezone.localdate() > due:
            qs = qs.filter(plan_status__in=[NOT_STARTED, PlanStatus.DRAFT, PlanStatus.RETURNED])
        else:
            qs = qs.none()
    elif status:
        qs = qs.filter(plan_status=status)
    return qs.order_by("department__path", "employee_no")


def team_status_counts(*, user, year: int, month: int, filters: dict | None = None) -> dict[str, int]:
    """How many of the team are at each status this month: one query."""
    f = dict(filters or {})
    f.pop("status", None)
    rows = (team_plan_rows(user=user, year=year, month=month, filters=f).order_by()
            .values("plan_status").annotate(n=Count("pk")))
    counts = {s: 0 for s in [NOT_STARTED, *PlanStatus.values]}
    for row in rows:
        counts[row["plan_status"]] = row["n"]
    return counts


def plans_waiting_for(user, *, year: int | None = None, month: int | None = None) -> QuerySet[MonthlyPlan]:
    """Submitted plans whose confirmation waits for this user (as the direct supervisor)."""
    me = viewer_employee(user)
    if me is None:
        return MonthlyPlan.objects.none()
    qs = MonthlyPlan.objects.filter(employee__supervisor_id=me.pk, status=PlanStatus.SUBMITTED)
    if year and month:
        qs = qs.filter(year=year, month=month)
    return qs


# --- acknowledgements --------------------------------------------------------------------------

def position_goals_for(employee: Employee, year: int) -> QuerySet[Goal]:
    """The goals a (new) employee acknowledges: those of the position and the employee's own."""
    q = Q(employee_id=employee.pk)
    if employee.position_id:
        q |= Q(position_id=employee.position_id)
    return _goal_qs().filter(q, year=year).order_by("path")


def acknowledgement_for(employee: Employee, year: int) -> GoalAcknowledgement | None:
    return (GoalAcknowledgement.objects.select_related("discussed_with", "acknowledged_by")
            .filter(employee=employee, position_id=employee.position_id, year=year).first())


def acknowledgement_list(*, user) -> QuerySet[GoalAcknowledgement]:
    return (GoalAcknowledgement.objects.filter(access.employee_scope_q(user, "record", prefix="employee__"))
            .select_related("employee", "position", "discussed_with").order_by("-created_at"))


def is_new_hire(employee: Employee, today: dt.date | None = None, days: int = 90) -> bool:
    today = today or timezone.localdate()
    return employee.hire_date is not None and (today - employee.hire_date).days <= days


def person_label(user) -> str:
    """A user's name as an employee (or the login name of an account without one)."""
    emp = Employee.objects.filter(user_id=user.pk).only("name_zh", "name_en").first()
    return emp.name if emp else user.get_username()
