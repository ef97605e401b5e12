"""Confidentiality matrix: an appeal is open to the employee and HR, and to the manager of record only once HR
asks them (and then only what HR shares); a concern is HR's alone and its author is never revealed. Seven
people over every appeals page, API operation, attachment and PDF: everyone else gets 404 (or the appeal is
left out of their lists), and their attempts write nothing."""
import datetime as dt

import pytest
from appeal_helpers import line, pdf_file
from django.urls import reverse

from apps.appeals import services
from apps.appeals.models import Appeal, AppealAttachment, Concern, InfoRequest
from apps.core.models import AuditEvent
from apps.org import services as org_services

pytestmark = pytest.mark.django_db

SECRET = "家中变故影响了本月业绩"  # the employee's reasons: never shown to the manager or outsiders
CONCERN = "她的销售额含有退货订单"  # the concern's text: HR only
OUTSIDERS = ("managers_manager", "executive", "other_employee", "other_department_manager")


@pytest.fixture
def world(org, published):
    staff, _ = published
    hr = org.user("hr")
    appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons=SECRET,
                                  lines=[line(staff, "SALES-MONTH").pk], files=[pdf_file()])
    appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True)
    req = services.info_request(actor=hr, appeal=appeal, addressee="manager", question="请确认订单",
                                shared_with_manager="销售额有异议")
    concern = services.concern_raise(actor=org.user("peer"), appraisal=staff, reasons=CONCERN)
    fin_mgr = org_services.employee_create(
        actor=org.actor, employee_no="FM1", name_zh="财务经理", department=org.finance, position=org.pos_fin,
        supervisor=org.gm, hire_date=dt.date(2024, 1, 1), email="fm@example.com", username="finmgr",
        password="pw-Test-1234")
    people = {"employee": org.user("staff"), "manager_of_record": org.user("lead"),
              "managers_manager": org.user("manager"), "executive": org.user("gm"), "hr": hr,
              "other_employee": org.user("peer"), "other_department_manager": fin_mgr.user}
    return Appeal.objects.get(pk=appeal.pk), req, concern, people


def _endpoints(appeal, req, concern):
    pk = appeal.pk
    att = AppealAttachment.objects.get(appeal=appeal)
    ok3 = {"employee": 200, "manager_of_record": 200, "hr": 200}
    full = {"employee": 200, "manager_of_record": 404, "hr": 200}
    hr_only = {"employee": 404, "manager_of_record": 404, "hr": 200}
    return [
        ("page: appeal", "get", reverse("appeals:detail", args=[pk]), None, ok3),
        ("page: evidence file", "get", reverse("appeals:attachment", args=[pk, att.pk]), None, full),
        ("page: queue", "get", reverse("appeals:queue"), None, hr_only),
        ("page: concerns", "get", reverse("appeals:concerns"), None, hr_only),
        ("page: concern", "get", reverse("appeals:concern", args=[concern.pk]), None, hr_only),
        ("page: cycle policy", "get", reverse("appeals:cycle_policy", args=[appeal.cycle_id]), None, hr_only),
        ("page: triage", "post", reverse("appeals:triage", args=[pk]), {"accept": "0", "reason": "外人"}, None),
        ("page: request", "post", reverse("appeals:request_info", args=[pk]),
         {"addressee": "employee", "question": "外人"}, None),
        ("page: decide", "post", reverse("appeals:decide", args=[pk]),
         {"outcome": "rejected", "reasons": "外人", "confirm": "on"}, None),
        ("page: withdraw", "post", reverse("appeals:withdraw", args=[pk]), {}, None),
        ("page: answer", "post", reverse("appeals:answer", args=[pk, req.pk]), {f"r{req.pk}-answer": "外人"}, None),
        ("API: appeal", "get", reverse("api-appeal", args=[pk]), None, ok3),
        ("API: concern", "get", reverse("api-appeal-concern", args=[concern.pk]), None, hr_only),
        ("API: concerns", "get", reverse("api-appeal-concerns"), None, hr_only),
        ("API: policy", "get", reverse("api-appeals-cycle-policy", args=[appeal.cycle_id]), None, hr_only),
        ("API: triage", "post", reverse("api-appeal-triage", args=[pk]), {"accept": False, "reason": "外人",
                                                                         "version": appeal.version}, None),
        ("API: request", "post", reverse("api-appeal-requests", args=[pk]),
         {"addressee": "employee", "question": "外人", "version": appeal.version}, None),
        ("API: hearing", "post", reverse("api-appeal-hearing", args=[pk]),
         {"held_at": "2026-01-01T10:00:00+08:00", "notes": "外人", "version": appeal.version}, None),
        ("API: decide", "post", reverse("api-appeal-decide", args=[pk]),
         {"outcome": "rejected", "reasons": "外人", "version": appeal.version}, None),
        ("API: withdraw", "post", reverse("api-appeal-withdraw", args=[pk]), {"version": appeal.version}, None),
        ("API: evidence", "post", reverse("api-appeal-evidence", args=[pk]), {}, None),
        ("API: answer", "post", reverse("api-appeal-answer", args=[req.pk]), {"answer": "外人", "version": req.version},
         None),
        ("API: concern dismiss", "post", reverse("api-appeal-concern-dismiss", args=[concern.pk]),
         {"note": "外人", "version": concern.version}, None),
        ("API: concern review", "post", reverse("api-appeal-concern-review", args=[concern.pk]),
         {"note": "外人", "contests_grade": True, "version": concern.version}, None),
    ]


