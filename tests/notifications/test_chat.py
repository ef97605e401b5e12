"""Chat-app notifications: WeCom, DingTalk (signed) and Feishu (signed) robots get a title, a short text and
the absolute link, posted by Celery after commit; failures are retried, then given up with the answer kept;
a retried task never posts twice; confidential events carry no content."""
import json

import pytest
from chat_server import ChatServer
from django.test import override_settings

from apps.notifications import chat
from apps.notifications.models import ChatDelivery, ChatWebhook, Notification
from apps.notifications.services import (
    chat_deliveries_create,
    chat_delivery_attempt,
    chat_delivery_requeue,
    notification_create,
)

pytestmark = pytest.mark.django_db

SITE = "https://perf.example.com"
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def server():
    s = ChatServer(secret=SECRET)
    with override_settings(CHAT_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], CHAT_WEBHOOK_ALLOW_HTTP=True, SITE_URL=SITE,
                           CHAT_MAX_ATTEMPTS=3, CHAT_WEBHOOKS_FROM_ENV={}):
        yield s
    s.close()


def robots(server, **kw):
    return [
        ChatWebhook.objects.create(name="HR 群", app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key=k1",
                                   is_default=True, **kw),
        ChatWebhook.objects.create(name="钉钉", app="dingtalk", url=f"{server.url}/robot/send?access_token=t1",
                                   secret=SECRET, is_default=True, **kw),
        ChatWebhook.objects.create(name="飞书", app="feishu", url=f"{server.url}/open-apis/bot/v2/hook/h1",
                                   secret=SECRET, is_default=True, **kw),
    ]


def send(django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return notification_create(**kw)


def test_one_reminder_reaches_each_chat_app_with_title_text_and_absolute_link(org, server,
                                                                            django_capture_on_commit_callbacks):
    robots(server)
    note = send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="请提交本月工作计划",
                body="截止日期：11月26日", url="/plans/3/")
    by_path = {r["path"]: r for r in server.requests}
    assert len(server.requests) == 3
    wecom = by_path["/cgi-bin/webhook/send"]["json"]
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("**请提交本月工作计划**")
    assert "截止日期：11月26日" in wecom["markdown"]["content"]
    assert f"]({SITE}/plans/3/)" in wecom["markdown"]["content"]
    ding = by_path["/robot/send"]
    assert ding["signature_ok"] is True and ding["query"]["access_token"] == "t1"
    assert ding["json"]["markdown"]["title"] == "请提交本月工作计划"
    assert f"({SITE}/plans/3/)" in ding["json"]["markdown"]["text"]
    feishu = by_path["/open-apis/bot/v2/hook/h1"]
    assert feishu["signature_ok"] is True
    post = feishu["json"]["content"]["post"]["zh_cn"]
    assert post["title"] == "请提交本月工作计划"
    assert {"tag": "a", "text": "在 PerfCycle 中打开", "href": f"{SITE}/plans/3/"} in post["content"][-1]
    assert set(ChatDelivery.objects.filter(notification=note).values_list("status", flat=True)) == {"sent"}
    d = ChatDelivery.objects.get(notification=note, webhook__app="wecom")
    assert d.payload == wecom and d.attempts == 1 and d.sent_at is not None


def test_a_wrong_signing_secret_is_a_failure_not_a_success(org, server):
    hook = ChatWebhook.objects.create(name="钉钉", app="dingtalk", url=f"{server.url}/robot/send?access_token=t",
                                      secret="wrong", is_default=True)
    note = notification_create(recipient=org.user("staff"), title="x", url="/plans/", send_email=False)
    d = ChatDelivery.objects.create(notification=note, webhook=hook)
    assert chat_delivery_attempt(delivery_id=d.pk) == "retry"
    d.refresh_from_db()
    assert server.requests[0]["signature_ok"] is False
    assert d.status == "pending" and "310000" in d.response_body and d.error == "refused by the chat app"


def test_a_failing_webhook_is_retried_then_given_up_with_the_answer_kept(org, server,
                                                                        django_capture_on_commit_callbacks):
    ChatWebhook.objects.create(name="企微", app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key=k",
                               is_default=True)
    server.script = [(500, {"errcode": -1, "errmsg": "busy"}), (503, {"errmsg": "down"}),
                     (400, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    note = send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="提醒", url="/plans/")
    d = ChatDelivery.objects.get(notification=note)
    assert len(server.requests) == 3  # CHAT_MAX_ATTEMPTS, then no more
    assert d.status == "dead" and d.attempts == 3
    assert d.response_status == 400 and "invalid webhook url" in d.response_body and d.error == "HTTP 400"


def test_a_retry_after_a_transient_failure_posts_once(org, server, django_capture_on_commit_callbacks):
    ChatWebhook.objects.create(name="企微", app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key=k",
                               is_default=True)
    server.script = [(502, {})]
    note = send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="提醒", url="/plans/")
    d = ChatDelivery.objects.get(notification=note)
    assert d.status == "sent" and d.attempts == 2 and len(server.requests) == 2
    # the same task delivered again (acks_late after a worker crash) and the fan-out run again post nothing
    from apps.notifications.tasks import deliver_chat, send_notification_chat

    assert deliver_chat.apply(args=[d.pk]).get() == "skip"
    assert send_notification_chat.apply(args=[note.pk]).get() == 0
    assert chat_deliveries_create(notification_id=note.pk) == []
    assert len(server.requests) == 2 and ChatDelivery.objects.filter(notification=note).count() == 1


