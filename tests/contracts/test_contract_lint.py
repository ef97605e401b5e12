"""Contract lint: each error blocks signing with its reason; warnings are shown and recorded."""
from decimal import Decimal

import pytest
from contract_helpers import draft, lines_payload, set_field, signed
from django.urls import reverse
from django.utils.translation import override

from apps.contracts import services
from apps.contracts.lint import errors, lint_contract, warning_text, warnings
from apps.contracts.models import Contract, ContractSignature, Section, Status
from apps.contracts.services import ContractLintError
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


def _propose_and_try_to_sign(org, c):
    c = services.contract_propose(actor=org.user("lead"), contract=c)
    with pytest.raises(ContractLintError) as info:
        services.contract_sign(actor=org.user("staff"), contract=c)
    assert not ContractSignature.objects.filter(contract=c).exists()
    c.refresh_from_db()
    assert c.status == Status.PROPOSED
    return info.value


def _codes(exc):
    return {i["code"] for i in exc.extra["lint"] if i["level"] == "error"}


def test_clean_contract_has_no_errors_and_signs(org):
    c = draft(org)
    assert errors(lint_contract(c)) == []
    assert signed(org, c).status == Status.AGREED


def test_section_weights_not_100_block_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c, results_weight=60, behaviour_weight=30)
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"section_weights"}
    assert "section weights total 90%" in exc.message


def test_line_weights_totalling_90_block_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c,
                             lines=set_field(lines_payload(c), "SALES-MONTH", weight=Decimal(50)))
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"line_weights"}
    assert "total 90%" in exc.message and "Results" in exc.message


def test_a_weighted_section_without_lines_blocks_signing(org):
    c = draft(org)
    lines = [ln for ln in lines_payload(c) if ln["section"] == Section.RESULTS]
    services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    assert _codes(_propose_and_try_to_sign(org, c)) == {"section_empty"}


def test_a_line_without_target_blocks_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c,
                             lines=set_field(lines_payload(c), "PROFIT-MONTH", target=None))
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"missing_target"} and "no target" in exc.message


def test_a_rated_line_without_a_standard_blocks_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c,
                             lines=set_field(lines_payload(c), "BEH-TEAMWORK", standard=""))
    assert _codes(_propose_and_try_to_sign(org, c)) == {"missing_target"}


def test_a_line_without_rule_blocks_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c,
                             lines=set_field(lines_payload(c), "SALES-MONTH", rule={}))
    exc = _propose_and_try_to_sign(org, c)
    assert "missing_rule" in _codes(exc) and "no scoring rule" in exc.message


def test_a_line_without_data_source_blocks_signing(org):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c,
                             lines=set_field(lines_payload(c), "SALES-MONTH", data_source=None))
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"missing_data_source"} and "data source" in exc.message


def test_no_one_appraises_themselves(org):
    c = draft(org)
    # the services refuse it (test_contract_appraiser_rule); lint still guards rows written before the rule
    Contract.objects.filter(pk=c.pk).update(appraiser=org.staff)
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"self_appraisal"} and "appraise themselves" in exc.message


def test_appraiser_outside_the_management_chain_blocks_signing(org):
    c = draft(org)
    # a reorganisation moved the appraiser out of the chain after the draft (the services refuse it directly)
    Contract.objects.filter(pk=c.pk).update(appraiser=org.peer)
    exc = _propose_and_try_to_sign(org, c)
    assert _codes(exc) == {"appraiser_not_in_chain"} and "management chain" in exc.message


def test_hr_may_assign_an_appraiser_outside_the_chain(org):
    c = draft(org)
    c = services.contract_update(actor=org.user("hr"), contract=c, appraiser=org.accountant)
    assert c.appraiser_assigned_by_hr
    assert errors(lint_contract(c)) == []
    c = services.contract_propose(actor=org.user("hr"), contract=c)
    services.contract_sign(actor=org.user("staff"), contract=c)
    c = services.contract_sign(actor=org.user("accountant"), contract=c)
    assert c.status == Status.AGREED


