"""Shared set-up of the contracts tests: a staff template and contracts made through the services."""
from __future__ import annotations

from decimal import Decimal

from apps.contracts import services
from apps.contracts.models import Indicator, Section

DECK = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
DIRECT = {"kind": "direct", "min": 0, "max": 100}


def staff_template(org, *, code="TPL-S", position=None, job_level=None):
    """The deck's sales lines (data source 财务部) and two behaviour lines, for the staff job level."""
    services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    return services.template_create(
        actor=org.actor, code=code, name_zh="销售代表模板", name_en="Sales rep template",
        job_level=job_level or (None if position else org.level_s), position=position,
        results_weight=Decimal(70), behaviour_weight=Decimal(30), plan_weight=Decimal(0),
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


def draft(org, *, employee=None, actor=None, period="2026-11", template=None, **kw):
    """A draft contract for the staff member, drafted by their lead from the staff template."""
    template = template or staff_template(org)
    return services.contract_draft(actor=actor or org.user("lead"), employee=employee or org.staff, period=period,
                                   template=template, **kw)


def lines_payload(contract) -> list[dict]:
    """The contract's lines as the services' line dicts (ids kept)."""
    out = []
    for ln in contract.lines.select_related("indicator").order_by("order", "id"):
        out.append({"id": ln.pk, "section": ln.section, "order": ln.order, "indicator": ln.indicator,
                    "title": ln.title, "weight": ln.weight, "standard": ln.standard, "target": ln.target,
                    "unit": ln.unit, "rule": ln.rule, "data_source": ln.data_source, "notes": ln.notes})
    return out


def signed(org, contract):
    """Propose (by the lead) and sign by both parties."""
    c = services.contract_propose(actor=org.user("lead"), contract=contract)
    services.contract_sign(actor=org.user("staff"), contract=c)
    return services.contract_sign(actor=org.user("lead"), contract=c)


def set_field(lines: list[dict], code: str, **values) -> list[dict]:
    """Change the line of indicator ``code`` in a lines payload."""
    for line in lines:
        if line["indicator"] is not None and line["indicator"].code == code:
            line.update(values)
    return lines
