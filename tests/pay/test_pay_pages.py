"""The pay pages as people use them (in Chinese, the default language): HR computes and submits, the general
manager approves, finance downloads; a manager proposes within the budget bar; the import previews errors."""
import io

import pytest
from django.urls import reverse
from django.utils import translation
from pay_helpers import fresh
from test_pay_proposals import CELLS

from apps.pay import services
from apps.pay.models import BudgetKind, PayoutRun, PayProfile, RunStatus, SalaryProposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(english):
    with translation.override("zh-hans"):
        yield


def test_run_from_computing_to_the_payroll_file(org, paid_cycle, finance, client_for):
    hr = client_for(org.user("hr"))
    r = hr.post(reverse("pay:run_compute"), {"cycle": paid_cycle.pk})
    run = PayoutRun.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("pay:run", args=[run.pk])
    page = hr.get(r["Location"]).content.decode()
    assert "绩效工资" in page and "5644.44" in page and "基数 3000.00 × 等级 A 系数 1.2 = 3600.00" in page
    hr.post(reverse("pay:run_submit", args=[run.pk]), {"version": run.version})
    run.refresh_from_db()
    assert run.status == RunStatus.SUBMITTED
    gm = client_for(fresh(org.user("gm")))
    stale = gm.post(reverse("pay:run_approve", args=[run.pk]), {"version": run.version - 1}, follow=True)
    assert "版本" in stale.content.decode()
    gm.post(reverse("pay:run_approve", args=[run.pk]), {"version": run.version})
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    resp = client_for(finance).get(reverse("pay:run_export", args=[run.pk, "xlsx"]))
    assert resp.status_code == 200 and resp["Content-Disposition"].endswith('run1.xlsx"')


def test_manager_proposes_within_the_budget_bar(org, paid_cycle, client_for):
    hrs = org.user("hr")
    services.merit_matrix_set(actor=hrs, cycle=paid_cycle, cells=CELLS, effective_date="2027-01-01")
    services.budget_set(actor=hrs, cycle=paid_cycle, department=org.sales, kind=BudgetKind.RAISE, amount_value="500")
    lead = client_for(org.user("lead"))
    page = lead.get(reverse("pay:proposals")).content.decode()
    assert "预算 500.00，已用 0.00，剩余 500.00" in page
    r = lead.post(reverse("pay:proposals"), {"employee": org.staff.pk, "increase_pct": "9", "justification": "x"})
    assert "超出销售部的预算" in r.content.decode()
    assert not SalaryProposal.objects.exists()
    lead.post(reverse("pay:proposals"), {"employee": org.staff.pk, "increase_pct": "3"})
    page = lead.get(reverse("pay:proposals")).content.decode()
    assert "孙娜" in page and 'style="width: 60%"' in page and "已用 300.00，剩余 200.00" in page


def test_import_page_shows_row_errors_and_writes_nothing(org, client_for):
    hr = client_for(org.user("hr"))
    f = io.BytesIO(b"employee_no,base_pay\r\nS1,3000\r\nNOPE,1\r\n")
    f.name = "pay.csv"
    page = hr.post(reverse("pay:data_import"), {"file": f, "apply": "1"}).content.decode()
    assert "没有工号为 NOPE 的员工" in page and not PayProfile.objects.exists()


def test_bad_pay_data_is_a_form_error_not_a_500(org, client_for):
    r = client_for(org.user("hr")).post(reverse("pay:data_edit", args=[org.staff.pk]), {"base_pay": "-5"})
    assert r.status_code == 200 and "不能为负数" in r.content.decode()


def test_pages_fit_their_empty_states(org, client_for, finance):
    for url in ("pay:runs", "pay:data", "pay:proposals", "pay:teams", "pay:mine"):
        assert client_for(org.user("hr")).get(reverse(url)).status_code == 200
    assert "尚未公布" in client_for(org.user("staff")).get(reverse("pay:mine")).content.decode()


def test_without_a_published_cycle_hr_is_told_why_no_run_can_be_computed(org, client_for, request):
    """No empty cycle picker: HR reads when a run becomes possible; with a published cycle the form is there."""
    html = client_for(org.user("hr")).get(reverse("pay:runs")).content.decode()
    assert 'id="compute-none"' in html and 'id="compute"' not in html and "尚无已发布结果" in html
    request.getfixturevalue("paid_cycle")
    html = client_for(org.user("hr")).get(reverse("pay:runs")).content.decode()
    assert 'id="compute"' in html and 'id="compute-none"' not in html
