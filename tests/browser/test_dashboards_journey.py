"""Browser journey of the executive dashboard: the general manager opens the dashboards, drills from the
company into 销售部 and sees its score histogram and grade distribution drawn. (The calibration half of
this journey comes with calibration.)"""
import datetime as dt
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "dashboards"))
from browser_support import click_nav
from dashboard_helpers import open_cycle, score, sign  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _scored_cycle(org):
    from apps.appraisals.models import Appraisal
    from apps.dashboards import services
    from apps.org import services as org_services

    team = [org.staff, org.peer]
    for i in range(4):
        team.append(org_services.employee_create(
            actor=org.actor, employee_no=f"R{i}", name_zh=f"销售代表{i}", email=f"r{i}@example.com",
            department=org.sales_east, position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2025, 1, 1),
            username=f"rep{i}", password="pw-Test-1234"))
    for e in team:
        sign(org, e)
    cycle = open_cycle(org, period="2026-11")
    for i, e in enumerate(team):
        score(org, Appraisal.objects.get(cycle=cycle, employee=e), sales=str(1000 + 60 * i), manager=str(70 + 5 * i))
    services.cycle_rollup(cycle_id=cycle.pk)
    return cycle


def _chart_points(page, canvas_id: str) -> int:
    page.wait_for_function("(id) => window.Chart && Chart.getChart(document.getElementById(id))", arg=canvas_id)
    return page.evaluate(
        "(id) => { const c = Chart.getChart(document.getElementById(id)); "
        "return c ? c.data.datasets[0].data.reduce((a, b) => a + (Number(b) || 0), 0) : -1; }", canvas_id)


def test_an_executive_drills_from_the_company_into_sales_and_sees_the_distributions(org, live_server, page):
    _scored_cycle(org)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "gm")
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")

    click_nav(page, "dashboards")
    expect(page.locator("#dash-title")).to_have_text("公司")
    expect(page.locator("#kpi-headcount")).to_have_text("6")
    assert _chart_points(page, "chart-histogram") == 6

    # company -> 公司 (the root department) -> 销售部
    page.locator("#drill-table a.drill-link", has_text="公司").click()
    page.locator("#drill-table a.drill-link", has_text="销售部").click()
    expect(page.locator("#dash-title")).to_have_text("销售部")
    expect(page.locator("#dash-breadcrumb")).to_contain_text("公司")
    expect(page.locator("#kpi-headcount")).to_have_text("6")

    # the histogram and the grade distribution are drawn, with everyone in them
    expect(page.locator("#card-histogram canvas")).to_be_visible()
    expect(page.locator("#card-grades canvas")).to_be_visible()
    assert _chart_points(page, "chart-histogram") == 6
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-grades'))")
    shares = page.evaluate("() => Chart.getChart(document.getElementById('chart-grades')).data.datasets[0].data")
    assert round(sum(shares)) == 100
    expect(page.locator("#card-grades .grade-legend")).to_contain_text("B")
    # and the drill goes on to 华东销售处, where the six people are
    expect(page.locator("#drill-table")).to_contain_text("华东销售处")
