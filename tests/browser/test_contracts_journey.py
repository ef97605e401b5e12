"""Browser journey of KPI contracts: a manager drafts a contract for a report from a template, the
employee proposes another target, the manager agrees, both sign, the PDF downloads; a contract whose
weights total 90% cannot be signed and says why."""
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DECK = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}


def _template(org):
    from apps.contracts import services
    from apps.contracts.models import Indicator

    services.indicator_library_seed(actor=org.actor)
    ind = {i.code: i for i in Indicator.objects.all()}
    return services.template_create(
        actor=org.actor, code="TPL-REP", name_zh="销售代表模板", name_en="Sales rep template", job_level=org.level_s,
        results_weight=Decimal(70), behaviour_weight=Decimal(30), lines=[
            {"section": "results", "indicator": ind["SALES-MONTH"], "weight": 60, "target": 1200, "unit": "万元",
             "standard": "月销售额 1200 万元", "rule": DECK, "data_source": org.finance},
            {"section": "results", "indicator": ind["PROFIT-MONTH"], "weight": 40, "target": 300, "unit": "万元",
             "standard": "月利润额 300 万元", "rule": DECK, "data_source": org.finance},
            {"section": "behaviour", "indicator": ind["BEH-TEAMWORK"], "weight": 100, "standard": "主动配合团队",
             "rule": {"kind": "direct", "min": 0, "max": 100}},
        ])


def _login(browser, base, username):
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()
    return page


def _draft_for(page, base, employee, template):
    page.goto(f"{base}/contracts/new/")
    page.select_option("select[name=employee]", str(employee.pk))
    page.select_option("select[name=template]", str(template.pk))
    page.click("#create-draft")
    expect(page.locator("[data-status=draft]").first).to_be_visible()
    return page.url


def test_draft_negotiate_sign_and_download(org, live_server, browser, tmp_path):
    template = _template(org)
    base = live_server.url
    manager = _login(browser, base, "lead")
    url = _draft_for(manager, base, org.staff, template)
    expect(manager.locator("#lint")).to_contain_text("没有错误")  # no errors; the goal warnings show
    manager.click("#propose")
    expect(manager.locator(".contract-head [data-status=proposed]")).to_be_visible()

    employee = _login(browser, base, "staff")
    employee.goto(url)
    target = employee.get_by_label("月度销售额目标完成率 · 目标值")
    expect(target).to_have_value("1200")
    target.fill("1100")
    employee.fill("textarea[name=comment]", "华东市场本月有展会，1100 万元更现实")
    employee.click("#send-change")
    expect(employee.locator(".contract-head [data-status=returned]")).to_be_visible()

    manager.goto(url)
    expect(manager.locator("#open-change")).to_contain_text("1100")
    manager.click("#accept-change")
    expect(manager.locator(".contract-head [data-status=proposed]")).to_be_visible()
    expect(manager.locator("table[data-section=results]")).to_contain_text("1100 万元")
    manager.click("#sign")
    expect(manager.locator("#signed-by-me")).to_be_visible()

    employee.goto(url)
    employee.click("#sign")
    expect(employee.locator(".contract-head [data-status=agreed]")).to_be_visible()
    expect(employee.locator("#signatures")).to_contain_text("SHA-256")
    with employee.expect_download() as info:
        employee.click("#download-pdf")
    path = tmp_path / "contract.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert re.search(r"kpi-contract-S1-\d{4}-\d{2}-v1\.pdf", info.value.suggested_filename)


def test_weights_totalling_90_cannot_be_signed_and_say_why(org, live_server, browser):
    template = _template(org)
    base = live_server.url
    manager = _login(browser, base, "lead")
    _draft_for(manager, base, org.peer, template)
    # the sales line weighs 50 instead of 60: the results lines total 90%
    weight = manager.locator("[data-line='1'] input[name$='-weight']")
    weight.fill("50")
    weight.blur()
    expect(manager.locator("#lint")).to_contain_text("90%")  # the live check, before saving
    manager.click("#save-contract")
    expect(manager.locator("#lint li.error")).to_contain_text("90%")
    manager.click("#propose")
    manager.click("#sign")
    flash = manager.locator(".flash.error")
    expect(flash).to_contain_text("不能签署")
    expect(flash).to_contain_text("90%")
    expect(manager.locator(".contract-head [data-status=proposed]")).to_be_visible()
    expect(manager.locator("#signed-by-me")).to_have_count(0)
