"""Every write of the plans app: in a transaction, checked, audited; notifications go out on commit.

Goals: progress rolls up the tree by weight, set-based: one UPDATE per level (bottom-up), never a
save per node. A leaf's change updates its ancestors in the same transaction; ``goal_tree_rollup``
recomputes a whole tree (the Celery task keyed by the tree's root calls it; idempotent).

Monthly plans: the workflow is the table ``models.PLAN_TRANSITIONS``, checked in ``_transition``.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Exists, F, FloatField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Round, Substr
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.audit import audit_bulk, audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.roles import is_executive, is_hr
from apps.notifications.services import notification_create
from apps.org import access
from apps.org.models import Department, Employee, Position, ReviewFrequency

from . import periods, selectors
from .models import (
    EDITABLE_BY_EMPLOYEE,
    EDITABLE_BY_SUPERVISOR,
    PLAN_MAX_ITEMS,
    PLAN_NO_OPS,
    PLAN_TRANSITIONS,
    AnnualPlan,
    Goal,
    GoalAcknowledgement,
    MonthlyPlan,
    OwnerKind,
    PlanItem,
    PlanItemChange,
    PlanSettings,
    PlanStatus,
    StrategicTheme,
    Strategy,
)

HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


def _pct(value) -> str:
    """90 -> "90", 92.5 -> "92.5" (for messages)."""
    text = format(Decimal(value or 0).quantize(TWO_PLACES), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _decimal(value, *, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(label)s must be a number.") % {"label": label}, field=field)


def _person(user) -> str:
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


def _notify(recipient, *, title, body="", url="", dedupe_key=None):
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


# --- strategy and the annual business plan ----------------------------------------------------------

def _require_planner(actor) -> None:
    if not (is_hr(actor) or is_executive(actor)):
        raise PermissionDenied(_("Only HR and executives may change the strategy and the annual business plan."))


STRATEGY_FIELDS = {"code", "name_zh", "name_en", "description", "start_year", "end_year", "is_active"}
THEME_FIELDS = {"name_zh", "name_en", "perspective", "description", "order"}
ANNUAL_PLAN_FIELDS = {"name_zh", "name_en", "summary", "strategy"}


def _apply_changes(obj, changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in changes.items():
        setattr(obj, key, value)


@transaction.atomic
def strategy_create(*, actor, code: str, name_zh: str, name_en: str = "", description: str = "",
                    start_year: int, end_year: int) -> Strategy:
    _require_planner(actor)
    if Strategy.objects.filter(code=code).exists():
        raise ApplicationError(_("A strategy with code %(code)s already exists.") % {"code": code}, field="code")
    if end_year < start_year:
        raise ApplicationError(_("The last year cannot come before the first year."), field="end_year")
    strategy = Strategy(code=code, name_zh=name_zh, name_en=name_en, description=description,
                        start_year=start_year, end_year=end_year)
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action="strategy.create", obj=strategy, after=snapshot(strategy))
    return strategy


@transaction.atomic
def strategy_update(*, actor, strategy: Strategy, expected_version: int | None = None, **changes) -> Strategy:
    _require_planner(actor)
    obj = Strategy.objects.select_for_update().get(pk=strategy.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, STRATEGY_FIELDS)
    if obj.end_year < obj.start_year:
        raise ApplicationError(_("The last year cannot come before the first year."), field="end_year")
    if Strategy.objects.filter(code=obj.code).exclude(pk=obj.pk).exists():
        raise ApplicationError(_("A strategy with code %(code)s already exists.") % {"code": obj.code}, field="code")
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="strategy.update", obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def theme_create(*, actor, strategy: Strategy, name_zh: str, name_en: str = "", perspective: str = "",
                 description: str = "", order: int = 0) -> StrategicTheme:
    _require_planner(actor)
    theme = StrategicTheme(strategy=strategy, name_zh=name_zh, name_en=name_en, perspective=perspective,
                           description=description, order=order)
    theme.full_clean()
    theme.save()
    audit_record(actor=actor, action="strategic_theme.create", obj=theme, after=snapshot(theme))
    return theme


@transaction.atomic
def theme_update(*, actor, theme: StrategicTheme, expected_version: int | None = None,
                 **changes) -> StrategicTheme:
    _require_planner(actor)
    obj = StrategicTheme.objects.select_for_update().get(pk=theme.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, THEME_FIELDS)
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="strategic_theme.update", obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def annual_plan_create(*, actor, year: int, strategy: Strategy, name_zh: str, name_en: str = "",
                       summary: str = "") -> AnnualPlan:
    _require_planner(actor)
    if AnnualPlan.objects.filter(year=year).exists():
        raise ApplicationError(_("There is already an annual business plan for %(year)s.") % {"year": year},
                               field="year")
    if not (strategy.start_year <= year <= strategy.end_year):
        raise ApplicationError(
            _("The strategy %(strategy)s covers %(first)s to %(last)s, not %(year)s.")
            % {"strategy": strategy.name, "first": strategy.start_year, "last": strategy.end_year, "year": year},
            field="year")
    plan = AnnualPlan(year=year, strategy=strategy, name_zh=name_zh, name_en=name_en, summary=summary)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="annual_plan.create", obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def annual_plan_update(*, actor, annual_plan: AnnualPlan, expected_version: int | None = None,
                       **changes) -> AnnualPlan:
    _require_planner(actor)
    obj = AnnualPlan.objects.select_for_update().get(pk=annual_plan.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, ANNUAL_PLAN_FIELDS)
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="annual_plan.update", obj=obj, before=before, after=snapshot(obj))
    return obj


# --- goals: who may set them ------------------------------------------------------------------------

def goal_can_manage(actor, *, department: Department, employee: Employee | None = None) -> bool:
    """HR and executives: any goal. Line managers and department heads: department and position goals
    of their department and those below, and their reports' individual goals. Managers and above
    (not reviewed monthly) list their own individual goals too."""
    if selectors.sees_all_goals(actor):
        return True
    me = selectors.viewer_employee(actor)
    if me is None:
        return False
    if employee is not None:
        if employee.pk == me.pk:
            return not selectors.files_monthly_plans(me)
        return bool(me.report_path) and employee.report_path.startswith(me.report_path)
    paths = list(selectors.headed_department_paths(actor))
    if selectors.is_line_manager(actor):
        paths.append(me.department.path)
    return any(department.path.startswith(p) for p in paths)


def _owns_goal(actor, goal: Goal) -> bool:
    me = selectors.viewer_employee(actor)
    if me is None:
        return False
    if goal.owner_kind == OwnerKind.EMPLOYEE:
        return goal.employee_id == me.pk
    if goal.owner_kind == OwnerKind.POSITION:
        return goal.position_id == me.position_id
    return goal.department.head_id == me.pk


def goal_can_report_progress(actor, goal: Goal) -> bool:
    return _owns_goal(actor, goal) or goal_can_manage(actor, department=goal.department, employee=goal.employee)


def _goal_owner(owner_kind: str, department, position, employee) -> Department:
    if owner_kind == OwnerKind.DEPARTMENT:
        if department is None:
            raise ApplicationError(_("Choose the department that owns this goal."), field="department")
        return department
    if owner_kind == OwnerKind.POSITION:
        if position is None:
            raise ApplicationError(_("Choose the position that owns this goal."), field="position")
        return position.department
    if owner_kind == OwnerKind.EMPLOYEE:
        if employee is None:
            raise ApplicationError(_("Choose the employee who owns this goal."), field="employee")
        return employee.department
    raise ApplicationError(_("Choose who owns this goal: a department, a position or an employee."),
                           field="owner_kind")


def _check_placement(*, name: str, department: Department, parent: Goal | None, period_kind: str,
                     period_index: int, year: int) -> None:
    if not periods.valid(period_kind, period_index):
        raise ApplicationError(_("Choose a period of the year: the whole year, a half (1-2), a quarter (1-4) "
                                 "or a month (1-12)."), field="period_index")
    if parent is None:
        return
    if not periods.contains(parent.period_kind, parent.period_index, period_kind, period_index):
        raise ApplicationError(
            _("A goal for %(child)s cannot serve a goal for %(parent)s: a goal's period must fall inside the "
              "period of the goal above it.")
            % {"child": periods.label(year, period_kind, period_index), "parent": parent.period_label},
            field="period_index")
    if not department.path.startswith(parent.department.path):
        raise ApplicationError(
            _("Goals cascade downwards: %(dept)s is not part of %(parent_dept)s, so “%(goal)s” cannot serve "
              "“%(parent)s”.")
            % {"dept": department.name, "parent_dept": parent.department.name, "goal": name, "parent": parent.name},
            field="parent")


def _check_theme(theme: StrategicTheme | None, annual_plan: AnnualPlan) -> None:
    if theme is not None and theme.strategy_id != annual_plan.strategy_id:
        raise ApplicationError(_("The theme %(theme)s belongs to another strategy than the %(year)s plan's.")
                               % {"theme": theme.name, "year": annual_plan.year}, field="theme")


# --- goals: roll-up ----------------------------------------------------------------------------------

_PROGRESS = DecimalField(max_digits=6, decimal_places=2)


def _children_progress():
    """The weighted mean of a goal's children's progress, as one SQL expression (a correlated
    subquery): sum(progress x weight) / sum(weight), rounded to 2 places; weights need not total
    100 (they are normalised), a weight total of 0 gives 0."""
    # The division runs in floating point (SQLite keeps whole decimals as integers and would divide
    # them as integers), then comes back to NUMERIC for rounding (PostgreSQL rounds numerics only).
    children = (Goal.objects.filter(parent_id=OuterRef("pk")).order_by().values("parent_id")
                .annotate(p=Cast(Cast(Sum(F("progress") * F("weight")), FloatField())
                                 / NullIf(Cast(Sum("weight"), FloatField()), Value(0.0)),
                                 DecimalField(max_digits=12, decimal_places=4)))
                .values("p")[:1])
    return Coalesce(Round(Subquery(children, output_field=DecimalField(max_digits=12, decimal_places=4)), 2),
                    Value(Decimal("0")), output_field=_PROGRESS)


def _has_children():
    return Exists(Goal.objects.filter(parent_id=OuterRef("pk")))


def _rollup_ancestors(ancestor_ids: list[int]) -> int:
    """Recompute the given ancestors (top first, as in the path), deepest first: one UPDATE per
    level whatever the number of goals on each level."""
    for aid in reversed(ancestor_ids):
        Goal.objects.filter(pk=aid).filter(_has_children()).update(progress=_children_progress())
    return len(ancestor_ids)


@transaction.atomic
def goal_tree_rollup(*, root_id: int) -> int:
    """Recompute every goal with children in the tree under ``root_id``, bottom-up, one UPDATE per
    level. Idempotent: it only derives parents from leaves. Returns the number of levels updated."""
    max_depth = Goal.objects.filter(root_id=root_id).aggregate(m=Max("depth"))["m"]
    if max_depth is None:
        return 0
    for depth in range(max_depth - 1, -1, -1):
        (Goal.objects.filter(root_id=root_id, depth=depth).filter(_has_children())
         .update(progress=_children_progress()))
    return max_depth


# --- goals: writes -----------------------------------------------------------------------------------

GOAL_UPDATE_FIELDS = {"name_zh", "name_en", "code", "description", "measure", "unit", "target", "weight", "theme",
                      "period_kind", "period_index", "parent"}


@transaction.atomic
def goal_create(*, actor, name_zh: str, name_en: str = "", annual_plan: AnnualPlan | None = None,
                parent: Goal | None = None, owner_kind: str, department: Department | None = None,
                position: Position | None = None, employee: Employee | None = None, period_kind: str,
                period_index: int = 1, measure: str = "", unit: str = "", target=None, weight=HUNDRED,
                theme: StrategicTheme | None = None, description: str = "", code: str = "") -> Goal:
    if parent is not None:
        if not selectors.goal_can_see(actor, parent):
            raise NotFound(_("Not found."))
        parent = Goal.objects.select_related("department", "annual_plan").get(pk=parent.pk)
        if annual_plan is not None and parent.annual_plan_id != annual_plan.pk:
            raise ApplicationError(_("The goal above belongs to the %(year)s plan; a goal serves goals of its own "
                                     "year.") % {"year": parent.year}, field="parent")
        annual_plan = parent.annual_plan
    if annual_plan is None:
        raise ApplicationError(_("Choose the annual business plan this goal belongs to."), field="annual_plan")
    if parent is None and not (is_hr(actor) or is_executive(actor)):
        raise PermissionDenied(_("Only HR and executives set the company's top goals: choose the goal this one "
                                 "serves."))
    if owner_kind != OwnerKind.DEPARTMENT:
        department = None
    if owner_kind != OwnerKind.POSITION:
        position = None
    if owner_kind != OwnerKind.EMPLOYEE:
        employee = None
    owner_department = _goal_owner(owner_kind, department, position, employee)
    if not goal_can_manage(actor, department=owner_department, employee=employee):
        raise PermissionDenied(_("You may set goals only for your own department, the departments below it and "
                                 "your team."))
    period_index = 1 if period_kind == periods.PeriodKind.YEAR else int(period_index or 0)
    _check_placement(name=name_zh, department=owner_department, parent=parent, period_kind=period_kind,
                     period_index=period_index, year=annual_plan.year)
    _check_theme(theme, annual_plan)
    if code and Goal.objects.filter(annual_plan=annual_plan, code=code).exists():
        raise ApplicationError(_("The %(year)s plan already has a goal with code %(code)s.")
                               % {"year": annual_plan.year, "code": code}, field="code")
    goal = Goal(annual_plan=annual_plan, year=annual_plan.year, parent=parent, theme=theme, owner_kind=owner_kind,
                department=owner_department, position=position, employee=employee, period_kind=period_kind,
                period_index=period_index, measure=measure, unit=unit,
                target=_decimal(target, field="target", label=_("Target")),
                weight=_decimal(weight, field="weight", label=_("Weight")) if weight not in (None, "") else HUNDRED,
                name_zh=name_zh, name_en=name_en, description=description, code=code)
    goal.full_clean(exclude=["path", "root"])
    goal.save()
    goal.path = f"{parent.path if parent else '/'}{goal.pk}/"
    goal.depth = parent.depth + 1 if parent else 0
    goal.root_id = parent.root_id if parent else goal.pk
    goal.save(update_fields=["path", "depth", "root"])
    audit_record(actor=actor, action="goal.create", obj=goal, after=snapshot(goal))
    _rollup_ancestors(goal.ancestor_ids)
    return goal


@transaction.atomic
def goal_update(*, actor, goal: Goal, expected_version: int | None = None, **changes) -> Goal:
    """Change a goal. Moving it (``parent``) rewrites its subtree's paths in one UPDATE and rolls up
    both the old and the new chain; a goal cannot become its own ancestor."""
    obj = Goal.objects.select_for_update(of=("self",)).select_related("department", "annual_plan").get(pk=goal.pk)
    if not selectors.goal_can_see(actor, obj):
        raise NotFound(_("Not found."))
    if not goal_can_manage(actor, department=obj.department, employee=obj.employee):
        raise PermissionDenied(_("You may see this goal but not change it."))
    check_version(obj, expected_version)
    unknown = set(changes) - GOAL_UPDATE_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(obj)
    old_path, old_ancestors = obj.path, obj.ancestor_ids
    moving = "parent" in changes and (changes["parent"].pk if changes["parent"] else None) != obj.parent_id
    new_parent = obj.parent
    if moving:
        new_parent = changes["parent"]
        if new_parent is not None:
            new_parent = Goal.objects.select_related("department").get(pk=new_parent.pk)
            if not selectors.goal_can_see(actor, new_parent):
                raise NotFound(_("Not found."))
            if new_parent.pk == obj.pk or new_parent.path.startswith(obj.path):
                raise ApplicationError(
                    _("A goal cannot become its own ancestor: “%(parent)s” lies under “%(goal)s”, so it cannot be "
                      "the goal above it.") % {"parent": new_parent.name, "goal": obj.name}, field="parent")
            if new_parent.annual_plan_id != obj.annual_plan_id:
                raise ApplicationError(_("The goal above belongs to the %(year)s plan; a goal serves goals of its "
                                         "own year.") % {"year": new_parent.year}, field="parent")
        elif not (is_hr(actor) or is_executive(actor)):
            raise PermissionDenied(_("Only HR and executives set the company's top goals: choose the goal this one "
                                     "serves."))
    for key, value in changes.items():
        if key in ("target", "weight"):
            value = _decimal(value, field=key, label=_("Target") if key == "target" else _("Weight"))
            if key == "weight" and value is None:
                value = HUNDRED
        if key != "parent":
            setattr(obj, key, value)
    if obj.period_kind == periods.PeriodKind.YEAR:
        obj.period_index = 1
    _check_placement(name=obj.name_zh, department=obj.department, parent=new_parent, period_kind=obj.period_kind,
                     period_index=obj.period_index, year=obj.year)
    for child in Goal.objects.filter(parent=obj).only("period_kind", "period_index", "name_zh", "name_en"):
        if not periods.contains(obj.period_kind, obj.period_index, child.period_kind, child.period_index):
            raise ApplicationError(
                _("“%(child)s” (%(child_period)s) would no longer fall inside this goal's period.")
                % {"child": child.name, "child_period": periods.label(obj.year, child.period_kind,
                                                                        child.period_index)},
                field="period_index")
    _check_theme(obj.theme, obj.annual_plan)
    if obj.code and Goal.objects.filter(annual_plan_id=obj.annual_plan_id, code=obj.code).exclude(pk=obj.pk).exists():
        raise ApplicationError(_("The %(year)s plan already has a goal with code %(code)s.")
                               % {"year": obj.year, "code": obj.code}, field="code")
    if moving:
        new_path = f"{new_parent.path if new_parent else '/'}{obj.pk}/"
        new_depth = new_parent.depth + 1 if new_parent else 0
        new_root = new_parent.root_id if new_parent else obj.pk
        Goal.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + (new_depth - obj.depth), root_id=new_root)
        obj.parent, obj.path, obj.depth, obj.root_id = new_parent, new_path, new_depth, new_root
    obj.full_clean(exclude=["path", "root"])
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="goal.move" if moving else "goal.update", obj=obj, before=before,
                 after=snapshot(obj))
    if moving:
        _rollup_ancestors(old_ancestors)
    if moving or before["weight"] != snapshot(obj)["weight"]:
        _rollup_ancestors(obj.ancestor_ids)
    return obj


@transaction.atomic
def goal_progress_update(*, actor, goal: Goal, progress=None, actual=None,
                         expected_version: int | None = None) -> Goal:
    """Report a leaf goal's progress (or its actual, from which progress = actual / target). Its
    ancestors are recomputed in the same transaction, one UPDATE per level."""
    obj = Goal.objects.select_for_update(of=("self",)).select_related("department").get(pk=goal.pk)
    if not selectors.goal_can_see(actor, obj):
        raise NotFound(_("Not found."))
    if not goal_can_report_progress(actor, obj):
        raise PermissionDenied(_("Only the goal's owner, their managers and HR may report its progress."))
    check_version(obj, expected_version)
    if Goal.objects.filter(parent=obj).exists():
        raise ApplicationError(_("The progress of “%(goal)s” is calculated from the goals below it; report the "
                                 "progress of those instead.") % {"goal": obj.name}, field="progress")
    progress = _decimal(progress, field="progress", label=_("Progress"))
    actual = _decimal(actual, field="actual", label=_("Actual"))
    before = snapshot(obj, fields=["progress", "actual"])
    if actual is not None:
        obj.actual = actual
        if progress is None and obj.target:
            progress = min(max(actual / obj.target * HUNDRED, Decimal("0")), Decimal("200"))
    if progress is None:
        raise ApplicationError(_("Enter the progress in percent, or the actual value of a goal with a target."),
                               field="progress")
    if not (Decimal("0") <= progress <= Decimal("200")):
        raise ApplicationError(_("Progress is a percentage from 0 to 200."), field="progress")
    obj.progress = progress.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    obj.full_clean(exclude=["path", "root"])
    if snapshot(obj, fields=["progress", "actual"]) == before:
        return obj
    bump(obj)
    obj.save(update_fields=["progress", "actual", "version", "updated_at"])
    audit_record(actor=actor, action="goal.progress", obj=obj, before=before,
                 after=snapshot(obj, fields=["progress", "actual"]))
    _rollup_ancestors(obj.ancestor_ids)
    return obj


@transaction.atomic
def goal_delete(*, actor, goal: Goal, expected_version: int | None = None) -> None:
    obj = Goal.objects.select_for_update(of=("self",)).select_related("department").get(pk=goal.pk)
    if not selectors.goal_can_see(actor, obj):
        raise NotFound(_("Not found."))
    if not goal_can_manage(actor, department=obj.department, employee=obj.employee):
        raise PermissionDenied(_("You may see this goal but not change it."))
    check_version(obj, expected_version)
    if Goal.objects.filter(parent=obj).exists():
        raise ApplicationError(_("“%(goal)s” has goals below it: move or delete those first.") % {"goal": obj.name})
    if obj.depth == 0 and Goal.objects.filter(root_id=obj.pk).exclude(pk=obj.pk).exists():  # pragma: no cover
        raise ApplicationError(_("“%(goal)s” has goals below it: move or delete those first.") % {"goal": obj.name})
    ancestors = obj.ancestor_ids
    before = snapshot(obj)
    pk = obj.pk
    if obj.root_id == obj.pk:
        Goal.objects.filter(pk=pk).update(root=None)
    obj.delete()
    audit_record(actor=actor, action="goal.delete", object_type="plans.goal", object_id=pk,
                 object_repr=before.get("name_zh", ""), before=before)
    _rollup_ancestors(ancestors)


# --- monthly plans: who is who ------------------------------------------------------------------------

def _supervisor_can_act(employee: Employee) -> bool:
    sup = employee.supervisor
    return sup is not None and sup.is_active and sup.user_id is not None


def approver_name(employee: Employee) -> str:
    if _supervisor_can_act(employee):
        return _("%(name)s (the direct supervisor)") % {"name": employee.supervisor.name}
    return _("HR")


def _relation(actor, plan: MonthlyPlan) -> set[str]:
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
        if not _supervisor_can_act(emp):
            rel.add("supervisor")
    return rel


def _lock_plan(plan: MonthlyPlan) -> MonthlyPlan:
    return (MonthlyPlan.objects.select_for_update(of=("self",))
            .select_related("employee__supervisor__user", "employee__user", "employee__position__job_level",
                            "confirmed_by")
            .get(pk=plan.pk))


def _readable(actor, plan: MonthlyPlan) -> set[str]:
    access.require(actor, access.READ, "record", plan.employee)
    return _relation(actor, plan)


def _locked_message(plan: MonthlyPlan) -> str:
    return (_("This plan was confirmed by %(by)s on %(date)s and is locked: its targets cannot move. Only "
              "%(who)s can reopen it, with a reason.")
            % {"by": _person(plan.confirmed_by),
               "date": timezone.localtime(plan.confirmed_at).date().isoformat() if plan.confirmed_at else "—",
               "who": approver_name(plan.employee)})


def _status_label(status: str) -> str:
    return str(PlanStatus(status).label)


def _transition(plan: MonthlyPlan, action: str) -> bool:
    """The one place that checks a workflow move. True when the plan moves, False for a no-op (the
    move was already made); TransitionNotAllowed otherwise."""
    sources, _target = PLAN_TRANSITIONS[action]
    if plan.status in PLAN_NO_OPS[action]:
        return False
    if plan.status in sources:
        return True
    if plan.status == PlanStatus.CONFIRMED:
        raise TransitionNotAllowed(_locked_message(plan))
    messages = {
        "submit": _("This plan is %(status)s; it can be submitted only while it is a draft or returned."),
        "return": _("Only a submitted plan can be returned; this one is %(status)s."),
        "confirm": _("Only a submitted plan can be confirmed; this one is %(status)s."),
        "reopen": _("Only a confirmed plan can be reopened; this one is %(status)s."),
    }
    raise TransitionNotAllowed(messages[action] % {"status": _status_label(plan.status)},
                               extra={"status": plan.status})


def _require_approver(plan: MonthlyPlan, rel: set[str], verb: str) -> None:
    if "supervisor" not in rel:
        messages = {
            "return": _("Only %(who)s can return this plan."),
            "confirm": _("Only %(who)s can confirm this plan."),
            "reopen": _("Only %(who)s can reopen this plan."),
        }
        raise PermissionDenied(messages[verb] % {"who": approver_name(plan.employee)})


def _editing_role(plan: MonthlyPlan, rel: set[str]) -> str:
    """Who edits the items now, or a refusal that says why not and who can act."""
    if plan.status == PlanStatus.CONFIRMED:
        raise TransitionNotAllowed(_locked_message(plan))
    if plan.status in EDITABLE_BY_EMPLOYEE:
        if "owner" in rel:
            return "employee"
        if "hr" in rel:
            return "hr"
        if "supervisor" in rel:
            raise PermissionDenied(_("The plan is still with %(name)s (%(status)s); you can adjust it once it is "
                                     "submitted.") % {"name": plan.employee.name,
                                                      "status": _status_label(plan.status)})
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
        return _editing_role(plan, _relation(actor, plan))
    except ApplicationError:
        return None


def plan_actions(actor, plan: MonthlyPlan) -> set[str]:
    """For pages and the API: the actions the actor may take on the plan now."""
    rel = _relation(actor, plan)
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


# --- monthly plans: items -----------------------------------------------------------------------------

ITEM_FIELDS = ("task", "expected_result", "weight", "due_date", "goal_id")


def _item_row(item: PlanItem) -> dict:
    return {"id": item.pk, "task": item.task, "expected_result": item.expected_result, "weight": str(item.weight),
            "due_date": item.due_date.isoformat() if item.due_date else None, "goal_id": item.goal_id,
            "completed": item.completed}


def _items_snapshot(items) -> list[dict]:
    return [_item_row(i) for i in sorted(items, key=lambda i: (i.order, i.pk or 0))]


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
        return _pct(value)
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
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
    role = _editing_role(plan, rel)
    check_version(plan, expected_version)
    existing = {i.pk: i for i in plan.items.all()}
    before = _items_snapshot(existing.values())
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
                 after={"items": _items_snapshot(plan.items.all()), "role": role})
    return plan


# --- monthly plans: the workflow ----------------------------------------------------------------------

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
        raise ApplicationError(message % {"total": _pct(total)}, field="items", extra={"total_weight": _pct(total)})
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
    latest = periods.shift_month(today.year, today.month, 1)
    if (int(year), int(month)) > latest:
        raise ApplicationError(_("A plan can be started at most one month ahead."), field="month")
    plan = MonthlyPlan.objects.filter(employee=emp, year=year, month=month).first()
    if plan is None:
        plan = MonthlyPlan(employee=emp, year=year, month=month)
        plan.full_clean()
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
def plan_carry_forward(*, actor, plan: MonthlyPlan) -> int:
    """Copy last month's unfinished items into this plan (once each; running it again adds nothing).
    Due dates move to the same day of this month (or its last day)."""
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
    role = _editing_role(plan, rel)
    py, pm = periods.shift_month(plan.year, plan.month, -1)
    previous = MonthlyPlan.objects.filter(employee_id=plan.employee_id, year=py, month=pm).first()
    if previous is None:
        raise ApplicationError(_("There is no plan for %(month)s to carry forward from.")
                               % {"month": periods.month_label(py, pm)})
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
                 after={"from_plan": previous.pk, "items": [_item_row(i) for i in created]})
    return len(created)


@transaction.atomic
def plan_submit(*, actor, plan: MonthlyPlan, expected_version: int | None = None) -> MonthlyPlan:
    """Employee (or HR on their behalf): draft/returned -> submitted. The weights must total 100%."""
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
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
    plan.submitted_items = _items_snapshot(plan.items.all())
    _save_move(actor, plan, "submit", before)
    emp = plan.employee
    if _supervisor_can_act(emp):
        _notify(emp.supervisor.user,
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
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
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
        _notify(plan.employee.user,
                title=lambda: _("Your plan for %(month)s was returned") % {"month": plan.month_label},
                body=lambda: comment, url=_plan_url(plan))
    return plan


@transaction.atomic
def plan_confirm(*, actor, plan: MonthlyPlan, expected_version: int | None = None) -> MonthlyPlan:
    """Supervisor: submitted -> confirmed. The plan is then locked (targets cannot move)."""
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
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
    _notify(plan.employee.user,
            title=lambda: _("Your plan for %(month)s was confirmed") % {"month": plan.month_label},
            body=lambda: (_("Your supervisor made %(n)s change(s) before confirming; see the plan.") % {"n": changed}
                          if changed else _("It is now locked for the month.")),
            url=_plan_url(plan))


@transaction.atomic
def plan_reopen(*, actor, plan: MonthlyPlan, reason: str, expected_version: int | None = None) -> MonthlyPlan:
    """Supervisor: confirmed -> returned, with a reason; the audit trail keeps before and after."""
    plan = _lock_plan(plan)
    rel = _readable(actor, plan)
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
        _notify(plan.employee.user,
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
        if "supervisor" not in _relation(actor, plan):
            skipped.append((plan, _("Only %(who)s can confirm this plan.") % {"who": approver_name(plan.employee)}))
        elif plan.status != PlanStatus.SUBMITTED:
            skipped.append((plan, _("It is %(status)s.") % {"status": _status_label(plan.status)}))
        elif totals.get(plan.pk) != HUNDRED:
            skipped.append((plan, _("Its weights total %(total)s%%.") % {"total": _pct(totals.get(plan.pk) or 0)}))
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


@transaction.atomic
def plan_item_complete(*, actor, item: PlanItem, completed: bool = True, result_note: str = "") -> PlanItem:
    """Record that an item of a confirmed plan is done (or not): the result, not the target, so it
    does not unlock the plan. Unfinished items can be carried forward into next month."""
    obj = (PlanItem.objects.select_for_update(of=("self",))
           .select_related("plan__employee__supervisor__user").get(pk=item.pk))
    rel = _readable(actor, obj.plan)
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


# --- deadlines ----------------------------------------------------------------------------------------

@transaction.atomic
def plan_settings_update(*, actor, due_day: int, remind_days_before: int,
                         expected_version: int | None = None) -> PlanSettings:
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the plan deadlines."))
    obj = PlanSettings.objects.select_for_update().order_by("pk").first()
    created = obj is None
    if created:
        obj = PlanSettings()
    else:
        check_version(obj, expected_version)
    before = None if created else snapshot(obj, fields=["due_day", "remind_days_before"])
    obj.due_day, obj.remind_days_before = due_day, remind_days_before
    obj.full_clean()
    after = snapshot(obj, fields=["due_day", "remind_days_before"])
    if before == after:
        return obj
    if not created:
        bump(obj)
    obj.save()
    audit_record(actor=actor, action="plan_settings.update", obj=obj, before=before, after=after)
    return obj


def plan_reminders_send(*, today: dt.date | None = None) -> dict:
    """The deadline job (Celery beat, any number of times a day): employees reviewed monthly who have
    not submitted this month's plan are reminded in the days before the due day; after it, their
    supervisor is told the plan is overdue. Each reminder goes out at most once per plan per day
    (the notification's dedupe key); submitted and confirmed plans get nothing."""
    today = today or timezone.localdate()
    settings_row = selectors.plan_settings_get()
    due = selectors.plan_due_date(today.year, today.month, settings_row)
    key = periods.month_key(today.year, today.month)
    label = periods.month_label(today.year, today.month)
    before_window = due - dt.timedelta(days=settings_row.remind_days_before)
    sent = {"employee": 0, "supervisor": 0}
    if today < before_window:
        return sent
    pending = (Employee.objects.active()
               .filter(position__job_level__review_frequency=ReviewFrequency.MONTHLY)
               .exclude(monthly_plans__year=today.year, monthly_plans__month=today.month,
                        monthly_plans__status__in=[PlanStatus.SUBMITTED, PlanStatus.CONFIRMED])
               .select_related("user", "supervisor__user")
               .annotate(plan_id=Subquery(MonthlyPlan.objects.filter(employee=OuterRef("pk"), year=today.year,
                                                                     month=today.month).values("pk")[:1]))
               .order_by("pk"))
    plans_url = reverse("plans:my_plan")
    for emp in pending.iterator(chunk_size=500):
        url = reverse("plans:plan_detail", args=[emp.plan_id]) if emp.plan_id else plans_url
        if today <= due:
            if emp.user_id and _notify(
                    emp.user, dedupe_key=f"plans:remind:{emp.pk}:{key}:{today.isoformat()}", url=url,
                    title=lambda: _("Your work plan for %(month)s is due by %(due)s") % {"month": label,
                                                                                         "due": due.isoformat()},
                    body=lambda: _("Fill in the tasks, expected results, weights and due dates, then submit it to "
                                   "your supervisor.")):
                sent["employee"] += 1
        elif emp.supervisor_id and emp.supervisor.user_id and emp.supervisor.is_active:
            team_url = f"{reverse('plans:team')}?month={key}&status=overdue"
            if _notify(emp.supervisor.user, dedupe_key=f"plans:overdue:{emp.pk}:{key}:{today.isoformat()}",
                       url=team_url,
                       title=lambda e=emp: _("%(name)s's plan for %(month)s is overdue") % {"name": e.name,
                                                                                          "month": label},
                       body=lambda: _("It was due by %(due)s and has not been submitted.") % {"due": due.isoformat()}):
                sent["supervisor"] += 1
    return sent


# --- new hires ----------------------------------------------------------------------------------------

@transaction.atomic
def position_goals_acknowledge(*, actor, note: str = "", year: int | None = None) -> GoalAcknowledgement:
    """The employee acknowledges the goals of their position (and their own), discussed with the
    direct supervisor before the first period (seed section 10). Once per position and year."""
    me = Employee.objects.select_related("position", "supervisor").filter(user_id=actor.pk, is_active=True).first()
    if me is None:
        raise PermissionDenied(_("Only employees acknowledge their position goals."))
    year = year or timezone.localdate().year
    existing = GoalAcknowledgement.objects.filter(employee=me, position_id=me.position_id, year=year).first()
    if existing is not None:
        return existing
    goals = list(selectors.position_goals_for(me, year))
    if not goals:
        raise ApplicationError(_("There are no goals for your position in %(year)s yet; your supervisor sets them "
                                 "first.") % {"year": year})
    ack = GoalAcknowledgement(
        employee=me, position=me.position, year=year, discussed_with=me.supervisor, acknowledged_by=actor,
        note=(note or "").strip(),
        goals=[{"id": g.pk, "name": g.name_zh, "name_en": g.name_en, "period": g.period_code, "measure": g.measure,
                "target": str(g.target) if g.target is not None else None, "unit": g.unit, "weight": str(g.weight)}
               for g in goals])
    ack.full_clean()
    ack.save()
    audit_record(actor=actor, action="goal_acknowledgement.create", obj=ack, after=snapshot(ack))
    if _supervisor_can_act(me):
        _notify(me.supervisor.user,
                title=lambda: _("%(name)s acknowledged the position goals for %(year)s") % {"name": me.name,
                                                                                           "year": year},
                url=reverse("plans:acknowledge"))
    return ack
