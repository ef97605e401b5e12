"""Writes of the dashboards: the roll-ups and the dispatcher that decides which ones are due.

A roll-up replaces every summary row of one cycle (or one goal year) in one transaction: delete,
then one ``INSERT ... SELECT`` per table (``rollup.py``). Running it twice leaves identical rows;
a worker killed mid-way rolls the transaction back, so readers keep the previous complete rows,
and the retried task writes the clean result.

Debounce: nobody below this app calls it (apps lower in the layering may not import it). Instead
the beat task :func:`rollups_dispatch` runs every minute and compares a cheap *fingerprint* of each
cycle's appraisals (one grouped aggregate: count, latest ``updated_at``, overdue count, lines
awaiting actuals, sum of totals; plus the cycle's own state and how many stage deadlines have
passed) with the fingerprint the last roll-up saw. Only changed cycles are queued, each at most
once until its roll-up has run: many changes within a minute cause one roll-up, and the passing of
a stage deadline (a stage closing) causes one too.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import asdict, dataclass

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, Cycle, CycleStage, CycleStatus
from apps.core.audit import audit_record
from apps.core.exceptions import NotFound, PermissionDenied
from apps.core.roles import is_hr
from apps.org.models import Department
from apps.plans.models import Goal, StrategicTheme

from . import rollup
from .models import RollupState

log = logging.getLogger(__name__)

#: Published cycles keep being watched this long (appeals and re-scoring happen after publication);
#: older ones are checked by the nightly full pass only.
WATCH_PUBLISHED_DAYS = 120
#: A queued roll-up that has not run after this long is queued again (its worker may have died).
REQUEUE_AFTER = dt.timedelta(minutes=15)


@dataclass
class RollupResult:
    key: str
    rows: int
    seconds: float
    fingerprint: str

    def as_dict(self) -> dict:
        return asdict(self)


def cycle_key(cycle_id: int) -> str:
    return f"cycle:{cycle_id}"


def goals_key(year: int) -> str:
    return f"goals:{year}"


def _digest(parts) -> str:
    text = "|".join("" if p is None else (p.isoformat() if hasattr(p, "isoformat") else str(p)) for p in parts)
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a change detector, not security


# --- fingerprints ----------------------------------------------------------------------------------------

def _org_parts() -> tuple:
    """The department tree: a move or a new department changes which subtree a row belongs to."""
    agg = Department.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return agg["n"], agg["last"]


def cycle_fingerprints(cycle_ids: list[int] | None = None, *, today: dt.date | None = None) -> dict[int, str]:
    """{cycle id: fingerprint of what its summaries are made of}. Three grouped aggregates whatever the
    number of cycles, appraisals or departments."""
    today = today or timezone.localdate()
    cycles = Cycle.objects.exclude(status=CycleStatus.DRAFT)
    if cycle_ids is not None:
        cycles = cycles.filter(pk__in=cycle_ids)
    cycles = {c["pk"]: c for c in cycles.values("pk", "status", "updated_at", "period", "frequency")}
    if not cycles:
        return {}
    ids = list(cycles)
    appraisals = {r["cycle_id"]: r for r in (
        Appraisal.objects.filter(cycle_id__in=ids).values("cycle_id").order_by()
        .annotate(n=Count("pk"), last=Max("updated_at"), overdue=Count("pk", filter=~Q(overdue_stage="")),
                  pending=Sum("lines_pending"), returned=Sum("lines_returned"), total=Sum("total_score")))}
    closed = dict(CycleStage.objects.filter(cycle_id__in=ids, due_date__lt=today).values("cycle_id").order_by()
                  .annotate(n=Count("pk")).values_list("cycle_id", "n"))
    org = _org_parts()
    return {pk: _cycle_digest(c, appraisals.get(pk), closed.get(pk, 0), org) for pk, c in cycles.items()}


def _cycle_digest(cycle: dict, figures: dict | None, closed: int, org: tuple) -> str:
    a = figures if figures and figures.get("n") else {"n": 0}
    return _digest([cycle["status"], cycle["updated_at"], cycle["period"], cycle["frequency"], a["n"], a.get("last"),
                    a.get("overdue"), a.get("pending"), a.get("returned"), a.get("total"), closed, *org])


def goal_fingerprints(years: list[int] | None = None, *, today: dt.date | None = None) -> dict[int, str]:
    """{year: fingerprint of its goals}; the day is part of it (expected progress moves with the calendar)."""
    today = today or timezone.localdate()
    qs = Goal.objects.all()
    if years is not None:
        qs = qs.filter(year__in=years)
    rows = list(qs.values("year").order_by().annotate(n=Count("pk"), last=Max("updated_at"),
                                                      progress=Sum("progress")))
    themes = StrategicTheme.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    org = _org_parts()
    out = {r["year"]: _digest([r["n"], r["last"], r["progress"], themes["n"], themes["last"], today, *org])
           for r in rows}
    for y in years or []:
        out.setdefault(y, _digest(["empty", today, *org]))
    return out


# --- the roll-ups ---------------------------------------------------------------------------------------

def _lock_state(key: str) -> RollupState:
    """The state row of a roll-up, locked for this transaction (concurrent roll-ups of the same
    target run one after the other)."""
    RollupState.objects.bulk_create([RollupState(key=key)], ignore_conflicts=True)
    return RollupState.objects.select_for_update().get(key=key)


def cycle_rollup(*, cycle_id: int) -> RollupResult:
    """Replace the summaries of one cycle: its departments (subtrees), the company and its teams."""
    started = time.perf_counter()
    key = cycle_key(cycle_id)
    with transaction.atomic():
        state = _lock_state(key)
        cycle = Cycle.objects.filter(pk=cycle_id).values("pk", "period", "frequency", "status", "updated_at").first()
        rollup.delete_cycle(cycle_id)
        rows, figures = 0, None
        if cycle is not None and cycle["status"] != CycleStatus.DRAFT:
            rows, figures = rollup.write_cycle(cycle_id=cycle_id, period=cycle["period"],
                                               frequency=cycle["frequency"], now=timezone.now())
        if figures is not None:  # PostgreSQL: the figures of the very rows the statement summarised
            closed = CycleStage.objects.filter(cycle_id=cycle_id, due_date__lt=timezone.localdate()).count()
            fingerprint = _cycle_digest(cycle, figures, closed, _org_parts())
        else:
            fingerprint = cycle_fingerprints([cycle_id]).get(cycle_id, "") if cycle else ""
        seconds = time.perf_counter() - started
        state.fingerprint, state.rolled_up_at, state.requested_at = fingerprint, timezone.now(), None
        state.seconds, state.rows = round(seconds, 3), rows
        state.save()
    log.info("roll-up %s: %s rows in %.2f s", key, rows, seconds)
    return RollupResult(key=key, rows=rows, seconds=seconds, fingerprint=fingerprint)


def goals_rollup(*, year: int, today: dt.date | None = None) -> RollupResult:
    """Replace the goal attainment summaries of one year's cascade."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    key = goals_key(year)
    with transaction.atomic():
        state = _lock_state(key)
        fingerprint = goal_fingerprints([year], today=today)[year]
        rows = rollup.write_goal_year(year=year, today=today, now=timezone.now())
        seconds = time.perf_counter() - started
        state.fingerprint, state.rolled_up_at, state.requested_at = fingerprint, timezone.now(), None
        state.seconds, state.rows = round(seconds, 3), rows
        state.save()
    return RollupResult(key=key, rows=rows, seconds=seconds, fingerprint=fingerprint)


