"""Query counts: the pay lists (pages and API) cost the same for 2 and 10 employees; pinned."""
import pytest
from appraisal_helpers import add_staff, appraisal_of, open_cycle, sign
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pay_helpers import COEFFICIENTS, fresh, publish, set_pay
from test_pay_proposals import CELLS

from apps.pay import services
from apps.pay.models import BudgetKind

pytestmark = pytest.mark.django_db


def _count(make, user, url, params=None):
    client = make(get_user_model().objects.get(pk=user.pk))  # a fresh user object, as in a real request
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {})
    assert resp.status_code == 200, resp.content[:300]
    return len(ctx.captured_queries)


PINNED = {"runs": 12, "run (HR, lines)": 14, "run (GM, totals)": 13, "pay data": 11, "proposals (HR)": 15,
          "proposals (lead)": 17, "teams": 12, "mine": 10, "API runs": 3, "API lines": 4, "API profiles": 3,
          "API proposals": 4, "export csv": 12}


@pytest.mark.parametrize("extra", [0, 8])
def test_lists_cost_the_same_whatever_their_length(org, client_for, api_for, finance, extra):
    people = [org.staff, org.peer] + add_staff(org, "Q", extra)
    for emp in people:
        sign(org, emp)
    cycle = open_cycle(org)
    for emp in people:
        publish(org, appraisal_of(emp, cycle), grade="B")
        set_pay(org, emp, "3000", "10000", ("8000", "10000", "12000"))
    hr, gm, lead = org.user("hr"), fresh(org.user("gm")), org.user("lead")
    services.coefficients_set(actor=hr, cycle=cycle, coefficients=COEFFICIENTS)
    services.merit_matrix_set(actor=hr, cycle=cycle, cells=CELLS, effective_date="2027-01-01")
    services.budget_set(actor=hr, cycle=cycle, department=org.sales, kind=BudgetKind.RAISE, amount_value="99999")
    services.budget_set(actor=hr, cycle=cycle, department=org.sales, kind=BudgetKind.PAYOUT, amount_value="99999")
    for emp in people:
        services.proposal_create(actor=lead, cycle=cycle, employee=emp, increase_pct="1")
    run = services.run_approve(actor=gm, run=services.run_submit(actor=hr, run=services.run_compute(
        actor=hr, cycle=cycle)))
    services.run_release(actor=hr, run=run)
    got = {
        "runs": _count(client_for, hr, reverse("pay:runs")),
        "run (HR, lines)": _count(client_for, hr, reverse("pay:run", args=[run.pk])),
        "run (GM, totals)": _count(client_for, gm, reverse("pay:run", args=[run.pk])),
        "pay data": _count(client_for, hr, reverse("pay:data")),
        "proposals (HR)": _count(client_for, hr, reverse("pay:proposals")),
        "proposals (lead)": _count(client_for, lead, reverse("pay:proposals")),
        "teams": _count(client_for, hr, reverse("pay:teams")),
        "mine": _count(client_for, org.user("staff"), reverse("pay:mine")),
        "API runs": _count(api_for, hr, reverse("api-pay-runs")),
        "API lines": _count(api_for, hr, reverse("api-pay-run-lines", args=[run.pk])),
        "API profiles": _count(api_for, hr, reverse("api-pay-profiles")),
        "API proposals": _count(api_for, lead, reverse("api-pay-proposals")),
        "export csv": _count(client_for, finance, reverse("pay:run_export", args=[run.pk, "csv"])),
    }
    assert got == PINNED, repr(got)
