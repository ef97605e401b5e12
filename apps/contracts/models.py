"""KPI contracts (绩效合约): the indicator library, templates per position or job level, and the
contract between the issuer (发约人, the appraiser) and the recipient (受约人, the appraisee).

A contract covers one appraisee for one review period. An amendment is a new row (``version_no``
+ 1) for the same appraisee and period; older versions stay as they were signed. Exactly one row
per appraisee and period is the ``is_latest`` one (the one being worked on, or in force).
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.periods import period_label, validate_period_code
from apps.org.models import BilingualNameMixin, ReviewFrequency

from .scoring import DEFAULT_RULE

WEIGHT = {"max_digits": 5, "decimal_places": 2,
          "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]}


def default_rule() -> dict:
    return dict(DEFAULT_RULE)


# --- the indicator library -------------------------------------------------------------------------

class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class KpiType(models.TextChoices):
    NUMERIC = "numeric", _("Numeric")
    TIME_BOUND = "time_bound", _("Time-bound")
    MIXED = "mixed", _("Mixed")
    PROJECT = "project", _("Project")


class Dimension(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")
    TIME = "time", _("Time")
    QUALITY = "quality", _("Quality")
    COST = "cost", _("Cost")


class Perspective(models.TextChoices):
    FINANCIAL = "financial", _("Financial")
    CUSTOMER = "customer", _("Customer")
    INTERNAL = "internal_process", _("Internal process")
    LEARNING = "learning_growth", _("Learning and growth")


class IndicatorClass(models.TextChoices):
    KPI = "kpi", _("KPI (key result)")
    CPI = "cpi", _("CPI (basic management)")


class Indicator(BilingualNameMixin, VersionedModel):
    """What is measured (the standard, how well, lives on the contract line)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    definition = models.TextField(_("definition"), blank=True)
    formula = models.TextField(_("formula"), blank=True,
                               help_text=_("How the value is calculated, e.g. actual sales / target sales x 100%."))
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    kpi_type = models.CharField(_("KPI type"), max_length=12, choices=KpiType.choices, default=KpiType.NUMERIC)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices,
                                 default=Dimension.QUANTITY)
    perspective = models.CharField(_("balanced-scorecard perspective"), max_length=20, choices=Perspective.choices,
                                   default=Perspective.FINANCIAL)
    indicator_class = models.CharField(_("KPI or CPI"), max_length=3, choices=IndicatorClass.choices,
                                       default=IndicatorClass.KPI)
    default_data_source = models.ForeignKey(
        "org.Department", verbose_name=_("default data source"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("The department that provides the actual values, e.g. 财务部 (Finance)."))
    default_rule = models.JSONField(_("default scoring rule"), default=default_rule)
    is_active = models.BooleanField(pgettext_lazy("contracts", "active"), default=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


# --- sections and lines shared by templates and contracts ------------------------------------------

class Section(models.TextChoices):
    RESULTS = "results", _("Results (KPI / CPI)")
    BEHAVIOUR = "behaviour", _("Behaviour and attitude")
    PLAN = "plan", _("Monthly work plan")


SECTION_ORDER = [Section.RESULTS, Section.BEHAVIOUR, Section.PLAN]
SECTION_WEIGHT_FIELD = {Section.RESULTS: "results_weight", Section.BEHAVIOUR: "behaviour_weight",
                        Section.PLAN: "plan_weight"}


class SectionWeightsMixin(models.Model):
    results_weight = models.DecimalField(_("results weight (%)"), default=Decimal(70), **WEIGHT)
    behaviour_weight = models.DecimalField(_("behaviour weight (%)"), default=Decimal(30), **WEIGHT)
    plan_weight = models.DecimalField(_("work plan weight (%)"), default=Decimal(0), **WEIGHT)

    class Meta:
        abstract = True

    def section_weight(self, section: str) -> Decimal:
        return getattr(self, SECTION_WEIGHT_FIELD[section])

    @property
    def section_weights(self) -> dict[str, Decimal]:
        return {s.value: self.section_weight(s) for s in SECTION_ORDER}


class LineFieldsMixin(models.Model):
    """What a template line and a contract line have in common."""

    section = models.CharField(_("section"), max_length=10, choices=Section.choices, default=Section.RESULTS)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    title = models.CharField(pgettext_lazy("contracts", "title"), max_length=200, blank=True,
                             help_text=_("Shown instead of the indicator's name; required without an indicator."))
    weight = models.DecimalField(_("weight (%)"), default=Decimal(0), **WEIGHT)
    standard = models.CharField(_("standard"), max_length=300, blank=True,
                                help_text=_("How well / how much, in words, e.g. monthly sales 12 million yuan."))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    milestones_total = models.PositiveSmallIntegerField(_("milestones"), null=True, blank=True)
    rule = models.JSONField(_("scoring rule"), default=default_rule, blank=True)
    data_source = models.ForeignKey("org.Department", verbose_name=_("data source"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return self.indicator.name if self.indicator_id else ""

    @property
    def rule_kind(self) -> str:
        return (self.rule or {}).get("kind", "") if isinstance(self.rule, dict) else ""


# --- templates -------------------------------------------------------------------------------------

class ContractTemplate(BilingualNameMixin, SectionWeightsMixin, VersionedModel):
    """The indicators of a position or a job level, so that positions of one level are consistent."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    job_level = models.ForeignKey("org.JobLevel", verbose_name=_("job level"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="contract_templates")
    position = models.ForeignKey("org.Position", verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="contract_templates")
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(pgettext_lazy("contracts", "active"), default=True)

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(job_level__isnull=False) | Q(position__isnull=False),
                                   name="contracts_template_level_or_position"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def applies_to(self) -> str:
        if self.position_id:
            return str(self.position.name)
        return str(self.job_level.name) if self.job_level_id else ""


class TemplateLine(LineFieldsMixin):
    template = models.ForeignKey(ContractTemplate, verbose_name=_("template"), on_delete=models.CASCADE,
                                 related_name="lines")

    class Meta:
        verbose_name = _("template line")
        verbose_name_plural = _("template lines")
        ordering = ["template", "section", "order", "id"]

    def __str__(self):
        return self.display_title


# --- contracts -------------------------------------------------------------------------------------

class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    RETURNED = "returned", _("Returned")
    AGREED = "agreed", _("Agreed (signed)")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


class Method(models.TextChoices):
    TOP_DOWN = "top_down", _("Top-down (the manager drafts)")
    BOTTOM_UP = "bottom_up", _("Bottom-up (the employee proposes)")
    NEGOTIATED = "negotiated", _("Negotiated")


#: The workflow as data: action -> (states it may start from, state it leads to). Checked in
#: ``services._move`` only. Signing is not a move of its own: the second signature is "agree".
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "propose": (frozenset({Status.DRAFT, Status.RETURNED}), Status.PROPOSED),
    "withdraw": (frozenset({Status.PROPOSED}), Status.DRAFT),
    "return": (frozenset({Status.PROPOSED}), Status.RETURNED),
    "agree": (frozenset({Status.PROPOSED}), Status.AGREED),
    "supersede": (frozenset({Status.AGREED}), Status.SUPERSEDED),
}
EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class Contract(SectionWeightsMixin, VersionedModel):
    employee = models.ForeignKey("org.Employee", verbose_name=_("appraisee (受约人)"), on_delete=models.PROTECT,
                                 related_name="kpi_contracts")
    appraiser = models.ForeignKey("org.Employee", verbose_name=_("appraiser (发约人)"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="issued_kpi_contracts")
    appraiser_assigned_by_hr = models.BooleanField(
        _("appraiser assigned by HR"), default=False,
        help_text=_("HR named this appraiser explicitly, outside the management chain."))
    period = models.CharField(_("review period"), max_length=7, validators=[validate_period_code], db_index=True)
    frequency = models.CharField(_("review frequency"), max_length=12, choices=ReviewFrequency.choices)
    job_level = models.ForeignKey("org.JobLevel", verbose_name=_("job level"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey("org.Position", verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(ContractTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="contracts")
    method = models.CharField(_("how it was made"), max_length=12, choices=Method.choices, default=Method.TOP_DOWN)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    version_no = models.PositiveSmallIntegerField(_("contract version"), default=1)
    is_latest = models.BooleanField(_("latest version"), default=True)
    previous = models.OneToOneField("self", verbose_name=_("amends"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="amendment")
    amendment_reason = models.TextField(_("reason for the amendment"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    content_hash = models.CharField(_("hash of the signed content (SHA-256)"), max_length=64, blank=True)
    signed_content = models.JSONField(_("signed content"), null=True, blank=True)
    lint_warnings = models.JSONField(_("warnings recorded at signing"), default=list, blank=True)
    work_plan = models.ForeignKey("plans.MonthlyPlan", verbose_name=_("monthly work plan"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("KPI contract")
        verbose_name_plural = _("KPI contracts")
        ordering = ["-period", "employee__employee_no", "-version_no"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "period", "version_no"], name="contracts_one_row_per_version"),
            models.UniqueConstraint(fields=["employee", "period"], condition=Q(is_latest=True),
                                    name="contracts_one_latest_per_period"),
        ]
        indexes = [models.Index(fields=["status", "is_latest"]), models.Index(fields=["appraiser", "status"])]

    def __str__(self):
        return f"{self.employee.name} · {self.period} · v{self.version_no}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_locked(self) -> bool:
        return self.status in (Status.AGREED, Status.SUPERSEDED)


class ContractLine(LineFieldsMixin):
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="lines")
    goal = models.ForeignKey("plans.Goal", verbose_name=_("goal of the cascade"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="contract_lines",
                             help_text=_("The goal this line serves (company, department, position or personal)."))
    plan_item = models.ForeignKey("plans.PlanItem", verbose_name=_("work plan item"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        ordering = ["contract", "section", "order", "id"]

    def __str__(self):
        return self.display_title


class Party(models.TextChoices):
    APPRAISEE = "appraisee", _("Appraisee (受约人)")
    APPRAISER = "appraiser", _("Appraiser (发约人)")


class ContractSignature(TimeStampedModel):
    """One party's signature: who, when, and the SHA-256 of the canonical content they signed."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="signatures")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                             related_name="+")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "party"], name="contracts_one_signature_per_party")]

    def __str__(self):
        return f"{self.get_party_display()} · {self.signed_at:%Y-%m-%d %H:%M}"


class ChangeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ContractChange(TimeStampedModel):
    """Changes the appraisee proposes to a contract put to them (negotiation, bottom-up)."""

    CHANGEABLE_FIELDS = ("target", "standard", "weight", "notes", "due_date", "milestones_total")

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="changes")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    changes = models.JSONField(_("changes"), default=list,
                               help_text=_("A list of {line, field, old, new}."))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.contract_id} · {self.get_status_display()}"
