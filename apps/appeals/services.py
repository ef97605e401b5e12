"""Every write to appeals and concerns: keyword-only, actor first, in a transaction, on locked rows,
checked, audited, notified on commit in each recipient's language (title and link only: appeals are
confidential).

Corrections of the result go through ``apps.appraisals.services.appraisal_result_correct`` only.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.appraisals import services as appraisal_services
from apps.appraisals.models import Appraisal, ScoreLine
from apps.appraisals.models import Status as AppraisalStatus
from apps.coaching.services import validate_upload
from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.roles import HR_GROUP, is_hr
from apps.notifications.services import notification_create
from apps.org.models import Employee

from . import access
from .models import (
    DEFAULT_INFO_DAYS,
    OPEN_STATUSES,
    TRANSITIONS,
    Addressee,
    Appeal,
    AppealAttachment,
    AppealPolicy,
    Concern,
    ConcernStatus,
    InfoRequest,
    Kind,
    Outcome,
    SignedInterview,
    Status,
    WindowRule,
)

MAX_FILES = 10
APPEAL_AUDIT_FIELDS = ("status", "contested_lines", "contests_grade", "reasons", "outcome_asked", "handler",
                       "triage_reason", "shared_with_manager", "hearing_at", "hearing_notes", "outcome",
                       "decision_reasons", "correction", "triage_due", "decision_due", "version")


# --- helpers ---------------------------------------------------------------------------------------------

def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    from apps.accounts.models import UserPreference

    return dict(UserPreference.objects.filter(user_id__in=list(user_ids)).exclude(language="")
                .values_list("user_id", "language"))


def notify(user_ids: Iterable[int | None], *, title: Callable[[], str], url: str,
           dedupe: Callable[[int], str] | None = None) -> int:
    """Tell each user once, in their own language; the body carries no content (appeals are confidential),
    the e-mail holds the title and the absolute link."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return 0
    users = get_user_model().objects.in_bulk(ids)
    langs = _languages(ids)
    sent = 0
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        with translation.override(langs.get(uid) or settings.LANGUAGE_CODE):
            note = notification_create(recipient=user, title=str(title()), url=url,
                                       body=str(_("The content is confidential: open the link to see it.")),
                                       dedupe_key=dedupe(uid) if dedupe else None)
        sent += note is not None
    return sent


def hr_user_ids() -> set[int]:
    return set(get_user_model().objects.filter(groups__name=HR_GROUP, is_active=True).values_list("pk", flat=True))


def appeal_url(appeal_id: int) -> str:
    return reverse("appeals:detail", args=[appeal_id])


def _snap(appeal: Appeal) -> dict:
    return snapshot(appeal, APPEAL_AUDIT_FIELDS)


def _save(obj) -> None:
    bump(obj)
    obj.full_clean(validate_constraints=False)
    obj.save()


def _move(appeal: Appeal, action: str) -> None:
    sources, target = TRANSITIONS[action]
    if appeal.status not in sources:
        raise TransitionNotAllowed(
            _("This is not possible while the appeal is “%(status)s”.") % {"status": Status(appeal.status).label},
            extra={"status": appeal.status, "action": action})
    appeal.status = target


def _lock(appeal_or_pk) -> Appeal:
    pk = getattr(appeal_or_pk, "pk", appeal_or_pk)
    a = (Appeal.objects.select_for_update(of=("self",))
         .select_related("employee", "manager", "appraisal", "cycle").filter(pk=pk).first())
    if a is None:
        raise NotFound(_("Not found."))
    return a


def _text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, field=field)
    return value


def _add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


# --- policy and window -----------------------------------------------------------------------------------

def policy_for(cycle_id: int) -> AppealPolicy:
    return AppealPolicy.objects.filter(cycle_id=cycle_id).first() or AppealPolicy(cycle_id=cycle_id)


