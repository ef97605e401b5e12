"""The appraisal journey in a browser, in zh-Hans: HR opens a cycle; 财务部 uploads actuals with one bad
row and fixes it; HR returns a line, it is re-entered and verified; the employee self-assesses; the
manager scores; HR publishes; the employee sees every score with its explanation ("95.00% ... 75.00")."""
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import sign  # noqa: E402

from apps.appraisals.models import Appraisal, Cycle, ScoreLine  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def upload(page, base, cycle_id, text):
    page.goto(f"{base}/appraisals/actuals/upload/")
    page.select_option("#upload-form select[name=cycle]", str(cycle_id))
    page.set_input_files("#upload-form input[name=file]", files=[
        {"name": "实际值.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.click("#check-file")


def test_appraisal_from_opening_to_published_explanations(org, live_server, page):
    sign(org, org.staff)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})

    # HR opens the cycle of November for the monthly staff
    login(page, base, "hr")
    page.goto(f"{base}/appraisals/cycles/new/")
    page.fill("input[name=period]", "2026-11")
    page.click("#create-cycle")
    expect(page.locator("#cycle-status")).to_have_text("进行中")
    expect(page.locator("#stage-progress")).to_contain_text("实际值提交")
    expect(page.locator("#blocker-list")).to_contain_text("李四")  # no signed contract: listed, not skipped
    cycle = Cycle.objects.get()
    appraisal = Appraisal.objects.get(employee=org.staff)

    # 财务部 uploads the actuals: one bad row, nothing written; the corrected file goes in
    login(page, base, "accountant")
    upload(page, base, cycle.pk, "工号,指标代码,实际值,依据\nS1,SALES-MONTH,1000,销售台账\nS1,PROFIT-MONTH,三百,利润表\n")
    expect(page.locator("#upload-invalid")).to_be_visible()
    expect(page.locator("tr[data-row='3']")).to_contain_text("三百")
    assert not ScoreLine.objects.filter(actual__isnull=False).exists()
    page.set_input_files("#reupload-form input[name=file]", files=[
        {"name": "实际值.csv", "mimeType": "text/csv",
         "buffer": "工号,指标代码,实际值,依据\nS1,SALES-MONTH,1000,销售台账\nS1,PROFIT-MONTH,300,利润表\n".encode()}])
    page.select_option("#reupload-form select[name=cycle]", str(cycle.pk))
    page.click("#reupload-form button[type=submit]")
    page.click("#apply-upload")
    expect(page.locator(".flash").first).to_contain_text("2")

    # HR returns the sales line: the figure does not match the ledger
    login(page, base, "hr")
    page.goto(f"{base}/appraisals/{appraisal.pk}/")
    row = page.locator("tr[data-indicator='SALES-MONTH']")
    row.locator("summary").click()
    row.locator("input[name=reason]").fill("与销售台账不符，请核对")
    row.locator("button[data-return]").click()
    expect(page.locator("tr[data-indicator='SALES-MONTH']")).to_contain_text("与销售台账不符")

    # 财务部 re-enters it on the actuals page
    login(page, base, "accountant")
    page.goto(f"{base}/appraisals/actuals/?status=returned")
    line = page.locator("tr[data-indicator='SALES-MONTH']")
    line.locator("input[name=actual]").fill("1140")
    line.locator("input[name=evidence]").fill("已核对台账")
    line.locator("button[type=submit]").first.click()
    expect(page.locator(".flash").first).to_contain_text("已保存")  # and it leaves the "returned" list
    expect(page.locator("tr[data-indicator='SALES-MONTH']")).to_have_count(0)

    # HR verifies: the ratio lines are scored by the engine
    login(page, base, "hr")
    page.goto(f"{base}/appraisals/{appraisal.pk}/")
    page.click("#verify")
    expect(page.locator("tr[data-indicator='SALES-MONTH']")).to_contain_text("75.00")

    # the employee self-assesses
    login(page, base, "staff")
    page.goto(f"{base}/appraisals/my/")
    scores = page.locator("#self-assessment input[type=number]")
    scores.nth(0).fill("85")
    scores.nth(1).fill("90")
    page.fill("#self-assessment textarea[name=comment]", "本月完成主要客户回访。")
    page.click("#submit-self")
    expect(page.locator("#appraisal-title")).to_contain_text("已自评")

    # the manager (the lead, the appraiser) scores
    login(page, base, "lead")
    page.goto(f"{base}/appraisals/team/")
    page.click(f"a[data-score='{org.staff.employee_no}']")
    scores = page.locator("#manager-scoring input[type=number]")
    scores.nth(0).fill("80")
    scores.nth(1).fill("90")
    page.fill("#manager-scoring textarea[name=comment]", "表现良好，继续保持。")
    page.click("#submit-scores")
    expect(page.locator("#total-score")).to_have_text("85.00")

    # HR publishes the cycle
    login(page, base, "hr")
    page.goto(f"{base}/appraisals/cycles/{cycle.pk}/")
    page.click("#publish-all")
    expect(page.locator(".flash").first).to_contain_text("1")

    # the employee sees the result with every explanation, in Chinese
    login(page, base, "staff")
    page.goto(f"{base}/appraisals/my/")
    expect(page.locator("#locked")).to_be_visible()
    expect(page.locator("#grade")).to_have_text("C")
    sales = page.locator("tr[data-indicator='SALES-MONTH'] td.explanation")
    expect(sales).to_have_text(re.compile(r"95\.00%.*75\.00"))
    expect(sales).to_contain_text("得分")
    expect(page.locator("#total-explanation")).to_contain_text("等级 C")
    expect(page.locator("#manager-comment")).to_contain_text("表现良好")
