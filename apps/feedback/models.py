"""Feedback on an employee for a period from every source the seed names (section 8: "the company's
employees, the employee's own reports, colleagues, superiors, subordinates, customers"): the manager
or HR invites peers, subordinates (upward feedback), other managers and named external customers.

Feedback is facts (what happened, when, the effect), not scores. Answers are read by the subject's
direct manager and HR only (access kind "coaching" with write). Upward feedback (from the subject's
subordinates) is never attributed, and below the request's minimum number of answers it is shown only
as a count; above it, as unattributed facts in a fixed order (not the order of answering).
"""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, VersionedModel
from apps.core.periods import validate_period_code

MAX_TEXT = 4000
DEFAULT_MIN_UPWARD = 3


class SourceKind(models.TextChoices):
    PEER = "peer", _("Peer")
    SUBORDINATE = "subordinate", _("Subordinate (upward)")
    MANAGER = "manager", _("Other manager")
    EXTERNAL = "external", _("External customer")


class FeedbackRequest(VersionedModel):
    subject = models.ForeignKey("org.Employee", verbose_name=_("feedback on"), on_delete=models.PROTECT,
                                related_name="feedback_requests")
    period = models.CharField(_("review period"), max_length=7, validators=[validate_period_code])
    message = models.TextField(_("what to comment on"), blank=True, max_length=MAX_TEXT)
    closes_on = models.DateField(_("answers close on"))
    min_upward_answers = models.PositiveSmallIntegerField(
        _("minimum upward answers"), default=DEFAULT_MIN_UPWARD,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=_("Below this number the subordinates' answers are shown only as a count (anonymity)."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "period"])]

    def __str__(self):
        return f"{self.subject} · {self.period}"


class FeedbackInvitation(TimeStampedModel):
    request = models.ForeignKey(FeedbackRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="invitations")
    kind = models.CharField(_("source"), max_length=12, choices=SourceKind.choices)
    respondent = models.ForeignKey("org.Employee", verbose_name=_("respondent"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="feedback_invitations")
    external_name = models.CharField(_("name"), max_length=120, blank=True)
    external_email = models.EmailField(_("e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")
        ordering = ["request", "kind", "id"]
        constraints = [
            models.CheckConstraint(name="feedback_invitation_who", condition=(
                Q(kind="external", respondent__isnull=True) & ~Q(external_email="")
                | ~Q(kind="external") & Q(respondent__isnull=False))),
            models.UniqueConstraint(fields=["request", "respondent"], condition=Q(respondent__isnull=False),
                                    name="feedback_one_invitation_per_person"),
        ]

    def __str__(self):
        return self.external_name or str(self.respondent or "")

    @property
    def who(self) -> str:
        if self.kind == SourceKind.EXTERNAL:
            return f"{self.external_name} <{self.external_email}>"
        return self.respondent.name if self.respondent_id else ""


class FeedbackAnswer(TimeStampedModel):
    invitation = models.OneToOneField(FeedbackInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE,
                                      related_name="answer")
    what_happened = models.TextField(_("what happened"), max_length=MAX_TEXT)
    when = models.CharField(_("when"), max_length=120, blank=True)
    effect = models.TextField(_("the effect"), blank=True, max_length=MAX_TEXT)

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        ordering = ["invitation__kind", "what_happened", "id"]
