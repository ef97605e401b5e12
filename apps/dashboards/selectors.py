"""Reads of the dashboards: who may see which scope, and everything a dashboard shows.

A dashboard reads the summary tables only (plus the cycle, its stage deadlines and the department
or person it is about): a fixed number of queries whatever the number of employees.

Scopes and who sees them (docs/ARCHITECTURE.md "Who sees what", kind "aggregate" of ``apps.org.access``):
- the company: executives and HR;
- a department (its whole subtree): executives and HR; its head and the heads of the departments
  above it; anyone in the reporting chain above its head (the "manager chain sees the subtree" rule);
- a team (the appraisals one appraiser scores in a cycle): the appraiser, their manager chain, HR
  and executives;
- one's own trend: the employee themself (published appraisals only).
Anything else answers 404.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.appraisals.models import DONE_AT, STAGE_ORDER, Appraisal, Cycle, CycleStatus, Stage, Status
from apps.core.exceptions import NotFound
from apps.core.memo import remember
from apps.core.periods import period_label
from apps.org import access
from apps.org.models import Department, Employee
from apps.org.queries import department_subtree_q
from apps.plans.models import Perspective

from .models import (
    BUCKET_WIDTH,
    LAST_BUCKET,
    DepartmentCycleSummary,
    GoalAttainmentSummary,
    RollupState,
    TeamCycleSummary,
)

TREND_PERIODS = 12
PICKER_CYCLES = 24
RANKED = 5  # top and bottom departments shown (the roll-up stores them: ``rollup.RANKED``)
TWO = Decimal("0.01")


# --- access ------------------------------------------------------------------------------------------------

def sees_everything(user) -> bool:
    v = access.viewer_for(user)
    return bool(getattr(user, "is_authenticated", False)) and (v.is_hr or v.is_executive)


def headed_departments(user) -> list[Department]:
    """Departments the user heads, top first (kept on the user object for the request)."""
    def compute() -> list[Department]:
        v = access.viewer_for(user)
        if not v.employee_id:
            return []
        return list(Department.objects.filter(head_id=v.employee_id, is_active=True).order_by("depth", "path"))

    return remember(user, "_dash_headed", compute)


def visible_departments_q(user) -> Q:
    """Departments whose subtree aggregates the user may read (a filter on Department)."""
    if sees_everything(user):
        return Q()
    q = access.employee_scope_q(user, "aggregate", prefix="head__")
    for dept in headed_departments(user):
        q |= department_subtree_q(dept, field="")
    return q


def _prefixed(q: Q, prefix: str) -> Q:
    """The same filter on a model that reaches Department through ``prefix`` ("department__")."""
    if not q.children:
        return Q()
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            out.children.append((f"{prefix}{key}", value))
    return out


def department_get(*, user, pk) -> Department:
    """A department whose dashboard the user may see, else NotFound (404: its existence does not leak)."""
    dept = Department.objects.filter(visible_departments_q(user), pk=pk).select_related("parent").first()
    if dept is None:
        raise NotFound(_("Not found."))
    return dept


def require_company(user) -> None:
    if not sees_everything(user):
        raise NotFound(_("Not found."))


def team_manager_get(*, user, pk) -> Employee:
    """The appraiser whose team dashboard the user may see (self, manager chain, HR, executives)."""
    emp = Employee.objects.filter(pk=pk).select_related("department").first()
    if emp is None:
        raise NotFound(_("Not found."))
    access.require(user, access.READ, "aggregate", emp)
    return emp


def home_url(user) -> str:
    """Where the dashboards menu entry leads: the widest scope the user has."""
    if sees_everything(user):
        return reverse("dashboards:company")
    headed = headed_departments(user)
    if headed:
        return reverse("dashboards:department", args=[headed[0].pk])
    v = access.viewer_for(user)
    if v.employee_id and (v.is_line_manager or TeamCycleSummary.objects.filter(manager_id=v.employee_id).exists()):
        return reverse("dashboards:team", args=[v.employee_id])
    return reverse("dashboards:me")


def scope_tabs(user, current: str) -> list[dict]:
    """The scopes the user may switch between (company, the departments they head, their team, their trend)."""
    tabs = []
    if sees_everything(user):
        tabs.append({"key": "company", "label": _("Company"), "url": reverse("dashboards:company")})
    for dept in headed_departments(user)[:3]:
        tabs.append({"key": f"department:{dept.pk}", "label": dept.name,
                     "url": reverse("dashboards:department", args=[dept.pk])})
    v = access.viewer_for(user)
    if v.employee_id and v.is_line_manager:
        tabs.append({"key": f"team:{v.employee_id}", "label": _("My team"),
                     "url": reverse("dashboards:team", args=[v.employee_id])})
    if v.employee_id:
        tabs.append({"key": "me", "label": _("My results"), "url": reverse("dashboards:me")})
    for t in tabs:
        t["active"] = t["key"] == current
    return tabs


# --- the dashboard ----------------------------------------------------------------------------------------

@dataclass
class Scope:
    kind: str  # "company", "department" or "team"
    title: str
    department: Department | None = None
    manager: Employee | None = None
    ancestors: list[Department] = field(default_factory=list)

    @property
    def key(self) -> str:
        if self.kind == "department":
            return f"department:{self.department.pk}"
        if self.kind == "team":
            return f"team:{self.manager.pk}"
        return "company"

    def rows(self):
        """The summary rows of this scope (all cycles)."""
        if self.kind == "team":
            return TeamCycleSummary.objects.filter(manager=self.manager)
        if self.kind == "department":
            return DepartmentCycleSummary.objects.filter(department=self.department)
        return DepartmentCycleSummary.objects.filter(department__isnull=True)


def company_scope() -> Scope:
    return Scope(kind="company", title=str(_("Company")))


def department_scope(dept: Department) -> Scope:
    ids = [int(x) for x in dept.path.strip("/").split("/") if x][:-1]
    ancestors = list(Department.objects.filter(pk__in=ids).order_by("depth")) if ids else []
    return Scope(kind="department", title=dept.name, department=dept, ancestors=ancestors)


def team_scope(manager: Employee) -> Scope:
    return Scope(kind="team", title=_("Team of %(name)s") % {"name": manager.name}, manager=manager)


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _dec(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP))


def stage_bars(row, cycle: Cycle, stages: dict) -> list[dict]:
    """Progress of each stage of a cycle at this scope, from the summary row's counts."""
    counts = row.status_counts
    bars = []
    for st in STAGE_ORDER:
        if st == Stage.CALIBRATION and not cycle.requires_calibration:
            continue
        done = row.actuals_complete if st == Stage.ACTUALS else sum(counts[s] for s in DONE_AT[st])
        due = stages.get(st)
        bars.append({"stage": st, "label": str(Stage(st).label), "done": done, "total": row.headcount,
                     "percent": _pct(done, row.headcount), "due": due.isoformat() if due else None})
    return bars


