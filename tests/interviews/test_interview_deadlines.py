"""The deadlines engine: reminders before the date, overdue flag and daily reminder after it, escalation to
HR under the "escalate" policy (not under "remind"), action reminders before their due dates; running the
scan twice in a day sends nothing twice."""
import datetime as dt

import pytest

from apps.interviews import services
from apps.interviews.deadlines import deadlines_scan
from apps.interviews.models import Action
from apps.interviews.tasks import scan_deadlines
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notes(user, fragment=""):
    return Notification.objects.filter(recipient=user, dedupe_key__startswith=f"interviews:{fragment}")


def test_reminder_before_the_date_goes_out_once_a_day(org, due_interview):
    day = due_interview.due_date - dt.timedelta(days=1)
    first = deadlines_scan(today=day)
    second = deadlines_scan(today=day)
    assert first["reminded"] == 1 and second["reminded"] == 0
    assert _notes(org.lead.user, "remind:").count() == 1
    deadlines_scan(today=due_interview.due_date)  # the next day: one more
    assert _notes(org.lead.user, "remind:").count() == 2
    assert not _notes(org.staff.user, "remind:").exists()


def test_overdue_is_flagged_reminded_daily_and_escalated_to_hr_once_a_day(org, due_interview):
    late = due_interview.due_date + dt.timedelta(days=1)
    out = scan_deadlines.delay(today=late.isoformat()).get()  # the beat task, eager in tests
    again = deadlines_scan(today=late)
    due_interview.refresh_from_db()
    assert due_interview.overdue_since == late and due_interview.escalated_at is not None
    assert (out["overdue_flagged"], out["overdue_reminded"], out["escalated"]) == (1, 1, 1)
    assert (again["overdue_flagged"], again["overdue_reminded"], again["escalated"]) == (0, 0, 0)
    hr_note = _notes(org.hr.user, "escalate:").get()
    assert "1" in hr_note.title and hr_note.url.startswith("/interviews/hr/")
    assert _notes(org.lead.user, "overdue:").count() == 1
    deadlines_scan(today=late + dt.timedelta(days=1))
    assert _notes(org.lead.user, "overdue:").count() == 2


def test_remind_policy_does_not_escalate(org, cycle, due_interview):
    services.cycle_policy_set(actor=org.user("hr"), cycle=cycle, window_days=10, policy="remind")
    due_interview.refresh_from_db()
    out = deadlines_scan(today=due_interview.due_date + dt.timedelta(days=2))
    assert out["overdue_reminded"] == 1 and out["escalated"] == 0
    assert not _notes(org.hr.user, "escalate:").exists()


def test_held_interviews_are_not_reminded(org, signed_interview):
    out = deadlines_scan(today=signed_interview.due_date + dt.timedelta(days=3))
    assert out["overdue_reminded"] == 0 and out["reminded"] == 0


def test_actions_remind_their_owner_before_the_due_date_and_once_when_overdue(org, signed_interview):
    a = Action.objects.get(what="每周拜访两家大客户")  # owner: the employee
    week_before = a.due_date - dt.timedelta(days=7)
    assert deadlines_scan(today=week_before)["actions_reminded"] == 1
    assert deadlines_scan(today=week_before)["actions_reminded"] == 0
    note = _notes(org.staff.user, "action-remind:").get()
    assert "每周拜访" not in note.title  # the action's text stays out of the e-mail subject
    assert deadlines_scan(today=a.due_date - dt.timedelta(days=3))["actions_reminded"] == 0
    after = a.due_date + dt.timedelta(days=1)
    assert deadlines_scan(today=after)["actions_overdue"] == 2  # employee and manager
    assert deadlines_scan(today=after)["actions_overdue"] == 0
