"""Shared set-up of the dashboards tests.

- Organisations of several shapes are made through the org services (departments, positions,
  employees); contracts are signed set-based (bulk inserts: the roll-up maths do not care how they
  were signed), the cycle is created and opened by the appraisals services, and the appraisals then get
  random stages, scores and grades with one bulk update.
- ``expected_*`` compute every summary straightforwardly in Python (walking ``parent`` links, not the
  materialised paths) for the tests to compare with what the SQL wrote.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from apps.appraisals import services
from apps.appraisals.models import STAGE_ORDER, STATUS_ORDER, Appraisal, Cycle
from apps.appraisals.services import opening
from apps.contracts.models import Contract
from apps.contracts.models import Status as ContractStatus
from apps.dashboards.models import STATUS_FIELDS, DepartmentCycleSummary, TeamCycleSummary
from apps.org import services as org_services
from apps.org.models import Department

TWO = Decimal("0.01")
BASE_DAY = dt.date(2026, 12, 1)
STAT_FIELDS = ["headcount", "direct_headcount", *STATUS_FIELDS.values(), "actuals_complete", "overdue", "scored",
               "score_sum", "mean_score", "median_score", "min_score", "max_score", "grade_counts", "histogram"]


def deadlines(base: dt.date = BASE_DAY) -> dict:
    return {s: base + dt.timedelta(days=3 * (i + 1)) for i, s in enumerate(STAGE_ORDER)}


# --- organisations -------------------------------------------------------------------------------------------

def _tree(shape: str, rng: random.Random) -> list[tuple[str, str | None]]:
    """(code, parent code) in creation order."""
    if shape == "chain":  # one line five levels deep, a side branch at each level
        nodes = [("R", None)]
        for i in range(1, 5):
            nodes += [(f"C{i}", nodes[-1][0] if i == 1 else f"C{i - 1}"), (f"S{i}", f"C{i - 1}" if i > 1 else "R")]
        return nodes
    if shape == "wide":  # one root with many children
        return [("R", None)] + [(f"W{i}", "R") for i in range(12)]
    if shape == "two_roots":  # two companies side by side
        return [("R", None), ("Q", None), ("R1", "R"), ("R2", "R"), ("R11", "R1"), ("Q1", "Q"), ("Q11", "Q1"),
                ("Q12", "Q1")]
    nodes = [("R", None)]  # random
    for i in range(rng.randint(8, 16)):
        nodes.append((f"N{i}", rng.choice(nodes)[0]))
    return nodes


def build_org(org, *, shape: str, seed: int, people: int = 60, prefix: str = "T"):
    """Departments of the shape under a new root (or roots), one position each, ``people`` employees spread
    over them with a head per department. Returns {code: Department} and the list of employees."""
    rng = random.Random(seed)
    depts: dict[str, Department] = {}
    for code, parent in _tree(shape, rng):
        depts[code] = org_services.department_create(actor=org.actor, code=f"{prefix}{seed}-{code}",
                                                     name_zh=f"部门{prefix}{seed}{code}", name_en=f"Dept {code}",
                                                     parent=depts[parent] if parent else None)
    positions = {c: org_services.position_create(actor=org.actor, code=f"{prefix}{seed}-P-{c}", name_zh=f"岗位{c}",
                                                 department=d, job_level=org.level_s) for c, d in depts.items()}
    heads: dict[str, object] = {}
    employees = []
    n = 0
    for code, parent in _tree(shape, random.Random(seed)):
        sup = heads.get(parent) if parent else None
        head = org_services.employee_create(actor=org.actor, employee_no=f"{prefix}{seed}-{n:04d}", name_zh=f"负责人{n}",
                                            department=depts[code], position=positions[code], supervisor=sup,
                                            hire_date=dt.date(2025, 1, 1))
        heads[code] = head
        employees.append(head)
        n += 1
    codes = list(depts)
    while n < people:
        code = rng.choice(codes)
        employees.append(org_services.employee_create(
            actor=org.actor, employee_no=f"{prefix}{seed}-{n:04d}", name_zh=f"员工{n}", department=depts[code],
            position=positions[code], supervisor=heads[code], hire_date=dt.date(2025, 1, 1)))
        n += 1
    return depts, employees


def signed_contracts(employees, *, period: str, level) -> None:
    """Signed contracts for the period (bulk: how they were signed does not matter to the roll-up)."""
    Contract.objects.bulk_create([
        Contract(employee=e, appraiser_id=e.supervisor_id, period=period, frequency="monthly", job_level=level,
                 position_id=e.position_id, status=ContractStatus.AGREED, is_latest=True) for e in employees])


def open_cycle(org, *, period: str, departments=(), title: str = ""):
    hr = org.user("hr")
    cycle = services.cycle_create(actor=hr, period=period, frequency="monthly", job_levels=[org.level_s],
                                  departments=list(departments), deadlines=deadlines(), title=title)
    opening.cycle_open_and_populate(actor=hr, cycle=cycle)
    cycle.refresh_from_db()
    return cycle


EDGE_SCORES = [Decimal("85.00"), Decimal("149.99"), Decimal("150.00"), Decimal("160.00"), Decimal("0.00"),
               Decimal("90.01"), Decimal("90.00"), Decimal("74.99")]


def randomise(cycle: Cycle, seed: int) -> None:
    """Random stages, totals (some on bucket edges, some missing), grades, calibrated grades, overdue flags."""
    rng = random.Random(seed)
    rows = list(Appraisal.objects.filter(cycle=cycle).order_by("pk"))
    for a in rows:
        a.status = rng.choice(STATUS_ORDER)
        a.lines_pending = rng.choice([0, 0, 1, 2])
        a.overdue_stage = rng.choice(["", "", "", "actuals", "manager_scoring"])
        if rng.random() < 0.15:
            a.total_score = None
            a.grade = ""
        else:
            a.total_score = rng.choice(EDGE_SCORES) if rng.random() < 0.2 else \
                Decimal(rng.randint(4000, 15500)) / 100
            a.grade = rng.choice("SABCD")
        a.calibrated_grade = rng.choice(["", "", "", "S", "A", "B", "C", "D"]) if a.grade else ""
    Appraisal.objects.bulk_update(rows, ["status", "lines_pending", "overdue_stage", "total_score", "grade",
                                         "calibrated_grade"])


# --- the straightforward computation --------------------------------------------------------------------------

def _stats(rows: list[dict], direct) -> dict:
    totals = [r["total_score"] for r in rows if r["total_score"] is not None]
    grades = Counter((r["calibrated_grade"] or r["grade"]) for r in rows if (r["calibrated_grade"] or r["grade"]))
    hist = Counter(str(min(int(t * 100) // 500, 30)) for t in totals)
    out = {
        "headcount": len(rows), "direct_headcount": sum(1 for r in rows if direct(r)),
        "actuals_complete": sum(1 for r in rows if r["status"] != "collecting" or r["lines_pending"] == 0),
        "overdue": sum(1 for r in rows if r["overdue_stage"]), "scored": len(totals),
        "score_sum": sum(totals, Decimal(0)).quantize(TWO),
        "mean_score": (sum(totals) / len(totals)).quantize(TWO, ROUND_HALF_UP) if totals else None,
        "median_score": Decimal(statistics.median(totals)).quantize(TWO, ROUND_HALF_UP) if totals else None,
        "min_score": min(totals) if totals else None, "max_score": max(totals) if totals else None,
        "grade_counts": dict(grades), "histogram": dict(hist),
    }
    for status, f in STATUS_FIELDS.items():
        out[f] = sum(1 for r in rows if r["status"] == status)
    return out


def _appraisal_rows(cycle) -> list[dict]:
    return list(Appraisal.objects.filter(cycle=cycle).values(
        "department_id", "appraiser_id", "status", "lines_pending", "overdue_stage", "total_score", "grade",
        "calibrated_grade"))


def expected_departments(cycle) -> dict:
    """{department id or None (company): stats} over each department's subtree, by walking parents."""
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    groups: dict = defaultdict(list)
    rows = _appraisal_rows(cycle)
    for r in rows:
        d = r["department_id"]
        while d is not None:
            groups[d].append(r)
            d = parents[d]
    out = {d: _stats(rs, lambda r, d=d: r["department_id"] == d) for d, rs in groups.items()}
    if rows:
        out[None] = _stats(rows, lambda r: False)
    return out


