"""The appraisal flow through the services: opening, actuals, return for re-collection, verification,
self-assessment, manager scoring, publication and lock, and every refused transition."""
from decimal import Decimal

import pytest
from appraisal_helpers import (
    PERIOD,
    appraisal_of,
    direct_entries,
    enter_actuals,
    line,
    open_cycle,
    sign,
)

from apps.appraisals import services
from apps.appraisals.models import (
    Appraisal,
    BlockerReason,
    Collection,
    Cycle,
    CycleBlocker,
    CycleStatus,
    ScoreLine,
    Status,
)
from apps.appraisals.services import opening
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


def _verified(org, cycle):
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    return services.appraisal_verify(actor=org.user("hr"), appraisal=a)


def _self_assessed(org, cycle):
    a = _verified(org, cycle)
    return services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="本月完成主要工作",
                                          lines=direct_entries(a, ["85", "90"]), submit=True)


def _scored(org, cycle):
    a = _self_assessed(org, cycle)
    return services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好",
                                            lines=direct_entries(a, ["80", "90"]), submit=True)


# --- opening -----------------------------------------------------------------------------------------

def test_opening_creates_one_appraisal_per_signed_contract_and_lists_the_rest_as_blockers(org, cycle):
    assert cycle.status == CycleStatus.OPEN
    a = appraisal_of(org.staff, cycle)
    assert (a.status, a.department, a.appraiser, a.period) == (Status.COLLECTING, org.sales_east, org.lead, PERIOD)
    assert (a.results_weight, a.behaviour_weight, a.lines_pending) == (70, 30, 2)
    lines = list(a.lines.order_by("section", "order"))
    assert [(ln.section, ln.weight, ln.collection) for ln in lines] == [
        ("behaviour", 50, Collection.NONE), ("behaviour", 50, Collection.NONE),
        ("results", 60, Collection.PENDING), ("results", 40, Collection.PENDING)]
    assert Appraisal.objects.filter(cycle=cycle).count() == 2
    # the accountant is monthly staff too but has no contract: listed, never skipped silently
    blocker = CycleBlocker.objects.get(cycle=cycle)
    assert (blocker.employee, blocker.reason) == (org.accountant, BlockerReason.NO_CONTRACT)
    assert AuditEvent.objects.filter(action="appraisal.create").count() == 2


def test_opening_the_same_cycle_twice_creates_nothing_twice(org, cycle):
    before = (Appraisal.objects.count(), ScoreLine.objects.count(), CycleBlocker.objects.count())
    result = opening.cycle_open_and_populate(actor=org.user("hr"), cycle=cycle)
    assert result["already_open"]
    assert (Appraisal.objects.count(), ScoreLine.objects.count(), CycleBlocker.objects.count()) == before
    # creating the same cycle again is refused with a plain message
    with pytest.raises(ApplicationError) as info:
        services.cycle_create(actor=org.user("hr"), period=PERIOD, frequency="monthly",
                              deadlines={s.stage: s.due_date for s in cycle.stages.all()})
    assert "已有相同考核范围" in info.value.message  # already exists


def test_blocker_gets_an_appraisal_once_the_contract_is_signed_and_managers_are_reminded(org, cycle):
    blocker = CycleBlocker.objects.get(cycle=cycle)
    sent = services.blocker_remind(actor=org.user("hr"), blocker=blocker)
    assert sent == 1
    note = Notification.objects.get(recipient=org.gm.user)  # the accountant reports to the GM
    assert "赵会计" in note.title or "Accountant" in note.title
    assert services.blocker_remind(actor=org.user("hr"), blocker=blocker) == 0  # once a day
    # the accountant's contract gets signed (drafted by HR, appraiser the GM)
    from apps.contracts import services as cs
    from apps.contracts.models import Indicator, Section

    tpl = cs.template_create(actor=org.actor, code="TPL-FIN", name_zh="会计", job_level=org.level_s,
                             results_weight=Decimal(100), behaviour_weight=Decimal(0), lines=[{
                                 "section": Section.RESULTS, "indicator": Indicator.objects.get(code="BEH-TEAMWORK"),
                                 "weight": 100, "standard": "配合团队", "rule": {"kind": "direct", "min": 0, "max": 100}}])
    c = cs.contract_draft(actor=org.user("hr"), employee=org.accountant, period=PERIOD, template=tpl)
    c = cs.contract_propose(actor=org.user("gm"), contract=c)
    cs.contract_sign(actor=org.user("accountant"), contract=c)
    cs.contract_sign(actor=org.user("gm"), contract=c)
    result = opening.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)
    assert result["created"] == 1 and result["blockers"] == 0
    a = appraisal_of(org.accountant, cycle)
    assert a.lines_pending == 0 and a.appraiser == org.gm
    # re-checking again creates nothing twice
    assert opening.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)["created"] == 0
    assert Appraisal.objects.filter(cycle=cycle).count() == 3


