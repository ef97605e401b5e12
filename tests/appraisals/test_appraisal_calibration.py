"""Calibration: HR's grade quotas per cycle (impossible sets refused), each department's distribution
against them, audited grade moves by HR or the department head (score unchanged, refused once published
and without a reason), publication blocked by a hard quota unless HR overrides, access (404 outside the
scope) and a set-based calibration page (same query count for 5 and 50 appraisals)."""
import pytest
from appraisal_helpers import add_staff, appraisal_of, direct_entries, line, open_cycle, sign
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.appraisals import selectors, services
from apps.appraisals.models import Appraisal, GradeQuota, Status
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.org import services as org_services

pytestmark = pytest.mark.django_db

S_A_AT_MOST_20 = {"grades": ["S", "A"], "limit": "at_most", "percent": 20, "is_hard": True}
D_AT_LEAST_5 = {"grades": ["D"], "limit": "at_least", "percent": 5, "is_hard": False}


@pytest.fixture(autouse=True)
def english():
    """The services' messages are matched in English (the pages default to Chinese)."""
    with translation.override("en"):
        yield


def _score(org, a, sales="1200"):
    acc = org.user("accountant")
    services.line_actual_set(actor=acc, line=line(a, "SALES-MONTH"), value=sales, evidence="台账")
    services.line_actual_set(actor=acc, line=line(a, "PROFIT-MONTH"), value="300", evidence="利润表")
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    a = services.appraisal_self_assess(actor=a.employee.user, appraisal=a, lines=direct_entries(a, ["90", "90"]),
                                       submit=True)
    return services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="好",
                                            lines=direct_entries(a, ["90", "90"]), submit=True)


def _scored_cycle(org, n, **kw):
    people = add_staff(org, "C", n)
    for emp in people:
        sign(org, emp)
    cycle = open_cycle(org, **kw)
    for emp in people:
        _score(org, appraisal_of(emp, cycle))
    return cycle, people


@pytest.fixture
def scored(org):
    return _scored_cycle(org, 4)


# --- quotas ------------------------------------------------------------------------------------------

def test_hr_sets_quotas_and_an_impossible_set_is_refused_with_the_reason(org, scored):
    cycle, _people = scored
    hr = org.user("hr")
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20, D_AT_LEAST_5])
    assert [(q.grades, q.limit, q.percent, q.is_hard) for q in GradeQuota.objects.filter(cycle=cycle)] == [
        (["S", "A"], "at_most", 20, True), (["D"], "at_least", 5, False)]
    assert AuditEvent.objects.filter(action="cycle.quotas", object_id=str(cycle.pk)).exists()

    with pytest.raises(ApplicationError, match="cannot both be met"):
        services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[
            {"grades": ["S", "A"], "limit": "at_most", "percent": 10},
            {"grades": ["A"], "limit": "at_least", "percent": 95}])
    with pytest.raises(ApplicationError, match="more than 100%"):
        services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[
            {"grades": ["S"], "limit": "at_least", "percent": 60},
            {"grades": ["D"], "limit": "at_least", "percent": 50}])
    with pytest.raises(ApplicationError, match="cannot all be met"):
        services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[
            {"grades": ["S", "A", "B"], "limit": "at_most", "percent": 10},
            {"grades": ["C", "D"], "limit": "at_most", "percent": 50}])
    with pytest.raises(ApplicationError, match="not a grade"):
        services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[{"grades": ["X"], "limit": "at_most", "percent": 5}])
    # the refused sets left the accepted one in place
    assert GradeQuota.objects.filter(cycle=cycle).count() == 2
    with pytest.raises(PermissionDenied):
        services.cycle_quotas_set(actor=org.user("lead"), cycle=cycle, quotas=[])


def test_each_department_is_checked_against_the_quotas(org, scored):
    cycle, people = scored
    services.cycle_quotas_set(actor=org.user("hr"), cycle=cycle, quotas=[S_A_AT_MOST_20, D_AT_LEAST_5])
    cycle.refresh_from_db()
    grades = {a.final_grade for a in Appraisal.objects.filter(cycle=cycle)}
    dist = selectors.calibration_distribution(cycle=cycle, scope=selectors.permissions.calibration_scope_q(
        org.user("hr")))
    [east] = dist["departments"]
    assert east.department.pk == org.sales_east.pk and east.total == 4
    assert sum(n for _g, n, _p in east.cells) == 4 and set(east.counts) == grades
    # no D at all: the soft minimum of D is broken, and the hard maximum of S+A depends on the grades
    assert D_AT_LEAST_5["grades"][0] not in east.counts
    assert any(q.limit == "at_least" for q in east.breaches)


# --- grade moves -------------------------------------------------------------------------------------

