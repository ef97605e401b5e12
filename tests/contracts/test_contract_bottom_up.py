"""Bottom-up drafting (seed section 6: "top-down, bottom-up or negotiated"; the employee is the owner
of their performance): the employee drafts their own goals and proposes their own contract for the
next period, with lines from the indicator library; the manager returns it with comments or signs,
and both sign."""
import pytest
from contract_helpers import lines_payload, staff_template
from django.urls import reverse
from django.utils import timezone, translation

from apps.contracts import services
from apps.contracts.models import Indicator, Method, Status
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied
from apps.core.periods import current_period

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def next_month() -> str:
    return current_period("monthly", timezone.localdate()).next().code


def test_an_employee_proposes_their_own_contract_and_both_sign(org):
    staff_template(org)
    staff, lead = org.user("staff"), org.user("lead")
    c = services.contract_draft(actor=staff, employee=org.staff)
    assert c.method == Method.BOTTOM_UP and c.period == next_month() and c.appraiser == org.lead
    # the employee adds a line from the indicator library and sets its target and weights
    ind = Indicator.objects.get(code="SALES-MONTH")
    lines = lines_payload(c)
    for ln in lines:
        if ln["indicator"] and ln["indicator"].code == "SALES-MONTH":
            ln.update(target=1500, standard="月销售额 1500 万元")
    c = services.contract_update(actor=staff, contract=c, lines=lines, expected_version=c.version)
    assert c.lines.get(indicator=ind).target == 1500
    c = services.contract_propose(actor=staff, contract=c, expected_version=c.version)
    # the manager returns it with comments; the employee edits and proposes again
    c = services.contract_return(actor=lead, contract=c, reason="1500 太高，参考上期 1250", expected_version=c.version)
    assert c.status == Status.RETURNED
    lines = lines_payload(c)
    for ln in lines:
        if ln["indicator"] and ln["indicator"].code == "SALES-MONTH":
            ln.update(target=1300)
    c = services.contract_update(actor=staff, contract=c, lines=lines, expected_version=c.version)
    c = services.contract_propose(actor=staff, contract=c, expected_version=c.version)
    services.contract_sign(actor=lead, contract=c)
    c = services.contract_sign(actor=staff, contract=c)
    assert c.status == Status.AGREED and c.lines.get(indicator=ind).target == 1300
    with pytest.raises(ApplicationError):  # agreed: locked for both
        services.contract_update(actor=staff, contract=c, results_weight=80, behaviour_weight=20)


def test_a_stale_edit_of_the_proposal_is_refused(org):
    staff_template(org)
    staff = org.user("staff")
    c = services.contract_draft(actor=staff, employee=org.staff)
    services.contract_update(actor=org.user("lead"), contract=c, results_weight=60, behaviour_weight=40,
                             expected_version=c.version)
    with pytest.raises(ApplicationError, match="Someone else changed"):
        services.contract_update(actor=staff, contract=c, results_weight=80, behaviour_weight=20,
                                 expected_version=c.version)


def test_an_own_proposal_for_a_period_that_has_begun_is_refused(org):
    staff_template(org)
    current = current_period("monthly", timezone.localdate()).code
    with pytest.raises(ApplicationError, match="has already begun"):
        services.contract_draft(actor=org.user("staff"), employee=org.staff, period=current)
    with pytest.raises(ApplicationError, match="has already begun"):
        services.contract_draft(actor=org.user("staff"), employee=org.staff, period="2026-01")


def test_the_employee_does_not_edit_a_contract_the_manager_drafted(org):
    staff_template(org)
    c = services.contract_draft(actor=org.user("lead"), employee=org.staff, period=next_month())
    assert c.method == Method.TOP_DOWN
    with pytest.raises(PermissionDenied):
        services.contract_update(actor=org.user("staff"), contract=c, results_weight=80, behaviour_weight=20)
    with pytest.raises(NotFound):  # a colleague never drafts for someone else, nor learns of the record
        services.contract_draft(actor=org.user("peer"), employee=org.staff, period=next_month())


def test_the_employee_proposes_through_the_page_and_sees_the_editor(org, client_for):
    staff_template(org)
    c = client_for(org.user("staff"))
    page = c.get(reverse("contracts:new"))
    assert page.status_code == 200 and org.staff.name in page.content.decode()
    resp = c.post(reverse("contracts:new"), {"employee": org.staff.pk, "period": "", "method": "top_down"})
    assert resp.status_code == 302
    contract = org.staff.kpi_contracts.get()
    assert contract.method == Method.BOTTOM_UP  # whatever the form said: the employee proposes
    detail = c.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "lines-TOTAL_FORMS" in detail


def test_an_employee_drafts_their_own_goal_and_the_manager_approves_it(org):
    from apps.plans import services as plans
    from apps.plans.models import GoalStatus

    hr = org.user("hr")
    year = timezone.localdate().year
    strategy = plans.strategy_create(actor=hr, code="S", name_zh="战略", start_year=year, end_year=year)
    annual = plans.annual_plan_create(actor=hr, year=year, strategy=strategy, name_zh="计划")
    dept = plans.goal_create(actor=hr, annual_plan=annual, name_zh="华东收入", owner_kind="department",
                             department=org.sales_east, period_kind="year")
    lead = org.user("lead")  # reviewed quarterly: lists their own goals
    own = plans.goal_create(actor=lead, parent=dept, name_zh="我的季度目标", owner_kind="employee", employee=org.lead,
                            period_kind="quarter", period_index=4)
    assert own.status == GoalStatus.DRAFT
    with pytest.raises(PermissionDenied):
        plans.goal_approve(actor=lead, goal=own)
    assert plans.goal_approve(actor=org.user("manager"), goal=own).status == GoalStatus.APPROVED