# --- what is due ---------------------------------------------------------------------------------------------

def _watched_cycle_ids(now: dt.datetime) -> list[int]:
    recent = now - dt.timedelta(days=WATCH_PUBLISHED_DAYS)
    return list(Cycle.objects.filter(
        Q(status__in=[CycleStatus.OPENING, CycleStatus.OPEN])
        | Q(status=CycleStatus.PUBLISHED, published_at__gte=recent)
        | Q(status=CycleStatus.PUBLISHED, published_at__isnull=True)).values_list("pk", flat=True))


def rollups_due(*, everything: bool = False, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """Cycles and goal years whose source rows changed since their last roll-up and that are not queued
    already. ``everything``: every cycle (the nightly pass), not only the open and recent ones."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = None if everything else _watched_cycle_ids(now)
    cycles = cycle_fingerprints(ids, today=today) if ids is None or ids else {}
    years = goal_fingerprints(today=today)
    states = {s.key: s for s in RollupState.objects.filter(
        key__in=[cycle_key(c) for c in cycles] + [goals_key(y) for y in years])}

    def due(key: str, fp: str) -> bool:
        s = states.get(key)
        if s is None:
            return True
        if s.fingerprint == fp:
            return False
        queued = s.requested_at is not None and (s.rolled_up_at is None or s.requested_at > s.rolled_up_at)
        return not (queued and now - s.requested_at < REQUEUE_AFTER)

    return {"cycles": sorted(c for c, fp in cycles.items() if due(cycle_key(c), fp)),
            "years": sorted(y for y, fp in years.items() if due(goals_key(y), fp))}


def rollups_dispatch(*, everything: bool = False, now: dt.datetime | None = None) -> dict[str, list[int]]:
    """The beat task's work: find what is due, mark it queued, queue one roll-up task each (after commit)."""
    from . import tasks

    now = now or timezone.now()
    todo = rollups_due(everything=everything, now=now)
    keys = [cycle_key(c) for c in todo["cycles"]] + [goals_key(y) for y in todo["years"]]
    if not keys:
        return todo
    with transaction.atomic():
        RollupState.objects.bulk_create([RollupState(key=k) for k in keys], ignore_conflicts=True)
        RollupState.objects.filter(key__in=keys).update(requested_at=now)
        for c in todo["cycles"]:
            transaction.on_commit(lambda c=c: tasks.rollup_cycle.delay(c))
        for y in todo["years"]:
            transaction.on_commit(lambda y=y: tasks.rollup_goals.delay(y))
    return todo


# --- on request ------------------------------------------------------------------------------------------

def may_request_rollup(user) -> bool:
    return is_hr(user)


@transaction.atomic
def rollup_request(*, actor, cycle_id: int) -> None:
    """HR asks for the cycle's figures to be recalculated now (queued; audited)."""
    from . import tasks

    cycle = Cycle.objects.filter(pk=cycle_id).exclude(status=CycleStatus.DRAFT).first()
    if cycle is None:
        raise NotFound(_("Not found."))
    if not may_request_rollup(actor):
        raise PermissionDenied(_("Only HR may recalculate the figures."))
    key = cycle_key(cycle.pk)
    RollupState.objects.bulk_create([RollupState(key=key)], ignore_conflicts=True)
    RollupState.objects.filter(key=key).update(requested_at=timezone.now())
    audit_record(actor=actor, action="dashboards.rollup_request", obj=cycle, after={"cycle": cycle.pk})
    transaction.on_commit(lambda: tasks.rollup_cycle.delay(cycle.pk))
