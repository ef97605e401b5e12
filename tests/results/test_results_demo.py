"""The demo hook: competency models, a talent review of the demo cycle with people placed, an override and a
released action; seeding twice changes nothing."""
import pytest

from apps.appraisals.demo import seed_demo_appraisals
from apps.contracts.demo import seed_demo_contracts
from apps.org import demo
from apps.results.demo import seed_demo_results
from apps.results.models import Assessment, CompetencyModel, Placement, TalentAction, TalentReview

pytestmark = pytest.mark.django_db


def test_demo_results_are_seeded_once(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_HOOKS", [seed_demo_contracts, seed_demo_appraisals, seed_demo_results])
    demo.seed_demo_organisation()
    counts = [CompetencyModel.objects.count(), TalentReview.objects.count(), Placement.objects.count(),
              Assessment.objects.count(), TalentAction.objects.count()]
    assert counts[0] == 4 and counts[1] >= 1 and counts[2] >= 1
    assert Placement.objects.exclude(override_performance="").count() == 1
    assert TalentAction.objects.filter(status="released").count() == 1
    demo.seed_demo_organisation()
    assert [CompetencyModel.objects.count(), TalentReview.objects.count(), Placement.objects.count(),
            Assessment.objects.count(), TalentAction.objects.count()] == counts
