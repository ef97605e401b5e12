"""Browser journeys of the foundation: log in in Chinese, switch to English."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw-Test-1234"):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")


def test_employee_logs_in_in_chinese_and_switches_to_english(org, live_server, page):
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    login(page, live_server.url, "staff")
    expect(page.locator("h2")).to_contain_text("您好")
    expect(page.locator("nav")).to_contain_text("我的工作")
    page.click("button[data-lang=en]")
    expect(page.locator("h2")).to_contain_text("Hello")
    expect(page.locator("nav")).to_contain_text("My work")
    # "my work" lists what waits (a plan to file, a contract to sign) or says that nothing does
    expect(page.locator("#empty-worklist, ul.worklist").first).to_be_visible()
    # the choice follows the person: log out and in again, still English
    page.click("summary:has-text('孙娜'), summary:has-text('Sun Na')")
    page.click("#logout")
    login(page, live_server.url, "staff")
    expect(page.locator("h2")).to_contain_text(re.compile("Hello"))
