"""Cycles: HR creates and changes them, opens them (the appraisals are created by ``opening``),
reminds the managers of employees without a signed contract, and keeps the routine schedule."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError, TransitionNotAllowed
from apps.core.periods import Period
from apps.org.models import Department, JobLevel, ReviewFrequency

from .. import grading, permissions
from ..models import (
    DEFAULT_POLICIES,
    STAGE_ORDER,
    Appraisal,
    Cycle,
    CycleBlocker,
    CycleSchedule,
    CycleStage,
    CycleStatus,
    Policy,
    Stage,
)
from .kernel import hr_user_ids, move_cycle, notify, save

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
    save(c)
    after = {**snapshot(c), "deadlines": {s: r.due_date for s, r in stages.items()},
             "policies": {s: r.policy for s, r in stages.items()}}
    audit_record(actor=actor, action="cycle.update", obj=c, before=before, after=after)
    return c


@transaction.atomic
def cycle_open(*, actor, cycle: Cycle) -> Cycle:
    """Start opening a draft cycle (HR, or the schedule with ``actor`` None). Opening an open cycle is
    a no-op. The appraisals are created by :func:`apps.appraisals.services.opening.cycle_populate`."""
    if actor is not None:
        permissions.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if c.status in (CycleStatus.OPENING, CycleStatus.OPEN, CycleStatus.PUBLISHED):
        return c
    before = snapshot(c)
    move_cycle(c, "open")
    c.opened_at = timezone.now()
    c.opened_by = actor if getattr(actor, "is_authenticated", False) else None
    save(c, fields=["status", "opened_at", "opened_by"])
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
    save(sched)
    audit_record(actor=actor, action="cycle_schedule.update", obj=sched, before=before, after=snapshot(sched))
    return sched