@transaction.atomic
def policy_set(*, actor, cycle, window_days: int, window_rule: str = WindowRule.LATER_OF,
               triage_days: int | None = None, decision_days: int | None = None,
               expected_version: int | None = None) -> AppealPolicy:
    """HR sets the appeal window of a cycle and the handling deadlines."""
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR sets the appeal window."))
    policy = AppealPolicy.objects.select_for_update().filter(cycle_id=cycle.pk).first()
    before = snapshot(policy) if policy else None
    if policy is None:
        policy = AppealPolicy(cycle_id=cycle.pk, version=0)
    else:
        check_version(policy, expected_version)
    if window_rule not in WindowRule.values:
        raise ApplicationError(_("Choose when the window starts."), field="window_rule")
    for name, value in (("window_days", window_days), ("triage_days", triage_days),
                        ("decision_days", decision_days)):
        if value is None:
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ApplicationError(_("Give a number of days."), field=name)
        if not 1 <= value <= 365:
            raise ApplicationError(_("Give between 1 and 365 days."), field=name)
        setattr(policy, name, value)
    policy.window_rule = window_rule
    _save(policy)
    audit_record(actor=actor, action="appeals.policy_set", obj=policy, before=before, after=snapshot(policy))
    return policy


def window_closes(appraisal: Appraisal, policy: AppealPolicy | None = None) -> dt.date | None:
    """The last day an appeal may be filed: N calendar days after publication, or after the interview is
    signed when that is later (HR's rule per cycle). None while unpublished."""
    if appraisal.status != AppraisalStatus.PUBLISHED or appraisal.published_at is None:
        return None
    policy = policy or policy_for(appraisal.cycle_id)
    start = timezone.localdate(appraisal.published_at)
    if policy.window_rule == WindowRule.LATER_OF:
        signed = SignedInterview.objects.filter(appraisal_id=appraisal.pk).values_list("signed_at", flat=True).first()
        if signed is not None:
            start = max(start, timezone.localdate(signed))
    return _add_days(start, policy.window_days)


def interview_signed_record(*, appraisal, signed_at, disagreement: bool = False) -> SignedInterview:
    """From the ``interview_signed`` signal (inside the signing transaction): keep when it was signed."""
    row, _created = SignedInterview.objects.update_or_create(
        appraisal_id=appraisal.pk, defaults={"signed_at": signed_at, "disagreement": bool(disagreement)})
    return row


# --- filing ----------------------------------------------------------------------------------------------

def _check_lines(appraisal: Appraisal, line_ids, contests_grade: bool) -> list[int]:
    try:
        ids = sorted({int(x) for x in (line_ids or [])})
    except (TypeError, ValueError):
        raise ApplicationError(_("Choose lines of this appraisal."), field="lines")
    known = set(ScoreLine.objects.filter(appraisal_id=appraisal.pk, pk__in=ids).values_list("pk", flat=True))
    if set(ids) - known:
        raise ApplicationError(_("Choose lines of this appraisal."), field="lines")
    if not ids and not contests_grade:
        raise ApplicationError(_("Name what you contest: one or more lines, or the grade."), field="lines")
    return ids


def _store_files(actor, appeal: Appeal, files) -> list[AppealAttachment]:
    out = []
    for upload, ext in files:
        att = AppealAttachment(appeal=appeal, original_name=upload.name.rsplit("/", 1)[-1][:255], extension=ext,
                               size=upload.size, uploaded_by=actor)
        att.file.save(upload.name, upload, save=False)
        att.save()
        out.append(att)
    return out


def _validate_files(files) -> list[tuple[object, str]]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ApplicationError(_("Attach at most 10 files."), field="files")
    return [(f, validate_upload(f)) for f in files]


def _deadlines(appeal: Appeal, policy: AppealPolicy) -> None:
    day = timezone.localdate(appeal.filed_at)
    appeal.triage_due = _add_days(day, policy.triage_days)
    appeal.decision_due = _add_days(day, policy.decision_days)


