"""Pay (confidential): pay data per employee, coefficient tables, payout runs, merit matrix and salary-
adjustment proposals, team-reward rules. Amounts are CNY with two decimals; every computed amount is
rounded once, half-up to the fen (ROUND_HALF_UP), and carries its explanation."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import MONEY_DIGITS, TimeStampedModel, VersionedModel

CENT = Decimal("0.01")
COEF_DIGITS = {"max_digits": 6, "decimal_places": 3}
PCT_DIGITS = {"max_digits": 7, "decimal_places": 2}


def money(value) -> Decimal:
    """The one rounding rule of pay: half-up to the fen."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class PayProfile(VersionedModel):
    """An employee's pay data: base performance pay (绩效工资基数), current salary and the salary band of
    the position (min, mid, max)."""

    employee = models.OneToOneField("org.Employee", verbose_name=_("employee"), on_delete=models.CASCADE,
                                    related_name="pay_profile")
    base_pay = models.DecimalField(_("base performance pay"), **MONEY_DIGITS)
    salary = models.DecimalField(_("current salary"), null=True, blank=True, **MONEY_DIGITS)
    band_min = models.DecimalField(_("band minimum"), null=True, blank=True, **MONEY_DIGITS)
    band_mid = models.DecimalField(_("band midpoint"), null=True, blank=True, **MONEY_DIGITS)
    band_max = models.DecimalField(_("band maximum"), null=True, blank=True, **MONEY_DIGITS)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("pay data")
        verbose_name_plural = _("pay data")
        ordering = ["employee__employee_no"]
        constraints = [
            models.CheckConstraint(condition=models.Q(base_pay__gte=0), name="pay_profile_base_not_negative"),
            models.CheckConstraint(condition=models.Q(salary__isnull=True) | models.Q(salary__gte=0),
                                   name="pay_profile_salary_not_negative"),
        ]

    def __str__(self):
        return f"{self.employee_id} · {self.base_pay}"

    @property
    def compa_ratio(self) -> Decimal | None:
        if self.salary is None or not self.band_mid:
            return None
        return (self.salary / self.band_mid).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)

    @property
    def band_quartile(self) -> int | None:
        return band_quartile(self.salary, self.band_min, self.band_max)


def band_quartile(salary, band_min, band_max) -> int | None:
    """1..4: where the salary sits in the band (below the minimum counts as 1, above the maximum as 4)."""
    if salary is None or band_min is None or band_max is None or band_max <= band_min:
        return None
    share = (Decimal(salary) - band_min) / (band_max - band_min)
    if share < Decimal("0.25"):
        return 1
    if share < Decimal("0.5"):
        return 2
    if share < Decimal("0.75"):
        return 3
    return 4


class CoefficientTable(VersionedModel):
    """HR's coefficients by grade for one cycle: ``coefficients`` {"S": "1.5", ...}; ``by_level``
    {job level code: {grade: coefficient}} overrides them for a job level."""

    cycle = models.OneToOneField("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                                 related_name="pay_coefficients")
    coefficients = models.JSONField(_("coefficients by grade"), default=dict)
    by_level = models.JSONField(_("coefficients by job level"), default=dict, blank=True)

    class Meta:
        verbose_name = _("coefficient table")
        verbose_name_plural = _("coefficient tables")

    def __str__(self):
        return str(self.cycle_id)

    def coefficient(self, grade: str, level_code: str | None) -> Decimal:
        if level_code and grade in self.by_level.get(level_code, {}):
            return Decimal(str(self.by_level[level_code][grade]))
        return Decimal(str(self.coefficients[grade]))


class BudgetKind(models.TextChoices):
    PAYOUT = "payout", _("Performance pay")
    RAISE = "raise", _("Salary adjustment")


class Budget(VersionedModel):
    """HR's budget of one department (and the departments below it) for a cycle."""

    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                              related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=BudgetKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_DIGITS)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["cycle", "kind", "department__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department", "kind"], name="pay_budget_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="pay_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.cycle_id} · {self.department_id} · {self.kind}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    EXPORTED = "exported", _("Exported to payroll")


#: action -> (allowed sources, target)
RUN_TRANSITIONS = {
    "submit": ({RunStatus.DRAFT}, RunStatus.SUBMITTED),
    "return": ({RunStatus.SUBMITTED}, RunStatus.DRAFT),
    "approve": ({RunStatus.SUBMITTED}, RunStatus.APPROVED),
    "export": ({RunStatus.APPROVED, RunStatus.EXPORTED}, RunStatus.EXPORTED),
}
FINAL = frozenset({RunStatus.APPROVED, RunStatus.EXPORTED})


