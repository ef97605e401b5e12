"""Goals: who may set them, where they sit in the cascade, their writes and the roll-up.

Progress rolls up the tree by weight, set-based: one UPDATE per level (bottom-up), never a save per
node. A leaf's change updates its ancestors in the same transaction; ``goal_tree_rollup`` recomputes
a whole tree (the Celery task keyed by the tree's root calls it; idempotent)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import DecimalField, Exists, F, FloatField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Round, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied
from apps.core.periods import Period, PeriodKind
from apps.core.roles import is_executive, is_hr
from apps.org.models import Department, Employee, Position

from .. import selectors
from ..models import AnnualPlan, Goal, GoalStatus, OwnerKind, StrategicTheme
from .kernel import HUNDRED, TWO_PLACES, notify, person_name


def _decimal(value, *, field: str, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("%(label)s must be a number.") % {"label": label}, field=field)


# --- goals: who may set them ------------------------------------------------------------------------

def goal_can_manage(actor, *, department: Department, employee: Employee | None = None) -> bool:
    """Who may set and change a goal of this owner: its owners, their managers and HR.

    HR: any goal. Anyone else, executives included: line managers and department heads set the
    department and position goals of their department and those below, and the individual goals of
    the people below them in the reporting line; managers and above (not reviewed monthly) list
    their own individual goals too. (Executives also read every department goal, see
    ``selectors.goal_scope_q``; reading is not changing.)"""
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
    try:
        period = Period.of_kind(year, period_kind, period_index)
    except ValueError:
        raise ApplicationError(_("Choose a period of the year: the whole year, a half (1-2), a quarter (1-4) "
                                 "or a month (1-12)."), field="period_index")
    if parent is None:
        return
    if not parent.period.contains(period):
        raise ApplicationError(
            _("A goal for %(child)s cannot serve a goal for %(parent)s: a goal's period must fall inside the "
              "period of the goal above it.")
            % {"child": period.year_first_label, "parent": parent.period_label},
            field="period_index")
    if not department.path.startswith(parent.department.path):
        raise ApplicationError(
            _("Goals cascade downwards: %(dept)s is not part of %(parent_dept)s, so “%(goal)s” cannot serve "
              "“%(parent)s”.")
            % {"dept": department.name, "parent_dept": parent.department.name, "goal": name, "parent": parent.name},
            field="parent")


def _check_theme(theme: StrategicTheme | None, annual_plan: AnnualPlan, *, newly_chosen: bool = True) -> None:
    if theme is not None and newly_chosen and StrategicTheme.objects.filter(pk=theme.pk, is_archived=True).exists():
        raise ApplicationError(_("The theme %(theme)s is archived: choose a current one.") % {"theme": theme.name},
                               field="theme")
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
    if AnnualPlan.objects.filter(pk=annual_plan.pk, is_archived=True).exists():
        raise ApplicationError(_("The %(year)s plan is archived: no goal can be added to it.")
                               % {"year": annual_plan.year}, field="annual_plan")
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
    period_index = 1 if period_kind == PeriodKind.YEAR else int(period_index or 0)
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
                name_zh=name_zh, name_en=name_en, description=description, code=code, drafted_by=actor)
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
    _refuse_locked(obj)
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
    if obj.period_kind == PeriodKind.YEAR:
        obj.period_index = 1
    _check_placement(name=obj.name_zh, department=obj.department, parent=new_parent, period_kind=obj.period_kind,
                     period_index=obj.period_index, year=obj.year)
    for child in Goal.objects.filter(parent=obj).only("period_kind", "period_index", "name_zh", "name_en"):
        child_period = Period.of_kind(obj.year, child.period_kind, child.period_index)
        if not obj.period.contains(child_period):
            raise ApplicationError(
                _("“%(child)s” (%(child_period)s) would no longer fall inside this goal's period.")
                % {"child": child.name, "child_period": child_period.year_first_label},
                field="period_index")
    _check_theme(obj.theme, obj.annual_plan, newly_chosen=obj.theme_id != before.get("theme"))
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
    _refuse_locked(obj)
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



# --- goals: approval and change requests -------------------------------------------------------------

def _refuse_locked(goal: Goal) -> None:
    if goal.status == GoalStatus.APPROVED:
        raise ApplicationError(_("“%(goal)s” is approved and locked. Request a change with a reason first; it then "
                                 "goes back to draft for approval.") % {"goal": goal.name})


def goal_owned_by(actor, goal: Goal) -> bool:
    """The goal's own owner: the employee, a holder of the position, the department's head."""
    return _owns_goal(actor, goal)


def goal_can_approve(actor, goal: Goal) -> bool:
    """One level up: whoever may manage the goal above (for a top goal, HR or an executive), never
    the person who drafted it nor its owner. HR may approve any goal it did not draft."""
    if goal.drafted_by_id == getattr(actor, "pk", None) or _owns_goal(actor, goal):
        return False
    if is_hr(actor):
        return True
    if goal.parent_id is None:
        return is_executive(actor)
    parent = goal.parent
    return goal_can_manage(actor, department=parent.department, employee=parent.employee)


@transaction.atomic
def goal_approve(*, actor, goal: Goal, expected_version: int | None = None) -> Goal:
    obj = (Goal.objects.select_for_update(of=("self",))
           .select_related("department", "parent__department", "parent__employee").get(pk=goal.pk))
    if not selectors.goal_can_see(actor, obj):
        raise NotFound(_("Not found."))
    check_version(obj, expected_version)
    if obj.status == GoalStatus.APPROVED:
        return obj
    if not goal_can_approve(actor, obj):
        if obj.drafted_by_id == actor.pk or _owns_goal(actor, obj):
            raise PermissionDenied(_("You cannot approve a goal you drafted or own: it is approved one level up."))
        raise PermissionDenied(_("A goal is approved one level up: by whoever manages the goal it serves."))
    before = snapshot(obj, fields=["status"])
    obj.status = GoalStatus.APPROVED
    obj.approved_by = actor
    obj.approved_at = timezone.now()
    bump(obj)
    obj.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    audit_record(actor=actor, action="goal.approve", obj=obj, before=before, after=snapshot(obj, fields=["status"]))
    if obj.drafted_by_id and obj.drafted_by_id != actor.pk:
        name = obj.name
        transaction.on_commit(lambda: notify(
            obj.drafted_by, title=lambda: _("Goal approved: %(goal)s") % {"goal": name},
            body=lambda: _("%(who)s approved it; it is now locked.") % {"who": person_name(actor)},
            url=reverse("plans:goal_detail", args=[obj.pk])))
    return obj


GOAL_REASON_MAX = 2000


@transaction.atomic
def goal_change_request(*, actor, goal: Goal, reason: str, expected_version: int | None = None) -> Goal:
    """Ask to change an approved goal: with a reason (kept on the goal and in the audit trail), the goal
    goes back to draft so its owner or manager can edit it, and is approved again one level up."""
    obj = Goal.objects.select_for_update(of=("self",)).select_related("department").get(pk=goal.pk)
    if not selectors.goal_can_see(actor, obj):
        raise NotFound(_("Not found."))
    if not (goal_can_manage(actor, department=obj.department, employee=obj.employee) or _owns_goal(actor, obj)):
        raise PermissionDenied(_("Only the goal's owner, their managers and HR may request a change."))
    check_version(obj, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the change."), field="reason")
    if len(reason) > GOAL_REASON_MAX:
        raise ApplicationError(_("The reason is too long: at most %(n)s characters.") % {"n": GOAL_REASON_MAX},
                               field="reason")
    if obj.status != GoalStatus.APPROVED:
        raise ApplicationError(_("“%(goal)s” is still a draft: edit it directly.") % {"goal": obj.name})
    before = snapshot(obj, fields=["status", "change_reason"])
    approver = obj.approved_by
    obj.status, obj.change_reason, obj.approved_by, obj.approved_at = GoalStatus.DRAFT, reason, None, None
    obj.drafted_by = actor
    bump(obj)
    obj.save(update_fields=["status", "change_reason", "approved_by", "approved_at", "drafted_by", "version",
                            "updated_at"])
    audit_record(actor=actor, action="goal.change_request", obj=obj, before=before,
                 after=snapshot(obj, fields=["status", "change_reason"]))
    if approver is not None and approver.pk != actor.pk:
        name = obj.name
        transaction.on_commit(lambda: notify(
            approver, title=lambda: _("Change requested: %(goal)s") % {"goal": name},
            body=lambda: _("%(who)s reopened the goal you approved: %(reason)s")
            % {"who": person_name(actor), "reason": reason},
            url=reverse("plans:goal_detail", args=[obj.pk])))
    return obj
