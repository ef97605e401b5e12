"""The feedback interview in a browser, in zh-Hans: HR publishes the appraisal; the manager schedules the
interview; both prepare; the manager records it with two improvement actions and a revision for the next
period; the employee signs with a disagreement noted; the PDF renders; then the actions show on the employee's
work list and, once the manager accepts the revision, the next contract draft carries it."""
import datetime as dt
import sys
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, open_cycle, sign  # noqa: E402

from apps.appraisals import services as appraisal_services  # noqa: E402
from apps.contracts.models import Contract  # noqa: E402
from apps.interviews.models import Interview  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Test-1234"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_attached()


def _scored(org):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    a = appraisal_services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="完成主要工作",
                                                 lines=direct_entries(a, ["85", "90"]), submit=True)
    return appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好",
                                                      lines=direct_entries(a, ["80", "90"]), submit=True)


def test_interview_from_publication_to_the_next_contract(org, live_server, page):
    a = _scored(org)
    base = live_server.url
    page.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9"})
    day = timezone.localdate()

    # HR publishes: the interview becomes due with the appraiser
    login(page, base, "hr")
    page.goto(f"{base}/appraisals/{a.pk}/")
    page.click("#publish")
    expect(page.locator("#locked")).to_be_visible()
    i = Interview.objects.get(appraisal=a)

    # the manager schedules it
    login(page, base, "lead")
    page.goto(f"{base}/interviews/to-hold/")
    page.click(f'[data-schedule="{i.pk}"]')
    when = timezone.localtime() + dt.timedelta(days=2)
    page.fill("input[name=scheduled_at]", when.strftime("%Y-%m-%dT10:00"))
    page.fill("input[name=location]", "3楼小会议室")
    page.click("#save-schedule")
    expect(page.locator("#scheduled-at")).to_contain_text(when.strftime("%Y-%m-%d"))
    # and prepares (the ten rules, private notes)
    page.click("#manager-prep-link")
    page.check("input[name=checklist][value=trust]")
    page.fill("textarea[name=private_notes]", "先肯定利润指标")
    page.click("#save-manager-prep")
    expect(page.locator(".flash")).to_contain_text("已保存")

    # the employee prepares and shares
    login(page, base, "staff")
    page.goto(f"{base}/interviews/mine/")
    page.click(f'[data-prepare="{i.pk}"]')
    first_line = page.locator("#line-views tbody tr").first
    first_line.locator("input[type=radio][value=disagree]").check()
    first_line.locator("input[type=text]").fill("数据口径不同")
    page.fill("textarea[name=strengths]", "客户关系稳定")
    page.fill("input[name=proposal_indicator_0]", "大客户新增数")
    page.fill("input[name=proposal_target_0]", "3")
    page.click("#share-employee-prep")
    expect(page.locator("#shared")).to_be_visible()

    # the manager records the meeting with two improvement actions and a revision, then signs and submits
    login(page, base, "lead")
    page.goto(f"{base}/interviews/{i.pk}/record/")
    page.fill("input[name=held_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.check("input[name=agreement][value=partly]")
    page.fill("textarea[name=gaps]", "大客户开发不足")
    page.check("input[name=gap_causes][value=ability]")
    page.fill("textarea[name=upward_feedback]", "经理应更早给出反馈")
    for n, (what, owner, days) in enumerate([("每周拜访两家大客户", "employee", 30), ("参加谈判技巧培训", "manager", 20)]):
        page.fill(f"input[name=action-{n}-what]", what)
        page.fill(f"input[name=action-{n}-success_measure]", "季度新增大客户3家" if n == 0 else "完成课程")
        page.select_option(f"select[name=action-{n}-owner]", owner)
        page.fill(f"input[name=action-{n}-due_date]", (day + dt.timedelta(days=days)).isoformat())
    page.fill("input[name=revision-0-title]", "大客户新增数")
    page.fill("input[name=revision-0-target]", "3")
    page.fill("input[name=revision-0-unit]", "家")
    page.click("#submit-confirm summary")
    page.click("#submit-record")
    expect(page.locator("#interview-title [data-status]")).to_have_attribute("data-status", "submitted")

    # the employee signs with a disagreement noted; the PDF renders
    login(page, base, "staff")
    page.goto(f"{base}/interviews/{i.pk}/record/")
    page.check("input[name=decision][value=disagree]")
    page.fill("textarea[name=note]", "销售额的统计口径有异议")
    page.click("#sign-confirm summary")
    page.click("#sign")
    expect(page.locator("#locked")).to_be_visible()
    expect(page.locator("#disagreement-note")).to_contain_text("销售额的统计口径有异议")
    pdf = page.request.get(f"{base}/interviews/{i.pk}/record/pdf/")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"

    # the next period: the actions are on the employee's work list
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="每周拜访两家大客户")).to_be_visible()

    # the manager accepts the revision: the next contract draft carries it
    login(page, base, "lead")
    page.goto(f"{base}/interviews/{i.pk}/record/")
    page.locator("[data-accept]").first.click()
    expect(page.locator("[data-decision=accepted]")).to_be_visible()
    nxt = Contract.objects.get(employee=org.staff, period="2026-12", is_latest=True)
    page.goto(f"{base}/contracts/{nxt.pk}/")
    expect(page.locator("body")).to_contain_text("大客户新增数")
