"""The dashboards read the summary tables only: the same number of queries for an organisation ten times
larger (pages and API), and a bounded number at all."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.appraisals.models import Appraisal
from apps.org.models import Employee
from apps.plans.models import Perspective
from bench import rollup as bench

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25
SMALL = 120  # appraised people of the small organisation: enough for teams with 5 scores to rank


@pytest.fixture
def two_orgs(db):
    hr, exec_user = bench.bench_users()
    small = bench.prepare(SMALL, bench.SMALL_PREFIX, hr, log=lambda *a: None)
    large = bench.prepare(10 * SMALL, None, hr, log=lambda *a: None)
    assert Appraisal.objects.filter(cycle=large["cycle"]).count() == 10 * Appraisal.objects.filter(
        cycle=small["cycle"]).count()
    return exec_user, small, large


def _count(client, url) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    return resp.status_code, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _urls(prepared) -> dict[str, str]:
    root, cycle = prepared["root"], prepared["cycle"]
    team_head = Employee.objects.filter(pk=Appraisal.objects.filter(cycle=cycle).values("appraiser_id")[:1]).get()
    return {
        "department page": reverse("dashboards:department", args=[root.pk]) + f"?cycle={cycle.pk}",
        "team page": reverse("dashboards:team", args=[team_head.pk]) + f"?cycle={cycle.pk}",
        "department API": reverse("api-dashboards-department", args=[root.pk]) + f"?cycle={cycle.pk}",
        "summary list API": reverse("api-dashboards-departments") + f"?cycle={cycle.pk}",
        "team API": reverse("api-dashboards-team", args=[team_head.pk]) + f"?cycle={cycle.pk}",
    }


def test_dashboard_query_counts_do_not_grow_with_the_organisation(two_orgs, client):
    exec_user, small, large = two_orgs
    client.force_login(exec_user)
    small_urls, large_urls = _urls(small), _urls(large)
    for name in small_urls:
        client.get(small_urls[name])  # warm the per-process caches (content types, sessions)
        s_status, s_count, s_sql = _count(client, small_urls[name])
        l_status, l_count, l_sql = _count(client, large_urls[name])
        assert (s_status, l_status) == (200, 200), name
        assert s_count == l_count, f"{name}: {s_count} vs {l_count}\n" + "\n".join(l_sql)
        assert l_count <= MAX_QUERIES, f"{name}: {l_count}\n" + "\n".join(l_sql)


def test_the_company_page_costs_the_same_with_ten_times_more_people(db, client):
    hr, exec_user = bench.bench_users()
    client.force_login(exec_user)
    url = reverse("dashboards:company")
    bench.prepare(SMALL, bench.SMALL_PREFIX, hr, log=lambda *a: None)
    client.get(url)
    status_small, n_small, _sql = _count(client, url)
    bench.prepare(10 * SMALL, None, hr, log=lambda *a: None)  # a second company, ten times larger, beside it
    status_large, n_large, sql = _count(client, url)
    assert (status_small, status_large) == (200, 200)
    assert n_small == n_large, "\n".join(sql)


def test_the_dashboard_shows_what_the_summaries_say(two_orgs, client):
    exec_user, _small, large = two_orgs
    client.force_login(exec_user)
    resp = client.get(reverse("api-dashboards-department", args=[large["root"].pk]))
    data = resp.json()
    assert data["summary"]["headcount"] == 10 * SMALL
    assert sum(b["count"] for b in data["histogram"]) == data["summary"]["scored"]
    assert sum(g["count"] for g in data["grades"]) == data["summary"]["scored"]
    assert len(data["trend"]) == 12
    assert data["ranked"]["top"] and data["ranked"]["bottom"]
    assert {p["perspective"] for p in data["goals"]["perspectives"]} == set(Perspective.values)
    assert [c["id"] for c in data["cycles"]][0] == large["cycle"].pk