def test_hr_moves_a_grade_with_a_reason_audited_and_the_score_unchanged(org, scored):
    cycle, people = scored
    a = appraisal_of(people[0], cycle)
    score, grade = a.total_score, a.grade
    moved = services.appraisal_grade_calibrate(actor=org.user("hr"), appraisal=a, grade="C",
                                               reason="跨部门校准：与同级相比偏高", expected_version=a.version)
    moved.refresh_from_db()
    assert (moved.status, moved.total_score, moved.grade, moved.calibrated_grade, moved.final_grade) == (
        Status.CALIBRATED, score, grade, "C", "C")
    assert moved.calibration_reason == "跨部门校准：与同级相比偏高" and moved.calibrated_by == org.user("hr")
    ev = AuditEvent.objects.get(action="appraisal.grade_calibrate", object_id=str(a.pk))
    assert ev.before["calibrated_grade"] == "" and ev.after["calibrated_grade"] == "C"
    assert ev.before["total_score"] == ev.after["total_score"]
    assert ev.after["calibration_reason"] == "跨部门校准：与同级相比偏高"


def test_a_grade_move_without_a_reason_or_after_publishing_is_refused(org, scored):
    cycle, people = scored
    hr = org.user("hr")
    a = appraisal_of(people[0], cycle)
    with pytest.raises(ApplicationError, match="reason"):
        services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="C", reason="  ", expected_version=a.version)
    with pytest.raises(ApplicationError, match="not a grade"):
        services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="Z", reason="x", expected_version=a.version)
    services.appraisal_publish(actor=hr, appraisal=a)
    a.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="published"):
        services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="C", reason="晚了", expected_version=a.version)
    a.refresh_from_db()
    assert a.calibrated_grade == ""


def test_the_department_head_calibrates_their_subtree_and_another_head_gets_404(org, scored, client_for, api_for):
    cycle, people = scored
    org_services.department_update(actor=org.actor, department=org.sales, head=org.manager)
    org_services.department_update(actor=org.actor, department=org.finance, head=org.accountant)
    a = appraisal_of(people[0], cycle)
    head = org.user("manager")
    services.appraisal_grade_calibrate(actor=head, appraisal=a, grade="B", reason="部门内平衡",
                                       expected_version=a.version)
    other = org.user("accountant")
    a.refresh_from_db()
    with pytest.raises(NotFound):
        services.appraisal_grade_calibrate(actor=other, appraisal=a, grade="C", reason="x", expected_version=a.version)
    url = reverse("appraisals:calibration", args=[cycle.pk])
    assert client_for(head).get(url).status_code == 200
    assert client_for(org.user("staff")).get(url).status_code == 404
    # the other head sees the page of their own department: nobody of sales in it
    page = client_for(other).get(url)
    assert page.status_code == 200 and people[0].name not in page.content.decode()
    assert client_for(other).post(reverse("appraisals:calibrate_grade", args=[a.pk]),
                                  {"grade": "C", "reason": "x", "version": a.version}).status_code == 404
    api = api_for(other)
    assert api.post(reverse("api-appraisal-calibrate-grade", args=[a.pk]),
                    {"grade": "C", "reason": "x", "version": a.version}, format="json").status_code == 404
    assert api_for(org.user("staff")).get(reverse("api-appraisals-calibration", args=[cycle.pk])).status_code == 404


# --- publication ---------------------------------------------------------------------------------------

def test_a_hard_quota_blocks_publication_until_hr_overrides_with_a_reason(org, scored):
    cycle, people = scored
    hr = org.user("hr")
    # everyone in S or A breaks "S+A at most 20%" (hard) in 华东销售处
    for emp in people:
        a = appraisal_of(emp, cycle)
        services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="A", reason="全员优秀", expected_version=a.version)
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20])
    cycle.refresh_from_db()
    with pytest.raises(TransitionNotAllowed, match="hard grade quota"):
        services.cycle_publish(actor=hr, cycle=cycle)
    with pytest.raises(TransitionNotAllowed, match="hard grade quota"):
        services.cycle_publish(actor=hr, cycle=cycle, department=org.sales)
    with pytest.raises(TransitionNotAllowed, match="hard grade quota"):
        services.appraisal_publish(actor=hr, appraisal=appraisal_of(people[0], cycle))
    assert not Appraisal.objects.filter(cycle=cycle, status=Status.PUBLISHED).exists()
    # a soft quota only warns
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[{**S_A_AT_MOST_20, "is_hard": False}],
                              expected_version=cycle.version)
    cycle.refresh_from_db()
    assert selectors.hard_quota_breaches(cycle) == []
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20])
    cycle.refresh_from_db()
    with pytest.raises(ApplicationError, match="Write why"):
        services.cycle_quota_override(actor=hr, cycle=cycle, reason="")
    with pytest.raises(PermissionDenied):
        services.cycle_quota_override(actor=org.user("manager"), cycle=cycle, reason="x")
    services.cycle_quota_override(actor=hr, cycle=cycle, reason="新产品上市，全员超额完成，总经理批准")
    cycle.refresh_from_db()
    assert cycle.quota_override_reason and cycle.quota_override_by == hr and cycle.quota_override_at
    assert AuditEvent.objects.filter(action="cycle.quota_override", object_id=str(cycle.pk)).exists()
    assert services.cycle_publish(actor=hr, cycle=cycle) == 4


