"""Confidentiality of talent data: a matrix over every results page, API operation, PDF and export for seven
people. For 孙娜's data: HR, her manager (周主管) and the executive above her (张总) see it; she herself,
her manager's manager who is no executive (王经理), a colleague (李四) and a manager of another department see
nothing (404, or she is left out of their lists); she sees only her own released actions. Nothing is written by
their attempts."""
import datetime as dt

import pytest
from django.urls import reverse
from results_helpers import rate

from apps.core.models import AuditEvent
from apps.org import services as org_services
from apps.results import services
from apps.results.models import ActionKind, Assessment, Placement, TalentAction

pytestmark = pytest.mark.django_db

NAME = "孙娜"
INSIDERS = ("manager", "executive", "hr")
OUTSIDERS = ("employee", "managers_manager", "other_employee", "other_department_manager")


@pytest.fixture
def world(org, review):
    rate(org, review, org.staff, [4, 4, 5])
    p = Placement.objects.get(review=review, employee=org.staff)
    hr = org.user("hr")
    pip = TalentAction.objects.get(placement=p, kind=ActionKind.PIP)
    for move in ("confirm", "approve", "release"):
        pip.refresh_from_db()
        services.action_transition(actor=hr, action=pip, move=move, expected_version=pip.version)
    p = services.placement_override(actor=hr, placement=p, performance="high", ability="high", reason="年度之星",
                                    expected_version=p.version)
    promo = TalentAction.objects.get(placement=p, kind=ActionKind.PROMOTION)
    fin_mgr = org_services.employee_create(
        actor=org.actor, employee_no="FM1", name_zh="财务经理", department=org.finance, position=org.pos_fin,
        supervisor=org.gm, hire_date=dt.date(2024, 1, 1), email="fm@example.com", username="finmgr",
        password="pw-Test-1234")
    org_services.employee_create(
        actor=org.actor, employee_no="F2", name_zh="出纳", department=org.finance, position=org.pos_fin,
        supervisor=fin_mgr, hire_date=dt.date(2024, 1, 1), username="cashier", password="pw-Test-1234")
    people = {"employee": org.user("staff"), "manager": org.user("lead"), "managers_manager": org.user("manager"),
              "executive": org.user("gm"), "hr": hr, "other_employee": org.user("peer"),
              "other_department_manager": fin_mgr.user}
    pip.refresh_from_db()
    return p, pip, promo, people


def _object_endpoints(p, pip, promo):
    a = Assessment.objects.get(employee_id=p.employee_id)
    comp = a.ratings.first().competency_id
    # (name, method, url, data, is_api)
    return [
        ("page: person", "get", reverse("results:placement", args=[p.pk]), None, False),
        ("page: rate", "post", reverse("results:rate", args=[p.pk]), {f"c{comp}": 1, "submit": "1"}, False),
        ("page: override", "post", reverse("results:override", args=[p.pk]),
         {"version": p.version, "performance": "low", "ability": "low", "reason": "x"}, False),
        ("page: add action", "post", reverse("results:action_add", args=[p.pk]),
         {"kind": "exit", "title": "外人提议"}, False),
        ("page: action step", "post", reverse("results:action_step", args=[promo.pk]),
         {"version": promo.version, "move": "drop"}, False),
        ("API: placement", "get", reverse("api-results-placement", args=[p.pk]), None, True),
        ("API: override", "post", reverse("api-results-override", args=[p.pk]),
         {"version": p.version, "performance": "low", "ability": "low", "reason": "x"}, True),
        ("API: ratings", "put", reverse("api-results-ratings", args=[p.pk]),
         {"ratings": {str(comp): 1}, "version": a.version}, True),
        ("API: adjust", "post", reverse("api-results-ratings-adjust", args=[p.pk]),
         {"ratings": {str(comp): 1}, "reason": "x", "version": a.version}, True),
        ("API: promotion", "get", reverse("api-results-action", args=[promo.pk]), None, True),
        ("API: edit promotion", "patch", reverse("api-results-action", args=[promo.pk]),
         {"title": "x", "version": promo.version}, True),
        ("API: move promotion", "post", reverse("api-results-action-move", args=[promo.pk]),
         {"move": "drop", "version": promo.version}, True),
        ("API: add action", "post", reverse("api-results-actions"),
         {"placement": p.pk, "kind": "exit", "title": "外人提议"}, True),
    ]


