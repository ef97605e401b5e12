"""Paper in a browser, in zh-Hans: HR prints the appraisal forms of a department (the batch runs in Celery,
eager here, and the page shows the progress and then the download), exports the results from the
calibration page, publishes the performance policy, and an employee acknowledges it from their work list.
Screenshots of the main pages at 1280 and 390 px go to $PAPER_SHOTS when it is set."""
import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, open_cycle, sign  # noqa: E402

from apps.appraisals import services as appraisal_services  # noqa: E402
from apps.core.models import DocumentJob  # noqa: E402
from apps.policy.models import PolicyAcknowledgement  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"
SHOTS = os.environ.get("PAPER_SHOTS", "")


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def shot(page, name):
    if not SHOTS:
        return
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _published(org):
    for emp in (org.staff, org.peer):
        sign(org, emp)
    cycle = open_cycle(org)
    for emp in (org.staff, org.peer):
        a = appraisal_of(emp, cycle)
        enter_actuals(org, a)
        a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=a)
        a = appraisal_services.appraisal_self_assess(actor=org.user("staff" if emp == org.staff else "peer"),
                                                     appraisal=a, comment="完成主要工作",
                                                     lines=direct_entries(a, ["85", "90"]), submit=True)
        a = appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="良好",
                                                       lines=direct_entries(a, ["80", "90"]), submit=True)
        appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    return cycle


def test_forms_batch_results_export_and_the_policy(org, live_server, page):
    cycle = _published(org)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    login(page, base, "hr")
    page.goto(f"{base}/appraisals/cycles/{cycle.pk}/calibration/")
    expect(page.locator("#results-export")).to_be_visible()
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename.endswith(".xlsx")
    page.click("#print-forms")
    page.select_option("select[name=department]", str(org.sales.pk))
    shot(page, "print-form")
    page.click("#print-submit")
    expect(page.locator("#job-progress")).to_have_attribute("data-status", "done", timeout=60000)
    expect(page.locator("#download")).to_contain_text("appraisal-forms-2026-11-SAL.pdf")
    shot(page, "document-job")
    assert DocumentJob.objects.get().total == 2

    page.goto(f"{base}/policy/draft/")
    expect(page.locator("#out-of-date")).to_be_visible()
    page.check("input[name=confirm]")
    page.fill("input[name=note]", "首次发布")
    page.click("#publish")
    expect(page.locator("#version")).to_contain_text("第 1 版")
    shot(page, "policy-hr")

    login(page, base, "staff")
    page.goto(f"{base}/")
    page.click("text=阅读并确认绩效管理制度")
    expect(page.locator("#frequency")).to_contain_text("月度")
    page.click("#acknowledge")
    expect(page.locator("#acknowledged")).to_be_visible()
    shot(page, "policy-employee")
    assert PolicyAcknowledgement.objects.filter(user=org.staff.user).count() == 1

    page.goto(f"{base}/appraisals/{appraisal_of(org.staff, cycle).pk}/")
    expect(page.locator("#form-pdf")).to_be_visible()
    shot(page, "appraisal-with-print")
