"""Shared set-up of the appraisals tests: signed contracts made through the contracts services, and
cycles made and opened through the appraisals services."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.appraisals import services
from apps.appraisals.models import STAGE_ORDER, Appraisal, Policy, ScoreLine
from apps.appraisals.services import opening
from apps.contracts import services as contract_services
from apps.contracts.models import Contract, Indicator, Section
from apps.org import services as org_services

PERIOD = "2026-11"
DECK = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
DIRECT = {"kind": "direct", "min": 0, "max": 100}
BASE_DAY = dt.date(2026, 12, 1)


def template(org):
    """Sales 60% (target 1200) and profit 40% (target 300) from 财务部; two behaviour lines 50/50."""
    existing = getattr(org, "appraisal_template", None)
    if existing is not None:
        return existing
    contract_services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    tpl = contract_services.template_create(
        actor=org.actor, code="TPL-APPR", name_zh="销售代表模板", name_en="Sales rep template",
        job_level=org.level_s, results_weight=Decimal(70), behaviour_weight=Decimal(30), plan_weight=Decimal(0),
        lines=[
            {"section": Section.RESULTS, "indicator": ind["SALES-MONTH"], "weight": 60, "target": 1200,
             "unit": "万元", "standard": "月销售额 1200 万元", "rule": DECK, "data_source": org.finance},
            {"section": Section.RESULTS, "indicator": ind["PROFIT-MONTH"], "weight": 40, "target": 300,
             "unit": "万元", "standard": "月利润额 300 万元", "rule": DECK, "data_source": org.finance},
            {"section": Section.BEHAVIOUR, "indicator": ind["BEH-TEAMWORK"], "weight": 50,
             "standard": "主动配合团队", "rule": DIRECT},
            {"section": Section.BEHAVIOUR, "indicator": ind["BEH-RESPONSIBILITY"], "weight": 50,
             "standard": "对结果负责", "rule": DIRECT},
        ])
    org.appraisal_template = tpl
    return tpl


def sign(org, employee, *, period=PERIOD) -> Contract:
    """Draft (by the lead), propose and sign by both parties."""
    tpl = template(org)
    lead = org.user("lead")
    c = Contract.objects.filter(employee=employee, period=period, is_latest=True).first() or \
        contract_services.contract_draft(actor=lead, employee=employee, period=period, template=tpl)
    c = contract_services.contract_propose(actor=lead, contract=c)
    emp_user = employee.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(emp_user, attr):
            delattr(emp_user, attr)
    contract_services.contract_sign(actor=emp_user, contract=c)
    return contract_services.contract_sign(actor=lead, contract=c)


def add_staff(org, prefix: str, n: int) -> list:
    """n more sales reps reporting to the lead, each with a login (so they can sign)."""
    out = []
    for i in range(n):
        out.append(org_services.employee_create(
            actor=org.actor, employee_no=f"{prefix}{i:03d}", name_zh=f"员工{prefix}{i}", name_en=f"Rep {prefix}{i}",
            email=f"{prefix.lower()}{i}@example.com", department=org.sales_east, position=org.pos_staff,
            supervisor=org.lead, hire_date=dt.date(2025, 1, 1), username=f"{prefix.lower()}{i}", password="pw-Test-1234"))
    return out


def deadlines(base: dt.date = BASE_DAY, step: int = 3) -> dict:
    return {s: base + dt.timedelta(days=step * (i + 1)) for i, s in enumerate(STAGE_ORDER)}


def open_cycle(org, *, period=PERIOD, policies=None, base=BASE_DAY, **kw):
    cycle = services.cycle_create(actor=org.user("hr"), period=period, frequency="monthly",
                                  deadlines=deadlines(base), policies=policies or {}, **kw)
    opening.cycle_open_and_populate(actor=org.user("hr"), cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def appraisal_of(employee, cycle=None) -> Appraisal:
    qs = Appraisal.objects.filter(employee=employee)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.get()


def line(appraisal, code) -> ScoreLine:
    return ScoreLine.objects.select_related("indicator").get(appraisal=appraisal, indicator__code=code)


def enter_actuals(org, appraisal, sales="1140", profit="300"):
    acc = org.user("accountant")
    services.line_actual_set(actor=acc, line=line(appraisal, "SALES-MONTH"), value=sales, evidence="销售台账")
    services.line_actual_set(actor=acc, line=line(appraisal, "PROFIT-MONTH"), value=profit, evidence="利润表")


def direct_entries(appraisal, scores, comment="") -> list[dict]:
    lines = ScoreLine.objects.filter(appraisal=appraisal, rule_kind="direct").order_by("section", "order", "pk")
    return [{"id": ln.pk, "score": s, "comment": comment} for ln, s in zip(lines, scores, strict=True)]


ALL_POLICIES = {s: Policy.REMIND for s in STAGE_ORDER}