def expected_teams(cycle) -> dict:
    groups: dict = defaultdict(list)
    for r in _appraisal_rows(cycle):
        if r["appraiser_id"]:
            groups[r["appraiser_id"]].append(r)
    return {m: _stats(rs, lambda r: True) for m, rs in groups.items()}


def _norm(row: dict) -> dict:
    out = {}
    for k in STAT_FIELDS:
        v = row[k]
        if isinstance(v, Decimal):
            v = v.quantize(TWO)
        if isinstance(v, dict):
            v = {str(a): int(b) for a, b in v.items()}
        out[k] = v
    return out


def actual_departments(cycle) -> dict:
    return {r["department_id"]: _norm(r) for r in DepartmentCycleSummary.objects.filter(cycle=cycle).values()}


def actual_teams(cycle) -> dict:
    return {r["manager_id"]: _norm(r) for r in TeamCycleSummary.objects.filter(cycle=cycle).values()}


def snapshot(cycle) -> tuple[dict, dict]:
    """Everything the roll-up wrote for a cycle except row ids and timestamps."""
    depts = {r["department_id"]: {k: v for k, v in r.items() if k not in ("id", "rolled_up_at")}
             for r in DepartmentCycleSummary.objects.filter(cycle=cycle).values()}
    teams = {r["manager_id"]: {k: v for k, v in r.items() if k not in ("id", "rolled_up_at")}
             for r in TeamCycleSummary.objects.filter(cycle=cycle).values()}
    return depts, teams


