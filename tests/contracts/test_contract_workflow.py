"""The contract workflow through the services and the API: draft -> proposed -> returned / agreed,
signatures, locking, amendments, negotiation, concurrency and every refused transition."""
from decimal import Decimal

import pytest
from contract_helpers import draft, lines_payload, set_field, signed, staff_template
from django.urls import reverse
from django.utils.translation import override

from apps.contracts import services
from apps.contracts.content import content_hash, contract_content
from apps.contracts.models import Contract, ContractSignature, Method, Status
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the site's default language is zh-hans)."""
    with override("en"):
        yield


# --- drafting ----------------------------------------------------------------------------------------

def test_manager_drafts_from_the_template_of_the_job_level(org):
    tpl = staff_template(org)
    c = services.contract_draft(actor=org.user("lead"), employee=org.staff, period="2026-11")
    assert c.template == tpl
    assert (c.status, c.version_no, c.is_latest, c.method) == (Status.DRAFT, 1, True, Method.TOP_DOWN)
    assert c.appraiser == org.lead and c.frequency == "monthly"
    assert c.lines.count() == 4
    assert (c.results_weight, c.behaviour_weight, c.plan_weight) == (70, 30, 0)
    assert AuditEvent.objects.filter(action="contract.draft", object_id=str(c.pk)).exists()


def test_period_follows_the_job_levels_review_frequency(org):
    staff_template(org)
    with pytest.raises(ApplicationError) as info:
        services.contract_draft(actor=org.user("lead"), employee=org.staff, period="2026-Q4")
    assert info.value.field == "period"
    with pytest.raises(ApplicationError):
        services.contract_draft(actor=org.user("lead"), employee=org.staff, period="2026-13")
    # a quarterly manager gets a quarterly period by default
    c = services.contract_draft(actor=org.user("manager"), employee=org.lead)
    assert c.period.count("-Q") == 1 and c.frequency == "quarterly"


def test_one_contract_per_appraisee_and_period(org):
    draft(org)
    with pytest.raises(ApplicationError) as info:
        services.contract_draft(actor=org.user("lead"), employee=org.staff, period="2026-11")
    assert "already has a contract" in info.value.message


def test_only_the_direct_manager_or_hr_drafts(org):
    staff_template(org)
    with pytest.raises(PermissionDenied):  # the chain reads but does not write
        services.contract_draft(actor=org.user("manager"), employee=org.staff, period="2026-11")
    with pytest.raises(NotFound):  # an unrelated colleague does not even learn the person's record exists
        services.contract_draft(actor=org.user("accountant"), employee=org.staff, period="2026-11")
    with pytest.raises(ApplicationError):  # their own only bottom-up, for a period not begun yet
        services.contract_draft(actor=org.user("staff"), employee=org.staff, period="2026-11")
    assert services.contract_draft(actor=org.user("hr"), employee=org.staff, period="2026-11").pk


# --- the happy path --------------------------------------------------------------------------------

def test_propose_sign_by_both_agrees_and_locks(org):
    c = draft(org)
    c = services.contract_propose(actor=org.user("lead"), contract=c)
    assert c.status == Status.PROPOSED
    assert Notification.objects.filter(recipient=org.staff.user, url=f"/contracts/{c.pk}/").exists()
    c = services.contract_sign(actor=org.user("staff"), contract=c)
    assert c.status == Status.PROPOSED  # waits for the appraiser
    assert Notification.objects.filter(recipient=org.lead.user, title__contains="signature").exists() or \
        Notification.objects.filter(recipient=org.lead.user, title__contains="签").exists()
    c = services.contract_sign(actor=org.user("lead"), contract=c)
    assert c.status == Status.AGREED and c.agreed_at
    sigs = {s.party: s for s in c.signatures.all()}
    assert set(sigs) == {"appraisee", "appraiser"}
    assert sigs["appraisee"].user == org.staff.user and sigs["appraiser"].employee == org.lead
    expected = content_hash(contract_content(c))
    assert c.content_hash == expected == sigs["appraisee"].content_hash == sigs["appraiser"].content_hash
    assert len(expected) == 64 and c.signed_content["appraisee"]["employee_no"] == "S1"
    # signing twice is a no-op
    again = services.contract_sign(actor=org.user("staff"), contract=c)
    assert again.version == c.version and ContractSignature.objects.filter(contract=c).count() == 2


