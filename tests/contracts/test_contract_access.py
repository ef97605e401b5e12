"""Who sees and does what with a contract (the record policy), and the list pages' query counts."""
import datetime as dt

import pytest
from contract_helpers import draft, staff_template
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.contracts import services
from apps.org import services as org_services

pytestmark = pytest.mark.django_db

# viewer -> expected status when reading staff's contract (page and API)
READ_MATRIX = [
    ("staff", 200),  # own
    ("lead", 200),  # direct manager (and appraiser)
    ("manager", 200),  # the chain
    ("gm", 200),  # the chain, top
    ("hr", 200),  # HR
    ("peer", 404),  # a colleague
    ("accountant", 404),  # unrelated
]


@pytest.mark.parametrize("viewer,expected", READ_MATRIX)
def test_contract_read_matrix_html_and_api(org, client_for, api_for, viewer, expected):
    c = draft(org)
    user = org.user(viewer)
    assert client_for(user).get(reverse("contracts:detail", args=[c.pk])).status_code == expected
    resp = api_for(user).get(reverse("api-contract", args=[c.pk]))
    assert resp.status_code == expected
    if expected == 404:
        assert resp.json()["error"]["code"] == "not_found"
    listed = api_for(user).get(reverse("api-contracts")).json()["results"]
    assert (c.pk in [r["id"] for r in listed]) == (expected == 200)


# viewer -> expected status of a write through the API (a change of section weights)
WRITE_MATRIX = [("staff", 403), ("lead", 200), ("manager", 403), ("hr", 200), ("peer", 404), ("accountant", 404)]


@pytest.mark.parametrize("viewer,expected", WRITE_MATRIX)
def test_contract_write_matrix(org, api_for, viewer, expected):
    c = draft(org)
    resp = api_for(org.user(viewer)).patch(reverse("api-contract", args=[c.pk]),
                                           {"results_weight": "80", "behaviour_weight": "20"}, format="json")
    assert resp.status_code == expected


def test_hr_assigned_appraiser_outside_the_chain_reads_and_signs(org, api_for):
    c = draft(org)
    assert api_for(org.user("accountant")).get(reverse("api-contract", args=[c.pk])).status_code == 404
    services.contract_update(actor=org.user("hr"), contract=c, appraiser=org.accountant)
    assert api_for(org.user("accountant")).get(reverse("api-contract", args=[c.pk])).status_code == 200


def test_pages_of_hr_are_404_for_others(org, client_for):
    for name in ("contracts:indicators", "contracts:templates", "contracts:indicator_new"):
        assert client_for(org.user("staff")).get(reverse(name)).status_code == 404
        assert client_for(org.user("hr")).get(reverse(name)).status_code == 200
    assert client_for(org.user("staff")).get(reverse("contracts:simulator")).status_code == 404
    assert client_for(org.user("lead")).get(reverse("contracts:simulator")).status_code == 200


def test_hr_writes_the_library_others_are_refused(org, api_for):
    resp = api_for(org.user("lead")).post(reverse("api-indicators"), {"code": "X", "name_zh": "某指标"},
                                          format="json")
    assert resp.status_code == 403
    resp = api_for(org.user("hr")).post(reverse("api-indicators"), {"code": "X", "name_zh": "某指标"}, format="json")
    assert resp.status_code == 201


# --- query counts: the same for 5 and 50 contracts --------------------------------------------------

def _contracts(org, n):
    tpl = staff_template(org)
    for i in range(n):
        org_services.employee_create(
            actor=org.actor, employee_no=f"Q{i:03d}", name_zh=f"员工{i}", department=org.sales_east,
            position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2025, 1, 1))
    services.contracts_generate(actor=org.actor, template=tpl, period="2026-11")


def _count(callable_):
    with CaptureQueriesContext(connection) as ctx:
        resp = callable_()
    assert resp.status_code == 200
    return len(ctx.captured_queries), resp


@pytest.mark.parametrize("who", ["hr", "lead"])
def test_list_page_and_api_queries_do_not_grow(org, client_for, api_for, who):
    _contracts(org, 3)
    page_small, _ = _count(lambda: client_for(org.user(who)).get(reverse("contracts:list")))
    api_small, resp = _count(lambda: api_for(org.user(who)).get(reverse("api-contracts"), {"page_size": 100}))
    small_n = resp.json()["count"]
    _contracts_more(org, 45)
    page_big, page = _count(lambda: client_for(org.user(who)).get(reverse("contracts:list")))
    api_big, resp = _count(lambda: api_for(org.user(who)).get(reverse("api-contracts"), {"page_size": 100}))
    assert resp.json()["count"] >= small_n + 45
    assert page_big == page_small, "list page queries grow with the number of contracts"
    assert api_big == api_small, "list API queries grow with the number of contracts"
    assert b"contracts" in page.content


def _contracts_more(org, n):
    from apps.contracts.models import ContractTemplate

    for i in range(n):
        org_services.employee_create(
            actor=org.actor, employee_no=f"R{i:03d}", name_zh=f"新员工{i}", department=org.sales_east,
            position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2025, 1, 1))
    services.contracts_generate(actor=org.actor, template=ContractTemplate.objects.get(), period="2026-11")


def test_my_work_lists_contracts_awaiting_my_signature(org, client_for):
    c = draft(org)
    services.contract_propose(actor=org.user("lead"), contract=c)
    home = client_for(org.user("staff")).get(reverse("home")).content.decode()
    assert "/contracts/?mine=to_sign" in home
    lead_home = client_for(org.user("lead")).get(reverse("home")).content.decode()
    assert "/contracts/?mine=to_sign" in lead_home  # the appraiser signs too
    services.contract_sign(actor=org.user("staff"), contract=c)
    assert "/contracts/?mine=to_sign" not in client_for(org.user("staff")).get(reverse("home")).content.decode()


def _editor_data(contract, **overrides):
    """The editor form as a browser would post it unchanged (plus overrides)."""
    import json

    from apps.contracts.views import _editor

    header, formset = _editor(contract, with_appraiser=True)
    data = {}
    for form in [header, formset.management_form, *formset.forms]:
        for bf in form:
            value = bf.value()
            if value is None or value is False:
                continue
            data[bf.html_name] = json.dumps(value) if isinstance(value, dict) else value
    data.update(overrides)
    return data


def test_hr_assigns_an_appraiser_on_the_page_and_managers_cannot(org, client_for):
    c = draft(org)
    resp = client_for(org.user("hr")).post(reverse("contracts:detail", args=[c.pk]),
                                           _editor_data(c, **{"c-appraiser": org.accountant.pk}))
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.appraiser == org.accountant and c.appraiser_assigned_by_hr
    # the lead's editor has no appraiser field: a posted value is ignored
    resp = client_for(org.user("lead")).post(reverse("contracts:detail", args=[c.pk]),
                                             _editor_data(c, **{"c-appraiser": org.lead.pk}))
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.appraiser == org.accountant


def test_a_stale_editor_page_gets_a_conflict_message(org, client_for):
    c = draft(org)
    data = _editor_data(c)
    services.contract_update(actor=org.user("hr"), contract=c, results_weight=80, behaviour_weight=20)
    resp = client_for(org.user("lead")).post(reverse("contracts:detail", args=[c.pk]), data)
    assert resp.status_code == 200
    assert "其他人已修改" in resp.content.decode()  # the conflict, in the site's language
    c.refresh_from_db()
    assert c.results_weight == 80
