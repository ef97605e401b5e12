"""The plans demo: the cascade seeded once, its department goals approved one level up by an
executive, the personal goals left as drafts so the approval step shows."""
import pytest

from apps.org import demo
from apps.plans.demo import seed_plans_demo
from apps.plans.models import Goal, GoalStatus, OwnerKind

pytestmark = pytest.mark.django_db


def test_demo_goals_are_seeded_once_and_mostly_approved(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_plans_demo])
    demo.seed_demo_organisation()
    first = sorted(Goal.objects.values_list("code", "status"))
    demo.seed_demo_organisation()
    assert sorted(Goal.objects.values_list("code", "status")) == first
    approved = Goal.objects.filter(status=GoalStatus.APPROVED)
    assert approved.exists() and not approved.filter(owner_kind=OwnerKind.EMPLOYEE).exists()
    assert all(g.approved_by_id and g.approved_by_id != g.drafted_by_id for g in approved)
    assert Goal.objects.filter(owner_kind=OwnerKind.EMPLOYEE, status=GoalStatus.DRAFT).exists()
