"""Payout runs: exact Decimal amounts, half-up rounding, totals, the workflow with its audit and versions,
correction runs showing exactly the changed rows, and bad input refused in plain words."""
from decimal import Decimal

import pytest
from pay_helpers import COEFFICIENTS, fresh, set_pay

from apps.appraisals.models import Appraisal
from apps.appraisals.signals import appraisal_result_corrected
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.pay import services
from apps.pay.models import PayoutLine, RunStatus, money

pytestmark = pytest.mark.django_db


def lines(run):
    return {ln.employee.employee_no: ln for ln in PayoutLine.objects.filter(run=run).select_related("employee")}


def test_money_rounds_half_up_to_the_fen():
    assert money(Decimal("3066.66")) == Decimal("3066.66")
    assert money(Decimal("2044.440")) == Decimal("2044.44")
    assert money(Decimal("0.005")) == Decimal("0.01")
    assert money(Decimal("0.0049")) == Decimal("0.00")
    assert money(Decimal("2.675")) == Decimal("2.68")  # binary floats would give 2.67


def test_run_pays_base_times_coefficient_rounded_half_up(org, paid_cycle):
    run = services.run_compute(actor=org.user("hr"), cycle=paid_cycle)
    got = lines(run)
    assert (got["S1"].grade, got["S1"].coefficient, got["S1"].performance_pay) == ("A", Decimal("1.2"),
                                                                                    Decimal("3600.00"))
    # 2555.55 x 0.8 = 2044.440 -> 2044.44
    assert (got["S2"].grade, got["S2"].performance_pay) == ("C", Decimal("2044.44"))
    assert run.rows == 2 and run.total_base == Decimal("5555.55")
    assert run.total_performance_pay == Decimal("5644.44") == run.total
    assert "3000.00 × coefficient 1.2 of grade A = 3600.00" in got["S1"].explanation()


def test_half_fen_rounds_up(org, cycle):
    set_pay(org, org.staff, "1000.05")   # x 1.2 = 1200.06
    set_pay(org, org.peer, "1000.05")    # x 0.8 = 800.04
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients={**COEFFICIENTS, "A": "1.205"})
    run = services.run_compute(actor=org.user("hr"), cycle=cycle)
    # 1000.05 x 1.205 = 1205.06025 -> 1205.06 ; a .xx5 case: 1000.05 x 0.8 = 800.040
    assert lines(run)["S1"].performance_pay == Decimal("1205.06")
    assert run.total == Decimal("2005.10")


def test_job_level_overrides_the_grade_coefficient(org, cycle):
    set_pay(org, org.staff, "3000")
    set_pay(org, org.peer, "3000")
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=COEFFICIENTS,
                              by_level={"S": {**COEFFICIENTS, "A": "1.3"}})
    got = lines(services.run_compute(actor=org.user("hr"), cycle=cycle))
    assert got["S1"].performance_pay == Decimal("3900.00")


def test_employee_without_pay_data_is_kept_with_zero_and_flagged(org, cycle):
    set_pay(org, org.staff, "3000")
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=COEFFICIENTS)
    run = services.run_compute(actor=org.user("hr"), cycle=cycle)
    got = lines(run)
    assert run.rows == 2 and run.missing_base == 1
    assert got["S2"].has_base is False and got["S2"].performance_pay == Decimal("0.00")
    assert "No pay data recorded" in got["S2"].explanation()


