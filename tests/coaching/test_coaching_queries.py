"""The team page, the records list page and the records API list cost the same number of queries for
5 and for 50 records (and the team page for 5 and 50 people)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.coaching import selectors, services
from apps.coaching.models import Channel, CoachingRecord, CoachingSettings, Kind
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


def _add_records(org, contract, n):
    lead = org.user("lead")
    kinds = Kind.values
    for i in range(n):
        employee = org.staff if i % 2 else org.peer
        services.record_create(
            actor=lead, employee=employee, kind=kinds[i % len(kinds)], channel=Channel.ONE_TO_ONE,
            summary=f"记录 {i}", facts="事实", serious=i % 5 == 0, follow_up="跟进" if i % 3 == 0 else "",
            contract_line=contract.sales_line if employee == org.staff else None)
        if i % 4 == 0:
            record = CoachingRecord.objects.order_by("-pk").first()
            services.record_addendum_add(actor=lead, record=record, text="补充")


def _add_people(org, prefix, n):
    for i in range(n):
        org_services.employee_create(actor=org.actor, employee_no=f"{prefix}{i:03d}", name_zh=f"测试{prefix}{i}",
                                     department=org.sales_east, position=org.pos_staff, supervisor=org.lead,
                                     hire_date=dt.date(2025, 1, 1))


def _measure(org, client_for, api_for, viewer):
    CoachingSettings.current()  # HR's settings row exists (created on first use)
    counts = {}
    for key, make, url, params in (
            ("team page", client_for, reverse("coaching:team"), {}),
            ("records page", client_for, reverse("coaching:list"), {}),
            ("records API", api_for, reverse("api-coaching-records"), {"page_size": 100}),
            ("reports API", api_for, reverse("api-coaching-reports"), {"page_size": 100})):
        client = make(org.user(viewer))
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url, params)
        assert resp.status_code == 200, key
        counts[key] = len(ctx.captured_queries)
    return counts


@pytest.mark.parametrize("viewer", ["lead", "hr"])
def test_lists_cost_the_same_queries_for_5_and_50_records(org, contract, client_for, api_for, viewer):
    _add_records(org, contract, 5)
    small = _measure(org, client_for, api_for, viewer)
    _add_records(org, contract, 45)
    assert CoachingRecord.objects.count() == 50
    large = _measure(org, client_for, api_for, viewer)
    assert large == small, f"5 records: {small}; 50 records: {large}"


def test_team_page_costs_the_same_queries_for_5_and_50_people(org, contract, client_for, api_for):
    _add_people(org, "A", 3)
    _add_records(org, contract, 5)
    small = _measure(org, client_for, api_for, "lead")["team page"]
    _add_people(org, "B", 45)
    _add_records(org, contract, 20)
    large = _measure(org, client_for, api_for, "lead")["team page"]
    assert large == small


def test_records_by_contract_line_is_one_query(org, contract, django_assert_num_queries):
    _add_records(org, contract, 10)
    user = org.user("manager")
    from apps.org import access

    access.viewer_for(user)  # the viewer is read once per request
    user.groups.all()  # noqa: B018
    from apps.core.roles import is_hr

    is_hr(user)
    with django_assert_num_queries(1):
        by_line = selectors.records_by_contract_line(user=user, line_ids=[contract.sales_line.pk,
                                                                          contract.profit_line.pk])
    assert len(by_line[contract.sales_line.pk]) == 5
    assert contract.profit_line.pk not in by_line
