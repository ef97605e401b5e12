"""Query counts: the interview lists (pages and API) cost the same for 5 and 50 interviews."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from interview_helpers import add_staff, appraisal_of, open_cycle, publish, sign

from apps.interviews.models import Interview

pytestmark = pytest.mark.django_db


def _count(make, user, url, params=None):
    client = make(get_user_model().objects.get(pk=user.pk))  # a fresh user object, as in a real request
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {})
    assert resp.status_code == 200, resp.content[:300]
    return len(ctx.captured_queries)


def _measure(org, client_for, api_for):
    hr, lead = org.user("hr"), org.user("lead")
    return {
        "to hold (lead)": _count(client_for, lead, reverse("interviews:to_hold")),
        "HR completion": _count(client_for, hr, reverse("interviews:hr")),
        "HR export": _count(client_for, hr, reverse("interviews:hr_export")),
        "actions (lead)": _count(client_for, lead, reverse("interviews:actions")),
        "stats (HR)": _count(client_for, hr, reverse("interviews:stats")),
        "API list (HR)": _count(api_for, hr, reverse("api-interviews"), {"page_size": 100}),
        "API list (lead)": _count(api_for, lead, reverse("api-interviews"), {"page_size": 100}),
        "API completion": _count(api_for, hr, reverse("api-interviews-completion")),
        "home (lead, work list)": _count(client_for, lead, reverse("home")),
    }


#: the pinned numbers (SQLite and PostgreSQL alike): a list costs the same whatever its length
#: (the home page gathers every app's work items: not pinned here, only the same for 5 and 50)
PINNED = {"to hold (lead)": 12, "HR completion": 13, "HR export": 8, "actions (lead)": 10, "stats (HR)": 10,
          "API list (HR)": 4, "API list (lead)": 4, "API completion": 2, "home (lead, work list)": None}


def test_lists_cost_the_same_for_5_and_50_interviews(org, client_for, api_for):
    people = add_staff(org, "Q", 50)
    for emp in people:
        sign(org, emp)
    cycle = open_cycle(org)
    for emp in people[:5]:
        publish(org, appraisal_of(emp, cycle))
    assert Interview.objects.count() == 5
    small = _measure(org, client_for, api_for)
    for emp in people[5:]:
        publish(org, appraisal_of(emp, cycle))
    assert Interview.objects.count() == 50
    large = _measure(org, client_for, api_for)
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    pinned = {k: v for k, v in small.items() if PINNED[k] is not None}
    assert pinned == {k: v for k, v in PINNED.items() if v is not None}, repr(small)
