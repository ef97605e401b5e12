"""Coaching records (绩效辅导记录) and the performance file (业绩档案) they form (seed section 8).

A record is a fact about one employee in one review period: what happened, when, the evidence,
optionally the contract line / goal / plan item it concerns, and the follow-up agreed. Records are
never deleted. Their author may correct them within 24 hours (each version is kept as a
``RecordRevision``); after that only an addendum (a ``RecordNote``) can be added. The employee sees
every record about them, may respond in writing and acknowledges it; a record marked serious needs
their signature ("seen, agree" or "seen, disagree" with a response).

Employees' own progress reports and requests for help are records too (``is_employee_report``),
filed against a contract line or plan item and answered by the manager, so that one timeline, one
search and one PDF hold the whole file.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import VersionedModel
from apps.core.periods import period_label, validate_period_code
from apps.core.validators import SingleLineFieldsMixin, validate_date_span, validate_text_length

#: How long the author may still correct a record; afterwards only an addendum.
CORRECTION_WINDOW = dt.timedelta(hours=24)
#: Attachments: the largest file accepted and the types accepted (extension -> content type served).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "eml": "message/rfc822",
}


class Kind(models.TextChoices):
    PROGRESS = "progress", _("Progress review")
    PRAISE = "praise", _("Praise")
    CRITICISM = "criticism", _("Criticism / incident")
    HELP_REQUESTED = "help_requested", _("Help requested")
    HELP_GIVEN = "help_given", _("Help given")
    CONVERSATION = "conversation", _("Conversation record")


HELP_KINDS = frozenset({Kind.HELP_REQUESTED, Kind.HELP_GIVEN})
#: What an employee may file themselves: a progress report or a request for help.
REPORT_KINDS = frozenset({Kind.PROGRESS, Kind.HELP_REQUESTED})


class Channel(models.TextChoices):
    WRITTEN_REPORT = "written_report", _("Written report (formal)")
    ONE_TO_ONE = "one_to_one", _("One-to-one meeting (formal)")
    GROUP_MEETING = "group_meeting", _("Group meeting (formal)")
    CONVERSATION = "conversation", _("Conversation (informal)")
    WALKING_AROUND = "walking_around", _("Walking around (informal)")


FORMAL_CHANNELS = frozenset({Channel.WRITTEN_REPORT, Channel.ONE_TO_ONE, Channel.GROUP_MEETING})


class Source(models.TextChoices):
    SELF_REPORT = "self_report", _("Self-report")
    MANAGER = "manager", _("Manager's observation")
    PEER = "peer", _("Peer")
    SUBORDINATE = "subordinate", _("Subordinate")
    CUSTOMER = "customer", _("Customer")
    WORK_RECORDS = "work_records", _("Work records")


class SignDecision(models.TextChoices):
    AGREE = "agree", _("Seen, agree")
    DISAGREE = "disagree", _("Seen, disagree")


class SignStatus(models.TextChoices):
    """Derived, never stored: where a record stands with its signature."""

    NOT_REQUIRED = "not_required", _("No signature needed")
    AWAITING = "awaiting", _("Awaiting signature")
    ESCALATED = "escalated", _("Unsigned, escalated to HR")
    AGREED = "agreed", _("Signed: seen, agree")
    DISAGREED = "disagreed", _("Signed: seen, disagree")


class CoachingSettings(VersionedModel):
    """HR's settings: the coaching cadence and the deadline for signing serious records (one row)."""

    cadence_min_records = models.PositiveSmallIntegerField(
        _("coaching records expected"), default=1, validators=[MaxValueValidator(31)],
        help_text=_("At least this many coaching records per report in each window; 0 switches the cadence off."))
    cadence_days = models.PositiveSmallIntegerField(
        _("cadence window (days)"), default=30, validators=[MinValueValidator(7), MaxValueValidator(366)],
        help_text=_("The window looked back on, e.g. 30 for “per month”."))
    cadence_channel = models.CharField(
        _("channel that counts"), max_length=20, blank=True, default=Channel.ONE_TO_ONE,
        choices=[(c.value, c.label) for c in Channel if c in FORMAL_CHANNELS],
        help_text=_("Which kind of coaching counts, e.g. a formal one-to-one. Empty: any formal channel."))
    signature_deadline_days = models.PositiveSmallIntegerField(
        _("days to sign a serious record"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("An unsigned serious record is escalated to HR this many days after it was shared."))
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("remind every (days)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("The employee is reminded of an unsigned serious record this often until the deadline."))

    class Meta:
        verbose_name = _("coaching settings")
        verbose_name_plural = _("coaching settings")

    def __str__(self):
        return str(_("coaching settings"))

    @classmethod
    def current(cls) -> CoachingSettings:
        obj = cls.objects.order_by("pk").first()
        if obj is None:
            obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def cadence_channels(self) -> frozenset[str]:
        return frozenset({self.cadence_channel}) if self.cadence_channel else FORMAL_CHANNELS

    @property
    def cadence_enabled(self) -> bool:
        return self.cadence_min_records > 0


class AppendOnlyQuerySet(models.QuerySet):
    """Facts are never deleted."""

    def delete(self):
        raise RuntimeError("Coaching records are facts: they are never deleted.")


# The texts of a coaching record: long enough for a page or two of facts, not a pasted book.
TEXT_LIMIT = 10_000
EARLIEST_RECORD = dt.date(2000, 1, 1)


class CoachingRecord(SingleLineFieldsMixin, VersionedModel):
    employee = models.ForeignKey("org.Employee", verbose_name=_("employee"), on_delete=models.PROTECT,
                                 related_name="coaching_records")
    period = models.CharField(_("review period"), max_length=7, validators=[validate_period_code], db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    occurred_on = models.DateField(_("when"))
    summary = models.CharField(_("summary"), max_length=200)
    facts = models.TextField(_("what happened"))
    evidence = models.TextField(_("evidence"), blank=True)
    contract_line = models.ForeignKey("contracts.ContractLine", verbose_name=_("contract line"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="coaching_records")
    goal = models.ForeignKey("plans.Goal", verbose_name=_("goal"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="coaching_records")
    plan_item = models.ForeignKey("plans.PlanItem", verbose_name=_("plan item"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="coaching_records")
    follow_up = models.TextField(_("follow-up agreed"), blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    follow_up_done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("follow-up done by"), null=True,
                                          blank=True, on_delete=models.SET_NULL, related_name="+")
    serious = models.BooleanField(_("serious (needs the employee's signature)"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                               related_name="+")
    author_employee = models.ForeignKey("org.Employee", verbose_name=_("recorded by (employee)"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    is_employee_report = models.BooleanField(_("filed by the employee"), default=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    sign_decision = models.CharField(_("signature"), max_length=10, choices=SignDecision.choices, blank=True)
    signed_hash = models.CharField(_("hash of the signed version (SHA-256)"), max_length=64, blank=True)
    escalated_at = models.DateTimeField(_("escalated to HR at"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()
    single_line_fields = ("summary",)

    class Meta:
        verbose_name = _("coaching record")
        verbose_name_plural = _("coaching records")
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["employee", "period"]),
            models.Index(fields=["employee", "-occurred_on"]),
            models.Index(fields=["serious", "signed_at"]),
            models.Index(fields=["is_employee_report", "answered_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="coaching_signature_complete",
                condition=(Q(signed_at__isnull=True, sign_decision="")
                           | (Q(signed_at__isnull=False) & ~Q(sign_decision="")))),
            models.CheckConstraint(name="coaching_follow_up_due_needs_text",
                                   condition=Q(follow_up_due__isnull=True) | ~Q(follow_up="")),
        ]

    def __str__(self):
        return f"{self.employee.name} · {self.occurred_on} · {self.summary}"

    def delete(self, *args, **kwargs):
        raise RuntimeError("Coaching records are facts: they are never deleted.")

    def clean(self):
        """The date within a sensible span (not before 2000, not in the future) and texts of a sensible length."""
        errors: dict[str, list] = {}
        try:
            validate_date_span(self.occurred_on, earliest=EARLIEST_RECORD, horizon=None)
        except ValidationError as exc:
            errors["occurred_on"] = exc.error_list
        for field in ("facts", "evidence", "follow_up"):
            try:
                validate_text_length(getattr(self, field), TEXT_LIMIT)
            except ValidationError as exc:
                errors[field] = exc.error_list
        if errors:
            raise ValidationError(errors)

    # --- derived state ------------------------------------------------------------------------------
    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def is_formal(self) -> bool:
        return self.channel in FORMAL_CHANNELS

    @property
    def correctable_until(self) -> dt.datetime | None:
        return self.created_at + CORRECTION_WINDOW if self.created_at else None

    @property
    def in_correction_window(self) -> bool:
        return bool(self.created_at) and timezone.now() <= self.correctable_until

    @property
    def sign_status(self) -> str:
        if self.signed_at is not None:
            return SignStatus.DISAGREED if self.sign_decision == SignDecision.DISAGREE else SignStatus.AGREED
        if not self.serious:
            return SignStatus.NOT_REQUIRED
        return SignStatus.ESCALATED if self.escalated_at else SignStatus.AWAITING

    @property
    def sign_status_label(self) -> str:
        return SignStatus(self.sign_status).label

    @property
    def needs_signature(self) -> bool:
        return self.serious and self.signed_at is None

    @property
    def follow_up_state(self) -> str:
        """"" (none agreed), "done", "overdue" or "open"."""
        if not self.follow_up:
            return ""
        if self.follow_up_done_at:
            return "done"
        if self.follow_up_due and self.follow_up_due < timezone.localdate():
            return "overdue"
        return "open"

    @property
    def awaiting_answer(self) -> bool:
        return self.is_employee_report and self.answered_at is None

    @property
    def author_name(self) -> str:
        if self.author_employee_id and self.author_employee is not None:
            return self.author_employee.name
        return self.author.get_username() if self.author_id else ""

    @property
    def link_label(self) -> str:
        """What the record concerns, from rows already joined (no query)."""
        if self.contract_line_id and self.contract_line is not None:
            return self.contract_line.display_title
        if self.plan_item_id and self.plan_item is not None:
            return self.plan_item.task
        if self.goal_id and self.goal is not None:
            return self.goal.name
        return ""


class RecordRevision(models.Model):
    """One version of a record as written: the first at creation, one more for each correction."""

    record = models.ForeignKey(CoachingRecord, verbose_name=_("record"), on_delete=models.PROTECT,
                               related_name="revisions")
    number = models.PositiveSmallIntegerField(_("revision"))
    data = models.JSONField(_("content"))
    reason = models.TextField(_("reason for the correction"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("record revision")
        verbose_name_plural = _("record revisions")
        ordering = ["record", "number"]
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="coaching_one_revision_number")]

    def __str__(self):
        return f"{self.record_id} r{self.number}"


class NoteKind(models.TextChoices):
    RESPONSE = "response", _("Employee's response")
    ANSWER = "answer", _("Manager's answer")
    ADDENDUM = "addendum", _("Addendum")


class RecordNote(models.Model):
    """Something added to a record afterwards: the employee's response, the manager's answer to a
    progress report or request for help, or an addendum. Append-only."""

    record = models.ForeignKey(CoachingRecord, verbose_name=_("record"), on_delete=models.PROTECT,
                               related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("text"))
    with_signature = models.CharField(_("given with the signature"), max_length=10, choices=SignDecision.choices,
                                      blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT,
                               related_name="+")
    author_employee = models.ForeignKey("org.Employee", verbose_name=_("written by (employee)"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("note on a record")
        verbose_name_plural = _("notes on records")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.record_id}"

    @property
    def author_name(self) -> str:
        if self.author_employee_id and self.author_employee is not None:
            return self.author_employee.name
        return self.author.get_username() if self.author_id else ""


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random name: the original name is kept in the row, never in the storage path."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"coaching/{instance.record.employee_id}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    """Evidence attached to a record (or to a note on it). Served only through an access-checked view."""

    record = models.ForeignKey(CoachingRecord, verbose_name=_("record"), on_delete=models.PROTECT,
                               related_name="attachments")
    note = models.ForeignKey(RecordNote, verbose_name=_("note"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def content_type(self) -> str:
        return ALLOWED_ATTACHMENT_TYPES.get(self.extension, "application/octet-stream")
