"""Goals: weighted, set-based progress roll-up and the rules of the cascade."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.plans import services
from apps.plans.models import Goal

pytestmark = pytest.mark.django_db


def make_tree(org, annual, *, per_level: int, name="T"):
    """A three-level tree: a company goal, ``per_level`` department goals, ``per_level`` goals under each."""
    hr = org.user("hr")
    root = services.goal_create(actor=hr, annual_plan=annual, name_zh=f"{name}-root", owner_kind="department",
                                department=org.company, period_kind="year")
    leaves = []
    for i in range(per_level):
        mid = services.goal_create(actor=hr, parent=root, name_zh=f"{name}-{i}", owner_kind="department",
                                   department=org.sales, period_kind="year", weight=10)
        for j in range(per_level):
            leaves.append(services.goal_create(actor=hr, parent=mid, name_zh=f"{name}-{i}-{j}",
                                               owner_kind="department", department=org.sales_east,
                                               period_kind="year", weight=10))
    return root, leaves


def test_weighted_three_level_tree_gives_the_hand_computed_progress(org, goals):
    hr, annual = org.user("hr"), goals.annual
    root = services.goal_create(actor=hr, annual_plan=annual, name_zh="根", owner_kind="department",
                                department=org.company, period_kind="year")
    a = services.goal_create(actor=hr, parent=root, name_zh="A", owner_kind="department", department=org.sales,
                             period_kind="year", weight=60)
    b = services.goal_create(actor=hr, parent=root, name_zh="B", owner_kind="department", department=org.finance,
                             period_kind="year", weight=40)
    leaves = {
        "a1": (a, 50, 80), "a2": (a, 30, 50), "a3": (a, 20, 100),
        "b1": (b, 70, 40), "b2": (b, 30, 90),
    }
    made = {}
    for key, (parent, weight, _progress) in leaves.items():
        dept = org.sales_east if parent == a else org.finance
        made[key] = services.goal_create(actor=hr, parent=parent, name_zh=key, owner_kind="department",
                                         department=dept, period_kind="year", weight=weight)
    for key, (_parent, _weight, progress) in leaves.items():
        services.goal_progress_update(actor=hr, goal=made[key], progress=progress)
    # A = (80x50 + 50x30 + 100x20) / 100 = 75; B = (40x70 + 90x30) / 100 = 55; root = (75x60 + 55x40) / 100 = 67
    values = dict(Goal.objects.filter(pk__in=[root.pk, a.pk, b.pk]).values_list("pk", "progress"))
    assert values == {a.pk: Decimal("75.00"), b.pk: Decimal("55.00"), root.pk: Decimal("67.00")}
    # the whole-tree roll-up (the Celery task) is idempotent and agrees
    services.goal_tree_rollup(root_id=root.pk)
    services.goal_tree_rollup(root_id=root.pk)
    assert Goal.objects.get(pk=root.pk).progress == Decimal("67.00")
    # weights that do not total 100 count by their share: a3's weight 0 -> A = (80x50 + 50x30) / 80
    services.goal_update(actor=hr, goal=made["a3"], weight=Decimal("0"))
    assert Goal.objects.get(pk=a.pk).progress == Decimal("68.75")


def test_rollup_cost_does_not_grow_with_the_number_of_goals_per_level(org, goals):
    small_root, small_leaves = make_tree(org, goals.annual, per_level=2, name="S")
    big_root, big_leaves = make_tree(org, goals.annual, per_level=7, name="B")
    hr = org.user("hr")
    services.goal_progress_update(actor=hr, goal=small_leaves[1], progress=Decimal("10"))  # warm the viewer cache
    counts = []
    for leaf in (small_leaves[0], big_leaves[0]):
        with CaptureQueriesContext(connection) as ctx:
            services.goal_progress_update(actor=hr, goal=leaf, progress=Decimal("50"))
        counts.append(len(ctx.captured_queries))
    for root in (small_root, big_root):
        with CaptureQueriesContext(connection) as ctx:
            services.goal_tree_rollup(root_id=root.pk)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert counts[2] == counts[3], counts
    assert Goal.objects.get(pk=big_root.pk).progress == Decimal("1.02")  # 50 x (1/7) x (1/7)


def test_a_goal_cannot_become_its_own_ancestor(org, goals):
    hr = org.user("hr")
    for new_parent in (goals.sales, goals.east, goals.own):
        with pytest.raises(ApplicationError) as exc:
            services.goal_update(actor=hr, goal=goals.sales, parent=new_parent)
        assert exc.value.field == "parent"
    assert Goal.objects.get(pk=goals.sales.pk).parent_id == goals.company.pk


def test_moving_a_goal_moves_its_subtree_and_rolls_up_both_chains(org, goals):
    hr = org.user("hr")
    services.goal_progress_update(actor=hr, goal=goals.own, progress=Decimal("80"))
    other = services.goal_create(actor=hr, annual_plan=goals.annual, name_zh="另一个公司目标",
                                 owner_kind="department", department=org.company, period_kind="year")
    services.goal_update(actor=hr, goal=goals.sales, parent=other)
    own = Goal.objects.get(pk=goals.own.pk)
    assert own.path == f"/{other.pk}/{goals.sales.pk}/{goals.east.pk}/{own.pk}/" and own.depth == 3
    assert own.root_id == other.pk
    assert Goal.objects.get(pk=other.pk).progress == Goal.objects.get(pk=goals.sales.pk).progress > 0
    assert Goal.objects.get(pk=goals.company.pk).progress == Goal.objects.get(pk=goals.finance.pk).progress


def test_a_goal_serves_goals_of_a_wider_period_and_a_department_above(org, goals):
    hr = org.user("hr")
    with pytest.raises(ApplicationError) as exc:  # a year goal under a quarter goal
        services.goal_create(actor=hr, parent=goals.east, name_zh="x", owner_kind="department",
                             department=org.sales_east, period_kind="year")
    assert exc.value.field == "period_index"
    with pytest.raises(ApplicationError) as exc:  # finance does not serve a sales goal
        services.goal_create(actor=hr, parent=goals.sales, name_zh="x", owner_kind="department",
                             department=org.finance, period_kind="year")
    assert exc.value.field == "parent"


def test_who_may_set_goals(org, goals):
    with pytest.raises(PermissionDenied):  # top company goals: HR and executives
        services.goal_create(actor=org.user("manager"), annual_plan=goals.annual, name_zh="x",
                             owner_kind="department", department=org.company, period_kind="year")
    with pytest.raises(PermissionDenied):  # an employee does not set the department's goals
        services.goal_create(actor=org.user("staff"), parent=goals.east, name_zh="x", owner_kind="department",
                             department=org.sales_east, period_kind="quarter", period_index=goals.quarter)
    # the line manager sets goals for the team and the department below
    made = services.goal_create(actor=org.user("lead"), parent=goals.east, name_zh="回访", owner_kind="employee",
                                employee=org.staff, period_kind="quarter", period_index=goals.quarter, weight=10)
    assert made.department_id == org.sales_east.pk
    # managers and above list their own quarterly goals
    own = services.goal_create(actor=org.user("lead"), parent=goals.east, name_zh="主管目标", owner_kind="employee",
                               employee=org.lead, period_kind="quarter", period_index=goals.quarter)
    assert own.employee_id == org.lead.pk
    with pytest.raises(PermissionDenied):  # staff reviewed monthly do not
        services.goal_create(actor=org.user("staff"), parent=goals.east, name_zh="x", owner_kind="employee",
                             employee=org.staff, period_kind="quarter", period_index=goals.quarter)


def test_progress_of_a_goal_with_goals_below_is_calculated_not_entered(org, goals):
    with pytest.raises(ApplicationError):
        services.goal_progress_update(actor=org.user("hr"), goal=goals.east, progress=Decimal("50"))