def test_api_quotas_calibration_view_and_grade_move(org, scored, api_for):
    cycle, people = scored
    hr = api_for(org.user("hr"))
    url = reverse("api-appraisals-cycle-quotas", args=[cycle.pk])
    bad = hr.put(url, {"quotas": [{"grades": ["S", "A"], "limit": "at_most", "percent": 10},
                                  {"grades": ["S"], "limit": "at_least", "percent": 95}]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"quotas": bad.json()["error"]["message"]}
    ok = hr.put(url, {"quotas": [S_A_AT_MOST_20, D_AT_LEAST_5]}, format="json")
    assert ok.status_code == 200, ok.content
    assert [q["grades"] for q in hr.get(url).json()["quotas"]] == [["S", "A"], ["D"]]
    view = hr.get(reverse("api-appraisals-calibration", args=[cycle.pk])).json()
    assert view["departments"][0]["total"] == 4 and len(view["people"]) == 4
    a = appraisal_of(people[1], cycle)
    moved = hr.post(reverse("api-appraisal-calibrate-grade", args=[a.pk]),
                    {"grade": "D", "reason": "重大质量事故", "version": a.version}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["calibrated_grade"] == "D" and moved.json()["calibration_reason"] == "重大质量事故"
    no_reason = hr.post(reverse("api-appraisal-calibrate-grade", args=[a.pk]),
                        {"grade": "C", "reason": "", "version": moved.json()["version"]}, format="json")
    assert no_reason.status_code == 400
    assert api_for(org.user("lead")).put(url, {"quotas": []}, format="json").status_code in (403, 404)


# --- pages ---------------------------------------------------------------------------------------------

def test_the_appraisal_page_shows_the_calibrated_grade_and_that_it_was_calibrated(org, scored, client_for):
    cycle, people = scored
    hr = org.user("hr")
    a = appraisal_of(people[0], cycle)
    services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="D", reason="重大质量事故",
                                       expected_version=a.version)
    services.appraisal_publish(actor=hr, appraisal=a)
    own = client_for(people[0].user).get(reverse("appraisals:my")).content.decode()
    assert 'id="grade">D<' in own and 'id="calibrated"' in own and "重大质量事故" in own
    hr_page = client_for(hr).get(reverse("appraisals:detail", args=[a.pk])).content.decode()
    assert 'id="calibrated"' in hr_page


def test_the_calibration_page_costs_the_same_for_5_and_50_appraisals(org, client_for, api_for):
    hr = org.user("hr")
    people = add_staff(org, "K", 50)
    for emp in people:
        sign(org, emp)
    cycle = open_cycle(org)
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20, D_AT_LEAST_5])
    org_services.department_update(actor=org.actor, department=org.sales, head=org.manager)

    def measure():
        out = {}
        for name, user in (("hr", hr), ("head", org.user("manager"))):
            for kind, make, url in (("page", client_for, reverse("appraisals:calibration", args=[cycle.pk])),
                                    ("api", api_for, reverse("api-appraisals-calibration", args=[cycle.pk]))):
                client = make(get_user_model().objects.get(pk=user.pk))
                with CaptureQueriesContext(connection) as ctx:
                    resp = client.get(url)
                assert resp.status_code == 200
                out[f"{kind} ({name})"] = len(ctx.captured_queries)
        return out

    for emp in people[:5]:
        _score(org, appraisal_of(emp, cycle))
    small = measure()
    for i, emp in enumerate(people[5:]):
        _score(org, appraisal_of(emp, cycle), sales=str(1000 + 10 * i))
    assert Appraisal.objects.filter(cycle=cycle, status=Status.SCORED).count() == 50
    large = measure()
    assert large == small, (small, large)


