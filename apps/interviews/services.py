"""Every write to feedback interviews: in a transaction, on locked rows, checked, audited; people are
told in their own language, and e-mails carry no content of the interview, only an absolute link."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, ScoreLine
from apps.appraisals.models import Status as AppraisalStatus
from apps.appraisals.signals import interview_signed
from apps.contracts.models import Contract, Indicator
from apps.contracts.models import Status as ContractStatus
from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.periods import Period
from apps.core.roles import HR_GROUP, is_hr
from apps.notifications.services import notification_create
from apps.org.models import Employee

from . import access, workdays
from .ics import interview_ics
from .models import (
    INTERVIEW_RULES,
    NEW_HIRE_DAYS,
    RECORD_EDITABLE,
    TRANSITIONS,
    Action,
    ActionKind,
    ActionStatus,
    Addendum,
    Agreement,
    CycleInterviewPolicy,
    Decision,
    EmployeePrep,
    GapCause,
    GoalTalk,
    Interview,
    ManagerPrep,
    OverduePolicy,
    Revision,
    ScheduleEntry,
    Status,
    View,
)

RECORD_FIELDS = ("held_at", "agreement", "agreement_comment", "progress_strengths", "gaps", "gap_causes",
                 "upward_feedback", "training_needs", "career_wishes")
AUDIT_FIELDS = ("status", "manager", "due_date", "overdue_since", "scheduled_at", "duration_minutes", "location",
                "video_link", *RECORD_FIELDS, "submitted_at", "signed_at", "disagreement", "disagreement_note",
                "version")
ACTION_FIELDS = ("kind", "what", "success_measure", "owner", "support_needed", "due_date")
REVISION_FIELDS = ("indicator", "title", "target", "unit", "standard", "weight", "note")
TEXT_LIMIT = 20000


# --- small helpers -------------------------------------------------------------------------------------

def _snap(i: Interview) -> dict:
    return snapshot(i, AUDIT_FIELDS)


def _clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            if field == "__all__":
                raise ApplicationError(" ".join(messages))
            label = str(obj._meta.get_field(field).verbose_name)
            raise ApplicationError(f"{label}: {' '.join(messages)}", field=field)
        raise ApplicationError(" ".join(exc.messages))


def _save(obj, *, fields: Iterable[str] | None = None) -> None:
    bump(obj)
    _clean(obj)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])


def _lock(interview_or_pk) -> Interview:
    pk = getattr(interview_or_pk, "pk", interview_or_pk)
    i = (Interview.objects.select_for_update(of=("self",))
         .select_related("employee", "employee__user", "manager", "manager__user", "appraisal", "cycle")
         .filter(pk=pk).first())
    if i is None:
        raise NotFound(_("Not found."))
    return i


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _move(i: Interview, action: str) -> None:
    """Apply the workflow move ``action`` (the one place the table is checked)."""
    sources, target = TRANSITIONS[action]
    if i.status not in sources:
        if i.status == Status.SIGNED:
            if action == "sign":
                raise TransitionNotAllowed(_("This record was already signed on %(when)s; it cannot be signed "
                                             "twice.") % {"when": timezone.localtime(i.signed_at).strftime("%Y-%m-%d")})
            raise TransitionNotAllowed(_("This record is signed and locked: add a dated addendum instead."))
        if action == "sign":
            raise TransitionNotAllowed(_("The manager has not submitted the record yet; there is nothing to sign."))
        if action == "submit":
            if i.status == Status.DUE:
                raise TransitionNotAllowed(_("Schedule the interview before writing its record."))
            raise TransitionNotAllowed(_("The record was already submitted; it waits for the employee's signature."))
        raise TransitionNotAllowed(_("This is not possible while the interview is “%(status)s”.")
                                   % {"status": _status_label(i.status)})
    i.status = target


def _text(value, label: str, field: str, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ApplicationError(_("%(label)s: please fill this in.") % {"label": label}, field=field)
    if len(text) > TEXT_LIMIT:
        raise ApplicationError(_("%(label)s is too long (at most %(n)s characters).")
                               % {"label": label, "n": TEXT_LIMIT}, field=field)
    return text


def _decimal(value, label: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    if not d.is_finite():
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    return d


def _date(value, label: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    d = parse_date(str(value).strip())
    if d is None:
        raise ApplicationError(_("%(label)s: “%(value)s” is not a date (write 2026-12-31).")
                               % {"label": label, "value": value}, field=field)
    return d


def _datetime(value, label: str, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        d = value
    else:
        try:
            d = parse_datetime(str(value).strip())
        except ValueError:
            d = None
        if d is None:
            raise ApplicationError(_("%(label)s: “%(value)s” is not a date and time (write 2026-12-31 14:30).")
                                   % {"label": label, "value": value}, field=field)
    if timezone.is_naive(d):
        d = timezone.make_aware(d)
    return d


# --- notifications: in the recipient's language, no content, an absolute link -------------------------

def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def interview_url(interview_id: int) -> str:
    return reverse("interviews:detail", args=[interview_id])


def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    from apps.accounts.models import UserPreference

    return dict(UserPreference.objects.filter(user_id__in=list(user_ids)).exclude(language="")
                .values_list("user_id", "language"))


def notify(user_ids: Iterable[int | None], *, title: Callable[[], str], url: str,
           dedupe: Callable[[int], str] | None = None,
           attachments: Callable[[], list[tuple[str, str, str]]] | None = None) -> int:
    """Tell each user once, in their own language. The body carries no content of the interview (it is
    confidential): the e-mail holds the title and the absolute link only."""
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
            note = notification_create(
                recipient=user, title=str(title()), url=url,
                body=str(_("The content is confidential: open the link to see it.")),
                dedupe_key=dedupe(uid) if dedupe else None, attachments=attachments() if attachments else None)
        sent += note is not None
    return sent


def hr_user_ids() -> set[int]:
    User = get_user_model()
    return set(User.objects.filter(groups__name=HR_GROUP, is_active=True).values_list("pk", flat=True))


# --- the interview becomes due --------------------------------------------------------------------------

def policy_for(cycle_id: int) -> CycleInterviewPolicy:
    """HR's policy of the cycle, or the defaults (unsaved) when HR has not set one."""
    return CycleInterviewPolicy.objects.filter(cycle_id=cycle_id).first() or CycleInterviewPolicy(cycle_id=cycle_id)


