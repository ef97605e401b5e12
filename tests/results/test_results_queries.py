"""Query counts: the grid page, its list, the export, the PDF's data and the API lists cost the same for a
department of 10 and of 40 placed people (the grid is counted and sampled in the database)."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from results_helpers import add_staff, make_models, published_cycle

from apps.results import services
from apps.results.models import Placement, TalentAction

pytestmark = pytest.mark.django_db


def _count(make, user, url, params=None):
    client = make(get_user_model().objects.get(pk=user.pk))  # a fresh user object, as in a real request
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {})
    assert resp.status_code == 200, resp.content[:300]
    return len(ctx.captured_queries)


def _measure(org, review, client_for, api_for):
    hr, lead = org.user("hr"), org.user("lead")
    grid = reverse("results:grid", args=[review.pk])
    return {
        "grid page (HR)": _count(client_for, hr, grid),
        "grid page (lead)": _count(client_for, lead, grid),
        "grid page, department filter": _count(client_for, hr, grid, {"department": org.sales.pk}),
        "actions page (HR)": _count(client_for, hr, reverse("results:actions")),
        "Excel export": _count(client_for, hr, reverse("results:export", args=[review.pk])),
        "API grid": _count(api_for, hr, reverse("api-results-grid", args=[review.pk])),
        "API placements": _count(api_for, hr, reverse("api-results-placements", args=[review.pk]),
                                 {"page_size": 100}),
        "API actions": _count(api_for, hr, reverse("api-results-actions"), {"page_size": 100}),
    }


#: pinned numbers: a page costs the same whatever the number of people
PINNED = {"grid page (HR)": 17, "grid page (lead)": 18, "grid page, department filter": 17, "actions page (HR)": 9,
          "Excel export": 9, "API grid": 5, "API placements": 4, "API actions": 2}


def test_the_grid_costs_the_same_for_10_and_40_people(org, client_for, api_for):
    people = add_staff(org, "Q", 38)
    cycle = published_cycle(org, [org.staff, org.peer, *people])
    make_models(org)
    review = services.review_create(actor=org.user("hr"), cycle=cycle)
    many = list(Placement.objects.filter(review=review).order_by("pk").values_list("employee_id", flat=True))[10:]
    TalentAction.objects.filter(employee_id__in=many).delete()
    Placement.objects.filter(review=review, employee_id__in=many).delete()
    assert Placement.objects.filter(review=review).count() == 10
    small = _measure(org, review, client_for, api_for)
    # recomputing places the others again (one set-based pass)
    with CaptureQueriesContext(connection) as ctx:
        services.placements_compute(review=review)
    compute_queries = len(ctx.captured_queries)
    assert Placement.objects.filter(review=review).count() == 40
    large = _measure(org, review, client_for, api_for)
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert small == PINNED, repr(small)
    assert compute_queries <= 12, compute_queries
