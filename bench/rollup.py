"""The issue-6 suite: `python -m bench.run rollup` (and the default of `python -m bench.run`).

On an organisation of N employees (default 100,000, built or reused by ``bench.build_org``) it
prepares a scored appraisal cycle with 6 score lines per person and measures:

1. cycle opening: the real ``apps.appraisals.services.opening`` service creating every appraisal and score
   line (timed when the cycle is first made, from the service's own timestamps afterwards);
2. the full roll-up (``apps.dashboards.services``: departments, company, teams, goal attainment),
   run in a fresh process so that its peak memory (``ru_maxrss``) is its own, best of ``--repeat``;
3. a hand-written single SELECT computing the same department statistics over the same rows
   (count, completion per stage, mean, median, grade and score distributions) and the ratio;
4. the executive dashboard (server time and query count) of the company of a small organisation
   (``--small``, default 1,000) and of the large one, and their ratio.

The last line is ``rollup_vs_sql=<x> dashboard_100k_vs_1k=<y>``.

Data the product would make through many people's work is made set-based here (bench shortcuts,
each said where it is done): signed contracts (INSERT ... SELECT), the actuals, scores, totals, grades
and a spread of stages (UPDATE ... FROM), eleven earlier periods for the trend (summary rows copied
from this period with other means), and goals for every department (INSERT ... SELECT, then the plans
app's own tree roll-up). The organisation is the appraisals bench's (``bench.appraisals``: N monthly
staff plus their department heads), so both benches share it; that bench runs first and its cycle
opening time is printed.

Generated rows are marked: cycles titled "Benchmark cycle ...", contracts of the ``BENCH`` employees,
strategy code ``BENCH-STRATEGY``. ``--clean`` removes them (the organisation stays).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

try:  # imported here, before ``_prefix`` ever patches bench.build_org (it binds PREFIX when imported)
    from bench import appraisals as appraisals_bench
except ImportError:  # pragma: no cover - the appraisals bench is part of the repository
    appraisals_bench = None

PERIOD = "2026-10"
TREND_PERIODS = 12
SMALL_PREFIX = "BENCHS-"
RULE_LINEAR = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
RULE_DIRECT = {"kind": "direct", "min": 0, "max": 100}
# section, title, weight, target, unit, rule
LINES = [
    ("results", "销售额完成率", 30, 1000, "万元", RULE_LINEAR),
    ("results", "利润额完成率", 30, 300, "万元", RULE_LINEAR),
    ("results", "回款率", 20, 95, "%", RULE_LINEAR),
    ("results", "新客户数", 20, 12, "个", RULE_LINEAR),
    ("behaviour", "团队协作", 50, None, "", RULE_DIRECT),
    ("behaviour", "责任心", 50, None, "", RULE_DIRECT),
]
TARGETS = {"rollup_vs_sql": 2.0, "rollup_seconds": 30.0, "dashboard_ratio": 2.0, "memory_mb": 500.0}


def add_arguments(parser) -> None:
    parser.add_argument("--employees", type=int, default=100_000,
                        help="appraised employees of the large organisation (default 100000)")
    parser.add_argument("--small", type=int, default=1000, help="appraised employees of the small one (default 1000)")
    parser.add_argument("--skip-appraisals-bench", action="store_true",
                        help="do not run the appraisals bench first (its cycle opening time is then not shown)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="rounds of roll-up and hand-written SQL (interleaved); the best of each is shown")
    parser.add_argument("--dashboard-repeat", type=int, default=10, help="requests of each dashboard")
    parser.add_argument("--in-process", action="store_true",
                        help="roll up in this process (no peak-memory figure of its own; used by the CI smoke)")
    parser.add_argument("--clean", action="store_true", help="remove the generated cycles, contracts and goals")


def add_once_arguments(parser) -> None:
    parser.add_argument("--cycle", type=int, help="the cycle to roll up")
    parser.add_argument("--year", type=int, help="the goal year to roll up")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--wait", action="store_true",
                        help='read {"cycle": ..., "year": ..., "repeat": ...} from standard input first')


# --- small SQL helpers ---------------------------------------------------------------------------------------

class Param:
    def __init__(self, value):
        self.value = value


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _vendor_fn(pg: str, sqlite: str) -> str:
    return pg if connection.vendor == "postgresql" else sqlite


def insert_select(model, exprs: dict, from_sql: str, params: list | None = None) -> int:
    """INSERT INTO model (every column but the id) SELECT ...: ``exprs`` gives SQL (str, or a tuple of SQL
    and its parameters) or a value (Param) per field name; every other column gets the field's default.
    One statement."""
    now = timezone.now()
    cols, selects, sel_params = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(_qn(f.column))
        expr = exprs.get(f.name, exprs.get(f.attname))
        if isinstance(expr, str):
            selects.append(expr)
            continue
        if isinstance(expr, tuple):  # (SQL with placeholders, its parameters)
            selects.append(expr[0])
            sel_params.extend(expr[1])
            continue
        if isinstance(expr, Param):
            value = expr.value
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        elif f.null:
            value = None
        elif f.blank:
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
        selects.append("%s")
        sel_params.append(f.get_db_prep_save(value, connection))
    sql = f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(cols)}) SELECT {', '.join(selects)} {from_sql}"
    with connection.cursor() as cur:
        cur.execute(sql, sel_params + list(params or []))
        return cur.rowcount


def _rand(col: str, k: int) -> str:
    """A deterministic pseudo-random integer 0..999 from a row id (the same on both databases)."""
    return f"((({col}) * 2654435761 + {k * 40503}) %% 1000)"  # %% : the statements take parameters


@contextmanager
def _prefix(prefix: str | None):
    """Build another bench organisation beside the main one (``bench.build_org`` keys everything on
    its module-level PREFIX and ROOT_CODE)."""
    from bench import build_org as b

    saved = (b.PREFIX, b.ROOT_CODE)
    if prefix:
        b.PREFIX, b.ROOT_CODE = prefix, f"{prefix}CO"
    try:
        yield b
    finally:
        b.PREFIX, b.ROOT_CODE = saved


# --- the data -----------------------------------------------------------------------------------------------

def bench_users():
    from apps.core.roles import EXECUTIVE_GROUP

    User = get_user_model()
    hr, created = User.objects.get_or_create(username="bench-hr", defaults={"is_superuser": True, "is_staff": True})
    exec_user, _ = User.objects.get_or_create(username="bench-exec")
    group, _ = Group.objects.get_or_create(name=EXECUTIVE_GROUP)
    exec_user.groups.add(group)
    return hr, exec_user


def _cycle_title(root) -> str:
    return f"Benchmark cycle · {root.code}"


def remove_generated(root_code: str | None = None, log=print) -> None:
    """Remove the generated cycles (with their appraisals, lines and summaries) and contracts of the bench
    organisation(s), so that ``build_org`` may rebuild them."""
    from apps.appraisals.models import Appraisal, Cycle, CycleBlocker, ScoreLine
    from apps.contracts.models import Contract, ContractLine
    from apps.dashboards.models import (
        DepartmentCycleSummary,
        GoalAttainmentSummary,
        RollupState,
        TeamCycleSummary,
    )

    cycles = Cycle.objects.filter(title__startswith="Benchmark cycle")
    if root_code:
        cycles = cycles.filter(title__endswith=root_code)
    ids = list(cycles.values_list("pk", flat=True))
    with transaction.atomic():
        DepartmentCycleSummary.objects.filter(cycle_id__in=ids).delete()
        TeamCycleSummary.objects.filter(cycle_id__in=ids).delete()
        RollupState.objects.filter(key__in=[f"cycle:{i}" for i in ids]).delete()
        ScoreLine.objects.filter(cycle_id__in=ids)._raw_delete(ScoreLine.objects.db)
        Appraisal.objects.filter(cycle_id__in=ids)._raw_delete(Appraisal.objects.db)
        CycleBlocker.objects.filter(cycle_id__in=ids).delete()
        Cycle.objects.filter(pk__in=ids).delete()
        prefix = (root_code[:-2] if root_code else "BENCH")
        contracts = Contract.objects.filter(employee__employee_no__startswith=prefix, period__in=_periods())
        ContractLine.objects.filter(contract__in=contracts)._raw_delete(ContractLine.objects.db)
        contracts._raw_delete(Contract.objects.db)
        _remove_goals(prefix)
        GoalAttainmentSummary.objects.filter(department__code__startswith=prefix).delete()
    if ids:
        log(f"removed {len(ids)} generated cycle(s) and their contracts")


def _periods() -> list[str]:
    from apps.core.periods import Period

    p, out = Period.parse(PERIOD), []
    for _ in range(TREND_PERIODS):
        out.append(p.code)
        p = p.previous()
    return out


def org_size_for(population: int) -> int:
    """The organisation whose monthly staff are ``population`` people (the appraisals bench's sizing, so
    both benches share one organisation)."""
    if appraisals_bench is not None:
        return appraisals_bench.org_size_for(population)
    from bench.build_org import department_count, fanout_for  # pragma: no cover

    total = population
    for _ in range(5):
        total = population + department_count(fanout_for(total))
    return total


def make_contracts(root, employees_under: str) -> int:
    """Signed contracts for the period, 6 lines each, for the monthly staff under ``root`` without one
    (bench shortcut: set-based, signed on creation)."""
    from apps.contracts.models import Contract, ContractLine
    from apps.org.models import Department, Employee, JobLevel, Position

    e, p, d = (_qn(m._meta.db_table) for m in (Employee, Position, Department))
    c, cl = _qn(Contract._meta.db_table), _qn(ContractLine._meta.db_table)
    staff_level = JobLevel.objects.get(code=root.code[:-2] + "S")
    now = timezone.now()
    n = insert_select(Contract, {
        "employee": "e.id", "appraiser": "e.supervisor_id", "job_level": "p.job_level_id", "position": "e.position_id",
        "period": Param(PERIOD), "frequency": Param("monthly"), "status": Param("agreed"), "is_latest": Param(True),
        "version_no": Param(1), "agreed_at": Param(now), "content_hash": Param("bench"),
    }, f"FROM {e} e JOIN {p} p ON p.id = e.position_id JOIN {d} d ON d.id = e.department_id "  # noqa: S608
       f"WHERE d.path LIKE %s AND e.is_active = %s AND p.job_level_id = %s AND NOT EXISTS (SELECT 1 FROM {c} x "
       "WHERE x.employee_id = e.id AND x.period = %s AND x.is_latest = %s)",
       [employees_under + "%", True, staff_level.pk, PERIOD, True])
    for order, (section, title, weight, target, unit, rule) in enumerate(LINES):
        insert_select(ContractLine, {
            "contract": "c.id", "section": Param(section), "order": Param(order), "title": Param(title),
            "weight": Param(Decimal(weight)), "target": Param(Decimal(target) if target else None),
            "unit": Param(unit), "rule": Param(rule), "standard": Param(title),
        }, f"FROM {c} c JOIN {e} e ON e.id = c.employee_id JOIN {d} d ON d.id = e.department_id "  # noqa: S608
           f"WHERE d.path LIKE %s AND c.period = %s AND c.content_hash = %s AND NOT EXISTS (SELECT 1 FROM {cl} l "
           f"WHERE l.contract_id = c.id AND l.{_qn('order')} = %s)", [employees_under + "%", PERIOD, "bench", order])
    return n


def open_cycle(root, hr):
    """The cycle of the period for the organisation under ``root``, opened by the real service.
    Returns (cycle, seconds the opening took)."""
    from apps.appraisals import services
    from apps.appraisals.models import STAGE_ORDER, Cycle, CycleStatus
    from apps.appraisals.services import opening
    from apps.core.models import AuditEvent
    from apps.org.models import JobLevel

    title = _cycle_title(root)
    cycle = Cycle.objects.filter(title=title, period=PERIOD).first()
    if cycle is None:
        base = dt.date(2026, 11, 1)
        cycle = services.cycle_create(
            actor=hr, period=PERIOD, frequency="monthly", departments=[root], title=title,
            job_levels=JobLevel.objects.filter(code=root.code[:-2] + "S"),
            deadlines={s: base + dt.timedelta(days=3 * (i + 1)) for i, s in enumerate(STAGE_ORDER)})
    if cycle.status != CycleStatus.OPEN:
        opening.cycle_open_and_populate(actor=hr, cycle=cycle)
        cycle.refresh_from_db()
    done = AuditEvent.objects.filter(action="cycle.opened", object_type="appraisals.cycle",
                                     object_id=str(cycle.pk)).order_by("-at").first()
    seconds = (done.at - cycle.opened_at).total_seconds() if done and cycle.opened_at else 0.0
    return cycle, seconds


def score_cycle(cycle) -> None:
    """Actuals and scores for every line, totals and grades, and a realistic spread of stages (bench
    shortcut: three set-based UPDATEs with the deck's linear rule and direct scores)."""
    from apps.appraisals.models import Appraisal, ScoreLine

    sl, ap = _qn(ScoreLine._meta.db_table), _qn(Appraisal._meta.db_table)
    least, greatest = _vendor_fn("LEAST", "MIN"), _vendor_fn("GREATEST", "MAX")
    now = timezone.now()
    # attainment: a department effect (+-4 points), a person effect (triangular, +-8) and line noise (+-4)
    dept = f"(({_rand('a.department_id', 12)} - 500) * 8 / 1000.0)"
    person = f"(({_rand('a.id', 8)} + {_rand('a.id', 9)} - 1000) * 8 / 1000.0)"
    att = f"(100 + {dept} + {person} + ({_rand(f'{sl}.id', 1)} - 500) * 8 / 1000.0)"
    behaviour = f"(66 + {_rand('a.id', 10)} * 28 / 1000.0 + {dept} + {_rand(f'{sl}.id', 3)} %% 9 - 4)"
    with connection.cursor() as cur:
        cur.execute(f"""UPDATE {sl} SET
            attainment = CASE WHEN rule_kind = 'direct' THEN NULL ELSE ROUND({att}, 2) END,
            actual = CASE WHEN rule_kind = 'direct' THEN NULL ELSE ROUND(target * {att} / 100, 2) END,
            score = CASE WHEN rule_kind = 'direct' THEN ROUND({least}(100, {behaviour}), 2)
                         ELSE ROUND({least}(150, {greatest}(0, 100 + 5 * ({att} - 100))), 2) END,
            collection = CASE WHEN rule_kind = 'direct' THEN 'none' ELSE 'entered' END,
            score_source = CASE WHEN rule_kind = 'direct' THEN 'manager' ELSE 'engine' END,
            scored_at = %s, updated_at = %s
            FROM {ap} a WHERE a.id = {sl}.appraisal_id AND {sl}.cycle_id = %s""", [now, now, cycle.pk])  # noqa: S608
        bucket = f"({_rand('a.id', 5)} %% 100)"
        status = (f"CASE WHEN {bucket} < 4 THEN 'collecting' WHEN {bucket} < 8 THEN 'verified' "
                  f"WHEN {bucket} < 14 THEN 'self_assessed' WHEN {bucket} < 74 THEN 'scored' "
                  f"WHEN {bucket} < 86 THEN 'calibrated' ELSE 'published' END")
        cur.execute(f"UPDATE {ap} SET status = {status.replace('a.id', 'id')} WHERE cycle_id = %s",  # noqa: S608
                    [cycle.pk])
        cur.execute(f"""UPDATE {ap} SET
            results_score = s.rs, behaviour_score = s.bs, total_score = ROUND(s.rs * 0.7 + s.bs * 0.3, 2)
            FROM (SELECT appraisal_id,
                         ROUND(SUM(CASE WHEN section = 'results' THEN score * weight ELSE 0 END) / 100, 2) AS rs,
                         ROUND(SUM(CASE WHEN section = 'behaviour' THEN score * weight ELSE 0 END) / 100, 2) AS bs
                  FROM {sl} WHERE cycle_id = %s GROUP BY appraisal_id) s
            WHERE {ap}.id = s.appraisal_id AND {ap}.cycle_id = %s
              AND {ap}.status IN ('scored', 'calibrated', 'published')""", [cycle.pk, cycle.pk])  # noqa: S608
        grade = ("CASE WHEN total_score >= 120 THEN 'S' WHEN total_score >= 105 THEN 'A' WHEN total_score >= 90 "
                 "THEN 'B' WHEN total_score >= 75 THEN 'C' WHEN total_score IS NOT NULL THEN 'D' ELSE '' END")
        cur.execute(f"""UPDATE {ap} SET grade = {grade},
            lines_pending = CASE WHEN status = 'collecting' THEN lines_pending ELSE 0 END,
            overdue_stage = CASE WHEN status = 'collecting' AND {_rand('id', 7)} %% 2 = 0 THEN 'actuals' ELSE '' END,
            verified_at = CASE WHEN status = 'collecting' THEN NULL ELSE %s END,
            published_at = CASE WHEN status = 'published' THEN %s END,
            version = version + 1, updated_at = %s
            WHERE cycle_id = %s""", [now, now, now, cycle.pk])  # noqa: S608
        cur.execute(f"""UPDATE {ap} SET calibrated_at = %s, calibrated_grade = CASE
                WHEN grade = 'A' AND {_rand('id', 6)} %% 10 = 0 THEN 'B' ELSE grade END
            WHERE cycle_id = %s AND status IN ('calibrated', 'published')""", [now, cycle.pk])  # noqa: S608


def trend_cycles(cycle, root, hr) -> None:
    """Eleven earlier periods of the same company, published, with summary rows copied from this
    period's and means moved a little (bench shortcut: the dashboard reads only summary rows)."""
    from apps.appraisals import services
    from apps.appraisals.models import STAGE_ORDER, Cycle
    from apps.dashboards.models import DepartmentCycleSummary, TeamCycleSummary

    title = _cycle_title(root)
    for i, period in enumerate(_periods()[1:], start=1):
        past = Cycle.objects.filter(title=title, period=period).first()
        if past is None:
            base = dt.date(2026, 10, 1) - dt.timedelta(days=30 * i)
            past = services.cycle_create(
                actor=hr, period=period, frequency="monthly", departments=[root], title=title,
                job_levels=cycle.job_levels.filter(review_frequency="monthly"),
                deadlines={s: base + dt.timedelta(days=3 * (k + 1)) for k, s in enumerate(STAGE_ORDER)})
            Cycle.objects.filter(pk=past.pk).update(status="published", published_at=timezone.now())
        if DepartmentCycleSummary.objects.filter(cycle=past).exists():
            continue
        shift = Decimal((i * 37) % 11 - 5)
        for model in (DepartmentCycleSummary, TeamCycleSummary):
            cols = [f.column for f in model._meta.concrete_fields if not f.primary_key]
            exprs = []
            for col in cols:
                if col == "cycle_id":
                    exprs.append("%s")
                elif col == "period":
                    exprs.append("%s")
                elif col in ("mean_score", "median_score"):
                    exprs.append(f"{col} + %s")
                else:
                    exprs.append(col)
            params = []
            for col in cols:
                if col == "cycle_id":
                    params.append(past.pk)
                elif col == "period":
                    params.append(period)
                elif col in ("mean_score", "median_score"):
                    params.append(shift)
            with connection.cursor() as cur:
                cur.execute(f"INSERT INTO {_qn(model._meta.db_table)} ({', '.join(_qn(c) for c in cols)}) "  # noqa: S608
                            f"SELECT {', '.join(exprs)} FROM {_qn(model._meta.db_table)} WHERE cycle_id = %s",
                            [*params, cycle.pk])


def make_goals(root, hr, year: int) -> int:
    """Four company goals (one per balanced-scorecard perspective) and one goal per department serving
    them, with progress; then the plans app's tree roll-up (bench shortcut: departments' goals set-based)."""
    from apps.org.models import Department
    from apps.plans import services as plan_services
    from apps.plans.models import AnnualPlan, Goal, Perspective, Strategy

    strategy = Strategy.objects.filter(code="BENCH-STRATEGY").first() or plan_services.strategy_create(
        actor=hr, code="BENCH-STRATEGY", name_zh="基准战略", name_en="Benchmark strategy", start_year=year - 1,
        end_year=year + 2)
    themes = {t.perspective: t for t in strategy.themes.all()}
    for order, (persp, zh) in enumerate(zip(Perspective.values, ["财务", "客户", "内部流程", "学习与成长"], strict=True)):
        if persp not in themes:
            themes[persp] = plan_services.theme_create(actor=hr, strategy=strategy, name_zh=zh, perspective=persp,
                                                       order=order)
    plan = AnnualPlan.objects.filter(year=year).first() or plan_services.annual_plan_create(
        actor=hr, year=year, strategy=strategy, name_zh=f"{year} 年经营计划")
    tops = {}
    for persp, theme in themes.items():
        code = f"{root.code}-{persp}"[:40]
        tops[persp] = Goal.objects.filter(annual_plan=plan, code=code).first() or plan_services.goal_create(
            actor=hr, name_zh=f"公司{theme.name_zh}目标", annual_plan=plan, owner_kind="department", department=root,
            period_kind="year", theme=theme, code=code)
    if Goal.objects.filter(parent_id__in=[g.pk for g in tops.values()]).exists():
        return 0
    g, d = _qn(Goal._meta.db_table), _qn(Department._meta.db_table)
    n = 0
    for k, (_persp, top) in enumerate(sorted(tops.items())):
        n += insert_select(Goal, {
            "name_zh": ("d.name_zh || %s", [f" · 目标{k}"]), "annual_plan": Param(plan.pk), "year": Param(year), "parent": Param(top.pk),
            "root": Param(top.pk), "path": Param(""), "depth": Param(1), "owner_kind": Param("department"),
            "department": "d.id", "period_kind": Param("year"), "period_index": Param(1),
            "weight": Param(Decimal(1)), "progress": f"ROUND(40 + {_rand('d.id', 11 + k)} * 0.9 / 10, 2)",
        }, f"FROM {d} d WHERE d.path LIKE %s AND d.depth > 0", [root.path + "%"])
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {g} SET path = (SELECT p.path || CAST({g}.id AS TEXT) || '/' FROM {g} p "  # noqa: S608
                    f"WHERE p.id = {g}.parent_id) WHERE path = '' AND root_id IN "
                    f"({', '.join(str(t.pk) for t in tops.values())})")
    for top in tops.values():
        plan_services.goal_tree_rollup(root_id=top.pk)
    return n


def _remove_goals(prefix: str) -> None:
    from apps.plans.models import Goal

    tops = list(Goal.objects.filter(code__startswith=prefix, parent__isnull=True).values_list("pk", flat=True))
    if tops:
        Goal.objects.filter(root_id__in=tops).exclude(pk__in=tops)._raw_delete(Goal.objects.db)
        Goal.objects.filter(pk__in=tops)._raw_delete(Goal.objects.db)


def analyze() -> None:
    """Fresh planner statistics after the bulk writes (what autovacuum does a little later anyway)."""
    if connection.vendor != "postgresql":
        return
    from apps.appraisals.models import Appraisal, ScoreLine
    from apps.org.models import Department, Employee
    from apps.plans.models import Goal

    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"  # VACUUM needs autocommit
    with connection.cursor() as cur:
        for model in (Appraisal, ScoreLine, Department, Employee, Goal):
            cur.execute(f"{command} {_qn(model._meta.db_table)}")


def prepare(employees: int, prefix: str | None, hr, log=print) -> dict:
    """Build or reuse an organisation and its scored cycle; roll it up once. Returns what was made."""
    from apps.appraisals.models import Appraisal, ScoreLine
    from apps.dashboards import services as dash
    from apps.org.models import Department

    wanted = org_size_for(employees)  # before the prefix is patched: bench.appraisals binds PREFIX on import
    with _prefix(prefix) as b:
        size = b.existing_size()
        if size is not None and size != wanted:
            remove_generated(b.ROOT_CODE, log=log)
        built = b.build_org(employees=wanted, log=log)
        root = Department.objects.get(code=b.ROOT_CODE)
    contracts = make_contracts(root, root.path)
    started = time.perf_counter()
    cycle, opening_seconds = open_cycle(root, hr)
    fresh_open = time.perf_counter() - started
    appraisals = Appraisal.objects.filter(cycle=cycle).count()
    if not Appraisal.objects.filter(cycle=cycle).exclude(total_score__isnull=True).exists():
        with transaction.atomic():
            score_cycle(cycle)
    year = int(PERIOD[:4])
    make_goals(root, hr, year)
    analyze()
    dash.cycle_rollup(cycle_id=cycle.pk)
    dash.goals_rollup(year=year)
    with transaction.atomic():
        trend_cycles(cycle, root, hr)
    return {"root": root, "cycle": cycle, "built": built, "contracts": contracts, "appraisals": appraisals,
            "lines": ScoreLine.objects.filter(cycle=cycle).count(), "opening_seconds": opening_seconds or fresh_open,
            "year": year}


# --- measurements -------------------------------------------------------------------------------------------

def hand_written_sql(cycle_id: int) -> tuple[str, list]:
    """One SELECT computing the department statistics of the issue over the same rows, per department
    subtree: headcount, the counts per stage (and actuals complete, overdue), mean, median, min, max and
    the grade distribution. (The roll-up writes more: score histograms, the company row, the teams and
    the goal attainment.)"""
    from apps.appraisals.models import Appraisal
    from apps.org.models import Department

    a, d = _qn(Appraisal._meta.db_table), _qn(Department._meta.db_table)
    grades = ["S", "A", "B", "C", "D"]
    if connection.vendor == "postgresql":
        closure = (f"SELECT d.id AS dept_id, CAST(u.anc AS bigint) AS anc_id FROM {d} d "
                   "CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from d.path), '/')) AS u(anc)")
        median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY a.total_score)"
    else:
        closure = f"SELECT d.id AS dept_id, p.id AS anc_id FROM {d} d JOIN {d} p ON substr(d.path, 1, length(p.path)) = p.path"
        median = "NULL"
    g = "COALESCE(NULLIF(a.calibrated_grade, ''), a.grade)"
    cols = [f"SUM(CASE WHEN a.status = '{s}' THEN 1 ELSE 0 END)" for s in
            ("collecting", "verified", "self_assessed", "scored", "calibrated", "published")]
    cols += [f"SUM(CASE WHEN {g} = '{x}' THEN 1 ELSE 0 END)" for x in grades]
    sql = f"""WITH closure AS ({closure})
        SELECT c.anc_id, COUNT(*), SUM(CASE WHEN a.department_id = c.anc_id THEN 1 ELSE 0 END),
               {', '.join(cols)},
               SUM(CASE WHEN a.status <> 'collecting' OR a.lines_pending = 0 THEN 1 ELSE 0 END),
               SUM(CASE WHEN a.overdue_stage <> '' THEN 1 ELSE 0 END),
               COUNT(a.total_score), SUM(a.total_score), ROUND(AVG(a.total_score), 2), {median},
               MIN(a.total_score), MAX(a.total_score)
        FROM {a} a JOIN closure c ON c.dept_id = a.department_id
        WHERE a.cycle_id = %s GROUP BY c.anc_id"""  # noqa: S608
    return sql, [cycle_id]


