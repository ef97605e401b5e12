"""Salary-adjustment proposals: the merit matrix's guideline, justification outside it or above the band,
the department's budget pool at proposal and at approval, HR review and the general manager's approval."""
import datetime as dt
from decimal import Decimal

import pytest
from pay_helpers import fresh

from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied
from apps.pay import services
from apps.pay.models import BudgetKind, ProposalStatus

pytestmark = pytest.mark.django_db

CELLS = {g: [["4", "6"], ["3", "5"], ["2", "4"], ["0", "2"]] for g in ("S", "A")} | \
        {g: [["1", "3"], ["0", "2"], ["0", "1"], ["0", "0"]] for g in ("B", "C", "D")}


@pytest.fixture
def matrix(org, paid_cycle):
    services.merit_matrix_set(actor=org.user("hr"), cycle=paid_cycle, cells=CELLS, effective_date="2027-01-01")
    services.budget_set(actor=org.user("hr"), cycle=paid_cycle, department=org.sales, kind=BudgetKind.RAISE,
                        amount_value="600.00")
    return paid_cycle


def test_proposal_within_the_guideline(org, matrix):
    p = services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="3")
    # 孙娜: salary 10000 in band 8000-12000 -> half-way -> quartile 3; grade A -> guideline 2-4%
    assert (p.quartile, p.guideline_min, p.guideline_max) == (3, Decimal("2"), Decimal("4"))
    assert (p.increase_amount, p.new_salary, p.outside_guideline) == (Decimal("300.00"), Decimal("10300.00"), False)
    assert p.effective_date == dt.date(2027, 1, 1) and p.status == ProposalStatus.SUBMITTED


def test_outside_the_guideline_needs_a_justification(org, matrix):
    with pytest.raises(ApplicationError, match="outside the guideline 2–4%"):
        services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="5")
    p = services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="5",
                                 justification="关键客户保留")
    assert p.outside_guideline


def test_above_the_band_maximum_needs_a_justification(org, matrix):
    services.budget_set(actor=org.user("hr"), cycle=matrix, department=org.sales, kind=BudgetKind.RAISE,
                        amount_value="5000.00", expected_version=1)
    with pytest.raises(ApplicationError, match="above the band maximum 12000"):
        services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="25")


def test_the_budget_pool_is_kept(org, matrix):
    services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="4")  # 400
    with pytest.raises(ApplicationError, match="exceed the budget of Sales: 400.00 already used of 600.00"):
        services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.peer, increase_pct="3",
                                 justification="x")  # 270
    p = services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.peer, increase_pct="2",
                                 justification="x")  # 180
    assert p.increase_amount == Decimal("180.00")


def test_review_and_approval(org, matrix):
    hr, gm = org.user("hr"), fresh(org.user("gm"))
    p = services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="3")
    with pytest.raises(ApplicationError):
        services.proposal_approve(actor=gm, proposal=p)  # HR reviews first
    p = services.proposal_review(actor=hr, proposal=p, expected_version=p.version)
    with pytest.raises(PermissionDenied):
        services.proposal_approve(actor=hr, proposal=p)
    p = services.proposal_approve(actor=gm, proposal=p, expected_version=p.version)
    assert p.status == ProposalStatus.APPROVED and p.approved_by == gm


def test_budget_exceeded_at_approval_is_refused(org, matrix):
    hr, gm = org.user("hr"), fresh(org.user("gm"))
    a = services.proposal_review(actor=hr, proposal=services.proposal_create(
        actor=org.user("lead"), cycle=matrix, employee=org.staff, increase_pct="3"))
    b = services.proposal_review(actor=hr, proposal=services.proposal_create(
        actor=org.user("lead"), cycle=matrix, employee=org.peer, increase_pct="2", justification="x"))
    services.proposal_approve(actor=gm, proposal=a)
    budget = services.raise_budget_for(matrix.pk, org.sales_east)
    services.budget_set(actor=hr, cycle=matrix, department=org.sales, kind=BudgetKind.RAISE, amount_value="400.00",
                        expected_version=budget.version)
    with pytest.raises(ApplicationError, match="approval would exceed the budget"):
        services.proposal_approve(actor=gm, proposal=b)


def test_no_proposal_for_oneself_or_outside_the_team(org, matrix):
    with pytest.raises(NotFound):
        services.proposal_create(actor=org.user("lead"), cycle=matrix, employee=org.lead, increase_pct="3")
    with pytest.raises(NotFound):
        services.proposal_create(actor=org.user("staff"), cycle=matrix, employee=org.peer, increase_pct="3")
    with pytest.raises(NotFound):
        services.proposal_create(actor=org.user("hr"), cycle=matrix, employee=org.peer, increase_pct="3")


def test_approving_ones_own_proposal_is_refused(org, matrix):
    """The general manager proposes for their own team (the sales manager) and may not approve it."""
    from pay_helpers import set_pay

    from apps.appraisals.models import Appraisal

    set_pay(org, org.manager, "5000", "20000.00", ("15000", "20000", "25000"))
    a = Appraisal.objects.filter(cycle=matrix).first()
    Appraisal.objects.filter(pk=a.pk).update(employee=org.manager)  # the manager's published result
    gm = fresh(org.user("gm"))
    services.budget_set(actor=org.user("hr"), cycle=matrix, department=org.company, kind=BudgetKind.RAISE,
                        amount_value="1000")
    p = services.proposal_create(actor=gm, cycle=matrix, employee=org.manager, increase_pct="0", justification="x")
    p = services.proposal_review(actor=org.user("hr"), proposal=p)
    with pytest.raises(PermissionDenied, match="yourself or one you made"):
        services.proposal_approve(actor=gm, proposal=p)


def test_bad_matrix_is_refused(org, paid_cycle):
    with pytest.raises(ApplicationError, match="Grade D needs a range"):
        services.merit_matrix_set(actor=org.user("hr"), cycle=paid_cycle,
                                  cells={k: v for k, v in CELLS.items() if k != "D"}, effective_date="2027-01-01")
    with pytest.raises(ApplicationError, match="minimum is above the maximum"):
        services.merit_matrix_set(actor=org.user("hr"), cycle=paid_cycle, cells={**CELLS, "A": [["5", "4"]] * 4},
                                  effective_date="2027-01-01")
