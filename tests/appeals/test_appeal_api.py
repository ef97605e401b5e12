"""The whole flow through the API: file (multipart with evidence), triage, ask the manager, answer, decide
with a correction; versions required (409 on a stale one), plain 400s, never a 500."""
from __future__ import annotations

import pytest
from appeal_helpers import line, pdf_file
from django.urls import reverse

from apps.appeals.models import Appeal, Concern
from apps.appraisals.models import Appraisal

pytestmark = pytest.mark.django_db


def test_api_flow(org, published, api_for):
    staff, peer = published
    sales = line(staff, "SALES-MONTH")
    emp, hr, lead = api_for(org.user("staff")), api_for(org.user("hr")), api_for(org.user("lead"))
    r = emp.post(reverse("api-appeals"), {"appraisal": staff.pk, "lines": [sales.pk], "reasons": "",
                                          "files": [pdf_file()]}, format="multipart")
    assert r.status_code == 400 and r.json()["error"]["fields"].get("reasons")
    r = emp.post(reverse("api-appeals"), {"appraisal": staff.pk, "lines": [sales.pk], "reasons": "漏记订单",
                                          "files": [pdf_file()]}, format="multipart")
    assert r.status_code == 201, r.content
    body = r.json()
    pk, v = body["id"], body["version"]
    assert body["status"] == "filed" and body["attachments"][0]["name"] == "台账.pdf"
    assert emp.post(reverse("api-appeals"), {"appraisal": staff.pk, "lines": [sales.pk], "reasons": "again"},
                    format="json").status_code == 409
    assert hr.post(reverse("api-appeal-triage", args=[pk]), {"accept": True}, format="json").status_code == 400
    r = hr.post(reverse("api-appeal-triage", args=[pk]), {"accept": True, "version": v}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    v = r.json()["version"]
    assert lead.get(reverse("api-appeal", args=[pk])).status_code == 404
    r = hr.post(reverse("api-appeal-requests", args=[pk]), {"addressee": "manager", "question": "请确认",
                                                            "shared_with_manager": "销售额有异议", "version": v},
                format="json")
    assert r.status_code == 201
    req = r.json()
    seen = lead.get(reverse("api-appeal", args=[pk])).json()
    assert seen["roles"] == ["manager"] and seen["shared_with_manager"] == "销售额有异议"
    assert seen["reasons"] == "" and seen["attachments"] == [] and len(seen["requests"]) == 1
    assert lead.get(reverse("api-appeals")).json()["count"] == 1
    r = lead.post(reverse("api-appeal-answer", args=[req["id"]]), {"answer": "属实", "version": req["version"]},
                  format="json")
    assert r.status_code == 200 and r.json()["answered_at"]
    v = hr.get(reverse("api-appeal", args=[pk])).json()["version"]
    # a line that was not appealed: 400, nothing written
    behaviour = Appraisal.objects.get(pk=staff.pk).lines.filter(rule_kind="direct").first()
    r = hr.post(reverse("api-appeal-decide", args=[pk]), {"outcome": "upheld", "reasons": "r", "version": v,
                                                          "lines": [{"id": behaviour.pk, "score": "99"}]}, format="json")
    assert r.status_code == 400 and "lines" in r.json()["error"]["fields"]
    assert not Appeal.objects.get(pk=pk).correction_id
    r = hr.post(reverse("api-appeal-decide", args=[pk]), {"outcome": "partly", "reasons": "订单属实", "version": v,
                                                          "lines": [{"id": sales.pk, "actual": "1200"}]}, format="json")
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["status"] == "decided" and d["correction"]["total_after"] == str(peer.total_score)
    assert d["letter_url"]
    # a second HR decision with the old version: 409
    r = hr.post(reverse("api-appeal-decide", args=[pk]), {"outcome": "rejected", "reasons": "x", "version": v},
                format="json")
    assert r.status_code == 409
    assert Appeal.objects.get(pk=pk).outcome == "partly"


def test_api_concern_and_policy(org, published, api_for):
    staff, _ = published
    peer = api_for(org.user("peer"))
    r = peer.post(reverse("api-appeal-concerns"), {"appraisal": staff.pk, "reasons": "含退货"}, format="json")
    assert r.status_code == 201 and set(r.json()) == {"id", "created_at"}
    c = Concern.objects.get()
    assert peer.get(reverse("api-appeal-concerns")).status_code == 404
    assert peer.get(reverse("api-appeal-concern", args=[c.pk])).status_code == 404
    hr = api_for(org.user("hr"))
    assert hr.get(reverse("api-appeal-concerns")).json()["count"] == 1
    r = hr.post(reverse("api-appeal-concern-review", args=[c.pk]), {"note": "复核", "contests_grade": True,
                                                                    "version": c.version}, format="json")
    assert r.status_code == 201 and r.json()["kind"] == "review"
    r = hr.put(reverse("api-appeals-cycle-policy", args=[staff.cycle_id]), {"window_days": 0}, format="json")
    assert r.status_code == 400
    r = hr.put(reverse("api-appeals-cycle-policy", args=[staff.cycle_id]), {"window_days": 10,
                                                                             "window_rule": "publication"}, format="json")
    assert r.status_code == 200 and r.json()["window_days"] == 10
    assert api_for(org.user("staff")).get(reverse("api-appeals-cycle-policy", args=[staff.cycle_id])).status_code == 404


def test_schema_documents_the_appeals_api(org, client_for):
    r = client_for(org.user("hr")).get(reverse("schema"))
    text = r.content.decode()
    assert "/api/v1/appeals/{id}/decide/" in text and "AppealStatusEnum" in text
