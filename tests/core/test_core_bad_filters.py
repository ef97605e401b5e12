"""Bad filter values on the list APIs answer 400 with the error shape, never 500."""
import pytest

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/org/employees/", "/api/v1/appraisals/", "/api/v1/appraisals/lines/", "/api/v1/appraisals/cycles/",
         "/api/v1/contracts/", "/api/v1/contracts/indicators/", "/api/v1/contracts/templates/",
         "/api/v1/coaching/records/", "/api/v1/coaching/progress-reports/", "/api/v1/interviews/",
         "/api/v1/interviews/actions/", "/api/v1/plans/goals/", "/api/v1/plans/monthly/", "/api/v1/audit/",
         "/api/v1/dashboards/departments/"]
BAD = ["employee=abc", "department=1e308", "department=abc", "q=%00", "cycle=1e308", "supervisor=-1e400",
       "job_level=abc", "status=%00"]


@pytest.mark.parametrize("url", LISTS)
def test_bad_filter_values_never_answer_500(org, api_for, url):
    api = api_for(org.user("hr"))
    api.raise_request_exception = False
    answers = {bad: api.get(f"{url}?{bad}").status_code for bad in BAD}
    assert {bad: code for bad, code in answers.items() if code not in (200, 400)} == {}


@pytest.mark.parametrize("url,bad,field", [
    ("/api/v1/contracts/", "employee=abc", "employee"),
    ("/api/v1/org/employees/", "department=1e308", "department"),
    ("/api/v1/appraisals/", "department=1e308", "department"),
    ("/api/v1/appraisals/", "q=%00", "q"),
    ("/api/v1/appraisals/lines/", "cycle=abc", "cycle"),
    ("/api/v1/interviews/", "cycle=1e308", "cycle"),
    ("/api/v1/audit/", "q=%00", "q"),
])
def test_a_bad_filter_value_answers_400_with_the_error_shape_naming_the_parameter(org, api_for, url, bad, field):
    r = api_for(org.user("hr")).get(f"{url}?{bad}")
    assert r.status_code == 400
    body = r.json()
    assert body["error"]["code"] == "invalid" and field in body["error"]["fields"], body


def test_every_documented_filter_of_the_piece_filter_sets_is_applied_by_its_piece():
    from apps.appraisals.api import ActualLineFilter, AppraisalFilter, CycleFilter
    from apps.org.api import EmployeeFilter

    for filterset in (EmployeeFilter, AppraisalFilter, ActualLineFilter, CycleFilter):
        assert set(filterset.base_filters) == set(filterset.pieces), filterset
        assert {f.method for f in filterset.base_filters.values()} == {"apply"}, filterset


def test_the_directory_api_filters_narrow_the_list(org, api_for):
    api = api_for(org.user("hr"))

    def numbers(**params):
        return sorted(e["employee_no"] for e in api.get("/api/v1/org/employees/", params).json()["results"])

    everyone = numbers()
    assert numbers(department=org.sales_east.pk) == ["L1", "S1", "S2"]
    assert numbers(q="孙") == ["S1"] and numbers(q="s2") == ["S2"]
    assert numbers(supervisor=org.lead.pk) == ["S1", "S2"]
    assert len(everyone) > 3
