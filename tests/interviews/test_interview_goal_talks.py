"""New hires: the plans app's goal acknowledgement is the employee's own click (discussed_with is filled from the
supervisor, nobody records the talk, HR has no list of who has not done it). Interviews adds the talk: the manager
gets a "discuss the position goals" item, records the talk, the employee acknowledges it, HR sees who has not."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied
from apps.core.worklist import items_for
from apps.interviews import services
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_hire(org):
    return org_services.employee_create(
        actor=org.actor, employee_no="N1", name_zh="新同事", name_en="New Hire", email="new@example.com",
        department=org.sales_east, position=org.pos_staff, supervisor=org.lead,
        hire_date=timezone.localdate() - dt.timedelta(days=5), username="newhire", password="pw-Test-1234")


def test_manager_records_the_talk_employee_acknowledges_hr_sees_who_has_not(org, new_hire, client_for, api_for):
    lead = org.user("lead")
    assert any("新员工" in w.title or "new employees" in w.title for w in items_for(lead))
    hr_page = client_for(org.user("hr")).get(reverse("interviews:goal_talks") + "?state=not_discussed").content.decode()
    assert "新同事" in hr_page and "孙娜" not in hr_page  # staff joined long ago: not a new hire
    talk = services.goal_talk_record(actor=lead, employee=new_hire, held_on=timezone.localdate(), note="讨论了月度指标")
    with pytest.raises(ApplicationError):
        services.goal_talk_record(actor=lead, employee=new_hire, held_on=timezone.localdate())
    new_user = new_hire.user
    assert any("position goals" in w.title or "岗位目标" in w.title for w in items_for(new_user))
    with pytest.raises(PermissionDenied):
        services.goal_talk_acknowledge(actor=lead, talk=talk)
    with pytest.raises(NotFound):
        services.goal_talk_acknowledge(actor=org.user("peer"), talk=talk)
    resp = api_for(new_user).post(reverse("api-interviews-goal-talk-acknowledge", args=[talk.pk]),
                                  {"version": talk.version}, format="json")
    assert resp.status_code == 200 and resp.json()["acknowledged_at"]
    rows = api_for(org.user("hr")).get(reverse("api-interviews-new-hires"), {"state": "done"}).json()["results"]
    assert [r["employee_no"] for r in rows] == ["N1"]


def test_only_the_direct_manager_records_and_not_in_the_future(org, new_hire):
    with pytest.raises(NotFound):
        services.goal_talk_record(actor=org.user("peer"), employee=new_hire, held_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.goal_talk_record(actor=org.user("hr"), employee=new_hire, held_on=timezone.localdate())
    with pytest.raises(ApplicationError):
        services.goal_talk_record(actor=org.user("lead"), employee=new_hire,
                                  held_on=timezone.localdate() + dt.timedelta(days=2))
