"""The HTML pages call the same services: forms, uploads, refusals shown as messages, filters."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.coaching.models import CoachingRecord, CoachingSettings, Kind, NoteKind

pytestmark = pytest.mark.django_db


def _form(**extra):
    data = {"employee": "", "kind": "praise", "channel": "conversation", "source": "customer",
            "occurred_on": timezone.localdate().isoformat(), "summary": "客户表扬", "facts": "客户来电表扬。",
            "evidence": "", "follow_up": "", "follow_up_due": "", "period": ""}
    data.update(extra)
    return data


def test_manager_writes_a_record_with_an_attachment_on_the_page(org, contract, client_for):
    client = client_for(org.user("lead"))
    url = reverse("coaching:create") + f"?employee={org.staff.pk}"
    assert "月度利润目标完成率" in client.get(url).content.decode()  # the employee's lines to link
    resp = client.post(url, {**_form(employee=org.staff.pk, contract_line=contract.profit_line.pk),
                             "files": [SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n0000")]})
    record = CoachingRecord.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("coaching:detail", args=[record.pk])
    assert record.contract_line == contract.profit_line and record.attachments.get().original_name == "照片.png"
    page = client.get(resp["Location"]).content.decode()
    assert reverse("coaching:attachment", args=[record.attachments.get().pk]) in page


def test_refused_attachment_is_shown_on_the_form(org, client_for):
    client = client_for(org.user("lead"))
    url = reverse("coaching:create") + f"?employee={org.staff.pk}"
    resp = client.post(url, {**_form(employee=org.staff.pk), "files": [SimpleUploadedFile("x.exe", b"MZ")]})
    assert resp.status_code == 200 and "x.exe" in resp.content.decode()
    assert not CoachingRecord.objects.exists()


def test_chain_manager_is_sent_back_from_the_new_record_page(org, client_for):
    resp = client_for(org.user("manager")).get(reverse("coaching:create"), {"employee": org.staff.pk}, follow=True)
    assert resp.redirect_chain and "coaching" in resp.redirect_chain[-1][0]
    assert not CoachingRecord.objects.exists()


def test_employee_acknowledges_responds_and_files_a_report_on_the_pages(org, contract, make_record, client_for):
    record = make_record()
    client = client_for(org.user("staff"))
    assert client.post(reverse("coaching:acknowledge", args=[record.pk])).status_code == 302
    resp = client.post(reverse("coaching:respond", args=[record.pk]), {"respond-text": "收到，会改进。"})
    assert resp.status_code == 302
    record.refresh_from_db()
    assert record.acknowledged_at and record.notes.get().kind == NoteKind.RESPONSE
    resp = client.post(reverse("coaching:respond", args=[record.pk]), {"respond-text": ""})
    assert resp.status_code == 400  # the form shows the error
    resp = client.post(reverse("coaching:report"), {"kind": "help_requested", "contract_line": contract.sales_line.pk,
                                                   "summary": "需要支持", "facts": "报价审批慢。", "evidence": "",
                                                   "occurred_on": ""})
    report = CoachingRecord.objects.get(is_employee_report=True)
    assert resp.status_code == 302 and report.kind == Kind.HELP_REQUESTED
    lead = client_for(org.user("lead"))
    assert lead.post(reverse("coaching:answer", args=[report.pk]), {"answer-text": "已协调。"}).status_code == 302
    report.refresh_from_db()
    assert report.answered_at is not None


def test_correction_on_the_page_within_the_window(org, make_record, client_for):
    record = make_record()
    client = client_for(org.user("lead"))
    page = client.get(reverse("coaching:correct", args=[record.pk]))
    assert page.status_code == 200
    data = {**_form(kind=record.kind, channel=record.channel, source=record.source, summary="更正后的摘要",
                    facts=record.facts), "reason": "措辞", "version": record.version}
    resp = client.post(reverse("coaching:correct", args=[record.pk]), data)
    assert resp.status_code == 302
    record.refresh_from_db()
    assert record.summary == "更正后的摘要" and record.revisions.count() == 2
    assert 'id="revisions"' in client.get(reverse("coaching:detail", args=[record.pk])).content.decode()


def test_record_list_filters_by_employee_kind_period_and_line(org, contract, make_record, client_for):
    make_record(kind=Kind.PRAISE, summary="表扬一", contract_line=contract.sales_line)
    make_record(kind=Kind.CRITICISM, summary="批评一", contract_line=contract.profit_line)
    make_record(employee=org.peer, kind=Kind.PRAISE, summary="表扬二")
    client = client_for(org.user("lead"))
    url = reverse("coaching:list")

    def shown(**params):
        html = client.get(url, params).content.decode()
        return {s for s in ("表扬一", "批评一", "表扬二") if s in html}

    assert shown() == {"表扬一", "批评一", "表扬二"}
    assert shown(kind="praise") == {"表扬一", "表扬二"}
    assert shown(employee=org.staff.pk) == {"表扬一", "批评一"}
    assert shown(employee=org.staff.pk, line=contract.profit_line.pk) == {"批评一"}
    assert shown(period=contract.period) == {"表扬一", "批评一", "表扬二"}
    assert shown(period="2001-01") == set()
    assert shown(q="批评") == {"批评一"}


def test_hr_changes_the_settings_on_the_page(org, client_for):
    conf = CoachingSettings.current()
    resp = client_for(org.user("hr")).post(reverse("coaching:settings"), {
        "cadence_min_records": 2, "cadence_days": 14, "cadence_channel": "", "signature_deadline_days": 5,
        "reminder_interval_days": 1, "version": conf.version})
    assert resp.status_code == 302
    conf.refresh_from_db()
    assert (conf.cadence_min_records, conf.cadence_days, conf.cadence_channel) == (2, 14, "")


def test_home_page_lists_what_waits_in_coaching(org, make_record, client_for):
    make_record(kind=Kind.CRITICISM, serious=True)
    html = client_for(org.user("staff")).get(reverse("home")).content.decode()
    assert reverse("coaching:list") + "?state=unsigned" in html
