"""Strategy, the annual business plan, the goal cascade and monthly work plans (seed sections 2, 4, 5, 6).

Goals keep a materialised path ("/1/4/9/", ids from the root down to the goal itself) like the
org trees, so "this goal and everything below it" is one indexed ``LIKE 'prefix%'`` query and
"a goal cannot become its own ancestor" is a string test. Progress rolls up by weight, set-based
(see ``services.goal_tree_rollup``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.periods import Period, PeriodKind
from apps.org.models import BilingualNameMixin, Department, Employee, Position

PERCENT = {"max_digits": 6, "decimal_places": 2}


class Perspective(models.TextChoices):
    """The four perspectives of the balanced scorecard (BSC): the one vocabulary of the product
    (the same values as the KPI library's perspective in apps.contracts, which can import this)."""

    FINANCIAL = "financial", _("Financial")
    CUSTOMER = "customer", _("Customer")
    INTERNAL = "internal_process", _("Internal process")
    LEARNING = "learning_growth", _("Learning and growth")


class Strategy(BilingualNameMixin, VersionedModel):
    """The company strategy (公司战略) for a span of years."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-start_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plans_strategy_years"),
        ]


class StrategicTheme(BilingualNameMixin, VersionedModel):
    """One theme of a strategy, optionally placed in a balanced-scorecard perspective."""

    strategy = models.ForeignKey(Strategy, verbose_name=_("strategy"), on_delete=models.CASCADE,
                                 related_name="themes")
    perspective = models.CharField(_("BSC perspective"), max_length=20, choices=Perspective.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("strategic theme")
        verbose_name_plural = _("strategic themes")
        ordering = ["strategy", "order", "id"]


class AnnualPlan(BilingualNameMixin, VersionedModel):
    """The annual business plan (年度经营计划): the container of one year's goal cascade."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    strategy = models.ForeignKey(Strategy, verbose_name=_("strategy"), on_delete=models.PROTECT,
                                 related_name="annual_plans")
    summary = models.TextField(_("summary"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("annual business plan")
        verbose_name_plural = _("annual business plans")
        ordering = ["-year"]


class OwnerKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    POSITION = "position", _("Position")
    EMPLOYEE = "employee", _("Employee")


class GoalStatus(models.TextChoices):
    """A goal is drafted (by its owner or a manager), approved one level up and then locked: a later
    change goes through a change request with a reason, which sends it back to draft."""

    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Goal(BilingualNameMixin, VersionedModel):
    """One goal of the cascade: company -> department -> section -> position / individual."""

    code = models.CharField(_("code"), max_length=40, blank=True)
    annual_plan = models.ForeignKey(AnnualPlan, verbose_name=_("annual business plan"), on_delete=models.PROTECT,
                                    related_name="goals")
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    parent = models.ForeignKey("self", verbose_name=_("parent goal"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    root = models.ForeignKey("self", verbose_name=_("top goal"), null=True, blank=True, editable=False,
                             on_delete=models.PROTECT, related_name="+")
    path = models.CharField(_("tree path"), max_length=600, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    theme = models.ForeignKey(StrategicTheme, verbose_name=_("strategic theme"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="goals")
    owner_kind = models.CharField(_("owner type"), max_length=12, choices=OwnerKind.choices)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="goals")
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="goals")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="goals")
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_index = models.PositiveSmallIntegerField(_("period number"), default=1)
    measure = models.CharField(_("measure"), max_length=200, blank=True,
                               help_text=_("What is measured, e.g. monthly sales revenue."))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(_("weight in parent (%)"), default=Decimal("100"),
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
                                 **PERCENT)
    progress = models.DecimalField(_("progress (%)"), default=Decimal("0"),
                                   validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
                                   **PERCENT)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, blank=True,
                                   editable=False, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    editable=False, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    change_reason = models.TextField(_("reason for the last change request"), blank=True, editable=False)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="plans_goal_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["root", "depth"]),
            models.Index(fields=["year", "period_kind", "period_index"]),
        ]
        constraints = [
            models.CheckConstraint(name="plans_goal_owner", condition=(
                Q(owner_kind="department", position__isnull=True, employee__isnull=True)
                | Q(owner_kind="position", position__isnull=False, employee__isnull=True)
                | Q(owner_kind="employee", employee__isnull=False, position__isnull=True))),
            models.CheckConstraint(name="plans_goal_weight", condition=Q(weight__gte=0, weight__lte=100)),
            models.CheckConstraint(name="plans_goal_progress", condition=Q(progress__gte=0, progress__lte=200)),
            models.CheckConstraint(name="plans_goal_period", condition=(
                Q(period_kind="year", period_index=1)
                | Q(period_kind="half", period_index__gte=1, period_index__lte=2)
                | Q(period_kind="quarter", period_index__gte=1, period_index__lte=4)
                | Q(period_kind="month", period_index__gte=1, period_index__lte=12))),
            models.UniqueConstraint(fields=["annual_plan", "code"], condition=~Q(code=""),
                                    name="plans_goal_code_unique"),
        ]

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the goals above this one, top first (from the path, no query)."""
        return [int(x) for x in self.path.strip("/").split("/") if x][:-1]

    @property
    def period(self) -> Period:
        return Period.of_kind(self.year, self.period_kind, self.period_index)

    @property
    def period_label(self) -> str:
        return self.period.year_first_label

    @property
    def period_code(self) -> str:
        return self.period.short_code

    @property
    def level_label(self) -> str:
        """Company / department / section / position / individual, from the owner (no query beyond
        the department already joined)."""
        if self.owner_kind == OwnerKind.EMPLOYEE:
            return str(_("Individual"))
        if self.owner_kind == OwnerKind.POSITION:
            return str(_("Position"))
        depth = self.department.depth if self.department_id else 0
        return str(_("Company") if depth == 0 else _("Department") if depth == 1 else _("Section"))

    @property
    def owner_name(self) -> str:
        if self.owner_kind == OwnerKind.EMPLOYEE and self.employee_id:
            return self.employee.name
        if self.owner_kind == OwnerKind.POSITION and self.position_id:
            return f"{self.position.name} · {self.department.name}"
        return self.department.name

    def expected_progress(self, today: dt.date | None = None) -> Decimal:
        """Progress a goal on plan would have reached by today: the share of its period elapsed."""
        share = self.period.elapsed_share(today or timezone.localdate())
        return (Decimal(str(share)) * 100).quantize(Decimal("0.01"))

    def attainment(self, today: dt.date | None = None) -> str:
        """"ok", "warn", "bad" (colour of the bar and pill) or "" before the period starts."""
        expected = self.expected_progress(today)
        if expected <= 0:
            return ""
        ratio = (self.progress or Decimal("0")) / expected
        if ratio >= Decimal("0.9"):
            return "ok"
        if ratio >= Decimal("0.7"):
            return "warn"
        return "bad"

    @property
    def attainment_class(self) -> str:
        return self.attainment()

    @property
    def bar_width(self) -> Decimal:
        return min(self.progress or Decimal("0"), Decimal("100"))


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    CONFIRMED = "confirmed", _("Confirmed")


# The workflow of a monthly plan, as data: action -> (states it may start from, state it leads to).
# Checked in one place (services.plan_workflow._transition), with PLAN_NO_OPS below.
PLAN_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED}), PlanStatus.SUBMITTED),
    "return": (frozenset({PlanStatus.SUBMITTED}), PlanStatus.RETURNED),
    "confirm": (frozenset({PlanStatus.SUBMITTED}), PlanStatus.CONFIRMED),
    "reopen": (frozenset({PlanStatus.CONFIRMED}), PlanStatus.RETURNED),
}
# Repeating a move is a no-op (a double click, a retried request): the states where it changes nothing.
# Reopening is not repeated: a returned plan was never confirmed, so "reopen" is refused there.
PLAN_NO_OPS: dict[str, frozenset[str]] = {
    "submit": frozenset({PlanStatus.SUBMITTED}), "return": frozenset({PlanStatus.RETURNED}),
    "confirm": frozenset({PlanStatus.CONFIRMED}), "reopen": frozenset(),
}
# Who edits the items in which state: the employee (or HR on their behalf) while the plan is with
# them, the supervisor while it waits for confirmation ("merged plan"). Confirmed = locked.
EDITABLE_BY_EMPLOYEE = frozenset({PlanStatus.DRAFT, PlanStatus.RETURNED})
EDITABLE_BY_SUPERVISOR = frozenset({PlanStatus.SUBMITTED})
PLAN_MAX_ITEMS = 30


class MonthlyPlan(VersionedModel):
    """The month's work plan (月度工作计划) of one employee whose job level is reviewed monthly."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="monthly_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    return_comment = models.TextField(_("comment"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    carried_from = models.ForeignKey("self", verbose_name=_("carried forward from"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_items = models.JSONField(_("items as last submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly work plan")
        verbose_name_plural = _("monthly work plans")
        ordering = ["-year", "-month", "employee__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "year", "month"], name="plans_monthly_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plans_monthly_month"),
        ]
        indexes = [models.Index(fields=["year", "month", "status"])]

    def __str__(self):
        return f"{self.employee.name} · {self.month_label}"

    @property
    def period(self) -> Period:
        return Period.of_month(self.year, self.month)

    @property
    def month_label(self) -> str:
        return self.period.label

    @property
    def month_key(self) -> str:
        return self.period.code

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return self.period.bounds


class PlanItem(TimeStampedModel):
    """One line of a monthly plan: the task, its expected result / standard, weight and due date."""

    plan = models.ForeignKey(MonthlyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    task = models.CharField(_("task"), max_length=300)
    expected_result = models.CharField(_("expected result / standard"), max_length=500, blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])
    due_date = models.DateField(_("due date"))
    goal = models.ForeignKey(Goal, verbose_name=_("goal served"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="plan_items")
    completed = models.BooleanField(_("completed"), default=False)
    result_note = models.CharField(_("result"), max_length=500, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    carried_from = models.ForeignKey("self", verbose_name=_("carried forward from"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="carried_to")

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0, weight__lte=100), name="plans_item_weight"),
        ]

    def __str__(self):
        return self.task


class PlanItemChange(models.Model):
    """What changed in a plan's items after it was first submitted: both sides see it."""

    class Kind(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")

    plan = models.ForeignKey(MonthlyPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="changes")
    item = models.ForeignKey(PlanItem, verbose_name=_("item"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="changes")
    item_label = models.CharField(_("item"), max_length=300)
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    changes = models.JSONField(_("fields changed"), default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(_("role"), max_length=12)
    plan_status = models.CharField(_("plan status"), max_length=12, choices=PlanStatus.choices)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan item change")
        verbose_name_plural = _("plan item changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.kind}: {self.item_label}"


class PlanSettings(VersionedModel):
    """HR's settings for monthly plans: the due day of the month and when reminders start."""

    due_day = models.PositiveSmallIntegerField(
        _("plans are due by day"), default=5, validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the month (1-28) by which each employee submits that month's plan."))
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind this many days before"), default=3, validators=[MaxValueValidator(20)],
        help_text=_("Employees who have not submitted are reminded daily from this many days before the due day."))

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self):
        return f"due day {self.due_day}"


class GoalAcknowledgement(TimeStampedModel):
    """A new hire's position goals, discussed with the supervisor and acknowledged (seed section 10)."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="goal_acknowledgements")
    position = models.ForeignKey(Position, verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    goals = models.JSONField(_("goals acknowledged"), default=list)
    discussed_with = models.ForeignKey(Employee, verbose_name=_("discussed with"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("goal acknowledgement")
        verbose_name_plural = _("goal acknowledgements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "position", "year"], name="plans_ack_once"),
        ]

    def __str__(self):
        return f"{self.employee} · {self.year}"
