"""Coaching records through the services and the API: each kind, responses, signatures, the 24-hour
correction window, addenda, progress reports and the bad input the issue lists."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.coaching import services
from apps.coaching.models import (
    MAX_ATTACHMENT_BYTES,
    Channel,
    CoachingRecord,
    Kind,
    NoteKind,
    RecordRevision,
    SignDecision,
)
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_file(name="证据.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- records of each kind ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", Kind.values)
def test_record_create_for_each_kind_notifies_employee_and_audits(org, contract, make_record, kind):
    record = make_record(kind=kind, contract_line=contract.sales_line, evidence="CRM 报表",
                         follow_up="本周拜访两家客户", follow_up_due=timezone.localdate() + dt.timedelta(days=3))
    assert record.kind == kind
    assert record.period == contract.period  # the line's contract decides the period
    assert record.author_employee == org.lead
    assert RecordRevision.objects.filter(record=record, number=1).exists()
    assert AuditEvent.objects.filter(action="coaching.record_create", object_id=str(record.pk)).exists()
    note = Notification.objects.get(recipient=org.staff.user)
    assert record.summary in note.title and note.url == reverse("coaching:detail", args=[record.pk])


@pytest.mark.parametrize("kind", Kind.values)
def test_record_create_api_for_each_kind(org, contract, api_for, kind):
    api = api_for(org.user("lead"))
    resp = api.post(reverse("api-coaching-records"), {
        "employee": org.staff.pk, "kind": kind, "channel": Channel.GROUP_MEETING, "summary": "周例会记录",
        "facts": "汇报了本周客户拜访情况。", "contract_line": contract.sales_line.pk}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert body["kind"] == kind and body["formal"] is True
    assert body["contract_line"]["id"] == contract.sales_line.pk
    assert body["revisions"][0]["number"] == 1
    assert body["sign_status"] == "not_required"


def test_record_with_attachment_is_served_only_through_the_checked_view(org, make_record, client_for):
    record = make_record(files=[pdf_file()])
    att = record.attachments.get()
    assert att.original_name == "证据.pdf" and att.extension == "pdf"
    assert "证据" not in att.file.name  # stored under a random name
    url = reverse("coaching:attachment", args=[att.pk])
    resp = client_for(org.user("staff")).get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert b"".join(resp.streaming_content).startswith(b"%PDF")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert client_for(org.user("peer")).get(url).status_code == 404


def test_record_refuses_too_large_attachment(org, make_record, api_for):
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * MAX_ATTACHMENT_BYTES, content_type="application/pdf")
    with pytest.raises(ApplicationError) as err:
        make_record(files=[big])
    assert "10.0 MB" in err.value.message and err.value.field == "files"
    assert not CoachingRecord.objects.exists()
    big.seek(0)
    resp = api_for(org.user("lead")).post(reverse("api-coaching-records"), {
        "employee": org.staff.pk, "kind": "praise", "channel": "conversation", "summary": "x", "facts": "y",
        "files": big}, format="multipart")
    assert resp.status_code == 400 and "10.0 MB" in resp.json()["error"]["message"]


@pytest.mark.parametrize("name,content", [("run.exe", b"MZ\x90\x00"), ("page.html", b"<script>"),
                                          ("fake.pdf", b"MZ not a pdf")])
def test_record_refuses_refused_types(org, make_record, name, content):
    with pytest.raises(ApplicationError) as err:
        make_record(files=[SimpleUploadedFile(name, content)])
    assert name in err.value.message
    assert not CoachingRecord.objects.exists()


def test_record_about_someone_outside_the_chain_is_404(org, make_record, api_for):
    with pytest.raises(NotFound):
        make_record(actor=org.user("lead"), employee=org.accountant)
    resp = api_for(org.user("lead")).post(reverse("api-coaching-records"), {
        "employee": org.accountant.pk, "kind": "praise", "channel": "conversation", "summary": "x", "facts": "y"},
        format="json")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


def test_chain_manager_reads_but_does_not_write_and_hr_writes(org, make_record):
    with pytest.raises(PermissionDenied):
        make_record(actor=org.user("manager"))  # skip-level: reads the subtree, the direct manager writes
    assert make_record(actor=org.user("hr")).author_employee == org.hr
    with pytest.raises(PermissionDenied):
        make_record(actor=org.user("staff"))  # nobody writes records about themselves


def test_record_refuses_future_date_and_foreign_line(org, contract, make_record):
    with pytest.raises(ApplicationError) as err:
        make_record(occurred_on=timezone.localdate() + dt.timedelta(days=2))
    assert err.value.field == "occurred_on"
    with pytest.raises(ApplicationError) as err:
        make_record(employee=org.peer, contract_line=contract.sales_line)
    assert err.value.field == "contract_line"


def test_records_are_never_deleted(make_record):
    record = make_record()
    with pytest.raises(RuntimeError):
        record.delete()
    with pytest.raises(RuntimeError):
        CoachingRecord.objects.all().delete()


# --- the employee's side -------------------------------------------------------------------------------

def test_employee_responds_and_acknowledges(org, make_record):
    record = make_record()
    staff = org.user("staff")
    note = services.record_respond(actor=staff, record=record, text="我会在周五前补上拜访报告。", files=[pdf_file()])
    assert note.kind == NoteKind.RESPONSE and note.attachments.count() == 1
    told = Notification.objects.get(recipient=org.lead.user)  # the author hears of the response
    assert record.summary in told.title and told.body == note.text
    services.record_acknowledge(actor=staff, record=record)
    record.refresh_from_db()
    first = record.acknowledged_at
    assert first is not None
    services.record_acknowledge(actor=staff, record=record)  # a no-op the second time
    record.refresh_from_db()
    assert record.acknowledged_at == first
    with pytest.raises(PermissionDenied):
        services.record_respond(actor=org.user("lead"), record=record, text="manager cannot respond as employee")
    with pytest.raises(NotFound):
        services.record_respond(actor=org.user("peer"), record=record, text="peer")


def test_response_and_acknowledgement_api(org, make_record, api_for):
    record = make_record()
    api = api_for(org.user("staff"))
    resp = api.post(reverse("api-coaching-record-responses", args=[record.pk]), {"text": "收到"}, format="json")
    assert resp.status_code == 201 and resp.json()["notes"][0]["kind"] == "response"
    resp = api.post(reverse("api-coaching-record-acknowledge", args=[record.pk]))
    assert resp.status_code == 200 and resp.json()["acknowledged_at"]
    resp = api_for(org.user("peer")).post(reverse("api-coaching-record-responses", args=[record.pk]),
                                          {"text": "x"}, format="json")
    assert resp.status_code == 404


def test_serious_record_signed_seen_disagree_with_response(org, contract, make_record):
    record = make_record(kind=Kind.CRITICISM, serious=True, contract_line=contract.profit_line)
    assert record.sign_status == "awaiting"
    staff = org.user("staff")
    with pytest.raises(ApplicationError) as err:
        services.record_sign(actor=staff, record=record, decision=SignDecision.DISAGREE)
    assert err.value.field == "response"  # "seen, disagree" needs a response
    services.record_sign(actor=staff, record=record, decision=SignDecision.DISAGREE, response="折扣是经理口头同意的。")
    record.refresh_from_db()
    assert record.sign_status == "disagreed" and record.signed_by == staff
    assert record.acknowledged_at == record.signed_at and len(record.signed_hash) == 64
    note = record.notes.get()
    assert note.with_signature == SignDecision.DISAGREE and note.kind == NoteKind.RESPONSE
    # signing again the same way is a no-op; changing the decision is refused
    services.record_sign(actor=staff, record=record, decision=SignDecision.DISAGREE)
    with pytest.raises(TransitionNotAllowed):
        services.record_sign(actor=staff, record=record, decision=SignDecision.AGREE)
    assert Notification.objects.filter(recipient=org.lead.user, title__contains=org.staff.name_zh).exists()


def test_signing_someone_elses_record_is_refused(org, make_record, api_for):
    record = make_record(kind=Kind.CRITICISM, serious=True)
    with pytest.raises(PermissionDenied):
        services.record_sign(actor=org.user("lead"), record=record, decision=SignDecision.AGREE)
    with pytest.raises(PermissionDenied):
        services.record_sign(actor=org.user("hr"), record=record, decision=SignDecision.AGREE)
    with pytest.raises(NotFound):
        services.record_sign(actor=org.user("peer"), record=record, decision=SignDecision.AGREE)
    url = reverse("api-coaching-record-signature", args=[record.pk])
    assert api_for(org.user("peer")).post(url, {"decision": "agree"}, format="json").status_code == 404
    resp = api_for(org.user("manager")).post(url, {"decision": "agree"}, format="json")
    assert resp.status_code == 403
    record.refresh_from_db()
    assert record.signed_at is None


def test_signature_api_and_non_serious_record(org, make_record, api_for):
    record = make_record(kind=Kind.CRITICISM, serious=True)
    api = api_for(org.user("staff"))
    url = reverse("api-coaching-record-signature", args=[record.pk])
    resp = api.post(url, {"decision": "agree", "version": record.version}, format="json")
    assert resp.status_code == 200 and resp.json()["sign_status"] == "agreed"
    plain = make_record(kind=Kind.PRAISE)
    resp = api.post(reverse("api-coaching-record-signature", args=[plain.pk]), {"decision": "agree"}, format="json")
    assert resp.status_code == 409


# --- correction window and addendum ------------------------------------------------------------------

def test_author_corrects_within_24_hours_and_both_versions_are_kept(org, make_record, clock):
    record = make_record(summary="迟到一次", facts="周一迟到 30 分钟。")
    services.record_acknowledge(actor=org.user("staff"), record=record)
    clock.advance(hours=23)
    corrected = services.record_correct(actor=org.user("lead"), record=record, expected_version=record.version + 1,
                                        reason="日期写错", facts="周二迟到 30 分钟。")
    assert corrected.revision == 2 and corrected.corrected_at is not None
    assert corrected.acknowledged_at is None  # the employee acknowledges the new version again
    revs = list(RecordRevision.objects.filter(record=record).order_by("number"))
    assert [r.data["facts"] for r in revs] == ["周一迟到 30 分钟。", "周二迟到 30 分钟。"]
    assert revs[1].reason == "日期写错"
    event = AuditEvent.objects.get(action="coaching.record_correct")
    assert event.before["facts"] == "周一迟到 30 分钟。" and event.after["facts"] == "周二迟到 30 分钟。"


def test_only_the_author_corrects(org, make_record):
    record = make_record()
    with pytest.raises(PermissionDenied):
        services.record_correct(actor=org.user("hr"), record=record, reason="x", facts="changed")
    with pytest.raises(NotFound):
        services.record_correct(actor=org.user("peer"), record=record, reason="x", facts="changed")


def test_correction_after_24_hours_is_refused_and_offers_an_addendum(org, make_record, clock, api_for):
    record = make_record()
    clock.advance(hours=24, minutes=1)
    with pytest.raises(services.CorrectionWindowClosed) as err:
        services.record_correct(actor=org.user("lead"), record=record, reason="x", facts="changed")
    assert err.value.extra["addendum"] is True
    api = api_for(org.user("lead"))
    resp = api.patch(reverse("api-coaching-record", args=[record.pk]), {"facts": "changed", "reason": "x"},
                     format="json")
    assert resp.status_code == 409
    error = resp.json()["error"]
    assert error["code"] == "correction_window_closed"
    assert error["addendum_url"] == reverse("coaching:addendum", args=[record.pk])
    record.refresh_from_db()
    assert record.revision == 1 and record.facts != "changed"
    # the addendum is what is left
    resp = api.post(reverse("api-coaching-record-addenda", args=[record.pk]), {"text": "补充：客户已确认。"},
                    format="json")
    assert resp.status_code == 201
    assert resp.json()["notes"][-1]["kind"] == "addendum"


def test_correction_page_after_24_hours_redirects_to_the_addendum(org, make_record, clock, client_for):
    record = make_record()
    clock.advance(days=2)
    resp = client_for(org.user("lead")).get(reverse("coaching:correct", args=[record.pk]), follow=True)
    assert resp.redirect_chain[-1][0] == reverse("coaching:addendum", args=[record.pk])
    assert resp.status_code == 200
    assert "addendum-form" in resp.content.decode()


def test_signed_record_is_not_corrected(org, make_record):
    record = make_record(kind=Kind.CRITICISM, serious=True)
    services.record_sign(actor=org.user("staff"), record=record, decision=SignDecision.AGREE)
    with pytest.raises(TransitionNotAllowed):
        services.record_correct(actor=org.user("lead"), record=record, reason="x", facts="changed")


def test_addendum_by_author_manager_or_hr_not_by_the_employee(org, make_record):
    record = make_record()
    assert services.record_addendum_add(actor=org.user("lead"), record=record, text="补充").kind == NoteKind.ADDENDUM
    assert services.record_addendum_add(actor=org.user("hr"), record=record, text="人事备注").kind == NoteKind.ADDENDUM
    with pytest.raises(PermissionDenied):
        services.record_addendum_add(actor=org.user("staff"), record=record, text="x")
    with pytest.raises(NotFound):
        services.record_addendum_add(actor=org.user("peer"), record=record, text="x")


def test_correction_api_within_the_window(org, make_record, api_for):
    record = make_record()
    resp = api_for(org.user("lead")).patch(reverse("api-coaching-record", args=[record.pk]),
                                           {"summary": "更正后的摘要", "reason": "措辞", "version": record.version},
                                           format="json")
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["summary"] == "更正后的摘要" and body["revision"] == 2 and len(body["revisions"]) == 2
    stale = api_for(org.user("lead")).patch(reverse("api-coaching-record", args=[record.pk]),
                                            {"summary": "again", "reason": "x", "version": record.version},
                                            format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"


# --- follow-ups ----------------------------------------------------------------------------------

def test_follow_up_done(org, make_record, api_for):
    record = make_record(follow_up="补交报告", follow_up_due=timezone.localdate())
    resp = api_for(org.user("lead")).post(reverse("api-coaching-record-follow-up-done", args=[record.pk]))
    assert resp.status_code == 200 and resp.json()["follow_up_state"] == "done"
    assert api_for(org.user("staff")).post(
        reverse("api-coaching-record-follow-up-done", args=[record.pk])).status_code == 403


# --- progress reports and requests for help -----------------------------------------------------------

def test_progress_report_and_help_request_are_answered(org, contract):
    staff = org.user("staff")
    report = services.progress_report_file(actor=staff, kind=Kind.HELP_REQUESTED, contract_line=contract.sales_line,
                                           summary="需要报价审批支持", facts="两家客户要求本周报价。")
    assert report.is_employee_report and report.author_employee == org.staff and report.awaiting_answer
    assert Notification.objects.filter(recipient=org.lead.user, title__contains="需要报价审批支持").exists()
    note = services.progress_report_answer(actor=org.user("lead"), record=report, text="已协调财务加急。")
    report.refresh_from_db()
    assert note.kind == NoteKind.ANSWER and report.answered_at is not None and report.answered_by == org.lead.user
    with pytest.raises(ApplicationError):
        services.progress_report_file(actor=staff, kind=Kind.PROGRESS, summary="x", facts="y")  # no line or item
    with pytest.raises(ApplicationError):
        services.progress_report_file(actor=staff, kind=Kind.PRAISE, summary="x", facts="y",
                                      contract_line=contract.sales_line)
    with pytest.raises(NotFound):
        services.progress_report_answer(actor=org.user("peer"), record=report, text="x")


def test_progress_report_api(org, contract, api_for):
    staff_api = api_for(org.user("staff"))
    resp = staff_api.post(reverse("api-coaching-reports"), {
        "kind": "progress", "contract_line": contract.sales_line.pk, "summary": "本周进展",
        "facts": "完成 3 次客户拜访。"}, format="json")
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    lead_api = api_for(org.user("lead"))
    listed = lead_api.get(reverse("api-coaching-reports"), {"state": "unanswered"}).json()
    assert [r["id"] for r in listed["results"]] == [pk]
    resp = lead_api.post(reverse("api-coaching-report-answer", args=[pk]), {"text": "很好，继续。"}, format="json")
    assert resp.status_code == 201 and resp.json()["answered_at"]
    assert lead_api.get(reverse("api-coaching-reports"), {"state": "unanswered"}).json()["count"] == 0
    # someone else's line is refused
    resp = api_for(org.user("peer")).post(reverse("api-coaching-reports"), {
        "kind": "progress", "contract_line": contract.sales_line.pk, "summary": "x", "facts": "y"}, format="json")
    assert resp.status_code == 400


# --- HR's settings ---------------------------------------------------------------------------------

def test_settings_only_hr(org, api_for):
    url = reverse("api-coaching-settings")
    assert api_for(org.user("lead")).patch(url, {"signature_deadline_days": 3}, format="json").status_code == 403
    resp = api_for(org.user("hr")).patch(url, {"signature_deadline_days": 3, "cadence_channel": ""}, format="json")
    assert resp.status_code == 200 and resp.json()["signature_deadline_days"] == 3
    assert resp.json()["cadence_channel"] == ""
