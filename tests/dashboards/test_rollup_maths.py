"""The roll-up's figures equal a straightforward Python computation over the same appraisals, for
organisations of several shapes; running it twice changes nothing; a roll-up interrupted after a
partial write leaves the previous figures, and the rerun writes the clean result."""
import datetime as dt
import random
from decimal import Decimal

import pytest
from dashboard_helpers import (
    actual_departments,
    actual_teams,
    build_org,
    expected_departments,
    expected_teams,
    open_cycle,
    randomise,
    signed_contracts,
    snapshot,
)

from apps.appraisals.models import Appraisal
from apps.dashboards import rollup, services
from apps.dashboards.models import DepartmentCycleSummary, GoalAttainmentSummary, RollupState
from apps.org.models import Department
from apps.plans import services as plan_services
from apps.plans.models import Goal

pytestmark = pytest.mark.django_db


def _cycle(org, shape, seed, people=60):
    depts, employees = build_org(org, shape=shape, seed=seed, people=people)
    signed_contracts(employees, period="2026-11", level=org.level_s)
    cycle = open_cycle(org, period="2026-11")
    randomise(cycle, seed)
    return depts, cycle


@pytest.mark.parametrize("shape,seed", [("chain", 1), ("wide", 2), ("two_roots", 3), ("random", 4), ("random", 5)])
def test_rollup_equals_a_python_computation_over_a_random_organisation(org, shape, seed):
    depts, cycle = _cycle(org, shape, seed)
    result = services.cycle_rollup(cycle_id=cycle.pk)

    want = expected_departments(cycle)
    got = actual_departments(cycle)
    assert set(got) == set(want)  # every department with appraisals below it, and the company (None)
    for key in want:
        assert got[key] == want[key], f"department {key}"
    assert actual_teams(cycle) == expected_teams(cycle)
    assert result.rows == len(want) + len(expected_teams(cycle))
    # a department row knows its place in the tree at roll-up time
    for row in DepartmentCycleSummary.objects.filter(cycle=cycle, department__isnull=False).select_related(
            "department"):
        d = row.department
        assert (row.path, row.depth, row.parent_id, row.period) == (d.path, d.depth, d.parent_id, "2026-11")


def test_ranking_lists_the_best_and_worst_departments_below(org):
    depts, cycle = _cycle(org, "wide", 7, people=160)
    services.cycle_rollup(cycle_id=cycle.pk)
    root = depts["R"]
    want = expected_departments(cycle)
    children = [d for d in want if d is not None and d != root.pk and want[d]["scored"] >= 5
                and want[d]["direct_headcount"] == want[d]["headcount"]]  # the lowest units
    by_mean = sorted(children, key=lambda d: (-want[d]["mean_score"], d))
    ranking = DepartmentCycleSummary.objects.get(cycle=cycle, department=root).ranking
    top = [e[0] for e in sorted(ranking, key=lambda e: e[3]) if e[3] <= 5]
    bottom = [e[0] for e in sorted(ranking, key=lambda e: e[4]) if e[4] <= 5]
    assert top == by_mean[:5]
    assert bottom == sorted(children, key=lambda d: (want[d]["mean_score"], d))[:5]
    assert all(Decimal(str(e[1])).quantize(Decimal("0.01")) == want[e[0]]["mean_score"] for e in ranking)


def test_rollup_twice_leaves_identical_rows(org):
    _depts, cycle = _cycle(org, "random", 11)
    services.cycle_rollup(cycle_id=cycle.pk)
    first = snapshot(cycle)
    services.cycle_rollup(cycle_id=cycle.pk)
    assert snapshot(cycle) == first
    state = RollupState.objects.get(key=f"cycle:{cycle.pk}")
    assert state.rolled_up_at is not None and state.requested_at is None and state.fingerprint


def test_an_interrupted_rollup_keeps_the_previous_rows_and_a_rerun_gives_the_clean_result(org, monkeypatch):
    _depts, cycle = _cycle(org, "chain", 12)
    services.cycle_rollup(cycle_id=cycle.pk)
    before = snapshot(cycle)
    # scores change, then the worker dies right after its first summary INSERT
    rows = list(Appraisal.objects.filter(cycle=cycle, total_score__isnull=False))
    for a in rows[::2]:
        a.total_score = Decimal("42.00")
    Appraisal.objects.bulk_update(rows, ["total_score"])
    real = rollup.execute
    calls = {"n": 0}

    def dying(sql, params, **kw):
        n = real(sql, params, **kw)
        if sql.lstrip().upper().startswith(("WITH", "INSERT")):
            calls["n"] += 1
            raise RuntimeError("worker killed")
        return n

    monkeypatch.setattr(rollup, "execute", dying)
    with pytest.raises(RuntimeError):
        services.cycle_rollup(cycle_id=cycle.pk)
    assert calls["n"] == 1
    assert snapshot(cycle) == before  # the transaction rolled back: the previous complete rows
    monkeypatch.setattr(rollup, "execute", real)
    services.cycle_rollup(cycle_id=cycle.pk)
    assert actual_departments(cycle) == {k: v for k, v in expected_departments(cycle).items()}
    assert actual_teams(cycle) == expected_teams(cycle)


