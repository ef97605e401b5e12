"""The demo hook: appeals at each stage and one concern; seeding twice changes nothing."""
from collections import Counter

import pytest

from apps.appeals.demo import seed_demo_appeals
from apps.appeals.models import Appeal, Concern
from apps.appraisals.demo import seed_demo_appraisals
from apps.appraisals.models import ResultCorrection
from apps.contracts.demo import seed_demo_contracts
from apps.org import demo

pytestmark = pytest.mark.django_db


def test_demo_appeals_are_seeded_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_contracts, seed_demo_appraisals, seed_demo_appeals])
    demo.seed_demo_organisation()
    first = Counter(Appeal.objects.values_list("status", flat=True))
    assert first == {"filed": 1, "in_review": 1, "decided": 1}
    assert ResultCorrection.objects.count() == 1 and Concern.objects.count() == 1
    demo.seed_demo_organisation()
    assert Counter(Appeal.objects.values_list("status", flat=True)) == first
    assert ResultCorrection.objects.count() == 1 and Concern.objects.count() == 1
