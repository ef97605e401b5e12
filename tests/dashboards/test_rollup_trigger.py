"""When roll-ups run: the beat task finds changed cycles with one cheap aggregate, queues each once
however many changes came in (debounce), and again when a stage deadline passes."""
import datetime as dt

import pytest
from dashboard_helpers import open_cycle, score, sign
from django.utils import timezone

from apps.appraisals.models import Appraisal
from apps.dashboards import services, tasks
from apps.dashboards.models import DepartmentCycleSummary, RollupState

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org, period="2026-11")


def test_a_new_cycle_is_due_and_is_queued_once(org, cycle, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.rollup_cycle, "delay", lambda cid: queued.append(cid))
    monkeypatch.setattr(tasks.rollup_goals, "delay", lambda year: None)
    assert services.rollups_due()["cycles"] == [cycle.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.rollups_dispatch()
    assert queued == [cycle.pk]
    # many more changes before the roll-up ran: queued already, nothing new is queued
    a = Appraisal.objects.get(cycle=cycle, employee=org.staff)
    score(org, a)
    with django_capture_on_commit_callbacks(execute=True):
        services.rollups_dispatch()
        services.rollups_dispatch()
    assert queued == [cycle.pk]
    # the roll-up runs: nothing is due until the next change
    services.cycle_rollup(cycle_id=cycle.pk)
    assert services.rollups_due()["cycles"] == []


def test_scoring_changes_make_the_cycle_due_again_and_the_rollup_shows_them(org, cycle):
    services.cycle_rollup(cycle_id=cycle.pk)
    assert services.rollups_due()["cycles"] == []
    company = DepartmentCycleSummary.objects.get(cycle=cycle, department__isnull=True)
    assert (company.headcount, company.scored, company.mean_score) == (2, 0, None)
    score(org, Appraisal.objects.get(cycle=cycle, employee=org.staff), sales="1140", manager="80")
    assert services.rollups_due()["cycles"] == [cycle.pk]
    services.cycle_rollup(cycle_id=cycle.pk)
    company = DepartmentCycleSummary.objects.get(cycle=cycle, department__isnull=True)
    a = Appraisal.objects.get(cycle=cycle, employee=org.staff)
    assert (company.scored, company.mean_score, company.n_scored) == (1, a.total_score, 1)
    assert company.grade_counts == {a.grade: 1}
    east = DepartmentCycleSummary.objects.get(cycle=cycle, department=org.sales_east)
    assert (east.headcount, east.direct_headcount, east.scored) == (2, 2, 1)


def test_entering_actuals_alone_makes_the_cycle_due(org, cycle):
    """Entering an actual updates only the appraisal's counters (no save): the fingerprint sees them."""
    from apps.appraisals import services as appraisal_services
    from apps.appraisals.models import ScoreLine

    services.cycle_rollup(cycle_id=cycle.pk)
    line = ScoreLine.objects.filter(appraisal__employee=org.staff, rule_kind="linear").first()
    appraisal_services.line_actual_set(actor=org.user("accountant"), line=line, value="1000", evidence="台账")
    assert services.rollups_due()["cycles"] == [cycle.pk]


def test_a_stage_deadline_passing_makes_the_cycle_due(org, cycle):
    services.cycle_rollup(cycle_id=cycle.pk)
    first_due = cycle.stages.order_by("due_date").first().due_date
    before = timezone.make_aware(dt.datetime.combine(first_due, dt.time(12)))
    after = timezone.make_aware(dt.datetime.combine(first_due + dt.timedelta(days=1), dt.time(12)))
    state = RollupState.objects.get(key=f"cycle:{cycle.pk}")
    # roll up "on" the deadline day, then look the day after
    with_fp = services.cycle_fingerprints([cycle.pk], today=first_due)[cycle.pk]
    RollupState.objects.filter(pk=state.pk).update(fingerprint=with_fp)
    assert services.rollups_due(now=before)["cycles"] == []
    assert services.rollups_due(now=after)["cycles"] == [cycle.pk]


def test_a_queued_rollup_that_never_ran_is_queued_again_later(org, cycle, monkeypatch):
    monkeypatch.setattr(tasks.rollup_cycle, "delay", lambda cid: None)
    monkeypatch.setattr(tasks.rollup_goals, "delay", lambda year: None)
    now = timezone.now()
    services.rollups_dispatch(now=now)
    assert services.rollups_due(now=now + dt.timedelta(minutes=1))["cycles"] == []
    assert services.rollups_due(now=now + services.REQUEUE_AFTER + dt.timedelta(minutes=1))["cycles"] == [cycle.pk]


def test_the_beat_task_rolls_up_changed_cycles_through_celery(org, cycle, django_capture_on_commit_callbacks):
    """Eager Celery in tests: the beat task queues, the roll-up task writes the rows."""
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.rollup_changed.delay().get()
    assert result["cycles"] == [cycle.pk]
    assert DepartmentCycleSummary.objects.filter(cycle=cycle, department__isnull=True).exists()
    assert tasks.rollup_changed.delay().get() == {"cycles": [], "years": []}


def test_the_fingerprint_is_one_grouped_query_whatever_the_number_of_cycles(org, cycle,
                                                                          django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        services.cycle_fingerprints()
