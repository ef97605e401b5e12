"""Competency models, ability ratings, the nine-box placement and HR's overrides, through the services."""
from decimal import Decimal

import pytest
from results_helpers import anchors, appraisal_of, rate

from apps.appraisals.models import Appraisal
from apps.appraisals.signals import appraisal_result_corrected
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.results import services
from apps.results.models import (
    DEFAULT_CATEGORIES,
    AbilitySource,
    Category,
    Family,
    Level,
    PerformanceBasis,
    Placement,
    TalentReview,
    level_for,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("value", "expected"), [
    ("0", Level.LOW), ("2.49", Level.LOW), ("2.5", Level.MEDIUM), ("3.74", Level.MEDIUM), ("3.75", Level.HIGH),
    ("5", Level.HIGH), (None, ""),
])
def test_every_boundary_of_the_ability_bands(value, expected):
    """Lower bounds are inclusive: 2.5 is medium, 3.75 is high (the defaults)."""
    assert level_for(value, Decimal("2.5"), Decimal("3.75")) == expected


def test_the_seed_names_all_nine_cells():
    assert len(DEFAULT_CATEGORIES) == 9
    names = {v[0] for v in DEFAULT_CATEGORIES.values()}
    assert {"失败者", "表现尚可者", "有潜力者", "表现满意者", "关键员工", "中坚力量", "能力强绩效差者"} <= names
    assert DEFAULT_CATEGORIES[("high", "high")][0] == "关键员工"
    assert DEFAULT_CATEGORIES[("low", "low")][0] == "失败者"
    assert DEFAULT_CATEGORIES[("low", "high")][0] == "能力强绩效差者"


def test_competency_model_needs_five_anchors_and_hr(org, competency_models):
    staff_model, _ = competency_models
    with pytest.raises(ApplicationError, match="anchor"):
        services.competency_save(actor=org.user("hr"), model=staff_model, name_zh="沟通", anchors=anchors("x")[:3])
    with pytest.raises(PermissionDenied):
        services.competency_save(actor=org.user("lead"), model=staff_model, name_zh="沟通", anchors=anchors("x"))
    with pytest.raises(ApplicationError, match="already"):
        services.competency_model_save(actor=org.user("hr"), family=Family.STAFF, name_zh="重复")


def test_no_review_before_the_cycle_is_published(org, competency_models):
    from results_helpers import PERIOD, sign
    sys_path_helpers = __import__("appraisal_helpers")
    sign(org, org.staff, period="2026-10")
    cycle = sys_path_helpers.open_cycle(org, period="2026-10")
    with pytest.raises(ApplicationError, match="not published"):
        services.review_create(actor=org.user("hr"), cycle=cycle)
    assert PERIOD != "2026-10"


def test_cut_offs_that_overlap_or_leave_gaps_are_refused(org, cycle, competency_models):
    with pytest.raises(ApplicationError, match="below"):
        services.review_create(actor=org.user("hr"), cycle=cycle, ability_medium_from="3", ability_high_from="3")
    with pytest.raises(ApplicationError, match="below"):
        services.review_create(actor=org.user("hr"), cycle=cycle, performance_medium_from="110",
                               performance_high_from="100")
    assert not TalentReview.objects.exists()


def test_placement_from_grade_and_ratings(org, review):
    """Both published with grade C: low performance; no ability until the manager submits ratings."""
    p = Placement.objects.get(review=review, employee=org.staff)
    assert (p.grade, p.performance, p.ability) == ("C", Level.LOW, "")
    rate(org, review, org.staff, [4, 4, 5])
    p.refresh_from_db()
    assert (p.ability_value, p.ability, p.cell) == (Decimal("4.33"), Level.HIGH, (Level.LOW, Level.HIGH))
    assert Category.objects.get(performance="low", ability="high").name_zh == "能力强绩效差者"


def test_performance_from_the_total_with_hr_cut_offs(org, review):
    """Total 85: below 85 low, from 85 medium (inclusive); moving the cut-off moves the person."""
    hr = org.user("hr")
    r = services.review_update(actor=hr, review=review, expected_version=review.version,
                               performance_basis=PerformanceBasis.TOTAL, performance_medium_from="85",
                               performance_high_from="100")
    assert Placement.objects.get(review=r, employee=org.staff).performance == Level.MEDIUM
    r = services.review_update(actor=hr, review=r, expected_version=r.version, performance_medium_from="85.01")
    assert Placement.objects.get(review=r, employee=org.staff).performance == Level.LOW
    with pytest.raises(Conflict):
        services.review_update(actor=hr, review=r, expected_version=r.version - 1, performance_medium_from="80")


def test_behaviour_section_can_stand_for_ability(org, review):
    """Behaviour score 85: with the behaviour option and cut-offs 80/85 that is high (inclusive)."""
    r = services.review_update(actor=org.user("hr"), review=review, expected_version=review.version,
                               ability_source=AbilitySource.BEHAVIOUR, behaviour_medium_from="80",
                               behaviour_high_from="85")
    p = Placement.objects.get(review=r, employee=org.peer)
    assert (p.ability_value, p.ability) == (Decimal("85.00"), Level.HIGH)
    with pytest.raises(ApplicationError, match="behaviour section"):
        rate(org, r, org.staff, [3, 3, 3])


