"""Appraisal cycles (考核周期), appraisals and their score lines.

One *cycle* covers one review period for one review frequency (e.g. "2026-11", monthly staff),
optionally narrowed to departments. Opening it creates one *appraisal* per employee of the
population from the employee's signed contract for the period, with one *score line* per contract
line (targets, weights and rules are copied: the contract is locked once signed).

The workflow of one appraisal (docs/ARCHITECTURE.md, "The workflow of one appraisal")::

    collecting -> verified -> self_assessed -> scored -> [calibrated] -> published (locked)
         ^           |
         +-- return --+   (lines returned for re-collection with a reason)

The allowed moves are data (:data:`TRANSITIONS`), checked in ``services.kernel.move`` only.

The schema is summary-friendly for the roll-ups of the next issue: an appraisal row carries its
cycle, employee, department and job level (denormalised at opening), status, section scores,
total, grade and calibrated grade; a score line carries its cycle, section, weight, score and
attainment; the indexes follow what roll-ups group by.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.contracts.models import Section
from apps.core.models import SCORE_DIGITS, TimeStampedModel, VersionedModel
from apps.core.periods import period_label, validate_period_code
from apps.core.validators import SingleLineFieldsMixin
from apps.org.models import ReviewFrequency

VALUE_DIGITS = {"max_digits": 16, "decimal_places": 4}
WEIGHT_DIGITS = {"max_digits": 5, "decimal_places": 2}


# --- stages and policies ---------------------------------------------------------------------------

class Stage(models.TextChoices):
    ACTUALS = "actuals", _("Actuals due")
    VERIFICATION = "verification", _("Verification")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    MANAGER_SCORING = "manager_scoring", _("Manager scoring")
    CALIBRATION = "calibration", _("Calibration")
    PUBLISH = "publish", _("Publication")


STAGE_ORDER = [Stage.ACTUALS, Stage.VERIFICATION, Stage.SELF_ASSESSMENT, Stage.MANAGER_SCORING,
               Stage.CALIBRATION, Stage.PUBLISH]


class Policy(models.TextChoices):
    REMIND = "remind", _("Remind only")
    ESCALATE = "escalate", _("Escalate to the manager's manager")
    ADVANCE = "advance", _("Advance with a “not submitted” mark")


#: Default days after opening for each stage's deadline, and default policies (routine cycles).
DEFAULT_STAGE_DAYS = {Stage.ACTUALS: 5, Stage.VERIFICATION: 8, Stage.SELF_ASSESSMENT: 12,
                      Stage.MANAGER_SCORING: 16, Stage.CALIBRATION: 19, Stage.PUBLISH: 22}
DEFAULT_POLICIES = {Stage.ACTUALS: Policy.ESCALATE, Stage.VERIFICATION: Policy.REMIND,
                    Stage.SELF_ASSESSMENT: Policy.ADVANCE, Stage.MANAGER_SCORING: Policy.ESCALATE,
                    Stage.CALIBRATION: Policy.REMIND, Stage.PUBLISH: Policy.REMIND}
#: The deck's grades: S >= 120, A >= 105, B >= 90, C >= 75, D below (HR may set others per cycle).
DEFAULT_GRADE_BANDS = [{"grade": "S", "min": 120}, {"grade": "A", "min": 105}, {"grade": "B", "min": 90},
                       {"grade": "C", "min": 75}, {"grade": "D", "min": None}]


def default_grade_bands() -> list[dict]:
    return [dict(b) for b in DEFAULT_GRADE_BANDS]


# --- cycles ----------------------------------------------------------------------------------------

class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPENING = "opening", _("Opening")
    OPEN = "open", pgettext_lazy("cycle status", "Open")
    PUBLISHED = "published", _("Published")


CYCLE_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({CycleStatus.DRAFT}), CycleStatus.OPENING),
    "opened": (frozenset({CycleStatus.OPENING}), CycleStatus.OPEN),
    "published": (frozenset({CycleStatus.OPEN}), CycleStatus.PUBLISHED),
    "reopen": (frozenset({CycleStatus.PUBLISHED}), CycleStatus.OPEN),  # a late joiner's contract got signed
    "repopulate": (frozenset({CycleStatus.OPEN}), CycleStatus.OPENING),  # HR re-checks: newcomers are added
}


class Cycle(SingleLineFieldsMixin, VersionedModel):
    """One appraisal round: a period, a review frequency, a population and a deadline per stage."""

    single_line_fields = ("title",)

    title = models.CharField(_("title"), max_length=120, blank=True)
    period = models.CharField(pgettext_lazy("appraisal", "review period"), max_length=7,
                              validators=[validate_period_code], db_index=True)
    frequency = models.CharField(_("review frequency"), max_length=12, choices=ReviewFrequency.choices)
    job_levels = models.ManyToManyField("org.JobLevel", verbose_name=_("job levels"), related_name="+",
                                        help_text=_("The job levels whose review frequency matches the cycle."))
    departments = models.ManyToManyField(
        "org.Department", verbose_name=_("departments"), blank=True, related_name="+",
        help_text=_("Optional: only these departments and the departments below them."))
    scope_key = models.CharField(_("population key"), max_length=200, blank=True, editable=False,
                                 help_text=_("The departments of the population, for uniqueness."))
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.DRAFT,
                              db_index=True)
    grade_bands = models.JSONField(_("grade bands"), default=default_grade_bands)
    requires_calibration = models.BooleanField(
        _("calibration required before publication"), default=False,
        help_text=_("When set, only calibrated appraisals can be published."))
    is_routine = models.BooleanField(_("opened by the schedule"), default=False)
    opening_cursor = models.BigIntegerField(_("opening progress"), default=0, editable=False,
                                            help_text=_("Last employee id processed while opening."))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # HR's override of the hard grade quotas at publication (calibration)
    quota_override_reason = models.TextField(_("reason for publishing despite a hard quota"), blank=True,
                                             default="", db_default="")
    quota_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("quota override by"),
                                          null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    quota_override_at = models.DateTimeField(_("quota override at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        ordering = ["-period", "frequency", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "frequency", "scope_key"], name="appraisals_one_cycle_per_scope"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return f"{self.period_label} · {ReviewFrequency(self.frequency).label}"


class QuotaLimit(models.TextChoices):
    AT_MOST = "at_most", _("at most")
    AT_LEAST = "at_least", _("at least")


class GradeQuota(TimeStampedModel):
    """One grade quota of a cycle, checked in every department at calibration: the share of the
    department's graded appraisals in ``grades`` (e.g. S and A) is at most / at least ``percent``.
    A hard quota blocks publication unless HR overrides it with a reason; a soft one only warns."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="quotas")
    grades = models.JSONField(_("grades"), help_text=_("The grades counted together, e.g. [\"S\", \"A\"]."))
    limit = models.CharField(_("limit"), max_length=8, choices=QuotaLimit.choices)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)
    is_hard = models.BooleanField(_("hard (blocks publication)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("grade quota")
        verbose_name_plural = _("grade quotas")
        ordering = ["cycle", "order", "id"]

    def __str__(self):
        return self.label

    @property
    def grades_label(self) -> str:
        return "+".join(self.grades or [])

    @property
    def label(self) -> str:
        from apps.contracts.scoring import fmt_number

        return f"{self.grades_label} {QuotaLimit(self.limit).label} {fmt_number(self.percent)}%"

    def breached_by(self, counts: dict[str, int], total: int) -> bool:
        """Whether a department with these counts per grade (of ``total`` graded) breaks the quota."""
        if not total:
            return False
        n = sum(counts.get(g, 0) for g in self.grades)
        share = Decimal(100) * n / total
        return share > self.percent if self.limit == QuotaLimit.AT_MOST else share < self.percent


class CycleStage(TimeStampedModel):
    """The deadline of one stage of a cycle and what happens when it passes."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    due_date = models.DateField(_("deadline"))
    policy = models.CharField(_("when the deadline passes"), max_length=10, choices=Policy.choices,
                              default=Policy.REMIND)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=2)

    class Meta:
        verbose_name = _("stage deadline")
        verbose_name_plural = _("stage deadlines")
        ordering = ["cycle", "due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "stage"], name="appraisals_one_deadline_per_stage")]
        indexes = [models.Index(fields=["due_date"])]

    def __str__(self):
        return f"{self.cycle} · {self.get_stage_display()} · {self.due_date}"


class CycleSchedule(VersionedModel):
    """HR's schedule of routine cycles: Celery beat opens one per period of each active frequency,
    on the first day after the period ends, with these deadlines (days after opening) and policies."""

    frequency = models.CharField(_("review frequency"), max_length=12, choices=ReviewFrequency.choices, unique=True)
    is_active = models.BooleanField(_("open cycles automatically"), default=False)
    stage_days = models.JSONField(_("deadline of each stage (days after opening)"), default=dict)
    stage_policies = models.JSONField(_("policy of each stage"), default=dict)
    grade_bands = models.JSONField(_("grade bands"), default=default_grade_bands)
    last_opened_period = models.CharField(_("last period opened"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("cycle schedule")
        verbose_name_plural = _("cycle schedules")
        ordering = ["frequency"]

    def __str__(self):
        return str(ReviewFrequency(self.frequency).label)

    def days_for(self, stage: str) -> int:
        return int((self.stage_days or {}).get(stage, DEFAULT_STAGE_DAYS[stage]))

    def policy_for(self, stage: str) -> str:
        return (self.stage_policies or {}).get(stage, DEFAULT_POLICIES[stage])


class BlockerReason(models.TextChoices):
    NO_CONTRACT = "no_contract", _("No contract for the period")
    NOT_SIGNED = "not_signed", _("Contract not signed yet")


class CycleBlocker(TimeStampedModel):
    """An employee of the population who could not get an appraisal (no signed contract): listed for
    HR, never skipped silently."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="blockers")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.CASCADE,
                                 related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=BlockerReason.choices)
    contract_status = models.CharField(_("contract status"), max_length=12, blank=True)
    reminded_at = models.DateTimeField(_("manager reminded at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["cycle", "department", "employee"]
        constraints = [models.UniqueConstraint(fields=["cycle", "employee"], name="appraisals_one_blocker_per_employee")]
        indexes = [models.Index(fields=["cycle", "resolved_at"])]


# --- appraisals ------------------------------------------------------------------------------------

class Status(models.TextChoices):
    COLLECTING = "collecting", _("Collecting actuals")
    VERIFIED = "verified", _("Verified, awaiting self-assessment")
    SELF_ASSESSED = "self_assessed", _("Self-assessed, awaiting manager scoring")
    SCORED = "scored", _("Scored")
    CALIBRATED = "calibrated", _("Calibrated")
    PUBLISHED = "published", _("Published")


STATUS_ORDER = [Status.COLLECTING, Status.VERIFIED, Status.SELF_ASSESSED, Status.SCORED, Status.CALIBRATED,
                Status.PUBLISHED]

#: The workflow as data: action -> (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "verify": (frozenset({Status.COLLECTING}), Status.VERIFIED),
    "return": (frozenset({Status.COLLECTING, Status.VERIFIED}), Status.COLLECTING),
    "submit_self": (frozenset({Status.VERIFIED}), Status.SELF_ASSESSED),
    "submit_scores": (frozenset({Status.SELF_ASSESSED}), Status.SCORED),
    # The calibration stage (a later issue) moves scored appraisals to calibrated; publication
    # accepts both, or only calibrated ones when the cycle requires calibration.
    "calibrate": (frozenset({Status.SCORED, Status.CALIBRATED}), Status.CALIBRATED),
    "publish": (frozenset({Status.SCORED, Status.CALIBRATED}), Status.PUBLISHED),
}
#: Edits that change no status but are allowed only in some states.
EDITS: dict[str, frozenset[str]] = {
    "actual": frozenset({Status.COLLECTING}),
    "self_score": frozenset({Status.VERIFIED}),
    "manager_score": frozenset({Status.SELF_ASSESSED}),
}
#: Which appraisals wait on each stage (the deadlines engine and the progress bars use it).
PENDING_AT: dict[str, frozenset[str]] = {
    Stage.ACTUALS: frozenset({Status.COLLECTING}),
    Stage.VERIFICATION: frozenset({Status.COLLECTING}),
    Stage.SELF_ASSESSMENT: frozenset({Status.VERIFIED}),
    Stage.MANAGER_SCORING: frozenset({Status.SELF_ASSESSED}),
    Stage.CALIBRATION: frozenset({Status.SCORED}),
    Stage.PUBLISH: frozenset({Status.SCORED, Status.CALIBRATED}),
}
#: The states at or after which a stage counts as done for an appraisal.
DONE_AT: dict[str, frozenset[str]] = {
    Stage.ACTUALS: frozenset(STATUS_ORDER[1:]),
    Stage.VERIFICATION: frozenset(STATUS_ORDER[1:]),
    Stage.SELF_ASSESSMENT: frozenset(STATUS_ORDER[2:]),
    Stage.MANAGER_SCORING: frozenset(STATUS_ORDER[3:]),
    Stage.CALIBRATION: frozenset(STATUS_ORDER[4:]),
    Stage.PUBLISH: frozenset({Status.PUBLISHED}),
}


class BilingualTextMixin:
    """``explanation`` in the active language from the stored zh-Hans and English texts."""

    @staticmethod
    def _pick(zh: str, en: str) -> str:
        lang = (get_language() or "zh-hans").lower()
        if lang.startswith("en"):
            return en or zh
        return zh or en


class Appraisal(BilingualTextMixin, VersionedModel):
    # single-column indexes left out where a composite index below starts with the column (fewer
    # indexes to maintain when a cycle of 100,000 people opens)
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="appraisals",
                              db_index=False)
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="appraisals", db_index=False)
    contract = models.ForeignKey("contracts.Contract", verbose_name=_("KPI contract"), on_delete=models.PROTECT,
                                 related_name="appraisals")
    period = models.CharField(pgettext_lazy("appraisal", "review period"), max_length=7)
    # denormalised at opening, for set-based roll-ups (grouped by department over Department.path)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    job_level = models.ForeignKey("org.JobLevel", verbose_name=_("job level"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    appraiser = models.ForeignKey("org.Employee", verbose_name=_("appraiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="appraisals_to_score", db_index=False)
    status = models.CharField(_("stage"), max_length=14, choices=Status.choices, default=Status.COLLECTING)
    # actuals collection
    lines_pending = models.PositiveSmallIntegerField(_("lines awaiting actuals"), default=0)
    lines_returned = models.PositiveSmallIntegerField(_("lines returned"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    verified_automatically = models.BooleanField(_("verified at the deadline without a check"), default=False)
    # self-assessment
    self_comment = models.TextField(_("self-assessment"), blank=True)
    self_submitted_at = models.DateTimeField(_("self-assessment submitted at"), null=True, blank=True)
    self_not_submitted = models.BooleanField(_("self-assessment not submitted"), default=False)
    # manager scoring
    manager_comment = models.TextField(_("manager's overall comment"), blank=True)
    manager_submitted_at = models.DateTimeField(_("manager scoring submitted at"), null=True, blank=True)
    manager_submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scored by"), null=True,
                                             blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    manager_not_submitted = models.BooleanField(_("manager scoring not submitted"), default=False)
    # results: section weights copied from the contract, section scores, total, grade
    results_weight = models.DecimalField(_("results weight (%)"), default=Decimal(70), **WEIGHT_DIGITS)
    behaviour_weight = models.DecimalField(_("behaviour weight (%)"), default=Decimal(30), **WEIGHT_DIGITS)
    plan_weight = models.DecimalField(_("work plan weight (%)"), default=Decimal(0), **WEIGHT_DIGITS)
    results_score = models.DecimalField(_("results score"), null=True, blank=True, **SCORE_DIGITS)
    behaviour_score = models.DecimalField(_("behaviour score"), null=True, blank=True, **SCORE_DIGITS)
    plan_score = models.DecimalField(_("work plan score"), null=True, blank=True, **SCORE_DIGITS)
    total_score = models.DecimalField(_("total score"), null=True, blank=True, **SCORE_DIGITS)
    grade = models.CharField(_("grade"), max_length=8, blank=True)
    calibrated_grade = models.CharField(_("calibrated grade"), max_length=8, blank=True)
    calibrated_at = models.DateTimeField(_("calibrated at"), null=True, blank=True)
    calibration_not_held = models.BooleanField(_("calibration not held"), default=False)
    calibration_reason = models.TextField(_("reason for the calibrated grade"), blank=True, default="", db_default="")
    calibrated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("calibrated by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    total_explanation_zh = models.TextField(_("explanation of the total (Chinese)"), blank=True)
    total_explanation_en = models.TextField(_("explanation of the total (English)"), blank=True)
    # publication
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    # deadlines
    overdue_stage = models.CharField(_("overdue stage"), max_length=20, choices=Stage.choices, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["cycle", "department", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee"], name="appraisals_one_per_cycle"),
            models.UniqueConstraint(fields=["employee", "period"], name="appraisals_one_per_period"),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["cycle", "department", "status"]),
            models.Index(fields=["cycle", "grade"]),
            models.Index(fields=["cycle", "job_level"]),
            models.Index(fields=["appraiser", "status"]),
        ]

    def __str__(self):
        return f"{self.employee.name} · {self.period}"

    @property
    def final_grade(self) -> str:
        return self.calibrated_grade or self.grade

    @property
    def total_explanation(self) -> str:
        return self._pick(self.total_explanation_zh, self.total_explanation_en)

    @property
    def is_locked(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_complete(self) -> bool:
        return self.lines_pending == 0

    @property
    def period_label(self) -> str:
        return period_label(self.period)


class Collection(models.TextChoices):
    NONE = "none", _("No actual needed")
    PENDING = "pending", _("Awaiting actual")
    ENTERED = "entered", _("Entered")
    RETURNED = "returned", _("Returned for re-collection")
    MISSING = "missing", _("Not submitted by the deadline")


#: Rule kinds scored by the engine from collected data (the rest, ``direct``, by people).
DATA_KINDS = frozenset({"linear", "bands", "deadline", "milestones"})
AWAITING = frozenset({Collection.PENDING, Collection.RETURNED})


class ScoreSource(models.TextChoices):
    ENGINE = "engine", _("Scoring rule")
    MANAGER = "manager", _("Manager")
    SELF_TAKEN = "self_taken", _("Self-score taken (manager did not score)")
    MISSING = "missing", _("Not submitted")


class ScoreLine(BilingualTextMixin, VersionedModel):
    """One line of an appraisal: a copy of the contract line, its actual and its score with the
    explanation (in both languages, so that every reader sees it in their own)."""

    appraisal = models.ForeignKey(Appraisal, verbose_name=_("appraisal"), on_delete=models.CASCADE,
                                  related_name="lines")
    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="+",
                              db_index=False)
    contract_line = models.ForeignKey("contracts.ContractLine", verbose_name=_("contract line"),
                                      on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("section"), max_length=10, choices=Section.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.ForeignKey("contracts.Indicator", verbose_name=_("indicator"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    title = models.CharField(_("title"), max_length=200, blank=True,
                             help_text=_("Shown instead of the indicator's name; required without an indicator."))
    weight = models.DecimalField(_("weight (%)"), **WEIGHT_DIGITS)
    standard = models.CharField(_("standard"), max_length=300, blank=True)
    target = models.DecimalField(_("target"), null=True, blank=True, **VALUE_DIGITS)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    milestones_total = models.PositiveSmallIntegerField(_("milestones"), null=True, blank=True)
    rule = models.JSONField(_("scoring rule"))
    rule_kind = models.CharField(_("rule kind"), max_length=12)
    data_source = models.ForeignKey("org.Department", verbose_name=_("data source"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", db_index=False)
    # actuals
    collection = models.CharField(_("actual"), max_length=10, choices=Collection.choices, default=Collection.NONE)
    actual = models.DecimalField(_("actual value"), null=True, blank=True, **VALUE_DIGITS)
    done_date = models.DateField(_("completion date"), null=True, blank=True)
    milestones_done = models.PositiveSmallIntegerField(_("milestones done"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", db_index=False)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # self-assessment and manager scoring (direct lines)
    self_score = models.DecimalField(_("self-score"), null=True, blank=True, **SCORE_DIGITS)
    self_comment = models.TextField(_("self-assessment comment"), blank=True)
    manager_score = models.DecimalField(_("manager's score"), null=True, blank=True, **SCORE_DIGITS)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    # the result
    score = models.DecimalField(_("score"), null=True, blank=True, **SCORE_DIGITS)
    attainment = models.DecimalField(_("attainment (%)"), null=True, blank=True, **SCORE_DIGITS)
    explanation_zh = models.TextField(_("explanation (Chinese)"), blank=True)
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    score_source = models.CharField(_("scored by"), max_length=10, choices=ScoreSource.choices, blank=True)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        ordering = ["appraisal", "section", "order", "id"]
        indexes = [
            models.Index(fields=["cycle", "section"]),
            models.Index(fields=["cycle", "indicator"]),
            models.Index(fields=["data_source", "collection"]),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return self.indicator.name if self.indicator_id else ""

    @property
    def explanation(self) -> str:
        return self._pick(self.explanation_zh, self.explanation_en)

    @property
    def needs_data(self) -> bool:
        return self.rule_kind in DATA_KINDS

    @property
    def is_direct(self) -> bool:
        return self.rule_kind == "direct"

    @property
    def display_actual(self) -> str:
        if self.rule_kind == "deadline":
            return self.done_date.isoformat() if self.done_date else ""
        if self.rule_kind == "milestones":
            return f"{self.milestones_done}/{self.milestones_total}" if self.milestones_done is not None else ""
        if self.actual is None:
            return ""
        from apps.contracts.scoring import fmt_number

        return fmt_number(self.actual)

    @property
    def display_target(self) -> str:
        if self.rule_kind == "deadline":
            return self.due_date.isoformat() if self.due_date else ""
        if self.rule_kind == "milestones":
            return str(self.milestones_total or "")
        if self.target is None:
            return ""
        from apps.contracts.scoring import fmt_number

        return fmt_number(self.target)


class UploadStatus(models.TextChoices):
    INVALID = "invalid", _("Has errors, nothing written")
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    APPLIED = "applied", _("Applied")


class ActualsUpload(TimeStampedModel):
    """An Excel/CSV file of actuals: checked row by row first (preview), written only when valid."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = models.BinaryField(_("file content"))
    status = models.CharField(_("status"), max_length=10, choices=UploadStatus.choices)
    summary = models.JSONField(_("summary"), default=dict)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("actuals upload")
        verbose_name_plural = _("actuals uploads")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name


class ResultCorrection(TimeStampedModel):
    """A published appraisal's result corrected after publication (an upheld appeal): the result before
    and after (totals, grade, explanations, the lines changed), who, when, why and the reference of the
    case (e.g. "appeal:12"). Append-only: the published history stays."""

    appraisal = models.ForeignKey(Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                  related_name="corrections")
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("corrected by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("reference"), max_length=60, blank=True,
                                 help_text=_("The case the correction comes from, e.g. appeal:12."))
    before = models.JSONField(_("result before"), default=dict, blank=True)
    after = models.JSONField(_("result after"), default=dict, blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    quota_breaches = models.JSONField(_("hard quotas broken after the correction"), default=list, blank=True)

    class Meta:
        verbose_name = _("result correction")
        verbose_name_plural = _("result corrections")
        ordering = ["appraisal", "created_at", "id"]

    def __str__(self):
        return f"{self.appraisal_id} · {self.reference or self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("Result corrections are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Result corrections are append-only.")