def test_the_pages_set_quotas_refuse_an_impossible_set_and_move_a_grade(org, scored, client_for):
    cycle, people = scored
    hr = client_for(org.user("hr"))
    url = reverse("appraisals:calibration_quotas", args=[cycle.pk])
    resp = hr.post(url, {"version": cycle.version, "grades_0": "S+A", "limit_0": "at_most", "percent_0": "10",
                         "hard_0": "on", "grades_1": "A", "limit_1": "at_least", "percent_1": "95"}, follow=True)
    assert resp.status_code == 200 and not GradeQuota.objects.filter(cycle=cycle).exists()
    assert any("S+A" in str(m) for m in resp.context["messages"])
    resp = hr.post(url, {"version": cycle.version, "grades_0": "s, a", "limit_0": "at_most", "percent_0": "20",
                         "hard_0": "on"}, follow=True)
    assert [(q.grades, q.is_hard) for q in GradeQuota.objects.filter(cycle=cycle)] == [(["S", "A"], True)]
    a = appraisal_of(people[2], cycle)
    page = hr.post(reverse("appraisals:calibrate_grade", args=[a.pk]),
                   {"grade": "B", "reason": "", "version": a.version}, follow=True)
    a.refresh_from_db()
    assert page.status_code == 200 and a.calibrated_grade == ""
    page = hr.post(reverse("appraisals:calibrate_grade", args=[a.pk]),
                   {"grade": "B", "reason": "横向比较", "version": a.version,
                    "next": reverse("appraisals:calibration", args=[cycle.pk])}, follow=True)
    a.refresh_from_db()
    assert a.calibrated_grade == "B"
    html = page.content.decode()
    assert f'data-appraisal="{a.pk}"' in html and "横向比较" in html


def test_the_publication_deadline_does_not_publish_past_a_hard_quota_and_hr_sees_why(org, client_for):
    """The "advance" policy at the publication deadline goes through the same rule as HR's button:
    a department breaking a hard quota stays unpublished, and HR's cycle page says why."""
    import datetime as dt

    from appraisal_helpers import BASE_DAY

    from apps.appraisals.models import Policy, Stage
    from apps.appraisals.services import deadlines

    cycle, people = _scored_cycle(org, 4, policies={Stage.PUBLISH: Policy.ADVANCE})
    hr = org.user("hr")
    for emp in people:
        a = appraisal_of(emp, cycle)
        services.appraisal_grade_calibrate(actor=hr, appraisal=a, grade="A", reason="全员优秀", expected_version=a.version)
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20])
    stats = deadlines.deadlines_scan(today=BASE_DAY + dt.timedelta(days=19))
    assert not Appraisal.objects.filter(cycle=cycle, status=Status.PUBLISHED).exists()
    assert stats.get("advanced", 0) == 0 and stats["stuck"] == 4
    page = client_for(hr).get(reverse("appraisals:cycle", args=[cycle.pk])).content.decode()
    assert 'id="quota-breaches"' in page and appraisal_of(people[0], cycle).department.name in page
    # once HR overrides with a reason, the next run publishes and the notice is gone
    cycle.refresh_from_db()
    services.cycle_quota_override(actor=hr, cycle=cycle, reason="总经理批准", expected_version=cycle.version)
    deadlines.deadlines_scan(today=BASE_DAY + dt.timedelta(days=20))
    assert Appraisal.objects.filter(cycle=cycle, status=Status.PUBLISHED).count() == 4
    page = client_for(hr).get(reverse("appraisals:cycle", args=[cycle.pk])).content.decode()
    assert 'id="quota-breaches"' not in page


def test_the_page_and_the_api_offer_publish_exactly_when_the_service_allows_it(org, client_for, api_for):
    """One rule (services.can_publish) for the button, the API's actions and the service: no publish
    button while the cycle requires calibration or a hard quota is broken."""
    cycle, people = _scored_cycle(org, 2, requires_calibration=True)
    hr = org.user("hr")
    a = appraisal_of(people[0], cycle)

    def offered() -> tuple[bool, bool]:
        page = client_for(hr).get(reverse("appraisals:detail", args=[a.pk])).content.decode()
        api = api_for(hr).get(f"/api/v1/appraisals/{a.pk}/").json()["actions"]["publish"]
        return 'id="publish"' in page, api

    assert a.status == Status.SCORED
    assert offered() == (False, False)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="requires calibration"):
        services.appraisal_publish(actor=hr, appraisal=a)
    for emp in people:
        x = appraisal_of(emp, cycle)
        services.appraisal_grade_calibrate(actor=hr, appraisal=x, grade="A", reason="优秀", expected_version=x.version)
    assert offered() == (True, True)
    services.cycle_quotas_set(actor=hr, cycle=cycle, quotas=[S_A_AT_MOST_20])
    assert offered() == (False, False)
    with translation.override("en"), pytest.raises(TransitionNotAllowed, match="hard grade quota"):
        services.appraisal_publish(actor=hr, appraisal=appraisal_of(people[0], cycle))
    # the employee is never offered the button
    assert api_for(people[0].user).get(f"/api/v1/appraisals/{a.pk}/").json()["actions"]["publish"] is False
