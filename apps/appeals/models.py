"""Appeals (绩效申诉, seed sections 3 and 7): a formal channel to contest a published result.

An employee appeals their own published appraisal within the window HR sets per cycle; a colleague of
the same department may raise a *concern* about someone's published result (HR only; the author is never
revealed to the subject), which HR may turn into a *review* handled like an appeal. HR triages, asks the
manager and/or the employee for information (each request with a due date and a recorded answer), may
record a hearing, and decides: upheld, partly upheld or rejected, with written reasons. An upheld or
partly upheld decision corrects the result only through ``apps.appraisals.services.appraisal_result_correct``.

The workflow of an appeal (allowed moves are data, :data:`TRANSITIONS`)::

    filed -> in_review -> decided
      |  \\-> out_of_scope (triage rejects, with a reason)
      +----> withdrawn (by the employee, before a decision)
"""
from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import TimeStampedModel, VersionedModel

DEFAULT_WINDOW_DAYS = 7
DEFAULT_TRIAGE_DAYS = 3
DEFAULT_DECISION_DAYS = 14
DEFAULT_INFO_DAYS = 5


class WindowRule(models.TextChoices):
    LATER_OF = "later_of", _("After publication or after the interview is signed, whichever is later")
    PUBLICATION = "publication", _("After publication")


class AppealPolicy(VersionedModel):
    """HR's rule for the appeals of one appraisal cycle. Without a row the defaults apply."""

    cycle = models.OneToOneField("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.CASCADE,
                                 related_name="+")
    window_days = models.PositiveSmallIntegerField(_("appeal window (calendar days)"), default=DEFAULT_WINDOW_DAYS)
    window_rule = models.CharField(_("the window starts"), max_length=12, choices=WindowRule.choices,
                                   default=WindowRule.LATER_OF)
    triage_days = models.PositiveSmallIntegerField(_("triage within (calendar days of filing)"),
                                                   default=DEFAULT_TRIAGE_DAYS)
    decision_days = models.PositiveSmallIntegerField(_("decision within (calendar days of filing)"),
                                                     default=DEFAULT_DECISION_DAYS)

    class Meta:
        verbose_name = _("appeal policy of a cycle")
        verbose_name_plural = _("appeal policies of cycles")

    def __str__(self):
        return f"{self.cycle_id}: {self.window_days}"


class SignedInterview(TimeStampedModel):
    """When the feedback interview on an appraisal was signed (from ``interview_signed``): the appeal
    window may start then."""

    appraisal = models.OneToOneField("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.CASCADE,
                                     related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    disagreement = models.BooleanField(_("signed with disagreement"), default=False)

    class Meta:
        verbose_name = _("signed interview")
        verbose_name_plural = _("signed interviews")


class Kind(models.TextChoices):
    APPEAL = "appeal", _("Appeal")
    REVIEW = "review", _("Review (from a concern)")


class Status(models.TextChoices):
    FILED = "filed", _("Filed, awaiting triage")
    IN_REVIEW = "in_review", _("In review")
    DECIDED = "decided", _("Decided")
    OUT_OF_SCOPE = "out_of_scope", _("Rejected as out of scope")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.FILED, Status.IN_REVIEW)

#: action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({Status.FILED}), Status.IN_REVIEW),
    "out_of_scope": (frozenset({Status.FILED}), Status.OUT_OF_SCOPE),
    "withdraw": (frozenset({Status.FILED, Status.IN_REVIEW}), Status.WITHDRAWN),
    "decide": (frozenset({Status.IN_REVIEW}), Status.DECIDED),
}


class Outcome(models.TextChoices):
    UPHELD = "upheld", pgettext_lazy("appeal outcome", "Upheld")
    PARTLY = "partly", pgettext_lazy("appeal outcome", "Partly upheld")
    REJECTED = "rejected", pgettext_lazy("appeal outcome", "Rejected")


class Appeal(VersionedModel):
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.APPEAL)
    appraisal = models.ForeignKey("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                  related_name="+")
    cycle = models.ForeignKey("appraisals.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT,
                              related_name="+")
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="+")
    department = models.ForeignKey("org.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    manager = models.ForeignKey("org.Employee", verbose_name=pgettext_lazy("appeal", "manager of record"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.FILED)
    contested_lines = models.JSONField(_("contested lines"), default=list, blank=True,
                                       help_text=_("Ids of the score lines contested."))
    contests_grade = models.BooleanField(_("contests the grade"), default=False)
    reasons = models.TextField(_("reasons"))
    outcome_asked = models.TextField(_("outcome asked for"), blank=True)
    filed_at = models.DateTimeField(_("filed at"))
    window_closes = models.DateField(_("appeal window closed on"), null=True, blank=True)
    triage_due = models.DateField(_("triage due"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triage_reason = models.TextField(_("reason (triage)"), blank=True)
    shared_with_manager = models.TextField(_("shared with the manager"), blank=True,
                                           help_text=_("What HR shares with the manager of record."))
    hearing_at = models.DateTimeField(_("hearing held at"), null=True, blank=True)
    hearing_notes = models.TextField(_("hearing record"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    correction = models.ForeignKey("appraisals.ResultCorrection", verbose_name=_("correction"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal"], condition=Q(status__in=["filed", "in_review"]),
                                    name="appeals_one_open_per_appraisal"),
        ]
        indexes = [models.Index(fields=["status", "decision_due"]), models.Index(fields=["employee", "status"]),
                   models.Index(fields=["manager", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def attachment_path(instance: AppealAttachment, filename: str) -> str:
    """A random name: the original name is kept in the row, never in the storage path."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"appeals/{instance.appeal_id}/{uuid.uuid4().hex}{ext}"


class AppealAttachment(models.Model):
    """Evidence of an appeal. Served only through an access-checked view."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name


class Addressee(models.TextChoices):
    EMPLOYEE = "employee", _("The employee")
    MANAGER = "manager", _("The manager")


class InfoRequest(VersionedModel):
    """HR asks the manager or the employee for information, with a due date; the answer is recorded."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE,
                               related_name="info_requests")
    addressee = models.CharField(_("asked"), max_length=8, choices=Addressee.choices)
    addressee_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked user"),
                                       on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"))
    due_date = models.DateField(_("answer due"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asked by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for information")
        verbose_name_plural = _("requests for information")
        ordering = ["appeal", "created_at", "id"]

    def __str__(self):
        return f"{self.appeal_id} · {self.get_addressee_display()}"


class ConcernStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISMISSED = "dismissed", _("Dismissed")
    REVIEW = "review", _("Review opened")


class Concern(VersionedModel):
    """A colleague's concern about someone's published result: HR only; the author is never revealed to
    the subject."""

    appraisal = models.ForeignKey("appraisals.Appraisal", verbose_name=_("appraisal"), on_delete=models.PROTECT,
                                  related_name="+")
    subject = models.ForeignKey("org.Employee", verbose_name=_("about"), on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    reasons = models.TextField(_("reasons"))
    status = models.CharField(_("status"), max_length=10, choices=ConcernStatus.choices,
                              default=ConcernStatus.RECEIVED)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.TextField(_("HR's note"), blank=True)
    review = models.ForeignKey(Appeal, verbose_name=_("review"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.pk}"
