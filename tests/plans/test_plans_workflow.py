"""The monthly plan workflow through the services, including every refused transition."""
import datetime as dt
from decimal import Decimal

import pytest
from plans_support import add_person, month_days

from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.notifications.models import Notification
from apps.plans import services
from apps.plans.models import MonthlyPlan, PlanItemChange, PlanStatus

pytestmark = pytest.mark.django_db


def rows(plan):
    return [{"id": i.pk, "task": i.task, "expected_result": i.expected_result, "weight": i.weight,
             "due_date": i.due_date, "goal": i.goal_id} for i in plan.items.order_by("order", "id")]


def test_employee_files_submits_and_supervisor_confirms_then_plan_is_locked(org, make_plan):
    plan = make_plan(weights=(60, 40))
    assert plan.status == PlanStatus.DRAFT
    plan = services.plan_submit(actor=org.user("staff"), plan=plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_items and len(plan.submitted_items) == 2
    assert Notification.objects.filter(recipient=org.lead.user, url__contains=f"/{plan.pk}/").exists()
    plan = services.plan_confirm(actor=org.user("lead"), plan=plan)
    assert plan.status == PlanStatus.CONFIRMED and plan.confirmed_by == org.lead.user
    assert Notification.objects.filter(recipient=org.staff.user, url__contains=f"/{plan.pk}/").count() == 1
    actions = list(AuditEvent.objects.filter(object_type="plans.monthlyplan", object_id=str(plan.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["monthly_plan.create", "monthly_plan.items_save", "monthly_plan.submit", "monthly_plan.confirm"]


def test_submit_refuses_weights_not_totalling_100_and_says_the_total(org, make_plan):
    plan = make_plan(weights=(50, 40))
    with pytest.raises(ApplicationError) as exc:
        services.plan_submit(actor=org.user("staff"), plan=plan)
    assert "90%" in exc.value.message and "100%" in exc.value.message
    assert exc.value.extra["total_weight"] == "90"
    assert MonthlyPlan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


def test_submit_refuses_an_empty_plan(org, make_plan):
    plan = make_plan(weights=())
    with pytest.raises(ApplicationError):
        services.plan_submit(actor=org.user("staff"), plan=plan)


def test_due_date_outside_the_month_is_refused_on_the_item(org, make_plan):
    plan = make_plan()
    items = rows(plan)
    _first, last = month_days(plan.year, plan.month)
    items[1]["due_date"] = last + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as exc:
        services.plan_items_save(actor=org.user("staff"), plan=plan, items=items, expected_version=plan.version)
    assert exc.value.extra == {"item": 1, "item_field": "due_date"}
    assert plan.month_label in exc.value.message


@pytest.mark.parametrize("weight", ["0", "-5", "120", "abc"])
def test_item_weight_must_be_between_0_and_100(org, make_plan, weight):
    plan = make_plan()
    items = rows(plan)
    items[0]["weight"] = weight
    with pytest.raises(ApplicationError) as exc:
        services.plan_items_save(actor=org.user("staff"), plan=plan, items=items)
    assert exc.value.extra["item_field"] == "weight"


def test_return_needs_a_comment_then_the_employee_revises_and_resubmits(org, make_plan):
    plan = make_plan(state="submitted")
    with pytest.raises(ApplicationError) as exc:
        services.plan_return(actor=org.user("lead"), plan=plan, comment="  ")
    assert exc.value.field == "comment"
    plan = services.plan_return(actor=org.user("lead"), plan=plan, comment="Quantify task 2.")
    assert plan.status == PlanStatus.RETURNED and plan.return_comment == "Quantify task 2."
    items = rows(plan)
    items[1]["expected_result"] = "Sign 3 new customers"
    plan = services.plan_items_save(actor=org.user("staff"), plan=plan, items=items, expected_version=plan.version)
    plan = services.plan_submit(actor=org.user("staff"), plan=plan)
    assert plan.status == PlanStatus.SUBMITTED
    change = PlanItemChange.objects.get(plan=plan)
    assert change.actor_role == "employee" and change.changes["expected_result"][1] == "Sign 3 new customers"


def test_supervisor_adjusts_and_adds_items_before_confirming_and_both_see_the_changes(org, make_plan):
    plan = make_plan(weights=(60, 40), state="submitted")
    items = rows(plan)
    items[0]["weight"] = Decimal("50")
    first, _last = month_days(plan.year, plan.month)
    items.append({"task": "Coach the new colleague", "expected_result": "Two sessions", "weight": Decimal("10"),
                  "due_date": first})
    plan = services.plan_items_save(actor=org.user("lead"), plan=plan, items=items, expected_version=plan.version)
    plan = services.plan_confirm(actor=org.user("lead"), plan=plan)
    changes = {c.kind: c for c in PlanItemChange.objects.filter(plan=plan)}
    assert set(changes) == {"changed", "added"}
    assert changes["changed"].changes["weight"] == ["60", "50"]
    assert all(c.actor_role == "supervisor" for c in changes.values())
    assert plan.items.get(task="Coach the new colleague").added_by == org.lead.user
    note = Notification.objects.filter(recipient=org.staff.user).order_by("-id").first()
    assert "2" in note.body


def test_confirmed_plan_refuses_edits_and_says_who_can_reopen_it(org, make_plan):
    plan = make_plan(state="confirmed")
    for actor in ("staff", "lead"):
        with pytest.raises(TransitionNotAllowed) as exc:
            services.plan_items_save(actor=org.user(actor), plan=plan, items=rows(plan)[:1])
        assert org.lead.name in exc.value.message
        assert "reopen" in exc.value.message or "重新打开" in exc.value.message
    assert plan.items.count() == 2


def test_reopen_needs_a_reason_and_the_audit_keeps_before_and_after(org, make_plan):
    plan = make_plan(state="confirmed")
    with pytest.raises(ApplicationError):
        services.plan_reopen(actor=org.user("lead"), plan=plan, reason="")
    plan = services.plan_reopen(actor=org.user("lead"), plan=plan, reason="Customer cancelled the order.")
    assert plan.status == PlanStatus.RETURNED and plan.reopen_reason == "Customer cancelled the order."
    event = AuditEvent.objects.get(action="monthly_plan.reopen", object_id=str(plan.pk))
    assert event.before["status"] == "confirmed" and event.after["status"] == "returned"
    assert event.after["reopen_reason"] == "Customer cancelled the order."
    # the employee can change it again, and it goes round once more
    items = rows(plan)
    items[0]["task"] = "Changed after reopening"
    plan = services.plan_items_save(actor=org.user("staff"), plan=plan, items=items)
    plan = services.plan_submit(actor=org.user("staff"), plan=plan)
    assert services.plan_confirm(actor=org.user("lead"), plan=plan).status == PlanStatus.CONFIRMED


REFUSED = [
    ("draft", "return"), ("draft", "confirm"), ("draft", "reopen"),
    ("submitted", "reopen"),
    ("returned", "confirm"), ("returned", "reopen"),
    ("confirmed", "submit"), ("confirmed", "return"),
]


def _act(org, plan, action):
    if action == "submit":
        return services.plan_submit(actor=org.user("staff"), plan=plan)
    if action == "return":
        return services.plan_return(actor=org.user("lead"), plan=plan, comment="x")
    if action == "confirm":
        return services.plan_confirm(actor=org.user("lead"), plan=plan)
    return services.plan_reopen(actor=org.user("lead"), plan=plan, reason="x")


@pytest.mark.parametrize("state,action", REFUSED)
def test_every_illegal_transition_is_refused_and_changes_nothing(org, make_plan, state, action):
    plan = make_plan(state=state)
    version = MonthlyPlan.objects.get(pk=plan.pk).version
    with pytest.raises(TransitionNotAllowed) as exc:
        _act(org, plan, action)
    assert exc.value.message
    fresh = MonthlyPlan.objects.get(pk=plan.pk)
    assert (fresh.status, fresh.version) == (state, version)


@pytest.mark.parametrize("state,action", [("submitted", "submit"), ("confirmed", "confirm"), ("returned", "return")])
def test_a_move_to_the_current_state_is_a_no_op(org, make_plan, state, action):
    plan = make_plan(state=state)
    before = AuditEvent.objects.count()
    version = MonthlyPlan.objects.get(pk=plan.pk).version
    assert _act(org, plan, action).status == state
    assert MonthlyPlan.objects.get(pk=plan.pk).version == version
    assert AuditEvent.objects.count() == before


def test_only_the_direct_supervisor_returns_confirms_and_reopens(org, make_plan):
    plan = make_plan(state="submitted")
    for who in ("staff", "manager", "hr"):
        with pytest.raises(PermissionDenied) as exc:
            services.plan_confirm(actor=org.user(who), plan=plan)
        assert org.lead.name in exc.value.message
        with pytest.raises(PermissionDenied):
            services.plan_return(actor=org.user(who), plan=plan, comment="x")
    for who in ("peer", "accountant"):
        with pytest.raises(NotFound):
            services.plan_confirm(actor=org.user(who), plan=plan)


def test_who_edits_the_items_depends_on_the_state(org, make_plan):
    draft = make_plan()
    with pytest.raises(PermissionDenied):  # the supervisor waits for the submission
        services.plan_items_save(actor=org.user("lead"), plan=draft, items=rows(draft))
    with pytest.raises(PermissionDenied):  # the chain above reads only
        services.plan_items_save(actor=org.user("manager"), plan=draft, items=rows(draft))
    with pytest.raises(PermissionDenied):  # the supervisor does not submit for the employee
        services.plan_submit(actor=org.user("lead"), plan=draft)
    submitted = services.plan_submit(actor=org.user("staff"), plan=draft)
    with pytest.raises(PermissionDenied) as exc:  # with the supervisor now
        services.plan_items_save(actor=org.user("staff"), plan=submitted, items=rows(submitted))
    assert org.lead.name in exc.value.message


def test_second_editor_of_a_draft_gets_a_conflict_not_a_silent_overwrite(org, make_plan):
    plan = make_plan()
    version = plan.version
    first = rows(plan)
    first[0]["task"] = "Edited in tab one"
    services.plan_items_save(actor=org.user("staff"), plan=plan, items=first, expected_version=version)
    second = rows(plan)
    second[0]["task"] = "Edited in tab two"
    second[0]["id"] = first[0]["id"]
    with pytest.raises(Conflict) as exc:
        services.plan_items_save(actor=org.user("staff"), plan=plan, items=second, expected_version=version)
    assert "Reload" in exc.value.message or "重新" in exc.value.message
    assert plan.items.filter(task="Edited in tab one").exists()


def test_only_staff_reviewed_monthly_file_monthly_plans(org, this_month):
    with pytest.raises(ApplicationError) as exc:
        services.plan_create(actor=org.user("lead"), employee=org.lead, year=this_month[0], month=this_month[1])
    assert "quarterly" in exc.value.message.lower() or "季" in exc.value.message


def test_nobody_else_starts_an_employees_plan_but_hr_may_on_their_behalf(org, this_month):
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=org.user("lead"), employee=org.staff, year=this_month[0], month=this_month[1])
    plan = services.plan_create(actor=org.user("hr"), employee=org.staff, year=this_month[0], month=this_month[1])
    again = services.plan_create(actor=org.user("staff"), employee=org.staff, year=this_month[0], month=this_month[1])
    assert plan.pk == again.pk


def test_starting_the_plan_at_the_same_moment_twice_is_the_same_plan(org, this_month, monkeypatch):
    """The other request created the plan between this one's lookup and its insert: no "already exists"."""
    from django.db.models import QuerySet

    plan = services.plan_create(actor=org.user("staff"), employee=org.staff, year=this_month[0], month=this_month[1])
    real_first, missed = QuerySet.first, []

    def first_misses_the_plan_once(qs):
        if qs.model is MonthlyPlan and not missed:
            missed.append(True)
            return None
        return real_first(qs)

    monkeypatch.setattr(QuerySet, "first", first_misses_the_plan_once)
    again = services.plan_create(actor=org.user("staff"), employee=org.staff, year=this_month[0], month=this_month[1])
    assert missed and again.pk == plan.pk
    assert MonthlyPlan.objects.filter(employee=org.staff).count() == 1


def test_carry_forward_copies_last_months_unfinished_items_once(org, make_plan, this_month):
    from apps.plans import periods

    py, pm = periods.shift_month(*this_month, -1)
    last_month = make_plan(weights=(50, 30, 20), state="confirmed", year=py, month=pm)
    done = last_month.items.order_by("order").first()
    services.plan_item_complete(actor=org.user("staff"), item=done, completed=True, result_note="ok")
    plan = services.plan_create(actor=org.user("staff"), employee=org.staff, year=this_month[0],
                                month=this_month[1], carry_forward=True)
    assert sorted(plan.items.values_list("task", flat=True)) == ["Task 2", "Task 3"]
    assert all(i.due_date.month == this_month[1] for i in plan.items.all())
    assert services.plan_carry_forward(actor=org.user("staff"), plan=plan) == 0
    assert plan.items.count() == 2 and plan.carried_from_id == last_month.pk


def test_results_are_recorded_only_on_a_confirmed_plan(org, make_plan):
    plan = make_plan(state="submitted")
    with pytest.raises(ApplicationError):
        services.plan_item_complete(actor=org.user("staff"), item=plan.items.first(), completed=True)


def test_bulk_confirm_confirms_submitted_plans_and_skips_the_rest_with_reasons(org, make_plan):
    a = make_plan("staff", state="submitted")
    b = make_plan("peer", state="draft")
    result = services.plan_bulk_confirm(actor=org.user("lead"), plan_ids=[a.pk, b.pk])
    assert [p.pk for p in result["confirmed"]] == [a.pk]
    assert [p.pk for p, _reason in result["skipped"]] == [b.pk]
    assert MonthlyPlan.objects.get(pk=a.pk).status == PlanStatus.CONFIRMED
    assert AuditEvent.objects.filter(action="monthly_plan.confirm", object_id=str(a.pk)).count() == 1
    # nothing for someone who is not the direct supervisor
    b = services.plan_submit(actor=org.user("peer"), plan=b)
    result = services.plan_bulk_confirm(actor=org.user("manager"), plan_ids=[b.pk])
    assert result["confirmed"] == [] and len(result["skipped"]) == 1
    assert MonthlyPlan.objects.get(pk=b.pk).status == PlanStatus.SUBMITTED


def test_hr_confirms_when_the_supervisor_cannot_act(org, this_month):
    boss = add_person(org, "X1", None, dept=org.sales_east, pos=org.pos_lead, supervisor=org.manager)
    worker = add_person(org, "X2", "worker", dept=org.sales_east, pos=org.pos_staff, supervisor=boss)
    first, last = month_days(*this_month)
    plan = services.plan_create(actor=worker.user, employee=worker, year=this_month[0], month=this_month[1])
    plan = services.plan_items_save(actor=worker.user, plan=plan, items=[
        {"task": "A", "weight": 100, "due_date": last}])
    plan = services.plan_submit(actor=worker.user, plan=plan)
    plan = services.plan_confirm(actor=org.user("hr"), plan=plan)
    assert plan.status == PlanStatus.CONFIRMED


def test_new_hire_acknowledges_position_goals_with_who_and_when(org, goals):
    ack = services.position_goals_acknowledge(actor=org.user("staff"), note="Discussed on Monday")
    assert ack.discussed_with == org.lead and ack.acknowledged_by == org.staff.user and ack.created_at
    assert {g["id"] for g in ack.goals} == {goals.own.pk, goals.position.pk}
    assert services.position_goals_acknowledge(actor=org.user("staff")).pk == ack.pk
    with pytest.raises(ApplicationError):
        services.position_goals_acknowledge(actor=org.user("accountant"))
