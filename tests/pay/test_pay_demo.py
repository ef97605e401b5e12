"""The demo hook: pay data for everyone, the finance role, the cycle's settings and the team rule; seeding
twice changes nothing."""
import pytest

from apps.appraisals.demo import seed_demo_appraisals
from apps.contracts.demo import seed_demo_contracts
from apps.core.models import AuditEvent
from apps.core.roles import FINANCE_GROUP
from apps.org import demo
from apps.org.models import Employee
from apps.pay.demo import seed_demo_pay
from apps.pay.models import Budget, CoefficientTable, MeritMatrix, PayProfile, TeamRewardRule

pytestmark = pytest.mark.django_db


def test_demo_pay_is_seeded_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_contracts, seed_demo_appraisals, seed_demo_pay])
    demo.seed_demo_organisation()
    assert PayProfile.objects.count() == Employee.objects.filter(is_active=True).count() > 50
    assert Employee.objects.get(employee_no="E0004").user.groups.filter(name=FINANCE_GROUP).exists()
    assert CoefficientTable.objects.count() == MeritMatrix.objects.count() == 1
    assert Budget.objects.count() == 2 and TeamRewardRule.objects.count() == 1
    events = AuditEvent.objects.filter(action__startswith="pay.").count()
    demo.seed_demo_organisation()
    assert AuditEvent.objects.filter(action__startswith="pay.").count() == events
