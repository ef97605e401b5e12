"""Every write to cycles and appraisals: in a transaction, on locked rows, checked, audited.

Cycle opening, the actuals upload and the deadlines engine live in ``opening.py``,
``uploads.py`` and ``deadlines.py``; they use the helpers here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.contracts.periods import Period
from apps.contracts.scoring import ScoringError, fmt_number
from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.roles import HR_GROUP, is_hr
from apps.notifications.services import notification_create
from apps.org.models import Department, Employee, JobLevel, ReviewFrequency

from . import grading, permissions, signals
from .models import (
    AWAITING,
    CYCLE_TRANSITIONS,
    DATA_KINDS,
    DEFAULT_POLICIES,
    EDITS,
    STAGE_ORDER,
    TRANSITIONS,
    Appraisal,
    Collection,
    Cycle,
    CycleBlocker,
    CycleSchedule,
    CycleStage,
    CycleStatus,
    Policy,
    ScoreLine,
    Stage,
    Status,
)

# --- small helpers -----------------------------------------------------------------------------------

LINE_SCORE_FIELDS = ("score", "attainment", "explanation_zh", "explanation_en", "score_source", "scored_at")
AUDIT_LINE_FIELDS = ("collection", "actual", "done_date", "milestones_done", "evidence", "return_reason",
                     "self_score", "self_comment", "manager_score", "manager_comment", "score", "attainment",
                     "score_source", "explanation_zh", "version")
AUDIT_APPRAISAL_FIELDS = ("status", "lines_pending", "lines_returned", "verified_automatically", "self_comment",
                          "self_not_submitted", "manager_comment", "manager_not_submitted", "results_score",
                          "behaviour_score", "plan_score", "total_score", "grade", "calibrated_grade",
                          "calibration_not_held", "overdue_stage", "version")


def _snap_line(line: ScoreLine) -> dict:
    return snapshot(line, AUDIT_LINE_FIELDS)


def _snap(appraisal: Appraisal) -> dict:
    return snapshot(appraisal, AUDIT_APPRAISAL_FIELDS)


def _lock(appraisal_or_pk) -> Appraisal:
    pk = getattr(appraisal_or_pk, "pk", appraisal_or_pk)
    a = (Appraisal.objects.select_for_update(of=("self",))
         .select_related("cycle", "employee", "employee__user", "appraiser", "appraiser__user", "department")
         .filter(pk=pk).first())
    if a is None:
        raise NotFound(_("Not found."))
    return a


def _lock_line(line_or_pk) -> tuple[ScoreLine, Appraisal]:
    """Lock the appraisal first, then its line (always in this order: no deadlocks)."""
    pk = getattr(line_or_pk, "pk", line_or_pk)
    appraisal_id = ScoreLine.objects.filter(pk=pk).values_list("appraisal_id", flat=True).first()
    if appraisal_id is None:
        raise NotFound(_("Not found."))
    appraisal = _lock(appraisal_id)
    line = ScoreLine.objects.select_for_update(of=("self",)).select_related("data_source").get(pk=pk)
    line.appraisal = appraisal
    return line, appraisal


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _refusal(action: str, status: str) -> str:
    """The plain reason why ``action`` is not possible in ``status``."""
    if status == Status.PUBLISHED:
        return _("This appraisal is published and locked; it can only be changed through an appeal.")
    before_verify = status == Status.COLLECTING
    if action in ("submit_scores", "manager_score"):
        if before_verify:
            return _("Scoring before verification is not allowed: the actuals of this appraisal have not been "
                     "verified yet.")
        if status == Status.VERIFIED:
            return _("The manager scores after the employee's self-assessment, which has not been submitted yet.")
        return _("The manager's scores of this appraisal were already submitted.")
    if action in ("submit_self", "self_score"):
        if before_verify:
            return _("The self-assessment opens once the actuals are verified; they are still being collected.")
        return _("The self-assessment of this appraisal was already submitted.")
    if action == "verify":
        return _("This appraisal was verified already; it is now “%(status)s”.") % {"status": _status_label(status)}
    if action == "return":
        return _("Lines can be returned for re-collection only until the self-assessment starts; this appraisal "
                 "is “%(status)s”.") % {"status": _status_label(status)}
    if action == "actual":
        return _("The actuals of this appraisal are verified; HR must return the line for re-collection before "
                 "it can be changed.")
    if action == "publish":
        return _("Only scored appraisals can be published; this one is “%(status)s”.") % {
            "status": _status_label(status)}
    if action == "calibrate":
        return _("Only scored appraisals can be calibrated; this one is “%(status)s”.") % {
            "status": _status_label(status)}
    return _("This is not possible while the appraisal is “%(status)s”.") % {"status": _status_label(status)}


def _move(appraisal: Appraisal, action: str) -> bool:
    """Apply the transition ``action`` (the one place the table is checked). Returns False for a no-op
    move (already in the target state), raises TransitionNotAllowed for an illegal one."""
    sources, target = TRANSITIONS[action]
    if appraisal.status not in sources:
        if appraisal.status == target:
            return False
        raise TransitionNotAllowed(_refusal(action, appraisal.status),
                                   extra={"status": appraisal.status, "action": action})
    if appraisal.status != target:
        appraisal.overdue_stage, appraisal.overdue_since = "", None
    appraisal.status = target
    return True


def _require_edit(appraisal: Appraisal, edit: str) -> None:
    if appraisal.status not in EDITS[edit]:
        raise TransitionNotAllowed(_refusal(edit, appraisal.status), extra={"status": appraisal.status})


def _move_cycle(cycle: Cycle, action: str) -> bool:
    sources, target = CYCLE_TRANSITIONS[action]
    if cycle.status not in sources:
        if cycle.status == target:
            return False
        raise TransitionNotAllowed(
            _("This cycle is “%(status)s”; that step is not possible now.") % {
                "status": CycleStatus(cycle.status).label})
    cycle.status = target
    return True


def _save(obj, *, fields: Iterable[str] | None = None) -> None:
    bump(obj)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])


def recount_scope(scope) -> None:
    """Recompute the lines awaiting actuals and the returned lines of the appraisals of ``scope`` (a
    queryset): one UPDATE."""

    def counter(statuses):
        sub = (ScoreLine.objects.filter(appraisal_id=OuterRef("pk"), collection__in=list(statuses))
               .order_by().values("appraisal_id").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    scope.update(lines_pending=counter(AWAITING), lines_returned=counter([Collection.RETURNED]))


def recount(appraisal_ids: Iterable[int]) -> None:
    """Recompute the counters of these appraisals: one UPDATE."""
    ids = list(appraisal_ids)
    if ids:
        recount_scope(Appraisal.objects.filter(pk__in=ids))


def _refresh_counts(appraisal: Appraisal) -> None:
    recount([appraisal.pk])
    appraisal.lines_pending, appraisal.lines_returned = (
        Appraisal.objects.filter(pk=appraisal.pk).values_list("lines_pending", "lines_returned").get())


# --- notifications -----------------------------------------------------------------------------------

def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    from apps.accounts.models import UserPreference

    return dict(UserPreference.objects.filter(user_id__in=list(user_ids)).exclude(language="")
                .values_list("user_id", "language"))


def notify(user_ids: Iterable[int | None], *, title: Callable[[], str], body: Callable[[], str] | None = None,
           url: str = "", dedupe: Callable[[int], str] | None = None) -> int:
    """Notify each user once, in the user's own language. Returns how many notifications were created."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return 0
    User = get_user_model()
    users = User.objects.in_bulk(ids)
    langs = _languages(ids)
    sent = 0
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        with translation.override(langs.get(uid) or settings.LANGUAGE_CODE):
            note = notification_create(recipient=user, title=str(title()), body=str(body()) if body else "",
                                       url=url, dedupe_key=dedupe(uid) if dedupe else None)
        sent += note is not None
    return sent