def test_hash_changes_with_the_content(org):
    c = draft(org)
    before = content_hash(contract_content(c))
    lines = set_field(lines_payload(c), "SALES-MONTH", target=Decimal("1100"))
    services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    c.refresh_from_db()
    assert content_hash(contract_content(c)) != before


def test_signed_contract_refuses_edits_and_points_to_amendment(org):
    c = signed(org, draft(org))
    with pytest.raises(TransitionNotAllowed) as info:
        services.contract_update(actor=org.user("lead"), contract=c, results_weight=60, behaviour_weight=40)
    assert "amendment" in info.value.message
    with pytest.raises(TransitionNotAllowed):
        services.contract_line_add(actor=org.user("lead"), contract=c, title="x")


def test_amendment_is_a_new_version_signed_again_and_the_old_one_is_kept(org):
    v1 = signed(org, draft(org))
    v2 = services.contract_amend(actor=org.user("lead"), contract=v1, reason="市场变化，目标调整")
    v1.refresh_from_db()
    assert (v2.version_no, v2.status, v2.is_latest, v2.previous_id) == (2, Status.DRAFT, True, v1.pk)
    assert v1.status == Status.AGREED and not v1.is_latest  # still in force until v2 is signed
    lines = set_field(lines_payload(v2), "SALES-MONTH", target=Decimal("1000"))
    services.contract_update(actor=org.user("lead"), contract=v2, lines=lines)
    v2 = signed(org, Contract.objects.get(pk=v2.pk))
    v1.refresh_from_db()
    assert v2.status == Status.AGREED and v1.status == Status.SUPERSEDED
    assert v1.lines.get(indicator__code="SALES-MONTH").target == 1200  # the old version as signed
    assert v2.lines.get(indicator__code="SALES-MONTH").target == 1000
    assert v1.content_hash != v2.content_hash
    with pytest.raises(TransitionNotAllowed):
        services.contract_amend(actor=org.user("lead"), contract=v1)


def test_unsigned_amendment_can_be_discarded(org):
    v1 = signed(org, draft(org))
    v2 = services.contract_amend(actor=org.user("lead"), contract=v1)
    back = services.contract_amendment_discard(actor=org.user("lead"), contract=v2)
    assert back.pk == v1.pk and back.is_latest
    assert not Contract.objects.filter(pk=v2.pk).exists()


# --- negotiation -----------------------------------------------------------------------------------

def test_employee_proposes_another_target_and_the_manager_agrees(org):
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    line = c.lines.get(indicator__code="SALES-MONTH")
    change = services.contract_change_propose(actor=org.user("staff"), contract=c, comment="1200 太高",
                                              changes=[{"line": line.pk, "field": "target", "value": "1100"}])
    c.refresh_from_db()
    assert c.status == Status.RETURNED and change.changes[0]["old"] == "1200" and change.changes[0]["new"] == "1100"
    assert Notification.objects.filter(recipient=org.lead.user).exists()
    c = services.contract_change_accept(actor=org.user("lead"), change=change)
    assert c.status == Status.PROPOSED and c.method == Method.NEGOTIATED
    assert c.lines.get(pk=line.pk).target == 1100
    c = services.contract_sign(actor=org.user("staff"), contract=c)
    c = services.contract_sign(actor=org.user("lead"), contract=c)
    assert c.status == Status.AGREED


def test_manager_declines_a_proposal_with_a_reason(org):
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    line = c.lines.first()
    change = services.contract_change_propose(actor=org.user("staff"), contract=c,
                                              changes=[{"line": line.pk, "field": "target", "value": "1"}])
    with pytest.raises(ApplicationError):
        services.contract_change_reject(actor=org.user("lead"), change=change, note="")
    c = services.contract_change_reject(actor=org.user("lead"), change=change, note="目标来自公司分解")
    assert c.status == Status.PROPOSED and c.lines.get(pk=line.pk).target == line.target


def test_only_the_appraisee_proposes_changes_and_only_to_a_proposed_contract(org):
    c = draft(org)
    line = c.lines.first()
    change = [{"line": line.pk, "field": "target", "value": "1"}]
    with pytest.raises(TransitionNotAllowed):
        services.contract_change_propose(actor=org.user("staff"), contract=c, changes=change)
    c = services.contract_propose(actor=org.user("lead"), contract=c)
    with pytest.raises(PermissionDenied):
        services.contract_change_propose(actor=org.user("lead"), contract=c, changes=change)
    with pytest.raises(ApplicationError):  # a field that is not negotiable
        services.contract_change_propose(actor=org.user("staff"), contract=c,
                                         changes=[{"line": line.pk, "field": "rule", "value": "{}"}])
    with pytest.raises(ApplicationError):  # no change at all
        services.contract_change_propose(actor=org.user("staff"), contract=c,
                                         changes=[{"line": line.pk, "field": "target", "value": str(line.target)}])


