"""The plans API: the same workflow and refusals as the pages, with the one error shape."""
import pytest
from django.urls import reverse
from plans_support import month_days

from apps.plans.models import MonthlyPlan, PlanStatus

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(name, args=args)


def test_monthly_plan_workflow_through_the_api_with_every_refusal(org, api_for, this_month):
    staff, lead, peer = api_for(org.user("staff")), api_for(org.user("lead")), api_for(org.user("peer"))
    year, month = this_month
    first, last = month_days(year, month)
    items = [{"task": "Visit 20 key customers", "expected_result": "Visit notes in CRM", "weight": "50",
              "due_date": str(first)},
             {"task": "Sell 800k yuan", "expected_result": "95% collected", "weight": "40", "due_date": str(last)}]
    resp = staff.post(url("api-plans-monthly"), {"year": year, "month": month, "items": items}, format="json")
    assert resp.status_code == 201, resp.json()
    plan = resp.json()
    pk, version = plan["id"], plan["version"]
    assert plan["status"] == "draft" and plan["total_weight"] == "90.00" and "submit" in plan["actions"]

    # weights total 90%: refused with the total
    resp = staff.post(url("api-plans-monthly-submit", pk), {}, format="json")
    assert resp.status_code == 400 and "90%" in resp.json()["error"]["message"]
    assert resp.json()["error"]["total_weight"] == "90"
    # the supervisor cannot confirm a draft, nor return it
    assert lead.post(url("api-plans-monthly-confirm", pk), {}, format="json").status_code == 409
    assert lead.post(url("api-plans-monthly-return", pk), {"comment": "x"}, format="json").status_code == 409
    # a colleague does not even see it
    assert peer.get(url("api-plans-monthly-detail", pk)).status_code == 404
    assert peer.post(url("api-plans-monthly-submit", pk), {}, format="json").status_code == 404

    # a due date outside the month is refused on the item
    bad = [dict(items[0], due_date=str(last.replace(day=1).replace(month=month % 12 + 1,
                                                                      year=year + (month == 12))))]
    resp = staff.put(url("api-plans-monthly-items", pk), {"version": version, "items": bad}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["item_field"] == "due_date"

    fixed = [dict(i, id=row["id"]) for i, row in zip(items, plan["items"], strict=True)]
    fixed[1]["weight"] = "50"
    resp = staff.put(url("api-plans-monthly-items", pk), {"version": version, "items": fixed}, format="json")
    assert resp.status_code == 200 and resp.json()["total_weight"] == "100.00"
    # the same stale version again: a conflict, not an overwrite
    stale = staff.put(url("api-plans-monthly-items", pk), {"version": version, "items": fixed[:1]}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    version = resp.json()["version"]

    resp = staff.post(url("api-plans-monthly-submit", pk), {"version": version}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    # the employee cannot confirm their own plan; return needs a comment
    assert staff.post(url("api-plans-monthly-confirm", pk), {}, format="json").status_code == 403
    resp = lead.post(url("api-plans-monthly-return", pk), {"comment": ""}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"] == {"comment": resp.json()["error"]["message"]}
    resp = lead.post(url("api-plans-monthly-return", pk), {"comment": "Name the customers."}, format="json")
    assert resp.json()["status"] == "returned"

    resp = staff.post(url("api-plans-monthly-submit", pk), {}, format="json")
    assert resp.json()["status"] == "submitted"
    resp = lead.post(url("api-plans-monthly-confirm", pk), {"version": resp.json()["version"]}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "confirmed"

    # confirmed = locked, and the message says who can reopen it
    detail = staff.get(url("api-plans-monthly-detail", pk)).json()
    resp = staff.put(url("api-plans-monthly-items", pk), {"items": fixed}, format="json")
    assert resp.status_code == 409 and org.lead.name in resp.json()["error"]["message"]
    assert staff.post(url("api-plans-monthly-reopen", pk), {"reason": "x"}, format="json").status_code == 403
    assert lead.post(url("api-plans-monthly-reopen", pk), {"reason": " "}, format="json").status_code == 400
    resp = lead.post(url("api-plans-monthly-reopen", pk), {"reason": "Order cancelled", "version": detail["version"]},
                     format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "returned"
    assert MonthlyPlan.objects.get(pk=pk).reopen_reason == "Order cancelled"


def test_bulk_confirm_api(org, api_for, make_plan):
    a = make_plan("staff", state="submitted")
    b = make_plan("peer", state="draft")
    resp = api_for(org.user("lead")).post(url("api-plans-monthly-bulk-confirm"), {"plans": [a.pk, b.pk]},
                                          format="json")
    assert resp.status_code == 200
    assert resp.json()["confirmed"] == [a.pk] and resp.json()["skipped"][0]["plan"] == b.pk
    assert MonthlyPlan.objects.get(pk=a.pk).status == PlanStatus.CONFIRMED


def test_monthly_plan_list_filters(org, api_for, make_plan, this_month):
    make_plan("staff", state="submitted")
    make_plan("peer")
    api = api_for(org.user("lead"))
    rows = api.get(url("api-plans-monthly"), {"status": "submitted"}).json()["results"]
    assert [r["employee_no"] for r in rows] == ["S1"]
    rows = api.get(url("api-plans-monthly"), {"year": this_month[0], "month": this_month[1], "direct": "true"})
    assert {r["employee_no"] for r in rows.json()["results"]} == {"S1", "S2"}


def test_goal_tree_and_flat_list_with_filters(org, api_for, goals):
    api = api_for(org.user("hr"))
    tree = api.get(url("api-plans-goal-tree"), {"year": goals.year}).json()
    assert [n["goal"]["id"] for n in tree] == [goals.company.pk]
    assert {n["goal"]["id"] for n in tree[0]["children"]} == {goals.sales.pk, goals.finance.pk}
    # filtered by department: the finance branch goes, the company goal stays as context
    tree = api.get(url("api-plans-goal-tree"), {"year": goals.year, "department": org.sales.pk}).json()
    assert tree[0]["context"] is True and [n["goal"]["id"] for n in tree[0]["children"]] == [goals.sales.pk]
    flat = api.get(url("api-plans-goals"), {"year": goals.year, "owner_kind": "employee"}).json()["results"]
    assert {g["id"] for g in flat} == {goals.own.pk, goals.peer.pk}
    # a period filter keeps the goals whose period overlaps it: another quarter drops the quarterly ones
    other_quarter = goals.quarter % 4 + 1
    flat = api.get(url("api-plans-goals"), {"year": goals.year, "period": f"Q{other_quarter}"}).json()["results"]
    assert {g["id"] for g in flat} == {goals.company.pk, goals.sales.pk, goals.finance.pk}
    flat = api.get(url("api-plans-goals"), {"year": goals.year, "period_kind": "year"}).json()["results"]
    assert {g["id"] for g in flat} == {goals.company.pk, goals.sales.pk, goals.finance.pk}
    detail = api.get(url("api-plans-goal", goals.own.pk)).json()
    assert [a["id"] for a in detail["why"]["ancestors"]] == [goals.company.pk, goals.sales.pk, goals.east.pk]
    assert detail["why"]["theme"]["id"] == goals.theme.pk and detail["why"]["strategy"]["id"] == goals.strategy.pk


def test_goal_cannot_become_its_own_ancestor_through_the_api(org, api_for, goals):
    api = api_for(org.user("hr"))
    resp = api.patch(url("api-plans-goal", goals.sales.pk), {"parent": goals.east.pk}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"].get("parent")
    resp = api.patch(url("api-plans-goal", goals.sales.pk), {"parent": goals.sales.pk}, format="json")
    assert resp.status_code == 400


def test_goal_create_and_progress_through_the_api(org, api_for, goals):
    lead = api_for(org.user("lead"))
    resp = lead.post(url("api-plans-goals"), {
        "parent": goals.east.pk, "name_zh": "李四回访", "owner_kind": "employee", "employee": org.peer.pk,
        "period_kind": "month", "period_index": ((goals.quarter - 1) * 3) + 1, "weight": "20"}, format="json")
    assert resp.status_code == 201, resp.json()
    resp = api_for(org.user("staff")).post(url("api-plans-goal-progress", goals.own.pk), {"actual": "80"},
                                           format="json")
    assert resp.status_code == 200 and resp.json()["progress"] == "80.00"
    # the staff member may not report a colleague's progress, nor see it
    resp = api_for(org.user("staff")).post(url("api-plans-goal-progress", goals.peer.pk), {"progress": "10"},
                                           format="json")
    assert resp.status_code == 404