def data_owner_user_ids(department_ids: Iterable[int]) -> dict[int, set[int]]:
    """The users who answer for a data-source department: its head, or everyone in it without a head."""
    ids = [d for d in set(department_ids) if d]
    out: dict[int, set[int]] = {d: set() for d in ids}
    if not ids:
        return out
    heads = dict(Department.objects.filter(pk__in=ids, head__user__isnull=False, head__is_active=True)
                 .values_list("pk", "head__user_id"))
    for d, u in heads.items():
        out[d].add(u)
    headless = [d for d in ids if d not in heads]
    if headless:
        for d, u in (Employee.objects.filter(department_id__in=headless, is_active=True, user__isnull=False)
                     .values_list("department_id", "user_id")):
            out[d].add(u)
    return out


def hr_user_ids() -> set[int]:
    User = get_user_model()
    return set(User.objects.filter(groups__name=HR_GROUP, is_active=True).values_list("pk", flat=True))


def appraisal_url(appraisal_id: int) -> str:
    return reverse("appraisals:detail", args=[appraisal_id])


# --- cycles ------------------------------------------------------------------------------------------

def _scope_key(departments: Iterable[Department]) -> str:
    return ",".join(str(d) for d in sorted({d.pk for d in departments}))


def _check_deadlines(deadlines: dict, policies: dict) -> None:
    missing = [s for s in STAGE_ORDER if not deadlines.get(s)]
    if missing:
        raise ApplicationError(_("Give a deadline for every stage (missing: %(stages)s).") % {
            "stages": ", ".join(str(Stage(s).label) for s in missing)}, field=f"due_{missing[0]}")
    previous = None
    for s in STAGE_ORDER:
        if previous is not None and deadlines[s] < deadlines[previous]:
            raise ApplicationError(
                _("The deadline of “%(stage)s” (%(date)s) is before the one of “%(prev)s” (%(prev_date)s): stages "
                  "follow each other.") % {"stage": Stage(s).label, "date": deadlines[s].isoformat(),
                                           "prev": Stage(previous).label,
                                           "prev_date": deadlines[previous].isoformat()},
                field=f"due_{s}")
        previous = s
    for s, p in (policies or {}).items():
        if s not in Stage.values or p not in Policy.values:
            raise ApplicationError(_("Unknown stage policy “%(policy)s”.") % {"policy": p}, field=f"policy_{s}")


