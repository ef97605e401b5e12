"""The performance file: counts, follow-ups, grouping by contract line, the selectors the appraisal
pages use, the page, and the PDF in Chinese."""
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.coaching import selectors, services
from apps.coaching.models import Channel, Kind, SignDecision
from apps.core.exceptions import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(org, contract, make_record):
    lead = org.user("lead")
    praise = make_record(kind=Kind.PRAISE, channel=Channel.CONVERSATION, contract_line=contract.sales_line,
                         summary="客户表扬", facts="客户来电表扬响应及时。")
    criticism = make_record(kind=Kind.CRITICISM, serious=True, contract_line=contract.profit_line,
                            summary="超权限折扣", facts="给予 18% 折扣，超出权限。",
                            follow_up="先审批后报价", follow_up_due=timezone.localdate())
    given = make_record(kind=Kind.HELP_GIVEN, summary="协助报价", facts="协助准备报价单。", follow_up="复盘")
    services.follow_up_complete(actor=lead, record=given)
    report = services.progress_report_file(actor=org.user("staff"), kind=Kind.HELP_REQUESTED,
                                           contract_line=contract.sales_line, summary="请求支持", facts="需要审批加急。")
    services.record_sign(actor=org.user("staff"), record=criticism, decision=SignDecision.DISAGREE,
                         response="折扣是经理口头同意的。")
    return {"praise": praise, "criticism": criticism, "given": given, "report": report}


def test_performance_file_counts_follow_ups_and_lines(org, contract, filled):
    pfile = selectors.performance_file(user=org.user("lead"), employee=org.staff, period=contract.period)
    assert pfile.counts["total"] == 4
    assert (pfile.counts["praise"], pfile.counts["criticism"], pfile.counts["help"]) == (1, 1, 2)
    assert (pfile.counts["follow_ups_open"], pfile.counts["follow_ups_done"]) == (1, 1)
    assert [r.pk for r in pfile.by_line[contract.sales_line.pk]] == [filled["praise"].pk, filled["report"].pk]
    assert [r.pk for r in pfile.by_line[contract.profit_line.pk]] == [filled["criticism"].pk]
    labels = [g.label for g in pfile.groups]
    assert labels == ["月度销售额目标完成率", "月度利润目标完成率", ""]  # lines in contract order, unlinked last
    assert pfile.unsigned_serious == []
    with pytest.raises(NotFound):
        selectors.performance_file(user=org.user("peer"), employee=org.staff)


def test_performance_file_of_a_quarter_holds_its_months(org, contract, filled):
    year, month = contract.period.split("-")
    quarter = f"{year}-Q{(int(month) - 1) // 3 + 1}"
    assert selectors.performance_file(user=org.user("hr"), employee=org.staff, period=quarter).counts["total"] == 4
    other = "2001-01"
    assert selectors.performance_file(user=org.user("hr"), employee=org.staff, period=other).counts["total"] == 0


def test_records_by_contract_line_is_access_filtered(org, contract, filled):
    ids = [contract.sales_line.pk, contract.profit_line.pk]
    assert selectors.records_by_contract_line(user=org.user("peer"), line_ids=ids) == {}
    by_line = selectors.records_by_contract_line(user=org.user("staff"), line_ids=ids)
    assert {k: len(v) for k, v in by_line.items()} == {contract.sales_line.pk: 2, contract.profit_line.pk: 1}


def test_records_follow_the_line_into_an_amended_contract(org, contract, filled):
    from apps.contracts import services as contract_services
    from apps.contracts.models import ContractLine

    lead, staff = org.user("lead"), org.user("staff")
    c = contract_services.contract_propose(actor=lead, contract=contract)
    c = contract_services.contract_sign(actor=staff, contract=c)
    c = contract_services.contract_sign(actor=lead, contract=c)
    amendment = contract_services.contract_amend(actor=lead, contract=c, reason="目标调整")
    new_sales = ContractLine.objects.get(contract=amendment, title="月度销售额目标完成率")
    by_line = selectors.records_by_contract_line(user=lead, line_ids=[new_sales.pk])
    assert [r.pk for r in by_line[new_sales.pk]] == [filled["praise"].pk, filled["report"].pk]


def test_line_records_include_renders_compactly(org, contract, filled):
    by_line = selectors.records_by_contract_line(user=org.user("lead"), line_ids=[contract.profit_line.pk])
    html = render_to_string("coaching/_line_records.html", {"records": by_line[contract.profit_line.pk]})
    assert "超权限折扣" in html and 'data-sign-status="disagreed"' in html
    html = render_to_string("coaching/_line_records.html", {"records": [], "show_empty": True})
    assert "data-record" not in html
    from django.template import Context, Template

    tpl = Template('{% load coaching %}{% include "coaching/_line_records.html" with records=by|for_line:lid %}')
    html = tpl.render(Context({"by": by_line, "lid": contract.profit_line.pk}))
    assert "超权限折扣" in html


def test_file_page_groups_by_line(org, contract, filled, client_for):
    page = client_for(org.user("lead")).get(reverse("coaching:file", args=[org.staff.pk]),
                                            {"period": contract.period}).content.decode()
    assert f'data-line="{contract.profit_line.pk}"' in page and "超权限折扣" in page


def test_file_api(org, contract, filled, api_for):
    body = api_for(org.user("manager")).get(reverse("api-coaching-file", args=[org.staff.pk]),
                                            {"period": contract.period}).json()
    assert body["counts"]["praise"] == 1 and body["counts"]["follow_ups_open"] == 1
    assert body["by_contract_line"][str(contract.profit_line.pk)] == [filled["criticism"].pk]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_of_the_file_is_in_chinese(org, contract, filled, client_for, tmp_path):
    resp = client_for(org.user("lead")).get(reverse("coaching:file_pdf", args=[org.staff.pk]),
                                            {"period": contract.period})
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    pdf = tmp_path / "file.pdf"
    pdf.write_bytes(resp.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "业绩档案" in text and "超权限折扣" in text and "折扣是经理口头同意的" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts or "NotoSansCJK" in fonts
