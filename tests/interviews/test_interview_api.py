"""The whole flow through the API with the same services and rules: version required on every write two people
can make (stale = 409), bad input answers 400 with the error shape, refused moves 409, outsiders 404."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from interview_helpers import future

from apps.interviews.models import Interview, Status

pytestmark = pytest.mark.django_db


def test_the_whole_flow_through_the_api(org, due_interview, api_for):
    lead, staff, hr = api_for(org.user("lead")), api_for(org.user("staff")), api_for(org.user("hr"))
    pk = due_interview.pk
    listed = lead.get(reverse("api-interviews"), {"role": "manager", "status": "due"}).json()
    assert [r["id"] for r in listed["results"]] == [pk] and listed["results"][0]["due_date"]

    # scheduling: the version is required, a past time is refused next to its field
    r = lead.post(reverse("api-interview-schedule", args=[pk]), {"scheduled_at": future(2).isoformat(),
                                                                  "location": "会议室"}, format="json")
    assert r.status_code == 400 and "version" in r.json()["error"]["fields"]
    r = lead.post(reverse("api-interview-schedule", args=[pk]), {
        "scheduled_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(), "location": "会议室", "version": 1},
        format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"scheduled_at": r.json()["error"]["message"]}
    r = lead.post(reverse("api-interview-schedule", args=[pk]), {"scheduled_at": future(2).isoformat(),
                                                                  "location": "会议室", "version": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "scheduled"
    v = r.json()["version"]
    ics = staff.get(reverse("api-interview-ics", args=[pk]))
    assert ics.status_code == 200 and b"BEGIN:VCALENDAR" in ics.content

    # both prepare
    r = lead.put(reverse("api-interview-manager-prep", args=[pk]), {"checklist": ["trust", "future"],
                                                                     "private_notes": "私下备注"}, format="json")
    assert r.status_code == 200 and r.json()["checklist"] == ["trust", "future"]
    assert staff.get(reverse("api-interview-manager-prep", args=[pk])).status_code == 403
    assert hr.get(reverse("api-interview-manager-prep", args=[pk])).status_code == 403
    line = due_interview.appraisal.lines.order_by("pk").first()
    r = staff.put(reverse("api-interview-employee-prep", args=[pk]), {
        "line_views": [{"line": line.pk, "view": "disagree", "because": "口径不同"}], "strengths": "客户关系",
        "next_plan_proposals": [{"indicator": "大客户新增数", "target": "3"}]}, format="json")
    assert r.status_code == 200, r.json()
    assert lead.get(reverse("api-interview-employee-prep", args=[pk])).status_code == 404  # not shared yet
    r = staff.post(reverse("api-interview-employee-prep-share", args=[pk]), {"version": r.json()["version"]},
                   format="json")
    assert r.status_code == 200 and r.json()["shared_at"]
    assert lead.get(reverse("api-interview-employee-prep", args=[pk])).json()["strengths"] == "客户关系"

    # the record, with two people editing at once: the second gets 409
    day = timezone.localdate()
    body = {"held_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(), "agreement": "partly",
            "gaps": "大客户开发不足", "gap_causes": ["ability"], "upward_feedback": "更早反馈",
            "actions": [{"what": "每周拜访两家大客户", "owner": "employee", "due_date": (day + dt.timedelta(days=30)).isoformat()},
                        {"what": "谈判培训", "owner": "manager", "kind": "development",
                         "due_date": (day + dt.timedelta(days=14)).isoformat()}],
            "revisions": [{"title": "大客户新增数", "target": "3", "unit": "家"}], "version": v}
    r = lead.put(reverse("api-interview-record", args=[pk]), body, format="json")
    assert r.status_code == 200, r.json()
    assert len(r.json()["actions"]) == 2 and r.json()["revisions"][0]["title"] == "大客户新增数"
    stale = lead.put(reverse("api-interview-record", args=[pk]), {**body, "gaps": "晚到的修改"}, format="json")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    v = r.json()["version"]
    bad = lead.put(reverse("api-interview-record", args=[pk]), {"actions": [{"what": "无期限", "owner": "employee"}],
                                                                  "version": v}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"].get("actions")
    r = lead.post(reverse("api-interview-submit", args=[pk]), {"version": v}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    v = r.json()["version"]

    # the employee signs with a disagreement noted; signing twice is refused; the record is locked
    r = staff.post(reverse("api-interview-sign", args=[pk]), {"disagreement": True, "note": "", "version": v},
                   format="json")
    assert r.status_code == 400 and "note" in r.json()["error"]["fields"]
    r = staff.post(reverse("api-interview-sign", args=[pk]), {"disagreement": True, "note": "销售额口径有异议",
                                                              "version": v}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "signed" and r.json()["disagreement"] is True
    assert r.json()["pdf_url"].endswith("/record/pdf/")
    v = r.json()["version"]
    twice = staff.post(reverse("api-interview-sign", args=[pk]), {"version": v}, format="json")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "transition_not_allowed"
    edit = lead.put(reverse("api-interview-record", args=[pk]), {"gaps": "改", "version": v}, format="json")
    assert edit.status_code == 409
    r = hr.post(reverse("api-interview-addenda", args=[pk]), {"text": "HR：已知悉异议"}, format="json")
    assert r.status_code == 201 and r.json()["author_role"] == "hr"

    # feed forward
    actions = staff.get(reverse("api-interview-actions"), {"role": "employee"}).json()["results"]
    mine = next(a for a in actions if a["what"] == "每周拜访两家大客户")
    r = staff.post(reverse("api-interview-action-progress", args=[mine["id"]]), {"progress": 100, "version": mine["version"]},
                   format="json")
    assert r.status_code == 200 and r.json()["progress"] == 100
    r = lead.post(reverse("api-interview-action-confirm", args=[mine["id"]]), {"version": r.json()["version"]},
                  format="json")
    assert r.json()["status"] == "done"
    rev = lead.get(reverse("api-interview", args=[pk])).json()["revisions"][0]
    r = lead.post(reverse("api-interview-revision-decide", args=[rev["id"]]), {"decision": "accept", "version": rev["version"]},
                  format="json")
    assert r.status_code == 200 and r.json()["decision"] == "accepted" and r.json()["contract"]
    assert Interview.objects.get(pk=pk).status == Status.SIGNED


def test_create_refuses_before_publication_and_a_second_interview(org, cycle, due_interview, api_for):
    from interview_helpers import appraisal_of

    hr = api_for(org.user("hr"))
    r = hr.post(reverse("api-interviews"), {"appraisal": appraisal_of(org.peer, cycle).pk}, format="json")
    assert r.status_code == 409 and r.json()["error"]["fields"]["appraisal"]
    r = hr.post(reverse("api-interviews"), {"appraisal": due_interview.appraisal_id}, format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"]["appraisal"]
    assert Interview.objects.count() == 1


def test_cycle_policy_api_requires_hr_and_a_current_version(org, cycle, due_interview, api_for):
    url = reverse("api-interviews-cycle-policy", args=[cycle.pk])
    assert api_for(org.user("lead")).get(url).status_code == 404
    hr = api_for(org.user("hr"))
    assert hr.get(url).json()["window_days"] == 10
    r = hr.put(url, {"window_days": 5, "policy": "remind", "remind_days_before": 1}, format="json")
    assert r.status_code == 200
    first = r.json()["version"]
    r = hr.put(url, {"window_days": 6, "policy": "remind", "remind_days_before": 1, "version": first}, format="json")
    assert r.status_code == 200 and r.json()["version"] == first + 1
    stale = hr.put(url, {"window_days": 7, "policy": "remind", "remind_days_before": 1, "version": first},
                   format="json")
    assert stale.status_code == 409


def test_openapi_documents_the_interviews_api(org, client_for):
    schema = client_for(org.user("hr")).get("/api/schema/").content.decode()
    for path in ("/api/v1/interviews/{id}/record/sign/", "/api/v1/interviews/{id}/schedule/",
                 "/api/v1/interviews/revisions/{id}/decide/", "/api/v1/interviews/stats/"):
        assert path in schema
