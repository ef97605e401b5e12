"""Correction of a published appraisal's result (an upheld appeal): the only way a locked result changes.

The audit rows name the case (``reference``), never its reasons: the appraisal's history is read by the whole
manager chain, the reasons stay with the case and its own access rules.

The correction goes through the same scoring path that scored the appraisal: a corrected actual re-runs
its line's rule, a corrected direct (behaviour) score is entered as HR's score within the rule's range,
then the total and the grade are recomputed from every line with the cycle's bands. A grade can also be
set directly (as a calibrated grade, with the reason). The result before is kept (``ResultCorrection``,
append-only), every change is an audit row naming the case, the cycle's hard quotas are re-checked (a
new breach is refused unless HR accepts it explicitly, and is recorded), the employee and the appraiser
are notified, and ``signals.appraisal_result_corrected`` is sent inside the transaction.

Only HR may correct, with a written reason and the reference of the case (the appeals app calls this
when HR decides an appeal upheld or partly upheld).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.scoring import ScoringError
from apps.core.audit import audit_record
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.periods import Period
from apps.core.roles import is_hr

from .. import grading, permissions, signals
from ..models import Appraisal, Collection, ResultCorrection, ScoreLine, ScoreSource, Status
from .actuals import parse_actual
from .kernel import appraisal_url, lock, notify, save, snap, snap_line
from .scoring import finish_scoring

RESULT_FIELDS = ("results_score", "behaviour_score", "plan_score", "total_score", "grade", "calibrated_grade",
                 "total_explanation_zh", "total_explanation_en")


def result_snapshot(a: Appraisal, lines: list[ScoreLine]) -> dict:
    """The published result as the employee reads it: section scores, total, grade, explanations, lines."""
    out = {f: (str(getattr(a, f)) if getattr(a, f) is not None else None) for f in RESULT_FIELDS}
    out["final_grade"] = a.final_grade
    out["lines"] = [{"id": ln.pk, "title": ln.display_title, "actual": ln.display_actual,
                     "score": str(ln.score) if ln.score is not None else None,
                     "explanation_zh": ln.explanation_zh, "explanation_en": ln.explanation_en} for ln in lines]
    return out


def _breach_keys(a: Appraisal) -> set[tuple[int, int]]:
    from ..selectors import hard_quota_breaches

    return {(d.pk, q.pk) for d, q in hard_quota_breaches(a.cycle)}


def _correct_line(line: ScoreLine, entry: dict) -> None:
    """Apply one line's corrected actual or score and re-run its rule (ScoringError on a bad value)."""
    if line.needs_data:
        keys = [k for k in ("actual", "done_date", "milestones_done", "value") if entry.get(k) not in (None, "")]
        if not keys:
            raise ApplicationError(_("Give the corrected actual of “%(title)s”.") % {"title": line.display_title},
                                   field="actual")
        for field, value in parse_actual(line, entry[keys[0]]).items():
            setattr(line, field, value)
        line.collection = Collection.ENTERED
        try:
            res = grading.score_data_line(line)
        except ScoringError as exc:
            raise ScoringError(_("%(line)s: %(error)s") % {"line": line.display_title, "error": exc.message},
                               field="actual", extra=exc.extra)
        line.attainment = res.attainment
    else:
        score = grading.parse_score(entry.get("score"))
        if score is None:
            raise ApplicationError(_("Give the corrected score of “%(title)s”.") % {"title": line.display_title},
                                   field="score")
        try:
            res = grading.score_direct_line(line, score)
        except ScoringError as exc:
            raise ScoringError(_("%(line)s: %(error)s") % {"line": line.display_title, "error": exc.message},
                               field="score", extra=exc.extra)
        line.manager_score = score
        line.attainment = None
    line.score = res.score
    line.explanation_zh, line.explanation_en = res.explanation_zh, res.explanation_en
    line.score_source = res.source if line.needs_data else ScoreSource.MANAGER
    line.scored_at = timezone.now()


