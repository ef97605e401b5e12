"""Every write of feedback requests and answers: atomic, checked, audited, notified on commit.

Who invites: the subject's direct manager or HR (``access`` kind "coaching", write). Who answers: the
invited colleague (logged in), or a named external customer through a one-time link that expires (no
account). A link is single use: the first answer closes it. Texts are bounded (``MAX_TEXT``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.periods import Period
from apps.notifications.services import notification_create
from apps.org import access
from apps.org.models import Employee

from .models import MAX_TEXT, FeedbackAnswer, FeedbackInvitation, FeedbackRequest, SourceKind

MAX_INVITATIONS = 40


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def require_requester(user, subject: Employee) -> None:
    """The subject's direct manager or HR; anyone else does not learn the request exists."""
    if access.WRITE not in access.permissions(user, "coaching", subject):
        raise NotFound(_("Not found."))


def _text(value: str, *, field: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("%(label)s: describe what happened (facts, not a score).") % {"label": label},
                               field=field)
    if len(value) > MAX_TEXT:
        raise ApplicationError(_("%(label)s is too long: at most %(n)s characters, you wrote %(m)s.")
                               % {"label": label, "n": MAX_TEXT, "m": len(value)}, field=field)
    return value


def _check_kind(kind: str, respondent: Employee, subject: Employee) -> None:
    if respondent.pk == subject.pk:
        raise ApplicationError(_("%(name)s cannot give feedback on themselves here: their own view belongs to "
                                 "the self-assessment.") % {"name": subject.name}, field="invitees")
    if not respondent.is_active or not respondent.user_id:
        raise ApplicationError(_("%(name)s has no active account to answer with.") % {"name": respondent.name},
                               field="invitees")
    if kind == SourceKind.SUBORDINATE and respondent.supervisor_id != subject.pk:
        raise ApplicationError(_("%(name)s does not report to %(subject)s, so cannot give upward feedback.")
                               % {"name": respondent.name, "subject": subject.name}, field="invitees")
    if kind == SourceKind.PEER and respondent.supervisor_id == subject.pk:
        raise ApplicationError(_("%(name)s reports to %(subject)s: invite them as a subordinate (upward, "
                                 "anonymous).") % {"name": respondent.name, "subject": subject.name},
                               field="invitees")


