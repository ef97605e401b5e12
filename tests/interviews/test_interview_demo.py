"""The demo hook: every published demo appraisal has its interview, one at each stage; seeding twice
changes nothing."""
from collections import Counter

import pytest

from apps.appraisals.demo import seed_demo_appraisals
from apps.appraisals.models import Appraisal, Status
from apps.contracts.demo import seed_demo_contracts
from apps.interviews.demo import seed_demo_interviews
from apps.interviews.models import Interview
from apps.org import demo

pytestmark = pytest.mark.django_db


def test_demo_interviews_are_seeded_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_contracts, seed_demo_appraisals, seed_demo_interviews])
    demo.seed_demo_organisation()
    first = Counter(Interview.objects.values_list("status", flat=True))
    published = Appraisal.objects.filter(status=Status.PUBLISHED).count()
    assert sum(first.values()) == published > 0
    demo.seed_demo_organisation()
    assert Counter(Interview.objects.values_list("status", flat=True)) == first
    assert first["scheduled"] >= 1 and first["signed"] >= 1 and first["submitted"] >= 1
    signed = Interview.objects.get(status="signed")
    assert signed.actions.count() == 2 and signed.revisions.count() == 1
