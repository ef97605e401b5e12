"""Fixtures of the results tests: 孙娜 (staff) and 李四 (peer) published in 2026-11 under their lead 周主管,
the competency models, and the talent review of that cycle opened by HR."""
import pytest
from results_helpers import make_models, published_cycle

from apps.results import services


@pytest.fixture
def cycle(org):
    return published_cycle(org, [org.staff, org.peer])


@pytest.fixture
def competency_models(org):
    return make_models(org)


@pytest.fixture
def review(org, cycle, competency_models):
    return services.review_create(actor=org.user("hr"), cycle=cycle)
