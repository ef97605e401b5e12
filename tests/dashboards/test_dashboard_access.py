"""Who sees which dashboard (pages and API alike): executives and HR everything; a department's head and
the managers above see its subtree; an appraiser and their chain see the team; everyone their own
results; anything else answers 404."""
import pytest
from dashboard_helpers import open_cycle, score, sign
from django.urls import reverse

from apps.appraisals import services as appraisal_services
from apps.appraisals.models import Appraisal
from apps.core.models import AuditEvent
from apps.dashboards import services
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    org_services.department_update(actor=org.actor, department=org.sales, head=org.manager)
    org_services.department_update(actor=org.actor, department=org.sales_east, head=org.lead)
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org, period="2026-11")
    a = score(org, Appraisal.objects.get(cycle=cycle, employee=org.staff))
    appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)
    services.cycle_rollup(cycle_id=cycle.pk)
    return cycle


def _page(client_for, org, who, name, *args):
    return client_for(org.user(who)).get(reverse(f"dashboards:{name}", args=args)).status_code


def _api(api_for, org, who, name, *args):
    return api_for(org.user(who)).get(reverse(f"api-dashboards-{name}", args=args)).status_code


@pytest.mark.parametrize("who", ["gm", "hr"])
def test_executives_and_hr_see_the_company_and_every_department(org, world, client_for, api_for, who):
    assert _page(client_for, org, who, "company") == 200
    assert _api(api_for, org, who, "company") == 200
    for dept in (org.company, org.sales, org.sales_east, org.finance, org.hr_dept):
        assert _page(client_for, org, who, "department", dept.pk) == 200
        assert _api(api_for, org, who, "department", dept.pk) == 200
    assert _page(client_for, org, who, "team", org.lead.pk) == 200


def test_a_department_head_sees_the_subtree_and_nothing_beside_it(org, world, client_for, api_for):
    for dept, status in ((org.sales, 200), (org.sales_east, 200), (org.finance, 404), (org.hr_dept, 404),
                         (org.company, 404)):
        assert _page(client_for, org, "manager", "department", dept.pk) == status, dept
        assert _api(api_for, org, "manager", "department", dept.pk) == status, dept
    assert _page(client_for, org, "manager", "company") == 404
    assert _api(api_for, org, "manager", "company") == 404
    # the head of 华东销售处 sees it, not 销售部 above it
    assert _page(client_for, org, "lead", "department", org.sales_east.pk) == 200
    assert _page(client_for, org, "lead", "department", org.sales.pk) == 404


def test_a_manager_sees_their_team_and_the_teams_below_but_not_above(org, world, client_for, api_for):
    assert _page(client_for, org, "lead", "team", org.lead.pk) == 200
    assert _page(client_for, org, "manager", "team", org.lead.pk) == 200  # the manager chain
    assert _page(client_for, org, "lead", "team", org.manager.pk) == 404
    assert _api(api_for, org, "lead", "team", org.manager.pk) == 404
    assert _page(client_for, org, "peer", "team", org.lead.pk) == 404


def test_an_employee_sees_only_their_own_results(org, world, client_for, api_for):
    for dept in (org.sales_east, org.company):
        assert _page(client_for, org, "staff", "department", dept.pk) == 404
        assert _api(api_for, org, "staff", "department", dept.pk) == 404
    assert _page(client_for, org, "staff", "company") == 404
    resp = api_for(org.user("staff")).get(reverse("api-dashboards-me"))
    a = Appraisal.objects.get(cycle=world, employee=org.staff)
    assert resp.status_code == 200
    assert [(r["period"], r["total"], r["grade"]) for r in resp.json()] == [("2026-11", str(a.total_score), a.grade)]
    page = client_for(org.user("staff")).get(reverse("dashboards:me"))
    assert page.status_code == 200 and str(a.total_score) in page.content.decode()
    # the peer's result is not published: nothing to show, and never the colleague's
    assert api_for(org.user("peer")).get(reverse("api-dashboards-me")).json() == []


def test_the_summary_list_holds_only_the_departments_one_may_see(org, world, api_for):
    def ids(who):
        return {r["department"] for r in api_for(org.user(who)).get(reverse("api-dashboards-departments")).json()[
            "results"]}

    assert ids("gm") == {org.company.pk, org.sales.pk, org.sales_east.pk}
    assert ids("manager") == {org.sales.pk, org.sales_east.pk}
    assert ids("lead") == {org.sales_east.pk}
    assert ids("staff") == set()


def test_the_dashboards_menu_leads_each_person_to_their_widest_scope(org, world, client_for):
    def target(who):
        return client_for(org.user(who)).get(reverse("dashboards:home"))["Location"]

    assert target("gm") == reverse("dashboards:company")
    assert target("manager") == reverse("dashboards:department", args=[org.sales.pk])
    assert target("staff") == reverse("dashboards:me")


def test_a_cycle_of_another_scope_or_unknown_answers_404(org, world, client_for):
    c = client_for(org.user("manager"))
    assert c.get(reverse("dashboards:department", args=[org.sales.pk]) + "?cycle=999999").status_code == 404


def test_only_hr_asks_for_a_recalculation_and_it_is_audited(org, world, api_for, django_capture_on_commit_callbacks):
    url = reverse("api-dashboards-rollup", args=[world.pk])
    assert api_for(org.user("gm")).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api_for(org.user("hr")).post(url).status_code == 202
    assert AuditEvent.objects.filter(action="dashboards.rollup_request", object_id=str(world.pk)).count() == 1
    assert api_for(org.user("hr")).post(reverse("api-dashboards-rollup", args=[999999])).status_code == 404


def test_the_grade_distribution_shows_the_cycles_quotas_kept_or_broken(org, world, api_for, client_for):
    from apps.appraisals import models as appraisal_models

    GradeQuota = getattr(appraisal_models, "GradeQuota", None)
    if GradeQuota is None:
        pytest.skip("grade quotas come with calibration (apps.appraisals)")
    a = Appraisal.objects.get(cycle=world, employee=org.staff)
    grade = a.calibrated_grade or a.grade
    # quotas are set by HR with calibration; made directly here, this test is about showing them
    GradeQuota.objects.create(cycle=world, grades=[grade], limit="at_most", percent=20, is_hard=True)
    GradeQuota.objects.create(cycle=world, grades=["D"], limit="at_least", percent=0, is_hard=False)
    data = api_for(org.user("gm")).get(reverse("api-dashboards-department", args=[org.sales_east.pk])).json()
    assert data["has_quotas"] is True
    by_label = {q["label"]: q for q in data["quotas"]}
    assert by_label[grade]["broken"] is True and by_label[grade]["share"] == "100.0"
    assert by_label["D"]["broken"] is False and by_label[grade]["percent"] == "20"
    assert next(g for g in data["grades"] if g["grade"] == grade)["quota_max"] == 20.0
    page = client_for(org.user("gm")).get(reverse("dashboards:department", args=[org.sales_east.pk]))
    assert 'id="quota-checks"' in page.content.decode()
