"""The plans list pages and API lists cost a known number of queries. Each pin is exact and a broken
pin prints every statement, numbered (the 5-versus-50 comparisons in test_plans_queries say the
counts do not grow with the rows; these say what the counts are). The same numbers hold on SQLite
and PostgreSQL. Each measured request is a cold one: a fresh user object, as in production, after
one warm-up request."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, goals, make_plan):
    """The plans fixture's cascade, three monthly plans in different states, one acknowledgement."""
    plans = {"staff": make_plan("staff", state="submitted"), "peer": make_plan("peer", state="confirmed"),
             "accountant": make_plan("accountant")}
    services.position_goals_acknowledge(actor=org.user("staff"), note="ok", year=goals.year)
    return plans


# (viewer, url name, query string, exact number of queries)
PAGES = [
    ("hr", "plans:goal_tree", {}, 12),
    ("staff", "plans:goal_tree", {}, 14),
    ("staff", "plans:goal_tree", {"period": "Q1", "q": "收入"}, 14),  # the matches' ancestors come as context
    ("manager", "plans:my_goals", {}, 13),
    ("hr", "plans:strategy", {}, 11),
    ("lead", "plans:team", {}, 14),
    ("hr", "plans:team", {"status": "submitted"}, 13),
    ("lead", "plans:acknowledge", {}, 12),
]
APIS = [
    ("hr", "api-plans-strategies", {}, 3),
    ("hr", "api-plans-annual-plans", {}, 2),
    ("hr", "api-plans-goals", {}, 4),
    ("staff", "api-plans-goals", {"period": "Y"}, 7),
    ("hr", "api-plans-goal-tree", {}, 3),
    ("lead", "api-plans-monthly", {}, 4),
    ("hr", "api-plans-monthly", {"status": "draft"}, 4),
    ("lead", "api-plans-acknowledgements", {}, 4),
]


def fresh(user):
    """The same person as a new request sees them: no per-request caches on the object yet."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("viewer,name,params,queries", PAGES + APIS)
def test_plans_lists_cost_a_pinned_number_of_queries(org, world, client_for, api_for, pinned_queries, viewer, name,
                                                     params, queries):
    make = api_for if name.startswith("api-") else client_for
    url = reverse(name)
    assert make(org.user(viewer)).get(url, params).status_code == 200  # warm sessions and caches
    client = make(fresh(org.user(viewer)))
    with pinned_queries(queries):
        resp = client.get(url, params)
    assert resp.status_code == 200


@pytest.mark.parametrize("viewer,owner,queries", [("lead", "staff", 18), ("staff", "staff", 17), ("hr", "peer", 16)])
def test_the_monthly_plan_page_costs_a_pinned_number_of_queries(org, world, client_for, pinned_queries, viewer,
                                                                owner, queries):
    url = reverse("plans:plan_detail", args=[world[owner].pk])
    assert client_for(org.user(viewer)).get(url).status_code == 200
    client = client_for(fresh(org.user(viewer)))
    with pinned_queries(queries):
        assert client.get(url).status_code == 200
