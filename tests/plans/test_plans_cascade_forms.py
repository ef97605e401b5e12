"""The top of the cascade in the browser and the API: strategy, themes and annual plans created,
changed (a stale version is refused) and archived after a confirmation; goals approved one level up,
locked, and reopened only through a change request with a reason."""
import pytest
from django.urls import reverse
from django.utils import translation

from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.notifications.models import Notification
from apps.plans import services
from apps.plans.models import AnnualPlan, GoalStatus, StrategicTheme, Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in English (the zh-Hans catalog is checked by the catalog test)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# --- strategy, themes, annual plans: pages ---------------------------------------------------------

def test_hr_creates_a_strategy_a_theme_and_a_plan_through_the_forms(org, client_for):
    c = client_for(org.user("hr"))
    resp = c.post(reverse("plans:strategy_new"), {"code": "S9", "name_zh": "九年战略", "name_en": "Nine",
                                                  "start_year": 2026, "end_year": 2028, "description": ""})
    assert resp.status_code == 302
    s = Strategy.objects.get(code="S9")
    resp = c.post(reverse("plans:theme_new", args=[s.pk]), {"name_zh": "客户第一", "perspective": "customer",
                                                             "order": 1})
    assert resp.status_code == 302 and s.themes.get().perspective == "customer"
    resp = c.post(reverse("plans:annual_plan_new"), {"year": 2027, "strategy": s.pk, "name_zh": "2027计划"})
    assert resp.status_code == 302 and AnnualPlan.objects.get(year=2027).strategy == s
    page = c.get(reverse("plans:strategy")).content.decode()
    assert "Nine" in page and "客户第一" in page and "2027计划" in page


def test_a_stale_edit_of_a_strategy_is_refused_on_the_form(org, client_for, goals):
    c = client_for(org.user("hr"))
    services.strategy_update(actor=org.user("hr"), strategy=goals.strategy, description="changed elsewhere")
    resp = c.post(reverse("plans:strategy_edit", args=[goals.strategy.pk]), {
        "code": "S1", "name_zh": "战略X", "start_year": goals.year - 1, "end_year": goals.year + 2, "version": 1})
    assert resp.status_code == 200 and "Someone else changed this record" in resp.content.decode()
    goals.strategy.refresh_from_db()
    assert goals.strategy.name_zh == "战略"


def test_archiving_asks_first_then_archives_and_restores(org, client_for, goals):
    c = client_for(org.user("hr"))
    url = reverse("plans:archive", args=["strategy", goals.strategy.pk])
    page = c.get(url)
    assert page.status_code == 200 and "Archive “Strategy”?" in page.content.decode()
    goals.strategy.refresh_from_db()
    assert goals.strategy.is_active  # looking at the confirmation changes nothing
    assert c.post(url, {"version": goals.strategy.version}).status_code == 302
    goals.strategy.refresh_from_db()
    assert not goals.strategy.is_active
    with pytest.raises(ApplicationError, match="archived"):
        services.annual_plan_create(actor=org.user("hr"), year=goals.year + 1, strategy=goals.strategy,
                                    name_zh="x")
    assert "Restore “Strategy”?" in c.get(url).content.decode()
    c.post(url, {"version": goals.strategy.version})
    goals.strategy.refresh_from_db()
    assert goals.strategy.is_active


def test_archiving_with_a_stale_version_is_refused_with_409(org, client_for, goals):
    c = client_for(org.user("hr"))
    url = reverse("plans:archive", args=["annual", goals.annual.pk])
    resp = c.post(url, {"version": goals.annual.version + 5})
    assert resp.status_code == 409 and "Someone else changed" in resp.content.decode()
    goals.annual.refresh_from_db()
    assert not goals.annual.is_archived


