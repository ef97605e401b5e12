"""Correcting a published appraisal (the appeals path): through the scoring path, with history, audit,
signal, notifications, quotas re-checked, and HR only."""
from __future__ import annotations

import pytest
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, line, open_cycle, sign
from django.urls import reverse

from apps.appraisals import services, signals
from apps.appraisals.models import Appraisal, ResultCorrection, ScoreLine
from apps.contracts.scoring import ScoringError
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


def publish(org, appraisal, sales="1140"):
    enter_actuals(org, appraisal, sales=sales)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=appraisal)
    emp_user = org.user("staff" if a.employee_id == org.staff.pk else "peer")
    a = services.appraisal_self_assess(actor=emp_user, appraisal=a, comment="完成", submit=True,
                                       lines=direct_entries(a, ["85", "90"]))
    a = services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="良好", submit=True,
                                         lines=direct_entries(a, ["80", "90"]))
    return services.appraisal_publish(actor=org.user("hr"), appraisal=a)


@pytest.fixture
def two(org):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    staff = publish(org, appraisal_of(org.staff, cycle), sales="1140")
    peer = publish(org, appraisal_of(org.peer, cycle), sales="1200")
    return staff, peer


def test_corrected_actual_rescores_like_a_fresh_scoring(org, two):
    staff, peer = two
    sales = line(staff, "SALES-MONTH")
    old_total, old_expl = staff.total_score, staff.total_explanation_zh
    assert staff.total_score != peer.total_score
    seen = []

    def receiver(sender, **kw):
        seen.append(kw)
    signals.appraisal_result_corrected.connect(receiver)
    try:
        c = services.appraisal_result_correct(actor=org.user("hr"), appraisal=staff, reason="销售台账漏记一笔",
                                              reference="appeal:1",
                                              lines=[{"id": sales.pk, "actual": "1200", "version": sales.version}])
    finally:
        signals.appraisal_result_corrected.disconnect(receiver)
    staff.refresh_from_db()
    sales.refresh_from_db()
    fresh = line(peer, "SALES-MONTH")
    # the same as the colleague whose identical data was scored normally
    assert (sales.score, sales.explanation_zh, sales.explanation_en) == (fresh.score, fresh.explanation_zh,
                                                                        fresh.explanation_en)
    assert (staff.total_score, staff.final_grade, staff.results_score) == (peer.total_score, peer.final_grade,
                                                                           peer.results_score)
    assert staff.total_explanation_zh == peer.total_explanation_zh != old_expl
    assert staff.status == "published"
    # history kept
    assert c.before["total_score"] == str(old_total) and c.after["total_score"] == str(staff.total_score)
    assert c.changes[0]["old"]["actual"] == "1140" and c.changes[0]["new"]["actual"] == "1200"
    assert list(staff.corrections.all()) == [c]
    with pytest.raises(RuntimeError):
        c.save()
    # audit rows naming the case
    line_audit = AuditEvent.objects.get(action="appraisal.line_correct", object_id=str(sales.pk))
    assert line_audit.before["actual"] == "1140.0000" and line_audit.after["actual"] == "1200.0000"
    assert line_audit.after["reference"] == "appeal:1"
    assert AuditEvent.objects.filter(action="appraisal.result_correct", object_id=str(staff.pk)).count() == 1
    assert seen and seen[0]["before"] == {"total_score": old_total, "grade": c.before["final_grade"]}
    assert seen[0]["reason"] == "销售台账漏记一笔"
    assert Notification.objects.filter(recipient=org.user("staff"), url=reverse("appraisals:detail",
                                                                                 args=[staff.pk])).count() == 2
    assert Notification.objects.filter(recipient=org.user("lead"), title__contains="更正").exists() or \
        Notification.objects.filter(recipient=org.user("lead"), title__contains="corrected").exists()


