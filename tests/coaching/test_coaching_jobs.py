"""The scheduled jobs: signature reminders and escalation, and the weekly cadence digest. Running a
job twice sends nothing twice."""
import datetime as dt

import pytest
from django.utils import timezone

from apps.coaching import services, tasks
from apps.coaching.models import Channel, CoachingSettings, Kind, SignDecision
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_signature_reminders_once_per_day_until_signed(org, make_record, clock):
    record = make_record(kind=Kind.CRITICISM, serious=True)
    staff = org.staff.user
    before = Notification.objects.filter(recipient=staff).count()  # the notice when it was shared
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 0}  # same day: nothing yet
    clock.advance(days=1)
    assert tasks.remind_unsigned_serious_records() == {"reminded": 1, "escalated": 0}
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 0}  # twice: nothing twice
    assert Notification.objects.filter(recipient=staff).count() == before + 1
    clock.advance(days=1)
    assert tasks.remind_unsigned_serious_records()["reminded"] == 1
    services.record_sign(actor=org.user("staff"), record=record, decision=SignDecision.AGREE)
    clock.advance(days=1)
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 0}


def test_unsigned_serious_record_is_escalated_to_hr_after_the_deadline_once(org, make_record, clock):
    services.settings_update(actor=org.user("hr"), signature_deadline_days=3)
    record = make_record(kind=Kind.CRITICISM, serious=True)
    make_record(kind=Kind.PRAISE)  # not serious: never reminded
    clock.advance(days=3)
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 1}
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 0}
    record.refresh_from_db()
    assert record.escalated_at is not None and record.sign_status == "escalated"
    hr_notes = Notification.objects.filter(recipient=org.hr.user, dedupe_key__startswith="coaching-escalated:")
    assert hr_notes.count() == 1 and org.staff.name_zh in hr_notes.get().title
    assert Notification.objects.filter(recipient=org.lead.user, dedupe_key__startswith="coaching-escalated:").count() == 1
    clock.advance(days=1)
    assert tasks.remind_unsigned_serious_records() == {"reminded": 0, "escalated": 0}  # HR has it now
    # the employee can still sign after the escalation
    services.record_sign(actor=org.user("staff"), record=record, decision=SignDecision.AGREE)
    record.refresh_from_db()
    assert record.sign_status == "agreed"


def test_reminder_interval(org, make_record, clock):
    services.settings_update(actor=org.user("hr"), reminder_interval_days=2, signature_deadline_days=10)
    make_record(kind=Kind.CRITICISM, serious=True)
    sent = []
    for _day in range(9):
        clock.advance(days=1)
        sent.append(tasks.remind_unsigned_serious_records()["reminded"])
    assert sent == [0, 1, 0, 1, 0, 1, 0, 1, 0]


def test_cadence_digest_once_per_week_however_often_it_runs(org, make_record):
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    # staff was coached in a one-to-one yesterday; peer was not: the lead's digest names peer only
    make_record(channel=Channel.ONE_TO_ONE, occurred_on=timezone.localdate() - dt.timedelta(days=1))
    assert services.cadence_digest_send(today=monday) >= 1
    note = Notification.objects.get(recipient=org.lead.user, dedupe_key__startswith="coaching-digest:")
    assert org.peer.name_zh in note.body and org.staff.name_zh not in note.body
    for day in range(7):  # the job runs every day of that week...
        assert services.cadence_digest_send(today=monday + dt.timedelta(days=day)) == 0
    assert tasks.send_cadence_digest.apply().get() == 0  # ...and as the beat task, twice, today
    assert tasks.send_cadence_digest.apply().get() == 0
    assert Notification.objects.filter(recipient=org.lead.user, dedupe_key__startswith="coaching-digest:").count() == 1
    # the next week, a new digest
    assert services.cadence_digest_send(today=monday + dt.timedelta(days=7)) >= 1
    assert Notification.objects.filter(recipient=org.lead.user, dedupe_key__startswith="coaching-digest:").count() == 2


def test_cadence_counts_the_channel_hr_chose_and_not_the_employees_own_reports(org, contract, make_record):
    today = timezone.localdate()
    make_record(channel=Channel.CONVERSATION, occurred_on=today)  # informal: does not count
    services.progress_report_file(actor=org.user("staff"), kind=Kind.PROGRESS, contract_line=contract.sales_line,
                                  summary="进展", facts="...")  # the employee's own report: does not count
    due = {e.employee_no for e in services.cadence_queryset(today=today, conf=CoachingSettings.current())
           .filter(cadence_count__lt=1)}
    assert "S1" in due
    services.settings_update(actor=org.user("hr"), cadence_channel="", cadence_days=30)
    make_record(channel=Channel.GROUP_MEETING, occurred_on=today)
    due = {e.employee_no for e in services.cadence_queryset(today=today, conf=CoachingSettings.current())
           .filter(cadence_count__lt=1)}
    assert "S1" not in due and "S2" in due


def test_cadence_switched_off_sends_nothing(org):
    services.settings_update(actor=org.user("hr"), cadence_min_records=0)
    assert services.cadence_digest_send() == 0
    assert not Notification.objects.filter(dedupe_key__startswith="coaching-digest:").exists()