def time_sql(cycle_id: int, repeat: int) -> tuple[float, int]:
    sql, params = hand_written_sql(cycle_id)
    best, rows = float("inf"), 0
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":  # the session settings the roll-up runs with
                cur.execute("SET LOCAL work_mem = '64MB'")
                cur.execute("SET LOCAL jit = off")
            t = time.perf_counter()
            cur.execute(sql, params)
            rows = len(cur.fetchall())
            best = min(best, time.perf_counter() - t)
    return best, rows


def rollup_once(cycle_id: int, year: int, repeat: int) -> dict:
    """``repeat`` rounds of: the full roll-up (the cycle, then the goals) and the hand-written SQL, one after
    the other so that both meet the same machine load; the best time of each and the peak memory."""
    from apps.dashboards import services as dash

    best = {"cycle": float("inf"), "goals": float("inf"), "total": float("inf"), "sql": float("inf")}
    rows = {}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Django and the apps loaded
    for _ in range(repeat):
        t = time.perf_counter()
        r1 = dash.cycle_rollup(cycle_id=cycle_id)
        t1 = time.perf_counter()
        r2 = dash.goals_rollup(year=year)
        t2 = time.perf_counter()
        sql_s, sql_rows = time_sql(cycle_id, 1)
        best["cycle"] = min(best["cycle"], t1 - t)
        best["goals"] = min(best["goals"], t2 - t1)
        best["total"] = min(best["total"], t2 - t)
        best["sql"] = min(best["sql"], sql_s)
        rows = {"cycle": r1.rows, "goals": r2.rows, "sql": sql_rows}
    return {**best, "rows": rows, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "start_mb": before}


