"""The access matrix of the organisation pages and API (docs/ARCHITECTURE.md, "Who sees what")."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# viewer -> target -> expected status of the personnel record (HTML detail and API detail)
MATRIX = [
    # an employee: own record only
    ("staff", "staff", 200), ("staff", "lead", 404), ("staff", "peer", 404), ("staff", "accountant", 404),
    # a direct manager: self and reports
    ("lead", "staff", 200), ("lead", "lead", 200), ("lead", "manager", 404), ("lead", "accountant", 404),
    # the manager chain: indirect reports
    ("manager", "staff", 200), ("manager", "lead", 200), ("manager", "accountant", 404), ("manager", "hr", 404),
    # HR: everyone
    ("hr", "staff", 200), ("hr", "gm", 200), ("hr", "accountant", 200),
    # the executive (GM) sees records in the chain (here everybody reports to the GM)
    ("gm", "staff", 200), ("gm", "accountant", 200),
    # an unrelated colleague in another department
    ("accountant", "staff", 404), ("accountant", "manager", 404),
]


@pytest.mark.parametrize("viewer,target,expected", MATRIX)
def test_employee_record_access_matrix_html_and_api(org, client_for, api_for, viewer, target, expected):
    user = org.user(viewer)
    emp = getattr(org, target)
    html = client_for(user).get(reverse("org:employee", args=[emp.pk]))
    api = api_for(user).get(reverse("api-org-employee", args=[emp.pk]))
    assert html.status_code == expected
    assert api.status_code == expected
    if expected == 404:
        assert api.json()["error"]["code"] == "not_found"


def test_executive_outside_chain_does_not_see_records(org, system_user, client_for):
    from apps.core.roles import EXECUTIVE_GROUP
    from apps.org import services

    services.employee_roles_set(actor=system_user, employee=org.accountant, roles=[EXECUTIVE_GROUP])
    user = org.user("accountant")
    assert client_for(user).get(reverse("org:employee", args=[org.staff.pk])).status_code == 404


def test_directory_lists_everyone_but_hides_personnel_fields_of_unrelated(org, api_for):
    resp = api_for(org.user("accountant")).get(reverse("api-org-employees"), {"q": "孙娜"})
    assert resp.status_code == 200
    rows = resp.json()["results"]
    assert [r["employee_no"] for r in rows] == ["S1"]
    assert "hire_date" not in rows[0]
    own = api_for(org.user("staff")).get(reverse("api-org-employees"), {"q": "S1"}).json()["results"][0]
    assert own["hire_date"] == "2024-01-15"


def test_employee_may_change_own_phone_but_not_hire_date(org, api_for):
    api = api_for(org.user("staff"))
    url = reverse("api-org-employee", args=[org.staff.pk])
    ok = api.patch(url, {"phone": "138-0000-0000"}, format="json")
    assert ok.status_code == 200 and ok.json()["phone"] == "138-0000-0000"
    refused = api.patch(url, {"hire_date": "2020-01-01"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["fields_refused"] == ["hire_date"]
    org.staff.refresh_from_db()
    assert str(org.staff.hire_date) == "2024-01-15"


def test_manager_cannot_write_report_record_fields(org, api_for):
    resp = api_for(org.user("lead")).patch(reverse("api-org-employee", args=[org.staff.pk]),
                                           {"phone": "13800000001"}, format="json")
    assert resp.status_code == 403


def test_hr_moves_employee_and_the_subtree_follows(org, api_for):
    api = api_for(org.user("hr"))
    resp = api.patch(reverse("api-org-employee", args=[org.lead.pk]), {"supervisor": org.gm.pk}, format="json")
    assert resp.status_code == 200, resp.json()
    org.staff.refresh_from_db()
    assert org.staff.report_path == f"/{org.gm.pk}/{org.lead.pk}/{org.staff.pk}/"
    # the manager no longer sees the lead's team
    mgr = api_for(org.user("manager"))
    assert mgr.get(reverse("api-org-employee", args=[org.staff.pk])).status_code == 404


def test_supervisor_loop_is_refused_with_a_message(org, api_for):
    resp = api_for(org.user("hr")).patch(reverse("api-org-employee", args=[org.manager.pk]),
                                         {"supervisor": org.staff.pk}, format="json")
    assert resp.status_code == 400
    assert "loop" in resp.json()["error"]["message"] or "循环" in resp.json()["error"]["message"]
    org.manager.refresh_from_db()
    assert org.manager.supervisor_id == org.gm.pk


def test_stale_version_is_a_conflict(org, api_for):
    api = api_for(org.user("hr"))
    url = reverse("api-org-employee", args=[org.staff.pk])
    version = api.get(url).json()["version"]
    assert api.patch(url, {"phone": "13800000001", "version": version}, format="json").status_code == 200
    second = api.patch(url, {"phone": "13800000002", "version": version}, format="json")
    assert second.status_code == 409
    org.staff.refresh_from_db()
    assert org.staff.phone == "13800000001"
