"""Actions that follow a placement: proposed from the cell, confirmed or dropped by the manager or HR,
approved by HR (promotions and exit reviews by the general manager), released to the employee by HR."""
import datetime as dt

import pytest
from results_helpers import rate

from apps.core.exceptions import ApplicationError, Conflict, PermissionDenied, TransitionNotAllowed
from apps.core.worklist import items_for
from apps.notifications.models import Notification
from apps.results import selectors, services
from apps.results.models import ActionKind, ActionStatus, Placement, TalentAction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _action(placement, kind):
    return TalentAction.objects.get(placement=placement, kind=kind)


def _step(actor, action, move, **kw):
    action.refresh_from_db()
    return services.action_transition(actor=actor, action=action, move=move, expected_version=action.version, **kw)


def test_the_cell_proposes_actions_once(org, review):
    rate(org, review, org.staff, [4, 4, 5])  # low performance, high ability: warning and a PIP
    p = Placement.objects.get(review=review, employee=org.staff)
    assert list(TalentAction.objects.filter(placement=p).values_list("kind", "status")) == [
        (ActionKind.PIP, ActionStatus.PROPOSED)]
    services.placements_compute(review=review)
    assert TalentAction.objects.filter(placement=p).count() == 1


def test_pip_confirmed_by_the_manager_approved_and_released_by_hr(org, review, django_capture_on_commit_callbacks):
    rate(org, review, org.staff, [4, 4, 5])
    pip = _action(Placement.objects.get(review=review, employee=org.staff), ActionKind.PIP)
    staff = org.user("staff")
    assert not selectors.my_released_actions(staff).exists()
    due = dt.date(2027, 3, 31)
    pip = _step(org.user("lead"), pip, "confirm", title="三个月绩效改进计划", details="目标：月销售额达标", due_date=due)
    assert (pip.status, pip.title, pip.due_date) == (ActionStatus.CONFIRMED, "三个月绩效改进计划", due)
    with pytest.raises(PermissionDenied):
        _step(org.user("lead"), pip, "approve")
    pip = _step(org.user("hr"), pip, "approve")
    with pytest.raises(PermissionDenied):
        _step(org.user("lead"), pip, "release")
    seen = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        pip = _step(org.user("hr"), pip, "release")
    assert pip.status == ActionStatus.RELEASED
    assert list(selectors.my_released_actions(staff)) == [pip]
    assert any("三个月绩效改进计划" in i.title for i in items_for(staff))
    note = Notification.objects.exclude(pk__in=seen).get(recipient=staff)
    assert "改进" not in note.body and "三个月" not in note.title  # a link only, no content
    with pytest.raises(TransitionNotAllowed):
        _step(org.user("hr"), pip, "release")


def test_promotion_needs_the_general_manager_not_the_one_who_nominated(org, review):
    hr, gm = org.user("hr"), org.user("gm")
    p = Placement.objects.get(review=review, employee=org.peer)
    p = services.placement_override(actor=hr, placement=p, performance="high", ability="high", reason="年度之星",
                                    expected_version=p.version)
    promo = _action(p, ActionKind.PROMOTION)
    promo = _step(gm, promo, "confirm")  # an executive above the person may nominate
    assert promo.status == ActionStatus.CONFIRMED
    with pytest.raises(PermissionDenied, match="confirmed this nomination yourself"):
        _step(gm, promo, "approve")
    with pytest.raises(PermissionDenied, match="general manager"):
        _step(hr, promo, "approve")
    with pytest.raises(ApplicationError):
        _step(gm, promo, "nominate")


def test_nominations_and_exit_reviews_are_never_released(org, review):
    hr, gm, lead = org.user("hr"), org.user("gm"), org.user("lead")
    p = Placement.objects.get(review=review, employee=org.peer)
    p = services.placement_override(actor=hr, placement=p, performance="high", ability="high", reason="年度之星",
                                    expected_version=p.version)
    promo = _step(lead, _action(p, ActionKind.PROMOTION), "confirm")
    promo = _step(gm, promo, "approve")
    with pytest.raises(TransitionNotAllowed, match="never shown"):
        _step(hr, promo, "release")
    assert not selectors.actions(org.user("peer")).exists()


