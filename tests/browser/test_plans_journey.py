"""The monthly plan journey in zh-Hans: file with weights of 90% (refused with the total), fix,
submit; the supervisor returns it with a comment; resubmit; the supervisor confirms; it is locked."""
import pytest
from browser_support import click_nav
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def test_employee_files_plan_supervisor_returns_then_confirms_and_it_locks(org, live_server, page):
    page.set_default_timeout(15000)
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    base = live_server.url
    today = timezone.localdate()
    first, due = today.replace(day=1).isoformat(), today.replace(day=20).isoformat()

    # the employee starts this month's plan and lists two items weighing 50% + 40%
    login(page, base, "staff")
    click_nav(page, "plans_my_plan")
    expect(page.locator("h2")).to_contain_text("工作计划")
    page.click("#start-plan-button")
    expect(page.locator("#plan-status")).to_contain_text("草稿")
    page.fill("#id_items-0-task", "拜访重点客户 20 家")
    page.fill("#id_items-0-expected_result", "拜访记录录入 CRM")
    page.fill("#id_items-0-weight", "50")
    page.fill("#id_items-0-due_date", first)
    page.fill("#id_items-1-task", "完成月度销售额 80 万元")
    page.fill("#id_items-1-expected_result", "回款率不低于 95%")
    page.fill("#id_items-1-weight", "40")
    page.fill("#id_items-1-due_date", due)
    expect(page.locator("#weight-total")).to_have_text("90")
    page.click("#submit-plan")
    flash = page.locator(".flash.error")
    expect(flash).to_contain_text("90%")
    expect(flash).to_contain_text("100%")
    expect(page.locator("#plan-status")).to_contain_text("草稿")

    # fix the weight and submit
    page.fill("#id_items-1-weight", "50")
    expect(page.locator("#weight-total")).to_have_text("100")
    page.click("#submit-plan")
    expect(page.locator("#plan-status")).to_contain_text("已提交")
    plan_url = page.url

    # the direct supervisor returns it with a comment
    login(page, base, "lead")
    click_nav(page, "plans_team")
    page.click("#team-plans a:has-text('孙娜')")
    page.fill("#id_comment", "请把新客户开发落实到具体名单")
    page.click("#return-plan")
    expect(page.locator("#plan-status")).to_contain_text("已退回")

    # the employee sees the comment, revises and resubmits
    login(page, base, "staff")
    page.goto(plan_url)
    expect(page.locator("#return-comment")).to_contain_text("具体名单")
    page.fill("#id_items-1-expected_result", "回款率不低于 95%，新签客户名单见附件")
    page.click("#submit-plan")
    expect(page.locator("#plan-status")).to_contain_text("已提交")

    # the supervisor confirms: the plan is locked
    login(page, base, "lead")
    page.goto(plan_url)
    expect(page.locator("#plan-changes")).to_contain_text("新签客户名单")
    page.click("#confirm-plan")
    expect(page.locator("#plan-status")).to_contain_text("已确认")
    expect(page.locator("#locked-notice")).to_contain_text("锁定")

    # the employee can no longer edit it; the page says who can reopen it
    login(page, base, "staff")
    page.goto(plan_url)
    expect(page.locator("#plan-status")).to_contain_text("已确认")
    expect(page.locator("#plan-form")).to_have_count(0)
    expect(page.locator("#submit-plan")).to_have_count(0)
    expect(page.locator("#locked-notice")).to_contain_text(org.lead.name_zh)
    expect(page.locator("#plan-items tbody tr")).to_have_count(2)
