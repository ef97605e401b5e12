"""Who sees what: the employee their own appraisal, managers their team's, a data-source user only the
lines of that data source (not the scores or comments), HR everything; anyone else gets a 404."""
import pytest
from appraisal_helpers import direct_entries, enter_actuals, open_cycle, sign
from django.urls import reverse

from apps.appraisals import services
from apps.appraisals.models import Appraisal, ScoreLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def appraisals(org):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    staff = Appraisal.objects.get(employee=org.staff)
    enter_actuals(org, staff)
    services.appraisal_verify(actor=org.user("hr"), appraisal=staff)
    services.appraisal_self_assess(actor=org.user("staff"), appraisal=staff, comment="自评：本月完成",
                                   lines=direct_entries(staff, [90, 90], "自评备注"), submit=True)
    services.appraisal_manager_score(actor=org.user("lead"), appraisal=staff, comment="经理总评：保持",
                                     lines=direct_entries(staff, [80, 80], "经理备注"), submit=True)
    return cycle, staff, Appraisal.objects.get(employee=org.peer)


def _ids(api, **params):
    resp = api.get(reverse("api-appraisals"), params)
    assert resp.status_code == 200
    return {row["employee_no"] for row in resp.json()["results"]}


def test_employee_sees_only_their_own_appraisal(org, api_for, client_for, appraisals):
    _cycle, staff, peer = appraisals
    api = api_for(org.user("staff"))
    assert _ids(api) == {"S1"}
    assert api.get(reverse("api-appraisal", args=[staff.pk])).status_code == 200
    assert api.get(reverse("api-appraisal", args=[peer.pk])).status_code == 404
    page = client_for(org.user("staff"))
    assert page.get(reverse("appraisals:detail", args=[peer.pk])).status_code == 404
    assert page.get(reverse("appraisals:detail", args=[staff.pk])).status_code == 200


def test_managers_see_their_team_and_only_the_appraiser_scores(org, api_for, appraisals):
    _cycle, staff, peer = appraisals
    assert _ids(api_for(org.user("lead"))) == {"S1", "S2"}
    assert _ids(api_for(org.user("manager"))) == {"S1", "S2"}  # the chain above reads
    assert _ids(api_for(org.user("gm"))) == {"S1", "S2"}
    detail = api_for(org.user("manager")).get(reverse("api-appraisal", args=[staff.pk])).json()
    assert detail["manager_comment"] == "经理总评：保持" and detail["self_comment"] == "自评：本月完成"
    resp = api_for(org.user("manager")).post(reverse("api-appraisal-manager-scoring", args=[peer.pk]),
                                             {"comment": "x"}, format="json")
    assert resp.status_code == 403


def test_data_source_user_sees_only_the_data_of_their_lines(org, api_for, client_for, appraisals):
    _cycle, staff, peer = appraisals
    api = api_for(org.user("accountant"))
    assert _ids(api) == set()  # no appraisal as a record
    assert api.get(reverse("api-appraisal", args=[staff.pk])).status_code == 404
    lines = api.get(reverse("api-appraisals-lines")).json()["results"]
    assert {ln["indicator_code"] for ln in lines} == {"SALES-MONTH", "PROFIT-MONTH"}
    for ln in lines:
        for secret in ("score", "attainment", "explanation", "self_score", "self_comment", "manager_score",
                       "manager_comment", "total_score"):
            assert secret not in ln
    behaviour = ScoreLine.objects.filter(appraisal=staff, rule_kind="direct").first()
    assert api.get(reverse("api-appraisals-line", args=[behaviour.pk])).status_code == 404
    # the actuals page shows the data, not the scores or comments
    html = client_for(org.user("accountant")).get(reverse("appraisals:actuals")).content.decode()
    assert "孙娜" in html and "1140" in html
    assert "75.00" not in html and "经理备注" not in html and "自评备注" not in html
    assert client_for(org.user("accountant")).get(reverse("appraisals:detail", args=[staff.pk])).status_code == 404


def test_someone_outside_the_data_source_sees_no_lines(org, api_for, appraisals):
    for name in ("staff", "lead", "peer"):
        assert api_for(org.user(name)).get(reverse("api-appraisals-lines")).json()["results"] == []


def test_hr_sees_everything(org, api_for, appraisals):
    _cycle, staff, _peer = appraisals
    api = api_for(org.user("hr"))
    assert _ids(api) == {"S1", "S2"}
    assert len(api.get(reverse("api-appraisals-lines")).json()["results"]) == 4
    assert api.get(reverse("api-appraisal", args=[staff.pk])).json()["total_score"] == "83.50"


def test_colleagues_get_404(org, api_for, client_for, appraisals):
    _cycle, staff, _peer = appraisals
    assert api_for(org.user("peer")).get(reverse("api-appraisal", args=[staff.pk])).status_code == 404
    assert client_for(org.user("peer")).get(reverse("appraisals:cycles")).status_code == 404
    cycle = appraisals[0]
    assert client_for(org.user("lead")).get(reverse("appraisals:cycle", args=[cycle.pk])).status_code == 404


def test_employee_sees_scores_and_comments_of_the_manager_only_once_published(org, api_for, client_for, appraisals):
    _cycle, staff, _peer = appraisals
    html = client_for(org.user("staff")).get(reverse("appraisals:my")).content.decode()
    assert "经理总评" not in html and "经理备注" not in html
    services.appraisal_publish(actor=org.user("hr"), appraisal=staff)
    html = client_for(org.user("staff")).get(reverse("appraisals:my")).content.decode()
    assert "经理总评：保持" in html and "83.50" in html
