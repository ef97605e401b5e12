"""Demo data of the contracts app (a hook of ``apps.org.demo.DEMO_HOOKS``): templates for the sales
positions and contracts of the sales staff for the current period, some signed. Idempotent."""
from __future__ import annotations

from decimal import Decimal

from apps.core.periods import current_period
from apps.org.models import Department, Employee, JobLevel, Position
from apps.plans.models import Goal

from . import services
from .models import Contract, ContractTemplate, Indicator, Section, Status

DIRECT = {"kind": "direct", "min": 0, "max": 100}
BEHAVIOUR = [("BEH-TEAMWORK", 40, "主动配合团队，分享客户信息，支持同事完成目标"),
             ("BEH-RESPONSIBILITY", 30, "对客户承诺负责到底，问题不推诿"),
             ("BEH-COMMUNICATION", 30, "每周汇报进展，遇到困难及时求助")]

# code, zh, en, position code (or None), job level code, weights, results lines
TEMPLATES = [
    ("TPL-SALES-REP-E", "销售代表绩效合约（华东）", "Sales representative (East)", "SAL-E-S", "S",
     (70, 30, 0), [("SALES-MONTH", 60, Decimal(120), "月销售额 120 万元（完成率 100%）"),
                   ("PROFIT-MONTH", 40, Decimal(30), "月利润额 30 万元（完成率 100%）")]),
    ("TPL-SALES-REP-S", "销售代表绩效合约（华南）", "Sales representative (South)", "SAL-S-S", "S",
     (70, 30, 0), [("SALES-MONTH", 60, Decimal(100), "月销售额 100 万元（完成率 100%）"),
                   ("PROFIT-MONTH", 40, Decimal(25), "月利润额 25 万元（完成率 100%）")]),
    ("TPL-SALES-AM", "销售主管绩效合约", "Sales supervisor", None, "AM",
     (70, 30, 0), [("SALES-MONTH", 50, Decimal(1200), "季度销售额 1200 万元（完成率 100%）"),
                   ("PROFIT-MONTH", 30, Decimal(300), "季度利润额 300 万元（完成率 100%）"),
                   ("TRAINING-PLAN", 20, Decimal(6), "完成 6 次团队销售培训")]),
]


def _template(actor, code, zh, en, position, level, weights, results, indicators) -> ContractTemplate:
    tpl = ContractTemplate.objects.filter(code=code).first()
    if tpl is not None:
        return tpl
    lines = []
    for order, (ind_code, weight, target, standard) in enumerate(results, start=1):
        ind = indicators[ind_code]
        lines.append({"section": Section.RESULTS, "order": order, "indicator": ind, "weight": Decimal(weight),
                      "target": target, "standard": standard, "unit": "万元" if ind_code != "TRAINING-PLAN" else "次",
                      "rule": dict(ind.default_rule), "data_source": ind.default_data_source})
    for order, (ind_code, weight, standard) in enumerate(BEHAVIOUR, start=1):
        lines.append({"section": Section.BEHAVIOUR, "order": order, "indicator": indicators[ind_code],
                      "weight": Decimal(weight), "standard": standard, "rule": dict(DIRECT)})
    return services.template_create(
        actor=actor, code=code, name_zh=zh, name_en=en, position=position, job_level=level,
        results_weight=Decimal(weights[0]), behaviour_weight=Decimal(weights[1]), plan_weight=Decimal(weights[2]),
        lines=lines)