def test_bad_ratings_are_refused(org, review):
    with pytest.raises(ApplicationError, match="whole number from 1 to 5"):
        rate(org, review, org.staff, [6, 3, 3])
    with pytest.raises(ApplicationError, match="every competency"):
        services.assessment_save(actor=org.user("lead"), review=review, employee=org.staff, ratings={}, submit=True)
    # someone not in the team: another manager gets 404, the employee's skip-level manager too
    with pytest.raises(NotFound):
        rate(org, review, org.staff, [3, 3, 3], actor=org.user("accountant"))
    with pytest.raises(NotFound):
        rate(org, review, org.staff, [3, 3, 3], actor=org.user("manager"))
    with pytest.raises(NotFound):
        rate(org, review, org.staff, [3, 3, 3], actor=org.user("staff"))


def test_submitted_ratings_are_changed_by_hr_only_with_a_reason(org, review):
    a = rate(org, review, org.staff, [2, 2, 2])
    assert Placement.objects.get(review=review, employee=org.staff).ability == Level.LOW
    with pytest.raises(TransitionNotAllowed):
        rate(org, review, org.staff, [3, 3, 3])
    comps = list(a.model.competencies.order_by("order"))
    with pytest.raises(ApplicationError, match="Reason"):
        services.assessment_adjust(actor=org.user("hr"), assessment=a, ratings={c.pk: 3 for c in comps}, reason=" ",
                                   expected_version=a.version)
    with pytest.raises(PermissionDenied):
        services.assessment_adjust(actor=org.user("lead"), assessment=a, ratings={c.pk: 3 for c in comps},
                                   reason="校准", expected_version=a.version)
    with pytest.raises(Conflict):
        services.assessment_adjust(actor=org.user("hr"), assessment=a, ratings={c.pk: 3 for c in comps},
                                   reason="校准", expected_version=a.version - 1)
    a = services.assessment_adjust(actor=org.user("hr"), assessment=a, ratings={c.pk: 3 for c in comps},
                                   reason="校准会议决定", expected_version=a.version)
    assert a.average == Decimal("3.00")
    assert Placement.objects.get(review=review, employee=org.staff).ability == Level.MEDIUM
    ev = AuditEvent.objects.get(action="results.assessment_adjusted")
    assert ev.after["adjust_reason"] == "校准会议决定" and ev.before["average"] == "2.00"


def test_hr_override_needs_a_reason_and_is_audited(org, review):
    p = Placement.objects.get(review=review, employee=org.staff)
    with pytest.raises(ApplicationError, match="Reason"):
        services.placement_override(actor=org.user("hr"), placement=p, performance="medium", ability="medium",
                                    reason="", expected_version=p.version)
    with pytest.raises(PermissionDenied):
        services.placement_override(actor=org.user("lead"), placement=p, performance="medium", ability="medium",
                                    reason="x", expected_version=p.version)
    with pytest.raises(NotFound):
        services.placement_override(actor=org.user("accountant"), placement=p, performance="medium",
                                    ability="medium", reason="x", expected_version=p.version)
    p = services.placement_override(actor=org.user("hr"), placement=p, performance="medium", ability="medium",
                                    reason="客户突发事件影响业绩", expected_version=p.version)
    assert p.is_overridden and p.cell == ("medium", "medium") and p.performance == "low"
    ev = AuditEvent.objects.get(action="results.placement_overridden")
    assert ev.after["override_reason"] == "客户突发事件影响业绩"
    # recomputing keeps the override
    services.placements_compute(review=review)
    p.refresh_from_db()
    assert p.cell == ("medium", "medium")
    with pytest.raises(Conflict):
        services.placement_override(actor=org.user("hr"), placement=p, performance="high", ability="high",
                                    reason="x", expected_version=p.version - 1)


def test_a_corrected_grade_after_an_appeal_moves_the_person(org, review):
    a = appraisal_of(org.staff, review.cycle)
    before = {"total_score": a.total_score, "grade": a.grade}
    Appraisal.objects.filter(pk=a.pk).update(grade="A", total_score=Decimal("108"))
    a.refresh_from_db()
    appraisal_result_corrected.send(sender=Appraisal, appraisal=a, actor=org.user("hr"), reason="申诉成立",
                                    before=before)
    p = Placement.objects.get(review=review, employee=org.staff)
    assert (p.grade, p.performance) == ("A", Level.HIGH)
    assert Placement.objects.get(review=review, employee=org.peer).performance == Level.LOW


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the zh-Hans ones are checked on the pages)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_a_review_may_open_on_part_of_a_cycle_and_late_results_are_placed(org, competency_models):
    import appraisal_helpers
    from results_helpers import appraisal_of, publish, sign

    sign(org, org.staff)
    sign(org, org.peer)
    cycle = appraisal_helpers.open_cycle(org)
    publish(org, appraisal_of(org.staff, cycle))
    review = services.review_create(actor=org.user("hr"), cycle=cycle)
    assert list(Placement.objects.filter(review=review).values_list("employee_id", flat=True)) == [org.staff.pk]
    publish(org, appraisal_of(org.peer, cycle))  # appraisal_published places her
    assert Placement.objects.filter(review=review, employee=org.peer, performance=Level.LOW).exists()
