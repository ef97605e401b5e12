"""Pay in a browser, in zh-Hans: HR sets the coefficients, computes the run and submits it; the general
manager approves; finance downloads the payroll export and its totals equal the run's; a manager proposes a
raise within the budget bar. Screenshots at 1280 and 390 px go to $PAY_SHOTS when it is set."""
import io
import os
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pay"))
from pay_helpers import make_finance, published_cycle, set_pay  # noqa: E402

from apps.contracts.models import Indicator  # noqa: E402
from apps.pay import services  # noqa: E402
from apps.pay.models import BudgetKind, PayoutRun, PoolKind, SalaryProposal  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"
CELLS = {g: [["2", "4"]] * 4 for g in ("S", "A", "B", "C", "D")}


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def shoot(page, name):
    folder = os.environ.get("PAY_SHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
        # the page's own content fits (the shared top bar is the layout's, not this page's)
        assert page.evaluate("document.querySelector('main').scrollWidth") <= width, f"{name} overflows at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_pay_from_coefficients_to_the_payroll_file(org, live_server, page):
    cycle = published_cycle(org, {org.staff: "A", org.peer: "C"})
    set_pay(org, org.staff, "3000.00", "10000.00", ("8000", "10000", "12000"))
    set_pay(org, org.peer, "2555.55", "9000.00", ("8000", "10000", "12000"))
    make_finance(org)
    services.team_rule_save(actor=org.user("hr"), department=org.sales_east, min_growth_pct="10",
                            indicator=Indicator.objects.get(code="SALES-MONTH"), pool_kind=PoolKind.FIXED,
                            pool_amount="900")
    [result] = services.team_reward_evaluate(actor=org.user("hr"), cycle=cycle)  # no previous period: not reached
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page.on("dialog", lambda d: d.accept())

    # HR sets the coefficients and computes the run
    login(page, base, "hr")
    page.goto(f"{base}/pay/cycles/{cycle.pk}/")
    for grade, value in (("S", "1.5"), ("A", "1.2"), ("B", "1.0"), ("C", "0.8"), ("D", "0")):
        page.fill(f"input[name=c-{grade}]", value)
    page.click("#save-coefficients")
    expect(page.locator(".flash")).to_contain_text("已保存")
    page.select_option("#budget-form select[name=b-department]", str(org.sales.pk))
    page.select_option("#budget-form select[name=b-kind]", "payout")
    page.fill("#budget-form input[name=b-amount]", "5000")
    page.click("#budget-form button")
    page.goto(f"{base}/pay/runs/")
    page.click("#compute button")
    expect(page.locator("#run-total")).to_have_text("5644.44")
    expect(page.locator('#lines tr[data-employee="S1"]')).to_contain_text("3600.00")
    expect(page.locator("#budgets .bar.over")).to_have_count(1)  # 5644.44 of 5000
    shoot(page, "run-hr")
    page.click("#submit")
    expect(page.locator("#run-status")).to_contain_text("已提交审批")

    # the general manager sees totals only and approves
    login(page, base, "gm")
    page.goto(f"{base}/pay/runs/")
    page.locator("#runs a").first.click()
    expect(page.locator("#lines")).to_have_count(0)
    shoot(page, "run-gm")
    page.click("#approve")
    expect(page.locator("#run-status")).to_contain_text("已批准")

    # finance downloads the payroll export; its totals equal the run's
    login(page, base, "accountant")
    run = PayoutRun.objects.get()
    page.goto(f"{base}/pay/runs/{run.pk}/")
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert Decimal(str(rows[-1][9])) == run.total == Decimal("5644.44")

    # a manager proposes a raise within the budget bar
    hr = org.user("hr")
    services.merit_matrix_set(actor=hr, cycle=cycle, cells=CELLS, effective_date="2027-01-01")
    services.budget_set(actor=hr, cycle=cycle, department=org.sales, kind=BudgetKind.RAISE, amount_value="500")
    login(page, base, "lead")
    page.goto(f"{base}/pay/proposals/")
    page.select_option("select[name=employee]", str(org.staff.pk))
    page.fill("input[name=increase_pct]", "3")
    page.click("#propose")
    expect(page.locator('#proposals tr[data-employee="S1"]')).to_be_visible()
    expect(page.locator("#budget-bars")).to_contain_text("已用 300.00，剩余 200.00")
    assert SalaryProposal.objects.get().increase_amount == Decimal("300.00")
    shoot(page, "proposals-lead")

    # the team page: open to the team
    login(page, base, "staff")
    page.goto(f"{base}/pay/teams/")
    shoot(page, "teams-staff")
    page.click(f'a[href="/pay/teams/{result.pk}/"]')
    expect(page.locator("#team-total")).to_have_text("2280")  # 1140 + 1140, no previous period to beat
    shoot(page, "team-staff")
