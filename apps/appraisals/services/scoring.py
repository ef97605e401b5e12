"""Self-assessment and manager scoring: direct lines scored by people, the total and the grade."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.scoring import ScoringError
from apps.core.audit import audit_record
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied

from .. import grading, permissions
from ..models import Appraisal, ScoreLine, Status
from .kernel import (
    LINE_SCORE_FIELDS,
    appraisal_url,
    lock,
    lock_line,
    move,
    notify,
    require_edit,
    save,
    snap,
    snap_line,
)

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
        before = snap_line(line)
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
        save(line)
        audit_record(actor=actor, action=f"appraisal.line_{role}_score", obj=line,
                     object_repr=f"{appraisal} · {line}", before=before, after=snap_line(line))
        changed.append(line)
    return changed


@transaction.atomic
def appraisal_self_assess(*, actor, appraisal: Appraisal, comment: str | None = None,
                          lines: list[dict] | None = None, submit: bool = False,
                          expected_version: int | None = None) -> Appraisal:
    """The employee's self-assessment: comments, and self-scores on the direct (behaviour) lines; saved
    as a draft until ``submit``."""
    a = lock(appraisal)
    if not permissions.is_self(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only the employee writes the self-assessment."))
        raise NotFound(_("Not found."))
    if submit and a.status == Status.SELF_ASSESSED and not lines and comment in (None, a.self_comment):
        return a  # a second submit is a no-op
    require_edit(a, "self_score")
    check_version(a, expected_version)
    before = snap(a)
    _apply_line_scores(actor=actor, appraisal=a, entries=lines or [], role="self")
    if comment is not None:
        a.self_comment = comment
    if submit:
        move(a, "submit_self")
        a.self_submitted_at = timezone.now()
    if snap(a) != before:
        save(a)
        audit_record(actor=actor, action="appraisal.self_submit" if submit else "appraisal.self_save", obj=a,
                     before=before, after=snap(a))
    if submit and a.appraiser_id and a.appraiser.user_id:
        emp = a.employee
        notify([a.appraiser.user_id], title=lambda: _("%(name)s submitted the self-assessment: please score")
               % {"name": emp.name}, url=appraisal_url(a.pk),
               dedupe=lambda uid: f"appraisals:self_submitted:{a.pk}:{uid}")
    return a


def finish_scoring(a: Appraisal, lines: list[ScoreLine]) -> None:
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
    a = lock(appraisal)
    if not permissions.is_appraiser(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only the appraiser of this appraisal may score it."))
        raise NotFound(_("Not found."))
    if submit and a.status in (Status.SCORED, Status.CALIBRATED) and not lines \
            and comment in (None, a.manager_comment):
        return a  # a second submit is a no-op
    require_edit(a, "manager_score")
    check_version(a, expected_version)
    before = snap(a)
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
        finish_scoring(a, all_lines)
        move(a, "submit_scores")
        a.manager_submitted_at = timezone.now()
        a.manager_submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    if snap(a) != before:
        save(a)
        audit_record(actor=actor, action="appraisal.manager_submit" if submit else "appraisal.manager_save",
                     obj=a, before=before, after=snap(a))
    return a


@transaction.atomic
def line_score_set(*, actor, line: ScoreLine, score, comment: str | None = None, role: str = "manager",
                   expected_version: int | None = None) -> ScoreLine:
    """One line's self or manager score (the API's per-line edit; a stale version is a 409)."""
    line, a = lock_line(line)
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
    require_edit(a, "self_score" if role == "self" else "manager_score")
    if not line.is_direct:
        raise ApplicationError(_("“%(title)s” is scored by its rule from the actual.") % {"title": line.display_title},
                               field="score")
    _apply_line_scores(actor=actor, appraisal=a, entries=[
        {"id": line.pk, "score": score, "comment": comment, "version": expected_version}], role=role)
    line.refresh_from_db()
    return line


