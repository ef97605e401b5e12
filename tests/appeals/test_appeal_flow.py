"""The whole appeal flow through the services, each refusal, the window and the deadlines."""
from __future__ import annotations

import datetime as dt

import pytest
from appeal_helpers import line, pdf_file
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.appeals import services
from apps.appeals.deadlines import deadlines_scan
from apps.appeals.models import Appeal, AppealAttachment, Concern, Status
from apps.appraisals import signals
from apps.appraisals.models import Appraisal, ResultCorrection
from apps.core.exceptions import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from apps.core.models import AuditEvent
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def file_appeal(org, staff, **kw):
    sales = line(staff, "SALES-MONTH")
    args = {"reasons": "销售台账漏记了一笔 60 万元的订单", "outcome_asked": "按 1200 万元重新计分",
            "lines": [sales.pk], "files": [pdf_file()]}
    args.update(kw)
    return services.appeal_file(actor=org.user("staff"), appraisal=staff, **args)


def test_whole_flow_file_ask_answer_decide_correct(org, published):
    staff, peer = published
    sales = line(staff, "SALES-MONTH")
    appeal = file_appeal(org, staff)
    assert appeal.status == Status.FILED and appeal.contested_lines == [sales.pk]
    assert AppealAttachment.objects.get(appeal=appeal).original_name == "台账.pdf"
    assert Notification.objects.filter(recipient=org.user("hr"), url=f"/appeals/{appeal.pk}/").exists()
    hr = org.user("hr")
    appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True, expected_version=appeal.version)
    req = services.info_request(actor=hr, appeal=appeal, addressee="manager", question="这笔订单是否已确认？",
                                due_date=timezone.localdate() + dt.timedelta(days=3),
                                shared_with_manager="员工认为销售额漏记一笔订单", expected_version=appeal.version)
    assert Notification.objects.filter(recipient=org.user("lead"), url=f"/appeals/{appeal.pk}/").exists()
    with pytest.raises(PermissionDenied):  # only the one asked answers
        services.info_answer(actor=org.user("staff"), request=req, answer="x")
    services.info_answer(actor=org.user("lead"), request=req, answer="已确认，财务漏记", expected_version=req.version)
    appeal.refresh_from_db()
    old_total = Appraisal.objects.get(pk=staff.pk).total_score
    appeal = services.appeal_decide(actor=hr, appeal=appeal, outcome="partly", reasons="订单属实，销售额更正为 1200",
                                    lines=[{"id": sales.pk, "actual": "1200"}], expected_version=appeal.version)
    assert appeal.status == Status.DECIDED and appeal.outcome == "partly" and appeal.correction_id
    staff.refresh_from_db()
    # the corrected result is the one a fresh scoring of the same data gives (李四 had 1200 from the start)
    assert staff.total_score == peer.total_score != old_total and staff.final_grade == peer.final_grade
    assert staff.total_explanation_zh == peer.total_explanation_zh
    c = ResultCorrection.objects.get(appraisal=staff)
    assert c.reference == f"appeal:{appeal.pk}" and c.before["total_score"] == str(old_total)
    assert AuditEvent.objects.filter(action="appraisal.line_correct", after__reference=f"appeal:{appeal.pk}").count() == 1
    assert AuditEvent.objects.filter(action="appeals.decide", object_id=str(appeal.pk)).exists()
    assert Notification.objects.filter(recipient=org.user("staff"), url=f"/appeals/{appeal.pk}/",
                                       dedupe_key__startswith="appeals:decided").exists()


