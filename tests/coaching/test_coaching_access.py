"""Who sees coaching records: the employee their own, the manager chain its subtree, HR all; a peer,
a colleague elsewhere and an executive outside the chain get 404 in the list, the detail, the API,
the performance file and the PDF."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.core.roles import EXECUTIVE_GROUP
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(org, make_record):
    about_staff = make_record(summary="关于孙娜的记录", files=[SimpleUploadedFile("a.txt", b"evidence")])
    about_accountant = make_record(actor=org.user("gm"), employee=org.accountant, summary="关于赵会计的记录")
    return about_staff, about_accountant


@pytest.fixture
def outside_executive(org):
    emp = org_services.employee_create(
        actor=org.actor, employee_no="X1", name_zh="外部董事", department=org.company, hire_date=dt.date(2024, 1, 1),
        username="director", password="pw-Test-1234", roles=[EXECUTIVE_GROUP])
    return org.user("staff").__class__.objects.get(pk=emp.user_id)


def _sees(client, api, record) -> dict:
    pk, emp = record.pk, record.employee_id
    return {
        "list": record.summary in client.get(reverse("coaching:list")).content.decode(),
        "detail": client.get(reverse("coaching:detail", args=[pk])).status_code,
        "file": client.get(reverse("coaching:file", args=[emp])).status_code,
        "pdf": client.get(reverse("coaching:file_pdf", args=[emp])).status_code,
        "api_list": pk in [r["id"] for r in api.get(reverse("api-coaching-records")).json()["results"]],
        "api_detail": api.get(reverse("api-coaching-record", args=[pk])).status_code,
        "api_file": api.get(reverse("api-coaching-file", args=[emp])).status_code,
    }


VISIBLE = {"list": True, "detail": 200, "file": 200, "pdf": 200, "api_list": True, "api_detail": 200,
           "api_file": 200}
HIDDEN = {"list": False, "detail": 404, "file": 404, "pdf": 404, "api_list": False, "api_detail": 404,
          "api_file": 404}


@pytest.mark.parametrize("viewer,expected", [
    ("staff", VISIBLE),   # own
    ("lead", VISIBLE),    # direct manager
    ("manager", VISIBLE),  # manager chain
    ("hr", VISIBLE),      # HR
    ("peer", HIDDEN),     # same team, not theirs
    ("accountant", HIDDEN),  # another department
])
def test_record_about_staff_visibility(org, records, client_for, api_for, viewer, expected):
    user = org.user(viewer)
    assert _sees(client_for(user), api_for(user), records[0]) == expected


def test_executive_outside_the_chain_sees_nothing(org, records, outside_executive, client_for, api_for):
    assert _sees(client_for(outside_executive), api_for(outside_executive), records[0]) == HIDDEN


@pytest.mark.parametrize("viewer,visible", [("hr", True), ("gm", True), ("lead", False), ("staff", False),
                                            ("manager", False)])
def test_hr_sees_everyone_managers_only_their_subtree(org, records, api_for, viewer, visible):
    ids = [r["id"] for r in api_for(org.user(viewer)).get(reverse("api-coaching-records")).json()["results"]]
    assert (records[1].pk in ids) is visible


def test_peer_gets_404_for_attachment_and_every_action(org, records, client_for, api_for):
    record = records[0]
    att = record.attachments.get()
    peer = org.user("peer")
    client, api = client_for(peer), api_for(peer)
    assert client.get(reverse("coaching:attachment", args=[att.pk])).status_code == 404
    for name in ("respond", "sign", "answer"):
        assert client.post(reverse(f"coaching:{name}", args=[record.pk]), {}).status_code == 404
    for name in ("acknowledge", "follow_up_done"):
        assert client.post(reverse(f"coaching:{name}", args=[record.pk])).status_code == 404
    for url in (reverse("api-coaching-record-addenda", args=[record.pk]),
                reverse("api-coaching-record-responses", args=[record.pk]),
                reverse("api-coaching-report-answer", args=[record.pk])):
        assert api.post(url, {"text": "x"}, format="json").status_code == 404
    assert api.patch(reverse("api-coaching-record", args=[record.pk]), {"facts": "x"}, format="json").status_code == 404
    assert client.get(reverse("coaching:correct", args=[record.pk])).status_code == 404
    assert client.get(reverse("coaching:addendum", args=[record.pk])).status_code == 404


def test_filter_by_employee_does_not_widen_access(org, records, api_for):
    resp = api_for(org.user("peer")).get(reverse("api-coaching-records"), {"employee": org.staff.pk})
    assert resp.json()["count"] == 0


def test_team_page_is_for_managers_and_hr(org, records, client_for):
    assert client_for(org.user("peer")).get(reverse("coaching:team")).status_code == 404
    page = client_for(org.user("lead")).get(reverse("coaching:team")).content.decode()
    assert 'data-employee="S1"' in page and 'data-employee="S2"' in page and 'data-employee="F1"' not in page
    page = client_for(org.user("hr")).get(reverse("coaching:team")).content.decode()
    assert 'data-employee="F1"' in page
    assert client_for(org.user("hr")).get(reverse("coaching:settings")).status_code == 200
    assert client_for(org.user("lead")).get(reverse("coaching:settings")).status_code == 404


def test_new_record_page_for_someone_outside_the_chain_is_404(org, client_for):
    lead = client_for(org.user("lead"))
    assert lead.get(reverse("coaching:create"), {"employee": org.accountant.pk}).status_code == 404
    assert lead.get(reverse("coaching:create"), {"employee": org.staff.pk}).status_code == 200
