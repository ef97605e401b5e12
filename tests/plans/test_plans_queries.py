"""Query counts of the list pages and APIs do not grow with the number of rows."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from plans_support import add_person, month_days

from apps.plans import services

pytestmark = pytest.mark.django_db

STATES = [None, "draft", "submitted", "confirmed", "returned"]


def grow_team(org, boss, boss_user, start, stop, year, month):
    """Reports start..stop of ``boss``, each with this month's plan in a different state (HR files for them)."""
    hr = org.user("hr")
    _first, last = month_days(year, month)
    for i in range(start, stop):
        emp = add_person(org, f"T{i:03d}", None, dept=org.sales_east, pos=org.pos_staff, supervisor=boss)
        state = STATES[i % len(STATES)]
        if state is None:
            continue
        plan = services.plan_create(actor=hr, employee=emp, year=year, month=month)
        plan = services.plan_items_save(actor=hr, plan=plan, items=[
            {"task": "A", "weight": 60, "due_date": last}, {"task": "B", "weight": 40, "due_date": last}])
        if state == "draft":
            continue
        plan = services.plan_submit(actor=hr, plan=plan)
        if state == "confirmed":
            services.plan_confirm(actor=boss_user, plan=plan)
        elif state == "returned":
            services.plan_return(actor=boss_user, plan=plan, comment="x")


def count(client, url, params=None):
    client.get(url, params or {})  # warm sessions and caches
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url, params or {})
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp


def test_team_plans_page_costs_the_same_for_5_and_50_team_members(org, this_month, client_for, api_for):
    boss = add_person(org, "B1", "boss", dept=org.sales_east, pos=org.pos_lead, supervisor=org.manager)
    year, month = this_month
    client, api = client_for(boss.user), api_for(boss.user)
    grow_team(org, boss, boss.user, 0, 5, year, month)
    small, resp = count(client, reverse("plans:team"))
    assert len(resp.context["rows"]) == 5
    small_api, _ = count(api, reverse("api-plans-monthly"))
    grow_team(org, boss, boss.user, 5, 50, year, month)
    large, resp = count(client, reverse("plans:team"))
    assert len(resp.context["rows"]) == 50
    large_api, _ = count(api, reverse("api-plans-monthly"))
    print(f"\nteam-plans page queries: 5 members = {small}, 50 members = {large}; "
          f"monthly plan list API: {small_api} / {large_api}")
    assert small == large
    assert small_api == large_api


def test_goal_pages_and_apis_cost_the_same_for_few_and_many_goals(org, goals, client_for, api_for):
    hr_client, hr_api = client_for(org.user("hr")), api_for(org.user("hr"))
    small = [count(hr_client, reverse("plans:goal_tree"))[0], count(hr_api, reverse("api-plans-goals"))[0],
             count(hr_api, reverse("api-plans-goal-tree"))[0], count(hr_client, reverse("plans:strategy"))[0]]
    for i in range(20):
        services.goal_create(actor=org.user("hr"), parent=goals.east, name_zh=f"目标{i}", owner_kind="department",
                             department=org.sales_east, period_kind="quarter", period_index=goals.quarter, weight=5)
    large = [count(hr_client, reverse("plans:goal_tree"))[0], count(hr_api, reverse("api-plans-goals"))[0],
             count(hr_api, reverse("api-plans-goal-tree"))[0], count(hr_client, reverse("plans:strategy"))[0]]
    assert small == large


def test_plan_page_costs_the_same_for_few_and_many_items(org, make_plan, client_for):
    few = make_plan("staff", weights=(60, 40), state="submitted")
    many = make_plan("peer", weights=(10,) * 10, state="submitted")
    client = client_for(org.user("lead"))
    a, _ = count(client, reverse("plans:plan_detail", args=[few.pk]))
    b, _ = count(client, reverse("plans:plan_detail", args=[many.pk]))
    assert a == b


def test_confirmed_plans_for_higher_layers_costs_two_queries(org, make_plan, this_month, django_assert_num_queries):
    from apps.plans.selectors import confirmed_plans_for

    make_plan("staff", state="confirmed")
    make_plan("peer", state="submitted")
    with django_assert_num_queries(2):
        plans = confirmed_plans_for(employee_ids=[org.staff.pk, org.peer.pk], year=this_month[0],
                                    month=this_month[1])
        assert list(plans) == [org.staff.pk]
        assert [i.task for i in plans[org.staff.pk].items.all()] == ["Task 1", "Task 2"]