@transaction.atomic
def appeal_file(*, actor, appraisal: Appraisal, reasons: str, outcome_asked: str = "", lines=None,
                contests_grade: bool = False, files=None) -> Appeal:
    """The employee appeals their own published appraisal within the cycle's window."""
    a = Appraisal.objects.select_for_update(of=("self",)).select_related("employee", "cycle").filter(
        pk=appraisal.pk).first()
    if a is None:
        raise NotFound(_("Not found."))
    me = access.viewer_employee_id(actor)
    if not me or a.employee_id != me:
        raise NotFound(_("Not found."))  # someone else's appraisal: not even its existence
    if a.status != AppraisalStatus.PUBLISHED:
        raise TransitionNotAllowed(_("Only a published result can be appealed; this appraisal is not published "
                                     "yet."))
    closes = window_closes(a)
    today = timezone.localdate()
    if closes is not None and today > closes:
        raise TransitionNotAllowed(
            _("The appeal window closed on %(date)s: appeals were possible until that day.") % {
                "date": closes.isoformat()}, extra={"window_closed": closes.isoformat()})
    if Appeal.objects.filter(appraisal_id=a.pk, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("This appraisal already has an open appeal: follow it, or withdraw it first."))
    reasons = _text(reasons, "reasons", _("Write why you appeal: the reasons are required."))
    ids = _check_lines(a, lines, bool(contests_grade))
    checked = _validate_files(files)
    appeal = Appeal(kind=Kind.APPEAL, appraisal=a, cycle_id=a.cycle_id, employee_id=a.employee_id,
                    department_id=a.department_id, manager_id=a.appraiser_id, filed_by=actor,
                    contested_lines=ids, contests_grade=bool(contests_grade), reasons=reasons,
                    outcome_asked=(outcome_asked or "").strip(), filed_at=timezone.now(), window_closes=closes,
                    version=0)
    _deadlines(appeal, policy_for(a.cycle_id))
    try:
        with transaction.atomic():
            _save(appeal)
    except IntegrityError:
        raise Conflict(_("This appraisal already has an open appeal: follow it, or withdraw it first."))
    _store_files(actor, appeal, checked)
    audit_record(actor=actor, action="appeals.file", obj=appeal, after=_snap(appeal))
    emp = a.employee
    notify(hr_user_ids(), title=lambda: _("New appeal from %(name)s") % {"name": emp.name},
           url=appeal_url(appeal.pk), dedupe=lambda uid: f"appeals:filed:{appeal.pk}:{uid}")
    return appeal


@transaction.atomic
def appeal_add_evidence(*, actor, appeal: Appeal, files) -> list[AppealAttachment]:
    a = _lock(appeal)
    access.require_role(actor, a, access.EMPLOYEE, _("Only the employee adds evidence to the appeal."))
    if not a.is_open:
        raise TransitionNotAllowed(_("This appeal is closed: evidence can no longer be added."))
    checked = _validate_files(files)
    if not checked:
        raise ApplicationError(_("Choose a file."), field="files")
    out = _store_files(actor, a, checked)
    audit_record(actor=actor, action="appeals.evidence", obj=a, after={"files": [x.original_name for x in out]})
    return out


@transaction.atomic
def appeal_withdraw(*, actor, appeal: Appeal, expected_version: int | None = None) -> Appeal:
    a = _lock(appeal)
    access.require_role(actor, a, access.EMPLOYEE, _("Only the employee may withdraw the appeal."))
    if a.kind != Kind.APPEAL:
        raise PermissionDenied(_("A review opened by HR cannot be withdrawn."))
    check_version(a, expected_version)
    if a.status == Status.WITHDRAWN:
        return a
    if a.status == Status.DECIDED:
        raise TransitionNotAllowed(_("The appeal was decided already: it can no longer be withdrawn."))
    before = _snap(a)
    _move(a, "withdraw")
    a.withdrawn_at = timezone.now()
    _save(a)
    audit_record(actor=actor, action="appeals.withdraw", obj=a, before=before, after=_snap(a))
    notify([a.handler_id] if a.handler_id else hr_user_ids(),
           title=lambda: _("%(name)s withdrew the appeal") % {"name": a.employee.name},
           url=appeal_url(a.pk), dedupe=lambda uid: f"appeals:withdrawn:{a.pk}:{uid}")
    return a


# --- concerns ----------------------------------------------------------------------------------------------