def test_only_hr_creates_and_opens_cycles(org):
    from appraisal_helpers import deadlines

    with pytest.raises(PermissionDenied):
        services.cycle_create(actor=org.user("lead"), period=PERIOD, frequency="monthly", deadlines=deadlines())
    with pytest.raises(ApplicationError) as info:  # a quarterly period for a monthly cycle
        services.cycle_create(actor=org.user("hr"), period="2026-Q4", frequency="monthly", deadlines=deadlines())
    assert info.value.field == "period"
    bad = deadlines()
    bad["verification"], bad["actuals"] = bad["actuals"], bad["verification"]
    with pytest.raises(ApplicationError) as info:
        services.cycle_create(actor=org.user("hr"), period=PERIOD, frequency="monthly", deadlines=bad)
    assert "早于" in info.value.message  # before


def test_cycle_narrowed_to_departments_takes_their_subtrees_only(org):
    sign(org, org.staff)
    cycle = open_cycle(org, departments=[org.finance])
    assert not Appraisal.objects.filter(cycle=cycle).exists()
    assert list(CycleBlocker.objects.filter(cycle=cycle).values_list("employee", flat=True)) == [org.accountant.pk]


# --- actuals and verification ------------------------------------------------------------------------

def test_data_owner_enters_actuals_with_evidence_and_the_appraisal_becomes_complete(org, cycle):
    a = appraisal_of(org.staff, cycle)
    sales = line(a, "SALES-MONTH")
    services.line_actual_set(actor=org.user("accountant"), line=sales, value="1,140", evidence="销售台账 11 月")
    sales.refresh_from_db()
    assert (sales.actual, sales.evidence, sales.collection, sales.version) == (Decimal("1140"), "销售台账 11 月",
                                                                               Collection.ENTERED, 2)
    a.refresh_from_db()
    assert a.lines_pending == 1
    services.line_actual_set(actor=org.user("accountant"), line=line(a, "PROFIT-MONTH"), value=300)
    a.refresh_from_db()
    assert a.lines_pending == 0 and a.is_complete


def test_actual_that_is_not_a_number_is_refused_and_nothing_is_written(org, cycle):
    a = appraisal_of(org.staff, cycle)
    sales = line(a, "SALES-MONTH")
    with pytest.raises(ApplicationError) as info:
        services.line_actual_set(actor=org.user("accountant"), line=sales, value="一千")
    assert "not a number" in info.value.message or "不是数字" in info.value.message
    sales.refresh_from_db()
    assert (sales.actual, sales.collection, sales.version) == (None, Collection.PENDING, 1)


def test_only_the_data_source_or_hr_enters_actuals(org, cycle):
    a = appraisal_of(org.staff, cycle)
    with pytest.raises(NotFound):  # the employee's own manager is not the data source
        services.line_actual_set(actor=org.user("lead"), line=line(a, "SALES-MONTH"), value=1)
    with pytest.raises(NotFound):
        services.line_actual_set(actor=org.user("staff"), line=line(a, "SALES-MONTH"), value=1)
    services.line_actual_set(actor=org.user("hr"), line=line(a, "SALES-MONTH"), value=1)


def test_verification_scores_the_ratio_lines_with_their_explanation(org, cycle):
    a = _verified(org, cycle)
    assert a.status == Status.VERIFIED
    sales, profit = line(a, "SALES-MONTH"), line(a, "PROFIT-MONTH")
    assert (sales.attainment, sales.score, profit.score) == (Decimal("95.00"), Decimal("75.00"), Decimal("100.00"))
    assert "95.00%" in sales.explanation_zh and "75.00" in sales.explanation_zh
    assert "95.00%" in sales.explanation_en and sales.explanation_en.endswith("75.00")
    assert sales.score_source == "engine"
    event = AuditEvent.objects.get(action="appraisal.verify", object_id=str(a.pk))
    assert event.after["line_scores"][str(sales.pk)] == "75.00"