def test_api_sign_refusal_lists_the_lint(org, api_for):
    c = draft(org)
    services.contract_update(actor=org.user("lead"), contract=c, results_weight=60, behaviour_weight=30)
    services.contract_propose(actor=org.user("lead"), contract=c)
    resp = api_for(org.user("staff")).post(reverse("api-contract-sign", args=[c.pk]), {}, format="json")
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "lint_errors" and any(i["code"] == "section_weights" for i in err["lint"])


# --- warnings ----------------------------------------------------------------------------------------

def test_the_same_indicator_twice_is_a_warning(org):
    c = draft(org)
    lines = lines_payload(c)
    dup = dict(next(ln for ln in lines if ln["indicator"].code == "SALES-MONTH"))
    dup.pop("id")
    lines = set_field(lines, "SALES-MONTH", weight=Decimal(30)) + [{**dup, "weight": Decimal(30)}]
    services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    issues = lint_contract(c)
    assert errors(issues) == []
    assert [i.code for i in warnings(issues)].count("duplicate_indicator") == 1


def test_differing_from_contracts_of_the_same_job_level_and_template_is_a_warning(org):
    c = draft(org)
    peer = draft(org, employee=org.peer, template=c.template)
    assert "differs_from_peers" not in {i.code for i in lint_contract(c)}
    lines = set_field(lines_payload(peer), "SALES-MONTH", weight=Decimal(70))
    services.contract_update(actor=org.user("lead"), contract=peer,
                             lines=set_field(lines, "PROFIT-MONTH", weight=Decimal(30)))
    peer.refresh_from_db()
    [w] = [i for i in lint_contract(peer) if i.code == "differs_from_peers"]
    assert w.level == "warning" and "same job level and template" in w.message


def test_lines_without_a_goal_are_warned_and_the_warnings_are_recorded_at_signing(org):
    c = signed(org, draft(org))
    assert [w["code"] for w in c.lint_warnings] == ["no_goal", "no_goal"]  # the two results lines
    first = c.lint_warnings[0]["messages"]
    assert "not linked to any goal" in first["en"] and "未关联" in first["zh-hans"]
    event = AuditEvent.objects.filter(action="contract.sign", object_id=str(c.pk)).order_by("-id").first()
    assert event.after["warnings"] == c.lint_warnings
    with override("zh-hans"):
        assert "未关联" in warning_text(c.lint_warnings[0])


def test_a_line_linked_to_a_goal_is_not_warned(org):
    from apps.plans import services as plans

    hr = org.user("hr")
    strategy = plans.strategy_create(actor=hr, code="S", name_zh="战略", start_year=2026, end_year=2030)
    plan = plans.annual_plan_create(actor=hr, year=2026, strategy=strategy, name_zh="2026 经营计划")
    goal = plans.goal_create(actor=hr, annual_plan=plan, owner_kind="employee", employee=org.staff,
                             department=org.sales_east, period_kind="month", period_index=11,
                             name_zh="个人销售 1200 万元")
    c = draft(org)
    lines = set_field(lines_payload(c), "SALES-MONTH", goal_id=goal.pk)
    services.contract_update(actor=org.user("lead"), contract=c, lines=set_field(lines, "PROFIT-MONTH", goal_id=goal.pk))
    assert [i for i in lint_contract(c) if i.code == "no_goal"] == []
    assert c.lines.get(indicator__code="SALES-MONTH").goal == goal


def test_editor_shows_the_lint_live_on_unsaved_input(org, client_for):
    c = draft(org)
    client = client_for(org.user("lead"))
    page = client.get(reverse("contracts:detail", args=[c.pk]))
    assert page.status_code == 200 and b'id="lint"' in page.content
    data = {"c-results_weight": "60", "c-behaviour_weight": "30", "c-plan_weight": "0", "c-version": c.version,
            "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    resp = client.post(reverse("contracts:lint_preview", args=[c.pk]), data)
    assert resp.status_code == 200
    assert "90%" in resp.content.decode()
    c.refresh_from_db()
    assert c.results_weight == 70  # nothing saved
