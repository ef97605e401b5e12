"""`python -m bench.run appraisals`: open an appraisal cycle for N employees with 6 lines each, then
verify and score every line, timing each step and counting the queries per 1,000 employees.

Set-up (not the product path, so it is fast and printed apart): the bench organisation of
``bench/build_org.py`` sized so that exactly N employees are monthly staff (the department heads are
appraised at other frequencies), six bench indicators, and one signed contract per staff member for
the bench period with 4 result lines (linear rule, data source 财务部-like department) and 2 behaviour
lines (direct rule), written with bulk inserts.

Timed, through the product's services (the same code HR's buttons run):
1. opening the cycle: ``opening.cycle_open_and_populate`` (one appraisal and 6 score lines per
   employee, blockers, audit rows), batch by batch;
2. verifying every complete appraisal and scoring its ratio lines with the engine
   (``services.appraisals_verify_complete``) after the actuals were filled in set-based;
3. re-scoring every verified line from scratch (``services.cycle_rescore_verified_lines``), the scoring
   pass on its own.
"""
from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F

from apps.appraisals import services
from apps.appraisals.models import (
    DEFAULT_STAGE_DAYS,
    STAGE_ORDER,
    ActualsUpload,
    Appraisal,
    Collection,
    Cycle,
    CycleBlocker,
    CycleStage,
    ScoreLine,
    Status,
)
from apps.appraisals.services import opening
from apps.contracts.models import Contract, ContractLine, Indicator, Section
from apps.contracts.models import Status as ContractStatus
from apps.core.periods import Period
from apps.org.models import Department, Employee, JobLevel
from bench.build_org import PREFIX, ROOT_CODE, build_org, department_count, fanout_for

PERIOD = "2030-01"
DECK = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
DIRECT = {"kind": "direct", "min": 0, "max": 100}
# code, zh, en, section, weight, target, rule
LINES = [
    ("K1", "基准销售额完成率", "Bench sales", Section.RESULTS, 40, Decimal(1200), DECK),
    ("K2", "基准利润完成率", "Bench profit", Section.RESULTS, 30, Decimal(300), DECK),
    ("K3", "基准回款完成率", "Bench collection", Section.RESULTS, 20, Decimal(900), DECK),
    ("K4", "基准新客户数", "Bench new customers", Section.RESULTS, 10, Decimal(20), DECK),
    ("B1", "基准团队合作", "Bench teamwork", Section.BEHAVIOUR, 50, None, DIRECT),
    ("B2", "基准责任心", "Bench responsibility", Section.BEHAVIOUR, 50, None, DIRECT),
]


