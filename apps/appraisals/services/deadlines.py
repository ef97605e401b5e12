"""The deadlines engine: one beat task scans the stages of open cycles.

For each stage whose reminder window has begun:
- before (and on) the deadline: remind whoever the stage waits on;
- after it: flag the pending appraisals overdue (one UPDATE), then apply the stage's policy:
  remind only, escalate to the manager of whoever is late, or advance each pending appraisal
  with a "not submitted" mark (one transaction per appraisal).

Idempotent: reminders carry notification de-duplication keys
``appraisals:<kind>:<cycle>:<stage>:<user>:<day>`` (each person gets one message per stage and
day, whatever the number of their appraisals and however often the task runs); the overdue flag
only touches unflagged rows; an advance re-checks the appraisal's state under its row lock, so a
second run (or a retry after a worker was killed) finds nothing left to do.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record
from apps.core.exceptions import ApplicationError
from apps.org.models import Employee

from .. import grading
from ..models import (
    AWAITING,
    PENDING_AT,
    Appraisal,
    Collection,
    CycleStage,
    CycleStatus,
    Policy,
    ScoreLine,
    ScoreSource,
    Stage,
    Status,
)
from .calibration import appraisal_calibration_confirm
from .kernel import (
    data_owner_user_ids,
    hr_user_ids,
    lock,
    move,
    notify,
    refresh_counts,
    save,
    snap,
    snap_line,
)
from .publication import maybe_close_cycle, publish_checked
from .scoring import finish_scoring
from .verification import verify_locked

MAX_REMIND_DAYS = 31


def pending_appraisals(st: CycleStage):
    qs = Appraisal.objects.filter(cycle_id=st.cycle_id, status__in=list(PENDING_AT[st.stage]))
    if st.stage == Stage.ACTUALS:
        qs = qs.filter(lines_pending__gt=0)
    if st.stage == Stage.PUBLISH and st.cycle.requires_calibration:
        qs = qs.filter(status=Status.CALIBRATED)
    return qs


def _supervisor_users(user_ids) -> dict[int, int]:
    """{user id: the user id of that person's direct supervisor}."""
    return {u: s for u, s in Employee.objects.filter(user_id__in=list(user_ids), is_active=True,
                                                     supervisor__user__isnull=False)
            .values_list("user_id", "supervisor__user_id")}


def responsible(st: CycleStage, pending) -> tuple[Counter, Counter]:
    """(who the stage waits on, their managers) as {user id: number of items}."""
    resp, esc = Counter(), Counter()
    if st.stage == Stage.ACTUALS:
        rows = (ScoreLine.objects.filter(cycle_id=st.cycle_id, collection__in=list(AWAITING),
                                         appraisal__status=Status.COLLECTING)
                .values("data_source_id", "appraisal__appraiser__user_id", "appraisal__appraiser__supervisor__user_id")
                .annotate(n=Count("pk")).order_by())
        rows = list(rows)
        owners = data_owner_user_ids(r["data_source_id"] for r in rows if r["data_source_id"])
        owner_counts: Counter = Counter()
        for r in rows:
            if r["data_source_id"]:
                for u in owners.get(r["data_source_id"], ()):
                    owner_counts[u] += r["n"]
            elif r["appraisal__appraiser__user_id"]:
                resp[r["appraisal__appraiser__user_id"]] += r["n"]
                if r["appraisal__appraiser__supervisor__user_id"]:
                    esc[r["appraisal__appraiser__supervisor__user_id"]] += r["n"]
        resp.update(owner_counts)
        for u, s in _supervisor_users(owner_counts).items():
            esc[s] += owner_counts[u]
        return resp, esc
    if st.stage == Stage.SELF_ASSESSMENT:
        for u, s, n in (pending.values_list("employee__user_id", "employee__supervisor__user_id")
                        .annotate(n=Count("pk")).order_by()):
            if u:
                resp[u] += n
            if s:
                esc[s] += n
        return resp, esc
    if st.stage == Stage.MANAGER_SCORING:
        for u, s, n in (pending.values_list("appraiser__user_id", "appraiser__supervisor__user_id")
                        .annotate(n=Count("pk")).order_by()):
            if u:
                resp[u] += n
            if s:
                esc[s] += n
        return resp, esc
    # verification, calibration, publication wait on HR
    n = pending.count()
    hr = hr_user_ids()
    for u in hr:
        resp[u] += n
    for _u, s in _supervisor_users(hr).items():
        if s not in hr:
            esc[s] += n
    return resp, esc


def _stage_url(st: CycleStage) -> str:
    if st.stage == Stage.ACTUALS:
        return reverse("appraisals:actuals") + f"?cycle={st.cycle_id}"
    if st.stage == Stage.SELF_ASSESSMENT:
        return reverse("appraisals:my")
    if st.stage == Stage.MANAGER_SCORING:
        return reverse("appraisals:team") + f"?cycle={st.cycle_id}"
    return reverse("appraisals:cycle", args=[st.cycle_id])


def _send(st: CycleStage, counts: Counter, kind: str, today: dt.date) -> int:
    """One notification per user: kind is "remind" (before the deadline), "overdue" or "escalate"."""
    cycle, due = st.cycle, st.due_date
    sent = 0
    for uid, n in counts.items():
        def title(n=n) -> str:
            stage = Stage(st.stage).label
            if kind == "remind":
                return _("%(stage)s due %(due)s: %(n)s item(s) wait for you (%(cycle)s)") % {
                    "stage": stage, "due": due.isoformat(), "n": n, "cycle": cycle.display_title}
            if kind == "overdue":
                return _("Overdue since %(due)s: %(stage)s, %(n)s item(s) still wait for you (%(cycle)s)") % {
                    "stage": stage, "due": due.isoformat(), "n": n, "cycle": cycle.display_title}
            return _("Escalation: %(n)s item(s) of your team are overdue in %(stage)s (deadline %(due)s, "
                     "%(cycle)s)") % {"stage": stage, "due": due.isoformat(), "n": n, "cycle": cycle.display_title}

        sent += notify(
            [uid], title=title, url=_stage_url(st),
            dedupe=lambda u: f"appraisals:{kind}:{cycle.pk}:{st.stage}:{u}:{today.isoformat()}")
    return sent


# --- advancing one appraisal past a missed deadline ----------------------------------------------------

def _advance_actuals(a: Appraisal, today: dt.date) -> bool:
    lines = list(ScoreLine.objects.select_for_update().filter(appraisal=a, collection__in=list(AWAITING)))
    if not lines:
        return False
    ScoreLine.objects.filter(pk__in=[ln.pk for ln in lines]).update(collection=Collection.MISSING)
    for ln in lines:
        audit_record(actor=None, action="appraisal.line_not_submitted", obj=ln, object_repr=f"{a} · {ln.pk}",
                     before={"collection": ln.collection}, after={"collection": Collection.MISSING,
                                                                 "deadline": today.isoformat()})
    refresh_counts(a)
    return True


def _advance_manager(a: Appraisal) -> bool:
    lines = list(ScoreLine.objects.select_for_update(of=("self",)).select_related("indicator").filter(appraisal=a))
    missing = [ln for ln in lines if ln.score is None and ln.is_direct]
    if any(ln.self_score is None for ln in missing) or any(ln.score is None and not ln.is_direct for ln in lines):
        return False  # nothing to take: the appraisal stays overdue and HR sees it
    now = timezone.now()
    for ln in missing:
        res = grading.score_direct_line(ln, ln.self_score, source=ScoreSource.SELF_TAKEN)
        before = snap_line(ln)
        ln.score, ln.explanation_zh, ln.explanation_en = res.score, res.explanation_zh, res.explanation_en
        ln.score_source, ln.scored_at = res.source, now
        save(ln)
        audit_record(actor=None, action="appraisal.line_self_score_taken", obj=ln, object_repr=f"{a} · {ln}",
                     before=before, after=snap_line(ln))
    finish_scoring(a, lines)
    move(a, "submit_scores")
    a.manager_not_submitted = True
    a.manager_submitted_at = now
    return True


def advance_one(*, appraisal_id: int, stage: str, today: dt.date) -> bool:
    """Move one appraisal past a missed deadline with a "not submitted" mark (its own transaction).
    False when it is no longer pending at that stage or cannot be advanced (nothing to take)."""
    with transaction.atomic():
        a = lock(appraisal_id)
        if a.status not in PENDING_AT[stage]:
            return False
        before = snap(a)
        if stage == Stage.ACTUALS:
            moved = _advance_actuals(a, today)
        elif stage == Stage.VERIFICATION:
            if a.lines_pending:
                return False
            return verify_locked(a, actor=None, automatic=True)
        elif stage == Stage.SELF_ASSESSMENT:
            move(a, "submit_self")
            a.self_not_submitted = True
            a.self_submitted_at = timezone.now()
            moved = True
        elif stage == Stage.MANAGER_SCORING:
            moved = _advance_manager(a)
        elif stage == Stage.CALIBRATION:
            if a.status != Status.SCORED:
                return False
            appraisal_calibration_confirm(actor=None, appraisal=a, not_held=True)
            return True
        elif stage == Stage.PUBLISH:
            return publish_checked(a, actor=None)  # refused while a hard quota is broken
        else:  # pragma: no cover - the stages are a closed set
            return False
        if not moved:
            return False
        a.overdue_stage, a.overdue_since = "", None
        save(a)
        audit_record(actor=None, action=f"appraisal.advance_{stage}", obj=a, before=before,
                     after={**snap(a), "deadline_passed": today.isoformat()})
        return True


# --- the scan ------------------------------------------------------------------------------------------

def _scan_stage(st: CycleStage, today: dt.date, stats: Counter, on_item: Callable | None = None) -> None:
    cycle = st.cycle
    if st.stage == Stage.CALIBRATION and not cycle.requires_calibration:
        return
    if today < st.due_date - dt.timedelta(days=st.remind_days_before):
        return
    pending = pending_appraisals(st)
    if not pending.exists():
        return
    if today <= st.due_date:
        resp, _esc = responsible(st, pending)
        stats["reminders"] += _send(st, resp, "remind", today)
        return
    flagged = pending.filter(overdue_stage="").update(overdue_stage=st.stage, overdue_since=today)
    if flagged:
        stats["flagged"] += flagged
        with transaction.atomic():
            audit_record(actor=None, action="cycle.stage_overdue", obj=cycle,
                         after={"stage": st.stage, "flagged": flagged, "deadline": st.due_date.isoformat(),
                                "day": today.isoformat()})
    if st.policy == Policy.ADVANCE:
        for pk in list(pending.order_by("pk").values_list("pk", flat=True)):
            try:
                stats["advanced"] += advance_one(appraisal_id=pk, stage=st.stage, today=today)
            except ApplicationError:
                stats["stuck"] += 1  # e.g. data that cannot be scored: it stays overdue for HR to see
            if on_item is not None:
                on_item(pk)
        if st.stage == Stage.PUBLISH:
            with transaction.atomic():
                maybe_close_cycle(cycle.pk, actor=None)
        pending = pending_appraisals(st)  # what could not be advanced is reminded below
        if not pending.exists():
            return
    resp, esc = responsible(st, pending)
    stats["overdue_reminders"] += _send(st, resp, "overdue", today)
    if st.policy == Policy.ESCALATE:
        stats["escalations"] += _send(st, esc, "escalate", today)


def deadlines_scan(*, today: dt.date | None = None, on_item: Callable | None = None) -> dict:
    """Scan every open cycle's stages once (the beat task). Returns counts of what it did."""
    today = today or timezone.localdate()
    stats: Counter = Counter()
    stages = list(CycleStage.objects.filter(cycle__status=CycleStatus.OPEN,
                                            due_date__lte=today + dt.timedelta(days=MAX_REMIND_DAYS))
                  .select_related("cycle").order_by("due_date", "pk"))
    order = {s: i for i, s in enumerate(Stage.values)}
    stages.sort(key=lambda s: (s.cycle_id, order[s.stage]))
    for st in stages:
        _scan_stage(st, today, stats, on_item)
        stats["stages"] += 1
    return dict(stats)
