"""No message leaves the app with a link a mail client cannot open: every notification the product sends
(the demo's whole cycle plus every daily reminder job) is rendered as it goes out (e-mail text and HTML, the
WeCom, DingTalk and Feishu payloads) and checked for relative links."""
import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.notifications import chat
from apps.notifications.links import absolute_url, absolutize_links, relative_links
from apps.notifications.models import Notification
from apps.notifications.services import chat_message, notification_create, notification_email_message

pytestmark = pytest.mark.django_db

SITE = "https://perf.example.com"


def _outgoing_texts(note):
    message = notification_email_message(note)
    yield "e-mail text", message.body
    for content, _mimetype in message.alternatives:
        yield "e-mail html", content
    for app in (chat.WECOM, chat.DINGTALK, chat.FEISHU):
        _url, payload = chat.build_request(app, "https://chat.example/hook", "s", chat_message(note))
        yield app, json.dumps(payload, ensure_ascii=False)


def _run_every_job():
    from apps.appraisals.services.deadlines import deadlines_scan as appraisal_deadlines
    from apps.coaching.tasks import remind_unsigned_serious_records, send_cadence_digest
    from apps.interviews.deadlines import deadlines_scan as interview_deadlines
    from apps.plans.services.reminders import plan_reminders_send

    today = timezone.localdate()
    for days in (0, 3, 10, 20, 40):
        day = today + dt.timedelta(days=days)
        plan_reminders_send(today=day)
        appraisal_deadlines(today=day)
        interview_deadlines(today=day)
    remind_unsigned_serious_records()
    send_cadence_digest()


@override_settings(SITE_URL=SITE)
def test_every_notification_the_product_sends_carries_only_absolute_links():
    from apps.org.demo import seed_demo_organisation

    seed_demo_organisation()
    _run_every_job()
    notes = list(Notification.objects.select_related("recipient"))
    kinds = {n.url.strip("/").split("/")[0] for n in notes if n.url}
    # the demo exercises every app that notifies: a gap here means the check below saw too little
    assert {"plans", "contracts", "appraisals", "interviews", "coaching"} <= kinds, kinds
    bad = []
    for note in notes:
        for where, text in _outgoing_texts(note):
            if relative_links(text):
                bad.append((where, note.title, relative_links(text)))
        if note.url:
            assert absolute_url(note.url).startswith(SITE + "/")
    assert not bad, bad[:5]


@override_settings(SITE_URL=SITE + "/")
def test_the_email_link_is_absolute_and_written_once(org):
    note = notification_create(recipient=org.user("staff"), title="合同待签", body="请签署", url="/contracts/2/",
                               send_email=False)
    message = notification_email_message(note)
    assert f"{SITE}/contracts/2/" in message.body and "//contracts" not in message.body
    html = message.alternatives[0][0]
    assert f'href="{SITE}/contracts/2/"' in html
    assert relative_links(message.body) == [] and relative_links(html) == []


@override_settings(SITE_URL=SITE)
def test_a_relative_href_in_a_body_is_made_absolute_when_recorded(org):
    note = notification_create(recipient=org.user("staff"), title="t", body='see <a href="/plans/3/">plan</a>',
                               send_email=False)
    assert note.body == f'see <a href="{SITE}/plans/3/">plan</a>'


def test_the_gate_finds_what_a_mail_client_cannot_open():
    assert relative_links('<a href="/contracts/2/">x</a>') == ["/contracts/2/"]
    assert relative_links("open /contracts/2/ now") == ["/contracts/2/"]
    assert relative_links("[plan](/plans/3/)") == ["/plans/3/"]
    assert relative_links(f"open {SITE}/contracts/2/ and 2026/11/26, 1/2, and/or") == []
    assert absolutize_links('<img src="/static/x.png">').startswith('<img src="http')
    assert absolute_url("https://other.example/x/") == "https://other.example/x/"
    assert absolute_url("") == ""