def test_incomplete_appraisal_cannot_be_verified(org, cycle):
    a = appraisal_of(org.staff, cycle)
    services.line_actual_set(actor=org.user("accountant"), line=line(a, "SALES-MONTH"), value=1140)
    with pytest.raises(TransitionNotAllowed) as info:
        services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    assert "not complete" in info.value.message or "未齐" in info.value.message
    a.refresh_from_db()
    assert a.status == Status.COLLECTING


def test_returned_line_is_recollected_then_verified(org, cycle):
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a, sales="1000")
    sales = line(a, "SALES-MONTH")
    services.line_return(actor=org.user("hr"), line=sales, reason="与销售台账不符，请核对")
    a.refresh_from_db()
    sales.refresh_from_db()
    assert (a.status, a.lines_pending, a.lines_returned) == (Status.COLLECTING, 1, 1)
    assert (sales.collection, sales.return_reason) == (Collection.RETURNED, "与销售台账不符，请核对")
    note = Notification.objects.get(recipient=org.accountant.user)
    assert "与销售台账不符" in note.body
    with pytest.raises(TransitionNotAllowed):  # returned = not complete
        services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    with pytest.raises(ApplicationError):  # a reason is required
        services.line_return(actor=org.user("hr"), line=line(a, "PROFIT-MONTH"), reason=" ")
    services.line_actual_set(actor=org.user("accountant"), line=sales, value="1140", evidence="已核对")
    a.refresh_from_db()
    assert (a.lines_pending, a.lines_returned) == (0, 0)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    assert line(a, "SALES-MONTH").score == Decimal("75.00")


def test_returning_a_line_of_a_verified_appraisal_reopens_collection_and_clears_its_scores(org, cycle):
    a = _verified(org, cycle)
    services.line_return(actor=org.user("hr"), line=line(a, "PROFIT-MONTH"), reason="利润表未盖章")
    a.refresh_from_db()
    assert a.status == Status.COLLECTING and a.verified_at is None
    assert line(a, "SALES-MONTH").score is None
    assert AuditEvent.objects.filter(action="appraisal.reopen_collection", object_id=str(a.pk)).exists()


def test_verified_actual_cannot_change_without_a_return(org, cycle):
    a = _verified(org, cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        services.line_actual_set(actor=org.user("accountant"), line=line(a, "SALES-MONTH"), value="1200")
    assert "return" in info.value.message or "退回" in info.value.message
    # the same value again is a no-op, not an error
    services.line_actual_set(actor=org.user("accountant"), line=line(a, "SALES-MONTH"), value="1140")


def test_bulk_verification_verifies_complete_appraisals_only(org, cycle):
    enter_actuals(org, appraisal_of(org.staff, cycle))
    n = services.appraisals_verify_complete(actor=org.user("hr"), cycle=cycle)
    assert n == 1
    assert appraisal_of(org.staff, cycle).status == Status.VERIFIED
    assert appraisal_of(org.peer, cycle).status == Status.COLLECTING
    assert line(appraisal_of(org.staff, cycle), "SALES-MONTH").score == Decimal("75.00")
    with pytest.raises(PermissionDenied):
        services.appraisals_verify_complete(actor=org.user("lead"), cycle=cycle)


# --- self-assessment and manager scoring -------------------------------------------------------------

def test_scoring_before_verification_is_refused(org, cycle):
    a = appraisal_of(org.staff, cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, lines=direct_entries(a, [80, 80]))
    assert "verif" in info.value.message or "核实" in info.value.message
    with pytest.raises(TransitionNotAllowed):
        services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, lines=direct_entries(a, [80, 80]))
    assert not ScoreLine.objects.filter(appraisal=a, manager_score__isnull=False).exists()


