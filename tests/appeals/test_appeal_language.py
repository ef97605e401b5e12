"""Notifications in the recipient's language with an absolute link, content-free (appeals are confidential);
the decision letter in the employee's language whoever prints it."""
import pytest
from appeal_helpers import line
from django.core import mail

from apps.accounts.models import UserPreference
from apps.appeals import services
from apps.appeals.models import Appeal
from apps.appeals.pdf import decision_letter_html
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_each_recipient_in_their_language_and_the_letter_in_the_employees(org, published, settings,
                                                                         django_capture_on_commit_callbacks):
    staff, _ = published
    UserPreference.objects.update_or_create(user=org.user("staff"), defaults={"language": "en"})
    UserPreference.objects.update_or_create(user=org.user("hr"), defaults={"language": "zh-hans"})
    settings.SITE_URL = "https://perf.example.com"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons="机密理由",
                                      lines=[line(staff, "SALES-MONTH").pk])
    to_hr = Notification.objects.get(recipient=org.user("hr"), dedupe_key__startswith="appeals:filed")
    assert to_hr.title.startswith("孙娜 提交了新的申诉")
    hr = org.user("hr")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True)
        services.appeal_decide(actor=hr, appeal=appeal, outcome="rejected", reasons="证据不足")
    to_staff = Notification.objects.get(recipient=org.user("staff"), dedupe_key__startswith="appeals:decided")
    assert to_staff.title == "The appeal was decided: Rejected"
    emails = [m for m in mail.outbox if org.user("staff").email in m.to]
    assert emails and f"https://perf.example.com/appeals/{appeal.pk}/" in emails[-1].body
    assert all("机密理由" not in m.body and "证据不足" not in m.body for m in mail.outbox)
    html = decision_letter_html(Appeal.objects.get(pk=appeal.pk))
    assert "Decision on your appeal" in html and "申诉处理决定" not in html