def test_workflow_is_audited_versioned_and_locked(org, paid_cycle, finance):
    hr, gm = org.user("hr"), fresh(org.user("gm"))
    run = services.run_compute(actor=hr, cycle=paid_cycle)
    with pytest.raises(Conflict):
        services.run_submit(actor=hr, run=run, expected_version=run.version - 1)
    run = services.run_submit(actor=hr, run=run, expected_version=run.version)
    with pytest.raises(TransitionNotAllowed):
        services.run_compute(actor=hr, cycle=paid_cycle)
    with pytest.raises(PermissionDenied):
        services.run_approve(actor=hr, run=run)
    with pytest.raises(PermissionDenied):
        services.run_approve(actor=finance, run=run)
    with pytest.raises(NotFound):
        services.run_approve(actor=org.user("manager"), run=run)
    run = services.run_approve(actor=gm, run=run, expected_version=run.version)
    assert run.status == RunStatus.APPROVED and run.approved_by == gm
    with pytest.raises(TransitionNotAllowed, match="no result changed"):
        services.run_compute(actor=hr, cycle=paid_cycle)
    actions = list(AuditEvent.objects.filter(object_type="pay.payoutrun", object_id=str(run.pk))
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["pay.run_compute", "pay.run_submit", "pay.run_approve"]


def test_a_vice_president_is_not_the_general_manager(org, paid_cycle):
    from apps.core.roles import EXECUTIVE_GROUP
    from apps.org import services as org_services

    org_services.employee_roles_set(actor=org.actor, employee=org.manager, roles=[EXECUTIVE_GROUP])
    run = services.run_submit(actor=org.user("hr"), run=services.run_compute(actor=org.user("hr"), cycle=paid_cycle))
    with pytest.raises(NotFound):  # a vice-president sees no pay at all
        services.run_approve(actor=fresh(org.user("manager")), run=run)


def test_recompute_of_a_draft_replaces_its_lines(org, paid_cycle):
    hr = org.user("hr")
    run = services.run_compute(actor=hr, cycle=paid_cycle)
    set_pay(org, org.staff, "4000.00")
    again = services.run_compute(actor=hr, cycle=paid_cycle)
    assert again.pk == run.pk and again.number == 1
    assert lines(again)["S1"].performance_pay == Decimal("4800.00") and PayoutLine.objects.filter(run=run).count() == 2


def test_correction_run_shows_exactly_the_changed_rows(org, paid_cycle):
    hr, gm = org.user("hr"), fresh(org.user("gm"))
    first = services.run_approve(actor=gm, run=services.run_submit(actor=hr, run=services.run_compute(
        actor=hr, cycle=paid_cycle)))
    a = Appraisal.objects.get(cycle=paid_cycle, employee=org.peer)
    Appraisal.objects.filter(pk=a.pk).update(calibrated_grade="B")  # an upheld appeal (appeals app: planned)
    appraisal_result_corrected.send(sender=Appraisal, appraisal=a, actor=hr, reason="申诉成立",
                                    before={"grade": "C"})
    first.refresh_from_db()
    assert first.needs_correction
    correction = services.run_compute(actor=hr, cycle=paid_cycle)
    assert correction.number == 2 and correction.corrects == first
    got = lines(correction)
    assert [no for no, ln in sorted(got.items()) if ln.changed] == ["S2"]
    assert got["S2"].previous_total == Decimal("2044.44") and got["S2"].total == Decimal("2555.55")
    assert got["S2"].difference == Decimal("511.11") and got["S1"].difference == Decimal("0.00")
    assert correction.changed_rows == 1


@pytest.mark.parametrize("coefficients, message", [
    ({"S": "1.5", "A": "1.2", "B": "1.0", "C": "0.8"}, "coefficient of grade D is missing"),
    ({**COEFFICIENTS, "A": "-1"}, "between 0 and 10"),
    ({**COEFFICIENTS, "A": "x"}, "must be a number"),
    ({**COEFFICIENTS, "E": "1"}, "no grade E"),
])
def test_bad_coefficient_tables_are_refused(org, cycle, coefficients, message):
    with pytest.raises(ApplicationError, match=message):
        services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=coefficients)


def test_a_run_for_an_unpublished_cycle_is_refused(org):
    from appraisal_helpers import open_cycle, sign

    sign(org, org.staff)
    cycle = open_cycle(org)
    services.coefficients_set(actor=org.user("hr"), cycle=cycle, coefficients=COEFFICIENTS)
    with pytest.raises(TransitionNotAllowed, match="not published"):
        services.run_compute(actor=org.user("hr"), cycle=cycle)


@pytest.mark.parametrize("data, message", [
    ({"base_pay": "-1"}, "cannot be negative"),
    ({"base_pay": "1.005"}, "two decimals"),
    ({"base_pay": "abc"}, "must be a number"),
    ({"base_pay": "100", "band_min": "9000", "band_mid": "8000", "band_max": "12000"}, "minimum ≤ midpoint"),
    ({"base_pay": "100", "band_min": "9000"}, "whole salary band"),
])
def test_bad_pay_data_is_refused_and_nothing_written(org, data, message):
    from apps.pay.models import PayProfile

    with pytest.raises(ApplicationError, match=message):
        services.pay_profile_set(actor=org.user("hr"), employee=org.staff, **data)
    assert not PayProfile.objects.exists()


def test_only_hr_and_finance_enter_pay_data(org, finance):
    services.pay_profile_set(actor=finance, employee=org.staff, base_pay="100")
    for name in ("manager", "lead", "staff"):
        with pytest.raises(NotFound):
            services.pay_profile_set(actor=org.user(name), employee=org.staff, base_pay="100")
    with pytest.raises(NotFound):
        services.pay_profile_set(actor=fresh(org.user("gm")), employee=org.staff, base_pay="100")
