"""Browser journey: an employee chooses how notifications reach them (a chat robot, quiet hours, the daily
digest) on a 1280 px screen and a 390 px phone; HR sees the company defaults and a failed chat message.
Screenshots go to $SCREENSHOT_DIR when set."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.notifications.models import ChatDelivery, ChatWebhook, NotificationPreference
from apps.notifications.services import notification_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw-Test-1234"):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")


def shot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_employee_sets_channels_quiet_hours_and_digest(org, live_server, page, width):
    sales = ChatWebhook.objects.create(name="华东销售群", app="wecom", is_default=True,
                                       url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo")
    ChatWebhook.objects.create(name="钉钉通知群", app="dingtalk", secret="SECdemo",
                               url="https://oapi.dingtalk.com/robot/send?access_token=demo")
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    login(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/notifications/")
    page.click("text=设置")
    expect(page.locator("h2")).to_contain_text("通知设置")
    expect(page.locator("label:has-text('华东销售群') input")).to_be_checked()  # HR's default robot
    page.check("label:has-text('钉钉通知群') input")
    page.fill("input[name=quiet_start]", "22:00")
    page.fill("input[name=quiet_end]", "07:30")
    page.check("input[name=digest][value=daily]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"notification-settings-{width}")
    page.click("button[type=submit]:has-text('保存')")
    expect(page.locator("body")).to_contain_text("您的通知设置已保存")
    pref = NotificationPreference.objects.get(user__username="staff")
    assert pref.digest == "daily" and {h.name for h in pref.chat_webhooks.all()} == {"华东销售群", "钉钉通知群"}
    assert sales.is_default


def test_hr_sees_the_defaults_and_a_failed_chat_message(org, live_server, page):
    hook = ChatWebhook.objects.create(name="飞书全员群", app="feishu", is_default=True,
                                      url="https://open.feishu.cn/open-apis/bot/v2/hook/demo")
    note = notification_create(recipient=org.user("staff"), title="请提交本月工作计划", url="/plans/", send_email=False)
    ChatDelivery.objects.create(notification=note, webhook=hook, status="dead", attempts=6, error="HTTP 400",
                                response_status=400, response_body='{"code":19021,"msg":"sign match fail"}')
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
        if width == 1280:
            login(page, live_server.url, "hr")
        page.goto(f"{live_server.url}/notifications/hr/")
        expect(page.locator("h2")).to_contain_text("通知默认设置")
        expect(page.locator("#failed ~ div")).to_contain_text("sign match fail")
        shot(page, f"notification-hr-{width}")