def test_refusals(org, published):
    staff, peer = published
    sales = line(staff, "SALES-MONTH")
    with pytest.raises(NotFound):  # someone else's appraisal
        services.appeal_file(actor=org.user("staff"), appraisal=peer, reasons="x", lines=[line(peer, "SALES-MONTH").pk])
    with pytest.raises(ApplicationError):  # no reason
        file_appeal(org, staff, reasons="  ")
    with pytest.raises(ApplicationError):  # nothing contested
        file_appeal(org, staff, lines=[])
    with pytest.raises(ApplicationError):  # a line of another appraisal
        file_appeal(org, staff, lines=[line(peer, "SALES-MONTH").pk])
    with pytest.raises(ApplicationError):  # disguised attachment
        file_appeal(org, staff, files=[SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 not a pdf")])
    with pytest.raises(ApplicationError):  # oversized
        file_appeal(org, staff, files=[pdf_file(size=11 * 1024 * 1024)])
    with pytest.raises(ApplicationError):  # refused type
        file_appeal(org, staff, files=[SimpleUploadedFile("x.exe", b"MZ")])
    assert not Appeal.objects.exists()
    appeal = file_appeal(org, staff)
    with pytest.raises(Conflict):  # twice at once
        file_appeal(org, staff)
    hr = org.user("hr")
    with pytest.raises(TransitionNotAllowed):  # decide before triage
        services.appeal_decide(actor=hr, appeal=appeal, outcome="rejected", reasons="x")
    with pytest.raises(PermissionDenied):  # the employee does not triage their own appeal
        services.appeal_triage(actor=org.user("staff"), appeal=appeal, accept=True)
    with pytest.raises(NotFound):  # the manager is not asked yet: does not see it
        services.appeal_triage(actor=org.user("lead"), appeal=appeal, accept=True)
    services.appeal_triage(actor=hr, appeal=appeal, accept=True)
    with pytest.raises(ApplicationError):  # deciding without reasons
        services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons=" ")
    behaviour = Appraisal.objects.get(pk=staff.pk).lines.filter(rule_kind="direct").first()
    with pytest.raises(ApplicationError):  # correcting a line that was not appealed
        services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons="r",
                               lines=[{"id": behaviour.pk, "score": "95"}])
    with pytest.raises(ApplicationError):  # the grade was not contested
        services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons="r", grade="A")
    with pytest.raises(ApplicationError):  # a rejection changes nothing
        services.appeal_decide(actor=hr, appeal=appeal, outcome="rejected", reasons="r",
                               lines=[{"id": sales.pk, "actual": "1200"}])
    with pytest.raises(ApplicationError):  # a corrected actual the rule refuses
        services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons="r",
                               lines=[{"id": sales.pk, "actual": "abc"}])
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_REVIEW and not ResultCorrection.objects.exists()
    # two HR users deciding at once: the second one's version is stale
    v = appeal.version
    services.appeal_decide(actor=hr, appeal=appeal, outcome="rejected", reasons="证据不足", expected_version=v)
    with pytest.raises(Conflict):
        services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons="r", expected_version=v)
    with pytest.raises(TransitionNotAllowed):  # withdraw after the decision
        services.appeal_withdraw(actor=org.user("staff"), appeal=appeal)


def test_withdraw_then_file_again(org, published):
    staff, _ = published
    appeal = file_appeal(org, staff)
    with pytest.raises(Conflict):
        services.appeal_withdraw(actor=org.user("staff"), appeal=appeal, expected_version=appeal.version - 1)
    services.appeal_withdraw(actor=org.user("staff"), appeal=appeal, expected_version=appeal.version)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.WITHDRAWN
    assert file_appeal(org, staff).status == Status.FILED


