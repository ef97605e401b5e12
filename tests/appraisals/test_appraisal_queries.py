"""Query counts: the HR cycle page, the appraisal pages and the APIs cost the same for 5 and 50
appraisals; opening a cycle costs a fixed number of queries per batch of employees."""
import pytest
from appraisal_helpers import add_staff, deadlines, open_cycle, sign
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.appraisals import services
from apps.appraisals.models import Appraisal, ScoreLine
from apps.appraisals.services import opening

pytestmark = pytest.mark.django_db


def _count(make, user, url, params=None):
    client = make(get_user_model().objects.get(pk=user.pk))  # a fresh user object, as in a real request
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {})
    assert resp.status_code == 200, resp.content[:300]
    return len(ctx.captured_queries), ctx


def _measure(org, client_for, api_for, cycle):
    hr, lead, acc = org.user("hr"), org.user("lead"), org.user("accountant")
    return {
        "cycle page": _count(client_for, hr, reverse("appraisals:cycle", args=[cycle.pk]))[0],
        "cycles page": _count(client_for, hr, reverse("appraisals:cycles"))[0],
        "appraisal list page": _count(client_for, hr, reverse("appraisals:list"), {"cycle": cycle.pk})[0],
        "team page": _count(client_for, lead, reverse("appraisals:team"))[0],
        "actuals page": _count(client_for, acc, reverse("appraisals:actuals"))[0],
        "appraisals API (HR)": _count(api_for, hr, reverse("api-appraisals"), {"page_size": 100})[0],
        "appraisals API (lead)": _count(api_for, lead, reverse("api-appraisals"), {"page_size": 100})[0],
        "cycle API": _count(api_for, hr, reverse("api-appraisals-cycle", args=[cycle.pk]))[0],
        "lines API": _count(api_for, acc, reverse("api-appraisals-lines"), {"page_size": 200})[0],
    }


def test_pages_and_apis_cost_the_same_for_5_and_50_appraisals(org, client_for, api_for):
    people = add_staff(org, "Q", 50)
    for emp in people[:5]:
        sign(org, emp)
    cycle = open_cycle(org)
    assert Appraisal.objects.filter(cycle=cycle).count() == 5
    small = _measure(org, client_for, api_for, cycle)
    for emp in people[5:]:
        sign(org, emp)
    opening.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)
    assert Appraisal.objects.filter(cycle=cycle).count() == 50
    large = _measure(org, client_for, api_for, cycle)
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}


def test_opening_costs_a_fixed_number_of_queries_per_batch(org):
    people = add_staff(org, "B", 12)
    for emp in people:
        sign(org, emp)
    hr = org.user("hr")

    def open_with(batch_size, period_offset):
        period = f"2026-{period_offset:02d}"
        if period != "2026-11":
            for emp in people:
                sign(org, emp, period=period)
        cycle = services.cycle_create(actor=hr, period=period, frequency="monthly", deadlines=deadlines())
        services.cycle_open(actor=hr, cycle=cycle)
        with CaptureQueriesContext(connection) as ctx:
            opening.cycle_populate(actor=hr, cycle=cycle, batch_size=batch_size)
        assert Appraisal.objects.filter(cycle=cycle).count() == 12
        assert ScoreLine.objects.filter(cycle=cycle).count() == 48
        return len(ctx.captured_queries)

    one_batch = open_with(100, 11)        # 15 employees of the population (12 + staff, peer, accountant) in 1 batch
    three_batches = open_with(5, 10)      # the same in 3 batches
    # per batch: lock the cycle, the employees, their appraisals of the period, contracts, contract lines,
    # insert appraisals, lines (SQLite splits long inserts), audit rows, blockers, move the cursor, savepoints
    per_batch = (three_batches - one_batch) / 2
    assert per_batch <= 14, f"{per_batch} queries per batch"
    assert one_batch <= 32, f"{one_batch} queries for one batch"


def test_opening_the_same_population_twice_is_a_no_op_even_when_resumed(org):
    for emp in (org.staff, org.peer):
        sign(org, emp)
    cycle = open_cycle(org)
    # a crash after the first batch leaves the cycle "opening" with its cursor: resuming finishes it
    cycle.status = "opening"
    cycle.save(update_fields=["status"])
    opening.cycle_populate(actor=org.user("hr"), cycle=cycle)
    assert Appraisal.objects.filter(cycle=cycle).count() == 2