def test_self_assessment_saves_drafts_then_submits_and_refuses_scores_out_of_range(org, cycle):
    a = _verified(org, cycle)
    with pytest.raises(ApplicationError) as info:
        services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, lines=direct_entries(a, [85, 120]))
    assert "120" in info.value.message and "0" in info.value.message
    assert not ScoreLine.objects.filter(appraisal=a, self_score__isnull=False).exists()  # nothing half-written
    a = services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="草稿",
                                       lines=direct_entries(a, [85, 90]))
    assert a.status == Status.VERIFIED and a.self_comment == "草稿"
    with pytest.raises(PermissionDenied):  # the manager does not write the self-assessment
        services.appraisal_self_assess(actor=org.user("lead"), appraisal=a, comment="x")
    with pytest.raises(TransitionNotAllowed):  # and cannot score before it is submitted
        services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, lines=direct_entries(a, [80, 80]))
    a = services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="本月完成主要工作", submit=True)
    assert a.status == Status.SELF_ASSESSED and a.self_submitted_at
    # the appraiser is told
    assert Notification.objects.filter(recipient=org.lead.user, title__contains="孙娜").exists()
    # a second submit is a no-op; an edit after submitting is refused
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, submit=True)
    with pytest.raises(TransitionNotAllowed):
        services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="改")


def test_manager_scores_and_the_total_combines_sections_with_a_grade(org, cycle):
    a = _self_assessed(org, cycle)
    with pytest.raises(ApplicationError) as info:  # every line must be scored
        services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="好", submit=True)
    assert "Score every line" in info.value.message or "评分" in info.value.message
    with pytest.raises(PermissionDenied):  # only the appraiser (the chain above reads)
        services.appraisal_manager_score(actor=org.user("manager"), appraisal=a, lines=direct_entries(a, [80, 90]))
    with pytest.raises(NotFound):
        services.appraisal_manager_score(actor=org.user("accountant"), appraisal=a, lines=direct_entries(a, [80, 90]))
    a = services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好",
                                         lines=direct_entries(a, ["80", "90"]), submit=True)
    # results: 75 x 60% + 100 x 40% = 85; behaviour: 80 x 50% + 90 x 50% = 85; total 85 x 70% + 85 x 30% = 85
    assert (a.results_score, a.behaviour_score, a.total_score, a.grade) == (
        Decimal("85.00"), Decimal("85.00"), Decimal("85.00"), "C")
    assert a.status == Status.SCORED
    assert "85.00" in a.total_explanation_en and "grade C" in a.total_explanation_en
    teamwork = ScoreLine.objects.filter(appraisal=a, rule_kind="direct").order_by("section", "order", "pk").first()
    assert (teamwork.score, teamwork.score_source) == (Decimal("80.00"), "manager")
    assert "80" in teamwork.explanation_zh


def test_grade_comes_from_the_cycles_bands(org):
    sign(org, org.staff)
    cycle = open_cycle(org, grade_bands=[{"grade": "优", "min": 80}, {"grade": "良", "min": 60},
                                         {"grade": "差", "min": None}])
    a = _scored(org, cycle)
    assert a.grade == "优"


def test_two_people_scoring_the_same_line_get_a_conflict(org, cycle):
    a = _self_assessed(org, cycle)
    first = ScoreLine.objects.filter(appraisal=a, rule_kind="direct").order_by("pk").first()
    seen = first.version
    services.line_score_set(actor=org.user("lead"), line=first, score="80", expected_version=seen)
    with pytest.raises(Conflict):
        services.line_score_set(actor=org.user("lead"), line=first, score="60", expected_version=seen)
    first.refresh_from_db()
    assert first.manager_score == Decimal("80")


# --- publication and lock ----------------------------------------------------------------------------

def test_publishing_before_scoring_is_refused(org, cycle):
    a = _verified(org, cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    assert "scored" in info.value.message or "评分" in info.value.message
    with pytest.raises(TransitionNotAllowed) as info:  # the cycle: one appraisal is not ready
        services.cycle_publish(actor=org.user("hr"), cycle=cycle)
    assert a.status == Status.VERIFIED


def test_publication_notifies_locks_and_keeps_the_score_history(org, cycle):
    a = _scored(org, cycle)
    with pytest.raises(PermissionDenied):
        services.cycle_publish(actor=org.user("lead"), cycle=cycle)
    n = services.cycle_publish(actor=org.user("hr"), cycle=cycle, ready_only=True)
    assert n == 1
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED and a.is_locked
    assert Notification.objects.filter(recipient=org.staff.user, title__contains="2026").exists()
    # locked: nobody changes a published appraisal
    with pytest.raises(TransitionNotAllowed) as info:
        services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, lines=direct_entries(a, [1, 1]))
    assert "appeal" in info.value.message or "申诉" in info.value.message
    with pytest.raises(TransitionNotAllowed):
        services.line_actual_set(actor=org.user("accountant"), line=line(a, "SALES-MONTH"), value="1")
    with pytest.raises(TransitionNotAllowed):
        services.line_return(actor=org.user("hr"), line=line(a, "SALES-MONTH"), reason="x")
    # publishing again is a no-op
    services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    # the audit trail shows every score change before publication, with who
    changes = AuditEvent.objects.filter(object_type="appraisals.scoreline", action__in=[
        "appraisal.line_actual_set", "appraisal.line_self_score", "appraisal.line_manager_score"])
    assert changes.filter(actor=org.user("lead")).count() == 2
    assert changes.filter(actor=org.user("staff")).count() == 2
    assert changes.filter(actor=org.user("accountant")).count() == 2


