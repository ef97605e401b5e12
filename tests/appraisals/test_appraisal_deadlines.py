"""The deadlines engine: reminders before a deadline (once per person, stage and day however often
the beat task runs), overdue flags and the stage policies after it (remind, escalate, advance with a
"not submitted" mark), a crash in the middle leaving nothing half done; and the routine schedule."""
import datetime as dt
from decimal import Decimal

import pytest
from appraisal_helpers import BASE_DAY, direct_entries, enter_actuals, line, open_cycle, sign

from apps.appraisals import services, tasks
from apps.appraisals.models import Appraisal, Collection, Cycle, CycleStatus, Policy, Stage, Status
from apps.appraisals.services import deadlines, opening
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

# deadlines of open_cycle(base=BASE_DAY): actuals 12-04, verification 12-07, self-assessment 12-10,
# manager scoring 12-13, calibration 12-16, publication 12-19; reminders start 2 days before
ACTUALS_DUE = BASE_DAY + dt.timedelta(days=3)
SELF_DUE = BASE_DAY + dt.timedelta(days=9)
MANAGER_DUE = BASE_DAY + dt.timedelta(days=12)
PUBLISH_DUE = BASE_DAY + dt.timedelta(days=18)


def _notes(user, kind=None):
    qs = Notification.objects.filter(recipient=user, dedupe_key__startswith="appraisals:")
    if kind:
        qs = qs.filter(dedupe_key__startswith=f"appraisals:{kind}:")
    return qs


@pytest.fixture
def signed(org):
    sign(org, org.staff)
    sign(org, org.peer)


def test_reminders_go_out_once_per_day_however_often_the_task_runs(org, signed):
    open_cycle(org)
    day = ACTUALS_DUE - dt.timedelta(days=2)
    tasks.scan_deadlines.delay(day.isoformat())
    tasks.scan_deadlines.delay(day.isoformat())
    notes = _notes(org.accountant.user, "remind")
    assert notes.count() == 1  # one message for the 4 lines of 2 appraisals
    assert "4" in notes.get().title
    assert not _notes(org.staff.user).exists()  # nothing waits on the employee yet
    deadlines.deadlines_scan(today=day + dt.timedelta(days=1))
    deadlines.deadlines_scan(today=day + dt.timedelta(days=1))
    assert _notes(org.accountant.user, "remind").count() == 2  # the next day: one more
    assert not Appraisal.objects.exclude(overdue_stage="").exists()


def test_after_the_deadline_appraisals_are_flagged_and_escalated_once(org, signed):
    open_cycle(org, policies={Stage.ACTUALS: Policy.ESCALATE})
    day = ACTUALS_DUE + dt.timedelta(days=1)
    for _ in range(2):
        stats = deadlines.deadlines_scan(today=day)
    assert stats.get("flagged", 0) == 0  # the second run flags nothing new
    assert set(Appraisal.objects.values_list("overdue_stage", flat=True)) == {Stage.ACTUALS}
    assert _notes(org.accountant.user, "overdue").count() == 1
    escalations = _notes(org.gm.user, "escalate")  # the accountant's manager
    assert escalations.count() == 1 and "4" in escalations.get().title
    # entering the data and verifying clears the flag
    staff = Appraisal.objects.get(employee=org.staff)
    enter_actuals(org, staff)
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    staff.refresh_from_db()
    assert staff.overdue_stage == ""


def test_remind_only_policy_does_not_escalate(org, signed):
    open_cycle(org, policies={Stage.ACTUALS: Policy.REMIND})
    deadlines.deadlines_scan(today=ACTUALS_DUE + dt.timedelta(days=1))
    assert _notes(org.accountant.user, "overdue").count() == 1
    assert not _notes(org.gm.user, "escalate").exists()


def test_advance_marks_missing_actuals_which_score_zero_with_an_explanation(org, signed):
    open_cycle(org, policies={Stage.ACTUALS: Policy.ADVANCE})
    staff = Appraisal.objects.get(employee=org.staff)
    services.line_actual_set(actor=org.user("accountant"), line=line(staff, "SALES-MONTH"), value="1140")
    deadlines.deadlines_scan(today=ACTUALS_DUE + dt.timedelta(days=1))
    staff.refresh_from_db()
    profit = line(staff, "PROFIT-MONTH")
    assert (staff.status, staff.lines_pending, profit.collection) == (Status.COLLECTING, 0, Collection.MISSING)
    assert line(staff, "SALES-MONTH").collection == Collection.ENTERED
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    profit.refresh_from_db()
    assert profit.score == Decimal("0.00") and "0.00" in profit.explanation_en
    assert "deadline" in profit.explanation_en and "截止" in profit.explanation_zh
    # a second run changes nothing
    before = list(Appraisal.objects.order_by("pk").values_list("status", "version"))
    deadlines.deadlines_scan(today=ACTUALS_DUE + dt.timedelta(days=1))
    assert list(Appraisal.objects.order_by("pk").values_list("status", "version")) == before


def test_advance_submits_a_missing_self_assessment_with_a_mark(org, signed):
    open_cycle(org, policies={Stage.SELF_ASSESSMENT: Policy.ADVANCE})
    staff = Appraisal.objects.get(employee=org.staff)
    enter_actuals(org, staff)
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    deadlines.deadlines_scan(today=SELF_DUE - dt.timedelta(days=1))
    assert _notes(org.staff.user, "remind").count() == 1
    deadlines.deadlines_scan(today=SELF_DUE + dt.timedelta(days=1))
    staff.refresh_from_db()
    assert (staff.status, staff.self_not_submitted, staff.overdue_stage) == (Status.SELF_ASSESSED, True, "")