def test_outsiders_get_404_everywhere_and_write_nothing(world, client_for, api_for):
    appeal, req, concern, people = world
    audit_before = AuditEvent.objects.count()
    for who in OUTSIDERS:
        user = people[who]
        page, api = client_for(user), api_for(user)
        for name, method, url, data, _expected in _endpoints(appeal, req, concern):
            c = api if name.startswith("API") else page
            r = getattr(c, method)(url, data, format="json") if c is api and data is not None else (
                getattr(c, method)(url, data) if data is not None else getattr(c, method)(url))
            assert r.status_code == 404, (who, name, r.status_code)
        # left out of lists, search and the appraisal page
        assert api.get(reverse("api-appeals")).json()["count"] == 0, who
        assert SECRET not in page.get(reverse("appeals:mine")).content.decode()
    assert AuditEvent.objects.count() == audit_before
    a = Appeal.objects.get(pk=appeal.pk)
    assert (a.status, a.version) == ("in_review", appeal.version)
    assert Concern.objects.get(pk=concern.pk).status == "received"
    assert not InfoRequest.objects.exclude(pk=req.pk).exists()


def test_insiders_reads(world, client_for, api_for):
    appeal, req, concern, people = world
    for who in ("employee", "manager_of_record", "hr"):
        page, api = client_for(people[who]), api_for(people[who])
        for name, method, url, _data, expected in _endpoints(appeal, req, concern):
            if method != "get":
                continue
            c = api if name.startswith("API") else page
            assert c.get(url).status_code == expected[who], (who, name)
    # what the manager reads: the shared summary, not the employee's reasons or evidence
    lead_page = client_for(people["manager_of_record"]).get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "销售额有异议" in lead_page and SECRET not in lead_page
    emp_page = client_for(people["employee"]).get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert SECRET in emp_page


def test_concern_author_and_text_never_reach_the_subject_or_the_manager(world, client_for, api_for, org):
    appeal, req, concern, people = world
    review_texts = []
    for who in ("employee", "manager_of_record"):
        for url in (reverse("appeals:mine"), reverse("appraisals:detail", args=[appeal.appraisal_id]),
                    reverse("appeals:detail", args=[appeal.pk])):
            html = client_for(people[who]).get(url).content.decode()
            assert CONCERN not in html and "李四" not in html and "Li Si" not in html, (who, url)
        review_texts.append(api_for(people[who]).get(reverse("api-appeals")).content.decode())
    assert all(CONCERN not in t and "李四" not in t for t in review_texts)
    from apps.notifications.models import Notification
    for n in Notification.objects.exclude(recipient=people["hr"]):
        assert CONCERN not in n.title + n.body and SECRET not in n.title + n.body


def test_a_corrected_result_shows_on_the_appraisal_without_the_appeal(world, client_for, org):
    appeal, req, concern, people = world
    reasons = "订单属实，更正销售额（决定理由）"
    services.appeal_decide(actor=people["hr"], appeal=appeal, outcome="partly", reasons=reasons,
                           lines=[{"id": appeal.contested_lines[0], "actual": "1200"}])
    url = reverse("appraisals:detail", args=[appeal.appraisal_id])
    for who in ("managers_manager", "executive", "manager_of_record"):
        html = client_for(people[who]).get(url).content.decode()
        if 'id="total"' in html:  # those who read the result see that it was corrected, not why nor the appeal
            assert 'id="corrections"' in html, who
        assert reasons not in html and SECRET not in html and 'id="appeal-panel"' not in html, who
    emp = client_for(people["employee"]).get(url).content.decode()
    assert 'id="corrections"' in emp and 'id="appeal-panel"' in emp
