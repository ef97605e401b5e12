"""Read models of the dashboards: summary tables written by the roll-ups, read by every page and API.

Nothing here is edited by people. A roll-up replaces all rows of one cycle (or one goal year) in
one transaction, so a reader sees either the previous complete set or the new one, never a mix.

- :class:`DepartmentCycleSummary`: per cycle, one row per department over its whole subtree (the
  department and every department below it), plus one company row (``department`` NULL) over
  every appraisal of the cycle. Grade counts use the calibrated grade when there is one, else the
  grade: calibration shows each department's distribution against the quotas from these rows.
- :class:`TeamCycleSummary`: per cycle, one row per appraiser over the appraisals they score
  (their team in that cycle).
- :class:`GoalAttainmentSummary`: per goal year and department subtree (or the company): how far the
  goals of the cascade have come, in total and per balanced-scorecard perspective.
- :class:`RollupState`: what each roll-up last saw (a fingerprint of its source rows), so the
  beat task rolls up only what changed (debounce) and a retry knows there is nothing to do.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import SCORE_DIGITS

#: Width of a histogram bucket in score points, and the last bucket (everything from 150 up).
BUCKET_WIDTH = 5
LAST_BUCKET = 30
STATUS_FIELDS = {  # appraisal status -> the count column
    "collecting": "n_collecting", "verified": "n_verified", "self_assessed": "n_self_assessed",
    "scored": "n_scored", "calibrated": "n_calibrated", "published": "n_published",
}


class SummaryStats(models.Model):
    """The statistics every summary row carries (one scope: a department subtree, the company, a team)."""

    headcount = models.PositiveIntegerField(_("appraisals"), default=0)
    direct_headcount = models.PositiveIntegerField(
        _("appraisals directly here"), default=0,
        help_text=_("Appraisals of people in this department itself (not below it) or directly in this team."))
    n_collecting = models.PositiveIntegerField(_("collecting actuals"), default=0)
    n_verified = models.PositiveIntegerField(_("verified"), default=0)
    n_self_assessed = models.PositiveIntegerField(_("self-assessed"), default=0)
    n_scored = models.PositiveIntegerField(_("scored"), default=0)
    n_calibrated = models.PositiveIntegerField(_("calibrated"), default=0)
    n_published = models.PositiveIntegerField(_("published"), default=0)
    actuals_complete = models.PositiveIntegerField(_("actuals complete"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    scored = models.PositiveIntegerField(_("with a total score"), default=0)
    score_sum = models.DecimalField(_("sum of total scores"), max_digits=16, decimal_places=2, default=0)
    mean_score = models.DecimalField(_("mean score"), null=True, blank=True, **SCORE_DIGITS)
    median_score = models.DecimalField(_("median score"), null=True, blank=True, **SCORE_DIGITS)
    min_score = models.DecimalField(_("lowest score"), null=True, blank=True, **SCORE_DIGITS)
    max_score = models.DecimalField(_("highest score"), null=True, blank=True, **SCORE_DIGITS)
    grade_counts = models.JSONField(_("people per grade"), default=dict,
                                    help_text=_("{grade: count}; the calibrated grade when set, else the grade."))
    histogram = models.JSONField(_("score histogram"), default=dict,
                                 help_text=_("{bucket: count}; bucket n holds scores from 5n to under 5(n+1)."))
    rolled_up_at = models.DateTimeField(_("rolled up at"))

    class Meta:
        abstract = True

    @property
    def status_counts(self) -> dict[str, int]:
        return {status: getattr(self, field) for status, field in STATUS_FIELDS.items()}


class DepartmentCycleSummary(SummaryStats):
    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                              related_name="+")
    # the cycle's period and frequency, copied for the trend (one index range, no join)
    period = models.CharField(_("review period"), max_length=7)
    frequency = models.CharField(_("review frequency"), max_length=12)
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+",
                                   help_text=_("Empty on the company row."))
    # the department's place in the tree at roll-up time, copied for the drill-down
    parent = models.ForeignKey("org.Department", verbose_name=_("parent department"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", db_constraint=False)
    path = models.CharField(_("tree path"), max_length=600, blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    ranking = models.JSONField(
        _("top and bottom departments below"), default=list, blank=True,
        help_text=_("[department id, mean score, scored, rank from the top, rank from the bottom] of the 5 best "
                    "and the 5 worst lowest-level departments below (all of them on the company row) with at "
                    "least 5 scores."))

    class Meta:
        verbose_name = _("department summary")
        verbose_name_plural = _("department summaries")
        ordering = ["cycle", "path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], condition=Q(department__isnull=False),
                                    name="dashboards_dept_summary_once"),
            models.UniqueConstraint(fields=["cycle"], condition=Q(department__isnull=True),
                                    name="dashboards_company_summary_once"),
        ]
        indexes = [
            models.Index(fields=["cycle", "parent"], name="dashboards_dsum_parent"),
            models.Index(fields=["department", "frequency", "period"], name="dashboards_dsum_trend"),
        ]

    def __str__(self):
        return f"{self.period} · {self.department_id or 'company'}"


class TeamCycleSummary(SummaryStats):
    """The appraisals one appraiser scores in a cycle (``direct_headcount`` equals ``headcount``)."""

    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                              related_name="+")
    period = models.CharField(_("review period"), max_length=7)
    frequency = models.CharField(_("review frequency"), max_length=12)
    manager = models.ForeignKey("org.Employee", verbose_name=_("appraiser"), on_delete=models.CASCADE,
                                related_name="+")

    class Meta:
        verbose_name = _("team summary")
        verbose_name_plural = _("team summaries")
        ordering = ["cycle", "manager"]
        constraints = [models.UniqueConstraint(fields=["cycle", "manager"], name="dashboards_team_summary_once")]
        indexes = [models.Index(fields=["manager", "frequency", "period"], name="dashboards_tsum_trend")]

    def __str__(self):
        return f"{self.period} · team of {self.manager_id}"


class GoalAttainmentSummary(models.Model):
    """Goals of one year's cascade owned in a department's subtree (or the company's): how far they have
    come, in total and per balanced-scorecard perspective.

    The perspective of a goal is its theme's, else the theme of the top goal it serves ("" when neither
    has one). On track: progress at least 90% of what the share of its period elapsed by the roll-up day
    asks for (goals whose period has not started count as on track)."""

    year = models.PositiveSmallIntegerField(_("year"))
    department = models.ForeignKey("org.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("org.Department", verbose_name=_("parent department"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+", db_constraint=False)
    path = models.CharField(_("tree path"), max_length=600, blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    goals = models.PositiveIntegerField(_("goals"), default=0)
    progress_sum = models.DecimalField(_("sum of progress"), max_digits=14, decimal_places=2, default=0)
    mean_progress = models.DecimalField(_("mean progress (%)"), null=True, blank=True, **SCORE_DIGITS)
    expected_sum = models.DecimalField(_("sum of expected progress"), max_digits=14, decimal_places=2, default=0)
    achieved = models.PositiveIntegerField(_("achieved"), default=0,
                                           help_text=_("Goals whose progress reached 100 percent or more."))
    on_track = models.PositiveIntegerField(_("on track"), default=0)
    perspectives = models.JSONField(
        _("per perspective"), default=dict, blank=True,
        help_text=_("{perspective: [goals, sum of progress, sum of expected progress, achieved, on track]}."))
    rolled_up_at = models.DateTimeField(_("rolled up at"))

    class Meta:
        verbose_name = _("goal attainment summary")
        verbose_name_plural = _("goal attainment summaries")
        ordering = ["year", "path"]
        constraints = [
            models.UniqueConstraint(fields=["year", "department"], condition=Q(department__isnull=False),
                                    name="dashboards_goal_summary_once"),
            models.UniqueConstraint(fields=["year"], condition=Q(department__isnull=True),
                                    name="dashboards_goal_company_once"),
        ]

    def __str__(self):
        return f"{self.year} · {self.department_id or 'company'}"


class RollupState(models.Model):
    """One roll-up target ("cycle:<id>" or "goals:<year>"): the fingerprint of the source rows it last
    summarised and when, and whether a roll-up has been queued and not run yet (debounce)."""

    key = models.CharField(_("roll-up"), max_length=40, unique=True)
    fingerprint = models.CharField(_("fingerprint of the source rows"), max_length=300, blank=True)
    rolled_up_at = models.DateTimeField(_("rolled up at"), null=True, blank=True)
    requested_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    seconds = models.FloatField(_("seconds taken"), default=0)
    rows = models.PositiveIntegerField(_("rows written"), default=0)

    class Meta:
        verbose_name = _("roll-up state")
        verbose_name_plural = _("roll-up states")
        ordering = ["key"]

    def __str__(self):
        return self.key
