"""Target-setting rules of the contract lint (seed section 6: SMART; design pitfalls; the monkey
marksman): each rule with a case it flags and a case it lets pass."""
from decimal import Decimal

import pytest
from contract_helpers import DECK, lines_payload, set_field, signed, staff_template
from django.utils.translation import override

from apps.contracts import services
from apps.contracts.lint import errors, lint_contract, warnings
from apps.contracts.models import Indicator, Section
from apps.contracts.services import ContractLintError
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


_TEMPLATES = {}


def draft(org, *, period="2026-11"):
    """The staff member's draft from the staff template (made once per test)."""
    from contract_helpers import draft as helper_draft

    key = id(org)
    if key not in _TEMPLATES:
        _TEMPLATES.clear()
        _TEMPLATES[key] = staff_template(org)
    return helper_draft(org, period=period, template=_TEMPLATES[key])


def codes(issues, code):
    return [i for i in issues if i.code == code]


def with_extra_line(org, c, **line):
    lines = lines_payload(c)
    lines = set_field(lines, "SALES-MONTH", weight=50)
    lines.append({"section": Section.RESULTS, "order": 9, "indicator": None, "weight": 10, "rule": DECK,
                  "data_source": org.finance, "target": 10, **line})
    return services.contract_update(actor=org.user("lead"), contract=c, lines=lines)


def test_specific_a_rule_line_must_say_what_is_measured(org):
    c = with_extra_line(org, draft(org), title="客户拜访", unit="次")
    [issue] = codes(lint_contract(c), "not_specific")
    assert issue.level == "warning" and "not specific" in issue.message and "客户拜访" in issue.message
    c = with_extra_line(org, draft(org, period="2026-10"), title="客户拜访", unit="次", standard="每月拜访 10 家重点客户")
    assert codes(lint_contract(c), "not_specific") == []


def test_measurable_a_target_needs_a_unit_or_a_formula(org):
    c = with_extra_line(org, draft(org), title="客户拜访", standard="拜访重点客户")
    [issue] = codes(lint_contract(c), "not_measurable")
    assert "unit" in issue.message
    c = with_extra_line(org, draft(org, period="2026-10"), title="客户拜访", standard="拜访重点客户", unit="家")
    assert codes(lint_contract(c), "not_measurable") == []
    # library lines carry their formula: the sales line is measurable without anything more
    assert codes(lint_contract(draft(org, period="2026-09")), "not_measurable") == []


def test_time_bound_a_line_due_outside_the_period_blocks_signing(org):
    deadline = {"kind": "deadline", "base": 100, "per_day": 10, "floor": 0}
    c = with_extra_line(org, draft(org), title="年度预算", standard="提交预算", unit="天", rule=deadline,
                        due_date="2026-12-15", target=None)
    [issue] = codes(lint_contract(c), "due_outside_period")
    assert issue.level == "error" and "2026-11-01 to 2026-11-30" in issue.message
    c = services.contract_propose(actor=org.user("lead"), contract=c)
    with pytest.raises(ContractLintError):
        services.contract_sign(actor=org.user("staff"), contract=c)
    ok = with_extra_line(org, draft(org, period="2026-10"), title="年度预算", standard="提交预算", unit="天",
                         rule=deadline, due_date="2026-10-20", target=None)
    assert codes(lint_contract(ok), "due_outside_period") == []


def test_relevant_a_line_without_a_goal_is_warned(org):
    issues = lint_contract(draft(org))
    assert {i.line for i in codes(issues, "no_goal")} == {1, 2}  # the two results lines, not behaviour


def test_weights_capped_one_line_does_not_decide_the_score_alone(org):
    c = draft(org)
    lines = set_field(set_field(lines_payload(c), "SALES-MONTH", weight=97), "PROFIT-MONTH", weight=3)
    c = services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    issues = lint_contract(c)
    assert [i.line for i in codes(issues, "weight_above_cap")] == [1]
    assert [i.line for i in codes(issues, "weight_below_floor")] == [2]
    assert errors(issues) == []  # weights still total 100: warned, not blocked
    fine = lint_contract(draft(org, period="2026-10"))  # 60 / 40
    assert codes(fine, "weight_above_cap") == codes(fine, "weight_below_floor") == []


def test_a_ratio_rule_without_a_cap_is_warned(org):
    c = draft(org)
    lines = set_field(lines_payload(c), "SALES-MONTH", rule={**DECK, "cap": None})
    c = services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    assert [i.line for i in codes(lint_contract(c), "score_uncapped")] == [1]
    assert codes(lint_contract(draft(org, period="2026-10")), "score_uncapped") == []


def test_no_self_appraisal_through_the_data_source_role(org):
    c = draft(org)
    lines = set_field(lines_payload(c), "SALES-MONTH", data_source=org.sales_east)  # the appraisee's own
    c = services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    [issue] = codes(lint_contract(c), "self_reported")
    assert issue.line == 1 and "own department" in issue.message
    assert codes(lint_contract(draft(org, period="2026-10")), "self_reported") == []


def test_no_double_appraisal_across_the_contracts_of_overlapping_periods(org):
    monthly = signed(org, draft(org))  # 2026-11, the sales indicators
    # the staff member becomes a lead (reviewed quarterly): a Q4 contract overlaps November
    org_services.employee_update(actor=org.actor, employee=org.staff, position=org.pos_lead)
    q4 = services.contract_draft(actor=org.user("hr"), employee=org.staff, period="2026-Q4", use_template=False)
    services.contract_line_add(actor=org.user("hr"), contract=q4, indicator=Indicator.objects.get(code="SALES-MONTH"),
                               weight=100, target=3600)
    [issue] = codes(lint_contract(q4), "double_appraisal")
    assert issue.level == "error" and "2026-11" in issue.message and "appraised twice" in issue.message
    q4.refresh_from_db()
    lines = set_field(lines_payload(q4), "SALES-MONTH", indicator=Indicator.objects.get(code="HR-TRAINING-HOURS"))
    q4 = services.contract_update(actor=org.user("hr"), contract=q4, lines=lines)
    assert codes(lint_contract(q4), "double_appraisal") == []
    assert codes(lint_contract(monthly), "double_appraisal") == []  # the quarter has no sales line any more


def test_attainable_a_target_far_from_last_periods_is_warned(org):
    signed(org, draft(org, period="2026-10"))  # sales target 1200 agreed for October
    c = draft(org)
    c = services.contract_update(actor=org.user("lead"), contract=c,
                                 lines=set_field(lines_payload(c), "SALES-MONTH", target=Decimal(3000)))
    [issue] = codes(lint_contract(c), "not_attainable")
    assert issue.level == "warning" and "250%" in issue.message and "1200" in issue.message
    c = services.contract_update(actor=org.user("lead"), contract=c,
                                 lines=set_field(lines_payload(c), "SALES-MONTH", target=Decimal(1300)))
    assert codes(lint_contract(c), "not_attainable") == []


def test_the_range_and_caps_are_settings(org, settings):
    settings.CONTRACT_LINT = {"max_line_weight": 50}
    assert [i.line for i in codes(lint_contract(draft(org)), "weight_above_cap")] == [1]
    assert warnings(lint_contract(draft(org, period="2026-10")))  # still warned for the goals