def _link_goals(actor) -> None:
    """Link the sales lines of the draft contracts to the goals of the cascade (the plans demo's goals):
    the appraisee's own goal when there is one, else their sales section's goal of the quarter."""
    quarter = current_period("quarterly")
    codes = {"E": f"SAL-E-REV-Q{quarter.index}", "S": f"SAL-S-REV-Q{quarter.index}"}
    goals = {g.code: g for g in Goal.objects.filter(year=quarter.year)}
    drafts = (Contract.objects.filter(status=Status.DRAFT, is_latest=True, employee__department__code__in=["SAL-E",
                                                                                                      "SAL-S"])
              .select_related("employee__department"))
    for c in drafts:
        own = goals.get(f"{c.employee.employee_no}-REV-Q{quarter.index}")
        goal = own or goals.get(codes[c.employee.department.code[-1]])
        if goal is None:
            continue
        lines = [{"id": ln.pk, "goal_id": goal.pk} if ln.indicator_id and ln.indicator.code == "SALES-MONTH"
                 and ln.goal_id is None else {"id": ln.pk} for ln in c.lines.select_related("indicator")]
        if any("goal_id" in ln for ln in lines):
            services.contract_update(actor=actor, contract=c, lines=lines)


def seed_demo_contracts(actor) -> dict:
    services.indicator_library_seed(actor=actor)
    indicators = {i.code: i for i in Indicator.objects.all()}
    positions = {p.code: p for p in Position.objects.filter(code__in=["SAL-E-S", "SAL-S-S", "SAL-E-AM"])}
    levels = {lv.code: lv for lv in JobLevel.objects.filter(code__in=["S", "AM"])}
    sales = Department.objects.filter(code="SAL").first()
    if sales is None or len(positions) < 3 or len(levels) < 2:
        return {"created": 0}
    created = 0
    templates = {}
    for code, zh, en, pos, level, weights, results in TEMPLATES:
        templates[code] = _template(actor, code, zh, en, positions.get(pos) if pos else None, levels[level],
                                    weights, results, indicators)
    for code in ("TPL-SALES-REP-E", "TPL-SALES-REP-S", "TPL-SALES-AM"):
        created += services.contracts_generate(actor=actor, template=templates[code], department=sales)["created"]

    _link_goals(actor)
    people = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=["E0007", "E0009"])
              .select_related("user")}
    rep, assistant = people.get("E0009"), people.get("E0007")
    if rep is None or assistant is None or not rep.user_id or not assistant.user_id:
        return {"created": created}
    month = current_period("monthly").code
    quarter = current_period("quarterly").code
    # the demo employee (孙娜): this month's contract signed by both parties
    c = Contract.objects.filter(employee=rep, period=month, is_latest=True).first()
    if c is not None and c.status == Status.DRAFT:
        c = services.contract_propose(actor=assistant.user, contract=c)
        services.contract_sign(actor=rep.user, contract=c)
        services.contract_sign(actor=assistant.user, contract=c)
    # the demo assistant (周敏): the quarter's contract proposed by the manager, awaiting the assistant
    c = Contract.objects.filter(employee=assistant, period=quarter, is_latest=True).first()
    manager = Employee.objects.filter(pk=assistant.supervisor_id).select_related("user").first()
    if c is not None and c.status == Status.DRAFT and manager is not None and manager.user_id:
        c = services.contract_propose(actor=manager.user, contract=c)
        services.contract_sign(actor=manager.user, contract=c)
    # two more of the assistant's reports: proposed, waiting for them (once: later runs find them)
    mine = Contract.objects.filter(appraiser=assistant, period=month, is_latest=True).exclude(employee=rep)
    missing = 2 - mine.filter(status=Status.PROPOSED).count()
    for other in mine.filter(status=Status.DRAFT).order_by("employee__employee_no")[:max(missing, 0)]:
        services.contract_propose(actor=assistant.user, contract=other)
    # the rest of this month's sales contracts: agreed and signed by both, so that appraisals,
    # calibration and the dashboards have a team to show
    rest = (Contract.objects.filter(period=month, is_latest=True, status=Status.DRAFT,
                                    employee__user__isnull=False, appraiser__user__isnull=False)
            .select_related("employee__user", "appraiser__user").order_by("employee__employee_no"))
    for other in rest:
        other = services.contract_propose(actor=other.appraiser.user, contract=other)
        services.contract_sign(actor=other.employee.user, contract=other)
        services.contract_sign(actor=other.appraiser.user, contract=other)
    return {"created": created}