def test_an_archived_plan_takes_no_new_goal_and_an_archived_theme_is_not_chosen_anew(org, goals):
    hr = org.user("hr")
    services.theme_archive(actor=hr, theme=goals.theme)
    with pytest.raises(ApplicationError, match="archived"):
        services.goal_create(actor=hr, annual_plan=goals.annual, name_zh="新目标", owner_kind="department",
                             department=org.finance, period_kind="year", theme=goals.theme)
    # a goal that already serves it keeps it through other edits
    services.goal_update(actor=hr, goal=goals.company, description="kept")
    services.annual_plan_archive(actor=hr, annual_plan=goals.annual)
    with pytest.raises(ApplicationError, match="archived"):
        services.goal_create(actor=hr, parent=goals.company, name_zh="新目标", owner_kind="department",
                             department=org.finance, period_kind="year")


def test_only_planners_reach_the_forms_and_archive_pages(org, client_for, goals):
    c = client_for(org.user("manager"))
    assert c.get(reverse("plans:archive", args=["theme", goals.theme.pk])).status_code == 404
    assert c.post(reverse("plans:archive", args=["theme", goals.theme.pk]), {"version": 1}).status_code == 404
    assert c.get(reverse("plans:strategy_new")).status_code == 404
    assert not StrategicTheme.objects.get(pk=goals.theme.pk).is_archived


# --- the same through the API ------------------------------------------------------------------------

