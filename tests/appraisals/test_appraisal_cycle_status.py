"""A cycle's status changes only through the transition table (``CYCLE_TRANSITIONS``), each change with
an audit row; whether opening and verifying run in the background is the service's decision, so the
page and the API behave alike."""
from unittest import mock

import pytest
from appraisal_helpers import appraisal_of, enter_actuals, open_cycle, sign
from django.test import override_settings
from django.urls import reverse

from apps.appraisals import services
from apps.appraisals.models import CYCLE_TRANSITIONS, Appraisal, Cycle, CycleStatus, Status
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _status_trail(cycle) -> list[tuple[str, str]]:
    """(before, after) of every audited change of the cycle's status, oldest first."""
    trail = []
    for ev in AuditEvent.objects.filter(object_type="appraisals.cycle", object_id=str(cycle.pk)).order_by("id"):
        before, after = (ev.before or {}).get("status"), (ev.after or {}).get("status")
        if after and before != after:
            trail.append((before, after))
    return trail


def _assert_every_change_audited(cycle):
    """The audited changes chain from the draft to the cycle's current status, each one a transition
    of the table: a change made outside it (or without its audit row) breaks the chain."""
    cycle.refresh_from_db()
    trail = _status_trail(cycle)
    allowed = {(src, target) for sources, target in CYCLE_TRANSITIONS.values() for src in sources}
    assert trail[0] == (None, CycleStatus.DRAFT)  # created
    for (_b1, a1), (b2, _a2) in zip(trail, trail[1:], strict=False):
        assert a1 == b2, trail
    assert all(step in allowed for step in trail[1:]), trail
    assert trail[-1][1] == cycle.status


def test_rechecking_the_blockers_changes_the_status_through_the_table_with_audit_rows(org):
    sign(org, org.staff)
    cycle = open_cycle(org)  # the peer has no signed contract: a blocker
    assert Appraisal.objects.filter(cycle=cycle).count() == 1
    sign(org, org.peer)
    result = services.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)
    assert result["created"] == 1
    _assert_every_change_audited(cycle)
    assert cycle.status == CycleStatus.OPEN


def test_a_late_joiner_after_publication_leaves_an_unbroken_audited_trail(org):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    Appraisal.objects.filter(pk=a.pk).update(status=Status.SCORED, grade="B", total_score=80)
    services.cycle_publish(actor=org.user("hr"), cycle=cycle)
    sign(org, org.peer)
    services.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)
    _assert_every_change_audited(cycle)


# --- background or not: the service decides, the page and the API alike -------------------------------

@pytest.fixture
def draft(org):
    sign(org, org.staff)
    sign(org, org.peer)
    from appraisal_helpers import deadlines

    return services.cycle_create(actor=org.user("hr"), period="2026-11", frequency="monthly",
                                 deadlines=deadlines(), policies={})


@pytest.mark.parametrize("via", ["api", "page"])
def test_opening_a_large_cycle_runs_in_the_background_from_the_page_and_the_api(org, draft, via, api_for,
                                                                               client_for):
    hr = org.user("hr")
    with override_settings(APPRAISALS_INLINE_LIMIT=1), \
            mock.patch("apps.appraisals.services.opening.queue_task") as queued:
        if via == "api":
            r = api_for(hr).post(f"/api/v1/appraisals/cycles/{draft.pk}/open/")
            assert r.status_code == 200 and r.json()["opening"]["in_background"] is True
        else:
            r = client_for(hr).post(reverse("appraisals:cycle_open", args=[draft.pk]))
            assert r.status_code == 302
    assert [c.args[0] for c in queued.call_args_list] == ["populate_cycle"]
    assert Cycle.objects.get(pk=draft.pk).status == CycleStatus.OPENING
    assert not Appraisal.objects.filter(cycle=draft).exists()


@pytest.mark.parametrize("via", ["api", "page"])
def test_opening_a_small_cycle_runs_in_the_request_from_the_page_and_the_api(org, draft, via, api_for,
                                                                            client_for):
    hr = org.user("hr")
    with mock.patch("apps.appraisals.services.opening.queue_task") as queued:
        if via == "api":
            r = api_for(hr).post(f"/api/v1/appraisals/cycles/{draft.pk}/open/")
            assert r.status_code == 200 and r.json()["opening"]["in_background"] is False
        else:
            client_for(hr).post(reverse("appraisals:cycle_open", args=[draft.pk]))
    assert not queued.called
    assert Appraisal.objects.filter(cycle=draft).count() == 2


@pytest.mark.parametrize("via", ["api", "page"])
def test_verifying_a_large_scope_runs_in_the_background_from_the_page_and_the_api(org, via, api_for, client_for):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    for emp in (org.staff, org.peer):
        enter_actuals(org, appraisal_of(emp, cycle))
    hr = org.user("hr")
    with override_settings(APPRAISALS_INLINE_LIMIT=1), \
            mock.patch("apps.appraisals.services.verification.queue_task") as queued:
        if via == "api":
            r = api_for(hr).post(f"/api/v1/appraisals/cycles/{cycle.pk}/verify/", {}, format="json")
            assert r.status_code == 200 and r.json() == {"verified": 2, "in_background": True}
        else:
            client_for(hr).post(reverse("appraisals:cycle_verify", args=[cycle.pk]))
    assert [c.args[0] for c in queued.call_args_list] == ["verify_appraisals"]
    assert not Appraisal.objects.filter(cycle=cycle, status=Status.VERIFIED).exists()
