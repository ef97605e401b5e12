"""Notification settings: each person chooses channels, robots, quiet hours and a daily digest; HR decides
which areas may leave the app by e-mail or chat. Writes are versioned; pages are bilingual; HR only for HR."""
import datetime as dt

import pytest
from chat_server import ChatServer
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from apps.notifications.models import ChatDelivery, ChatWebhook, Notification, NotificationPreference
from apps.notifications.services import (
    notification_create,
    notification_policy_get,
    notification_preference_get,
    quiet_until,
)
from apps.notifications.tasks import send_digests

pytestmark = pytest.mark.django_db

SITE = "https://perf.example.com"


@pytest.fixture
def server():
    s = ChatServer()
    with override_settings(CHAT_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], CHAT_WEBHOOK_ALLOW_HTTP=True, SITE_URL=SITE,
                           CHAT_WEBHOOKS_FROM_ENV={}):
        yield s
    s.close()


def robot(server, name="销售群", default=True):
    return ChatWebhook.objects.create(name=name, app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key={name}",
                                      is_default=default)


def send(capture, **kw):
    with capture(execute=True):
        return notification_create(**kw)


def save_settings(c, **overrides):
    data = {"version": 0, "email": "on", "chat": "on", "digest": "off", "quiet_start": "", "quiet_end": ""}
    data.update(overrides)
    return c.post("/notifications/settings/", {k: v for k, v in data.items() if v is not None})


def test_the_settings_page_saves_choices_and_refuses_a_stale_version(org, client_for, server):
    a, b = robot(server, "销售群"), robot(server, "全员群", default=False)
    c = client_for(org.user("staff"))
    page = c.get("/notifications/settings/").content.decode()
    assert "通知设置" in page and "销售群" in page and "全员群" in page
    r = save_settings(c, chat_webhooks=[b.pk], digest="daily", quiet_start="22:00", quiet_end="07:30")
    assert r.status_code == 302
    pref = NotificationPreference.objects.get(user=org.user("staff"))
    assert list(pref.chat_webhooks.all()) == [b] and pref.digest == "daily" and pref.version == 1
    assert pref.quiet_start == dt.time(22, 0) and pref.quiet_end == dt.time(7, 30)
    stale = save_settings(c, email=None, version=0)  # a second tab still shows version 0
    assert stale.status_code == 200 and "刷新页面" in stale.content.decode()
    assert NotificationPreference.objects.get(user=org.user("staff")).email is True
    assert NotificationPreference.objects.get(user=org.user("staff")).version == 1
    assert a.pk not in [h.pk for h in pref.chat_webhooks.all()]


def test_bad_input_is_a_form_error_not_a_500(org, client_for, server):
    c = client_for(org.user("staff"))
    r = save_settings(c, quiet_start="22:00", quiet_end="")
    assert r.status_code == 200 and "安静时段" in r.content.decode()
    r = save_settings(c, quiet_start="25:99", quiet_end="07:00")
    assert r.status_code == 200
    personal = ChatWebhook.objects.create(name="别人的", app="wecom", url=f"{server.url}/x", owner=org.user("lead"))
    r = save_settings(c, chat_webhooks=[personal.pk])
    assert r.status_code == 200 and not NotificationPreference.objects.filter(user=org.user("staff")).exists()


def test_english_page(org, client_for):
    from apps.accounts.models import UserPreference

    UserPreference.objects.update_or_create(user=org.user("staff"), defaults={"language": "en"})
    c = client_for(org.user("staff"))
    c.cookies["django_language"] = "en"
    page = c.get("/notifications/settings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Notification settings" in page and "Quiet hours" in page


def test_chosen_robots_and_chat_off_are_respected(org, client_for, server, django_capture_on_commit_callbacks):
    robot(server, "销售群")
    mine = robot(server, "我的群", default=False)
    c = client_for(org.user("staff"))
    save_settings(c, chat_webhooks=[mine.pk])
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t", url="/plans/")
    assert [r["query"]["key"] for r in server.requests] == ["我的群"]
    save_settings(c, chat=None, version=1)
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t2", url="/plans/")
    assert len(server.requests) == 1


def test_email_off_sends_no_email_and_nothing_to_retry(org, client_for, django_capture_on_commit_callbacks):
    save_settings(client_for(org.user("staff")), email=None)
    note = send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t", url="/plans/")
    assert mail.outbox == []
    note.refresh_from_db()
    assert note.send_email is False and Notification.objects.get(pk=note.pk).emailed_at is None


def test_hr_keeps_an_area_in_the_app(org, client_for, server, django_capture_on_commit_callbacks):
    robot(server)
    hr = client_for(org.user("hr"))
    page = hr.get("/notifications/hr/").content.decode()
    assert "通知默认设置" in page and "销售群" in page
    data = {"version": 1, "default_digest": "off"}
    for area in ("plans", "contracts", "appraisals", "interviews", "coaching", "appeals", "results", "pay", "other"):
        data[f"{area}_email"] = "on"
        data[f"{area}_chat"] = "on"
    del data["contracts_chat"], data["coaching_email"]
    assert hr.post("/notifications/hr/", data).status_code == 302
    assert notification_policy_get().version == 2
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="合同", url="/contracts/1/")
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="辅导", url="/coaching/1/")
    assert [r["json"]["markdown"]["content"].split("**")[1] for r in server.requests] == ["辅导"]
    assert [m.subject for m in mail.outbox] == ["合同"]
    staff_page = client_for(org.user("staff")).get("/notifications/settings/").content.decode()
    assert "HR 规定以下内容只在应用内通知：" in staff_page and "KPI 合同 (聊天)" in staff_page
    assert hr.post("/notifications/hr/", data).status_code == 200  # stale version: refused, form shown again
    assert notification_policy_get().version == 2