class PayoutRun(VersionedModel):
    """One computation of performance pay for a cycle. A correction run (``corrects`` set) recomputes
    after a result changed and shows the differences against the run it corrects."""

    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="pay_runs")
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    corrects = models.ForeignKey("self", verbose_name=_("corrects run"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    total_base = models.DecimalField(_("total base"), default=Decimal(0), **MONEY_DIGITS)
    total_performance_pay = models.DecimalField(_("total performance pay"), default=Decimal(0), **MONEY_DIGITS)
    total_team_reward = models.DecimalField(_("total team reward"), default=Decimal(0), **MONEY_DIGITS)
    total = models.DecimalField(_("total"), default=Decimal(0), **MONEY_DIGITS)
    changed_rows = models.PositiveIntegerField(_("changed rows"), default=0)
    missing_base = models.PositiveIntegerField(_("rows without pay data"), default=0)
    needs_correction = models.BooleanField(_("a result changed after this run"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("computed by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    exported_at = models.DateTimeField(_("first exported at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released to employees at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")
        ordering = ["-cycle__period", "-number"]
        constraints = [models.UniqueConstraint(fields=["cycle", "number"], name="pay_run_number_unique")]

    def __str__(self):
        return f"{self.cycle} #{self.number}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class PayoutLine(models.Model):
    """One employee's performance pay in a run: base x coefficient of the grade, rounded half-up to the
    fen, plus the team reward; ``previous_total`` is the amount of the corrected run (correction runs)."""

    run = models.ForeignKey(PayoutRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    appraisal = models.ForeignKey("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                  related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    level_code = models.CharField(_("job level"), max_length=30, blank=True)
    grade = models.CharField(_("grade"), max_length=8)
    coefficient = models.DecimalField(_("coefficient"), **COEF_DIGITS)
    base = models.DecimalField(_("base"), **MONEY_DIGITS)
    has_base = models.BooleanField(_("pay data recorded"), default=True)
    performance_pay = models.DecimalField(_("performance pay"), **MONEY_DIGITS)
    team_reward = models.DecimalField(_("team reward"), default=Decimal(0), **MONEY_DIGITS)
    total = models.DecimalField(_("total"), **MONEY_DIGITS)
    previous_total = models.DecimalField(_("previous amount"), null=True, blank=True, **MONEY_DIGITS)
    changed = models.BooleanField(_("changed by the correction"), default=False)

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["run", "employee__employee_no"]
        constraints = [models.UniqueConstraint(fields=["run", "employee"], name="pay_line_unique")]
        indexes = [models.Index(fields=["run", "department"]), models.Index(fields=["employee", "run"])]

    def __str__(self):
        return f"{self.run_id} · {self.employee_id}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

    def explanation(self) -> str:
        from django.utils.translation import gettext

        if not self.has_base:
            text = gettext("No pay data recorded: base 0.00, so performance pay 0.00.")
        else:
            text = gettext("Base %(base)s × coefficient %(coef)s of grade %(grade)s = %(pay)s (rounded half-up to "
                     "the fen).") % {"base": self.base, "coef": self.coefficient.normalize(), "grade": self.grade,
                                    "pay": self.performance_pay}
        if self.team_reward:
            text += " " + gettext("Team reward %(reward)s; total %(total)s.") % {"reward": self.team_reward,
                                                                          "total": self.total}
        return text


class MeritMatrix(VersionedModel):
    """Guideline ranges of salary increase (percent) by grade and quartile of the position in the band:
    ``cells`` {"A": [[min, max] for quartiles 1..4], ...}."""

    cycle = models.OneToOneField("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                                 related_name="pay_merit_matrix")
    cells = models.JSONField(_("guideline ranges"), default=dict)
    effective_date = models.DateField(_("salary adjustments take effect on"))

    class Meta:
        verbose_name = _("merit matrix")
        verbose_name_plural = _("merit matrices")

    def __str__(self):
        return str(self.cycle_id)

    def guideline(self, grade: str, quartile: int) -> tuple[Decimal, Decimal] | None:
        row = self.cells.get(grade)
        if not row or not quartile:
            return None
        low, high = row[quartile - 1]
        return Decimal(str(low)), Decimal(str(high))


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Proposed")
    REVIEWED = "reviewed", _("Reviewed by HR")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


PROPOSAL_TRANSITIONS = {
    "review": ({ProposalStatus.SUBMITTED}, ProposalStatus.REVIEWED),
    "approve": ({ProposalStatus.REVIEWED}, ProposalStatus.APPROVED),
    "reject": ({ProposalStatus.SUBMITTED, ProposalStatus.REVIEWED}, ProposalStatus.REJECTED),
}


class SalaryProposal(VersionedModel):
    """A manager's proposed salary increase for one member of their team, checked against the merit
    matrix's guideline and the department's budget pool."""

    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="+")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    proposed_by = models.ForeignKey("org.Employee", verbose_name=_("proposed by"), on_delete=models.PROTECT,
                                    related_name="+")
    grade = models.CharField(_("grade"), max_length=8)
    current_salary = models.DecimalField(_("current salary"), **MONEY_DIGITS)
    quartile = models.PositiveSmallIntegerField(_("quartile in the band"))
    guideline_min = models.DecimalField(_("guideline minimum (%)"), **PCT_DIGITS)
    guideline_max = models.DecimalField(_("guideline maximum (%)"), **PCT_DIGITS)
    increase_pct = models.DecimalField(_("increase (%)"), **PCT_DIGITS)
    increase_amount = models.DecimalField(_("increase"), **MONEY_DIGITS)
    new_salary = models.DecimalField(_("new salary"), **MONEY_DIGITS)
    effective_date = models.DateField(_("effective date"))
    justification = models.TextField(_("justification"), blank=True)
    outside_guideline = models.BooleanField(_("outside the guideline"), default=False)
    above_band = models.BooleanField(_("above the band maximum"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED)
    decision_note = models.TextField(_("decision note"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("salary-adjustment proposal")
        verbose_name_plural = _("salary-adjustment proposals")
        ordering = ["department__path", "employee__employee_no"]
        constraints = [models.UniqueConstraint(fields=["cycle", "employee"], name="pay_proposal_unique")]

    def __str__(self):
        return f"{self.cycle_id} · {self.employee_id}"


class PoolKind(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    SHARE = "share", _("Share of the gain")


class SplitKind(models.TextChoices):
    EQUAL = "equal", _("Equal")
    GRADE = "grade", _("Weighted by grade coefficient")


class TeamRewardRule(VersionedModel):
    """The bee story: the team is rewarded as a whole when its total of an indicator beats the previous
    period by at least ``min_growth_pct``."""

    department = models.ForeignKey("org.Department", verbose_name=_("team"), on_delete=models.PROTECT,
                                   related_name="+")
    indicator = models.ForeignKey("contracts.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="+")
    min_growth_pct = models.DecimalField(_("beats the previous period by at least (%)"), **PCT_DIGITS)
    pool_kind = models.CharField(_("pool"), max_length=6, choices=PoolKind.choices)
    pool_amount = models.DecimalField(_("fixed pool"), null=True, blank=True, **MONEY_DIGITS)
    pool_share_pct = models.DecimalField(_("share of the gain (%)"), null=True, blank=True, **PCT_DIGITS)
    split = models.CharField(_("split"), max_length=6, choices=SplitKind.choices, default=SplitKind.EQUAL)
    is_active = models.BooleanField(pgettext_lazy("team rule", "active"), default=True)

    class Meta:
        verbose_name = _("team-reward rule")
        verbose_name_plural = _("team-reward rules")
        ordering = ["department__path", "id"]

    def __str__(self):
        return f"{self.department_id} · {self.indicator_id}"


class TeamRewardResult(TimeStampedModel):
    """One evaluation of a rule for a cycle (re-evaluation replaces it while no final run uses it)."""

    rule = models.ForeignKey(TeamRewardRule, verbose_name=_("rule"), on_delete=models.CASCADE,
                             related_name="results")
    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                              related_name="+")
    previous_period = models.CharField(_("previous period"), max_length=7)
    total = models.DecimalField(_("team total"), max_digits=18, decimal_places=2)
    previous_total = models.DecimalField(_("previous total"), null=True, blank=True, max_digits=18,
                                         decimal_places=2)
    growth_pct = models.DecimalField(_("growth (%)"), null=True, blank=True, max_digits=12, decimal_places=2)
    met = models.BooleanField(_("condition met"), default=False)
    pool = models.DecimalField(_("pool"), default=Decimal(0), **MONEY_DIGITS)
    members = models.PositiveIntegerField(_("members"), default=0)

    class Meta:
        verbose_name = _("team-reward result")
        verbose_name_plural = _("team-reward results")
        ordering = ["-cycle__period", "rule"]
        constraints = [models.UniqueConstraint(fields=["rule", "cycle"], name="pay_team_result_unique")]

    def __str__(self):
        return f"{self.rule_id} · {self.cycle_id}"


class TeamRewardShare(models.Model):
    result = models.ForeignKey(TeamRewardResult, verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="shares")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=6)
    amount = models.DecimalField(_("amount"), **MONEY_DIGITS)

    class Meta:
        verbose_name = _("team-reward share")
        verbose_name_plural = _("team-reward shares")
        constraints = [models.UniqueConstraint(fields=["result", "employee"], name="pay_team_share_unique")]

    def __str__(self):
        return f"{self.result_id} · {self.employee_id}"
