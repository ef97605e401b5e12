"""Goals follow the record policy: a person's goals are read by the person, their managers and HR,
and by executives only within their own chain; department goals (the cascade) are read by every
executive. Only owners, their managers and HR change a goal. Outside: 404; readable but not
writable: 403 (pages and API alike)."""
import pytest
from django.urls import reverse
from plans_support import add_person

from apps.core.roles import EXECUTIVE_GROUP
from apps.org import services as org_services
from apps.plans import services
from apps.plans.models import Goal

pytestmark = pytest.mark.django_db


@pytest.fixture
def finexec(org):
    """An executive outside the sales chain: the finance director, with the accountant reporting to her."""
    pos = org_services.position_create(actor=org.actor, code="FIN-D", name_zh="财务总监", department=org.finance,
                                       job_level=org.level_m)
    director = add_person(org, "FD", "finexec", dept=org.finance, pos=pos, supervisor=org.gm,
                          roles=[EXECUTIVE_GROUP])
    org_services.employee_update(actor=org.actor, employee=org.accountant, supervisor=director)
    return director


@pytest.fixture
def cascade(org, goals, finexec):
    """The plans fixture's goals plus the accountant's own goal (in the director's chain)."""
    goals.accountant = services.goal_create(
        actor=org.user("hr"), parent=goals.finance, name_zh="赵会计对账", owner_kind="employee",
        employee=org.accountant, period_kind="quarter", period_index=goals.quarter, weight=10)
    return goals


def user_of(org, finexec, who):
    return finexec.user if who == "finexec" else org.user(who)


NAMES = ("company", "sales", "finance", "east", "own", "peer", "position", "accountant")

READ = {
    # the cascade of department goals, and people's goals only in her own chain
    "finexec": {"company", "sales", "finance", "east", "accountant"},
    # the executive at the top: everyone is in his chain
    "gm": set(NAMES),
    "hr": set(NAMES),
}


@pytest.mark.parametrize("viewer", sorted(READ))
def test_executives_read_department_goals_and_peoples_goals_only_in_their_chain(org, finexec, cascade, api_for,
                                                                               client_for, viewer):
    user = user_of(org, finexec, viewer)
    ids = {getattr(cascade, n).pk: n for n in NAMES}
    api, client = api_for(user), client_for(user)
    listed = {ids[r["id"]] for r in api.get(reverse("api-plans-goals"), {"year": cascade.year}).json()["results"]}
    assert listed == READ[viewer]
    tree = client.get(reverse("plans:goal_tree"), {"year": cascade.year})
    assert tree.status_code == 200
    shown = {pk for pk in ids if f'href="{reverse("plans:goal_detail", args=[pk])}"' in tree.content.decode()}
    assert {ids[pk] for pk in shown} == READ[viewer]
    for name in NAMES:
        pk = getattr(cascade, name).pk
        expected = 200 if name in READ[viewer] else 404
        assert api.get(reverse("api-plans-goal", args=[pk])).status_code == expected, name
        assert client.get(reverse("plans:goal_detail", args=[pk])).status_code == expected, name


def test_the_same_persons_record_and_goals_are_hidden_from_an_executive_outside_the_chain(org, finexec, cascade,
                                                                                        api_for):
    api = api_for(finexec.user)
    assert api.get(reverse("api-org-employee", args=[org.staff.pk])).status_code == 404
    assert api.get(reverse("api-plans-goal", args=[cascade.own.pk])).status_code == 404
    assert api.get(reverse("api-plans-goals"), {"employee": org.staff.pk}).json()["results"] == []


# viewer, goal, expected answer to a change (API PATCH and progress, the HTML edit page and progress form)
WRITE = [
    ("finexec", "own", 404), ("finexec", "peer", 404), ("finexec", "position", 404),  # outside her chain
    ("finexec", "sales", 403), ("finexec", "east", 403), ("finexec", "company", 403),  # read, not hers
    ("finexec", "finance", 200), ("finexec", "accountant", 200),  # her department and her report
    ("gm", "own", 200), ("lead", "own", 200), ("hr", "own", 200),  # managers in the chain, HR
    ("staff", "company", 403), ("staff", "peer", 404), ("accountant", "sales", 404),
]


@pytest.mark.parametrize("viewer,name,expected", WRITE)
def test_only_owners_their_managers_and_hr_change_a_goal_through_the_api(org, finexec, cascade, api_for, viewer,
                                                                        name, expected):
    goal = getattr(cascade, name)
    api = api_for(user_of(org, finexec, viewer))
    resp = api.patch(reverse("api-plans-goal", args=[goal.pk]), {"measure": "changed", "version": goal.version},
                     format="json")
    assert resp.status_code == expected, resp.json()
    if expected != 200:
        assert resp.json()["error"]["code"] == {403: "permission_denied", 404: "not_found"}[expected]
        assert Goal.objects.get(pk=goal.pk).measure == goal.measure
    is_leaf = not Goal.objects.filter(parent=goal).exists()
    if is_leaf:
        resp = api.post(reverse("api-plans-goal-progress", args=[goal.pk]), {"progress": "42"}, format="json")
        assert resp.status_code == expected
        assert (Goal.objects.get(pk=goal.pk).progress == 42) == (expected == 200)
    if expected != 200:
        resp = api.delete(reverse("api-plans-goal", args=[goal.pk]) + f"?version={goal.version}")
        assert resp.status_code == expected
        assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize("viewer,name,expected", WRITE)
def test_only_owners_their_managers_and_hr_change_a_goal_on_the_pages(org, finexec, cascade, client_for, viewer,
                                                                     name, expected):
    goal = getattr(cascade, name)
    client = client_for(user_of(org, finexec, viewer))
    edit = reverse("plans:goal_edit", args=[goal.pk])
    resp = client.get(edit)
    assert resp.status_code == expected
    if expected == 403:  # says why and leads back to the goal
        assert 'id="forbidden"' in resp.content.decode()
        assert reverse("plans:goal_detail", args=[goal.pk]) in resp.content.decode()
    detail = client.get(reverse("plans:goal_detail", args=[goal.pk]))
    if expected == 404:
        assert detail.status_code == 404
    else:  # the page offers what the service allows, nothing more
        assert detail.status_code == 200
        assert (f'href="{edit}"' in detail.content.decode()) == (expected == 200)
    is_leaf = not Goal.objects.filter(parent=goal).exists()
    if is_leaf:
        resp = client.post(reverse("plans:goal_progress", args=[goal.pk]), {"progress": "42", "version": goal.version})
        assert resp.status_code == (302 if expected == 200 else expected)
        assert (Goal.objects.get(pk=goal.pk).progress == 42) == (expected == 200)
        if expected == 403:
            assert 'id="progress-form"' not in detail.content.decode()
    if expected != 200:
        resp = client.post(reverse("plans:goal_delete", args=[goal.pk]), {"version": goal.version})
        assert resp.status_code == expected
        assert Goal.objects.filter(pk=goal.pk).exists()