def test_page_shows_corrected_with_history(org, two, client_for):
    staff, _peer = two
    services.appraisal_result_correct(actor=org.user("hr"), appraisal=staff, reason="行为分复核", reference="appeal:2",
                                      lines=[{"id": ScoreLine.objects.filter(appraisal=staff, rule_kind="direct")
                                              .order_by("section", "order", "pk").first().pk, "score": "95"}])
    html = client_for(org.user("staff")).get(reverse("appraisals:detail", args=[staff.pk])).content.decode()
    assert 'id="corrections"' in html and "经申诉更正" in html
    assert "行为分复核" not in html  # the reasons stay with the appeal (its own access rules), not on the appraisal


def test_grade_correction_and_quota_breach_shown_not_silent(org, two):
    staff, _peer = two
    cycle = staff.cycle
    # a hard quota nobody breaks at publication: no S at all
    from apps.appraisals.models import GradeQuota
    GradeQuota.objects.create(cycle=cycle, grades=["S"], limit="at_most", percent=0, is_hard=True)
    with pytest.raises(ApplicationError) as exc:
        services.appraisal_result_correct(actor=org.user("hr"), appraisal=staff, reason="r", reference="appeal:3",
                                          grade="S")
    assert "S" in exc.value.message and exc.value.extra["quota_breaches"]
    staff.refresh_from_db()
    assert staff.final_grade != "S" and not ResultCorrection.objects.exists()
    c = services.appraisal_result_correct(actor=org.user("hr"), appraisal=staff, reason="r", reference="appeal:3",
                                          grade="S", accept_quota_breach=True)
    staff.refresh_from_db()
    assert staff.final_grade == "S" and staff.calibrated_grade == "S" and c.quota_breaches
    assert staff.calibration_reason == "经申诉更正 / Corrected after appeal (appeal:3)"  # not the case's reasons


def test_refusals_write_nothing(org, two):
    staff, _peer = two
    sales = line(staff, "SALES-MONTH")
    behaviour = ScoreLine.objects.filter(appraisal=staff, rule_kind="direct").first()
    kw = {"appraisal": staff, "reason": "x", "reference": "appeal:9"}
    with pytest.raises(PermissionDenied):  # the employee may read it, not correct it
        services.appraisal_result_correct(actor=org.user("staff"), lines=[{"id": sales.pk, "actual": "2000"}], **kw)
    with pytest.raises(PermissionDenied):  # nor the manager
        services.appraisal_result_correct(actor=org.user("lead"), lines=[{"id": sales.pk, "actual": "2000"}], **kw)
    with pytest.raises(NotFound):  # a stranger does not learn it exists
        services.appraisal_result_correct(actor=org.user("accountant"), lines=[{"id": sales.pk, "actual": "2000"}],
                                          **kw)
    with pytest.raises(ApplicationError):
        services.appraisal_result_correct(actor=org.user("hr"), appraisal=staff, reason=" ", reference="appeal:9",
                                          lines=[{"id": sales.pk, "actual": "2000"}])
    with pytest.raises(ScoringError):  # outside the rule's range 0-100, after a valid line: nothing written
        services.appraisal_result_correct(actor=org.user("hr"), lines=[
            {"id": sales.pk, "actual": "2000"}, {"id": behaviour.pk, "score": "130"}], **kw)
    with pytest.raises(ApplicationError):
        services.appraisal_result_correct(actor=org.user("hr"), lines=[{"id": sales.pk, "actual": "abc"}], **kw)
    with pytest.raises(Conflict):
        services.appraisal_result_correct(actor=org.user("hr"), lines=[{"id": sales.pk, "actual": "1300"}],
                                          expected_version=staff.version - 1, **kw)
    sales.refresh_from_db()
    assert sales.actual == 1140 and not ResultCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["appraisal.line_correct", "appraisal.result_correct"]).exists()


def test_unpublished_is_refused(org):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    with pytest.raises(TransitionNotAllowed):
        services.appraisal_result_correct(actor=org.user("hr"), appraisal=a, reason="x", reference="appeal:1",
                                          grade="A")
    assert Appraisal.objects.get(pk=a.pk).calibrated_grade == ""
