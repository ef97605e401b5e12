"""Data-source access (issue 17, item 2): a data-source user is in the named department itself (not a
section below it) or was made its head by HR; nobody, HR included, enters, returns or verifies the
actuals of their own appraisal."""
import pytest
from appraisal_helpers import line, open_cycle, sign
from django.urls import reverse

from apps.appraisals import services
from apps.appraisals.models import Appraisal, ScoreLine
from apps.core.exceptions import NotFound, PermissionDenied
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


def _fresh(user):
    for attr in ("_org_viewer", "_role_groups", "_appraisal_ds_ids"):
        vars(user).pop(attr, None)
    return user


@pytest.fixture
def sales_lines(org):
    """The sales line of staff's and peer's appraisals comes from the sales department (the parent of
    the east section where staff, peer and their lead sit); profit stays with finance."""
    sign(org, org.staff)
    sign(org, org.peer)
    open_cycle(org)
    ScoreLine.objects.filter(indicator__code="SALES-MONTH").update(data_source=org.sales)
    return Appraisal.objects.get(employee=org.staff), Appraisal.objects.get(employee=org.peer)


def _codes(api):
    return sorted((r["employee_no"], r["indicator_code"]) for r in api.get(reverse("api-appraisals-lines"))
                  .json()["results"])


@pytest.mark.parametrize("who", ["staff", "peer", "lead"])
def test_the_sections_below_the_data_source_neither_see_nor_enter_its_actuals(org, api_for, sales_lines, who):
    staff, _peer = sales_lines
    api = api_for(org.user(who))
    assert _codes(api) == []
    sales = line(staff, "SALES-MONTH")
    assert api.get(reverse("api-appraisals-line", args=[sales.pk])).status_code == 404
    resp = api.post(reverse("api-appraisals-line-actual", args=[sales.pk]), {"actual": "999999"}, format="json")
    assert resp.status_code == 404
    resp = api.post(reverse("api-appraisals-line-return", args=[sales.pk]), {"reason": "again"}, format="json")
    assert resp.status_code == 404
    sales.refresh_from_db()
    assert sales.actual is None


def test_a_member_of_the_named_department_enters_them(org, api_for, sales_lines):
    staff, _peer = sales_lines
    api = api_for(org.user("manager"))  # sits in sales itself
    assert _codes(api) == [("S1", "SALES-MONTH"), ("S2", "SALES-MONTH")]
    sales = line(staff, "SALES-MONTH")
    resp = api.post(reverse("api-appraisals-line-actual", args=[sales.pk]), {"actual": "1100"}, format="json")
    assert resp.status_code == 200
    sales.refresh_from_db()
    assert sales.actual == 1100
    # finance keeps its own line, and no longer the sales line (the company above it is not finance's)
    assert _codes(api_for(org.user("accountant"))) == [("S1", "PROFIT-MONTH"), ("S2", "PROFIT-MONTH")]


def test_the_head_hr_named_enters_them_from_another_department(org, api_for, sales_lines):
    staff, _peer = sales_lines
    assert _codes(api_for(org.user("accountant"))) == [("S1", "PROFIT-MONTH"), ("S2", "PROFIT-MONTH")]
    org_services.department_update(actor=org.user("hr"), department=org.sales, head=org.accountant)
    api = api_for(_fresh(org.user("accountant")))
    assert ("S1", "SALES-MONTH") in _codes(api)
    sales = line(staff, "SALES-MONTH")
    assert api.post(reverse("api-appraisals-line-actual", args=[sales.pk]), {"actual": "1100"},
                    format="json").status_code == 200


def test_nobody_enters_their_own_actual_even_in_the_data_source_department(org, api_for, sales_lines):
    staff, peer = sales_lines
    ScoreLine.objects.filter(indicator__code="SALES-MONTH").update(data_source=org.sales_east)
    api = api_for(org.user("staff"))
    assert _codes(api) == [("S2", "SALES-MONTH")]  # the colleague's, not her own
    own = line(staff, "SALES-MONTH")
    resp = api.post(reverse("api-appraisals-line-actual", args=[own.pk]), {"actual": "999999"}, format="json")
    assert resp.status_code == 404
    own.refresh_from_db()
    assert own.actual is None
    with pytest.raises(NotFound):
        services.line_actual_set(actor=org.user("staff"), line=own, value="999999")


def test_not_even_hr_enters_returns_or_verifies_their_own(org, sales_lines):
    staff, _peer = sales_lines
    org_services.employee_roles_set(actor=org.user("hr"), employee=org.staff, roles=["hr"])
    me = _fresh(org.user("staff"))
    own = line(staff, "SALES-MONTH")
    with pytest.raises(NotFound):
        services.line_actual_set(actor=me, line=own, value="999999")
    services.line_actual_set(actor=org.user("manager"), line=own, value="1100")
    with pytest.raises(NotFound):
        services.line_return(actor=me, line=own, reason="I'd like more")
    services.line_actual_set(actor=org.user("accountant"), line=line(staff, "PROFIT-MONTH"), value="300")
    staff.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.appraisal_verify(actor=me, appraisal=staff)
    staff.refresh_from_db()
    assert staff.status == "collecting"


# --- issue 17, item 4: a cycle's company-wide progress follows the aggregate policy in the API too ------

@pytest.mark.parametrize("who,sees", [("hr", True), ("gm", True), ("manager", False), ("lead", False),
                                      ("staff", False), ("accountant", False)])
def test_a_cycles_progress_in_the_api_only_for_hr_and_executives(org, api_for, client_for, sales_lines, who, sees):
    cycle = sales_lines[0].cycle
    api = api_for(org.user(who))
    detail = api.get(reverse("api-appraisals-cycle", args=[cycle.pk]))
    assert detail.status_code == 200
    body = detail.json()
    assert body["period"] == cycle.period  # the cycle itself (dates, stages) is everyone's to know
    if sees:
        assert body["progress"]["counts"]["total"] == 2
        assert [d["name"] for d in body["departments"]] == ["华东销售处"]
    else:
        assert body["progress"] is None and body["departments"] == []
    listed = next(c for c in api.get(reverse("api-appraisals-cycles")).json()["results"] if c["id"] == cycle.pk)
    assert listed["appraisal_count"] == (2 if sees else None)
    # the HTML page stays HR's
    page = client_for(org.user(who)).get(reverse("appraisals:cycle", args=[cycle.pk]))
    assert page.status_code == (200 if who == "hr" else 404)
