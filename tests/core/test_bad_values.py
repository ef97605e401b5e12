"""Values that should not be accepted (issue 17, items 7, 8 and 9): control characters in single-line
fields, dates outside a sensible span, endless texts, phones that are not phones, and numbers the
scoring engine cannot hold. Each is a 400 (or a form / import error) with a message a person
understands, on every path: services, API, import; and a subject that carries a line break anyway
(a name stored before the rule) still goes out by e-mail."""
import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from apps.appraisals import services as appraisal_services
from apps.coaching.models import Channel, Kind
from apps.notifications.models import Notification
from apps.notifications.services import notification_create, notification_email_send
from apps.org import services as org_services
from apps.org.models import Department, Employee

pytestmark = pytest.mark.django_db

CONTROL = ["Sun\r\nBcc: all@example.com", "Sun\nNa", "Sun\tNa", "Sun\x00Na", "Sun\x1bNa", "Sun\u2028Na"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def api_for(api_for):
    """The API in English (the messages are asserted in English; zh-Hans has them too)."""
    def make(user):
        api = api_for(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


def _patch_employee(api, emp, **body):
    return api.patch(reverse("api-org-employee", args=[emp.pk]), {"version": emp.version, **body}, format="json")


@pytest.mark.parametrize("name", CONTROL)
def test_a_name_with_control_characters_is_refused_in_the_api(org, api_for, name):
    resp = _patch_employee(api_for(org.user("hr")), org.staff, name_en=name)
    assert resp.status_code == 400, resp.content
    assert "name_en" in resp.json()["error"]["fields"]
    assert "one line" in resp.json()["error"]["message"] or "\x00" in name  # NUL: DRF's own message
    org.staff.refresh_from_db()
    assert org.staff.name_en == "Sun Na"


def test_departments_and_cycles_refuse_them_in_the_services(org):
    from apps.appraisals.models import STAGE_ORDER

    def deadlines():
        return {s: dt.date(2026, 12, 2 + 2 * i) for i, s in enumerate(STAGE_ORDER)}

    with pytest.raises(ValidationError, match="one line"):
        org_services.department_create(actor=org.actor, code="X1", name_zh="销售\r\n部")
    assert not Department.objects.filter(code="X1").exists()
    with pytest.raises(ValidationError, match="one line"):  # the API answers 400 with the field
        appraisal_services.cycle_create(actor=org.user("hr"), period="2026-11", frequency="monthly",
                                        title="November\nBcc: x@example.com", deadlines=deadlines())


@pytest.mark.parametrize("field,value,message", [
    ("hire_date", "2999-01-01", "too far in the future"),
    ("hire_date", "1900-01-01", "too long ago"),
    ("left_date", "2020-01-01", "before the hire date"),
    ("phone", "call me maybe", "is not a phone number"),
    ("phone", "12", "is not a phone number"),
])
def test_employee_values_out_of_range_are_refused(org, api_for, field, value, message):
    Employee.objects.filter(pk=org.staff.pk).update(hire_date=dt.date(2024, 3, 1))
    org.staff.refresh_from_db()
    resp = _patch_employee(api_for(org.user("hr")), org.staff, **{field: value})
    assert resp.status_code == 400, resp.content
    assert message in resp.json()["error"]["message"]


@pytest.mark.parametrize("phone", ["+86 138 0013 8000", "010-6552 1234", "(021) 5555-0000 转 123", "13800000000"])
def test_real_phone_numbers_pass(org, api_for, phone):
    resp = _patch_employee(api_for(org.user("staff")), org.staff, phone=phone)  # one's own contact field
    assert resp.status_code == 200, resp.content
    org.staff.refresh_from_db()
    assert org.staff.phone == phone


def test_a_hire_date_within_the_next_year_is_fine(org, api_for):
    soon = timezone.localdate() + dt.timedelta(days=60)
    assert _patch_employee(api_for(org.user("hr")), org.staff, hire_date=soon.isoformat()).status_code == 200


def _record_body(org, **kw):
    return {"employee": org.staff.pk, "kind": Kind.PROGRESS, "channel": Channel.ONE_TO_ONE, "summary": "月中回顾",
            "facts": "销售额完成 46%。", **kw}


@pytest.mark.parametrize("body,message", [
    ({"occurred_on": "1900-01-01"}, "too long ago"),
    ({"facts": "很" * 1_000_000}, "too long"),
    ({"evidence": "x" * 10_001}, "too long"),
    ({"summary": "月中\r\n回顾"}, "one line"),
])
def test_coaching_records_refuse_old_dates_endless_texts_and_broken_summaries(org, api_for, body, message):
    resp = api_for(org.user("lead")).post(reverse("api-coaching-records"), _record_body(org, **body), format="json")
    assert resp.status_code == 400, resp.content[:300]
    assert message in resp.json()["error"]["message"]
    assert not org.staff.coaching_records.exists()


def test_a_coaching_record_of_ten_thousand_characters_is_kept(org, api_for):
    resp = api_for(org.user("lead")).post(reverse("api-coaching-records"),
                                          _record_body(org, facts="很" * 10_000), format="json")
    assert resp.status_code == 201, resp.content[:300]


def test_a_subject_with_a_line_break_is_sent_on_one_line(org):
    """A name stored before the rule (or any text) cannot break the e-mail header: no BadHeaderError, no retries."""
    note = notification_create(recipient=org.user("staff"), title="Record about 孙娜\r\nBcc: all@example.com",
                               body="see the link", url="/x/")
    assert note.title == "Record about 孙娜 Bcc: all@example.com"
    Notification.objects.filter(pk=note.pk).update(title="Old\nsubject", emailed_at=None)
    mail.outbox.clear()
    assert notification_email_send(notification_id=note.pk)
    assert [m.subject for m in mail.outbox] == ["Old subject"]


def test_the_import_refuses_them_row_by_row(org):
    import io

    import openpyxl

    from apps.org.importing import KINDS, parse_and_validate

    columns = list(KINDS["employee"].columns)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "employees"
    ws.append(columns)
    for row in ({"employee_no": "N1", "name_zh": "钱\n一"}, {"employee_no": "N2", "hire_date": "2999-01-01"},
                {"employee_no": "N3", "phone": "call me maybe"}):
        row = {"name_zh": "钱", "department_code": "SAL-E", "hire_date": "2024-02-01", **row}
        ws.append([row.get(c) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    preview = parse_and_validate(buf.getvalue())
    got = {(e.row, e.column): e.message for e in preview.errors}
    assert "one line" in got[(2, "name_zh")]
    assert "too far in the future" in got[(3, "hire_date")]
    assert "not a phone number" in got[(4, "phone")]


@pytest.mark.parametrize("rule,inputs,field", [
    ({}, {"target": 1e308, "actual": 1}, "target"),
    ({}, {"target": 1, "actual": "1e308"}, "actual"),
    ({"base": 1e308}, {"target": 1, "actual": 1}, "base"),
    ({}, {"target": "0.0000000001", "actual": "99999999999999"}, "actual"),
])
def test_huge_numbers_in_the_scoring_preview_are_a_400(org, api_for, rule, inputs, field):
    deck = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
    resp = api_for(org.user("hr")).post(reverse("api-scoring-preview"),
                                        {"rule": {**deck, **rule}, "inputs": inputs}, format="json")
    assert resp.status_code == 400, resp.content[:300]
    assert resp.json()["error"]["code"] != "server_error"
    assert "range" in resp.json()["error"]["message"]
