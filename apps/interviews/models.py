"""Feedback interviews (绩效面谈, seed section 10): due after an appraisal is published, prepared by both
sides, recorded by the manager, signed by the employee, then locked (later additions are dated addenda).

The record feeds the next period: improvement and development actions are tracked items with progress
and confirmation; revisions for the next period's plan go into the next KPI contract draft once the
manager accepts them. New hires get a "discuss your position goals" talk with the manager.

Confidential: open only to the employee, the manager of record (the appraiser who scored the appraisal,
or the manager HR named when that person left) and HR. The manager's private preparation notes are the
manager's alone (HR does not see them either).

The workflow of an interview (allowed moves are data, :data:`TRANSITIONS`, checked in ``services._move``)::

    due -> scheduled -> submitted -> signed (locked)
            ^    |          |
            +----+ (reschedule keeps the history; the record may be edited until signed)
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.periods import period_label

DEFAULT_WINDOW_DAYS = 10
DEFAULT_REMIND_DAYS = 2
NEW_HIRE_DAYS = 90  # as the plans app's "new hire" (apps.plans.selectors.is_new_hire)
ACTION_REMIND_DAYS = (7, 1)  # days before an action's due date when its owner is reminded


class OverduePolicy(models.TextChoices):
    REMIND = "remind", _("Remind the manager only")
    ESCALATE = "escalate", _("Remind, and escalate to HR")


class CycleInterviewPolicy(VersionedModel):
    """HR's rule for the interviews of one appraisal cycle: held within N working days of publication,
    and what happens when that passes. Without a row the defaults apply (10 working days, escalate)."""

    cycle = models.OneToOneField("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                                 related_name="+")
    window_days = models.PositiveSmallIntegerField(
        _("held within (working days after publication)"), default=DEFAULT_WINDOW_DAYS)
    policy = models.CharField(_("when the window passes"), max_length=10, choices=OverduePolicy.choices,
                              default=OverduePolicy.ESCALATE)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=DEFAULT_REMIND_DAYS)

    class Meta:
        verbose_name = _("interview policy of a cycle")
        verbose_name_plural = _("interview policies of cycles")

    def __str__(self):
        return f"{self.cycle_id}: {self.window_days}"


class Holiday(TimeStampedModel):
    """A day off that does not count as a working day (Monday to Friday count otherwise)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class Status(models.TextChoices):
    DUE = "due", _("To schedule")
    SCHEDULED = "scheduled", _("Scheduled")
    SUBMITTED = "submitted", _("Record awaiting signature")
    SIGNED = "signed", _("Signed")


#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "schedule": (frozenset({Status.DUE, Status.SCHEDULED}), Status.SCHEDULED),
    "submit": (frozenset({Status.SCHEDULED}), Status.SUBMITTED),
    "sign": (frozenset({Status.SUBMITTED}), Status.SIGNED),
}
OPEN_STATUSES = (Status.DUE, Status.SCHEDULED)  # not held yet: counts for "overdue"
RECORD_EDITABLE = frozenset({Status.SCHEDULED, Status.SUBMITTED})


class Agreement(models.TextChoices):
    AGREE = "agree", _("Agrees with the result")
    PARTLY = "partly", _("Partly agrees")
    DISAGREE = "disagree", _("Disagrees")


class GapCause(models.TextChoices):
    ABILITY = "ability", _("Ability")
    ATTITUDE = "attitude", _("Attitude")
    RESOURCES = "resources", _("Resources")
    UNCLEAR_GOAL = "unclear_goal", _("Unclear goal")
    MANAGER_SUPPORT = "manager_support", _("Support from the manager")
    OUTSIDE = "outside", _("Outside factors")