def test_a_cycle_without_appraisals_has_no_rows_and_another_cycle_is_untouched(org):
    _depts, cycle = _cycle(org, "wide", 13, people=30)
    services.cycle_rollup(cycle_id=cycle.pk)
    n = DepartmentCycleSummary.objects.filter(cycle=cycle).count()
    empty = open_cycle(org, period="2026-10")  # nobody has a contract for October
    services.cycle_rollup(cycle_id=empty.pk)
    assert not DepartmentCycleSummary.objects.filter(cycle=empty).exists()
    assert DepartmentCycleSummary.objects.filter(cycle=cycle).count() == n


# --- goals ------------------------------------------------------------------------------------------------

def test_goal_attainment_by_department_and_perspective_equals_a_python_computation(org):
    """Goals made through the plans services; perspective from the goal's theme or its top goal's theme."""
    hr = org.user("hr")
    strategy = plan_services.strategy_create(actor=hr, code="S", name_zh="战略", start_year=2026, end_year=2027)
    themes = {p: plan_services.theme_create(actor=hr, strategy=strategy, name_zh=p, perspective=p)
              for p in ("financial", "customer")}
    plan = plan_services.annual_plan_create(actor=hr, year=2026, strategy=strategy, name_zh="2026")
    rng = random.Random(3)
    leaves = []
    for p, theme in themes.items():
        top = plan_services.goal_create(actor=hr, name_zh=f"公司{p}", annual_plan=plan, owner_kind="department",
                                        department=org.company, period_kind="year", theme=theme)
        for dept in (org.sales, org.finance, org.hr_dept):
            mid = plan_services.goal_create(actor=hr, name_zh=f"{dept.name_zh}{p}", parent=top,
                                            owner_kind="department", department=dept, period_kind="year")
            kind, index = rng.choice([("year", 1), ("quarter", 4), ("quarter", 1), ("half", 2)])
            leaves.append(plan_services.goal_create(
                actor=hr, name_zh=f"{dept.name_zh}{p}季度", parent=mid, owner_kind="department",
                department=org.sales_east if dept == org.sales else dept, period_kind=kind, period_index=index))
    plan_services.goal_create(actor=hr, name_zh="无主题", annual_plan=plan, owner_kind="department",
                              department=org.finance, period_kind="year")
    for g in leaves:
        plan_services.goal_progress_update(actor=hr, goal=g, progress=Decimal(rng.randint(0, 15000)) / 100)
    today = dt.date(2026, 11, 26)
    services.goals_rollup(year=2026, today=today)

    from apps.plans import periods

    parents = dict(Department.objects.values_list("pk", "parent_id"))
    want: dict = {}
    for g in Goal.objects.select_related("theme", "root__theme").filter(year=2026):
        persp = (g.theme.perspective if g.theme_id and g.theme.perspective else
                 g.root.theme.perspective if g.root and g.root.theme_id else "")
        expected = (Decimal(str(periods.elapsed_share(2026, g.period_kind, g.period_index, today))) * 100
                    ).quantize(Decimal("0.01"))
        d = g.department_id
        keys = [None]
        while d is not None:
            keys.append(d)
            d = parents[d]
        for k in keys:
            w = want.setdefault((k, persp), {"goals": 0, "sum": Decimal(0), "exp": Decimal(0), "ach": 0, "ot": 0})
            w["goals"] += 1
            w["sum"] += g.progress
            w["exp"] += expected
            w["ach"] += g.progress >= 100
            w["ot"] += g.progress >= expected * Decimal("0.9")
    got = {}
    rows = list(GoalAttainmentSummary.objects.filter(year=2026))
    for r in rows:
        for persp, (n, ps, es, ach, ot) in r.perspectives.items():
            got[(r.department_id, persp)] = (n, Decimal(str(ps)).quantize(Decimal("0.01")),
                                             Decimal(str(es)).quantize(Decimal("0.01")), ach, ot)
        totals = [w for (k, _p), w in want.items() if k == r.department_id]
        n = sum(w["goals"] for w in totals)
        total = sum((w["sum"] for w in totals), Decimal(0))
        assert (r.goals, r.progress_sum, r.achieved, r.on_track) == (
            n, total, sum(w["ach"] for w in totals), sum(w["ot"] for w in totals)), r.department_id
        assert r.mean_progress == (total / n).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert set(got) == set(want)
    for key, w in want.items():
        assert got[key] == (w["goals"], w["sum"], w["exp"], w["ach"], w["ot"]), key
    first = {r.department_id: (r.goals, r.progress_sum, r.mean_progress, r.perspectives) for r in rows}
    services.goals_rollup(year=2026, today=today)
    again = {r.department_id: (r.goals, r.progress_sum, r.mean_progress, r.perspectives)
             for r in GoalAttainmentSummary.objects.filter(year=2026)}
    assert again == first
