"""Plan deadlines: reminders before the due day, the supervisor after it; once per plan per day."""
import datetime as dt

import pytest
from django.utils import timezone

from apps.notifications.models import Notification
from apps.plans import services
from apps.plans.tasks import send_plan_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def deadline(org, this_month):
    services.plan_settings_update(actor=org.user("hr"), due_day=20, remind_days_before=3)
    year, month = this_month
    return dt.date(year, month, 20)


def reminders(user):
    return Notification.objects.filter(recipient=user, dedupe_key__startswith="plans:remind:")


def overdue(user):
    return Notification.objects.filter(recipient=user, dedupe_key__startswith="plans:overdue:")


def test_reminder_task_run_twice_in_a_day_reminds_once_and_skips_confirmed_plans(org, make_plan, deadline,
                                                                                  monkeypatch):
    make_plan("peer", state="confirmed")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: deadline - dt.timedelta(days=2))
    first = send_plan_reminders.apply().get()
    second = send_plan_reminders.apply().get()
    assert first == {"employee": 2, "supervisor": 0}  # the staff member and the accountant, not the peer
    assert second == {"employee": 0, "supervisor": 0}
    assert reminders(org.staff.user).count() == 1
    assert reminders(org.accountant.user).count() == 1
    assert not reminders(org.peer.user).exists()
    assert not reminders(org.lead.user).exists()  # managers are not reviewed monthly


def test_no_reminder_before_the_window_and_a_new_one_each_day_inside_it(org, deadline):
    assert services.plan_reminders_send(today=deadline - dt.timedelta(days=4)) == {"employee": 0, "supervisor": 0}
    services.plan_reminders_send(today=deadline - dt.timedelta(days=3))
    services.plan_reminders_send(today=deadline)
    services.plan_reminders_send(today=deadline)
    assert reminders(org.staff.user).count() == 2


def test_after_the_due_day_the_supervisor_is_told_once_per_plan_per_day(org, make_plan, deadline):
    make_plan("staff", state="returned")  # not submitted: overdue
    make_plan("peer", state="submitted")  # submitted in time: nothing
    day = deadline + dt.timedelta(days=1)
    assert services.plan_reminders_send(today=day) == {"employee": 0, "supervisor": 2}
    assert services.plan_reminders_send(today=day) == {"employee": 0, "supervisor": 0}
    assert overdue(org.lead.user).count() == 1  # about the staff member, not the peer
    assert org.staff.name in overdue(org.lead.user).get().title
    assert overdue(org.gm.user).count() == 1  # the accountant's supervisor
    services.plan_reminders_send(today=day + dt.timedelta(days=1))
    assert overdue(org.lead.user).count() == 2
    assert not reminders(org.staff.user).exists()


def test_nothing_for_confirmed_plans_after_the_due_day(org, make_plan, deadline):
    make_plan("staff", state="confirmed")
    make_plan("peer", state="confirmed")
    services.plan_reminders_send(today=deadline + dt.timedelta(days=2))
    assert not overdue(org.lead.user).exists()
