"""The list APIs of appraisals and the employee directory cost a known number of queries, filters
applied (each pin exact; a broken pin prints every statement, numbered). Each measured request is a
cold one: a fresh user object, after one warm-up request."""
import pytest
from appraisal_helpers import enter_actuals, open_cycle, sign
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.appraisals.models import Appraisal

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    enter_actuals(org, Appraisal.objects.get(cycle=cycle, employee=org.staff))
    return cycle


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


# (viewer, url name, query string, exact number of queries)
APIS = [
    ("hr", "api-appraisals", {}, 4),
    ("hr", "api-appraisals", {"cycle": "CYCLE", "department": "SALES", "q": "孙", "status": "collecting"}, 5),  # + the department
    ("lead", "api-appraisals", {"mine": "true"}, 4),
    ("accountant", "api-appraisals-lines", {}, 5),
    ("accountant", "api-appraisals-lines", {"cycle": "CYCLE", "status": "entered", "q": "sales-month"}, 5),
    ("hr", "api-appraisals-cycles", {"status": "open"}, 5),  # the viewer is read: progress is for HR and executives only
    ("hr", "api-org-employees", {}, 4),
    ("hr", "api-org-employees", {"department": "SALES", "q": "孙", "status": "all"}, 5),
    ("lead", "api-org-employees", {"supervisor": "LEAD"}, 4),
]


@pytest.mark.parametrize("viewer,name,params,queries", APIS)
def test_list_apis_cost_a_pinned_number_of_queries(org, cycle, api_for, pinned_queries, viewer, name, params,
                                                   queries):
    values = {"CYCLE": cycle.pk, "SALES": org.sales.pk, "LEAD": org.lead.pk}
    params = {k: values.get(v, v) for k, v in params.items()}
    url = reverse(name)
    assert api_for(org.user(viewer)).get(url, params).status_code == 200  # warm sessions and caches
    client = api_for(fresh(org.user(viewer)))
    with pinned_queries(queries):
        resp = client.get(url, params)
    assert resp.status_code == 200
    assert resp.json()["results"], "a pin on an empty list proves little"