def test_window_later_of_publication_and_signed_interview(org, published):
    staff, _ = published
    services.policy_set(actor=org.user("hr"), cycle=staff.cycle, window_days=7)
    published_day = timezone.localdate(staff.published_at)
    assert services.window_closes(staff) == published_day + dt.timedelta(days=7)
    signed = staff.published_at + dt.timedelta(days=5)
    signals.interview_signed.send(sender=Appraisal, appraisal=staff, signed_at=signed, disagreement=True)
    closes = timezone.localdate(signed) + dt.timedelta(days=7)
    assert services.window_closes(staff) == closes
    # HR's other rule: publication only
    p = services.policy_set(actor=org.user("hr"), cycle=staff.cycle, window_days=7, window_rule="publication")
    assert services.window_closes(staff) == published_day + dt.timedelta(days=7)
    services.policy_set(actor=org.user("hr"), cycle=staff.cycle, window_days=7, window_rule="later_of",
                        expected_version=p.version)
    Appraisal.objects.filter(pk=staff.pk).update(published_at=staff.published_at - dt.timedelta(days=30))
    SignedInterviewQS = __import__("apps.appeals.models", fromlist=["SignedInterview"]).SignedInterview.objects
    SignedInterviewQS.filter(appraisal_id=staff.pk).update(signed_at=staff.published_at - dt.timedelta(days=20))
    staff.refresh_from_db()
    closes = services.window_closes(staff)
    assert closes < timezone.localdate()
    with pytest.raises(TransitionNotAllowed) as exc:
        file_appeal(org, staff)
    assert closes.isoformat() in exc.value.message
    with pytest.raises(PermissionDenied):
        services.policy_set(actor=org.user("staff"), cycle=staff.cycle, window_days=30)


def test_concern_anonymous_and_review(org, published):
    staff, peer = published
    with pytest.raises(NotFound):  # not a colleague of the same department
        services.concern_raise(actor=org.user("accountant"), appraisal=staff, reasons="x")
    with pytest.raises(ApplicationError):
        services.concern_raise(actor=org.user("peer"), appraisal=staff, reasons=" ")
    c = services.concern_raise(actor=org.user("peer"), appraisal=staff, reasons="她的销售额含有退货订单")
    assert c.status == "received"
    with pytest.raises(NotFound):
        services.concern_open_review(actor=org.user("lead"), concern=c, note="x", lines=[])
    review = services.concern_open_review(actor=org.user("hr"), concern=c, note="HR 复核销售额",
                                          lines=[line(staff, "SALES-MONTH").pk], expected_version=c.version)
    assert review.kind == "review" and review.status == Status.IN_REVIEW
    note = Notification.objects.get(recipient=org.user("staff"), url=f"/appeals/{review.pk}/")
    assert "李四" not in note.title + note.body and "Li Si" not in note.title + note.body
    assert review.filed_by == org.user("hr") and "退货" not in review.reasons
    assert Concern.objects.get(pk=c.pk).review_id == review.pk


def test_deadlines_remind_escalate_idempotent(org, published):
    staff, _ = published
    appeal = file_appeal(org, staff)
    due = appeal.triage_due
    first = deadlines_scan(today=due)  # the day it is due: a reminder to HR
    assert first["reminders"] == 1 and deadlines_scan(today=due)["reminders"] == 0
    later = deadlines_scan(today=due + dt.timedelta(days=2))
    assert later["overdue"] == 1 and later["escalations"] == 1
    again = deadlines_scan(today=due + dt.timedelta(days=2))
    assert again == {"reminders": 0, "overdue": 0, "escalations": 0}
    assert Appeal.objects.get(pk=appeal.pk).overdue_since == due + dt.timedelta(days=1)
    nxt = deadlines_scan(today=due + dt.timedelta(days=3))  # next day: reminded again, once
    assert nxt["reminders"] == 1 and nxt["overdue"] == 0


def test_hr_queue_shows_overdue_first(org, published):
    from apps.appeals.selectors import appeal_list

    staff, peer = published
    first = file_appeal(org, staff)
    second = services.appeal_file(actor=org.user("peer"), appraisal=peer, reasons="理由",
                                  lines=[line(peer, "SALES-MONTH").pk])
    deadlines_scan(today=second.triage_due + dt.timedelta(days=1))  # both overdue at triage now
    Appeal.objects.filter(pk=first.pk).update(overdue_since=None, triage_due=timezone.localdate() + dt.timedelta(days=9))
    assert [a.pk for a in appeal_list(user=org.user("hr"))] == [second.pk, first.pk]
    assert [a.pk for a in appeal_list(user=org.user("hr"), filters={"overdue": "1"})] == [second.pk]
    assert list(appeal_list(user=org.user("staff"))) == [Appeal.objects.get(pk=first.pk)]
