"""The bee story: the team is rewarded as a whole when its total beats the previous period by at least X%;
hand-computed cases (exactly X%, just under, a member who joined mid-period) and the reward in the run."""
import datetime as dt
from decimal import Decimal

import pytest
from appraisal_helpers import appraisal_of, open_cycle, sign
from pay_helpers import COEFFICIENTS, publish, published_cycle, set_pay

from apps.contracts.models import Indicator
from apps.core.exceptions import TransitionNotAllowed
from apps.org import services as org_services
from apps.pay import services
from apps.pay.models import PayoutLine, PoolKind, SplitKind, TeamRewardShare

pytestmark = pytest.mark.django_db


def rule(org, **kw):
    return services.team_rule_save(actor=org.user("hr"), department=org.sales_east,
                                   indicator=Indicator.objects.get(code="SALES-MONTH"),
                                   **{"min_growth_pct": "10", "pool_kind": PoolKind.FIXED, "pool_amount": "900.00",
                                      "split": SplitKind.EQUAL, **kw})


def two_periods(org, now: dict, *, newcomer=None, grades=None):
    published_cycle(org, {org.staff: "B", org.peer: "B"}, period="2026-10",
                    sales={org.staff: "1000", org.peer: "1000"})
    people = [org.staff, org.peer] + ([newcomer] if newcomer else [])
    for emp in people:
        sign(org, emp, period="2026-11")
    cycle = open_cycle(org, period="2026-11")
    for emp in people:
        publish(org, appraisal_of(emp, cycle), grade=(grades or {}).get(emp, "B"), sales=now[emp])
    cycle.refresh_from_db()
    return cycle


def shares(result):
    return {s.employee.employee_no: s.amount for s in TeamRewardShare.objects.filter(result=result)
            .select_related("employee")}


def test_beats_by_exactly_the_threshold(org):
    cycle = two_periods(org, {org.staff: "1100", org.peer: "1100"})
    rule(org)
    [result] = services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)
    assert (result.total, result.previous_total, result.growth_pct, result.met) == (
        Decimal("2200"), Decimal("2000"), Decimal("10.00"), True)
    assert shares(result) == {"S1": Decimal("450.00"), "S2": Decimal("450.00")}


def test_just_under_the_threshold_pays_nothing(org):
    cycle = two_periods(org, {org.staff: "1100", org.peer: "1099.99"})
    rule(org)
    [result] = services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)
    assert result.met is False and result.pool == Decimal("0.00")
    assert set(shares(result).values()) == {Decimal("0.00")}


def test_a_member_who_joined_mid_period_gets_a_share_by_days(org):
    newcomer = org_services.employee_create(
        actor=org.actor, employee_no="S3", name_zh="新人", name_en="Newcomer", email="new@example.com",
        department=org.sales_east, position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2026, 11, 16),
        username="newcomer", password="pw-Test-1234")
    cycle = two_periods(org, {org.staff: "1200", org.peer: "1000", newcomer: "200"}, newcomer=newcomer)
    rule(org)
    [result] = services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)
    # 2400 vs 2000: +20%; weights 1, 1, 15/30 -> 900 x 1/2.5 = 360, 360, 180
    assert result.met and result.members == 3
    assert shares(result) == {"S1": Decimal("360.00"), "S2": Decimal("360.00"), "S3": Decimal("180.00")}


def test_share_of_the_gain_weighted_by_grade_and_joined_to_the_run(org):
    cycle = two_periods(org, {org.staff: "1200", org.peer: "1100"}, grades={org.staff: "A", org.peer: "C"})
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=COEFFICIENTS)
    rule(org, pool_kind=PoolKind.SHARE, pool_amount=None, pool_share_pct="10", split=SplitKind.GRADE)
    [result] = services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)
    # gain 300 -> pool 30.00; weights 1.2 and 0.8 -> 18.00 and 12.00
    assert result.pool == Decimal("30.00")
    assert shares(result) == {"S1": Decimal("18.00"), "S2": Decimal("12.00")}
    set_pay(org, org.staff, "1000")
    set_pay(org, org.peer, "1000")
    run = services.run_compute(actor=org.user("hr"), cycle=cycle)
    line = PayoutLine.objects.get(run=run, employee=org.staff)
    assert (line.performance_pay, line.team_reward, line.total) == (Decimal("1200.00"), Decimal("18.00"),
                                                                   Decimal("1218.00"))
    assert run.total_team_reward == Decimal("30.00") and run.total == Decimal("2030.00")
    services.run_approve(actor=org.user("gm"), run=services.run_submit(actor=org.user("hr"), run=run))
    with pytest.raises(TransitionNotAllowed):
        services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)


def test_split_rounding_adds_up_to_the_pool():
    got = services.split_pool(Decimal("100.00"), {1: Decimal(1), 2: Decimal(1), 3: Decimal(1)})
    assert sum(got.values()) == Decimal("100.00") and got == {1: Decimal("33.34"), 2: Decimal("33.33"),
                                                              3: Decimal("33.33")}
