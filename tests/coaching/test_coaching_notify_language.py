"""Coaching notifications speak the recipient's language, not the language of whoever acted."""
import pytest
from django.utils import translation

from apps.accounts.services import user_language_set
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_an_english_employee_hears_of_a_record_by_a_chinese_lead_in_english(org, make_record):
    user_language_set(user=org.staff.user, language="en")
    with translation.override("zh-hans"):  # the lead's request
        make_record(summary="月中进度回顾")
    note = Notification.objects.filter(recipient=org.staff.user).latest("pk")
    assert note.title == "New coaching record: 月中进度回顾", note.title
    assert "recorded it" in note.body and org.lead.name_en in note.body


def test_a_chinese_lead_hears_of_an_english_employees_response_in_chinese(org, make_record):
    from apps.coaching import services

    user_language_set(user=org.staff.user, language="en")
    user_language_set(user=org.lead.user, language="zh-hans")
    record = make_record(summary="月中进度回顾")
    with translation.override("en"):  # the employee's request
        services.record_respond(actor=org.user("staff"), record=record, text="OK")
    note = Notification.objects.filter(recipient=org.lead.user).latest("pk")
    assert note.title.startswith(org.staff.name_zh) and "responded" not in note.title, note.title
