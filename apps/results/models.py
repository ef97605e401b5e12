"""Using the results, the talent side (考核结果运用, seed section 11): ability assessment against
competency models, the nine-box talent review (九格图: performance x ability) and the development
actions that follow.

Confidential (ARCHITECTURE.md, "Who sees what"): HR all; executives within their reporting chain;
managers their own team; employees only their own released actions (:mod:`apps.results.access`).

The cells of the grid (performance level, ability level) and the default categories, from the seed's
deck with the two cells it leaves open filled the same way (:data:`DEFAULT_CATEGORIES`)::

                   ability low          ability medium        ability high
    perf high   performance contributor  backbone (中坚力量)    key people (关键员工)
    perf medium solid performer (表现尚可者) satisfactory (表现满意者) rising talent (高潜力者)
    perf low    failure (失败者)         potential (有潜力者)     able but under-performing (能力强绩效差者)

Levels from values, with HR's two cut-offs per axis: value < medium_from -> low;
medium_from <= value < high_from -> medium; value >= high_from -> high (the lower bound of a band is
inclusive). ``medium_from < high_from`` is required, so the bands never leave gaps or overlap.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, VersionedModel

SCALE_MIN, SCALE_MAX = 1, 5
RATING_DIGITS = {"max_digits": 4, "decimal_places": 2}
SCORE_DIGITS = {"max_digits": 9, "decimal_places": 2}


def pick(zh: str, en: str) -> str:
    if (get_language() or "zh-hans").lower().startswith("en"):
        return en or zh
    return zh or en


class Bilingual(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class Family(models.TextChoices):
    STAFF = "staff", _("Staff")
    SPECIALIST = "specialist", _("Specialist")
    MANAGER = "manager", _("Manager")
    EXECUTIVE = "executive", _("Executive")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


LEVELS = [Level.LOW, Level.MEDIUM, Level.HIGH]


def level_for(value, medium_from, high_from) -> str:
    """The band of ``value`` (see the module docstring); None when there is no value."""
    if value is None:
        return ""
    value = Decimal(value)
    if value >= Decimal(high_from):
        return Level.HIGH
    if value >= Decimal(medium_from):
        return Level.MEDIUM
    return Level.LOW


class CompetencyModel(Bilingual, VersionedModel):
    """HR's competency model for one job-level family: a few competencies on a 1-5 scale."""

    family = models.CharField(_("job-level family"), max_length=12, choices=Family.choices, unique=True)
    job_levels = models.ManyToManyField("org.JobLevel", verbose_name=_("job levels"), related_name="+", blank=True,
                                        help_text=_("The job levels whose holders are rated against this model."))

    class Meta:
        verbose_name = _("competency model")
        verbose_name_plural = _("competency models")
        ordering = ["family"]


class Competency(Bilingual, VersionedModel):
    model = models.ForeignKey(CompetencyModel, verbose_name=_("competency model"), on_delete=models.CASCADE,
                              related_name="competencies")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # five behavioural anchors, level 1 to 5: [{"zh": ..., "en": ...}, ...]
    anchors = models.JSONField(_("behavioural anchors (levels 1-5)"), default=list)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["model", "order", "pk"]

    def anchor(self, level: int) -> str:
        try:
            a = self.anchors[int(level) - 1]
        except (IndexError, TypeError, ValueError):
            return ""
        return pick(a.get("zh", ""), a.get("en", ""))


class PerformanceBasis(models.TextChoices):
    GRADE = "grade", _("The published grade")
    TOTAL = "total", _("The published total score")


class AbilitySource(models.TextChoices):
    RATINGS = "ratings", _("The managers' ability ratings")
    BEHAVIOUR = "behaviour", _("The behaviour section (效) of the published appraisal")


DEFAULT_GRADE_LEVELS = {"S": Level.HIGH, "A": Level.HIGH, "B": Level.MEDIUM, "C": Level.LOW, "D": Level.LOW}