class QueryCounter:
    """Counts the statements and the time spent waiting for the database."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def measured():
    counter = QueryCounter()
    started = time.perf_counter()
    result = {}
    with connection.execute_wrapper(counter):
        yield result
    result["seconds"] = time.perf_counter() - started
    result["queries"] = counter.count
    result["db_seconds"] = counter.seconds


def org_size_for(population: int) -> int:
    """The size of the bench organisation whose monthly staff are exactly ``population`` people."""
    total = population
    for _ in range(5):
        total = population + department_count(fanout_for(total))
    return total


def _hr_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(username="bench-hr", defaults={"is_superuser": True,
                                                                            "is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def ensure_contracts(*, period: str, log=print) -> int:
    """One signed contract with the 6 bench lines per bench staff member for ``period`` (bulk inserts)."""
    staff_level = JobLevel.objects.get(code=f"{PREFIX}S")
    staff = Employee.objects.filter(employee_no__startswith=PREFIX, position__job_level=staff_level)
    have = Contract.objects.filter(period=period, employee__employee_no__startswith=PREFIX).count()
    wanted = staff.count()
    if have == wanted:
        return 0
    started = time.perf_counter()
    root = Department.objects.get(code=ROOT_CODE)
    source = Department.objects.filter(parent=root).order_by("code").first() or root
    indicators = {}
    for code, zh, en, _section, _w, _t, rule in LINES:
        ind, _c = Indicator.objects.get_or_create(code=f"{PREFIX}{code}", defaults={
            "name_zh": zh, "name_en": en, "default_rule": rule,
            "default_data_source": source if rule["kind"] != "direct" else None})
        indicators[code] = ind
    with transaction.atomic():
        Contract.objects.filter(period=period, employee__employee_no__startswith=PREFIX).delete()
        rows = list(staff.values_list("pk", "supervisor_id", "position_id").order_by("pk"))
        batch = 5000
        for i in range(0, len(rows), batch):
            chunk = rows[i:i + batch]
            contracts = Contract.objects.bulk_create([
                Contract(employee_id=pk, appraiser_id=sup, period=period, frequency="monthly",
                         job_level_id=staff_level.pk, position_id=pos, status=ContractStatus.AGREED, is_latest=True,
                         results_weight=Decimal(70), behaviour_weight=Decimal(30), plan_weight=Decimal(0))
                for pk, sup, pos in chunk], batch_size=batch)
            ContractLine.objects.bulk_create([
                ContractLine(contract_id=c.pk, section=section, order=n, indicator_id=indicators[code].pk,
                             weight=Decimal(weight), target=target, rule=rule, standard=zh,
                             data_source_id=source.pk if rule["kind"] != "direct" else None)
                for c in contracts for n, (code, zh, _en, section, weight, target, rule) in enumerate(LINES, 1)],
                batch_size=10000)
    log(f"  set-up: {wanted:,} signed contracts with {wanted * len(LINES):,} lines in "
        f"{time.perf_counter() - started:.1f} s (bulk inserts, not timed below)")
    return wanted


def remove_cycle(period: str) -> None:
    """Drop a previous bench cycle of ``period`` (bench data only)."""
    for cycle in Cycle.objects.filter(period=period, title__startswith="Bench"):
        with transaction.atomic():
            ActualsUpload.objects.filter(cycle=cycle).delete()
            ScoreLine.objects.filter(cycle=cycle).delete()
            Appraisal.objects.filter(cycle=cycle).delete()
            CycleBlocker.objects.filter(cycle=cycle).delete()
            CycleStage.objects.filter(cycle=cycle).delete()
            cycle.delete()


def remove_bench_data() -> None:
    """Drop the bench cycles and contracts (before the organisation they point to is rebuilt)."""
    for period in set(Cycle.objects.filter(title__startswith="Bench").values_list("period", flat=True)):
        remove_cycle(period)
    with transaction.atomic():
        ContractLine.objects.filter(contract__employee__employee_no__startswith=PREFIX).delete()
        Contract.objects.filter(employee__employee_no__startswith=PREFIX).delete()
        Indicator.objects.filter(code__startswith=PREFIX).delete()


def fill_actuals(cycle: Cycle) -> float:
    """Actuals for every data line, between 80% and 129% of the target (one UPDATE), then the counters."""
    started = time.perf_counter()
    with transaction.atomic():
        ScoreLine.objects.filter(cycle=cycle, rule_kind="linear").update(
            actual=F("target") * (80 + F("id") % 50) / 100, collection=Collection.ENTERED)
        Appraisal.objects.filter(cycle=cycle).update(lines_pending=0)
    return time.perf_counter() - started


def add_arguments(parser) -> None:
    parser.add_argument("--employees", type=int, default=100_000,
                        help="employees in the cycle (monthly staff; the organisation adds its department heads)")
    parser.add_argument("--batch-size", type=int, default=1000, help="employees per opening / verification batch")
    parser.add_argument("--period", default=PERIOD, help=f"the bench review period (default {PERIOD})")


def run(args) -> dict:
    population = args.employees
    period = args.period
    size = org_size_for(population)
    print(f"appraisals bench ({connection.vendor}): a cycle for {population:,} employees with {len(LINES)} lines each")
    from bench.build_org import existing_size

    if existing_size() not in (None, size):
        remove_bench_data()
    org = build_org(employees=size)
    print(f"  organisation: {org.employees:,} employees, {org.departments:,} departments "
          f"({'reused' if org.reused else f'built in {org.seconds:.1f} s'})")
    ensure_contracts(period=period)
    remove_cycle(period)
    hr = _hr_user()
    start = Period.parse(period).end
    cycle = services.cycle_create(
        actor=hr, title=f"Bench {period}", period=period, frequency="monthly",
        job_levels=list(JobLevel.objects.filter(code=f"{PREFIX}S")),
        deadlines={s: start + dt.timedelta(days=DEFAULT_STAGE_DAYS[s]) for s in STAGE_ORDER})

    with measured() as opened:
        result = opening.cycle_open_and_populate(actor=hr, cycle=cycle, batch_size=args.batch_size)
    n = result["appraisals"]
    lines = ScoreLine.objects.filter(cycle=cycle).count()
    per_k = opened["queries"] / (population / 1000)
    print(f"  1. open the cycle:      {n:,} appraisals, {lines:,} score lines, {result['blockers']} blockers in "
          f"{opened['seconds']:.1f} s ({n / opened['seconds']:,.0f} appraisals/s, {opened['db_seconds']:.1f} s of it in "
          f"the database); {opened['queries']:,} queries = {per_k:.1f} per 1,000 employees")
    fill = fill_actuals(cycle)
    print(f"     (set-up: actuals of {ScoreLine.objects.filter(cycle=cycle, rule_kind='linear').count():,} lines "
          f"filled in {fill:.1f} s with one UPDATE)")
    with measured() as verified:
        v = services.appraisals_verify_complete(actor=hr, cycle=cycle, batch_size=args.batch_size)
    scored = ScoreLine.objects.filter(cycle=cycle, score__isnull=False).count()
    per_k_v = verified["queries"] / (population / 1000)
    print(f"  2. verify and score:    {v:,} appraisals verified, {scored:,} lines scored by the engine in "
          f"{verified['seconds']:.1f} s ({scored / verified['seconds']:,.0f} lines/s, {verified['db_seconds']:.1f} s of it "
          f"in the database); {verified['queries']:,} queries = {per_k_v:.1f} per 1,000 employees")
    ScoreLine.objects.filter(cycle=cycle, rule_kind="linear").update(score=None)
    with measured() as rescored:
        r = services.cycle_rescore_verified_lines(cycle=cycle, batch_size=args.batch_size)
    per_k_r = rescored["queries"] / (population / 1000)
    print(f"  3. score all verified lines again: {r:,} lines in {rescored['seconds']:.1f} s "
          f"({r / rescored['seconds']:,.0f} lines/s, {rescored['db_seconds']:.1f} s of it in the database); "
          f"{rescored['queries']:,} queries = {per_k_r:.1f} per 1,000 employees")
    assert Appraisal.objects.filter(cycle=cycle, status=Status.VERIFIED).count() == n
    return {"appraisals": n, "lines": lines, "open_s": opened["seconds"], "open_queries_per_1000": per_k,
            "verify_s": verified["seconds"], "verify_queries_per_1000": per_k_v, "scored": scored,
            "rescore_s": rescored["seconds"], "rescore_queries_per_1000": per_k_r}
