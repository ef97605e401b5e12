"""Pages: the panel on the appraisal page, filing with evidence, HR's queue and handling, the manager's
limited view, the decision letter (Chinese renders)."""
from __future__ import annotations

import pytest
from appeal_helpers import line, pdf_file
from django.urls import reverse

from apps.appeals import services
from apps.appeals.models import Appeal, Status

pytestmark = pytest.mark.django_db


def test_employee_files_from_the_appraisal_page(org, published, client_for):
    staff, _ = published
    c = client_for(org.user("staff"))
    html = c.get(reverse("appraisals:detail", args=[staff.pk])).content.decode()
    assert 'id="appeal-panel"' in html and reverse("appeals:new", args=[staff.pk]) in html
    sales = line(staff, "SALES-MONTH")
    r = c.post(reverse("appeals:new", args=[staff.pk]), {"lines": [str(sales.pk)], "reasons": "",
                                                        "files": [pdf_file()]})
    assert r.status_code == 200 and "reasons" in r.content.decode() and not Appeal.objects.exists()
    r = c.post(reverse("appeals:new", args=[staff.pk]), {"lines": [str(sales.pk)], "reasons": "漏记订单",
                                                        "outcome_asked": "重新计分", "files": [pdf_file()]})
    appeal = Appeal.objects.get()
    assert r.status_code == 302 and r.url == reverse("appeals:detail", args=[appeal.pk])
    page = c.get(r.url).content.decode()
    assert "漏记订单" in page and "台账.pdf" in page and 'id="withdraw"' in page
    assert c.get(reverse("appeals:attachment", args=[appeal.pk, appeal.attachments.get().pk])).status_code == 200
    # the panel now shows the open appeal instead of the button
    html = c.get(reverse("appraisals:detail", args=[staff.pk])).content.decode()
    assert f'data-appeal="{appeal.pk}"' in html and 'id="file-appeal"' not in html
    # withdraw
    r = c.post(reverse("appeals:withdraw", args=[appeal.pk]), {"version": appeal.version})
    assert Appeal.objects.get().status == Status.WITHDRAWN


def test_hr_handles_and_manager_sees_only_what_is_shared(org, published, client_for):
    staff, peer = published
    sales = line(staff, "SALES-MONTH")
    appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons="漏记订单（员工的理由）",
                                  lines=[sales.pk], files=[pdf_file()])
    hr = client_for(org.user("hr"))
    q = hr.get(reverse("appeals:queue") + "?q=孙娜&status=open").content.decode()
    assert f'data-appeal="{appeal.pk}"' in q
    assert 'id="empty"' in hr.get(reverse("appeals:queue") + "?q=nobody").content.decode()
    url = reverse("appeals:detail", args=[appeal.pk])
    assert client_for(org.user("lead")).get(url).status_code == 404  # not asked yet
    hr.post(reverse("appeals:triage", args=[appeal.pk]), {"accept": "1", "reason": "", "version": appeal.version})
    appeal.refresh_from_db()
    hr.post(reverse("appeals:request_info", args=[appeal.pk]), {
        "addressee": "manager", "question": "请确认订单", "shared_with_manager": "员工对销售额有异议",
        "version": appeal.version})
    lead = client_for(org.user("lead"))
    assert url in lead.get(reverse("home")).content.decode()  # HR's question waits on the manager's work list
    assert reverse("appeals:queue") in hr.get(reverse("home")).content.decode()
    page = lead.get(url).content.decode()
    assert "员工对销售额有异议" in page and "请确认订单" in page
    assert "员工的理由" not in page and "台账.pdf" not in page  # not what HR did not share
    req = appeal.info_requests.get()
    lead.post(reverse("appeals:answer", args=[appeal.pk, req.pk]), {f"r{req.pk}-answer": "订单属实",
                                                                     f"r{req.pk}-version": req.version})
    appeal.refresh_from_db()
    # deciding without confirming: refused, nothing changes
    r = hr.post(reverse("appeals:decide", args=[appeal.pk]), {"outcome": "partly", "reasons": "属实",
                                                              f"line_{sales.pk}": "1200", "version": appeal.version})
    assert r.status_code == 400 and Appeal.objects.get().status == Status.IN_REVIEW
    r = hr.post(reverse("appeals:decide", args=[appeal.pk]), {"outcome": "partly", "reasons": "属实，更正销售额",
                                                              f"line_{sales.pk}": "1200", "confirm": "on",
                                                              "version": appeal.version})
    assert r.status_code == 302
    staff.refresh_from_db()
    assert staff.total_score == peer.total_score
    emp = client_for(org.user("staff"))
    page = emp.get(url).content.decode()
    assert 'id="decision"' in page and "属实，更正销售额" in page and 'id="letter"' in page
    html = emp.get(reverse("appraisals:detail", args=[staff.pk])).content.decode()
    assert 'id="corrections"' in html and f">{staff.total_score}<" in html
    pdf = emp.get(reverse("appeals:letter", args=[appeal.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from apps.appeals.pdf import decision_letter_html
    assert "申诉处理决定" in decision_letter_html(Appeal.objects.get())
    assert lead.get(reverse("appeals:letter", args=[appeal.pk])).status_code == 404


def test_concern_pages_hr_only(org, published, client_for):
    staff, _ = published
    peer = client_for(org.user("peer"))
    r = peer.post(reverse("appeals:concern_new"), {"appraisal": staff.pk, "reasons": "含退货订单"})
    assert r.status_code == 302
    concern = staff.__class__  # noqa: F841
    from apps.appeals.models import Concern
    c = Concern.objects.get()
    assert peer.get(reverse("appeals:concern", args=[c.pk])).status_code == 404
    assert client_for(org.user("staff")).get(reverse("appeals:concerns")).status_code == 404
    hr = client_for(org.user("hr"))
    assert "含退货订单" in hr.get(reverse("appeals:concern", args=[c.pk])).content.decode()
    r = hr.post(reverse("appeals:concern", args=[c.pk]), {"action": "review", "note": "HR 复核",
                                                          "lines": [str(line(staff, "SALES-MONTH").pk)],
                                                          "version": c.version})
    assert r.status_code == 302
    review = Appeal.objects.get(kind="review")
    page = client_for(org.user("staff")).get(reverse("appeals:detail", args=[review.pk])).content.decode()
    assert "HR 复核" in page and "李四" not in page and "含退货订单" not in page
