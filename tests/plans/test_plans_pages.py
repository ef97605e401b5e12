"""The HTML pages call the same services: messages land on the forms, conflicts are shown, not lost."""
import pytest
from django.urls import reverse
from django.utils import timezone, translation
from plans_support import month_days

from apps.plans.models import MonthlyPlan, PlanStatus

pytestmark = pytest.mark.django_db


def formset_data(plan, rows, *, version, action="save"):
    data = {"items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "30", "version": str(version), "action": action}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{i}-{key}"] = "" if value is None else str(value)
    return data


def current_rows(plan):
    return [{"id": i.pk, "task": i.task, "expected_result": i.expected_result, "weight": i.weight,
             "due_date": i.due_date.isoformat(), "goal": ""} for i in plan.items.order_by("order", "id")]


def test_save_and_submit_with_weights_of_90_saves_and_says_the_total(org, make_plan, client_for):
    plan = make_plan(weights=(50, 40))
    client = client_for(org.user("staff"))
    resp = client.post(reverse("plans:plan_detail", args=[plan.pk]),
                       formset_data(plan, current_rows(plan), version=plan.version, action="submit"), follow=True)
    text = resp.content.decode()
    assert "90%" in text and "100%" in text
    assert MonthlyPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_a_stale_draft_save_shows_a_conflict_in_the_form_and_keeps_the_other_edit(org, make_plan, client_for):
    plan = make_plan()
    rows = current_rows(plan)
    client = client_for(org.user("staff"))
    url = reverse("plans:plan_detail", args=[plan.pk])
    first = [dict(rows[0], task="First tab"), rows[1]]
    assert client.post(url, formset_data(plan, first, version=plan.version)).status_code == 302
    second = [dict(rows[0], task="Second tab"), rows[1]]
    with translation.override("en"):
        resp = client.post(url, formset_data(plan, second, version=plan.version), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "plan-errors" in resp.content.decode()
    assert any("version" in e or "版本" in e for e in resp.context["errors"])
    assert plan.items.filter(task="First tab").exists() and not plan.items.filter(task="Second tab").exists()


def test_a_due_date_outside_the_month_is_shown_on_its_row(org, make_plan, client_for):
    plan = make_plan()
    rows = current_rows(plan)
    _first, last = month_days(plan.year, plan.month)
    rows[1]["due_date"] = last.replace(day=28).replace(year=last.year - 1).isoformat()
    resp = client_for(org.user("staff")).post(reverse("plans:plan_detail", args=[plan.pk]),
                                              formset_data(plan, rows, version=plan.version))
    assert resp.status_code == 200
    assert resp.context["formset"].forms[1].errors["due_date"]


def test_supervisor_bulk_confirms_from_the_team_page(org, make_plan, client_for):
    a = make_plan("staff", state="submitted")
    b = make_plan("peer", state="submitted")
    client = client_for(org.user("lead"))
    page = client.get(reverse("plans:team"), {"status": "submitted"})
    assert {r["employee"].plan_id for r in page.context["rows"] if r["can_confirm"]} == {a.pk, b.pk}
    resp = client.post(reverse("plans:team"), {"plans": [a.pk, b.pk]})
    assert resp.status_code == 302
    assert set(MonthlyPlan.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {"confirmed"}


def test_team_page_flags_overdue_plans(org, make_plan, client_for):
    from apps.plans import services

    services.plan_settings_update(actor=org.user("hr"), due_day=1, remind_days_before=0)
    make_plan("staff", state="confirmed")
    resp = client_for(org.user("hr")).get(reverse("plans:team"), {"status": "overdue"})
    rows = {r["employee"].employee_no: r for r in resp.context["rows"]}
    if timezone.localdate().day > 1:
        assert set(rows) == {"S2", "F1"} and all(r["overdue"] for r in rows.values())
    else:
        assert rows == {}


def test_a_manager_is_told_to_list_goals_instead_of_a_monthly_plan(org, client_for):
    resp = client_for(org.user("lead")).get(reverse("plans:my_plan"))
    assert resp.status_code == 200 and b"not-monthly" in resp.content


def test_employee_starts_the_month_from_the_page(org, client_for, this_month):
    client = client_for(org.user("staff"))
    resp = client.post(reverse("plans:plan_start"), {"month": f"{this_month[0]}-{this_month[1]:02d}"})
    plan = MonthlyPlan.objects.get(employee=org.staff)
    assert resp.status_code == 302 and resp["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert client.get(reverse("plans:my_plan")).status_code == 302


def test_goal_tree_filters_by_period_and_department(org, goals, client_for):
    client = client_for(org.user("hr"))
    resp = client.get(reverse("plans:goal_tree"), {"year": goals.year, "department": org.finance.pk})
    roots = resp.context["tree"]
    assert [n["goal"].pk for n in roots] == [goals.company.pk] and roots[0]["context"]
    assert [n["goal"].pk for n in roots[0]["children"]] == [goals.finance.pk]
    resp = client.get(reverse("plans:goal_detail", args=[goals.own.pk]))
    assert [g.pk for g in resp.context["chain"]["ancestors"]] == [goals.company.pk, goals.sales.pk, goals.east.pk]
    assert resp.context["chain"]["strategy"] == goals.strategy


def test_goal_progress_from_the_page_rolls_up(org, goals, client_for):
    client = client_for(org.user("staff"))
    resp = client.post(reverse("plans:goal_progress", args=[goals.own.pk]), {"actual": "50", "version": 1})
    assert resp.status_code == 302
    goals.own.refresh_from_db()
    goals.east.refresh_from_db()
    assert goals.own.progress == 50 and goals.east.progress == 25  # (50x50 + 0x50 + 0x0) / 100


def test_new_hire_acknowledges_from_the_page(org, goals, client_for):
    client = client_for(org.user("staff"))
    assert client.post(reverse("plans:acknowledge"), {"confirm": "on", "note": "ok"}).status_code == 302
    resp = client.get(reverse("plans:acknowledge"))
    assert resp.context["ack"] is not None
