"""Notifications: an in-app row plus one e-mail after commit; reminders de-duplicated."""
import pytest
from django.core import mail

from apps.notifications.models import Notification
from apps.notifications.services import notification_create, notification_email_send

pytestmark = pytest.mark.django_db


def test_notification_is_recorded_and_emailed_once_after_commit(org, django_capture_on_commit_callbacks):
    user = org.user("staff")
    with django_capture_on_commit_callbacks(execute=True):
        note = notification_create(recipient=user, title="计划待提交", body="请提交本月工作计划", url="/plans/")
    assert Notification.objects.filter(recipient=user, title="计划待提交").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@example.com"]
    assert "请提交本月工作计划" in mail.outbox[0].body
    # sending again (a retried task) sends nothing
    assert notification_email_send(notification_id=note.pk) is False
    assert len(mail.outbox) == 1


def test_same_dedupe_key_creates_one_notification(org, django_capture_on_commit_callbacks):
    user = org.user("staff")
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_create(recipient=user, title="提醒", dedupe_key="plan-reminder:1:2026-11-26")
        second = notification_create(recipient=user, title="提醒", dedupe_key="plan-reminder:1:2026-11-26")
    assert first is not None and second is None
    assert len(mail.outbox) == 1


def test_no_email_when_the_transaction_rolls_back(org, django_capture_on_commit_callbacks):
    from django.db import transaction

    user = org.user("staff")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notification_create(recipient=user, title="rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not Notification.objects.filter(title="rolled back").exists()
    assert mail.outbox == []


def test_inbox_shows_notifications_and_marks_read(org, client_for):
    user = org.user("staff")
    notification_create(recipient=user, title="您的合同已签署", send_email=False)
    c = client_for(user)
    page = c.get("/notifications/")
    assert "您的合同已签署" in page.content.decode()
    c.post("/notifications/read-all/")
    assert Notification.objects.get(title="您的合同已签署").read_at is not None
