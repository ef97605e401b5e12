"""E-mail attachments (e.g. an .ics invitation) go out with the notification's e-mail; without any, the
e-mail is as before."""
import pytest
from django.core import mail

from apps.notifications.services import notification_create

pytestmark = pytest.mark.django_db


def test_attachments_are_sent_with_the_email(org, django_capture_on_commit_callbacks):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        note = notification_create(recipient=org.user("staff"), title="面谈已安排", url="/x/",
                                   attachments=[("interview.ics", ics, "text/calendar")])
        notification_create(recipient=org.user("lead"), title="没有附件")
    assert note.attachments == [{"filename": "interview.ics", "content": ics, "mimetype": "text/calendar"}]
    with_file = next(m for m in mail.outbox if m.to == ["staff@example.com"])
    assert with_file.attachments[0][0] == "interview.ics" and "BEGIN:VCALENDAR" in with_file.attachments[0][1]
    assert with_file.body.strip().endswith("/x/") and with_file.body.strip().startswith("http")
    plain = next(m for m in mail.outbox if m.to == ["lead@example.com"])
    assert plain.attachments == []