@transaction.atomic
def feedback_request_create(*, actor, subject: Employee, period: str, closes_on: dt.date, message: str = "",
                            colleagues: list[tuple[str, Employee]] | None = None,
                            externals: list[tuple[str, str]] | None = None,
                            min_upward_answers: int | None = None, send_email: bool = True) -> FeedbackRequest:
    """Invite feedback on ``subject`` for ``period``: ``colleagues`` as (kind, employee), ``externals``
    as (name, e-mail); each external gets a one-time link valid until ``closes_on``."""
    require_requester(actor, subject)
    p = Period.parse(period)
    today = timezone.localdate()
    if closes_on < today:
        raise ApplicationError(_("The closing date has passed: choose today or a later day."), field="closes_on")
    if closes_on > today + dt.timedelta(days=90):
        raise ApplicationError(_("Answers close at most 90 days from today."), field="closes_on")
    colleagues, externals = list(colleagues or []), list(externals or [])
    if not colleagues and not externals:
        raise ApplicationError(_("Invite at least one person."), field="invitees")
    if len(colleagues) + len(externals) > MAX_INVITATIONS:
        raise ApplicationError(_("At most %(n)s people per request.") % {"n": MAX_INVITATIONS}, field="invitees")
    req = FeedbackRequest(subject=subject, period=p.code, closes_on=closes_on,
                          message=_text(message, field="message", label=_("What to comment on")),
                          requested_by=actor)
    if min_upward_answers is not None:
        req.min_upward_answers = min_upward_answers
    req.full_clean()
    req.save()
    expires = timezone.make_aware(dt.datetime.combine(closes_on, dt.time(23, 59, 59)))
    seen: set[int] = set()
    internal, links = [], []
    for kind, emp in colleagues:
        if kind not in SourceKind.values or kind == SourceKind.EXTERNAL:
            raise ApplicationError(_("Unknown source of feedback."), field="invitees")
        if emp.pk in seen:
            continue
        seen.add(emp.pk)
        _check_kind(kind, emp, subject)
        internal.append(FeedbackInvitation.objects.create(request=req, kind=kind, respondent=emp,
                                                          expires_at=expires))
    emails: set[str] = set()
    for name, email in externals:
        name, email = (name or "").strip()[:120], (email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ApplicationError(_("“%(email)s” is not an e-mail address.") % {"email": email}, field="externals")
        if not name:
            raise ApplicationError(_("Give the name of the customer with the e-mail %(email)s.") % {"email": email},
                                   field="externals")
        if email in emails:
            continue
        emails.add(email)
        token = secrets.token_urlsafe(32)
        inv = FeedbackInvitation.objects.create(request=req, kind=SourceKind.EXTERNAL, external_name=name,
                                                external_email=email, token_hash=token_digest(token),
                                                expires_at=expires)
        links.append((inv, token))
    audit_record(actor=actor, action="feedback.request", obj=req,
                 after={"subject": subject.pk, "period": req.period, "closes_on": closes_on.isoformat(),
                        "invited": [(i.kind, i.respondent_id) for i in internal] + [("external", i.pk)
                                                                                   for i, _t in links]})
    url = reverse("feedback:answer_mine")
    for inv in internal:
        notification_create(
            recipient=inv.respondent.user,
            title=_("Your feedback is asked on %(name)s (%(period)s)") % {"name": subject.name, "period": req.period},
            body=_("Describe what happened, when, and its effect, by %(date)s.") % {"date": closes_on.isoformat()},
            url=url, send_email=send_email)
    if not send_email:  # the demo seed: no mail to made-up people
        return req
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    for inv, token in links:
        link = f"{site}{reverse('feedback:external', args=[token])}"
        body = _("Dear %(name)s,\n\nWe would value your feedback on your work with %(subject)s: what happened, when, "
                 "and its effect. The link works once, until %(date)s:\n\n%(link)s\n") % {
            "name": inv.external_name, "subject": subject.name, "date": closes_on.isoformat(), "link": link}
        subject_line = _("Your feedback on working with %(subject)s") % {"subject": subject.name}
        transaction.on_commit(lambda s=subject_line, b=body, e=inv.external_email: send_mail(
            s, b, settings.DEFAULT_FROM_EMAIL, [e], fail_silently=True))
    return req


def _answer(invitation: FeedbackInvitation, *, what_happened: str, when: str, effect: str, actor=None):
    now = timezone.now()
    if invitation.answered_at is not None:
        raise ApplicationError(_("This invitation has already been answered: each one takes one answer."))
    if invitation.expires_at and invitation.expires_at < now:
        raise ApplicationError(_("This invitation expired on %(date)s.")
                               % {"date": timezone.localtime(invitation.expires_at).date().isoformat()})
    answer = FeedbackAnswer(invitation=invitation,
                            what_happened=_text(what_happened, field="what_happened", label=_("What happened"),
                                                required=True),
                            when=_text(when, field="when", label=_("When"))[:120],
                            effect=_text(effect, field="effect", label=_("The effect")))
    answer.full_clean(exclude=["invitation"])
    answer.save()
    invitation.answered_at = now
    invitation.token_hash = ""  # single use: the link is dead from now on
    invitation.save(update_fields=["answered_at", "token_hash", "updated_at"])
    audit_record(actor=actor, action="feedback.answer", obj=invitation.request,
                 after={"invitation": invitation.pk, "kind": invitation.kind})
    return answer


@transaction.atomic
def feedback_answer(*, actor, invitation: FeedbackInvitation, what_happened: str, when: str = "",
                    effect: str = "") -> FeedbackAnswer:
    inv = FeedbackInvitation.objects.select_for_update().get(pk=invitation.pk)
    viewer = access.viewer_for(actor)
    if inv.respondent_id is None or inv.respondent_id != viewer.employee_id:
        raise NotFound(_("Not found."))
    return _answer(inv, what_happened=what_happened, when=when, effect=effect, actor=actor)


def external_invitation(token: str) -> FeedbackInvitation:
    """The invitation of an external link, or NotFound (unknown, or already used: the token is cleared)."""
    if not token or len(token) > 100:
        raise NotFound(_("This link is not valid, or it has already been used."))
    inv = (FeedbackInvitation.objects.select_related("request__subject")
           .filter(token_hash=token_digest(token), kind=SourceKind.EXTERNAL).first())
    if inv is None:
        raise NotFound(_("This link is not valid, or it has already been used."))
    return inv


@transaction.atomic
def feedback_answer_external(*, token: str, what_happened: str, when: str = "", effect: str = "") -> FeedbackAnswer:
    inv = external_invitation(token)
    inv = FeedbackInvitation.objects.select_for_update().get(pk=inv.pk)
    if inv.token_hash != token_digest(token):  # answered in between
        raise NotFound(_("This link is not valid, or it has already been used."))
    return _answer(inv, what_happened=what_happened, when=when, effect=effect)