@transaction.atomic
def cycle_create(*, actor, period: str, frequency: str, job_levels: Iterable[JobLevel] | None = None,
                 departments: Iterable[Department] = (), deadlines: dict, policies: dict | None = None,
                 grade_bands: list[dict] | None = None, requires_calibration: bool = False, title: str = "",
                 remind_days_before: int = 2, is_routine: bool = False) -> Cycle:
    """HR creates a cycle (draft). The population is the job levels whose review frequency matches
    (all of them when ``job_levels`` is None), optionally narrowed to departments (and below)."""
    if actor is not None:
        permissions.require_hr(actor)
    if frequency not in ReviewFrequency.values:
        raise ApplicationError(_("Unknown review frequency."), field="frequency")
    p = Period.parse(period)
    if p.frequency != frequency:
        raise ApplicationError(
            _("%(period)s is not a %(frequency)s period.") % {"period": p.code,
                                                              "frequency": ReviewFrequency(frequency).label},
            field="period")
    levels = list(job_levels) if job_levels is not None else list(JobLevel.objects.filter(review_frequency=frequency))
    wrong = [lvl for lvl in levels if lvl.review_frequency != frequency]
    if wrong:
        raise ApplicationError(
            _("%(levels)s are appraised %(their)s, not %(frequency)s.") % {
                "levels": ", ".join(str(lvl.name) for lvl in wrong),
                "their": ReviewFrequency(wrong[0].review_frequency).label,
                "frequency": ReviewFrequency(frequency).label}, field="job_levels")
    if not levels:
        raise ApplicationError(_("No job level is appraised %(frequency)s: the cycle would have nobody in it.")
                               % {"frequency": ReviewFrequency(frequency).label}, field="job_levels")
    departments = list(departments)
    key = _scope_key(departments)
    existing = Cycle.objects.filter(period=p.code, frequency=frequency, scope_key=key).first()
    if existing is not None:
        raise ApplicationError(_("A cycle for %(period)s with this population already exists: %(cycle)s.")
                               % {"period": p.label, "cycle": existing.display_title}, field="period")
    deadlines = {str(k): v for k, v in deadlines.items()}
    policies = {str(k): v for k, v in (policies or {}).items()}
    _check_deadlines(deadlines, policies)
    bands = grading.validate_grade_bands(grade_bands) if grade_bands is not None else None
    cycle = Cycle(title=title, period=p.code, frequency=frequency, scope_key=key, is_routine=is_routine,
                  requires_calibration=requires_calibration,
                  created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if bands is not None:
        cycle.grade_bands = bands
    cycle.full_clean()
    cycle.save()
    cycle.job_levels.set(levels)
    cycle.departments.set(departments)
    CycleStage.objects.bulk_create([
        CycleStage(cycle=cycle, stage=s, due_date=deadlines[s], policy=policies.get(s, DEFAULT_POLICIES[s]),
                   remind_days_before=remind_days_before) for s in STAGE_ORDER])
    audit_record(actor=actor, action="cycle.create", obj=cycle, after={
        **snapshot(cycle), "job_levels": [lvl.pk for lvl in levels], "departments": [d.pk for d in departments],
        "deadlines": {s: deadlines[s] for s in STAGE_ORDER}, "policies": policies})
    return cycle


@transaction.atomic
def cycle_update(*, actor, cycle: Cycle, expected_version: int | None = None, title: str | None = None,
                 deadlines: dict | None = None, policies: dict | None = None, grade_bands: list[dict] | None = None,
                 requires_calibration: bool | None = None) -> Cycle:
    """Change deadlines and policies (until published); grade bands only before anyone is scored."""
    permissions.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    check_version(c, expected_version)
    if c.status == CycleStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This cycle is published; it can no longer be changed."))
    before = {**snapshot(c), "deadlines": {s.stage: s.due_date for s in c.stages.all()},
              "policies": {s.stage: s.policy for s in c.stages.all()}}
    if title is not None:
        c.title = title
    if requires_calibration is not None:
        c.requires_calibration = requires_calibration
    if grade_bands is not None:
        bands = grading.validate_grade_bands(grade_bands)
        if bands != c.grade_bands:
            if Appraisal.objects.filter(cycle=c, total_score__isnull=False).exists():
                raise ApplicationError(_("Appraisals of this cycle are already graded; the grade bands can no "
                                         "longer change."), field="grade_bands")
            c.grade_bands = bands
    stages = {s.stage: s for s in CycleStage.objects.select_for_update().filter(cycle=c)}
    if deadlines is not None or policies is not None:
        new_deadlines = {s: (deadlines or {}).get(s, stages[s].due_date) for s in STAGE_ORDER}
        new_policies = {s: (policies or {}).get(s, stages[s].policy) for s in STAGE_ORDER}
        _check_deadlines(new_deadlines, new_policies)
        for s, row in stages.items():
            if row.due_date != new_deadlines[s] or row.policy != new_policies[s]:
                row.due_date, row.policy = new_deadlines[s], new_policies[s]
                row.save(update_fields=["due_date", "policy", "updated_at"])
    _save(c)
    after = {**snapshot(c), "deadlines": {s: r.due_date for s, r in stages.items()},
             "policies": {s: r.policy for s, r in stages.items()}}
    audit_record(actor=actor, action="cycle.update", obj=c, before=before, after=after)
    return c


@transaction.atomic
def cycle_open(*, actor, cycle: Cycle) -> Cycle:
    """Start opening a draft cycle (HR, or the schedule with ``actor`` None). Opening an open cycle is
    a no-op. The appraisals are created by :func:`apps.appraisals.opening.cycle_populate`."""
    if actor is not None:
        permissions.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if c.status in (CycleStatus.OPENING, CycleStatus.OPEN, CycleStatus.PUBLISHED):
        return c
    before = snapshot(c)
    _move_cycle(c, "open")
    c.opened_at = timezone.now()
    c.opened_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(c, fields=["status", "opened_at", "opened_by"])
    audit_record(actor=actor, action="cycle.open", obj=c, before=before, after=snapshot(c))
    return c


@transaction.atomic
def blocker_remind(*, actor, blocker: CycleBlocker) -> int:
    """One click: remind the employee's manager to get the contract for the period signed."""
    permissions.require_hr(actor)
    b = (CycleBlocker.objects.select_for_update(of=("self",))
         .select_related("cycle", "employee", "employee__supervisor").get(pk=blocker.pk))
    if b.resolved_at is not None:
        raise ApplicationError(_("%(name)s has an appraisal now; no reminder is needed.") % {"name": b.employee.name})
    manager = b.employee.supervisor
    recipients = [manager.user_id] if manager is not None and manager.user_id else list(hr_user_ids())
    today = timezone.localdate()
    period_label = b.cycle.period_label
    sent = notify(
        recipients,
        title=lambda: _("Please get the KPI contract of %(name)s for %(period)s signed") % {
            "name": b.employee.name, "period": Period.parse(b.cycle.period).label},
        body=lambda: _("The appraisal cycle “%(cycle)s” cannot include %(name)s until the KPI contract for the "
                       "period is signed by both parties.") % {"cycle": b.cycle.display_title, "name": b.employee.name},
        url=reverse("contracts:list") if _has_url("contracts:list") else "",
        dedupe=lambda uid: f"appraisals:blocker:{b.pk}:{uid}:{today.isoformat()}")
    b.reminded_at = timezone.now()
    b.reminder_count += 1 if sent else 0
    b.save(update_fields=["reminded_at", "reminder_count", "updated_at"])
    audit_record(actor=actor, action="cycle.blocker_remind", obj=b.cycle,
                 object_repr=f"{b.cycle} · {b.employee}", after={"employee": b.employee_id, "sent": sent,
                                                                  "period": period_label})
    return sent


def blockers_remind_all(*, actor, cycle: Cycle) -> int:
    permissions.require_hr(actor)
    total = 0
    for b in CycleBlocker.objects.filter(cycle=cycle, resolved_at__isnull=True):
        total += blocker_remind(actor=actor, blocker=b)
    return total


def _has_url(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@transaction.atomic
def schedule_update(*, actor, frequency: str, is_active: bool, stage_days: dict | None = None,
                    stage_policies: dict | None = None, grade_bands: list[dict] | None = None,
                    expected_version: int | None = None) -> CycleSchedule:
    """HR controls which routine cycles Celery beat opens, with which deadlines and policies."""
    permissions.require_hr(actor)
    if frequency not in ReviewFrequency.values:
        raise ApplicationError(_("Unknown review frequency."), field="frequency")
    sched, _created = CycleSchedule.objects.select_for_update().get_or_create(frequency=frequency)
    check_version(sched, expected_version)
    before = snapshot(sched)
    days = {**{s: sched.days_for(s) for s in STAGE_ORDER}, **{str(k): int(v) for k, v in (stage_days or {}).items()}}
    policies = {**{s: sched.policy_for(s) for s in STAGE_ORDER}, **{str(k): v for k, v in (stage_policies or {}).items()}}
    if any(d < 0 for d in days.values()):
        raise ApplicationError(_("Deadlines are counted in days after opening and cannot be negative."),
                               field="stage_days")
    today = timezone.localdate()
    _check_deadlines({s: today + dt.timedelta(days=days[s]) for s in STAGE_ORDER}, policies)
    sched.is_active = is_active
    sched.stage_days, sched.stage_policies = days, policies
    if grade_bands is not None:
        sched.grade_bands = grading.validate_grade_bands(grade_bands)
    _save(sched)
    audit_record(actor=actor, action="cycle_schedule.update", obj=sched, before=before, after=snapshot(sched))
    return sched


# --- actuals -----------------------------------------------------------------------------------------

def parse_actual(line: ScoreLine, value) -> dict:
    """The stored fields of an actual for this line's rule kind; a plain message when it is not valid."""
    kind = line.rule_kind
    if kind not in DATA_KINDS:
        raise ApplicationError(_("“%(title)s” is scored by the appraiser; it takes no actual.") % {
            "title": line.display_title}, field="actual")
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApplicationError(_("Enter the actual of “%(title)s”.") % {"title": line.display_title}, field="actual")
    if kind == "deadline":
        if isinstance(value, dt.datetime):
            return {"done_date": value.date()}
        if isinstance(value, dt.date):
            return {"done_date": value}
        try:
            return {"done_date": dt.date.fromisoformat(str(value).strip())}
        except ValueError:
            raise ApplicationError(_("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": value},
                                   field="actual")
    number = _number(value)
    if kind == "milestones":
        if number != number.to_integral_value() or number < 0:
            raise ApplicationError(_("Milestones done must be a whole number of 0 or more, not “%(value)s”.")
                                   % {"value": value}, field="actual")
        if line.milestones_total is not None and number > line.milestones_total:
            raise ApplicationError(_("Milestones done (%(done)s) cannot exceed the total (%(total)s).")
                                   % {"done": fmt_number(number), "total": line.milestones_total}, field="actual")
        return {"milestones_done": int(number)}
    if abs(number) >= Decimal("1e12"):
        raise ApplicationError(_("“%(value)s” is too large for an actual.") % {"value": value}, field="actual")
    return {"actual": number.quantize(Decimal("0.0001"))}


def _number(value) -> Decimal:
    if isinstance(value, bool):
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        if text.endswith("%"):
            text = text[:-1]
        try:
            d = Decimal(text)
        except Exception:
            raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    if not d.is_finite():
        raise ApplicationError(_("“%(value)s” is not a number.") % {"value": value}, field="actual")
    return d


def actual_matches(line: ScoreLine, fields: dict) -> bool:
    return all(getattr(line, k) == v for k, v in fields.items())


@transaction.atomic
def line_actual_set(*, actor, line: ScoreLine, value, evidence: str | None = None,
                    expected_version: int | None = None) -> ScoreLine:
    """A data-source user (or HR) enters the actual of one line, with an evidence note."""
    line, appraisal = _lock_line(line)
    permissions.require_line_data(actor, line, appraisal)
    fields = parse_actual(line, value)
    check_version(line, expected_version)
    same = actual_matches(line, fields) and (evidence is None or evidence == line.evidence) \
        and line.collection == Collection.ENTERED
    if same:
        return line
    _require_edit(appraisal, "actual")
    before = _snap_line(line)
    for k, v in fields.items():
        setattr(line, k, v)
    if evidence is not None:
        line.evidence = evidence
    line.collection = Collection.ENTERED
    line.entered_by = actor if getattr(actor, "is_authenticated", False) else None
    line.entered_at = timezone.now()
    _save(line)
    _refresh_counts(appraisal)
    audit_record(actor=actor, action="appraisal.line_actual_set", obj=line, object_repr=f"{appraisal} · {line}",
                 before=before, after=_snap_line(line))
    return line


@transaction.atomic
def line_return(*, actor, line: ScoreLine, reason: str, expected_version: int | None = None) -> ScoreLine:
    """Return a line for re-collection with a reason: the data owner is notified, collection restarts for
    the line, and a verified appraisal goes back to collecting (its engine scores are cleared)."""
    line, appraisal = _lock_line(line)
    if not is_hr(actor):
        permissions.require_line_data(actor, line, appraisal)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the line is returned, so the data owner knows what to fix."),
                               field="reason")
    if not line.needs_data:
        raise ApplicationError(_("“%(title)s” is scored by the appraiser; it has no actual to re-collect.")
                               % {"title": line.display_title}, field="reason")
    check_version(line, expected_version)
    a_before = _snap(appraisal)
    _move(appraisal, "return")
    before = _snap_line(line)
    line.collection = Collection.RETURNED
    line.return_reason = reason
    line.returned_by = actor if getattr(actor, "is_authenticated", False) else None
    line.returned_at = timezone.now()
    _save(line)
    if a_before["status"] == Status.VERIFIED:
        # back to collecting: the scores computed at verification are no longer valid
        ScoreLine.objects.filter(appraisal=appraisal, rule_kind__in=list(DATA_KINDS)).update(
            score=None, attainment=None, explanation_zh="", explanation_en="", score_source="", scored_at=None)
        appraisal.verified_at, appraisal.verified_by, appraisal.verified_automatically = None, None, False
    _refresh_counts(appraisal)
    _save(appraisal)
    audit_record(actor=actor, action="appraisal.line_return", obj=line, object_repr=f"{appraisal} · {line}",
                 before=before, after=_snap_line(line))
    if a_before["status"] != appraisal.status:
        audit_record(actor=actor, action="appraisal.reopen_collection", obj=appraisal, before=a_before,
                     after=_snap(appraisal))
    owners = set().union(*data_owner_user_ids([line.data_source_id]).values()) if line.data_source_id else set()
    if line.entered_by_id:
        owners.add(line.entered_by_id)
    if not owners and appraisal.appraiser_id and appraisal.appraiser.user_id:
        owners.add(appraisal.appraiser.user_id)
    emp = appraisal.employee
    notify(owners,
           title=lambda: _("Actual returned for re-collection: %(name)s · %(line)s") % {"name": emp.name,
                                                                                       "line": line.display_title},
           body=lambda: _("Reason: %(reason)s") % {"reason": reason},
           url=reverse("appraisals:actuals") + f"?cycle={appraisal.cycle_id}&status=returned")
    return line


def _verify(appraisal: Appraisal, *, actor, automatic: bool = False) -> bool:
    """Verify a locked appraisal and score its engine lines (no permission check: callers do it)."""
    from .opening import verify_batch

    if appraisal.status == Status.COLLECTING and appraisal.lines_pending:
        raise TransitionNotAllowed(
            _("%(name)s's actuals are not complete: %(n)s line(s) still wait for data.") % {
                "name": appraisal.employee.name, "n": appraisal.lines_pending},
            extra={"lines_pending": appraisal.lines_pending})
    if appraisal.status != Status.COLLECTING:
        return _move(appraisal, "verify")  # a no-op when verified already, else refused
    done, _errors = verify_batch(actor=actor, appraisal_ids=[appraisal.pk], automatic=automatic, strict=True)
    appraisal.refresh_from_db()
    return bool(done)


def can_verify(user, appraisal: Appraisal, lines: list[ScoreLine] | None = None) -> bool:
    """HR, or the data owner when every data line of the appraisal is theirs."""
    if is_hr(user):
        return True
    if lines is None:
        lines = list(appraisal.lines.all())
    data_lines = [ln for ln in lines if ln.needs_data]
    return bool(data_lines) and all(permissions.can_enter_actual(user, ln, appraisal) for ln in data_lines)


@transaction.atomic
def appraisal_verify(*, actor, appraisal: Appraisal, expected_version: int | None = None) -> Appraisal:
    """Confirm an appraisal's data complete and accurate: its ratio, deadline and milestone lines are
    scored by the engine at once. Only complete appraisals (no line awaiting data) can be verified."""
    a = _lock(appraisal)
    if not can_verify(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only HR or the data owner may verify an appraisal's data."))
        raise NotFound(_("Not found."))
    check_version(a, expected_version)
    _verify(a, actor=actor)
    return a


def appraisals_verify_complete(*, actor, cycle: Cycle, department: Department | None = None,
                               batch_size: int = 1000, in_background: bool = False) -> int:
    """HR verifies every complete appraisal of the cycle (or of a department and below), in batches of
    one transaction each, scoring the engine lines set-based. Returns how many were verified (or, with
    ``in_background``, how many were queued: one Celery task per batch, spread over the workers)."""
    permissions.require_hr(actor)
    from .opening import verify_batch

    qs = Appraisal.objects.filter(cycle=cycle, status=Status.COLLECTING, lines_pending=0)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    done, last = 0, 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        if in_background:
            from .tasks import verify_appraisals

            transaction.on_commit(lambda ids=ids: verify_appraisals.delay(ids, getattr(actor, "pk", None)))
            done += len(ids)
        else:
            verified, _errors = verify_batch(actor=actor, appraisal_ids=ids)
            done += verified
        last = ids[-1]


# --- self-assessment and manager scoring -------------------------------------------------------------

def _lines_by_id(appraisal: Appraisal) -> dict[int, ScoreLine]:
    qs = ScoreLine.objects.select_for_update(of=("self",)).select_related("indicator").filter(appraisal=appraisal)
    return {ln.pk: ln for ln in qs}


def _apply_line_scores(*, actor, appraisal: Appraisal, entries: list[dict], role: str) -> list[ScoreLine]:
    """Set self (role "self") or manager (role "manager") scores and comments on direct lines.

    ``entries``: dicts with ``id``, ``score``, ``comment`` and optional ``version`` (a line someone else
    changed meanwhile is a conflict: nothing is saved)."""
    lines = _lines_by_id(appraisal)
    score_field, comment_field = f"{role}_score", f"{role}_comment"
    changed = []
    for entry in entries:
        line = lines.get(int(entry["id"]))
        if line is None:
            raise NotFound(_("Not found."))
        check_version(line, entry.get("version"))
        score = grading.parse_score(entry.get("score"))
        comment = entry.get("comment")
        if score is not None and not line.is_direct:
            raise ApplicationError(_("“%(title)s” is scored by its rule from the actual; it takes no score from "
                                     "people.") % {"title": line.display_title}, field="score")
        if score is not None:
            try:
                grading.check_direct_score(line.rule, score)
            except ScoringError as exc:
                raise ScoringError(_("%(line)s: %(error)s") % {"line": line.display_title, "error": exc.message},
                                   field="score", extra=exc.extra)
        new_score = score if line.is_direct else getattr(line, score_field)
        new_comment = comment if comment is not None else getattr(line, comment_field)
        if new_score == getattr(line, score_field) and new_comment == getattr(line, comment_field):
            continue
        before = _snap_line(line)
        setattr(line, score_field, new_score)
        setattr(line, comment_field, new_comment)
        if role == "manager" and line.is_direct:
            if new_score is None:
                for f in LINE_SCORE_FIELDS:
                    setattr(line, f, None if f in ("score", "attainment", "scored_at") else "")
            else:
                res = grading.score_direct_line(line, new_score)
                line.score, line.attainment = res.score, None
                line.explanation_zh, line.explanation_en = res.explanation_zh, res.explanation_en
                line.score_source, line.scored_at = res.source, timezone.now()
        _save(line)
        audit_record(actor=actor, action=f"appraisal.line_{role}_score", obj=line,
                     object_repr=f"{appraisal} · {line}", before=before, after=_snap_line(line))
        changed.append(line)
    return changed


@transaction.atomic
def appraisal_self_assess(*, actor, appraisal: Appraisal, comment: str | None = None,
                          lines: list[dict] | None = None, submit: bool = False,
                          expected_version: int | None = None) -> Appraisal:
    """The employee's self-assessment: comments, and self-scores on the direct (behaviour) lines; saved
    as a draft until ``submit``."""
    a = _lock(appraisal)
    if not permissions.is_self(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only the employee writes the self-assessment."))
        raise NotFound(_("Not found."))
    if submit and a.status == Status.SELF_ASSESSED and not lines and comment in (None, a.self_comment):
        return a  # a second submit is a no-op
    _require_edit(a, "self_score")
    check_version(a, expected_version)
    before = _snap(a)
    _apply_line_scores(actor=actor, appraisal=a, entries=lines or [], role="self")
    if comment is not None:
        a.self_comment = comment
    if submit:
        _move(a, "submit_self")
        a.self_submitted_at = timezone.now()
    if _snap(a) != before:
        _save(a)
        audit_record(actor=actor, action="appraisal.self_submit" if submit else "appraisal.self_save", obj=a,
                     before=before, after=_snap(a))
    if submit and a.appraiser_id and a.appraiser.user_id:
        emp = a.employee
        notify([a.appraiser.user_id], title=lambda: _("%(name)s submitted the self-assessment: please score")
               % {"name": emp.name}, url=appraisal_url(a.pk),
               dedupe=lambda uid: f"appraisals:self_submitted:{a.pk}:{uid}")
    return a


def _finish_scoring(a: Appraisal, lines: list[ScoreLine]) -> None:
    res = grading.appraisal_total(lines=lines, section_weights={
        "results": a.results_weight, "behaviour": a.behaviour_weight, "plan": a.plan_weight},
        bands=a.cycle.grade_bands)
    a.results_score = res.section_scores.get("results")
    a.behaviour_score = res.section_scores.get("behaviour")
    a.plan_score = res.section_scores.get("plan")
    a.total_score, a.grade = res.total, res.grade
    a.total_explanation_zh, a.total_explanation_en = res.explanation_zh, res.explanation_en


@transaction.atomic
def appraisal_manager_score(*, actor, appraisal: Appraisal, comment: str | None = None,
                            lines: list[dict] | None = None, submit: bool = False,
                            expected_version: int | None = None) -> Appraisal:
    """The appraiser scores the direct and behaviour lines and writes an overall comment. On ``submit``
    every line must have a score: the total (weighted per section, combined by the section weights) and
    the grade from the cycle's bands are computed."""
    a = _lock(appraisal)
    if not permissions.is_appraiser(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only the appraiser of this appraisal may score it."))
        raise NotFound(_("Not found."))
    if submit and a.status in (Status.SCORED, Status.CALIBRATED) and not lines \
            and comment in (None, a.manager_comment):
        return a  # a second submit is a no-op
    _require_edit(a, "manager_score")
    check_version(a, expected_version)
    before = _snap(a)
    _apply_line_scores(actor=actor, appraisal=a, entries=lines or [], role="manager")
    if comment is not None:
        a.manager_comment = comment
    if submit:
        all_lines = list(ScoreLine.objects.filter(appraisal=a))
        unscored = [ln.display_title for ln in all_lines if ln.score is None]
        if unscored:
            raise ApplicationError(_("Score every line before submitting; not scored yet: %(lines)s.")
                                   % {"lines": ", ".join(unscored)}, field="score")
        if not (a.manager_comment or "").strip():
            raise ApplicationError(_("Write an overall comment before submitting the scores."), field="comment")
        _finish_scoring(a, all_lines)
        _move(a, "submit_scores")
        a.manager_submitted_at = timezone.now()
        a.manager_submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    if _snap(a) != before:
        _save(a)
        audit_record(actor=actor, action="appraisal.manager_submit" if submit else "appraisal.manager_save",
                     obj=a, before=before, after=_snap(a))
    return a


@transaction.atomic
def line_score_set(*, actor, line: ScoreLine, score, comment: str | None = None, role: str = "manager",
                   expected_version: int | None = None) -> ScoreLine:
    """One line's self or manager score (the API's per-line edit; a stale version is a 409)."""
    line, a = _lock_line(line)
    if role == "self":
        allowed = permissions.is_self(actor, a)
    elif role == "manager":
        allowed = permissions.is_appraiser(actor, a)
    else:
        raise ApplicationError(_("Unknown role."))
    if not allowed:
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("You may see this appraisal but not score this line."))
        raise NotFound(_("Not found."))
    _require_edit(a, "self_score" if role == "self" else "manager_score")
    if not line.is_direct:
        raise ApplicationError(_("“%(title)s” is scored by its rule from the actual.") % {"title": line.display_title},
                               field="score")
    _apply_line_scores(actor=actor, appraisal=a, entries=[
        {"id": line.pk, "score": score, "comment": comment, "version": expected_version}], role=role)
    line.refresh_from_db()
    return line


# --- calibration hook and publication ----------------------------------------------------------------

@transaction.atomic
def appraisal_calibration_confirm(*, actor, appraisal: Appraisal, grade: str | None = None,
                                  not_held: bool = False) -> Appraisal:
    """The calibration stage's step (a later issue adds quotas and reasons): HR confirms the grade,
    or sets another one of the cycle's grades; ``not_held`` marks a calibration skipped at the deadline."""
    if actor is not None:
        permissions.require_hr(actor)
    a = _lock(appraisal)
    before = _snap(a)
    grades = [b["grade"] for b in a.cycle.grade_bands]
    if grade is not None and grade not in grades:
        raise ApplicationError(_("“%(grade)s” is not a grade of this cycle (%(grades)s).") % {
            "grade": grade, "grades": ", ".join(grades)}, field="grade")
    _move(a, "calibrate")
    a.calibrated_grade = grade or a.calibrated_grade or a.grade
    a.calibrated_at = timezone.now()
    a.calibration_not_held = not_held
    _save(a)
    audit_record(actor=actor, action="appraisal.calibrate", obj=a, before=before, after=_snap(a))
    return a


def _publish_locked(a: Appraisal, *, actor) -> bool:
    if a.cycle.requires_calibration and a.status == Status.SCORED:
        raise TransitionNotAllowed(_("This cycle requires calibration before publication; %(name)s's grade "
                                     "has not been calibrated yet.") % {"name": a.employee.name})
    before = _snap(a)
    if not _move(a, "publish"):
        return False
    a.published_at = timezone.now()
    a.published_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(a)
    audit_record(actor=actor, action="appraisal.publish", obj=a, before=before, after=_snap(a))
    signals.appraisal_published.send(sender=Appraisal, appraisal=a, actor=actor)
    emp = a.employee
    notify([emp.user_id], title=lambda: _("Your appraisal for %(period)s is published") % {
        "period": Period.parse(a.period).label},
        body=lambda: _("Open it to see every line's actual, score and explanation."),
        url=appraisal_url(a.pk), dedupe=lambda uid: f"appraisals:published:{a.pk}")
    return True


@transaction.atomic
def appraisal_publish(*, actor, appraisal: Appraisal, expected_version: int | None = None) -> Appraisal:
    if actor is not None:
        permissions.require_hr(actor)
    a = _lock(appraisal)
    check_version(a, expected_version)
    if a.status != Status.PUBLISHED:
        _require_quotas_met(a.cycle, a.department, only_department=True)
    _publish_locked(a, actor=actor)
    _maybe_close_cycle(a.cycle_id, actor=actor)
    return a


def _maybe_close_cycle(cycle_id: int, *, actor) -> None:
    if Appraisal.objects.filter(cycle_id=cycle_id).exclude(status=Status.PUBLISHED).exists():
        return
    c = Cycle.objects.select_for_update().get(pk=cycle_id)
    if c.status != CycleStatus.OPEN:
        return
    before = snapshot(c)
    _move_cycle(c, "published")
    c.published_at = timezone.now()
    _save(c, fields=["status", "published_at"])
    audit_record(actor=actor, action="cycle.published", obj=c, before=before, after=snapshot(c))


def cycle_publish(*, actor, cycle: Cycle, department: Department | None = None, ready_only: bool = False,
                  batch_size: int = 200) -> int:
    """HR publishes the cycle, or one department (and below), after scoring (and calibration when the
    cycle requires it). Refused while any appraisal of the scope is not ready, unless ``ready_only``.
    Each batch is one transaction; employees are notified. Returns how many were published."""
    permissions.require_hr(actor)
    c = Cycle.objects.get(pk=cycle.pk)
    if c.status not in (CycleStatus.OPEN, CycleStatus.PUBLISHED):
        raise TransitionNotAllowed(_("Open the cycle first: there is nothing to publish."))
    ready = [Status.CALIBRATED] if c.requires_calibration else [Status.SCORED, Status.CALIBRATED]
    scope = Appraisal.objects.filter(cycle=c)
    if department is not None:
        scope = scope.filter(department__path__startswith=department.path)
    waiting = dict(scope.exclude(status__in=[*ready, Status.PUBLISHED]).values_list("status")
                   .annotate(n=Count("pk")).order_by())
    if waiting and not ready_only:
        detail = ", ".join(f"{_status_label(s)}: {n}" for s, n in waiting.items())
        raise TransitionNotAllowed(
            _("%(n)s appraisal(s) of this scope are not ready to publish (%(detail)s). Publish when all are "
              "scored%(calibrated)s, or publish only the ready ones.") % {
                "n": sum(waiting.values()), "detail": detail,
                "calibrated": _(" and calibrated") if c.requires_calibration else ""},
            extra={"waiting": waiting})
    _require_quotas_met(c, department)
    published, last = 0, 0
    while True:
        ids = list(scope.filter(status__in=ready, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            for a in (Appraisal.objects.select_for_update(of=("self",)).select_related("cycle", "employee")
                      .filter(pk__in=ids).order_by("pk")):
                if a.status in ready:
                    published += _publish_locked(a, actor=actor)
        last = ids[-1]
    with transaction.atomic():
        audit_record(actor=actor, action="cycle.publish", obj=c, after={
            "department": department.pk if department else None, "published": published, "ready_only": ready_only})
        _maybe_close_cycle(c.pk, actor=actor)
    return published


# --- calibration: quotas, grade moves, HR's override ---------------------------------------------------

def _quota_snap(cycle: Cycle) -> list[dict]:
    return [{"grades": q.grades, "limit": q.limit, "percent": str(q.percent), "is_hard": q.is_hard}
            for q in cycle.quotas.all()]


@transaction.atomic
def cycle_quotas_set(*, actor, cycle: Cycle, quotas: list[dict], expected_version: int | None = None) -> Cycle:
    """HR sets the cycle's grade quotas (replacing the previous set; an empty list removes them). Each
    quota: ``grades`` (list), ``limit`` ("at_most" / "at_least"), ``percent`` (0-100), ``is_hard``.
    A set that cannot be met in any department is refused with the reason."""
    from . import quotas as quota_rules
    from .models import GradeQuota, QuotaLimit

    permissions.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    check_version(c, expected_version)
    if c.status == CycleStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This cycle is published: its quotas can no longer change."))
    clean = []
    for q in quotas:
        grades = [str(g).strip() for g in (q.get("grades") or []) if str(g).strip()]
        limit = q.get("limit")
        if limit not in QuotaLimit.values:
            raise ApplicationError(_("A quota's limit is “at most” or “at least”."), field="quotas")
        try:
            percent = Decimal(str(q.get("percent")))
        except Exception:
            raise ApplicationError(_("A quota's percent is between 0 and 100."), field="quotas")
        clean.append({"grades": list(dict.fromkeys(grades)), "limit": limit, "percent": percent,
                      "is_hard": bool(q.get("is_hard"))})
    problem = quota_rules.check_quotas([b["grade"] for b in c.grade_bands], clean)
    if problem:
        raise ApplicationError(problem, field="quotas")
    before = _quota_snap(c)
    GradeQuota.objects.filter(cycle=c).delete()
    rows = [GradeQuota(cycle=c, order=i, **q) for i, q in enumerate(clean)]
    for r in rows:
        r.full_clean(exclude=["cycle"])
    GradeQuota.objects.bulk_create(rows)
    _save(c, fields=[])
    audit_record(actor=actor, action="cycle.quotas", obj=c, before={"quotas": before},
                 after={"quotas": _quota_snap(c)})
    return c


@transaction.atomic
def appraisal_grade_calibrate(*, actor, appraisal: Appraisal, grade: str, reason: str,
                              expected_version: int | None = None) -> Appraisal:
    """HR or the department head moves a person's grade in calibration, with a written reason: the
    score stays, the grade is marked calibrated (``calibrated_grade``), before and after are audited.
    Refused once published and without a reason; 404 outside the actor's calibration scope."""
    a = _lock(appraisal)
    permissions.require_calibrate(actor, a)
    check_version(a, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Write why the grade is calibrated: the reason is kept with the appraisal."),
                               field="reason")
    grades = [b["grade"] for b in a.cycle.grade_bands]
    if grade not in grades:
        raise ApplicationError(_("“%(grade)s” is not a grade of this cycle (%(grades)s).") % {
            "grade": grade, "grades": ", ".join(grades)}, field="grade")
    before = {**_snap(a), "calibration_reason": a.calibration_reason}
    _move(a, "calibrate")
    a.calibrated_grade = grade
    a.calibrated_at = timezone.now()
    a.calibrated_by = actor
    a.calibration_reason = reason
    a.calibration_not_held = False
    _save(a)
    audit_record(actor=actor, action="appraisal.grade_calibrate", obj=a, before=before,
                 after={**_snap(a), "calibration_reason": reason})
    return a


@transaction.atomic
def cycle_quota_override(*, actor, cycle: Cycle, reason: str, expected_version: int | None = None) -> Cycle:
    """HR allows publication although a department breaks a hard quota, with a reason (recorded on the
    cycle and audited). An empty reason is refused."""
    permissions.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    check_version(c, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Write why the cycle may be published despite the hard quotas."), field="reason")
    if c.status == CycleStatus.PUBLISHED:
        raise TransitionNotAllowed(_("This cycle is published already."))
    before = snapshot(c, ("quota_override_reason", "quota_override_by", "quota_override_at"))
    c.quota_override_reason, c.quota_override_by, c.quota_override_at = reason, actor, timezone.now()
    _save(c, fields=["quota_override_reason", "quota_override_by", "quota_override_at"])
    audit_record(actor=actor, action="cycle.quota_override", obj=c, before=before,
                 after=snapshot(c, ("quota_override_reason", "quota_override_by", "quota_override_at")))
    return c


def _require_quotas_met(cycle: Cycle, department: Department | None = None, *,
                        only_department: bool = False) -> None:
    """Refuse publication while a department of the scope breaks a hard quota (unless HR overrode)."""
    from .selectors import hard_quota_breaches

    if cycle.quota_override_reason:
        return
    breaches = hard_quota_breaches(cycle, department)
    if only_department and department is not None:
        breaches = [(d, q) for d, q in breaches if d.pk == department.pk]
    if breaches:
        detail = "; ".join(f"{d.name}: {q.label}" for d, q in breaches[:10])
        raise TransitionNotAllowed(
            _("Publication is blocked: %(n)s department(s) break a hard grade quota (%(detail)s). Calibrate "
              "the grades, or HR overrides with a reason.") % {"n": len({d.pk for d, _q in breaches}),
                                                                "detail": detail},
            extra={"breaches": [{"department": d.pk, "quota": q.pk} for d, q in breaches]})