@transaction.atomic
def appraisal_result_correct(*, actor, appraisal: Appraisal, reason: str, reference: str,
                             lines: list[dict] | None = None, grade: str | None = None,
                             accept_quota_breach: bool = False,
                             expected_version: int | None = None) -> ResultCorrection:
    """HR corrects a published appraisal's result after an appeal.

    ``lines``: dicts with ``id`` and, for a line scored from data, ``actual`` (a number, a date for a
    deadline line, milestones done), for a direct line ``score``; optional ``version`` (409 when stale).
    ``grade``: a grade of the cycle's bands, set as the calibrated grade. Nothing is written when any
    value is refused. Returns the correction (history row)."""
    a = lock(appraisal)
    if not is_hr(actor):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only HR corrects a published result, when deciding an appeal."))
        raise NotFound(_("Not found."))
    check_version(a, expected_version)
    if a.status != Status.PUBLISHED:
        raise TransitionNotAllowed(_("Only a published result is corrected this way; this appraisal is not "
                                     "published yet and is changed through its normal stages."))
    reason, reference = (reason or "").strip(), (reference or "").strip()
    if not reason:
        raise ApplicationError(_("Write why the result is corrected: the employee reads it."), field="reason")
    if not reference:
        raise ApplicationError(_("Name the case the correction comes from (e.g. the appeal)."), field="reference")
    entries = lines or []
    grades = [b["grade"] for b in a.cycle.grade_bands]
    if grade not in (None, "") and grade not in grades:
        raise ApplicationError(_("“%(grade)s” is not a grade of this cycle (%(grades)s).") % {
            "grade": grade, "grades": ", ".join(grades)}, field="grade")
    if not entries and grade in (None, ""):
        raise ApplicationError(_("Nothing to correct: give a corrected line or grade."), field="lines")
    all_lines = list(ScoreLine.objects.select_for_update(of=("self",)).select_related("indicator")
                     .filter(appraisal=a).order_by("section", "order", "pk"))
    by_id = {ln.pk: ln for ln in all_lines}
    breaches_before = _breach_keys(a)
    before = result_snapshot(a, all_lines)
    before_short = {"total_score": a.total_score, "grade": a.final_grade}
    appraisal_before = snap(a)
    changes, line_audits = [], []
    seen = set()
    for entry in entries:
        try:
            pk = int(entry.get("id"))
        except (TypeError, ValueError):
            raise ApplicationError(_("Unknown line."), field="lines")
        line = by_id.get(pk)
        if line is None or pk in seen:
            raise ApplicationError(_("Unknown line."), field="lines")
        seen.add(pk)
        check_version(line, entry.get("version"))
        line_before = snap_line(line)
        old = {"actual": line.display_actual, "score": str(line.score) if line.score is not None else None}
        _correct_line(line, entry)
        changes.append({"line": pk, "title": line.display_title, "old": old,
                        "new": {"actual": line.display_actual, "score": str(line.score)}})
        line_audits.append((line, line_before))
    for line, line_before in line_audits:
        save(line)
        audit_record(actor=actor, action="appraisal.line_correct", obj=line, object_repr=f"{a} · {line}",
                     before={**line_before, "reference": reference},
                     after={**snap_line(line), "reference": reference})
    if line_audits:
        try:
            finish_scoring(a, all_lines)
        except ScoringError as exc:
            raise ScoringError(exc.message, field="lines", extra=exc.extra)
    if grade not in (None, "") and grade != a.final_grade:
        changes.append({"grade": True, "old": a.final_grade, "new": grade})
        a.calibrated_grade = grade
        a.calibrated_at, a.calibrated_by = timezone.now(), actor
        # shown on the appraisal to everyone who reads it: a neutral note, the reasons stay with the case
        a.calibration_reason = f"经申诉更正 / Corrected after appeal ({reference})"
    elif grade not in (None, "") and not line_audits:
        raise ApplicationError(_("The grade is %(grade)s already: nothing to correct.") % {"grade": grade},
                               field="grade")
    save(a)
    audit_record(actor=actor, action="appraisal.result_correct", obj=a,
                 before={**appraisal_before, "reference": reference},
                 after={**snap(a), "reference": reference})
    new_breaches = _breach_keys(a) - breaches_before
    if new_breaches and not accept_quota_breach:
        labels = _breach_labels(a, new_breaches)
        raise ApplicationError(
            _("This correction breaks a hard grade quota (%(detail)s). Confirm that the correction stands "
              "despite the quota to apply it.") % {"detail": labels}, field="grade",
            extra={"quota_breaches": [{"department": d, "quota": q} for d, q in sorted(new_breaches)]})
    correction = ResultCorrection(
        appraisal=a, corrected_by=actor, reason=reason, reference=reference, before=before,
        after=result_snapshot(a, all_lines), changes=changes,
        quota_breaches=[{"department": d, "quota": q} for d, q in sorted(new_breaches)])
    correction.full_clean()
    correction.save()
    signals.appraisal_result_corrected.send(sender=Appraisal, appraisal=a, actor=actor, reason=reason,
                                            before=before_short)
    emp = a.employee
    period = Period.parse(a.period).label
    notify([emp.user_id, a.appraiser.user_id if a.appraiser_id else None],
           title=lambda: _("The result of %(name)s for %(period)s was corrected") % {"name": emp.name,
                                                                                     "period": period},
           body=lambda: _("Open the appraisal to see the corrected scores, the explanation and the history."),
           url=appraisal_url(a.pk), dedupe=lambda uid: f"appraisals:corrected:{correction.pk}:{uid}")
    return correction


def _breach_labels(a: Appraisal, keys: set[tuple[int, int]]) -> str:
    from apps.org.models import Department

    depts = Department.objects.in_bulk([d for d, _q in keys])
    quotas = {q.pk: q for q in a.cycle.quotas.all()}
    return "; ".join(f"{depts[d].name}: {quotas[q].label}" for d, q in sorted(keys) if d in depts and q in quotas)