def test_an_unreachable_robot_is_recorded(org, server):
    hook = ChatWebhook.objects.create(name="x", app="wecom", url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
                                      is_default=True)
    note = notification_create(recipient=org.user("staff"), title="x", send_email=False)
    d = ChatDelivery.objects.create(notification=note, webhook=hook)
    assert chat_delivery_attempt(delivery_id=d.pk) == "retry"
    d.refresh_from_db()
    assert d.error.startswith("unreachable") and d.response_status is None


def test_hr_sends_a_given_up_delivery_again(org, server, django_capture_on_commit_callbacks):
    hook = ChatWebhook.objects.create(name="企微", app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key=k",
                                      is_default=True)
    note = notification_create(recipient=org.user("staff"), title="x", url="/plans/", send_email=False)
    d = ChatDelivery.objects.create(notification=note, webhook=hook, status="dead", attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        chat_delivery_requeue(actor=org.user("hr"), delivery_id=d.pk)
    d.refresh_from_db()
    assert d.status == "sent" and len(server.requests) == 1


def test_confidential_events_carry_no_content_only_the_link(org, server, django_capture_on_commit_callbacks):
    robots(server)
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="与王经理的绩效面谈：改进计划",
         body="绩效未达标，需要改进", url="/interviews/7/")
    assert len(server.requests) == 3
    for r in server.requests:
        raw = json.dumps(r["json"], ensure_ascii=False)
        assert "王经理" not in raw and "改进" not in raw and "未达标" not in raw
        assert f"{SITE}/interviews/7/" in raw


def test_in_app_only_notifications_and_inactive_recipients_send_nothing(org, server,
                                                                       django_capture_on_commit_callbacks):
    robots(server)
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="demo", send_email=False)
    assert server.requests == [] and not ChatDelivery.objects.exists()


def test_personal_robots_reach_only_their_owner(org, server, django_capture_on_commit_callbacks):
    ChatWebhook.objects.create(name="mine", app="wecom", url=f"{server.url}/cgi-bin/webhook/send?key=mine",
                               owner=org.user("lead"))
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="for staff", url="/plans/")
    assert server.requests == []
    send(django_capture_on_commit_callbacks, recipient=org.user("lead"), title="for lead", url="/plans/")
    assert [r["query"]["key"] for r in server.requests] == ["mine"]


def test_robots_from_the_environment(org, server, django_capture_on_commit_callbacks):
    env = {"wecom": (f"{server.url}/cgi-bin/webhook/send?key=env", ""), "dingtalk": ("", ""), "feishu": ("", "")}
    with override_settings(CHAT_WEBHOOKS_FROM_ENV=env):
        send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t", url="/plans/")
    assert [r["query"]["key"] for r in server.requests] == ["env"]
    assert ChatWebhook.objects.get(env_key="wecom").is_default
    with override_settings(CHAT_WEBHOOKS_FROM_ENV={**env, "wecom": ("", "")}):
        send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t2", url="/plans/")
    assert len(server.requests) == 1 and not ChatWebhook.objects.get(env_key="wecom").is_active


def test_only_the_chat_apps_hosts_are_accepted_for_a_typed_webhook():
    from django.core.exceptions import ValidationError

    good = ChatWebhook(name="a", app="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    good.full_clean()
    for url in ("http://qyapi.weixin.qq.com/cgi-bin/webhook/send", "https://169.254.169.254/latest/",
                "https://intranet.local/robot/send"):
        with pytest.raises(ValidationError):
            ChatWebhook(name="b", app="wecom", url=url).full_clean()


def test_signatures_match_the_vendors_documented_algorithm():
    # DingTalk's documented example shape: base64 of HMAC-SHA256 keyed by the secret
    import base64
    import hashlib
    import hmac

    assert chat.dingtalk_sign("s", 1700000000000) == base64.b64encode(
        hmac.new(b"s", b"1700000000000\ns", hashlib.sha256).digest()).decode()
    assert chat.feishu_sign("s", 1700000000) == base64.b64encode(
        hmac.new(b"1700000000\ns", b"", hashlib.sha256).digest()).decode()
    url, _payload = chat.build_request("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a", "s",
                                       chat.ChatMessage("t", "x", "https://h/p/", "open"), now=1700000000.0)
    from urllib.parse import quote_plus

    assert url.endswith("&timestamp=1700000000000&sign=" + quote_plus(chat.dingtalk_sign("s", 1700000000000)))


def test_notifications_have_no_chat_when_no_robot_is_set_up(org, django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks, recipient=org.user("staff"), title="t", url="/plans/")
    assert Notification.objects.count() == 1 and not ChatDelivery.objects.exists()
