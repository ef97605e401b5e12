"""Who may be a contract's appraiser (issue 17, item 1): the direct supervisor, or someone HR names;
never the appraisee; never someone outside the chain unless HR names them. One rule in the service,
so the page, the API (draft and PATCH) and the interviews' revisions all get it."""
import pytest
from contract_helpers import draft, staff_template
from django.urls import reverse

from apps.contracts import services
from apps.contracts.models import Contract
from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (zh-Hans has them too)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_for(api_for):
    def make(user):
        api = api_for(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


def _patch(api_for, user, c, **body):
    return api_for(user).patch(reverse("api-contract", args=[c.pk]), {"version": c.version, **body},
                               format="json")


def test_a_manager_cannot_make_someone_outside_the_chain_the_appraiser_through_the_api(org, api_for):
    c = draft(org)
    resp = _patch(api_for, org.user("lead"), c, appraiser=org.accountant.pk)
    assert resp.status_code == 403
    assert "only HR" in resp.json()["error"]["message"]
    c.refresh_from_db()
    assert c.appraiser == org.lead and not c.appraiser_assigned_by_hr
    # and the finance user therefore still cannot read it
    assert api_for(org.user("accountant")).get(reverse("api-contract", args=[c.pk])).status_code == 404


def test_a_manager_cannot_name_the_manager_above_either(org, api_for):
    c = draft(org)
    assert _patch(api_for, org.user("lead"), c, appraiser=org.manager.pk).status_code == 403
    c.refresh_from_db()
    assert c.appraiser == org.lead


@pytest.mark.parametrize("who", ["lead", "hr"])
def test_no_one_makes_the_appraisee_their_own_appraiser(org, api_for, who):
    c = draft(org)
    resp = _patch(api_for, org.user(who), c, appraiser=org.staff.pk)
    assert resp.status_code == 400
    assert "cannot be their own appraiser" in resp.json()["error"]["message"]
    c.refresh_from_db()
    assert c.appraiser == org.lead
    # the appraisee still may not edit their own contract
    assert _patch(api_for, org.user("staff"), c, results_weight="90", behaviour_weight="10").status_code == 403


def test_hr_names_an_appraiser_outside_the_chain_and_the_flag_says_so(org, api_for):
    c = draft(org)
    resp = _patch(api_for, org.user("hr"), c, appraiser=org.accountant.pk)
    assert resp.status_code == 200
    c.refresh_from_db()
    assert c.appraiser == org.accountant and c.appraiser_assigned_by_hr
    # back to the direct supervisor: the flag goes
    c = services.contract_update(actor=org.user("hr"), contract=c, appraiser=org.lead)
    assert c.appraiser == org.lead and not c.appraiser_assigned_by_hr


def test_someone_who_has_left_cannot_be_appraiser(org):
    org_services.employee_update(actor=org.actor, employee=org.accountant, is_active=False)
    org.accountant.refresh_from_db()
    c = draft(org)
    with pytest.raises(ApplicationError, match="has left"):
        services.contract_update(actor=org.user("hr"), contract=c, appraiser=org.accountant)


def test_drafting_through_the_api_with_a_foreign_appraiser_is_refused(org, api_for):
    resp = api_for(org.user("lead")).post(reverse("api-contracts"), {
        "employee": org.staff.pk, "period": "2026-11", "appraiser": org.peer.pk}, format="json")
    assert resp.status_code == 403
    assert not Contract.objects.filter(employee=org.staff).exists()
    tpl = staff_template(org)
    with pytest.raises(PermissionDenied):
        draft(org, template=tpl, appraiser=org.accountant)
    with pytest.raises(ApplicationError, match="own appraiser"):
        draft(org, template=tpl, actor=org.user("hr"), appraiser=org.staff)
    c = draft(org, template=tpl, appraiser=org.lead)
    assert c.appraiser == org.lead and not c.appraiser_assigned_by_hr


def test_the_editor_page_shows_the_refusal_next_to_the_field(org, client_for):
    from test_contract_access import _editor_data

    c = draft(org)
    resp = client_for(org.user("hr")).post(reverse("contracts:detail", args=[c.pk]),
                                           _editor_data(c, **{"c-appraiser": org.staff.pk}),
                                           HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "cannot be their own appraiser" in resp.content.decode()
    c.refresh_from_db()
    assert c.appraiser == org.lead


def test_generated_drafts_name_the_direct_supervisor(org):
    tpl = staff_template(org)
    services.contracts_generate(actor=org.user("hr"), template=tpl, period="2026-11")
    got = dict(Contract.objects.filter(period="2026-11").values_list("employee_id", "appraiser_id"))
    assert got[org.staff.pk] == org.lead.pk and got[org.peer.pk] == org.lead.pk
    assert all(emp != appr for emp, appr in got.items())
