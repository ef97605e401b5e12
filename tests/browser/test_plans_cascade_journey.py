"""The top of the cascade in a browser, in zh-Hans: HR records a strategy, a BSC theme and the annual
plan through the forms, sets the company goal; the manager cascades a department goal and the lead a
position goal below it; the GM approves the company goal one level up (asked to confirm), after which
its edit link is gone; HR archives the theme after a confirmation page. Pages at 1280 and 390 px wide
are saved in /tmp/cascade-shots for review."""
import os

import pytest
from django.utils import timezone
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


def test_strategy_to_position_goal_through_the_forms(org, live_server, page):
    page.set_default_timeout(15000)
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page.on("dialog", lambda d: d.accept())
    base = live_server.url
    year = timezone.localdate().year

    login(page, base, "hr")
    page.goto(f"{base}/plans/strategy/new/")
    page.fill("#id_code", "HX-2030")
    page.fill("#id_name_zh", "华信 2030")
    page.fill("#id_start_year", str(year))
    page.fill("#id_end_year", str(year + 3))
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("article[id^=strategy-]")).to_contain_text("华信 2030")
    page.click("text=添加主题")
    page.fill("#id_name_zh", "客户满意")
    page.select_option("#id_perspective", "customer")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator(".theme-grid")).to_contain_text("客户满意")
    page.click("text=新建年度经营计划")
    page.fill("#id_year", str(year))
    page.fill("#id_name_zh", f"{year}年度经营计划")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("#annual-plans")).to_contain_text(f"{year}年度经营计划")
    shoot(page, "strategy")

    page.goto(f"{base}/plans/goals/new/?year={year}")
    page.fill("#id_name_zh", "客户满意度 90 分")
    page.select_option("#id_owner_kind", "department")
    page.select_option("#id_department", label="公司")
    page.select_option("#id_period_kind", "year")
    page.fill("#id_measure", "满意度")
    page.fill("#id_target", "90")
    page.select_option("#id_theme", label="客户满意")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("#goal-status")).to_contain_text("草稿")
    company_url = page.url

    # the sales manager cascades a department goal; the lead a position goal below it
    login(page, base, "manager")
    page.goto(company_url)
    page.click("text=添加下级目标")
    page.fill("#id_name_zh", "销售部客户满意度 92 分")
    page.select_option("#id_owner_kind", "department")
    page.select_option("#id_department", label="销售部")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("#why-chain")).to_contain_text("客户满意度 90 分")
    dept_url = page.url
    login(page, base, "lead")
    page.goto(dept_url)
    page.click("text=添加下级目标")
    page.fill("#id_name_zh", "销售代表回访率 95%")
    page.select_option("#id_owner_kind", "position")
    page.select_option("#id_position", label="销售代表")
    page.select_option("#id_period_kind", "quarter")
    page.fill("#id_period_index", str((timezone.localdate().month - 1) // 3 + 1))
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator("#why-chain")).to_contain_text("客户满意")  # strategy -> theme -> ... -> position
    expect(page.locator("#why-chain")).to_contain_text("华信 2030")

    # the GM approves the company goal (one level up from HR, who drafted it); it is locked
    login(page, base, "gm")
    page.goto(company_url)
    page.click("#approve-form button")
    expect(page.locator("#goal-status")).to_contain_text("已批准")
    expect(page.locator("#goal-approval")).to_be_visible()
    shoot(page, "goal-approved")
    page.goto(f"{base}/plans/goals/?year={year}")
    expect(page.locator("#goal-tree")).to_contain_text("销售代表回访率 95%")
    shoot(page, "goal-tree")

    # HR archives the theme after a confirmation page
    login(page, base, "hr")
    page.goto(f"{base}/plans/strategy/")
    page.click(".theme-grid >> text=归档")
    expect(page.locator("#archive-confirm")).to_contain_text("客户满意")
    shoot(page, "archive-confirm")
    page.click("#archive-submit")
    expect(page.locator(".theme-grid")).to_contain_text("已归档")