def run_once(args) -> dict:
    """`python -m bench.run rollup_once --cycle ID --year Y` (or ``--wait`` for them on standard input): the
    roll-up in a process of its own, so that its peak memory is the roll-up's (JSON out)."""
    cycle, year, repeat = args.cycle, args.year, args.repeat
    if args.wait:
        job = json.loads(sys.stdin.readline())
        cycle, year, repeat = job["cycle"], job["year"], job.get("repeat", repeat)
    result = rollup_once(cycle, year, repeat)
    print("ROLLUP_ONCE " + json.dumps(result), flush=True)
    return result


def start_rollup_process() -> subprocess.Popen:
    """Start the roll-up process now, while this one is still small: Linux counts the memory of the
    process a child was started from in the child's ``ru_maxrss``, so it is started before the
    appraisals bench grows this one, and waits for its job on standard input."""
    return subprocess.Popen([sys.executable, "-m", "bench.run", "rollup_once", "--wait"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=dict(os.environ))


def time_rollup(cycle_id: int, year: int, repeat: int, process: subprocess.Popen | None) -> dict:
    if process is None:
        return {**rollup_once(cycle_id, year, repeat), "maxrss_mb": None, "start_mb": None}
    out, _err = process.communicate(json.dumps({"cycle": cycle_id, "year": year, "repeat": repeat}) + "\n")
    if process.returncode:
        raise RuntimeError(f"the roll-up process failed (exit {process.returncode})")
    line = [ln for ln in out.splitlines() if ln.startswith("ROLLUP_ONCE ")][-1]
    return json.loads(line.removeprefix("ROLLUP_ONCE "))


def time_dashboard(user, root, cycle, repeat: int) -> tuple[float, int, int]:
    """Best server time (ms) and query count of the dashboard of ``root`` (the company of that organisation)."""
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("dashboards:department", args=[root.pk]) + f"?cycle={cycle.pk}"
    client.get(url)  # warm up (templates, caches)
    best, queries, status = float("inf"), 0, 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            resp = client.get(url)
            best = min(best, time.perf_counter() - t)
        queries, status = len(ctx.captured_queries), resp.status_code
    return best * 1000, queries, status


def run(args) -> dict:
    log = print
    hr, exec_user = bench_users()
    if getattr(args, "clean", False):
        remove_generated(None, log=log)
        return {}
    vendor = connection.vendor
    process = None if getattr(args, "in_process", False) else start_rollup_process()
    try:
        return _run(args, hr, exec_user, vendor, process)
    finally:
        if process is not None and process.poll() is None:
            process.kill()


def _run(args, hr, exec_user, vendor, process) -> dict:
    log = print
    theirs = None
    if appraisals_bench is not None and not getattr(args, "skip_appraisals_bench", False):
        import argparse

        ns = argparse.Namespace(employees=args.employees, batch_size=1000, period=appraisals_bench.PERIOD)
        theirs = appraisals_bench.run(ns)
    small = prepare(args.small, SMALL_PREFIX, hr, log=lambda *a: None)
    big = prepare(args.employees, None, hr, log=log)
    cyc = big["cycle"]
    roll = time_rollup(cyc.pk, big["year"], args.repeat, process)
    sql_s, sql_rows = roll["sql"], roll["rows"]["sql"]
    ms_small, q_small, st_small = time_dashboard(exec_user, small["root"], small["cycle"], args.dashboard_repeat)
    ms_big, q_big, st_big = time_dashboard(exec_user, big["root"], cyc, args.dashboard_repeat)
    ratio_sql = roll["total"] / sql_s if sql_s else 0.0
    ratio_dash = ms_big / ms_small if ms_small else 0.0
    b = big["built"]
    mem = roll.get("maxrss_mb")
    print(f"\nIssue-6 suite on {vendor}: {big['appraisals']:,} appraisals with {big['lines']:,} score lines "
          f"({big['lines'] / max(big['appraisals'], 1):.0f} each) in {b.departments:,} departments, 5 levels")
    print(f"  organisation of {b.employees:,}          "
          + ("reused" if b.reused else f"built in {b.seconds:.1f} s"))
    if theirs:
        print(f"  cycle opening                  {theirs['open_s']:8.2f} s   (appraisals bench above: "
              f"{theirs['appraisals']:,} appraisals, {theirs['lines']:,} lines, "
              f"{theirs['open_queries_per_1000']:.1f} queries per 1,000)")
    print(f"  cycle opening (this suite's)   {big['opening_seconds']:8.2f} s   (the same service, when this suite's "
          f"cycle of {big['appraisals']:,} appraisals was first opened)")
    print(f"  full roll-up                   {roll['total']:8.3f} s   best of {args.repeat}: cycle "
          f"{roll['cycle']:.3f} s ({roll['rows']['cycle']:,} rows: departments, company, teams) + goals "
          f"{roll['goals']:.3f} s ({roll['rows']['goals']:,} rows)")
    print(f"  hand-written single SQL        {sql_s:8.3f} s   best of {args.repeat} (each run right after a roll-up, "
          f"same process and settings): the same department statistics, {sql_rows:,} rows")
    print(f"  roll-up / SQL                  {ratio_sql:8.2f}     (target <= {TARGETS['rollup_vs_sql']:.0f}; "
          f"roll-up target < {TARGETS['rollup_seconds']:.0f} s)")
    print(f"  dashboard at {small['appraisals']:>7,} appraisals {ms_small:8.1f} ms, {q_small} queries (HTTP {st_small})")
    print(f"  dashboard at {big['appraisals']:>7,} appraisals {ms_big:8.1f} ms, {q_big} queries (HTTP {st_big})")
    print(f"  dashboard large / small        {ratio_dash:8.2f}     (target <= {TARGETS['dashboard_ratio']:.0f}, "
          f"same query count: {'yes' if q_small == q_big else 'NO'})")
    if mem is not None:
        print(f"  roll-up peak memory            {mem:8.1f} MB  (ru_maxrss of the roll-up process, {roll['start_mb']:.1f} MB "
              f"of it before the first roll-up; target < {TARGETS['memory_mb']:.0f} MB)")
    else:
        print("  roll-up peak memory            (not measured: --in-process)")
    met = (ratio_sql <= TARGETS["rollup_vs_sql"] and roll["total"] < TARGETS["rollup_seconds"]
           and ratio_dash <= TARGETS["dashboard_ratio"] and q_small == q_big
           and (mem is None or mem < TARGETS["memory_mb"]))
    print(f"  targets                        {'all met' if met else 'NOT all met'}")
    print(f"rollup_vs_sql={ratio_sql:.2f} dashboard_100k_vs_1k={ratio_dash:.2f}")
    return {"rollup": roll, "sql_seconds": sql_s, "rollup_vs_sql": ratio_sql, "dashboard_ms": (ms_small, ms_big),
            "dashboard_queries": (q_small, q_big), "dashboard_status": (st_small, st_big),
            "dashboard_ratio": ratio_dash, "appraisals": big["appraisals"], "lines": big["lines"],
            "opening_seconds": big["opening_seconds"], "appraisals_bench": theirs, "memory_mb": mem,
            "targets_met": met}