@transaction.atomic
def concern_raise(*, actor, appraisal: Appraisal, reasons: str) -> Concern:
    """A colleague of the same department raises a concern about a published result: to HR only."""
    a = Appraisal.objects.select_related("employee").filter(pk=appraisal.pk).first()
    me = access.viewer_employee_id(actor)
    if a is None or not me:
        raise NotFound(_("Not found."))
    if a.employee_id == me:
        raise ApplicationError(_("About your own result, file an appeal instead."), field="appraisal")
    my_department = Employee.objects.filter(pk=me).values_list("department_id", flat=True).first()
    if a.status != AppraisalStatus.PUBLISHED or my_department != a.employee.department_id:
        raise NotFound(_("Not found."))
    reasons = _text(reasons, "reasons", _("Write what concerns you: the reasons are required."))
    concern = Concern(appraisal=a, subject_id=a.employee_id, raised_by=actor, reasons=reasons, version=0)
    _save(concern)
    audit_record(actor=actor, action="appeals.concern_raise", obj=concern,
                 after={"appraisal": a.pk, "reasons": reasons})
    notify(hr_user_ids(), title=lambda: _("A concern about a published result"),
           url=reverse("appeals:concern", args=[concern.pk]), dedupe=lambda uid: f"appeals:concern:{concern.pk}:{uid}")
    return concern


def _lock_concern(concern) -> Concern:
    c = Concern.objects.select_for_update(of=("self",)).select_related("appraisal", "subject").filter(
        pk=getattr(concern, "pk", concern)).first()
    if c is None:
        raise NotFound(_("Not found."))
    return c


@transaction.atomic
def concern_dismiss(*, actor, concern: Concern, note: str, expected_version: int | None = None) -> Concern:
    access.require_hr_or_404(actor)
    c = _lock_concern(concern)
    check_version(c, expected_version)
    if c.status != ConcernStatus.RECEIVED:
        raise TransitionNotAllowed(_("This concern was handled already."))
    c.note = _text(note, "note", _("Write why the concern is dismissed."))
    c.status, c.handled_by, c.handled_at = ConcernStatus.DISMISSED, actor, timezone.now()
    _save(c)
    audit_record(actor=actor, action="appeals.concern_dismiss", obj=c, after={"note": c.note})
    return c


@transaction.atomic
def concern_open_review(*, actor, concern: Concern, note: str, lines=None, contests_grade: bool = False,
                        expected_version: int | None = None) -> Appeal:
    """HR turns a concern into a review of the result, handled like an accepted appeal. The subject is
    told that HR reviews the result; the concern's author is never named."""
    access.require_hr_or_404(actor)
    c = _lock_concern(concern)
    check_version(c, expected_version)
    if c.status != ConcernStatus.RECEIVED:
        raise TransitionNotAllowed(_("This concern was handled already."))
    a = Appraisal.objects.select_for_update(of=("self",)).get(pk=c.appraisal_id)
    if Appeal.objects.filter(appraisal_id=a.pk, status__in=OPEN_STATUSES).exists():
        raise Conflict(_("This appraisal already has an open appeal or review."))
    note = _text(note, "note", _("Write what the review is about: the employee reads it."))
    ids = _check_lines(a, lines, bool(contests_grade))
    now = timezone.now()
    review = Appeal(kind=Kind.REVIEW, appraisal=a, cycle_id=a.cycle_id, employee_id=a.employee_id,
                    department_id=a.department_id, manager_id=a.appraiser_id, filed_by=actor,
                    status=Status.IN_REVIEW, contested_lines=ids, contests_grade=bool(contests_grade),
                    reasons=note, filed_at=now, handler=actor, triaged_at=now, version=0)
    _deadlines(review, policy_for(a.cycle_id))
    _save(review)
    c.status, c.handled_by, c.handled_at, c.note, c.review = ConcernStatus.REVIEW, actor, now, note, review
    _save(c)
    audit_record(actor=actor, action="appeals.review_open", obj=review, after=_snap(review))
    subject_user = c.subject.user_id
    notify([subject_user], title=lambda: _("HR reviews your published result"), url=appeal_url(review.pk),
           dedupe=lambda uid: f"appeals:review:{review.pk}:{uid}")
    return review


# --- handling by HR --------------------------------------------------------------------------------------