def _manager_of_record(appraisal: Appraisal) -> Employee | None:
    """The appraiser who scored it; if that person has left, the next active manager up from them (HR may
    name another with ``interview_reassign``); without an appraiser, the employee's supervisor."""
    person = appraisal.appraiser or appraisal.employee.supervisor
    seen = set()
    while person is not None and person.pk not in seen:
        if person.is_active and person.pk != appraisal.employee_id:
            return person
        seen.add(person.pk)
        person = Employee.objects.select_related("supervisor").filter(pk=person.supervisor_id).first()
    return None


def _create_due(appraisal: Appraisal, *, actor) -> Interview:
    manager = _manager_of_record(appraisal)
    if manager is None:
        raise ApplicationError(_("%(name)s has no active manager to hold the interview; HR names one first.")
                               % {"name": appraisal.employee.name})
    policy = policy_for(appraisal.cycle_id)
    published_on = timezone.localtime(appraisal.published_at or timezone.now()).date()
    i = Interview(appraisal=appraisal, cycle_id=appraisal.cycle_id, employee=appraisal.employee, manager=manager,
                  department_id=appraisal.department_id, period=appraisal.period, published_on=published_on,
                  due_date=workdays.add_working_days(published_on, policy.window_days))
    _clean(i)
    i.save()
    audit_record(actor=actor, action="interview.due", obj=i, after=_snap(i))
    url = interview_url(i.pk)
    due = i.due_date.isoformat()
    notify([manager.user_id], url=url, dedupe=lambda uid: f"interviews:due:{i.pk}:{uid}",
           title=lambda: _("Hold the feedback interview with %(name)s by %(due)s") % {
               "name": appraisal.employee.name, "due": due})
    notify([appraisal.employee.user_id], url=url, dedupe=lambda uid: f"interviews:due:{i.pk}:{uid}",
           title=lambda: _("Your feedback interview is due by %(due)s: prepare for it") % {"due": due})
    left = appraisal.appraiser_id and manager.pk != appraisal.appraiser_id
    if left:
        notify(hr_user_ids(), url=url, dedupe=lambda uid: f"interviews:manager-named:{i.pk}:{uid}",
               title=lambda: _("The appraiser of %(name)s has left: %(manager)s will hold the interview (change it "
                               "if needed)") % {"name": appraisal.employee.name, "manager": manager.name})
    return i


def interview_make_due(*, appraisal: Appraisal, actor=None) -> Interview | None:
    """Publication made the interview due (called inside the publishing transaction, once per appraisal).
    Idempotent: an appraisal that has its interview already gets nothing new. Never refuses publication:
    an employee without any manager is left for HR (listed on the completion page)."""
    if Interview.objects.filter(appraisal_id=appraisal.pk).exists():
        return None
    try:
        with transaction.atomic():
            return _create_due(appraisal, actor=actor)
    except ApplicationError:
        return None


@transaction.atomic
def interview_create(*, actor, appraisal: Appraisal) -> Interview:
    """Make the interview of a published appraisal due by hand (HR or the appraiser), e.g. for an appraisal
    published before this app existed. Refused before publication and for a second interview."""
    a = (Appraisal.objects.select_for_update(of=("self",))
         .select_related("employee", "employee__supervisor", "appraiser", "appraiser__supervisor")
         .filter(pk=appraisal.pk).first())
    if a is None:
        raise NotFound(_("Not found."))
    me = access.viewer_employee_id(actor)
    if not (is_hr(actor) or (me and me in (a.appraiser_id, a.employee.supervisor_id))):
        raise NotFound(_("Not found."))
    if a.status != AppraisalStatus.PUBLISHED:
        raise TransitionNotAllowed(_("The appraisal is not published yet: the interview is held after "
                                     "publication."), field="appraisal")
    if Interview.objects.filter(appraisal_id=a.pk).exists():
        raise ApplicationError(_("There is already a feedback interview for this appraisal."), field="appraisal")
    return _create_due(a, actor=actor)


@transaction.atomic
def interview_reassign(*, actor, interview: Interview, manager: Employee,
                       expected_version: int | None = None) -> Interview:
    """HR names the manager who holds the interview (the appraiser has left, or another reason)."""
    i = _lock(interview)
    access.require_role(actor, i, access.HR, _("Only HR names another manager for an interview."))
    check_version(i, expected_version)
    if i.is_locked:
        raise TransitionNotAllowed(_("This record is signed and locked: add a dated addendum instead."))
    if not manager.is_active or manager.pk == i.employee_id:
        raise ApplicationError(_("Choose an active manager other than the employee."), field="manager")
    if manager.pk == i.manager_id:
        return i
    before = _snap(i)
    i.manager = manager
    _save(i)
    audit_record(actor=actor, action="interview.reassign", obj=i, before=before, after=_snap(i))
    notify([manager.user_id], url=interview_url(i.pk),
           title=lambda: _("HR asks you to hold the feedback interview with %(name)s") % {"name": i.employee.name})
    return i


