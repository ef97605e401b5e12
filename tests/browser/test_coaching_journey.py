"""Browser journey of coaching: a manager logs a serious criticism linked to a contract line; the
employee sees it, signs "seen, disagree" with a response; the record shows beside that line in the
performance file (the view the appraisal pages embed with coaching/_line_records.html)."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw-Test-1234"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")


def _contract(org):
    from apps.contracts import services as cs

    lead = org.user("lead")
    c = cs.contract_draft(actor=lead, employee=org.staff, use_template=False)
    c = cs.contract_update(actor=lead, contract=c, results_weight=Decimal(100), behaviour_weight=Decimal(0),
                           plan_weight=Decimal(0))
    sales = cs.contract_line_add(actor=lead, contract=c, title="月度销售额目标完成率", weight=Decimal(60),
                                 target=Decimal(120))
    c.refresh_from_db()
    profit = cs.contract_line_add(actor=lead, contract=c, title="月度利润目标完成率", weight=Decimal(40),
                                  target=Decimal(30))
    return sales, profit


def test_serious_criticism_signed_seen_disagree_shows_beside_its_line(org, live_server, page):
    _sales, profit = _contract(org)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    # the direct manager logs a serious criticism on the profit line
    login(page, base, "lead")
    page.goto(f"{base}/coaching/team/")
    page.locator(f'tr[data-employee="{org.staff.employee_no}"] a:has-text("记录")').click()
    page.select_option("select[name=kind]", "criticism")
    page.select_option("select[name=channel]", "one_to_one")
    page.fill("input[name=summary]", "未经审批给予客户超额折扣")
    page.fill("textarea[name=facts]", "给予经销商 18% 折扣，超出 10% 的权限且未申请审批。")
    page.fill("textarea[name=evidence]", "合同副本")
    page.select_option("select[name=contract_line]", str(profit.pk))
    page.check("input[name=serious]")
    page.click("#save-record")
    expect(page.locator("#sign-status")).to_have_attribute("data-sign-status", "awaiting")
    expect(page.locator("#record-line")).to_contain_text("月度利润目标完成率")

    # the employee is told, sees it and signs "seen, disagree" with a response
    login(page, base, "staff")
    page.get_by_role("link", name="等待您签字的严重辅导记录").click()
    page.get_by_role("link", name="未经审批给予客户超额折扣").click()
    expect(page.locator("#record-facts")).to_contain_text("18% 折扣")
    page.check("input[name=sign-decision][value=disagree]")
    page.click("#sign")  # without a response: refused with a message
    expect(page.locator("#sign-box .errors")).to_be_visible()
    page.check("input[name=sign-decision][value=disagree]")
    page.fill("textarea[name=sign-response]", "折扣是经理口头同意的，有微信记录。")
    page.click("#sign")
    expect(page.locator("#sign-status")).to_have_attribute("data-sign-status", "disagreed")
    expect(page.locator("#notes")).to_contain_text("折扣是经理口头同意的")
    expect(page.locator("#sign-box")).to_have_count(0)

    # the manager's view of the file: the record beside the line it concerns, signed "seen, disagree"
    login(page, base, "lead")
    page.goto(f"{base}/coaching/file/{org.staff.pk}/")
    line_box = page.locator(f'#by-line article[data-line="{profit.pk}"]')
    expect(line_box).to_contain_text("月度利润目标完成率")
    expect(line_box).to_contain_text("未经审批给予客户超额折扣")
    expect(line_box.locator("[data-sign-status]")).to_have_attribute("data-sign-status", "disagreed")
    expect(page.locator('#file-counts [data-count="criticism"]')).to_contain_text(re.compile("1"))