def test_hr_pages_are_hr_only(org, client_for):
    c = client_for(org.user("staff"))
    assert c.get("/notifications/hr/").status_code == 404
    assert c.post("/notifications/hr/", {"version": 1, "default_digest": "daily"}).status_code == 404
    assert c.post("/notifications/hr/failed/1/retry/").status_code == 404
    assert notification_policy_get().default_digest == "off"


def test_hr_sees_failed_deliveries_without_confidential_titles_and_sends_again(org, client_for, server):
    hook = robot(server)
    plain = notification_create(recipient=org.user("staff"), title="计划提醒", url="/plans/", send_email=False)
    secret = notification_create(recipient=org.user("staff"), title="面谈：改进计划", url="/interviews/3/",
                                 send_email=False)
    ChatDelivery.objects.create(notification=plain, webhook=hook, status="dead", attempts=6, error="HTTP 500",
                                response_body='{"errmsg":"busy"}')
    d2 = ChatDelivery.objects.create(notification=secret, webhook=hook, status="dead", attempts=6, error="HTTP 400")
    hr = client_for(org.user("hr"))
    page = hr.get("/notifications/hr/").content.decode()
    assert "计划提醒" in page and "busy" in page and "面谈：改进计划" not in page and "（保密）" in page
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert hr.post(f"/notifications/hr/failed/{d2.pk}/retry/").status_code == 302
    d2.refresh_from_db()
    assert d2.status == "sent" and len(server.requests) == 1


def test_daily_digest_gathers_messages_into_one_email(org, client_for, django_capture_on_commit_callbacks):
    with override_settings(SITE_URL=SITE):
        save_settings(client_for(org.user("staff")), digest="daily")
        send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="第一条", url="/plans/1/")
        send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="第二条", url="/contracts/2/")
        send(django_capture_on_commit_callbacks, recipient=org.user("lead"), title="主管的", url="/plans/")
        assert [m.to for m in mail.outbox] == [["lead@example.com"]]
        assert send_digests.apply().get() == 2
        assert send_digests.apply().get() == 0  # each goes out once
    digest = mail.outbox[1]
    assert digest.to == ["staff@example.com"] and "2" in digest.subject
    assert f"{SITE}/plans/1/" in digest.body and f"{SITE}/contracts/2/" in digest.body and "第二条" in digest.body
    from apps.notifications.links import relative_links

    assert relative_links(digest.body) == [] and relative_links(digest.alternatives[0][0]) == []


def test_quiet_hours_hold_chat_messages_until_they_end(org, monkeypatch):
    pref = NotificationPreference(user=org.user("staff"), quiet_start=dt.time(22), quiet_end=dt.time(7, 30))
    tz = timezone.get_current_timezone()
    late = timezone.make_aware(dt.datetime(2026, 12, 7, 23, 15), tz)
    early = timezone.make_aware(dt.datetime(2026, 12, 8, 6, 0), tz)
    noon = timezone.make_aware(dt.datetime(2026, 12, 8, 12, 0), tz)
    assert quiet_until(pref, late) == timezone.make_aware(dt.datetime(2026, 12, 8, 7, 30), tz)
    assert quiet_until(pref, early) == timezone.make_aware(dt.datetime(2026, 12, 8, 7, 30), tz)
    assert quiet_until(pref, noon) is None
    day = NotificationPreference(user=org.user("staff"), quiet_start=dt.time(12), quiet_end=dt.time(14))
    assert quiet_until(day, noon) == timezone.make_aware(dt.datetime(2026, 12, 8, 14, 0), tz)