def test_cycle_is_published_when_its_last_appraisal_is(org, cycle):
    _scored(org, cycle)
    peer = appraisal_of(org.peer, cycle)
    enter_actuals(org, peer)
    services.appraisal_verify(actor=org.user("hr"), appraisal=peer)
    services.appraisal_self_assess(actor=org.user("peer"), appraisal=peer, lines=direct_entries(peer, [70, 70]),
                                   submit=True)
    services.appraisal_manager_score(actor=org.user("lead"), appraisal=peer, comment="ok",
                                     lines=direct_entries(peer, [70, 70]), submit=True)
    services.cycle_publish(actor=org.user("hr"), cycle=cycle, department=org.sales)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED


def test_cycle_requiring_calibration_publishes_only_calibrated_appraisals(org):
    sign(org, org.staff)
    cycle = open_cycle(org, requires_calibration=True)
    a = _scored(org, cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    assert "calibrat" in info.value.message or "校准" in info.value.message
    services.appraisal_calibration_confirm(actor=org.user("hr"), appraisal=a)
    a = services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    assert (a.status, a.final_grade) == (Status.PUBLISHED, "C")


def test_grade_bands_are_validated(org):
    from apps.appraisals.grading import parse_grade_bands

    assert parse_grade_bands("S>=120, A≥105；B 90, C=75, D") == [
        {"grade": "S", "min": 120}, {"grade": "A", "min": 105}, {"grade": "B", "min": 90},
        {"grade": "C", "min": 75}, {"grade": "D", "min": None}]
    for bad in ("S>=90, A>=105, D", "S>=120", "S>=120, A>=100, D>=0", "S>=120, S>=100, D"):
        with pytest.raises(ApplicationError):
            parse_grade_bands(bad)


def test_a_cycle_in_draft_is_invisible_to_others(org):
    from appraisal_helpers import deadlines

    from apps.appraisals import selectors

    c = services.cycle_create(actor=org.user("hr"), period=PERIOD, frequency="monthly", deadlines=deadlines())
    assert c.status == CycleStatus.DRAFT
    with pytest.raises(NotFound):
        selectors.cycle_get(user=org.user("staff"), pk=c.pk)
    assert Cycle.objects.count() == 1


def test_a_late_contract_reopens_a_published_cycle_for_that_employee(org):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = _scored(org, cycle)
    services.cycle_publish(actor=org.user("hr"), cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.PUBLISHED and a.pk
    assert CycleBlocker.objects.filter(cycle=cycle, employee=org.peer, resolved_at__isnull=True).exists()
    sign(org, org.peer)
    result = opening.cycle_recheck_blockers(actor=org.user("hr"), cycle=cycle)
    cycle.refresh_from_db()
    assert result["created"] == 1 and cycle.status == CycleStatus.OPEN
    assert appraisal_of(org.peer, cycle).status == Status.COLLECTING
    assert AuditEvent.objects.filter(action="cycle.reopened", object_id=str(cycle.pk)).exists()


def test_publishing_sends_one_published_signal_per_appraisal_for_the_apps_above(org, cycle):
    from apps.appraisals.signals import appraisal_published

    received = []

    def receiver(sender, appraisal, actor, **kwargs):
        received.append((appraisal.pk, appraisal.status, actor))

    appraisal_published.connect(receiver)
    try:
        _scored(org, cycle)
        a = appraisal_of(org.staff, cycle)
        services.appraisal_publish(actor=org.user("hr"), appraisal=a)
        services.appraisal_publish(actor=org.user("hr"), appraisal=a)  # a no-op: no second signal
    finally:
        appraisal_published.disconnect(receiver)
    assert received == [(a.pk, Status.PUBLISHED, org.user("hr"))]