def test_drop_edit_and_stale_versions(org, review):
    rate(org, review, org.staff, [4, 4, 5])
    pip = _action(Placement.objects.get(review=review, employee=org.staff), ActionKind.PIP)
    with pytest.raises(Conflict):
        services.action_update(actor=org.user("lead"), action=pip, expected_version=pip.version - 1, title="x")
    pip = services.action_update(actor=org.user("lead"), action=pip, expected_version=pip.version, title="改进计划")
    with pytest.raises(ApplicationError, match="What is to be done"):
        services.action_update(actor=org.user("lead"), action=pip, expected_version=pip.version, title=" ")
    pip = _step(org.user("hr"), pip, "drop")
    assert pip.status == ActionStatus.DROPPED
    with pytest.raises(TransitionNotAllowed):
        _step(org.user("lead"), pip, "confirm")


def test_reminders_are_sent_once_a_day(org, review):
    rate(org, review, org.staff, [4, 4, 5])
    pip = _action(Placement.objects.get(review=review, employee=org.staff), ActionKind.PIP)
    hr = org.user("hr")
    today = dt.date(2027, 1, 10)
    pip = _step(hr, pip, "confirm", due_date=today + dt.timedelta(days=5))
    pip = _step(hr, _step(hr, pip, "approve"), "release")
    before = Notification.objects.filter(recipient=org.user("staff")).count()
    assert services.remind_actions(today=today) == 1
    assert services.remind_actions(today=today) == 0
    assert services.remind_actions(today=today + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=org.user("staff")).count() == before + 2


def test_at_the_next_appraisal_the_manager_sees_what_was_agreed(org, review):
    from apps.appraisals.models import Appraisal
    from apps.core.panels import panels_for

    rate(org, review, org.staff, [4, 4, 5])
    pip = _action(Placement.objects.get(review=review, employee=org.staff), ActionKind.PIP)
    hr = org.user("hr")
    pip = _step(hr, _step(hr, pip, "confirm", title="三个月改进计划"), "approve")
    next_appraisal = Appraisal(employee_id=org.staff.pk, period="2026-12")  # the page's object: period and person
    same_period = Appraisal(employee_id=org.staff.pk, period=review.cycle.period)

    def titles(user, obj):
        return [a.title for p in panels_for("appraisal.detail", user=user, obj=obj)
                for a in p.context.get("talent_actions", [])]

    assert titles(org.user("lead"), next_appraisal) == ["三个月改进计划"]
    assert titles(org.user("hr"), next_appraisal) == ["三个月改进计划"]
    assert titles(org.user("lead"), same_period) == []
    assert titles(org.user("peer"), next_appraisal) == []
    assert titles(org.user("staff"), next_appraisal) == []  # approved, not released to her yet
    _step(hr, pip, "release")
    assert titles(org.user("staff"), next_appraisal) == ["三个月改进计划"]


def test_a_released_pip_goes_into_the_next_contract_draft(org, review, client_for):
    from apps.contracts.models import Contract

    rate(org, review, org.staff, [4, 4, 5])
    pip = _action(Placement.objects.get(review=review, employee=org.staff), ActionKind.PIP)
    hr, lead = org.user("hr"), org.user("lead")
    pip = _step(hr, pip, "confirm", title="每周拜访两家大客户", details="季度新增大客户3家")
    with pytest.raises(TransitionNotAllowed, match="released"):
        services.action_offer_to_contract(actor=lead, action=pip, expected_version=pip.version)
    pip = _step(hr, _step(hr, pip, "approve"), "release")
    with pytest.raises(PermissionDenied):
        services.action_offer_to_contract(actor=org.user("gm"), action=pip, expected_version=pip.version)
    page = client_for(lead)
    r = page.post(f"/results/actions/{pip.pk}/", {"move": "offer", "version": pip.version})
    assert r.status_code == 302
    pip.refresh_from_db()
    contract = Contract.objects.get(pk=pip.contract_id)
    assert contract.employee_id == org.staff.pk and contract.period > review.cycle.period
    line = contract.lines.get(title="每周拜访两家大客户")
    assert line.standard == "季度新增大客户3家" and review.cycle.period in line.notes
    from django.utils import translation

    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="already"):  # the request left zh on
        services.action_offer_to_contract(actor=lead, action=pip, expected_version=pip.version)
    assert f'data-contract="{contract.pk}"' in page.get(f"/results/people/{pip.placement_id}/").content.decode()