def _require_hr(actor, appeal: Appeal) -> None:
    access.require_role(actor, appeal, access.HR, _("Only HR handles appeals."))


@transaction.atomic
def appeal_triage(*, actor, appeal: Appeal, accept: bool, reason: str = "",
                  expected_version: int | None = None) -> Appeal:
    """HR accepts the appeal for review, or rejects it as out of scope with a written reason."""
    a = _lock(appeal)
    _require_hr(actor, a)
    check_version(a, expected_version)
    before = _snap(a)
    if accept:
        _move(a, "accept")
        a.triage_reason = (reason or "").strip()
    else:
        a.triage_reason = _text(reason, "reason", _("Write why the appeal is out of scope: the employee reads it."))
        _move(a, "out_of_scope")
    a.handler, a.triaged_at, a.overdue_since = actor, timezone.now(), None
    _save(a)
    audit_record(actor=actor, action="appeals.triage", obj=a, before=before, after=_snap(a))
    notify([a.employee.user_id], title=(lambda: _("Your appeal is being reviewed")) if accept else
           (lambda: _("Your appeal was rejected as out of scope")), url=appeal_url(a.pk),
           dedupe=lambda uid: f"appeals:triage:{a.pk}:{uid}")
    return a


@transaction.atomic
def info_request(*, actor, appeal: Appeal, addressee: str, question: str, due_date: dt.date | None = None,
                 shared_with_manager: str | None = None, expected_version: int | None = None) -> InfoRequest:
    """HR asks the manager of record or the employee for information, with a due date. Asking the
    manager opens the appeal to them, limited to what HR shares (``shared_with_manager``)."""
    a = _lock(appeal)
    _require_hr(actor, a)
    check_version(a, expected_version)
    if a.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(_("Accept the appeal for review before asking for information."))
    if addressee not in Addressee.values:
        raise ApplicationError(_("Ask the manager or the employee."), field="addressee")
    question = _text(question, "question", _("Write the question."))
    today = timezone.localdate()
    due = due_date or _add_days(today, DEFAULT_INFO_DAYS)
    if due < today:
        raise ApplicationError(_("The due date cannot be in the past."), field="due_date")
    if addressee == Addressee.MANAGER:
        if not a.manager_id or not a.manager.user_id or not a.manager.is_active:
            raise ApplicationError(_("This appraisal has no manager of record with a login to ask."),
                                   field="addressee")
        user_id = a.manager.user_id
        if shared_with_manager is not None:
            a.shared_with_manager = shared_with_manager.strip()
        if not a.shared_with_manager:
            raise ApplicationError(_("Write what you share with the manager about the appeal."),
                                   field="shared_with_manager")
    else:
        user_id = a.employee.user_id
        if not user_id:
            raise ApplicationError(_("The employee has no login to answer."), field="addressee")
    before = _snap(a)
    req = InfoRequest(appeal=a, addressee=addressee, addressee_user_id=user_id, question=question, due_date=due,
                      requested_by=actor, version=0)
    _save(req)
    _save(a)
    audit_record(actor=actor, action="appeals.info_request", obj=req,
                 after={"appeal": a.pk, "addressee": addressee, "due_date": due.isoformat(), "question": question})
    audit_record(actor=actor, action="appeals.update", obj=a, before=before, after=_snap(a))
    notify([user_id], title=lambda: _("HR asks for information about an appeal, due %(date)s") % {
        "date": due.isoformat()}, url=appeal_url(a.pk), dedupe=lambda uid: f"appeals:info:{req.pk}:{uid}")
    return req