def histogram(row) -> list[dict]:
    """Buckets of 5 points from the lowest to the highest one with people in it, with two empty buckets of
    context on each side (so that a narrow spread still reads as a distribution)."""
    counts = {int(k): int(v) for k, v in (row.histogram or {}).items()}
    if not counts:
        return []
    out = []
    for b in range(max(min(counts) - 2, 0), min(max(counts) + 2, LAST_BUCKET) + 1):
        low = b * BUCKET_WIDTH
        label = f"≥{low}" if b == LAST_BUCKET else f"{low}–{low + BUCKET_WIDTH}"
        out.append({"bucket": b, "from": low, "label": label, "count": counts.get(b, 0)})
    return out


def cycle_quotas(cycle: Cycle) -> list[dict]:
    """The cycle's grade quotas (set with calibration in apps.appraisals: "S+A at most 20%", hard or
    soft) as dicts; empty when the cycle has none, and the dashboard then shows the distribution alone.
    One query."""
    manager = getattr(cycle, "quotas", None)  # the reverse relation of apps.appraisals' GradeQuota
    if manager is None or not hasattr(manager, "all"):
        return []
    return [{"grades": list(q.grades or []), "limit": q.limit, "percent": Decimal(q.percent),
             "hard": bool(getattr(q, "is_hard", False))} for q in manager.all()]


