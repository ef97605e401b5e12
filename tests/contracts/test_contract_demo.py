"""The demo hook: templates and contracts of the demo's sales staff, some signed; idempotent."""
from collections import Counter

import pytest

from apps.contracts.demo import seed_demo_contracts
from apps.contracts.models import Contract, ContractTemplate, Status
from apps.org import demo

pytestmark = pytest.mark.django_db


def test_demo_contracts_are_seeded_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_contracts])
    demo.seed_demo_organisation()
    first = Counter(Contract.objects.values_list("status", flat=True))
    demo.seed_demo_organisation()
    assert Counter(Contract.objects.values_list("status", flat=True)) == first
    assert ContractTemplate.objects.count() == 3
    # this month's sales contracts are signed except two waiting for their employee; of the two
    # supervisors' quarter contracts one waits for the assistant, the other is still a draft
    assert first[Status.AGREED] == 18 and first[Status.PROPOSED] == 3 and first[Status.DRAFT] == 1
    signed = Contract.objects.get(status=Status.AGREED, employee__user__username="employee")
    assert signed.employee.user.username == "employee" and signed.signatures.count() == 2
    assert signed.lines.filter(data_source__code="FIN").count() == 2  # 财务部 provides the sales figures
    waiting = Contract.objects.get(employee__user__username="assistant")
    assert waiting.status == Status.PROPOSED and [s.party for s in waiting.signatures.all()] == ["appraiser"]
