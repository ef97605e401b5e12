"""Feedback from every source in a browser, in zh-Hans: the manager invites a subordinate (upward),
another manager and an external customer; the subordinate answers from their work list; the manager sees the
other manager's facts attributed and the upward answer held back below the minimum. Screenshots at 1280 and
390 px go to /tmp/cascade-shots."""
import os

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/cascade-shots")


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def shoot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, f"{name} scrolls sideways at {width}"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_manager_invites_every_source_and_reads_facts(org, live_server, page):
    page.set_default_timeout(15000)
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    base = live_server.url
    login(page, base, "manager")
    page.goto(f"{base}/feedback/")
    expect(page.locator("#empty-requests")).to_be_visible()
    page.click("#new-request")
    page.select_option("#id_employee", value=str(org.lead.pk))
    page.click("main form button[type=submit]")
    page.check(f"input[name=subordinates][value='{org.staff.pk}']")
    page.check(f"input[name=managers][value='{org.gm.pk}']")
    page.fill("#id_externals", "刘总, liu@customer.example")
    page.fill("#id_message", "请谈谈 11 月华东大客户项目中的配合情况")
    shoot(page, "feedback-invite")
    page.click("#request-form button[type=submit]")
    expect(page.locator("#upward-hidden")).to_be_visible()
    detail_url = page.url

    login(page, base, "gm")
    page.goto(f"{base}/feedback/asked/")
    page.click("#asked a")
    page.fill("#id_what_happened", "11 月 12 日主动协调财务，提前完成回款对账")
    page.fill("#id_when", "2026-11-12")
    page.fill("#id_effect", "回款提前一周到账")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("main")).to_contain_text("目前没有需要您反馈的内容")

    login(page, base, "staff")
    page.goto(f"{base}/feedback/asked/")
    page.click("#asked a")
    expect(page.locator("main")).to_contain_text("永远不会显示您的姓名")
    page.fill("#id_what_happened", "周会准时，任务交代清楚")
    page.click("#answer-form button[type=submit]")

    login(page, base, "manager")
    page.goto(detail_url)
    expect(page.locator("#answers")).to_contain_text("提前完成回款对账")
    expect(page.locator("#upward-hidden")).to_contain_text("1")
    expect(page.locator("#upward")).not_to_contain_text("周会准时")
    shoot(page, "feedback-detail")