def test_api_creates_changes_and_archives_the_top_of_the_cascade(org, api_for):
    api = api_for(org.user("hr"))
    s = api.post(reverse("api-plans-strategies"), {"code": "S7", "name_zh": "七年战略", "start_year": 2026,
                                                    "end_year": 2030}, format="json")
    assert s.status_code == 201, s.content
    sid = s.json()["id"]
    t = api.post(reverse("api-plans-themes", args=[sid]), {"name_zh": "效率", "perspective": "internal_process"},
                 format="json")
    assert t.status_code == 201 and t.json()["perspective"] == "internal_process"
    a = api.post(reverse("api-plans-annual-plans"), {"year": 2026, "strategy": sid, "name_zh": "2026计划"},
                 format="json")
    assert a.status_code == 201 and a.json()["year"] == 2026
    resp = api.patch(reverse("api-plans-strategy", args=[sid]), {"name_en": "Seven", "version": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] == 2
    stale = api.patch(reverse("api-plans-strategy", args=[sid]), {"name_en": "Again", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"]
    missing = api.patch(reverse("api-plans-theme", args=[t.json()["id"]]), {"name_en": "x"}, format="json")
    assert missing.status_code == 400 and "version" in missing.json()["error"]["fields"]
    arch = api.post(reverse("api-plans-annual-plan-archive", args=[a.json()["id"]]), {"version": 1}, format="json")
    assert arch.status_code == 200 and arch.json()["is_archived"] is True
    back = api.post(reverse("api-plans-theme-archive", args=[t.json()["id"]]), {"archived": False, "version": 1},
                    format="json")
    assert back.status_code == 200 and back.json()["is_archived"] is False and back.json()["version"] == 1
    bad = api.post(reverse("api-plans-annual-plans"), {"year": 2031, "strategy": sid, "name_zh": "超出"},
                   format="json")
    assert bad.status_code == 400 and "2026 to 2030" in bad.json()["error"]["message"]


def test_api_refuses_people_who_do_not_plan(org, api_for, goals):
    api = api_for(org.user("manager"))
    resp = api.post(reverse("api-plans-strategies"), {"code": "S8", "name_zh": "x", "start_year": 2026,
                                                       "end_year": 2027}, format="json")
    assert resp.status_code == 403
    resp = api.post(reverse("api-plans-strategy-archive", args=[goals.strategy.pk]), {"version": 1}, format="json")
    assert resp.status_code == 403
    assert Strategy.objects.get(pk=goals.strategy.pk).is_active


# --- goal approval -------------------------------------------------------------------------------------

def test_a_goal_is_approved_one_level_up_and_then_locked(org, goals, client_for, django_capture_on_commit_callbacks):
    lead = org.user("lead")
    draft = services.goal_create(actor=lead, parent=goals.east, name_zh="周主管拜访", owner_kind="employee",
                                 employee=org.staff, period_kind="quarter", period_index=goals.quarter, weight=10)
    assert draft.status == GoalStatus.DRAFT and draft.drafted_by == lead
    with pytest.raises(PermissionDenied, match="drafted or own"):
        services.goal_approve(actor=lead, goal=draft)
    with pytest.raises(PermissionDenied, match="drafted or own"):
        services.goal_approve(actor=org.user("staff"), goal=draft)
    c = client_for(org.user("manager"))
    page = c.get(reverse("plans:goal_detail", args=[draft.pk])).content.decode()
    assert 'id="approve-form"' in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(reverse("plans:goal_approve", args=[draft.pk]), {"version": draft.version})
    assert resp.status_code == 302
    draft.refresh_from_db()
    assert draft.status == GoalStatus.APPROVED and draft.approved_by == org.user("manager")
    assert Notification.objects.filter(recipient=lead, title__contains="周主管拜访").exists()
    with pytest.raises(ApplicationError, match="approved and locked"):
        services.goal_update(actor=lead, goal=draft, weight=20)
    with pytest.raises(ApplicationError, match="approved and locked"):
        services.goal_delete(actor=lead, goal=draft)
    # progress is not a change of the goal: the owner still reports it
    services.goal_progress_update(actor=org.user("staff"), goal=draft, progress=40)


def test_a_change_to_an_approved_goal_needs_a_reason_and_goes_back_to_draft(org, goals, client_for,
                                                                            django_capture_on_commit_callbacks):
    services.goal_approve(actor=org.user("gm"), goal=goals.company)
    goals.company.refresh_from_db()
    c = client_for(org.user("hr"))
    resp = c.post(reverse("plans:goal_change_request", args=[goals.company.pk]),
                  {"reason": "   ", "version": goals.company.version}, follow=True)
    assert "Give the reason" in resp.content.decode()
    with pytest.raises(ApplicationError, match="too long"):
        services.goal_change_request(actor=org.user("hr"), goal=goals.company, reason="x" * 100_000)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("plans:goal_change_request", args=[goals.company.pk]),
               {"reason": "市场变化，目标下调", "version": goals.company.version})
    goals.company.refresh_from_db()
    assert goals.company.status == GoalStatus.DRAFT and goals.company.change_reason == "市场变化，目标下调"
    assert Notification.objects.filter(recipient=org.user("gm"), title__contains="Company revenue", body__contains="市场变化").exists()
    services.goal_update(actor=org.user("hr"), goal=goals.company, target=900)


def test_a_top_goal_is_approved_by_an_executive_not_by_its_drafter(org, goals):
    with pytest.raises(PermissionDenied):
        services.goal_approve(actor=org.user("hr"), goal=goals.company)  # HR drafted it
    with pytest.raises(PermissionDenied):
        services.goal_approve(actor=org.user("manager"), goal=goals.company)
    assert services.goal_approve(actor=org.user("gm"), goal=goals.company).status == GoalStatus.APPROVED


def test_api_approves_and_requests_changes_with_versions(org, goals, api_for):
    api = api_for(org.user("manager"))
    url = reverse("api-plans-goal-approve", args=[goals.east.pk])
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post(url, {"version": goals.east.version + 3}, format="json").status_code == 409
    resp = api.post(url, {"version": goals.east.version}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "approved"
    locked = api.patch(reverse("api-plans-goal", args=[goals.east.pk]), {"weight": "5", "version": resp.json()["version"]},
                       format="json")
    assert locked.status_code == 400 and "locked" in locked.json()["error"]["message"]
    cr = api.post(reverse("api-plans-goal-change-request", args=[goals.east.pk]),
                  {"reason": "客户流失", "version": resp.json()["version"]}, format="json")
    assert cr.status_code == 200 and cr.json()["status"] == "draft" and cr.json()["change_reason"] == "客户流失"
    outsider = api_for(org.user("accountant"))
    assert outsider.post(url, {"version": cr.json()["version"]}, format="json").status_code == 404