@transaction.atomic
def info_answer(*, actor, request: InfoRequest, answer: str, expected_version: int | None = None) -> InfoRequest:
    r = InfoRequest.objects.select_for_update(of=("self",)).select_related("appeal").filter(
        pk=getattr(request, "pk", request)).first()
    if r is None:
        raise NotFound(_("Not found."))
    access.require_read(actor, r.appeal)
    if r.addressee_user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person asked answers this request."))
    check_version(r, expected_version)
    if r.appeal.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(_("This appeal is closed: the request can no longer be answered."))
    if r.answered_at:
        raise TransitionNotAllowed(_("This request was answered already."))
    r.answer = _text(answer, "answer", _("Write the answer."))
    r.answered_at = timezone.now()
    _save(r)
    audit_record(actor=actor, action="appeals.info_answer", obj=r, after={"answer": r.answer})
    a = r.appeal
    notify([a.handler_id] if a.handler_id else hr_user_ids(), title=lambda: _("A request about an appeal was "
                                                                              "answered"),
           url=appeal_url(a.pk), dedupe=lambda uid: f"appeals:answered:{r.pk}:{uid}")
    return r


@transaction.atomic
def hearing_record(*, actor, appeal: Appeal, held_at: dt.datetime, notes: str,
                   expected_version: int | None = None) -> Appeal:
    a = _lock(appeal)
    _require_hr(actor, a)
    check_version(a, expected_version)
    if a.status != Status.IN_REVIEW:
        raise TransitionNotAllowed(_("A hearing is recorded while the appeal is in review."))
    if held_at is None or held_at > timezone.now():
        raise ApplicationError(_("Give when the hearing was held (not in the future)."), field="held_at")
    before = _snap(a)
    a.hearing_at, a.hearing_notes = held_at, _text(notes, "notes", _("Write the record of the hearing."))
    _save(a)
    audit_record(actor=actor, action="appeals.hearing", obj=a, before=before, after=_snap(a))
    return a


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, outcome: str, reasons: str, lines: list[dict] | None = None,
                  grade: str | None = None, accept_quota_breach: bool = False,
                  expected_version: int | None = None) -> Appeal:
    """HR decides: upheld, partly upheld or rejected, with written reasons the employee reads. An upheld or
    partly upheld decision may correct contested lines (corrected actual or score) and/or the grade, only
    through the appraisals' correction service. Two HR users deciding at once: one gets a conflict."""
    a = _lock(appeal)
    _require_hr(actor, a)
    check_version(a, expected_version)
    if a.status == Status.FILED:
        raise TransitionNotAllowed(_("Accept the appeal for review before deciding it."))
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose the outcome: upheld, partly upheld or rejected."), field="outcome")
    reasons = _text(reasons, "reasons", _("Write the reasons for the decision: the employee reads them."))
    lines = [e for e in (lines or []) if e]
    grade = (grade or "").strip() or None
    if outcome == Outcome.REJECTED and (lines or grade):
        raise ApplicationError(_("A rejected appeal changes nothing: remove the corrections, or uphold it."),
                               field="outcome")
    contested = set(a.contested_lines or [])
    for entry in lines:
        try:
            pk = int(entry.get("id"))
        except (TypeError, ValueError):
            raise ApplicationError(_("Choose lines of this appraisal."), field="lines")
        if pk not in contested:
            raise ApplicationError(_("Only the lines the appeal contests can be corrected."), field="lines")
    if grade and not a.contests_grade:
        raise ApplicationError(_("The appeal does not contest the grade: it cannot be changed here."),
                               field="grade")
    before = _snap(a)
    _move(a, "decide")
    if lines or grade:
        a.correction = appraisal_services.appraisal_result_correct(
            actor=actor, appraisal=a.appraisal, reason=reasons, reference=f"appeal:{a.pk}", lines=lines,
            grade=grade, accept_quota_breach=accept_quota_breach)
    a.outcome, a.decision_reasons = outcome, reasons
    a.decided_at, a.decided_by, a.overdue_since = timezone.now(), actor, None
    if not a.handler_id:
        a.handler = actor
    _save(a)
    audit_record(actor=actor, action="appeals.decide", obj=a, before=before, after=_snap(a))
    recipients = [a.employee.user_id]
    if a.manager_id and InfoRequest.objects.filter(appeal=a, addressee=Addressee.MANAGER).exists():
        recipients.append(a.manager.user_id)
    notify(recipients, title=lambda: _("The appeal was decided: %(outcome)s") % {
        "outcome": Outcome(a.outcome).label}, url=appeal_url(a.pk), dedupe=lambda uid: f"appeals:decided:{a.pk}:{uid}")
    return a
