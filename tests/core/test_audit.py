"""The audit trail: every org write leaves a row; nobody can change or delete rows."""
import pytest
from django.db import connection
from django.urls import reverse

from apps.core.audit import audit_record
from apps.core.models import AuditEvent
from apps.org import services

pytestmark = pytest.mark.django_db


def test_every_org_write_is_audited_with_before_and_after(org, system_user):
    start = AuditEvent.objects.count()
    dept = services.department_create(actor=system_user, code="QA", name_zh="质量部", parent=org.company)
    services.department_update(actor=system_user, department=dept, name_en="Quality")
    level = services.job_level_update(actor=system_user, job_level=org.level_s, review_frequency="quarterly")
    pos = services.position_create(actor=system_user, code="QA-S", name_zh="质检员", department=dept,
                                   job_level=level)
    emp = services.employee_create(actor=system_user, employee_no="Q1", name_zh="质检", department=dept,
                                   position=pos, supervisor=org.gm, hire_date="2025-01-01")
    services.employee_update(actor=system_user, employee=emp, phone="010-6552 1234")
    events = list(AuditEvent.objects.order_by("id")[start:])
    assert [e.action for e in events] == [
        "department.create", "department.update", "job_level.update", "position.create", "employee.create",
        "employee.update"]
    update = events[1]
    assert update.actor == system_user
    assert update.before["name_en"] == "" and update.after["name_en"] == "Quality"
    assert events[2].before["review_frequency"] == "monthly" and events[2].after["review_frequency"] == "quarterly"
    assert events[-1].changed_fields() == [("phone", "", "010-6552 1234"), ("version", 1, 2)]


def test_audit_rows_record_the_request_id(org, api_for):
    api = api_for(org.user("hr"))
    resp = api.patch(reverse("api-org-employee", args=[org.staff.pk]), {"phone": "13800000009"}, format="json",
                     HTTP_X_REQUEST_ID="req-abc-123")
    assert resp.status_code == 200
    event = AuditEvent.objects.filter(action="employee.update").latest("id")
    assert event.request_id == "req-abc-123"
    assert event.actor.username == "hr"


def test_audit_rows_cannot_be_changed_or_deleted(system_user):
    event = audit_record(actor=system_user, action="test.action", object_type="x", object_id=1)
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.action"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_database_refuses_raw_update_of_audit_rows(system_user):
    from django.db import DatabaseError, transaction

    event = audit_record(actor=system_user, action="test.raw", object_type="x", object_id=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET action='x' WHERE id=%s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.raw"


def test_audit_api_is_read_only_and_hr_only(org, api_for):
    hr = api_for(org.user("hr"))
    url = reverse("api-audit")
    listing = hr.get(url, {"action": "employee.create"})
    assert listing.status_code == 200
    assert listing.json()["count"] >= 7
    assert hr.post(url, {"action": "x"}, format="json").status_code == 405
    assert hr.delete(url).status_code == 405
    assert api_for(org.user("manager")).get(url).status_code == 404


def test_audit_page_for_hr_with_filters_and_not_for_others(org, client_for):
    page = client_for(org.user("hr")).get("/core/audit/", {"action": "department.create"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "销售部" in body and "department.create" in body
    assert client_for(org.user("staff")).get("/core/audit/").status_code == 404


def test_admin_cannot_edit_audit_rows(admin_client, system_user):
    event = audit_record(actor=system_user, action="test.admin", object_type="x", object_id=1)
    resp = admin_client.post(f"/admin/core/auditevent/{event.pk}/change/", {"action": "tampered"})
    assert resp.status_code in (403, 302, 200)
    assert AuditEvent.objects.get(pk=event.pk).action == "test.admin"
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
