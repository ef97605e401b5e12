"""An appeal in a browser, in zh-Hans: the employee appeals one line of the published result with evidence;
HR accepts it and asks the manager; the manager answers; HR partly upholds it and corrects the actual; the
employee sees the new score with its explanation and opens the decision letter. The pages fit 1280 and 390 px
(screenshots are written where APPEALS_SCREENSHOTS points, for people to look at)."""
import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, line, open_cycle, sign  # noqa: E402

from apps.appeals.models import Appeal  # noqa: E402
from apps.appraisals import services as appraisal_services  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"
SHOTS = os.environ.get("APPEALS_SCREENSHOTS", "")


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def shoot(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _published(org):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    a = appraisal_services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="完成主要工作",
                                                 lines=direct_entries(a, ["85", "90"]), submit=True)
    a = appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好",
                                                   lines=direct_entries(a, ["80", "90"]), submit=True)
    return appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)


def test_employee_appeals_hr_asks_manager_answers_hr_corrects(org, live_server, page, tmp_path):
    a = _published(org)
    sales = line(a, "SALES-MONTH")
    old_score = str(sales.score)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    evidence = tmp_path / "销售合同.pdf"
    evidence.write_bytes(b"%PDF-1.4\n" + b"0" * 400)

    # the employee appeals the sales line from the appraisal page
    login(page, base, "staff")
    page.goto(f"{base}/appraisals/{a.pk}/")
    expect(page.locator("#appeal-panel")).to_contain_text("申诉")
    page.click("#file-appeal")
    page.check(f"input[name=lines][value='{sales.pk}']")
    page.fill("textarea[name=reasons]", "财务台账漏记了月底签约的一笔 60 万元订单")
    page.fill("textarea[name=outcome_asked]", "按 1200 万元重新计分")
    page.set_input_files("input[name=files]", str(evidence))
    page.click("#submit-appeal")
    expect(page.locator(".flash")).to_contain_text("申诉已提交")
    expect(page.locator("#contested")).to_contain_text("销售合同.pdf")
    appeal = Appeal.objects.get()
    shoot(page, "employee-appeal")

    # HR accepts it and asks the manager
    login(page, base, "hr")
    page.goto(f"{base}/appeals/hr/")
    expect(page.locator(f'[data-appeal="{appeal.pk}"]')).to_be_visible()
    shoot(page, "hr-queue")
    page.click(f'[data-appeal="{appeal.pk}"] a')
    page.check("input[name=accept][value='1']")
    page.click("#triage-submit")
    expect(page.locator(".flash")).to_contain_text("受理审查已记录")
    page.select_option("select[name=addressee]", "manager")
    page.fill("#request-info textarea[name=question]", "这笔订单是否在考核期内签约？")
    page.fill("textarea[name=shared_with_manager]", "员工认为销售额漏记一笔订单")
    page.click("#request-submit")
    expect(page.locator(".flash")).to_contain_text("问询已发送")

    # the manager sees only what HR shares, and answers
    login(page, base, "lead")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    expect(page.locator("#shared")).to_contain_text("员工认为销售额漏记一笔订单")
    expect(page.locator("body")).not_to_contain_text("60 万元订单")
    page.fill("#requests textarea", "已核实，确属漏记")
    page.click("[data-answer-submit]")
    expect(page.locator(".flash")).to_contain_text("答复已发送")

    # HR partly upholds and corrects the actual
    login(page, base, "hr")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    expect(page.locator("#requests")).to_contain_text("已核实，确属漏记")
    page.check("input[name=outcome][value=partly]")
    page.fill("#decide textarea[name=reasons]", "订单属实，销售额更正为 1200 万元")
    page.fill(f"input[name=line_{sales.pk}]", "1200")
    page.check("input[name=confirm]")
    page.click("#decide-submit")
    expect(page.locator(".flash")).to_contain_text("申诉已作出决定")
    page.goto(f"{base}/appeals/hr/stats/")
    expect(page.locator("#by-manager")).to_contain_text("周主管")
    shoot(page, "hr-stats")

    # the employee sees the new score, its explanation, the history and the decision letter
    sales.refresh_from_db()
    assert str(sales.score) != old_score
    login(page, base, "staff")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    expect(page.locator("#decision")).to_contain_text("部分成立")
    expect(page.locator("#decision-reasons")).to_contain_text("订单属实")
    shoot(page, "employee-decided")
    page.click("#appraisal-link")
    expect(page.locator("#corrections")).to_contain_text("经申诉更正")
    expect(page.locator("body")).to_contain_text(sales.explanation_zh[:20])
    response = page.request.get(f"{base}/appeals/{appeal.pk}/letter.pdf")
    assert response.ok and response.body().startswith(b"%PDF")
    if SHOTS:
        Path(f"{SHOTS}/letter.pdf").write_bytes(response.body())