@transaction.atomic
def cycle_policy_set(*, actor, cycle, window_days: int, policy: str, remind_days_before: int = 2,
                     expected_version: int | None = None) -> CycleInterviewPolicy:
    """HR sets the interview window and overdue policy of a cycle; interviews not held yet get the new date."""
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR sets the interview window of a cycle."))
    p = CycleInterviewPolicy.objects.select_for_update().filter(cycle_id=cycle.pk).first()
    before = snapshot(p) if p else None
    if p is None:
        p = CycleInterviewPolicy(cycle_id=cycle.pk, version=0)
    else:
        check_version(p, expected_version)
    try:
        window_days, remind_days_before = int(window_days), int(remind_days_before)
    except (TypeError, ValueError):
        raise ApplicationError(_("Enter whole numbers of days."), field="window_days")
    if not 1 <= window_days <= 60:
        raise ApplicationError(_("The window is between 1 and 60 working days."), field="window_days")
    if not 0 <= remind_days_before <= 30:
        raise ApplicationError(_("Remind between 0 and 30 days before."), field="remind_days_before")
    if policy not in OverduePolicy.values:
        raise ApplicationError(_("Choose what happens when the window passes."), field="policy")
    p.window_days, p.policy, p.remind_days_before = window_days, policy, remind_days_before
    _save(p)
    audit_record(actor=actor, action="interview_policy.set", obj=p, before=before, after=snapshot(p))
    # interviews not held yet move to the new date: one UPDATE per publication day of the cycle
    open_qs = Interview.objects.filter(cycle_id=cycle.pk, status__in=[Status.DUE, Status.SCHEDULED])
    for day in open_qs.order_by().values_list("published_on", flat=True).distinct():
        new_due = workdays.add_working_days(day, window_days)
        open_qs.filter(published_on=day).exclude(due_date=new_due).update(due_date=new_due, overdue_since=None)
    return p


# --- scheduling -------------------------------------------------------------------------------------------