def quota_checks(row, quotas: list[dict]) -> list[dict]:
    """Each quota against this scope's grade counts: the share of its grades among the graded
    appraisals, and whether the quota is broken (the calibration's rule: at most -> share above the
    percent, at least -> share below it)."""
    counts = {k: int(v) for k, v in (row.grade_counts or {}).items()}
    total = sum(counts.values())
    out = []
    for q in quotas:
        n = sum(counts.get(g, 0) for g in q["grades"])
        share = (Decimal(100) * n / total) if total else None
        broken = share is not None and (share > q["percent"] if q["limit"] == "at_most" else share < q["percent"])
        out.append({"label": "+".join(q["grades"]), "grades": q["grades"], "limit": q["limit"],
                    "percent": f"{q['percent'].normalize():f}", "hard": q["hard"], "count": n,
                    "share": str(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if share is not None else None,
                    "broken": broken})
    return out


def grades(row, cycle: Cycle, quotas: list[dict] | None = None) -> list[dict]:
    """People per grade in the cycle's grade order; a single-grade quota is drawn beside its bar."""
    counts = {k: int(v) for k, v in (row.grade_counts or {}).items()}
    order = [b["grade"] for b in (cycle.grade_bands or [])]
    order += sorted(g for g in counts if g not in order)
    total = sum(counts.values())
    single = {q["grades"][0]: q for q in quotas or [] if len(q["grades"]) == 1}
    out = []
    for g in order:
        q = single.get(g)
        out.append({"grade": g, "count": counts.get(g, 0),
                    "percent": round(100 * counts.get(g, 0) / total, 1) if total else 0,
                    "quota_max": float(q["percent"]) if q and q["limit"] == "at_most" else None,
                    "quota_min": float(q["percent"]) if q and q["limit"] == "at_least" else None})
    return out


def trend(scope: Scope, cycle: Cycle) -> list[dict]:
    """Mean and median over the last 12 periods of the cycle's frequency (one query). Cycles of the same
    period (e.g. narrowed to departments) are combined: the mean by their sums, the median of the largest."""
    rows = list(scope.rows().filter(frequency=cycle.frequency, period__lte=cycle.period)
                .order_by("-period", "-headcount")
                .values("period", "headcount", "scored", "score_sum", "median_score")[:TREND_PERIODS * 3])
    by_period: dict[str, dict] = {}
    for r in rows:
        p = by_period.setdefault(r["period"], {"period": r["period"], "scored": 0, "sum": Decimal(0),
                                               "median": r["median_score"], "headcount": 0})
        p["scored"] += r["scored"]
        p["sum"] += Decimal(r["score_sum"] or 0)
        p["headcount"] += r["headcount"]
    periods = sorted(by_period.values(), key=lambda p: p["period"])[-TREND_PERIODS:]
    return [{"period": p["period"], "label": period_label(p["period"]), "headcount": p["headcount"],
             "mean": _dec(p["sum"] / p["scored"]) if p["scored"] else None, "median": _dec(p["median"])}
            for p in periods]


def open_cycles(scope: Scope) -> list[dict]:
    """Stage progress of every open cycle at this scope (two queries: rows with their cycles, deadlines)."""
    rows = list(scope.rows().filter(cycle__status__in=[CycleStatus.OPEN, CycleStatus.OPENING])
                .select_related("cycle").prefetch_related("cycle__stages").order_by("-period", "cycle_id"))
    out = []
    for r in rows:
        stages = {s.stage: s.due_date for s in r.cycle.stages.all()}
        out.append({"cycle": r.cycle, "title": r.cycle.display_title, "headcount": r.headcount,
                    "overdue": r.overdue, "bars": stage_bars(r, r.cycle, stages)})
    return out


def goal_attainment(scope: Scope, year: int) -> list[dict]:
    """Goal attainment by balanced-scorecard perspective (company or department subtree): one row."""
    if scope.kind == "team":
        return []
    qs = GoalAttainmentSummary.objects.filter(year=year)
    qs = qs.filter(department=scope.department) if scope.kind == "department" else qs.filter(department__isnull=True)
    row = qs.first()
    if row is None:
        return []
    labels = dict(Perspective.choices)
    order = {p: i for i, p in enumerate(Perspective.values)}
    out = []
    for persp, (n, ps, es, achieved, on_track) in sorted((row.perspectives or {}).items(),
                                                          key=lambda kv: order.get(kv[0], 99)):
        n = int(n)
        out.append({"perspective": persp, "label": str(labels.get(persp, _("No perspective"))), "goals": n,
                    "mean_progress": _dec(Decimal(str(ps)) / n) if n else None,
                    "expected": _dec(Decimal(str(es)) / n) if n else None, "achieved": int(achieved),
                    "on_track": int(on_track), "on_track_percent": _pct(int(on_track), n)})
    return out


def _department_row(r) -> dict:
    return {"department": r.department, "id": r.department_id, "name": r.department.name,
            "parent": r.parent.name if r.parent_id and r.parent else "", "headcount": r.headcount,
            "scored": r.scored, "mean": _dec(r.mean_score), "median": _dec(r.median_score),
            "published_percent": _pct(r.n_published, r.headcount), "overdue": r.overdue,
            "grades": r.grade_counts or {}}


def _team_children(scope: Scope, cycle: Cycle) -> list[dict]:
    rows = (TeamCycleSummary.objects.filter(cycle=cycle, manager__supervisor=scope.manager)
            .select_related("manager").order_by("manager__employee_no"))
    return [{"manager": r.manager, "id": r.manager_id, "name": r.manager.name, "headcount": r.headcount,
             "scored": r.scored, "mean": _dec(r.mean_score), "median": _dec(r.median_score),
             "published_percent": _pct(r.n_published, r.headcount), "overdue": r.overdue,
             "grades": r.grade_counts or {}} for r in rows]


def drill(user, scope: Scope, row, cycle: Cycle) -> tuple[list[dict], dict[str, list[dict]]]:
    """The rows one level down (departments below, or the teams of the appraiser's reports) and the top and
    bottom departments of the subtree by mean score. The top and bottom come from the list the roll-up
    stored on the scope's row; both are read in one query whatever the size of the subtree."""
    if scope.kind == "team":
        return _team_children(scope, cycle), {"top": [], "bottom": []}
    entries = list(getattr(row, "ranking", None) or [])
    ids = [int(e[0]) for e in entries]
    level = Q(parent=scope.department) if scope.kind == "department" else Q(depth=0)
    rows = list(DepartmentCycleSummary.objects.filter(cycle=cycle, department__isnull=False)
                .filter(level | Q(department_id__in=ids))
                .filter(_prefixed(visible_departments_q(user), "department__"))
                .select_related("department", "parent").order_by("path"))
    below = [_department_row(r) for r in rows if (r.parent_id == scope.department.pk if scope.kind == "department"
                                                   else r.depth == 0)]
    by_id = {r.department_id: r for r in rows}

    def ranks(i: int) -> list[dict]:
        picked = sorted((e for e in entries if int(e[i]) <= RANKED and int(e[0]) in by_id), key=lambda e: int(e[i]))
        return [_department_row(by_id[int(e[0])]) for e in picked]

    top = ranks(3)
    return below, {"top": top, "bottom": ranks(4) if len(top) >= RANKED else []}


@dataclass
class Dashboard:
    scope: Scope
    cycles: list = field(default_factory=list)
    cycle: Cycle | None = None
    row: object = None
    data: dict = field(default_factory=dict)


def _summary(row, cycle: Cycle) -> dict:
    return {
        "headcount": row.headcount, "direct_headcount": row.direct_headcount, "scored": row.scored,
        "mean": _dec(row.mean_score), "median": _dec(row.median_score), "min": _dec(row.min_score),
        "max": _dec(row.max_score), "overdue": row.overdue, "status_counts": row.status_counts,
        "published_percent": _pct(row.n_published, row.headcount),
        "scored_percent": _pct(row.scored, row.headcount), "rolled_up_at": row.rolled_up_at.isoformat(),
    }


def dashboard(*, user, scope: Scope, cycle_id: int | None = None) -> Dashboard:
    """Everything a dashboard shows for one scope and cycle (default: the latest cycle with data)."""
    picker = list(scope.rows().select_related("cycle").order_by("-period", "-headcount", "-cycle_id")[:PICKER_CYCLES])
    row = None
    if cycle_id is not None:
        row = next((r for r in picker if r.cycle_id == cycle_id), None)
        if row is None:
            row = scope.rows().select_related("cycle").filter(cycle_id=cycle_id).first()
            if row is None:
                raise NotFound(_("There are no figures for this cycle here yet."))
    elif picker:  # the latest cycle with scores (the open cycles' progress is shown anyway), else the latest
        row = next((r for r in picker if r.scored), picker[0])
    board = Dashboard(scope=scope, cycles=[r.cycle for r in picker])
    if row is None:
        return board
    cycle = row.cycle
    board.cycle, board.row = cycle, row
    quotas = cycle_quotas(cycle)
    year = int(cycle.period[:4])
    board.data = {
        "scope": {"kind": scope.kind, "title": scope.title,
                  "department": scope.department.pk if scope.department else None,
                  "manager": scope.manager.pk if scope.manager else None},
        "cycle": {"id": cycle.pk, "title": cycle.display_title, "period": cycle.period,
                  "period_label": cycle.period_label, "frequency": cycle.frequency, "status": cycle.status},
        "summary": _summary(row, cycle),
        "histogram": histogram(row),
        "grades": grades(row, cycle, quotas),
        "graded": sum(int(v) for v in (row.grade_counts or {}).values()),
        "has_quotas": bool(quotas),
        "quotas": quota_checks(row, quotas),
        "trend": trend(scope, cycle),
        "open_cycles": [{k: v for k, v in c.items() if k != "cycle"} for c in open_cycles(scope)],
        "goals": {"year": year, "perspectives": goal_attainment(scope, year)},
    }
    board.data["children"], board.data["ranked"] = drill(user, scope, row, cycle)
    return board


def payload(board: Dashboard) -> dict:
    """The dashboard as JSON-safe data (the API answers it; the page feeds its charts from it)."""
    data = dict(board.data)
    for key in ("children",):
        data[key] = [{k: v for k, v in r.items() if k not in ("department", "manager")} for r in data.get(key, [])]
    if "ranked" in data:
        data["ranked"] = {k: [{x: y for x, y in r.items() if x != "department"} for r in rows]
                          for k, rows in data["ranked"].items()}
    data["cycles"] = [{"id": c.pk, "title": c.display_title, "period": c.period} for c in board.cycles]
    return data


# --- lists and the employee's own trend ---------------------------------------------------------------------

def department_summary_list(*, user, cycle_id: int | None = None, parent_id: int | None = None):
    """Department summaries the user may read, with their department and cycle joined."""
    qs = (DepartmentCycleSummary.objects.filter(department__isnull=False)
          .filter(_prefixed(visible_departments_q(user), "department__"))
          .select_related("department", "cycle"))
    if cycle_id:
        qs = qs.filter(cycle_id=cycle_id)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    return qs.order_by("-period", "cycle_id", "path")


def my_trend(*, user) -> list[dict]:
    """The user's own published results over the last 12 periods (their appraisals only)."""
    v = access.viewer_for(user)
    if not v.employee_id:
        return []
    rows = list(Appraisal.objects.filter(employee_id=v.employee_id, status=Status.PUBLISHED)
                .select_related("cycle").order_by("-period", "-pk")[:TREND_PERIODS])
    rows.reverse()
    return [{"id": a.pk, "period": a.period, "label": period_label(a.period), "total": _dec(a.total_score),
             "grade": a.final_grade, "cycle": a.cycle.display_title,
             "url": reverse("appraisals:detail", args=[a.pk])} for a in rows]


def rollup_states(keys: list[str]) -> dict[str, RollupState]:
    return {s.key: s for s in RollupState.objects.filter(key__in=keys)}
