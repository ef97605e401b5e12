"""Feed forward: the actions of a signed record are tracked (work lists, progress by the employee,
completion confirmed by the manager); accepted revisions pre-fill the next contract draft (edited or
as agreed; dropped ones do not); the next appraisal shows how the previous plan went."""
from decimal import Decimal

import pytest
from django.urls import reverse
from interview_helpers import appraisal_of, interview_of, open_cycle, publish, sign

from apps.contracts.models import Contract
from apps.core.exceptions import Conflict, PermissionDenied, TransitionNotAllowed
from apps.core.worklist import items_for
from apps.interviews import services
from apps.interviews.models import Action, ActionStatus, Decision, Revision

pytestmark = pytest.mark.django_db


def test_actions_show_on_both_work_lists_and_the_manager_confirms_completion(org, signed_interview):
    staff, lead = org.user("staff"), org.user("lead")
    titles = [w.title for w in items_for(staff)]
    assert "每周拜访两家大客户" in titles and "参加谈判技巧培训" in titles
    a = Action.objects.get(what="每周拜访两家大客户")
    a = services.action_progress(actor=staff, action=a, progress=100, note="已完成3家", expected_version=a.version)
    with pytest.raises(Conflict):
        services.action_progress(actor=staff, action=a, progress=50, expected_version=a.version - 1)
    with pytest.raises(PermissionDenied):
        services.action_confirm(actor=staff, action=a)
    assert any(w.title.startswith("确认") or "confirm" in w.title.lower() for w in items_for(lead))
    a = services.action_confirm(actor=lead, action=a, expected_version=a.version)
    assert (a.status, a.progress) == (ActionStatus.DONE, 100)
    assert "每周拜访两家大客户" not in [w.title for w in items_for(staff)]
    with pytest.raises(TransitionNotAllowed):
        services.action_progress(actor=staff, action=a, progress=10)


def test_actions_are_not_tracked_before_the_signature(org, due_interview):
    lead = org.user("lead")
    from interview_helpers import future, held_record, record_rows

    i = services.interview_schedule(actor=lead, interview=due_interview, scheduled_at=future(1), location="A",
                                    expected_version=due_interview.version)
    actions, _r = record_rows(org)
    i = services.record_save(actor=lead, interview=i, expected_version=i.version, **held_record(), actions=actions)
    a = Action.objects.filter(interview=i).first()
    with pytest.raises(TransitionNotAllowed):
        services.action_progress(actor=org.user("staff"), action=a, progress=10)


def test_accepted_revisions_prefill_the_next_contract_draft_and_dropped_ones_do_not(org, signed_interview):
    lead = org.user("lead")
    sales_rev = Revision.objects.get(interview=signed_interview, indicator__code="SALES-MONTH")
    new_rev = Revision.objects.get(interview=signed_interview, title="大客户新增数")
    period, contract, _reason = services.next_contract_period(signed_interview)
    assert (period.code, contract) == ("2026-12", None)
    # accepted as edited: the target is 1250, not the 1300 agreed
    r = services.revision_decide(actor=lead, revision=sales_rev, decision="accept", target="1250",
                                 expected_version=sales_rev.version)
    assert r.decision == Decision.ACCEPTED and r.contract.period == "2026-12"
    c = Contract.objects.get(employee=org.staff, period="2026-12", is_latest=True)
    assert c.status == "draft" and c.appraiser == org.lead
    line = c.lines.get(indicator__code="SALES-MONTH")
    assert line.target == Decimal("1250") and "2026-11" in line.notes
    services.revision_decide(actor=lead, revision=new_rev, decision="drop", expected_version=new_rev.version)
    assert not c.lines.filter(title="大客户新增数").exists()
    with pytest.raises(TransitionNotAllowed):
        new_rev.refresh_from_db()
        services.revision_decide(actor=lead, revision=new_rev, decision="accept", expected_version=new_rev.version)
    with pytest.raises(PermissionDenied):
        services.revision_decide(actor=org.user("staff"), revision=sales_rev, decision="drop")


def test_a_new_line_revision_is_added_to_the_next_contract(org, signed_interview):
    new_rev = Revision.objects.get(interview=signed_interview, title="大客户新增数")
    services.revision_decide(actor=org.user("lead"), revision=new_rev, decision="accept",
                             expected_version=new_rev.version)
    c = Contract.objects.get(employee=org.staff, period="2026-12", is_latest=True)
    line = c.lines.get(title="大客户新增数")
    assert (line.target, line.unit, line.weight) == (Decimal(3), "家", Decimal(10))


def test_the_next_appraisal_shows_how_the_previous_plan_went(org, signed_interview, client_for):
    a = Action.objects.get(what="每周拜访两家大客户")
    services.action_progress(actor=org.user("staff"), action=a, progress=60, expected_version=a.version)
    sign(org, org.staff, period="2026-12")
    cycle = open_cycle(org, period="2026-12")
    nxt = appraisal_of(org.staff, cycle)
    for viewer, sees in (("staff", True), ("lead", True), ("hr", True), ("manager", False), ("gm", False)):
        html = client_for(org.user(viewer)).get(reverse("appraisals:detail", args=[nxt.pk])).content.decode()
        assert ("每周拜访两家大客户" in html) is sees, viewer
        if sees:
            assert 'id="previous-plan"' in html and "60%" in html
    # and on the manager's preparation of the next interview
    publish(org, nxt)
    nxt_interview = interview_of(org.staff, cycle)
    html = client_for(org.user("lead")).get(reverse("interviews:manager_prep", args=[nxt_interview.pk])).content.decode()
    assert "每周拜访两家大客户" in html