def test_a_chat_message_in_quiet_hours_waits_until_they_end(org, server, client_for,
                                                                 django_capture_on_commit_callbacks):
    from apps.notifications import tasks

    robot(server)
    now = timezone.localtime()
    start = (now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    save_settings(client_for(org.user("staff")), quiet_start=start.strftime("%H:%M"), quiet_end=end.strftime("%H:%M"),
                  chat_webhooks=[ChatWebhook.objects.get().pk])
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t", url="/plans/")
    d = ChatDelivery.objects.get()
    assert server.requests == [] and d.status == "pending" and d.not_before > timezone.now()
    assert tasks.retry_stuck_chat_deliveries.apply().get() == 0  # still quiet: nothing sent
    assert tasks.deliver_chat.apply(args=[d.pk]).get() == "skip"
    ChatDelivery.objects.filter(pk=d.pk).update(not_before=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.retry_stuck_chat_deliveries.apply().get() == 1  # the hours are over: the beat job sends it
    d.refresh_from_db()
    assert d.status == "sent" and len(server.requests) == 1


def test_defaults_without_saved_choices(org):
    pref = notification_preference_get(user=org.user("staff"))
    assert pref.pk is None and pref.email and pref.chat and pref.digest == "off"


def test_api_settings_are_versioned_and_validated(org, api_for):
    c = api_for(org.user("staff"))
    got = c.get("/api/v1/notifications/settings/").json()
    assert got["version"] == 0 and got["email"] is True and got["digest"] == "off"
    body = {"email": False, "chat": True, "chat_webhooks": [], "digest": "daily", "quiet_start": "22:00",
            "quiet_end": "07:00", "version": 0}
    r = c.put("/api/v1/notifications/settings/", body, format="json")
    assert r.status_code == 200 and r.json()["version"] == 1 and r.json()["digest"] == "daily"
    assert c.put("/api/v1/notifications/settings/", body, format="json").status_code == 409  # stale
    assert c.put("/api/v1/notifications/settings/", {**body, "version": None}, format="json").status_code == 400
    bad = c.put("/api/v1/notifications/settings/", {**body, "version": 1, "quiet_end": None}, format="json")
    assert bad.status_code == 400 and NotificationPreference.objects.get(user=org.user("staff")).version == 1
    assert c.put("/api/v1/notifications/settings/", {**body, "version": 1, "chat_webhooks": [999]},
                 format="json").status_code == 400


def test_api_defaults_are_hr_only_and_versioned(org, api_for):
    assert api_for(org.user("staff")).get("/api/v1/notifications/defaults/").status_code == 404
    assert api_for(org.user("staff")).put("/api/v1/notifications/defaults/", {}, format="json").status_code == 404
    hr = api_for(org.user("hr"))
    got = hr.get("/api/v1/notifications/defaults/").json()
    assert got["rules"]["contracts"] == {"email": True, "chat": True}
    body = {"rules": {"contracts": {"email": True, "chat": False}}, "default_digest": "off", "version": got["version"]}
    r = hr.put("/api/v1/notifications/defaults/", body, format="json")
    assert r.status_code == 200 and r.json()["rules"]["contracts"]["chat"] is False
    assert hr.put("/api/v1/notifications/defaults/", body, format="json").status_code == 409
    unknown = hr.put("/api/v1/notifications/defaults/", {**body, "version": r.json()["version"],
                                                          "rules": {"bogus": {"email": False}}}, format="json")
    assert unknown.status_code == 400


def test_hr_adds_and_switches_robots_in_the_product(org, client_for):
    hr = client_for(org.user("hr"))
    r = hr.post("/notifications/hr/robots/", {"name": "华东销售群", "app": "dingtalk", "is_default": "on",
                                               "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
                                               "secret": "SECabc"})
    assert r.status_code == 302
    hook = ChatWebhook.objects.get(name="华东销售群")
    assert hook.is_default and hook.secret == "SECabc" and hook.owner is None
    from apps.core.models import AuditEvent

    assert "abc" not in str(AuditEvent.objects.filter(action="notifications.chat_webhook_create").values().get())
    bad = hr.post("/notifications/hr/robots/", {"name": "内网", "app": "wecom", "url": "https://10.0.0.5/hook"})
    assert bad.status_code == 200 and "只允许使用聊天应用自己的 Webhook 地址" in bad.content.decode()
    assert not ChatWebhook.objects.filter(name="内网").exists()
    assert hr.post(f"/notifications/hr/robots/{hook.pk}/", {"is_active": "0", "is_default": "1",
                                                           "version": 1}).status_code == 302
    hook.refresh_from_db()
    assert not hook.is_active and hook.version == 2
    hr.post(f"/notifications/hr/robots/{hook.pk}/", {"is_active": "1", "is_default": "1", "version": 1})  # stale
    hook.refresh_from_db()
    assert not hook.is_active
    staff = client_for(org.user("staff"))
    assert staff.post("/notifications/hr/robots/", {"name": "x", "app": "wecom",
                                                     "url": "https://qyapi.weixin.qq.com/x"}).status_code == 404
    assert staff.post(f"/notifications/hr/robots/{hook.pk}/", {"is_active": "1", "version": 2}).status_code == 404