@transaction.atomic
def interview_schedule(*, actor, interview: Interview, scheduled_at, duration_minutes: int = 60,
                       location: str = "", video_link: str = "", reason: str = "",
                       expected_version: int | None = None) -> Interview:
    """The manager sets (or moves) the date, time and place or video link; both are told with an .ics
    invitation; every scheduling is kept in the history."""
    i = _lock(interview)
    access.require_role(actor, i, access.MANAGER, _("Only the manager who holds the interview schedules it."))
    check_version(i, expected_version)
    if i.appraisal.status != AppraisalStatus.PUBLISHED:
        raise TransitionNotAllowed(_("The appraisal is not published yet: the interview is held after "
                                     "publication."))
    if i.status not in TRANSITIONS["schedule"][0]:
        raise TransitionNotAllowed(_("The interview was held already: its record is written; it cannot be "
                                     "rescheduled."))
    when = _datetime(scheduled_at, _("Date and time"), "scheduled_at")
    if when is None:
        raise ApplicationError(_("Choose the date and time of the interview."), field="scheduled_at")
    if when <= timezone.now():
        raise ApplicationError(_("The date and time are in the past: choose a time from now on."),
                               field="scheduled_at")
    location = _text(location, _("Place"), "location")[:200]
    video_link = _text(video_link, _("Video link"), "video_link")
    if not location and not video_link:
        raise ApplicationError(_("Give a place or a video link."), field="location")
    try:
        duration = int(duration_minutes or 60)
    except (TypeError, ValueError):
        raise ApplicationError(_("The duration is a number of minutes."), field="duration_minutes")
    if not 10 <= duration <= 480:
        raise ApplicationError(_("The duration is between 10 and 480 minutes."), field="duration_minutes")
    rescheduling = i.status == Status.SCHEDULED
    if (rescheduling and i.scheduled_at == when and i.location == location and i.video_link == video_link
            and i.duration_minutes == duration):
        return i  # nothing moves
    before = _snap(i)
    _move(i, "schedule")
    i.scheduled_at, i.duration_minutes, i.location, i.video_link = when, duration, location, video_link
    _save(i)
    entry = ScheduleEntry(interview=i, scheduled_at=when, duration_minutes=duration, location=location,
                          video_link=video_link, reason=_text(reason, _("Reason"), "reason"),
                          created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _clean(entry, exclude=["interview"])
    entry.save()
    audit_record(actor=actor, action="interview.reschedule" if rescheduling else "interview.schedule", obj=i,
                 before=before, after={**_snap(i), "reason": entry.reason})
    sequence = ScheduleEntry.objects.filter(interview=i).count() - 1
    url = interview_url(i.pk)
    stamp = when.strftime("%Y%m%d%H%M")
    local = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")

    def invitation():
        return [("interview.ics", interview_ics(i, sequence=sequence, url=absolute_url(url)),
                 "text/calendar; method=REQUEST")]

    if rescheduling:
        title = lambda: _("Feedback interview moved to %(when)s") % {"when": local}  # noqa: E731
    else:
        title = lambda: _("Feedback interview scheduled for %(when)s") % {"when": local}  # noqa: E731
    notify([i.employee.user_id, i.manager.user_id], url=url, title=title, attachments=invitation,
           dedupe=lambda uid: f"interviews:scheduled:{i.pk}:{stamp}:{sequence}:{uid}")
    return i


# --- preparation --------------------------------------------------------------------------------------------

def _prep_open(i: Interview) -> None:
    if i.is_locked:
        raise TransitionNotAllowed(_("This record is signed and locked: add a dated addendum instead."))


@transaction.atomic
def manager_prep_save(*, actor, interview: Interview, checklist: list[str] | None = None,
                      private_notes: str | None = None, expected_version: int | None = None) -> ManagerPrep:
    """The manager's checklist of the ten rules and private notes (never shown to the employee or HR)."""
    i = _lock(interview)
    access.require_role(actor, i, access.MANAGER, _("Only the manager who holds the interview prepares here."))
    _prep_open(i)
    prep = ManagerPrep.objects.select_for_update().filter(interview=i).first() or ManagerPrep(interview=i, version=0)
    if prep.pk:
        check_version(prep, expected_version)
    if checklist is not None:
        known = [k for k, _label in INTERVIEW_RULES]
        unknown = [c for c in checklist if c not in known]
        if unknown:
            raise ApplicationError(_("Unknown interview rule: %(r)s") % {"r": ", ".join(unknown)}, field="checklist")
        prep.checklist = [k for k in known if k in checklist]
    if private_notes is not None:
        prep.private_notes = _text(private_notes, _("Private notes"), "private_notes")
    _save(prep)
    # the notes are private: the audit row says that they changed, not what they say
    audit_record(actor=actor, action="interview.manager_prep", obj=i,
                 after={"checklist": prep.checklist, "notes_length": len(prep.private_notes), "version": prep.version})
    return prep


def _line_views(i: Interview, views: list[dict]) -> list[dict]:
    ids = set(ScoreLine.objects.filter(appraisal_id=i.appraisal_id).values_list("pk", flat=True))
    out = []
    for n, v in enumerate(views or [], start=1):
        try:
            line = int(v.get("line"))
        except (TypeError, ValueError, AttributeError):
            raise ApplicationError(_("View %(n)s does not name a line of the appraisal.") % {"n": n}, field="line_views")
        if line not in ids:
            raise ApplicationError(_("View %(n)s does not name a line of the appraisal.") % {"n": n}, field="line_views")
        view = (v.get("view") or "").strip()
        because = _text(v.get("because"), _("Because"), "line_views")
        if not view and not because:
            continue
        if view not in View.values:
            raise ApplicationError(_("Choose agree or disagree for line %(n)s.") % {"n": n}, field="line_views")
        if view == View.DISAGREE and not because:
            raise ApplicationError(_("Say why you disagree with line %(n)s.") % {"n": n}, field="line_views")
        out.append({"line": line, "view": view, "because": because[:2000]})
    return out


def _proposals(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows or []:
        if not isinstance(row, dict):
            raise ApplicationError(_("A proposal is an indicator with a target and a note."), field="next_plan_proposals")
        item = {k: _text(row.get(k), k, "next_plan_proposals")[:300] for k in ("indicator", "target", "note")}
        if any(item.values()):
            if not item["indicator"]:
                raise ApplicationError(_("Each proposal for the next period names an indicator."),
                                       field="next_plan_proposals")
            out.append(item)
    return out[:20]


@transaction.atomic
def employee_prep_save(*, actor, interview: Interview, expected_version: int | None = None, **fields) -> EmployeePrep:
    """The employee's own preparation: a view per line, strengths and gaps, draft plans, proposals for the
    next period and feedback for the manager. Shared with the manager with ``employee_prep_share``."""
    i = _lock(interview)
    access.require_role(actor, i, access.EMPLOYEE, _("Only the employee writes this preparation."))
    _prep_open(i)
    allowed = {"line_views", "strengths", "gaps", "development_plan", "improvement_plan", "next_plan_proposals",
               "manager_feedback"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    prep = (EmployeePrep.objects.select_for_update().filter(interview=i).first()
            or EmployeePrep(interview=i, version=0))
    if prep.pk:
        check_version(prep, expected_version)
    before = snapshot(prep) if prep.pk else None
    if fields.get("line_views") is not None:
        prep.line_views = _line_views(i, fields["line_views"])
    if fields.get("next_plan_proposals") is not None:
        prep.next_plan_proposals = _proposals(fields["next_plan_proposals"])
    for key in ("strengths", "gaps", "development_plan", "improvement_plan", "manager_feedback"):
        if fields.get(key) is not None:
            setattr(prep, key, _text(fields[key], str(EmployeePrep._meta.get_field(key).verbose_name), key))
    _save(prep)
    audit_record(actor=actor, action="interview.employee_prep", obj=i, before=before, after=snapshot(prep))
    return prep


@transaction.atomic
def employee_prep_share(*, actor, interview: Interview, expected_version: int | None = None) -> EmployeePrep:
    """The employee shares the preparation with the manager (later edits stay visible to the manager)."""
    i = _lock(interview)
    access.require_role(actor, i, access.EMPLOYEE, _("Only the employee shares this preparation."))
    _prep_open(i)
    prep = EmployeePrep.objects.select_for_update().filter(interview=i).first()
    if prep is None:
        raise ApplicationError(_("Write your preparation first, then share it."))
    check_version(prep, expected_version)
    if prep.shared_at is not None:
        return prep
    prep.shared_at = timezone.now()
    _save(prep)
    audit_record(actor=actor, action="interview.employee_prep_share", obj=i, after={"shared_at": prep.shared_at})
    notify([i.manager.user_id], url=reverse("interviews:employee_prep", args=[i.pk]),
           dedupe=lambda uid: f"interviews:prep-shared:{i.pk}:{uid}",
           title=lambda: _("%(name)s shared the preparation for the feedback interview") % {"name": i.employee.name})
    return prep


# --- the record ---------------------------------------------------------------------------------------------

def _interview_day(i: Interview, held_at: dt.datetime | None) -> dt.date | None:
    when = held_at or i.scheduled_at
    return timezone.localtime(when).date() if when else None


def _actions(i: Interview, rows: list[dict], held_at) -> list[Action]:
    day = _interview_day(i, held_at)
    out = []
    for n, row in enumerate(rows or [], start=1):
        if not isinstance(row, dict):
            raise ApplicationError(_("Action %(n)s is not readable.") % {"n": n}, field="actions")
        what = _text(row.get("what"), _("What"), "actions")[:300]
        rest = [row.get(k) for k in ("success_measure", "owner", "support_needed", "due_date")]
        if not what and not any(rest):
            continue  # an empty row of the form
        if not what:
            raise ApplicationError(_("Action %(n)s: say what is to be done.") % {"n": n}, field="actions")
        kind = row.get("kind") or ActionKind.IMPROVEMENT
        if kind not in ActionKind.values:
            raise ApplicationError(_("Action %(n)s: unknown kind.") % {"n": n}, field="actions")
        owner_value = row.get("owner")
        if owner_value in ("employee", i.employee_id, str(i.employee_id)):
            owner = i.employee
        elif owner_value in ("manager", i.manager_id, str(i.manager_id)):
            owner = i.manager
        elif owner_value in (None, ""):
            raise ApplicationError(_("Action %(n)s (%(what)s) has no owner: say who does it.")
                                   % {"n": n, "what": what}, field="actions")
        else:
            raise ApplicationError(_("Action %(n)s: the owner is the employee or the manager.") % {"n": n},
                                   field="actions")
        due = _date(row.get("due_date"), _("Due date"), "actions")
        if due is None:
            raise ApplicationError(_("Action %(n)s (%(what)s) has no due date.") % {"n": n, "what": what},
                                   field="actions")
        if day is not None and due < day:
            raise ApplicationError(_("Action %(n)s (%(what)s) is due on %(due)s, before the interview (%(day)s).")
                                   % {"n": n, "what": what, "due": due.isoformat(), "day": day.isoformat()},
                                   field="actions")
        a = Action(interview=i, kind=kind, order=n, what=what, owner=owner, due_date=due,
                   success_measure=_text(row.get("success_measure"), _("Success measure"), "actions")[:300],
                   support_needed=_text(row.get("support_needed"), _("Support needed"), "actions")[:300])
        _clean(a, exclude=["interview"])
        out.append(a)
    return out


def _revisions(i: Interview, rows: list[dict]) -> list[Revision]:
    out = []
    for n, row in enumerate(rows or [], start=1):
        if not isinstance(row, dict):
            raise ApplicationError(_("Revision %(n)s is not readable.") % {"n": n}, field="revisions")
        ind = row.get("indicator")
        indicator = None
        if ind not in (None, ""):
            indicator = ind if isinstance(ind, Indicator) else Indicator.objects.filter(pk=ind).first()
            if indicator is None:
                raise ApplicationError(_("Revision %(n)s: unknown indicator.") % {"n": n}, field="revisions")
        title = _text(row.get("title"), _("Title"), "revisions")[:200]
        target = _decimal(row.get("target"), _("Target"), "revisions")
        weight = _decimal(row.get("weight"), _("Weight"), "revisions")
        texts = {k: _text(row.get(k), k, "revisions")[:300] for k in ("unit", "standard", "note")}
        if indicator is None and not title and target is None and weight is None and not any(texts.values()):
            continue
        if indicator is None and not title:
            raise ApplicationError(_("Revision %(n)s needs an indicator or a title.") % {"n": n}, field="revisions")
        if weight is not None and not Decimal(0) <= weight <= Decimal(100):
            raise ApplicationError(_("Revision %(n)s: the weight is between 0 and 100.") % {"n": n}, field="revisions")
        r = Revision(interview=i, order=n, indicator=indicator, title=title, target=target, weight=weight,
                     unit=texts["unit"][:30], standard=texts["standard"], note=texts["note"])
        _clean(r, exclude=["interview"])
        out.append(r)
    return out


def _actions_snapshot(i: Interview) -> list[dict]:
    return [snapshot(a, ACTION_FIELDS) for a in i.actions.all()]


def _revisions_snapshot(i: Interview) -> list[dict]:
    return [snapshot(r, REVISION_FIELDS) for r in i.revisions.all()]


@transaction.atomic
def record_save(*, actor, interview: Interview, expected_version: int | None = None,
                actions: list[dict] | None = None, revisions: list[dict] | None = None, **fields) -> Interview:
    """The manager writes the record during or right after the meeting (until the employee signs).
    ``actions`` and ``revisions``, when given, replace the lists. A stale version is a conflict."""
    i = _lock(interview)
    access.require_role(actor, i, access.MANAGER, _("Only the manager who holds the interview writes its record."))
    check_version(i, expected_version)
    if i.status not in RECORD_EDITABLE:
        if i.is_locked:
            raise TransitionNotAllowed(_("This record is signed and locked: add a dated addendum instead."))
        raise TransitionNotAllowed(_("Schedule the interview before writing its record."))
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = {**_snap(i), "actions": _actions_snapshot(i), "revisions": _revisions_snapshot(i)}
    if "held_at" in fields:
        held = _datetime(fields["held_at"], _("Held at"), "held_at")
        if held is not None and held > timezone.now() + dt.timedelta(minutes=5):
            raise ApplicationError(_("The interview cannot be recorded as held in the future."), field="held_at")
        i.held_at = held
    if "agreement" in fields:
        if fields["agreement"] not in ("", None, *Agreement.values):
            raise ApplicationError(_("Choose agree, partly or disagree."), field="agreement")
        i.agreement = fields["agreement"] or ""
    if "gap_causes" in fields:
        causes = list(fields["gap_causes"] or [])
        bad = [c for c in causes if c not in GapCause.values]
        if bad:
            raise ApplicationError(_("Unknown cause of a gap: %(c)s") % {"c": ", ".join(map(str, bad))},
                                   field="gap_causes")
        i.gap_causes = [c for c in GapCause.values if c in causes]
    for key in ("agreement_comment", "progress_strengths", "gaps", "upward_feedback", "training_needs",
                "career_wishes"):
        if key in fields:
            setattr(i, key, _text(fields[key], str(Interview._meta.get_field(key).verbose_name), key))
    new_actions = _actions(i, actions, i.held_at) if actions is not None else None
    new_revisions = _revisions(i, revisions) if revisions is not None else None
    _save(i)
    if new_actions is not None:
        Action.objects.filter(interview=i).delete()
        Action.objects.bulk_create(new_actions)
    if new_revisions is not None:
        Revision.objects.filter(interview=i).delete()
        Revision.objects.bulk_create(new_revisions)
    audit_record(actor=actor, action="interview.record_save", obj=i, before=before,
                 after={**_snap(i), "actions": _actions_snapshot(i), "revisions": _revisions_snapshot(i)})
    if i.status == Status.SUBMITTED:
        notify([i.employee.user_id], url=reverse("interviews:record", args=[i.pk]),
               dedupe=lambda uid: f"interviews:record-changed:{i.pk}:{i.version}:{uid}",
               title=lambda: _("The record of your feedback interview was changed before your signature"))
    return i


@transaction.atomic
def record_submit(*, actor, interview: Interview, expected_version: int | None = None) -> Interview:
    """The manager signs and submits the record; the employee reviews and signs it."""
    i = _lock(interview)
    access.require_role(actor, i, access.MANAGER, _("Only the manager who holds the interview submits its record."))
    check_version(i, expected_version)
    missing = []
    if i.held_at is None:
        missing.append(str(Interview._meta.get_field("held_at").verbose_name))
    if not i.agreement:
        missing.append(str(Interview._meta.get_field("agreement").verbose_name))
    if i.status in TRANSITIONS["submit"][0] and missing:
        raise ApplicationError(_("The record is not complete: %(fields)s.") % {"fields": ", ".join(missing)},
                               field="held_at" if i.held_at is None else "agreement")
    before = _snap(i)
    _move(i, "submit")
    i.submitted_at, i.submitted_by = timezone.now(), actor
    i.overdue_since = None
    _save(i)
    audit_record(actor=actor, action="interview.submit", obj=i, before=before, after=_snap(i))
    notify([i.employee.user_id], url=reverse("interviews:record", args=[i.pk]),
           dedupe=lambda uid: f"interviews:submitted:{i.pk}:{uid}",
           title=lambda: _("Review and sign the record of your feedback interview"))
    return i


def appeal_url(appraisal_id: int) -> str:
    """The appeals app's "new appeal" page for the appraisal, when that app is installed (it sits on the
    same layer, so it is linked by URL name only)."""
    from django.urls import NoReverseMatch

    for kwargs in ({"args": [appraisal_id]}, {"kwargs": {"appraisal": appraisal_id}},
                   {"kwargs": {"appraisal_id": appraisal_id}}):
        try:
            return reverse("appeals:new", **kwargs)
        except NoReverseMatch:
            continue
    return ""


@transaction.atomic
def record_sign(*, actor, interview: Interview, disagreement: bool = False, note: str = "",
                expected_version: int | None = None) -> Interview:
    """The employee signs the record, or signs with a disagreement noted (which opens the way to an appeal).
    The record is then locked; the ``interview_signed`` signal tells the appeals app."""
    i = _lock(interview)
    access.require_role(actor, i, access.EMPLOYEE, _("Only the employee signs the record of the interview."))
    check_version(i, expected_version)
    note = _text(note, _("Disagreement"), "note")
    if disagreement and not note:
        raise ApplicationError(_("Say what you disagree with."), field="note")
    before = _snap(i)
    _move(i, "sign")
    i.signed_at, i.signed_by = timezone.now(), actor
    i.disagreement, i.disagreement_note = bool(disagreement), note if disagreement else ""
    _save(i)
    audit_record(actor=actor, action="interview.sign", obj=i, before=before, after=_snap(i))
    interview_signed.send(sender=Interview, appraisal=i.appraisal, signed_at=i.signed_at,
                          disagreement=i.disagreement)
    url = reverse("interviews:record", args=[i.pk])
    if i.disagreement:
        notify([i.manager.user_id, *hr_user_ids()], url=url, dedupe=lambda uid: f"interviews:signed:{i.pk}:{uid}",
               title=lambda: _("%(name)s signed the interview record with a disagreement noted")
               % {"name": i.employee.name})
    else:
        notify([i.manager.user_id], url=url, dedupe=lambda uid: f"interviews:signed:{i.pk}:{uid}",
               title=lambda: _("%(name)s signed the interview record") % {"name": i.employee.name})
    return i


@transaction.atomic
def addendum_add(*, actor, interview: Interview, text: str) -> Addendum:
    """A dated addition to a signed record by the employee, the manager or HR; the record stays as signed."""
    i = _lock(interview)
    roles = access.require_read(actor, i)
    if not i.is_locked:
        raise TransitionNotAllowed(_("The record is not signed yet: change the record itself instead of adding "
                                     "an addendum."))
    text = _text(text, _("Addendum"), "text", required=True)
    role = next(r for r in (access.EMPLOYEE, access.MANAGER, access.HR) if r in roles)
    add = Addendum(interview=i, author=actor, author_role=role, text=text)
    _clean(add, exclude=["interview", "author"])
    add.save()
    audit_record(actor=actor, action="interview.addendum", obj=i, after={"addendum": add.pk, "role": role,
                                                                         "text": text})
    others = {i.employee.user_id, i.manager.user_id} - {actor.pk}
    notify(others, url=reverse("interviews:record", args=[i.pk]),
           dedupe=lambda uid: f"interviews:addendum:{add.pk}:{uid}",
           title=lambda: _("An addendum was added to a signed interview record"))
    return add


# --- feed forward: actions ----------------------------------------------------------------------------------

def _lock_action(action: Action) -> tuple[Action, Interview]:
    interview_id = Action.objects.filter(pk=action.pk).values_list("interview_id", flat=True).first()
    if interview_id is None:
        raise NotFound(_("Not found."))
    i = _lock(interview_id)
    a = Action.objects.select_for_update(of=("self",)).select_related("owner").get(pk=action.pk)
    a.interview = i
    return a, i


def _require_signed_for_tracking(i: Interview) -> None:
    if not i.is_locked:
        raise TransitionNotAllowed(_("Actions are tracked once the employee has signed the record."))


@transaction.atomic
def action_progress(*, actor, action: Action, progress: int, note: str = "",
                    expected_version: int | None = None) -> Action:
    """The employee (or the action's owner) updates its progress."""
    a, i = _lock_action(action)
    roles = access.require_read(actor, i)
    me = access.viewer_employee_id(actor)
    if access.EMPLOYEE not in roles and a.owner_id != me:
        raise PermissionDenied(_("The employee updates the progress of the actions."))
    check_version(a, expected_version)
    _require_signed_for_tracking(i)
    if a.status == ActionStatus.DONE:
        raise TransitionNotAllowed(_("This action is completed and confirmed."))
    try:
        progress = int(progress)
    except (TypeError, ValueError):
        raise ApplicationError(_("Progress is a percentage from 0 to 100."), field="progress")
    if not 0 <= progress <= 100:
        raise ApplicationError(_("Progress is a percentage from 0 to 100."), field="progress")
    before = snapshot(a, ("progress", "progress_note", "status", "version"))
    a.progress, a.progress_note = progress, _text(note, _("Note"), "note")
    a.progress_updated_at = timezone.now()
    _save(a)
    audit_record(actor=actor, action="interview.action_progress", obj=a, before=before,
                 after=snapshot(a, ("progress", "progress_note", "status", "version")))
    if a.progress >= 100:
        notify([i.manager.user_id], url=reverse("interviews:actions"),
               dedupe=lambda uid: f"interviews:action-done:{a.pk}:{uid}",
               title=lambda: _("%(name)s reports an action as done: confirm it") % {"name": i.employee.name})
    return a


@transaction.atomic
def action_confirm(*, actor, action: Action, expected_version: int | None = None) -> Action:
    """The manager confirms that the action is completed."""
    a, i = _lock_action(action)
    access.require_role(actor, i, access.MANAGER, _("The manager who held the interview confirms completion."))
    check_version(a, expected_version)
    _require_signed_for_tracking(i)
    if a.status == ActionStatus.DONE:
        return a
    before = snapshot(a, ("progress", "status", "version"))
    a.status, a.progress, a.confirmed_at, a.confirmed_by = ActionStatus.DONE, 100, timezone.now(), actor
    _save(a)
    audit_record(actor=actor, action="interview.action_confirm", obj=a, before=before,
                 after=snapshot(a, ("progress", "status", "version")))
    notify([i.employee.user_id], url=reverse("interviews:actions"),
           dedupe=lambda uid: f"interviews:action-confirmed:{a.pk}:{uid}",
           title=lambda: _("Your manager confirmed an action as completed"))
    return a


# --- feed forward: the next contract ------------------------------------------------------------------------

def next_contract_period(i: Interview) -> tuple[Period | None, Contract | None, str]:
    """The period whose contract takes the revisions: the first period after the appraised one without a
    signed (or proposed) contract. Returns (period, the existing editable contract or None, a reason when
    there is none)."""
    emp = i.employee
    level = emp.position.job_level if emp.position_id else None
    if level is None:
        return None, None, _("%(name)s has no position with a job level.") % {"name": emp.name}
    first_day = Period.parse(i.period).end + dt.timedelta(days=1)
    p = Period.containing(level.review_frequency, first_day)
    for _n in range(6):
        c = Contract.objects.filter(employee_id=emp.pk, period=p.code, is_latest=True).first()
        if c is None or c.status in (ContractStatus.DRAFT, ContractStatus.RETURNED):
            return p, c, ""
        if c.status == ContractStatus.PROPOSED:
            return None, c, _("The contract for %(period)s has been proposed and waits for signatures: withdraw it "
                              "first to add the revision.") % {"period": p.code}
        p = p.next()
    return None, None, _("The next contracts are signed already.")


def _apply_revision(actor, i: Interview, r: Revision) -> Contract:
    from apps.contracts import services as contract_services

    period, contract, reason = next_contract_period(i)
    if period is None:
        raise TransitionNotAllowed(reason)
    if contract is None:
        contract = contract_services.contract_draft(actor=actor, employee=i.employee, period=period.code,
                                                    appraiser=i.manager)
    note = _("From the feedback interview of %(period)s") % {"period": i.period}
    if r.note:
        note = f"{note}: {r.note}"
    lines = list(contract.lines.all())
    match = next((ln for ln in lines if r.indicator_id and ln.indicator_id == r.indicator_id), None)
    if match is None and r.title:
        match = next((ln for ln in lines if not ln.indicator_id and ln.title == r.title), None)
    changes = {k: v for k, v in (("target", r.target), ("unit", r.unit), ("standard", r.standard),
                                 ("weight", r.weight)) if v not in (None, "")}
    if match is not None:
        rows = [{"id": ln.pk} for ln in lines]
        for row in rows:
            if row["id"] == match.pk:
                row.update(changes)
                row["notes"] = f"{match.notes}\n{note}".strip() if match.notes else note
        contract_services.contract_update(actor=actor, contract=contract, lines=rows)
    else:
        contract_services.contract_line_add(actor=actor, contract=contract, indicator=r.indicator,
                                            title=r.title if not r.indicator_id else "", notes=note, **changes)
    return Contract.objects.get(pk=contract.pk)


@transaction.atomic
def revision_decide(*, actor, revision: Revision, decision: str, expected_version: int | None = None,
                    **edits) -> Revision:
    """The manager accepts a revision (as agreed, or edited: target, unit, standard, weight, title) into the
    next contract draft, which is drafted when there is none yet, or drops it."""
    interview_id = Revision.objects.filter(pk=revision.pk).values_list("interview_id", flat=True).first()
    if interview_id is None:
        raise NotFound(_("Not found."))
    i = _lock(interview_id)
    access.require_role(actor, i, access.MANAGER, _("The manager who held the interview decides the revisions."))
    r = Revision.objects.select_for_update(of=("self",)).select_related("indicator").get(pk=revision.pk)
    check_version(r, expected_version)
    _require_signed_for_tracking(i)
    if r.decision != Decision.PENDING:
        if r.decision == decision or (decision == "accept" and r.decision == Decision.ACCEPTED):
            return r
        raise TransitionNotAllowed(_("This revision was decided already (%(d)s).") % {"d": r.get_decision_display()})
    before = snapshot(r)
    if decision == "drop":
        r.decision = Decision.DROPPED
    elif decision == "accept":
        unknown = set(edits) - {"target", "unit", "standard", "weight", "title"}
        if unknown:
            raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
        if "target" in edits:
            r.target = _decimal(edits["target"], _("Target"), "target")
        if "weight" in edits:
            r.weight = _decimal(edits["weight"], _("Weight"), "weight")
            if r.weight is not None and not Decimal(0) <= r.weight <= Decimal(100):
                raise ApplicationError(_("The weight is between 0 and 100."), field="weight")
        for key, limit in (("unit", 30), ("standard", 300), ("title", 200)):
            if key in edits:
                setattr(r, key, _text(edits[key], key, key)[:limit])
        if not r.indicator_id and not r.title:
            raise ApplicationError(_("A revision needs an indicator or a title."), field="title")
        r.contract = _apply_revision(actor, i, r)
        r.decision = Decision.ACCEPTED
    else:
        raise ApplicationError(_("Accept or drop the revision."), field="decision")
    r.decided_at, r.decided_by = timezone.now(), actor
    _save(r)
    audit_record(actor=actor, action=f"interview.revision_{r.decision}", obj=r, before=before, after=snapshot(r))
    return r


# --- new hires: discuss the position goals -------------------------------------------------------------------

def is_new_hire(employee: Employee, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return employee.hire_date is not None and (today - employee.hire_date).days <= NEW_HIRE_DAYS


@transaction.atomic
def goal_talk_record(*, actor, employee: Employee, held_on, note: str = "") -> GoalTalk:
    """The direct manager records that the position goals were discussed with a new employee; the employee
    then acknowledges it. Once per position."""
    emp = (Employee.objects.select_for_update(of=("self",)).select_related("position", "supervisor")
           .filter(pk=employee.pk).first())
    me = access.viewer_employee_id(actor)
    if emp is None or not (me and emp.supervisor_id == me) and not is_hr(actor):
        raise NotFound(_("Not found."))
    if not (me and emp.supervisor_id == me):
        raise PermissionDenied(_("The direct manager discusses the position goals with the new employee."))
    if not emp.is_active:
        raise ApplicationError(_("%(name)s has left the company.") % {"name": emp.name})
    if GoalTalk.objects.filter(employee=emp, position_id=emp.position_id).exists():
        raise ApplicationError(_("The position goals of %(name)s were discussed already.") % {"name": emp.name})
    day = _date(held_on, _("Discussed on"), "held_on")
    if day is None:
        raise ApplicationError(_("When were the goals discussed?"), field="held_on")
    if day > timezone.localdate():
        raise ApplicationError(_("The discussion cannot be in the future."), field="held_on")
    talk = GoalTalk(employee=emp, manager_id=me, position=emp.position, held_on=day,
                    note=_text(note, _("What was agreed"), "note"), recorded_by=actor)
    _clean(talk)
    talk.save()
    audit_record(actor=actor, action="goal_talk.record", obj=talk, after=snapshot(talk))
    notify([emp.user_id], url=reverse("interviews:goal_talks"), dedupe=lambda uid: f"interviews:goal-talk:{talk.pk}:{uid}",
           title=lambda: _("Acknowledge the discussion of your position goals"))
    return talk


@transaction.atomic
def goal_talk_acknowledge(*, actor, talk: GoalTalk, note: str = "", expected_version: int | None = None) -> GoalTalk:
    t = GoalTalk.objects.select_for_update(of=("self",)).select_related("employee").filter(pk=talk.pk).first()
    me = access.viewer_employee_id(actor)
    if t is None or not (me and me in (t.employee_id, t.manager_id) or is_hr(actor)):
        raise NotFound(_("Not found."))
    if t.employee_id != me:
        raise PermissionDenied(_("Only the employee acknowledges the discussion."))
    check_version(t, expected_version)
    if t.acknowledged_at is not None:
        return t
    t.acknowledged_at = timezone.now()
    t.acknowledgement_note = _text(note, _("Note"), "note")
    _save(t)
    audit_record(actor=actor, action="goal_talk.acknowledge", obj=t, after=snapshot(t))
    return t