#: The seed's ten interview rules (面谈十原则), the manager's checklist.
INTERVIEW_RULES = [
    ("trust", _("Build trust")),
    ("purpose", _("Explain the purpose of the interview")),
    ("equal", _("Talk on an equal footing")),
    ("two_way", _("Make it two-way: listen more than you talk")),
    ("encourage", _("Encourage the employee")),
    ("facts", _("Talk about facts and behaviour, not personality")),
    ("mistakes", _("Admit your own mistakes")),
    ("future", _("Focus on the future")),
    ("no_conflict", _("Avoid confrontation")),
    ("no_salary", _("Do not mix it with salary")),
]


class Interview(VersionedModel):
    """One feedback interview on one published appraisal (at most one per appraisal)."""

    appraisal = models.OneToOneField("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                     related_name="+")
    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="+")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    manager = models.ForeignKey("org.Employee", verbose_name=_("manager of record"), on_delete=models.PROTECT,
                                related_name="+",
                                help_text=_("The appraiser who scored the appraisal, or the manager HR named."))
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    period = models.CharField(pgettext_lazy("appraisal", "review period"), max_length=7)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DUE)
    published_on = models.DateField(_("appraisal published on"))
    due_date = models.DateField(_("to be held by"))
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to HR at"), null=True, blank=True)
    # the meeting
    scheduled_at = models.DateTimeField(_("date and time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    # the record (written by the manager during or right after the meeting)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    agreement = models.CharField(_("agreement on the result"), max_length=10, choices=Agreement.choices, blank=True)
    agreement_comment = models.TextField(_("comments on the result"), blank=True)
    progress_strengths = models.TextField(_("progress and strengths"), blank=True)
    gaps = models.TextField(_("gaps"), blank=True)
    gap_causes = models.JSONField(_("causes of the gaps"), default=list, blank=True)
    upward_feedback = models.TextField(_("what the manager should do differently"), blank=True)
    training_needs = models.TextField(_("training needs"), blank=True)
    career_wishes = models.TextField(_("career wishes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted (signed by the manager) at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # the employee's signature
    signed_at = models.DateTimeField(_("signed by the employee at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    disagreement = models.BooleanField(_("signed with disagreement"), default=False)
    disagreement_note = models.TextField(_("disagreement noted by the employee"), blank=True)

    class Meta:
        verbose_name = _("feedback interview")
        verbose_name_plural = _("feedback interviews")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["manager", "status"]),
            models.Index(fields=["employee", "status"]),
            models.Index(fields=["cycle", "department", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self):
        return f"{self.employee.name} · {self.period}"

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def is_locked(self) -> bool:
        return self.status == Status.SIGNED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def manager_signed_at(self):
        return self.submitted_at

    @property
    def gap_cause_labels(self) -> list[str]:
        labels = dict(GapCause.choices)
        return [str(labels[c]) for c in (self.gap_causes or []) if c in labels]


class ScheduleEntry(models.Model):
    """One scheduling of the meeting (the first and every reschedule): the history is kept."""

    interview = models.ForeignKey(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                  related_name="schedule_history")
    scheduled_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    reason = models.TextField(_("reason for rescheduling"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduling")
        verbose_name_plural = _("scheduling history")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.interview_id} · {self.scheduled_at:%Y-%m-%d %H:%M}"


class ManagerPrep(VersionedModel):
    """The manager's preparation: the ten rules as a checklist and private notes (the manager's alone)."""

    interview = models.OneToOneField(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                     related_name="manager_prep")
    checklist = models.JSONField(_("rules checked"), default=list, blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)

    class Meta:
        verbose_name = _("manager's preparation")
        verbose_name_plural = _("managers' preparations")

    def __str__(self):
        return str(self.interview_id)


class View(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")


class EmployeePrep(VersionedModel):
    """The employee's preparation, shared with the manager when the employee is ready."""

    interview = models.OneToOneField(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                     related_name="employee_prep")
    line_views = models.JSONField(_("views on the lines"), default=list, blank=True,
                                  help_text=_("A list of {line, view (agree/disagree), because}."))
    strengths = models.TextField(_("my strengths"), blank=True)
    gaps = models.TextField(_("my gaps"), blank=True)
    development_plan = models.TextField(_("draft personal development plan"), blank=True)
    improvement_plan = models.TextField(_("draft improvement plan"), blank=True)
    next_plan_proposals = models.JSONField(_("proposals for the next period's plan"), default=list, blank=True,
                                           help_text=_("A list of {indicator, target, note}."))
    manager_feedback = models.TextField(_("feedback for the manager"), blank=True)
    shared_at = models.DateTimeField(_("shared with the manager at"), null=True, blank=True)

    class Meta:
        verbose_name = _("employee's preparation")
        verbose_name_plural = _("employees' preparations")

    def __str__(self):
        return str(self.interview_id)


class ActionKind(models.TextChoices):
    IMPROVEMENT = "improvement", _("Improvement")
    DEVELOPMENT = "development", _("Development")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Completed (confirmed)")


class Action(VersionedModel):
    """An improvement or development action agreed in the interview, tracked through the next period."""

    interview = models.ForeignKey(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                  related_name="actions")
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices, default=ActionKind.IMPROVEMENT)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    what = models.CharField(_("what"), max_length=300)
    success_measure = models.CharField(_("success measure"), max_length=300, blank=True)
    owner = models.ForeignKey("org.Employee", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    support_needed = models.CharField(_("support needed"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=6, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_note = models.TextField(_("progress note"), blank=True)
    progress_updated_at = models.DateTimeField(_("progress updated at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("completion confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("improvement or development action")
        verbose_name_plural = _("improvement and development actions")
        ordering = ["interview", "kind", "order", "id"]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return self.what

    @property
    def awaiting_confirmation(self) -> bool:
        return self.status == ActionStatus.OPEN and self.progress >= 100


class Decision(models.TextChoices):
    PENDING = "pending", _("To decide")
    ACCEPTED = "accepted", _("Accepted into the next contract")
    DROPPED = "dropped", _("Dropped")


class Revision(VersionedModel):
    """A revision of the next period's plan agreed in the interview: a changed target of an indicator, or a
    new line. The manager accepts it (as agreed or edited) into the next contract draft, or drops it."""

    interview = models.ForeignKey(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                  related_name="revisions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.ForeignKey("contracts.Indicator", verbose_name=_("indicator"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True,
                             help_text=_("Required without an indicator."))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    standard = models.CharField(_("standard"), max_length=300, blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("why"), max_length=300, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    contract = models.ForeignKey("contracts.Contract", verbose_name=_("next contract"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("revision for the next period")
        verbose_name_plural = _("revisions for the next period")
        ordering = ["interview", "order", "id"]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return self.indicator.name if self.indicator_id else ""


class AddendumQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise RuntimeError("Addenda are append-only.")

    def delete(self):
        raise RuntimeError("Addenda are append-only.")


class Addendum(models.Model):
    """A dated addition to a signed (locked) record; never changed afterwards."""

    interview = models.ForeignKey(Interview, verbose_name=_("interview"), on_delete=models.CASCADE,
                                  related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
                               related_name="+")
    author_role = models.CharField(_("written as"), max_length=10)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = AddendumQuerySet.as_manager()

    class Meta:
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.interview_id} · {self.created_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Addenda are append-only.")
        super().save(*args, **kwargs)


class GoalTalk(VersionedModel):
    """A new hire's "discuss your position goals" talk (seed section 10): the manager records it, the
    employee acknowledges it."""

    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    manager = models.ForeignKey("org.Employee", verbose_name=_("manager"), on_delete=models.PROTECT,
                                related_name="+")
    position = models.ForeignKey("org.Position", verbose_name=_("position"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("discussed on"))
    note = models.TextField(_("what was agreed"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged by the employee at"), null=True, blank=True)
    acknowledgement_note = models.TextField(_("employee's note"), blank=True)

    class Meta:
        verbose_name = _("position goals talk")
        verbose_name_plural = _("position goals talks")
        ordering = ["-held_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["employee", "position"], name="interviews_one_goal_talk")]

    def __str__(self):
        return f"{self.employee_id} · {self.held_on}"
