"""Every plans notification speaks the recipient's language, whoever (or whatever job) caused it."""
import datetime as dt

import pytest
from django.utils import translation

from apps.accounts.services import user_language_set
from apps.notifications.models import Notification
from apps.plans import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def due_on_the_20th(org, this_month):
    services.plan_settings_update(actor=org.user("hr"), due_day=20, remind_days_before=3)
    return dt.date(this_month[0], this_month[1], 20)


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def english(day):
    return f"{MONTHS[day.month - 1]} {day.year}"


def titles(user, prefix):
    return [n.title for n in Notification.objects.filter(recipient=user, dedupe_key__startswith=prefix)]


def test_the_reminder_job_writes_the_month_in_the_employees_language(org, due_on_the_20th):
    user_language_set(user=org.staff.user, language="en")
    user_language_set(user=org.accountant.user, language="zh-hans")
    month = dt.date(due_on_the_20th.year, due_on_the_20th.month, 1)
    with translation.override("zh-hans"):  # the job runs in the site's language
        services.plan_reminders_send(today=due_on_the_20th - dt.timedelta(days=1))
    [title] = titles(org.staff.user, "plans:remind:")
    assert title.startswith(f"Your work plan for {english(month)} is due by ") and "年" not in title
    [chinese] = titles(org.accountant.user, "plans:remind:")
    assert f"{month.year}年{month.month}月" in chinese


def test_the_overdue_notice_writes_the_month_in_the_supervisors_language(org, make_plan, due_on_the_20th):
    user_language_set(user=org.lead.user, language="en")
    make_plan("staff", state="returned")
    month = dt.date(due_on_the_20th.year, due_on_the_20th.month, 1)
    with translation.override("zh-hans"):
        services.plan_reminders_send(today=due_on_the_20th + dt.timedelta(days=1))
    [title] = titles(org.lead.user, f"plans:overdue:{org.staff.pk}:")
    assert title == f"{org.staff.name_en}'s plan for {english(month)} is overdue"


def test_a_chinese_employee_hears_about_the_plan_in_chinese_when_an_english_supervisor_acts(org, make_plan):
    user_language_set(user=org.lead.user, language="en")
    user_language_set(user=org.staff.user, language="zh-hans")
    plan = make_plan("staff", state="submitted")
    with translation.override("en"):  # the supervisor's request
        services.plan_return(actor=org.user("lead"), plan=plan, comment="Add the customer visits.")
    note = Notification.objects.filter(recipient=org.staff.user).latest("pk")
    assert note.title == f"您{plan.year}年{plan.month}月的工作计划被退回"
    assert note.body == "Add the customer visits."
