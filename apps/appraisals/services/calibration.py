"""Calibration: HR confirms or moves grades, sets the grade quotas and overrides a hard quota
with a reason."""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError, TransitionNotAllowed

from .. import permissions
from ..models import Appraisal, Cycle, CycleStatus
from .kernel import lock, move, save, snap

# --- the calibration stage's step (the deadlines engine's "not held") ------------------------------

@transaction.atomic
def appraisal_calibration_confirm(*, actor, appraisal: Appraisal, grade: str | None = None,
                                  not_held: bool = False) -> Appraisal:
    """The calibration stage's step (a later issue adds quotas and reasons): HR confirms the grade,
    or sets another one of the cycle's grades; ``not_held`` marks a calibration skipped at the deadline."""
    if actor is not None:
        permissions.require_hr(actor)
    a = lock(appraisal)
    before = snap(a)
    grades = [b["grade"] for b in a.cycle.grade_bands]
    if grade is not None and grade not in grades:
        raise ApplicationError(_("“%(grade)s” is not a grade of this cycle (%(grades)s).") % {
            "grade": grade, "grades": ", ".join(grades)}, field="grade")
    move(a, "calibrate")
    a.calibrated_grade = grade or a.calibrated_grade or a.grade
    a.calibrated_at = timezone.now()
    a.calibration_not_held = not_held
    save(a)
    audit_record(actor=actor, action="appraisal.calibrate", obj=a, before=before, after=snap(a))
    return a


# --- calibration: quotas, grade moves, HR's override ---------------------------------------------------

def _quota_snap(cycle: Cycle) -> list[dict]:
    return [{"grades": q.grades, "limit": q.limit, "percent": str(q.percent), "is_hard": q.is_hard}
            for q in cycle.quotas.all()]


@transaction.atomic
def cycle_quotas_set(*, actor, cycle: Cycle, quotas: list[dict], expected_version: int | None = None) -> Cycle:
    """HR sets the cycle's grade quotas (replacing the previous set; an empty list removes them). Each
    quota: ``grades`` (list), ``limit`` ("at_most" / "at_least"), ``percent`` (0-100), ``is_hard``.
    A set that cannot be met in any department is refused with the reason."""
    from .. import quotas as quota_rules
    from ..models import GradeQuota, QuotaLimit

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
    save(c, fields=[])
    audit_record(actor=actor, action="cycle.quotas", obj=c, before={"quotas": before},
                 after={"quotas": _quota_snap(c)})
    return c


@transaction.atomic
def appraisal_grade_calibrate(*, actor, appraisal: Appraisal, grade: str, reason: str,
                              expected_version: int | None = None) -> Appraisal:
    """HR or the department head moves a person's grade in calibration, with a written reason: the
    score stays, the grade is marked calibrated (``calibrated_grade``), before and after are audited.
    Refused once published and without a reason; 404 outside the actor's calibration scope."""
    a = lock(appraisal)
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
    before = {**snap(a), "calibration_reason": a.calibration_reason}
    move(a, "calibrate")
    a.calibrated_grade = grade
    a.calibrated_at = timezone.now()
    a.calibrated_by = actor
    a.calibration_reason = reason
    a.calibration_not_held = False
    save(a)
    audit_record(actor=actor, action="appraisal.grade_calibrate", obj=a, before=before,
                 after={**snap(a), "calibration_reason": reason})
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
    save(c, fields=["quota_override_reason", "quota_override_by", "quota_override_at"])
    audit_record(actor=actor, action="cycle.quota_override", obj=c, before=before,
                 after=snapshot(c, ("quota_override_reason", "quota_override_by", "quota_override_at")))
    return c