def test_manager_scoring_escalates_to_the_managers_manager(org, signed):
    open_cycle(org, policies={Stage.MANAGER_SCORING: Policy.ESCALATE})
    staff = Appraisal.objects.get(employee=org.staff)
    enter_actuals(org, staff)
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=staff, submit=True,
                                   lines=direct_entries(staff, [70, 80]))
    deadlines.deadlines_scan(today=MANAGER_DUE + dt.timedelta(days=1))
    deadlines.deadlines_scan(today=MANAGER_DUE + dt.timedelta(days=1))
    assert _notes(org.lead.user, "overdue").count() == 1
    assert _notes(org.manager.user, "escalate").count() == 1  # the lead's manager
    staff.refresh_from_db()
    assert staff.overdue_stage == Stage.MANAGER_SCORING


def test_advancing_manager_scoring_takes_the_self_scores_or_waits(org, signed):
    open_cycle(org, policies={Stage.MANAGER_SCORING: Policy.ADVANCE})
    staff, peer = Appraisal.objects.get(employee=org.staff), Appraisal.objects.get(employee=org.peer)
    for a in (staff, peer):
        enter_actuals(org, a)
        services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=staff, submit=True,
                                   lines=direct_entries(staff, [70, 80]))
    services.appraisal_self_assess(actor=org.user("peer"), appraisal=peer, submit=True)  # no self-scores
    deadlines.deadlines_scan(today=MANAGER_DUE + dt.timedelta(days=1))
    staff.refresh_from_db()
    peer.refresh_from_db()
    assert (staff.status, staff.manager_not_submitted, staff.behaviour_score) == (Status.SCORED, True, Decimal("75.00"))
    taken = staff.lines.filter(rule_kind="direct").first()
    assert taken.score_source == "self_taken" and "self-score" in taken.explanation_en
    assert peer.status == Status.SELF_ASSESSED and peer.overdue_stage == Stage.MANAGER_SCORING
    assert _notes(org.lead.user, "overdue").count() == 1  # the one that could not advance


def test_advance_publishes_at_the_publication_deadline(org, signed):
    cycle = open_cycle(org, policies={Stage.PUBLISH: Policy.ADVANCE})
    staff = Appraisal.objects.get(employee=org.staff)
    enter_actuals(org, staff)
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=staff, submit=True,
                                   lines=direct_entries(staff, [70, 80]))
    services.appraisal_manager_score(actor=org.user("lead"), appraisal=staff, comment="好", submit=True,
                                     lines=direct_entries(staff, [70, 80]))
    deadlines.deadlines_scan(today=PUBLISH_DUE + dt.timedelta(days=1))
    staff.refresh_from_db()
    assert staff.status == Status.PUBLISHED
    assert Notification.objects.filter(recipient=org.staff.user, dedupe_key=f"appraisals:published:{staff.pk}").exists()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN  # the peer is not published yet


def test_a_crash_in_the_middle_leaves_nothing_half_done_and_a_rerun_finishes(org, signed):
    open_cycle(org, policies={Stage.ACTUALS: Policy.ADVANCE})
    day = ACTUALS_DUE + dt.timedelta(days=1)
    first, second = Appraisal.objects.order_by("pk")

    def crash(pk):
        raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        deadlines.deadlines_scan(today=day, on_item=crash)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.lines_pending == 0  # the first appraisal was advanced completely (its own transaction)
    assert set(first.lines.filter(rule_kind="linear").values_list("collection", flat=True)) == {Collection.MISSING}
    assert second.lines_pending == 2  # the second was not touched at all
    assert set(second.lines.filter(rule_kind="linear").values_list("collection", flat=True)) == {Collection.PENDING}
    deadlines.deadlines_scan(today=day)  # the retry
    second.refresh_from_db()
    assert second.lines_pending == 0


def test_schedule_opens_the_routine_cycle_once(org, signed):
    services.schedule_update(actor=org.user("hr"), frequency="monthly", is_active=True,
                             stage_policies={Stage.ACTUALS: Policy.ADVANCE})
    first_day = dt.date(2026, 12, 1)
    opened = tasks.open_scheduled_cycles.delay(first_day.isoformat()).get()
    assert len(opened) == 1
    cycle = Cycle.objects.get(period="2026-11")
    assert (cycle.status, cycle.is_routine) == (CycleStatus.OPEN, True)
    assert cycle.stages.get(stage=Stage.ACTUALS).policy == Policy.ADVANCE
    assert cycle.stages.get(stage=Stage.ACTUALS).due_date == first_day + dt.timedelta(days=5)
    assert Appraisal.objects.filter(cycle=cycle).count() == 2
    # again the same day and the next: nothing twice
    assert tasks.open_scheduled_cycles.delay(first_day.isoformat()).get() == []
    assert opening.scheduled_cycles_open(today=first_day + dt.timedelta(days=1)) == []
    assert Cycle.objects.filter(period="2026-11").count() == 1
    assert Appraisal.objects.filter(cycle=cycle).count() == 2


def test_an_inactive_schedule_opens_nothing(org, signed):
    services.schedule_update(actor=org.user("hr"), frequency="monthly", is_active=False)
    assert opening.scheduled_cycles_open(today=dt.date(2026, 12, 1)) == []
    assert not Cycle.objects.exists()