# --- the real flow: contracts signed and appraisals scored through the services -------------------------------

DECK = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
DIRECT = {"kind": "direct", "min": 0, "max": 100}


def template(org):
    from apps.contracts import services as contract_services
    from apps.contracts.models import Indicator, Section

    existing = getattr(org, "dash_template", None)
    if existing is not None:
        return existing
    contract_services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    org.dash_template = contract_services.template_create(
        actor=org.actor, code="TPL-DASH", name_zh="销售代表模板", job_level=org.level_s,
        results_weight=Decimal(70), behaviour_weight=Decimal(30), plan_weight=Decimal(0),
        lines=[
            {"section": Section.RESULTS, "indicator": ind["SALES-MONTH"], "weight": 100, "target": 1200,
             "unit": "万元", "standard": "月销售额 1200 万元", "rule": DECK, "data_source": org.finance},
            {"section": Section.BEHAVIOUR, "indicator": ind["BEH-TEAMWORK"], "weight": 100,
             "standard": "主动配合团队", "rule": DIRECT},
        ])
    return org.dash_template


def _fresh(user):
    for attr in ("_org_viewer", "_role_groups", "_dash_headed", "_appraisal_ds_ids"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def sign(org, employee, *, period="2026-11"):
    """Drafted by the employee's supervisor, proposed, signed by both (the contracts services)."""
    from apps.contracts import services as contract_services

    drafter = _fresh(employee.supervisor.user)
    c = contract_services.contract_draft(actor=drafter, employee=employee, period=period, template=template(org))
    c = contract_services.contract_propose(actor=drafter, contract=c)
    contract_services.contract_sign(actor=_fresh(employee.user), contract=c)
    return contract_services.contract_sign(actor=drafter, contract=c)


def score(org, appraisal, *, sales="1200", behaviour="85", manager="80"):
    """Actuals from 财务部, verification by HR, self-assessment, manager scoring (the appraisals services)."""
    from apps.appraisals.models import ScoreLine

    a = appraisal
    for ln in ScoreLine.objects.filter(appraisal=a, rule_kind="linear"):
        services.line_actual_set(actor=org.user("accountant"), line=ln, value=sales, evidence="台账")
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    direct = list(ScoreLine.objects.filter(appraisal=a, rule_kind="direct").order_by("pk"))
    a = services.appraisal_self_assess(actor=_fresh(a.employee.user), appraisal=a, comment="完成",
                                       lines=[{"id": ln.pk, "score": behaviour} for ln in direct], submit=True)
    return services.appraisal_manager_score(actor=_fresh(a.appraiser.user), appraisal=a, comment="良好",
                                            lines=[{"id": ln.pk, "score": manager} for ln in direct], submit=True)
