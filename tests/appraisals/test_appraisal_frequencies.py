"""Every review frequency end to end through the real services (seed section 5: the GM yearly, vice
presidents half-yearly, managers quarterly, staff monthly): contract signed, cycle opened for the
frequency, actuals entered by the data source, verified, self-assessed, scored by the appraiser,
published. The GM is appraised too, by a board chairman HR assigns from outside the org tree."""
import datetime as dt
from decimal import Decimal

import pytest
from appraisal_helpers import DECK, DIRECT, deadlines

from apps.appraisals import services
from apps.appraisals.models import Appraisal, CycleStatus, ScoreLine, Status
from apps.appraisals.services import opening
from apps.contracts import services as contract_services
from apps.contracts.models import Indicator, Section
from apps.core.exceptions import NotFound, PermissionDenied
from apps.org import services as org_services
from apps.org.models import ReviewFrequency

pytestmark = pytest.mark.django_db

AFTER_THE_YEAR = dt.date(2027, 1, 2)


def level_template(org, level, code):
    contract_services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    return contract_services.template_create(
        actor=org.actor, code=code, name_zh=f"{code} 模板", job_level=level, results_weight=Decimal(70),
        behaviour_weight=Decimal(30), plan_weight=Decimal(0), lines=[
            {"section": Section.RESULTS, "indicator": ind["PROFIT-MONTH"], "weight": 100, "target": 900,
             "unit": "万元", "standard": "利润 900 万元", "rule": DECK, "data_source": org.finance},
            {"section": Section.BEHAVIOUR, "indicator": ind["BEH-RESPONSIBILITY"], "weight": 100,
             "standard": "对结果负责", "rule": DIRECT}])


def fresh(user):
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def run_cycle(org, *, employee, appraiser_user, period, frequency, template, appraiser=None):
    hr = org.user("hr")
    c = contract_services.contract_draft(actor=hr, employee=employee, period=period, template=template,
                                         appraiser=appraiser)
    c = contract_services.contract_propose(actor=hr, contract=c)
    contract_services.contract_sign(actor=fresh(employee.user), contract=c)
    c = contract_services.contract_sign(actor=fresh(appraiser_user), contract=c)
    assert c.status == "agreed" and c.frequency == frequency
    cycle = services.cycle_create(actor=hr, period=period, frequency=frequency, deadlines=deadlines(AFTER_THE_YEAR))
    opening.cycle_open_and_populate(actor=hr, cycle=cycle)
    a = Appraisal.objects.get(cycle=cycle, employee=employee)
    assert a.status == Status.COLLECTING and a.period == period
    profit = ScoreLine.objects.get(appraisal=a, indicator__code="PROFIT-MONTH")
    services.line_actual_set(actor=org.user("accountant"), line=profit, value="990", evidence="利润表")
    a = services.appraisal_verify(actor=hr, appraisal=a)
    profit.refresh_from_db()
    assert (profit.attainment, profit.score) == (Decimal("110.00"), Decimal("150.00"))  # +5 per 1%, capped 150
    direct = list(ScoreLine.objects.filter(appraisal=a, rule_kind="direct"))
    a = services.appraisal_self_assess(actor=fresh(employee.user), appraisal=a, comment="自评", submit=True,
                                       lines=[{"id": ln.pk, "score": "90"} for ln in direct])
    a = services.appraisal_manager_score(actor=fresh(appraiser_user), appraisal=a, comment="评价", submit=True,
                                         lines=[{"id": ln.pk, "score": "80"} for ln in direct])
    assert a.status == Status.SCORED
    services.cycle_publish(actor=hr, cycle=cycle)
    a.refresh_from_db()
    cycle.refresh_from_db()
    assert a.status == Status.PUBLISHED and a.final_grade and cycle.status == CycleStatus.PUBLISHED
    return a


def test_a_quarterly_cycle_runs_end_to_end(org):
    a = run_cycle(org, employee=org.lead, appraiser_user=org.user("manager"), period="2026-Q4",
                  frequency=ReviewFrequency.QUARTERLY, template=level_template(org, org.level_m, "TPL-M"))
    assert a.appraiser == org.manager


def test_a_half_year_cycle_runs_end_to_end(org):
    level_vp = org_services.job_level_create(actor=org.actor, code="VP", name_zh="副总", name_en="Vice president",
                                             rank=2, review_frequency=ReviewFrequency.HALF_YEAR)
    pos_vp = org_services.position_create(actor=org.actor, code="VP-S", name_zh="销售副总", department=org.company,
                                          job_level=level_vp)
    vp = org_services.employee_create(actor=org.actor, employee_no="V1", name_zh="刘副总", email="vp@example.com",
                                      department=org.company, position=pos_vp, supervisor=org.gm,
                                      hire_date=dt.date(2024, 1, 1), username="vp", password="pw-Test-1234")
    a = run_cycle(org, employee=vp, appraiser_user=org.user("gm"), period="2026-H2",
                  frequency=ReviewFrequency.HALF_YEAR, template=level_template(org, level_vp, "TPL-VP"))
    assert a.appraiser == org.gm


