"""Who sees which plan and goal: own only, team, HR all; another department's manager gets 404."""
import pytest
from django.urls import reverse
from plans_support import add_person

from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def fin_manager(org):
    """A line manager in another department (finance), with the accountant reporting to them."""
    pos = org_services.position_create(actor=org.actor, code="FIN-M", name_zh="财务经理", department=org.finance,
                                       job_level=org.level_m)
    mgr = add_person(org, "FM", "finmgr", dept=org.finance, pos=pos, supervisor=org.gm)
    org_services.employee_update(actor=org.actor, employee=org.accountant, supervisor=mgr)
    return mgr


@pytest.fixture
def plans(make_plan):
    return {"staff": make_plan("staff", state="submitted"), "peer": make_plan("peer"),
            "accountant": make_plan("accountant")}


# viewer -> whose plan -> expected status (HTML page and API detail)
MATRIX = [
    ("staff", "staff", 200), ("staff", "peer", 404), ("staff", "accountant", 404),
    ("lead", "staff", 200), ("lead", "peer", 200), ("lead", "accountant", 404),
    ("manager", "staff", 200), ("manager", "accountant", 404),
    ("hr", "staff", 200), ("hr", "accountant", 200),
    ("finmgr", "staff", 404), ("finmgr", "peer", 404), ("finmgr", "accountant", 200),
]


@pytest.mark.parametrize("viewer,owner,expected", MATRIX)
def test_monthly_plan_access_matrix_html_and_api(org, fin_manager, plans, client_for, api_for, viewer, owner,
                                                 expected):
    user = fin_manager.user if viewer == "finmgr" else org.user(viewer)
    plan = plans[owner]
    html = client_for(user).get(reverse("plans:plan_detail", args=[plan.pk]))
    api = api_for(user).get(reverse("api-plans-monthly-detail", args=[plan.pk]))
    assert (html.status_code, api.status_code) == (expected, expected)
    if expected == 404:
        assert api.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("viewer,expected", [
    ("staff", {"S1"}), ("lead", {"S1", "S2"}), ("manager", {"S1", "S2"}), ("hr", {"S1", "S2", "F1"}),
    ("finmgr", {"F1"}), ("peer", {"S2"}),
])
def test_plan_lists_show_own_team_or_all(org, fin_manager, plans, api_for, viewer, expected):
    user = fin_manager.user if viewer == "finmgr" else org.user(viewer)
    rows = api_for(user).get(reverse("api-plans-monthly")).json()["results"]
    assert {r["employee_no"] for r in rows} == expected


@pytest.mark.parametrize("viewer,expected", [
    ("staff", set()), ("lead", {"S1", "S2"}), ("manager", {"S1", "S2"}), ("hr", {"S1", "S2", "F1"}),
    ("finmgr", {"F1"}),
])
def test_team_page_shows_the_team_only(org, fin_manager, plans, client_for, viewer, expected):
    user = fin_manager.user if viewer == "finmgr" else org.user(viewer)
    resp = client_for(user).get(reverse("plans:team"))
    assert resp.status_code == 200
    assert {row["employee"].employee_no for row in resp.context["rows"]} == expected


def test_another_departments_manager_cannot_act_on_a_plan(org, fin_manager, plans, api_for):
    api = api_for(fin_manager.user)
    pk = plans["staff"].pk
    assert api.post(reverse("api-plans-monthly-confirm", args=[pk]), {}, format="json").status_code == 404
    assert api.post(reverse("api-plans-monthly-return", args=[pk]), {"comment": "x"}, format="json").status_code == 404


GOALS_SEEN = {
    # the chain up to the company, own goals and the position's; not a colleague's nor another department's
    "staff": {"company", "sales", "east", "own", "position"},
    "lead": {"company", "sales", "east", "own", "peer", "position"},
    "manager": {"company", "sales", "east", "own", "peer", "position"},
    "accountant": {"company", "finance"},
    "hr": {"company", "sales", "finance", "east", "own", "peer", "position"},
    "gm": {"company", "sales", "finance", "east", "own", "peer", "position"},
}


@pytest.mark.parametrize("viewer", sorted(GOALS_SEEN))
def test_goal_visibility_executives_and_hr_see_all_others_their_part(org, goals, api_for, client_for, viewer):
    names = {getattr(goals, n).pk: n for n in ("company", "sales", "finance", "east", "own", "peer", "position")}
    api = api_for(org.user(viewer))
    rows = api.get(reverse("api-plans-goals"), {"year": goals.year}).json()["results"]
    assert {names[r["id"]] for r in rows} == GOALS_SEEN[viewer]
    hidden = set(names.values()) - GOALS_SEEN[viewer]
    for name in hidden:
        pk = getattr(goals, name).pk
        assert client_for(org.user(viewer)).get(reverse("plans:goal_detail", args=[pk])).status_code == 404
        assert api.get(reverse("api-plans-goal", args=[pk])).status_code == 404


def test_pages_answer_for_every_role(org, goals, plans, client_for):
    pages = ["plans:goal_tree", "plans:my_goals", "plans:strategy", "plans:my_plan", "plans:team", "plans:acknowledge"]
    for who in ("staff", "lead", "manager", "hr", "gm", "accountant"):
        client = client_for(org.user(who))
        for name in pages:
            assert client.get(reverse(name)).status_code in (200, 302), (who, name)
    assert client_for(org.user("staff")).get(reverse("plans:settings")).status_code == 404
    assert client_for(org.user("hr")).get(reverse("plans:settings")).status_code == 200