def _list_endpoints(review):
    return [
        ("page: grid", reverse("results:grid", args=[review.pk]), False),
        ("page: list search", reverse("results:grid", args=[review.pk]) + "?q=孙", False),
        ("page: actions", reverse("results:actions"), False),
        ("PDF of the grid", reverse("results:pdf", args=[review.pk]), False),
        ("Excel of the grid", reverse("results:export", args=[review.pk]), False),
        ("API: grid", reverse("api-results-grid", args=[review.pk]), True),
        ("API: placements", reverse("api-results-placements", args=[review.pk]) + "?q=孙", True),
        ("API: actions", reverse("api-results-actions"), True),
        ("home (work list)", "/", False),
        ("notifications", "/notifications/", False),
    ]


def _call(client, method, url, data, is_api):
    if is_api:
        return getattr(client, method)(url, data, format="json") if data is not None else getattr(client, method)(url)
    return getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)


SECRETS = ("年度之星", "关键员工", "能力强绩效差者")  # the override reason, her cells


def _mentions(resp, words=(NAME,)) -> bool:
    """Whether the response shows 孙娜 (an xlsx is unzipped, a PDF is searched for her name's glyph run)."""
    if resp.status_code != 200:
        return False
    ctype = resp.get("Content-Type", "")
    if "spreadsheet" in ctype:
        import io

        import openpyxl

        return any(w in str(v) for w in words for row in openpyxl.load_workbook(io.BytesIO(resp.content)).active.values
                   for v in row)
    if "pdf" in ctype:
        return _pdf_text_has_name(resp.content, words)
    return any(w in resp.content.decode() for w in words)


def _pdf_text_has_name(data: bytes, words) -> bool:
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True).stdout
    return any(w in out for w in words)


def test_the_access_matrix(org, review, world, client_for, api_for):
    p, pip, promo, people = world
    # outsiders first: nothing they try is written
    before = AuditEvent.objects.count()
    for who in OUTSIDERS:
        user = people[who]
        page, api = client_for(user), api_for(user)
        for name, method, url, data, is_api in _object_endpoints(p, pip, promo):
            resp = _call(api if is_api else page, method, url, data, is_api)
            assert resp.status_code == 404, (who, name, resp.status_code)
        for name, url, is_api in _list_endpoints(review):
            resp = (api if is_api else page).get(url)
            assert resp.status_code in (200, 404), (who, name)
            if name == "API: actions" and who == "employee":
                ids = [a["id"] for a in resp.json()["results"]]
                assert ids == [pip.pk], "she sees her released PIP, never the nomination"
                continue
            if name in ("home (work list)",) and who == "employee":
                assert pip.title in resp.content.decode()
            assert not _mentions(resp, SECRETS if who == "employee" else (NAME, SECRETS[0])), (who, name)
    assert AuditEvent.objects.count() == before
    assert TalentAction.objects.filter(title="外人提议").count() == 0
    # the employee reads her released PIP, not the promotion, and cannot act on it
    staff_api = api_for(people["employee"])
    assert staff_api.get(reverse("api-results-action", args=[pip.pk])).status_code == 200
    assert staff_api.post(reverse("api-results-action-move", args=[pip.pk]),
                          {"move": "complete", "version": pip.version}, format="json").status_code == 404
    # insiders see her everywhere
    for who in INSIDERS:
        page, api = client_for(people[who]), api_for(people[who])
        assert page.get(reverse("results:placement", args=[p.pk])).status_code == 200, who
        assert api.get(reverse("api-results-placement", args=[p.pk])).status_code == 200, who
        for name, url, is_api in _list_endpoints(review)[:8]:
            resp = (api if is_api else page).get(url)
            assert resp.status_code == 200, (who, name)
            assert _mentions(resp), (who, name, resp.content[:600])
    # and only HR moves people: the manager and the executive get 403
    for who in ("manager", "executive"):
        resp = api_for(people[who]).post(reverse("api-results-override", args=[p.pk]),
                                         {"version": p.version, "performance": "low", "ability": "low",
                                          "reason": "x"}, format="json")
        assert resp.status_code == 403, who
