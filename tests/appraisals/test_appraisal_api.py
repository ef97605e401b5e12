"""The full flow through the API with the same services and access rules: create and open a cycle,
enter and upload actuals, return a line, verify, self-assess, score (with a 409 on a stale line),
publish; and the refused transitions answer with a plain message."""
import pytest
from appraisal_helpers import PERIOD, deadlines, sign
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.appraisals.models import Appraisal, ScoreLine, Status

pytestmark = pytest.mark.django_db


def _stages():
    return [{"stage": s, "due_date": d.isoformat(), "policy": "remind"} for s, d in deadlines().items()]


@pytest.fixture
def api_cycle(org, api_for):
    sign(org, org.staff)
    sign(org, org.peer)
    resp = api_for(org.user("hr")).post(reverse("api-appraisals-cycles"), {
        "period": PERIOD, "frequency": "monthly", "stages": _stages(), "open": True}, format="json")
    assert resp.status_code == 201, resp.json()
    return resp.json()


def _lines_of(api, cycle_id, **params):
    resp = api.get(reverse("api-appraisals-lines"), {"cycle": cycle_id, **params})
    assert resp.status_code == 200
    return resp.json()["results"]


def test_full_flow_through_the_api(org, api_for, api_cycle):
    hr, acc, staff, lead = (api_for(org.user(n)) for n in ("hr", "accountant", "staff", "lead"))
    assert api_cycle["status"] == "open"
    cycle_id = api_cycle["id"]
    detail = hr.get(reverse("api-appraisals-cycle", args=[cycle_id])).json()
    assert detail["progress"]["counts"]["total"] == 2
    assert [d["name"] for d in detail["departments"]] == ["华东销售处"]

    # the data owner sees the data of the lines of 财务部, never their scores
    lines = _lines_of(acc, cycle_id)
    assert len(lines) == 4 and {ln["indicator_code"] for ln in lines} == {"SALES-MONTH", "PROFIT-MONTH"}
    assert "score" not in lines[0] and "manager_comment" not in lines[0]
    staff_sales = next(ln for ln in lines if ln["employee_no"] == "S1" and ln["indicator_code"] == "SALES-MONTH")

    # bad input: not a number -> 400 with a plain message, nothing written
    resp = acc.post(reverse("api-appraisals-line-actual", args=[staff_sales["id"]]), {"actual": "abc"},
                    format="json")
    assert resp.status_code == 400 and "abc" in resp.json()["error"]["message"]
    assert ScoreLine.objects.get(pk=staff_sales["id"]).actual is None

    # an upload: preview with the row errors, nothing written; then the fixed file
    bad = "employee_no,indicator_code,actual\nS1,SALES-MONTH,1000\nS1,PROFIT-MONTH,三百\nS2,SALES-MONTH,1200\n"
    resp = acc.post(reverse("api-appraisals-actuals-upload", args=[cycle_id]),
                    {"file": SimpleUploadedFile("actuals.csv", bad.encode())}, format="multipart")
    body = resp.json()
    assert resp.status_code == 200 and body["valid"] is False
    assert [r["row"] for r in body["rows"] if r["errors"]] == [3]
    resp = acc.post(reverse("api-appraisals-actuals-upload-apply", args=[body["upload"]]))
    assert resp.status_code == 400
    assert not ScoreLine.objects.filter(actual__isnull=False).exists()
    good = bad.replace("三百", "300") + "S2,PROFIT-MONTH,300\n"
    body = acc.post(reverse("api-appraisals-actuals-upload", args=[cycle_id]),
                    {"file": SimpleUploadedFile("actuals.csv", good.encode())}, format="multipart").json()
    assert body["valid"] and body["counts"]["update"] == 4
    resp = acc.post(reverse("api-appraisals-actuals-upload-apply", args=[body["upload"]]))
    assert resp.json() == {"updated": 4, "unchanged": 0}

    # HR returns the staff member's sales line; the accountant re-enters it
    sales = ScoreLine.objects.get(pk=staff_sales["id"])
    resp = hr.post(reverse("api-appraisals-line-return", args=[sales.pk]), {"reason": "与台账不符"}, format="json")
    assert resp.status_code == 200 and resp.json()["collection"] == "returned"
    appraisal = Appraisal.objects.get(employee=org.staff)
    resp = hr.post(reverse("api-appraisal-verify", args=[appraisal.pk]), {}, format="json")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "transition_not_allowed"
    resp = acc.post(reverse("api-appraisals-line-actual", args=[sales.pk]), {"actual": "1140", "evidence": "已核对"},
                    format="json")
    assert resp.status_code == 200 and resp.json()["collection"] == "entered"

    # scoring before verification is refused
    resp = lead.post(reverse("api-appraisal-manager-scoring", args=[appraisal.pk]), {"comment": "x"}, format="json")
    assert resp.status_code == 409

    resp = hr.post(reverse("api-appraisal-verify", args=[appraisal.pk]), {}, format="json")
    assert resp.status_code == 200
    data = resp.json()
    api_sales = next(ln for ln in data["lines"] if ln["indicator_code"] == "SALES-MONTH")
    assert (api_sales["attainment"], api_sales["score"]) == ("95.00", "75.00")

    # self-assessment: a score out of the rule's range is refused, then submitted
    direct = [ln for ln in data["lines"] if ln["rule_kind"] == "direct"]
    resp = staff.post(reverse("api-appraisal-self-assessment", args=[appraisal.pk]), {
        "lines": [{"id": direct[0]["id"], "score": "101"}]}, format="json")
    assert resp.status_code == 400 and "101" in resp.json()["error"]["message"]
    resp = staff.post(reverse("api-appraisal-self-assessment", args=[appraisal.pk]), {
        "comment": "完成了", "submit": True,
        "lines": [{"id": ln["id"], "score": "90", "comment": "主动"} for ln in direct]}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "self_assessed"
    # the employee may read but not score as the manager
    resp = staff.post(reverse("api-appraisal-manager-scoring", args=[appraisal.pk]), {"comment": "x"}, format="json")
    assert resp.status_code == 403

    # two people scoring the same line: the second gets a conflict
    line_id = direct[0]["id"]
    version = ScoreLine.objects.get(pk=line_id).version
    resp = lead.post(reverse("api-appraisals-line-score", args=[line_id]), {"score": "80", "version": version},
                     format="json")
    assert resp.status_code == 200 and resp.json()["score"] == "80.00"
    resp = lead.post(reverse("api-appraisals-line-score", args=[line_id]), {"score": "60", "version": version},
                     format="json")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "conflict"

    resp = lead.post(reverse("api-appraisal-manager-scoring", args=[appraisal.pk]), {
        "comment": "表现良好", "submit": True, "lines": [{"id": direct[1]["id"], "score": "90"}]}, format="json")
    assert resp.status_code == 200, resp.json()
    assert (resp.json()["status"], resp.json()["total_score"], resp.json()["grade"]) == ("scored", "85.00", "C")

    # before publication the employee does not see the manager's scores or the total
    mine = staff.get(reverse("api-appraisal", args=[appraisal.pk])).json()
    assert mine["total_score"] is None and mine["manager_comment"] == ""
    assert next(ln for ln in mine["lines"] if ln["rule_kind"] == "direct")["score"] is None

    # publishing the whole cycle is refused while the peer is not scored; publish the ready ones
    resp = hr.post(reverse("api-appraisals-cycle-publish", args=[cycle_id]), {}, format="json")
    assert resp.status_code == 409 and "尚不能发布" in resp.json()["error"]["message"]  # not ready
    resp = hr.post(reverse("api-appraisals-cycle-publish", args=[cycle_id]), {"ready_only": True}, format="json")
    assert resp.json() == {"published": 1}
    mine = staff.get(reverse("api-appraisal", args=[appraisal.pk])).json()
    assert (mine["status"], mine["total_score"], mine["grade"]) == ("published", "85.00", "C")
    explained = next(ln for ln in mine["lines"] if ln["indicator_code"] == "SALES-MONTH")["explanation"]
    assert "95.00%" in explained and explained.endswith("75.00")
    # locked
    resp = lead.post(reverse("api-appraisals-line-score", args=[line_id]), {"score": "70"}, format="json")
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "transition_not_allowed"


def test_publishing_an_unverified_appraisal_answers_409_with_a_plain_message(org, api_for, api_cycle):
    appraisal = Appraisal.objects.get(employee=org.staff)
    resp = api_for(org.user("hr")).post(reverse("api-appraisal-publish", args=[appraisal.pk]), {}, format="json")
    assert resp.status_code == 409
    assert "已评分" in resp.json()["error"]["message"]  # "Only scored appraisals can be published"
    assert Appraisal.objects.get(pk=appraisal.pk).status == Status.COLLECTING


def test_only_hr_creates_cycles_through_the_api(org, api_for):
    resp = api_for(org.user("lead")).post(reverse("api-appraisals-cycles"), {
        "period": PERIOD, "frequency": "monthly", "stages": _stages()}, format="json")
    assert resp.status_code == 403
    resp = api_for(org.user("hr")).post(reverse("api-appraisals-cycles"), {
        "period": "2026-13", "frequency": "monthly", "stages": _stages()}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"].get("period")


def test_opening_twice_through_the_api_is_a_no_op(org, api_for, api_cycle):
    hr = api_for(org.user("hr"))
    resp = hr.post(reverse("api-appraisals-cycle-open", args=[api_cycle["id"]]))
    assert resp.status_code == 200 and resp.json()["opening"]["already_open"]
    assert Appraisal.objects.count() == 2
    blockers = hr.get(reverse("api-appraisals-cycle-blockers", args=[api_cycle["id"]])).json()["results"]
    assert [b["employee_no"] for b in blockers] == ["F1"]
    resp = hr.post(reverse("api-appraisals-blocker-remind", args=[blockers[0]["id"]]))
    assert resp.json() == {"sent": 1}


def test_schedule_is_hr_only(org, api_for):
    resp = api_for(org.user("hr")).put(reverse("api-appraisals-schedules"), {
        "frequency": "monthly", "is_active": True, "stage_days": {"actuals": 3}}, format="json")
    assert resp.status_code == 200 and resp.json()["stage_days"]["actuals"] == 3
    assert api_for(org.user("lead")).get(reverse("api-appraisals-schedules")).status_code == 404