# --- refused transitions ---------------------------------------------------------------------------

def test_every_refused_transition_says_why(org):
    c = draft(org)
    lead, staff = org.user("lead"), org.user("staff")
    with pytest.raises(TransitionNotAllowed, match="Propose"):
        services.contract_sign(actor=staff, contract=c)  # draft cannot be signed
    same = services.contract_withdraw(actor=lead, contract=c)  # already a draft: a no-op
    assert (same.status, same.version) == (Status.DRAFT, c.version)
    with pytest.raises(TransitionNotAllowed):
        services.contract_return(actor=staff, contract=c, reason="x")  # nothing was proposed
    with pytest.raises(TransitionNotAllowed):
        services.contract_amend(actor=lead, contract=c)  # only a signed contract is amended
    c = services.contract_propose(actor=lead, contract=c)
    assert services.contract_propose(actor=lead, contract=c).status == Status.PROPOSED  # no-op
    with pytest.raises(TransitionNotAllowed, match="Withdraw"):
        services.contract_update(actor=lead, contract=c, results_weight=80, behaviour_weight=20)
    with pytest.raises(TransitionNotAllowed):
        services.contract_return(actor=lead, contract=c, reason="x")  # the proposer withdraws instead
    with pytest.raises(ApplicationError):
        services.contract_return(actor=staff, contract=c, reason="")  # a return needs a reason
    c = services.contract_return(actor=staff, contract=c, reason="目标偏高")
    assert c.status == Status.RETURNED and c.return_reason == "目标偏高"
    with pytest.raises(TransitionNotAllowed):
        services.contract_sign(actor=staff, contract=c)  # returned cannot be signed
    with pytest.raises(TransitionNotAllowed):
        services.contract_withdraw(actor=lead, contract=c)
    c = signed(org, c)
    for call in (lambda: services.contract_propose(actor=lead, contract=c),
                 lambda: services.contract_withdraw(actor=lead, contract=c),
                 lambda: services.contract_return(actor=staff, contract=c, reason="x")):
        with pytest.raises(TransitionNotAllowed) as info:
            call()
        assert "amendment" in info.value.message


def test_both_parties_signing_the_version_they_read_at_once_agree_the_contract(org):
    """Both open the proposed contract (same version) and sign: the second signature is not a conflict."""
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    seen = c.version
    services.contract_sign(actor=org.user("staff"), contract=Contract.objects.get(pk=c.pk), expected_version=seen)
    c = services.contract_sign(actor=org.user("lead"), contract=Contract.objects.get(pk=c.pk), expected_version=seen)
    assert c.status == Status.AGREED and c.signatures.count() == 2


def test_a_signature_on_an_older_proposal_is_still_a_conflict(org):
    """A change other than the other party's signature (returned and proposed again) still refuses."""
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    seen = c.version
    services.contract_sign(actor=org.user("staff"), contract=Contract.objects.get(pk=c.pk), expected_version=seen)
    services.contract_return(actor=org.user("staff"), contract=Contract.objects.get(pk=c.pk), reason="改一下")
    c = services.contract_propose(actor=org.user("lead"), contract=Contract.objects.get(pk=c.pk))
    with pytest.raises(Conflict):
        services.contract_sign(actor=org.user("staff"), contract=Contract.objects.get(pk=c.pk),
                               expected_version=seen)


def test_return_clears_the_signatures_given_so_far(org):
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    services.contract_sign(actor=org.user("lead"), contract=c)
    c = services.contract_return(actor=org.user("staff"), contract=c, reason="再谈谈")
    assert not c.signatures.exists()


def test_only_the_parties_sign(org):
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    for who in ("hr", "manager"):
        with pytest.raises(PermissionDenied):
            services.contract_sign(actor=org.user(who), contract=c)
    with pytest.raises(NotFound):
        services.contract_sign(actor=org.user("accountant"), contract=c)


def test_stale_edit_is_a_conflict_never_an_overwrite(org):
    c = draft(org)
    version = c.version
    services.contract_update(actor=org.user("lead"), contract=c, expected_version=version,
                             results_weight=80, behaviour_weight=20)
    with pytest.raises(Conflict) as info:
        services.contract_update(actor=org.user("hr"), contract=c, expected_version=version,
                                 results_weight=60, behaviour_weight=40)
    assert "Reload" in info.value.message
    c.refresh_from_db()
    assert c.results_weight == 80