def test_the_general_manager_is_appraised_yearly_by_a_board_chairman_hr_assigns(org):
    pos_chair = org_services.position_create(actor=org.actor, code="BOARD", name_zh="董事长", department=org.company,
                                             job_level=org.level_gm)
    chairman = org_services.employee_create(actor=org.actor, employee_no="B1", name_zh="钱董事长",
                                            email="chair@example.com", department=org.company, position=pos_chair,
                                            supervisor=None, hire_date=dt.date(2020, 1, 1), username="chair",
                                            password="pw-Test-1234")
    tpl = level_template(org, org.level_gm, "TPL-GM")
    # outside the org tree: only HR may name such an appraiser, and the contract records it
    with pytest.raises((NotFound, PermissionDenied)):  # the lead may not draft the GM's contract at all
        contract_services.contract_draft(actor=org.user("lead"), employee=org.gm, period="2026", template=tpl,
                                         appraiser=chairman)
    a = run_cycle(org, employee=org.gm, appraiser_user=chairman.user, appraiser=chairman, period="2026",
                  frequency=ReviewFrequency.ANNUAL, template=tpl)
    assert a.appraiser == chairman and a.contract.appraiser_assigned_by_hr


def test_the_confirmed_monthly_plan_feeds_the_contract_and_its_score_counts(org):
    """Monthly staff: the confirmed plan's items become the contract's work-plan section (weight 20%),
    scored by the manager, and the section counts in the total."""
    from apps.plans import services as plans

    staff, lead = fresh(org.staff.user), org.user("lead")
    plan = plans.plan_create(actor=staff, employee=org.staff, year=2026, month=11)
    plan = plans.plan_items_save(actor=staff, plan=plan, items=[
        {"task": "拜访重点客户 20 家", "expected_result": "拜访记录录入 CRM", "weight": Decimal(60),
         "due_date": dt.date(2026, 11, 20)},
        {"task": "完成华东投标", "expected_result": "标书按时提交", "weight": Decimal(40), "due_date": dt.date(2026, 11, 28)}])
    plans.plan_submit(actor=staff, plan=plan)
    plans.plan_confirm(actor=lead, plan=plan)
    contract_services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    tpl = contract_services.template_create(
        actor=org.actor, code="TPL-PLAN", name_zh="含工作计划", job_level=org.level_s, results_weight=Decimal(50),
        behaviour_weight=Decimal(30), plan_weight=Decimal(20), lines=[
            {"section": Section.RESULTS, "indicator": ind["SALES-MONTH"], "weight": 100, "target": 1200,
             "unit": "万元", "standard": "月销售额 1200 万元", "rule": DECK, "data_source": org.finance},
            {"section": Section.BEHAVIOUR, "indicator": ind["BEH-TEAMWORK"], "weight": 100, "standard": "配合",
             "rule": DIRECT}])
    c = contract_services.contract_draft(actor=lead, employee=org.staff, period="2026-11", template=tpl)
    assert list(c.lines.filter(section=Section.PLAN).values_list("title", flat=True)) == ["拜访重点客户 20 家",
                                                                                         "完成华东投标"]
    c = contract_services.contract_propose(actor=lead, contract=c)
    contract_services.contract_sign(actor=staff, contract=c)
    contract_services.contract_sign(actor=lead, contract=c)
    hr = org.user("hr")
    cycle = services.cycle_create(actor=hr, period="2026-11", frequency="monthly", deadlines=deadlines())
    opening.cycle_open_and_populate(actor=hr, cycle=cycle)
    a = Appraisal.objects.get(cycle=cycle, employee=org.staff)
    assert a.plan_weight == 20
    services.line_actual_set(actor=org.user("accountant"), line=ScoreLine.objects.get(
        appraisal=a, indicator__code="SALES-MONTH"), value="1200")
    a = services.appraisal_verify(actor=hr, appraisal=a)
    direct = list(ScoreLine.objects.filter(appraisal=a, rule_kind="direct").order_by("section", "order", "pk"))
    assert [ln.section for ln in direct] == ["behaviour", "plan", "plan"]
    a = services.appraisal_self_assess(actor=staff, appraisal=a, submit=True,
                                       lines=[{"id": ln.pk, "score": "90"} for ln in direct])
    # behaviour 80; plan items 100 (visits done) and 50 (bid late): the plan section scores 80
    a = services.appraisal_manager_score(actor=lead, appraisal=a, submit=True, comment="计划基本完成", lines=[
        {"id": direct[0].pk, "score": "80"}, {"id": direct[1].pk, "score": "100"}, {"id": direct[2].pk, "score": "50"}])
    assert (a.results_score, a.behaviour_score, a.plan_score) == (Decimal("100.00"), Decimal("80.00"),
                                                                   Decimal("80.00"))
    assert a.total_score == Decimal("90.00")  # 100 x 50% + 80 x 30% + 80 x 20%