class TalentReview(VersionedModel):
    """The talent review of one published appraisal cycle, with HR's cut-offs."""

    cycle = models.OneToOneField("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                                 related_name="+")
    performance_basis = models.CharField(_("performance axis from"), max_length=8, choices=PerformanceBasis.choices,
                                         default=PerformanceBasis.GRADE)
    grade_levels = models.JSONField(_("level of each grade"), default=dict, blank=True)
    performance_medium_from = models.DecimalField(_("performance: medium from (total)"), default=Decimal(90),
                                                  **SCORE_DIGITS)
    performance_high_from = models.DecimalField(_("performance: high from (total)"), default=Decimal(105),
                                                **SCORE_DIGITS)
    ability_source = models.CharField(_("ability axis from"), max_length=10, choices=AbilitySource.choices,
                                      default=AbilitySource.RATINGS)
    ability_medium_from = models.DecimalField(_("ability: medium from (average rating)"), default=Decimal("2.5"),
                                              **RATING_DIGITS)
    ability_high_from = models.DecimalField(_("ability: high from (average rating)"), default=Decimal("3.75"),
                                            **RATING_DIGITS)
    behaviour_medium_from = models.DecimalField(_("ability: medium from (behaviour score)"), default=Decimal(80),
                                                **SCORE_DIGITS)
    behaviour_high_from = models.DecimalField(_("ability: high from (behaviour score)"), default=Decimal(95),
                                              **SCORE_DIGITS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("talent review")
        verbose_name_plural = _("talent reviews")
        ordering = ["-cycle__period", "-pk"]

    def __str__(self):
        return str(self.cycle)

    def performance_level(self, *, grade: str, total) -> str:
        if self.performance_basis == PerformanceBasis.GRADE:
            levels = self.grade_levels or DEFAULT_GRADE_LEVELS
            return levels.get(grade or "", "")
        return level_for(total, self.performance_medium_from, self.performance_high_from)

    def ability_level(self, value) -> str:
        if self.ability_source == AbilitySource.BEHAVIOUR:
            return level_for(value, self.behaviour_medium_from, self.behaviour_high_from)
        return level_for(value, self.ability_medium_from, self.ability_high_from)


class ActionKind(models.TextChoices):
    TRAINING = "training", _("Training need")
    DEVELOPMENT = "development", _("Development plan")
    PROMOTION = "promotion", _("Promotion nomination")
    PIP = "pip", _("Performance improvement plan")
    EXIT = "exit", _("Exit review")


# what the employee may see once HR releases it; nominations and exit reviews never
RELEASABLE = frozenset({ActionKind.TRAINING, ActionKind.DEVELOPMENT, ActionKind.PIP})
# approved by the general manager (an executive) rather than HR
NEEDS_EXECUTIVE = frozenset({ActionKind.PROMOTION, ActionKind.EXIT})

# (performance, ability) -> name zh, name en, action zh, action en, proposed action kinds
DEFAULT_CATEGORIES = {
    ("low", "low"): ("失败者", "Failure", "淘汰出局", "Eliminate (exit review)", [ActionKind.EXIT]),
    ("low", "medium"): ("有潜力者", "Has potential", "进一步挖掘潜力，制定绩效提升计划",
                        "Develop the potential further with a performance improvement plan",
                        [ActionKind.PIP, ActionKind.TRAINING]),
    ("low", "high"): ("能力强绩效差者", "Able but under-performing", "给予警告，提供有针对性的绩效改进措施",
                      "Give a warning and targeted improvement measures", [ActionKind.PIP]),
    ("medium", "low"): ("表现尚可者", "Acceptable performer", "保留原位", "Keep in post",
                        [ActionKind.TRAINING]),
    ("medium", "medium"): ("表现满意者", "Satisfactory performer", "考虑发展", "Consider development",
                           [ActionKind.DEVELOPMENT]),
    ("medium", "high"): ("高潜力者", "Rising talent", "给予挑战性任务，制定发展计划",
                         "Stretch assignments and a development plan", [ActionKind.DEVELOPMENT]),
    ("high", "low"): ("绩效贡献者", "Performance contributor", "肯定业绩，补强能力，保留原位",
                      "Recognise the results, strengthen ability, keep in post", [ActionKind.TRAINING]),
    ("high", "medium"): ("中坚力量", "Backbone", "进一步提升能力，考虑发展", "Raise ability further, consider development",
                         [ActionKind.DEVELOPMENT, ActionKind.TRAINING]),
    ("high", "high"): ("关键员工", "Key people", "规划多种快速发展步骤，确保薪酬有足够的吸引力",
                       "Several fast development steps; make sure the pay is attractive enough",
                       [ActionKind.PROMOTION, ActionKind.DEVELOPMENT]),
}


class Category(Bilingual, VersionedModel):
    """One cell of the nine-box with its name and recommended action (HR may edit them)."""

    performance = models.CharField(_("performance"), max_length=6, choices=Level.choices)
    ability = models.CharField(_("ability"), max_length=6, choices=Level.choices)
    action_zh = models.CharField(_("recommended action (Chinese)"), max_length=300)
    action_en = models.CharField(_("recommended action (English)"), max_length=300, blank=True)
    proposed_kinds = models.JSONField(_("actions proposed"), default=list, blank=True)

    class Meta:
        verbose_name = _("nine-box category")
        verbose_name_plural = _("nine-box categories")
        ordering = ["-performance", "ability"]
        constraints = [models.UniqueConstraint(fields=["performance", "ability"], name="results_one_category_per_cell")]

    @property
    def action(self) -> str:
        return pick(self.action_zh, self.action_en)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Assessment(VersionedModel):
    """One employee's ability assessment in a talent review: the manager's ratings, adjusted by HR."""

    review = models.ForeignKey(TalentReview, verbose_name=_("talent review"), on_delete=models.CASCADE,
                               related_name="assessments")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    model = models.ForeignKey(CompetencyModel, verbose_name=_("competency model"), on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.DRAFT)
    average = models.DecimalField(_("average rating"), null=True, blank=True, **RATING_DIGITS)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("rated by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("adjusted by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    adjusted_at = models.DateTimeField(_("adjusted at"), null=True, blank=True)
    adjust_reason = models.TextField(_("reason for HR's adjustment"), blank=True)

    class Meta:
        verbose_name = _("ability assessment")
        verbose_name_plural = _("ability assessments")
        constraints = [models.UniqueConstraint(fields=["review", "employee"], name="results_one_assessment")]

    def __str__(self):
        return f"{self.employee_id} · {self.review_id}"


class Rating(TimeStampedModel):
    assessment = models.ForeignKey(Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE,
                                   related_name="ratings")
    competency = models.ForeignKey(Competency, verbose_name=_("competency"), on_delete=models.PROTECT,
                                   related_name="+")
    score = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["competency__order", "competency_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "competency"], name="results_one_rating"),
            models.CheckConstraint(condition=models.Q(score__gte=SCALE_MIN, score__lte=SCALE_MAX),
                                   name="results_rating_on_scale"),
        ]


class Placement(VersionedModel):
    """Where one person sits in the grid of a review: computed from the published result and the
    assessment; HR may override the cell with a reason (kept apart from the computed one)."""

    review = models.ForeignKey(TalentReview, verbose_name=_("talent review"), on_delete=models.CASCADE,
                               related_name="placements")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    appraisal = models.ForeignKey("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                  related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    job_level = models.ForeignKey("org.JobLevel", verbose_name=_("job level"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("grade"), max_length=8, blank=True)
    total_score = models.DecimalField(_("total score"), null=True, blank=True, **SCORE_DIGITS)
    ability_value = models.DecimalField(_("ability value"), null=True, blank=True, **SCORE_DIGITS)
    performance = models.CharField(_("performance (computed)"), max_length=6, choices=Level.choices, blank=True)
    ability = models.CharField(_("ability (computed)"), max_length=6, choices=Level.choices, blank=True)
    override_performance = models.CharField(_("performance (override)"), max_length=6, choices=Level.choices,
                                            blank=True)
    override_ability = models.CharField(_("ability (override)"), max_length=6, choices=Level.choices, blank=True)
    override_reason = models.TextField(_("reason for the override"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("overridden by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    overridden_at = models.DateTimeField(_("overridden at"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["employee__employee_no"]
        constraints = [models.UniqueConstraint(fields=["review", "employee"], name="results_one_placement")]
        indexes = [models.Index(fields=["review", "department"])]

    def __str__(self):
        return f"{self.employee_id} · {self.review_id}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_performance)

    @property
    def cell_label(self) -> str:
        """The cell shown, in words ("performance high · ability medium"), empty when not placed."""
        perf, ab = self.cell
        if not (perf and ab):
            return ""
        return _("performance %(p)s · ability %(a)s") % {"p": Level(perf).label, "a": Level(ab).label}

    @property
    def cell(self) -> tuple[str, str]:
        """The cell shown: the override when there is one, else the computed cell ("" when incomplete)."""
        if self.override_performance:
            return self.override_performance, self.override_ability
        return self.performance, self.ability


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("talent action", "Proposed")
    CONFIRMED = "confirmed", pgettext_lazy("talent action", "Confirmed")
    APPROVED = "approved", pgettext_lazy("talent action", "Approved")
    RELEASED = "released", pgettext_lazy("talent action", "Released to the employee")
    DONE = "done", pgettext_lazy("talent action", "Done")
    DROPPED = "dropped", pgettext_lazy("talent action", "Dropped")


# move -> (allowed sources, target)
ACTION_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "confirm": (frozenset({ActionStatus.PROPOSED}), ActionStatus.CONFIRMED),
    "approve": (frozenset({ActionStatus.CONFIRMED}), ActionStatus.APPROVED),
    "release": (frozenset({ActionStatus.APPROVED}), ActionStatus.RELEASED),
    "complete": (frozenset({ActionStatus.APPROVED, ActionStatus.RELEASED}), ActionStatus.DONE),
    "drop": (frozenset({ActionStatus.PROPOSED, ActionStatus.CONFIRMED}), ActionStatus.DROPPED),
}
EDITABLE = frozenset({ActionStatus.PROPOSED, ActionStatus.CONFIRMED})
OPEN = frozenset({ActionStatus.PROPOSED, ActionStatus.CONFIRMED, ActionStatus.APPROVED, ActionStatus.RELEASED})


class TalentAction(VersionedModel):
    """A development action that follows a placement: proposed by the system from the cell and the
    grade, confirmed (edited) or dropped by the manager or HR, approved by HR (promotions and exit
    reviews by the general manager), released to the employee by HR (never nominations and exits)."""

    placement = models.ForeignKey(Placement, verbose_name=_("placement"), on_delete=models.CASCADE,
                                  related_name="actions")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices,
                              default=ActionStatus.PROPOSED)
    title = models.CharField(_("what is to be done"), max_length=200)
    details = models.TextField(_("details (goals, support, steps)"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminded on"), null=True, blank=True)
    contract = models.ForeignKey("contracts.Contract", verbose_name=_("offered to the contract"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("talent action")
        verbose_name_plural = _("talent actions")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["employee", "status"])]

    def __str__(self):
        return self.title