def test_invalid_rule_on_a_line_is_refused_with_the_engines_message(org):
    c = draft(org)
    lines = lines_payload(c)
    lines[0]["rule"] = {"kind": "linear", "floor": 200, "cap": 150}
    with pytest.raises(ApplicationError) as info:
        services.contract_update(actor=org.user("lead"), contract=c, lines=lines)
    assert "floor" in info.value.message.lower()
    lines[0]["rule"] = {"kind": "curve"}
    with pytest.raises(ApplicationError, match="Unknown scoring rule kind"):
        services.contract_update(actor=org.user("lead"), contract=c, lines=lines)


# --- API -------------------------------------------------------------------------------------------

def test_api_workflow_draft_propose_change_accept_sign(org, api_for):
    staff_template(org)
    lead, staff = api_for(org.user("lead")), api_for(org.user("staff"))
    resp = lead.post(reverse("api-contracts"), {"employee": org.staff.pk, "period": "2026-11"}, format="json")
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    cid, version = body["id"], body["version"]
    assert body["status"] == "draft" and len(body["lines"]) == 4 and body["party"] == "appraiser"
    assert any(i["code"] == "no_goal" for i in body["lint"])
    # edit a line's target
    lines = body["lines"]
    payload = [{k: ln[k] for k in ("id", "section", "indicator", "weight", "standard", "target", "unit", "rule",
                                   "data_source")} for ln in lines]
    payload[0]["target"] = "1250"
    resp = lead.patch(reverse("api-contract", args=[cid]), {"version": version, "lines": payload}, format="json")
    assert resp.status_code == 200, resp.json()
    version = resp.json()["version"]
    # a stale version is a conflict
    stale = lead.patch(reverse("api-contract", args=[cid]), {"version": version - 1, "results_weight": "60",
                                                            "behaviour_weight": "40"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    resp = lead.post(reverse("api-contract-propose", args=[cid]), {"version": version}, format="json")
    assert resp.json()["status"] == "proposed"
    line_id = resp.json()["lines"][0]["id"]
    resp = staff.post(reverse("api-contract-changes", args=[cid]),
                      {"comment": "少一点", "changes": [{"line": line_id, "field": "target", "value": "1150"}]},
                      format="json")
    assert resp.status_code == 201, resp.json()
    change_id = resp.json()["id"]
    resp = lead.post(reverse("api-contract-change-accept", args=[change_id]), {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "proposed"
    assert staff.post(reverse("api-contract-sign", args=[cid]), {}, format="json").json()["status"] == "proposed"
    resp = lead.post(reverse("api-contract-agree", args=[cid]), {}, format="json")
    assert resp.json()["status"] == "agreed" and len(resp.json()["signatures"]) == 2
    # locked: the API refuses edits and points to amendment
    locked = lead.patch(reverse("api-contract", args=[cid]), {"results_weight": "60"}, format="json")
    assert locked.status_code == 409 and "变更" in locked.json()["error"]["message"]  # zh-hans: "start an amendment"
    resp = lead.post(reverse("api-contract-amend", args=[cid]), {"reason": "调整"}, format="json")
    assert resp.status_code == 201 and resp.json()["version_no"] == 2
    versions = staff.get(reverse("api-contract-versions", args=[resp.json()["id"]])).json()
    assert [v["version_no"] for v in versions] == [2, 1]


def test_api_refused_transitions_answer_409_with_a_message(org, api_for):
    c = draft(org)
    staff = api_for(org.user("staff"))
    resp = staff.post(reverse("api-contract-sign", args=[c.pk]), {}, format="json")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "transition_not_allowed" and resp.json()["error"]["message"]
    resp = api_for(org.user("lead")).post(reverse("api-contract-return", args=[c.pk]), {"reason": "x"},
                                          format="json")
    assert resp.status_code == 409
    resp = staff.patch(reverse("api-contract", args=[c.pk]), {"results_weight": "50"}, format="json")
    assert resp.status_code == 403


def test_api_return_needs_a_reason(org, api_for):
    c = services.contract_propose(actor=org.user("lead"), contract=draft(org))
    resp = api_for(org.user("staff")).post(reverse("api-contract-return", args=[c.pk]), {"reason": ""},
                                           format="json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"] == {"reason": resp.json()["error"]["message"]}
