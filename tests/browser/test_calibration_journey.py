"""Calibration in a browser (zh-Hans): HR opens the cycle's calibration page, sees 华东销售处's grade
distribution, moves a person's grade with a written reason and sees it marked calibrated (the score
unchanged); the employee's appraisal page shows the calibrated grade once published."""
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, open_cycle, sign  # noqa: E402

from apps.appraisals import services  # noqa: E402
from apps.appraisals.models import Appraisal  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, base, username, password="pw-Test-1234"):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def _scored(org, cycle, employee, username):
    a = appraisal_of(employee, cycle)
    enter_actuals(org, a)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    a = services.appraisal_self_assess(actor=org.user(username), appraisal=a, lines=direct_entries(a, ["90", "90"]),
                                       submit=True)
    return services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, lines=direct_entries(a, ["90", "85"]), comment="表现良好",
                                            submit=True)


def test_hr_moves_a_grade_with_a_reason_and_sees_it_calibrated(org, live_server, page):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    a = _scored(org, cycle, org.staff, "staff")
    _scored(org, cycle, org.peer, "peer")
    services.cycle_quotas_set(actor=org.user("hr"), cycle=cycle, quotas=[
        {"grades": ["S", "A"], "limit": "at_most", "percent": 20, "is_hard": True},
        {"grades": ["D"], "limit": "at_least", "percent": 5, "is_hard": False}])
    score, grade = a.total_score, a.grade
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    login(page, base, "hr")
    page.goto(f"{base}/appraisals/cycles/{cycle.pk}/")
    page.click("#cycle-calibration")
    row = page.locator(f'#distribution tr[data-department="{org.sales_east.pk}"]')
    expect(row).to_contain_text("华东销售处")
    expect(row.locator("td").nth(1)).to_have_text("2")

    person = page.locator(f'#people tr[data-appraisal="{a.pk}"]')
    person.locator("select[name=grade]").select_option("C")
    person.locator("input[name=reason]").fill("与同级横向比较后下调一档")
    person.locator(f'button[data-move="{a.pk}"]').click()
    person = page.locator(f'#people tr[data-appraisal="{a.pk}"]')
    expect(person.locator("[data-final-grade]")).to_have_text("C")
    expect(person.locator("[data-calibrated]")).to_contain_text("已校准")
    expect(person.locator("[data-calibrated]")).to_contain_text("与同级横向比较后下调一档")
    expect(row.locator('td[data-grade="C"]')).to_contain_text("1")
    a = Appraisal.objects.get(pk=a.pk)
    assert (a.total_score, a.grade, a.calibrated_grade) == (score, grade, "C")

    # the appraisal page shows the calibrated grade and that it was calibrated
    page.goto(f"{base}/appraisals/{a.pk}/")
    expect(page.locator("#grade")).to_have_text("C")
    expect(page.locator("#calibrated")).to_contain_text("与同级横向比较后下调一档")
