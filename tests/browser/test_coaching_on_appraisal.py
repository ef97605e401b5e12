"""The performance file on the manager's scoring page, in a browser: a serious criticism record linked
to a contract line shows beside that line (with its signature status) while the manager scores."""
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import PERIOD, appraisal_of, direct_entries, enter_actuals, line, open_cycle, sign  # noqa: E402

from apps.appraisals import services  # noqa: E402
from apps.coaching import services as coaching_services  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw-Test-1234"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def test_the_scoring_page_shows_the_serious_record_beside_its_line(org, live_server, page):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, lines=direct_entries(a, ["85", "90"]),
                                   submit=True)
    profit, sales = line(a, "PROFIT-MONTH"), line(a, "SALES-MONTH")
    coaching_services.record_create(
        actor=org.user("lead"), employee=org.staff, kind="criticism", channel="one_to_one",
        summary="未经审批给予客户超额折扣", facts="给予经销商 18% 折扣，超出 10% 的权限。", period=PERIOD,
        contract_line=profit.contract_line, serious=True)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    login(page, base, "lead")
    page.goto(f"{base}/appraisals/{a.pk}/")
    expect(page.locator("#manager-scoring")).to_be_visible()
    profit_row = page.locator(f'tr[data-line="{profit.pk}"]')
    expect(profit_row).to_contain_text("未经审批给予客户超额折扣")
    expect(profit_row.locator("[data-sign-status]")).to_have_attribute("data-sign-status", "awaiting")
    expect(page.locator(f'tr[data-line="{sales.pk}"]')).not_to_contain_text("未经审批给予客户超额折扣")
    page.click("#performance-file-link")
    expect(page).to_have_url(f"{base}/coaching/file/{org.staff.pk}/?period={PERIOD}")
