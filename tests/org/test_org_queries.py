"""The directory page and the employees API cost the same number of queries for 1 and 50 rows."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org import services

pytestmark = pytest.mark.django_db


def _add_staff(org, prefix, n):
    for i in range(n):
        services.employee_create(actor=org.actor, employee_no=f"{prefix}{i:03d}", name_zh=f"测试{prefix}{i}",
                                 department=org.sales_east, position=org.pos_staff, supervisor=org.lead,
                                 hire_date=dt.date(2025, 1, 1))


def _measure(org, client_for, api_for, viewer):
    """Queries of one directory page view and one API list call, each by a fresh request user."""
    counts = []
    for make, url, params in ((client_for, reverse("org:directory"), {"q": "测试"}),
                              (api_for, reverse("api-org-employees"), {"q": "测试", "page_size": 100})):
        client = make(org.user(viewer))
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url, params)
        assert resp.status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts, resp.json()["count"]


@pytest.mark.parametrize("viewer", ["hr", "lead", "staff"])
def test_directory_page_and_api_queries_do_not_grow_with_rows(org, client_for, api_for, viewer):
    _add_staff(org, "A", 1)
    (page_1, api_1), total_1 = _measure(org, client_for, api_for, viewer)
    _add_staff(org, "B", 49)
    (page_50, api_50), total_50 = _measure(org, client_for, api_for, viewer)
    assert (total_1, total_50) == (1, 50)
    assert page_50 == page_1, f"directory page: {page_1} queries for 1 row, {page_50} for 50"
    assert api_50 == api_1, f"employees API: {api_1} queries for 1 row, {api_50} for 50"
