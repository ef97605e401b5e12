"""Confidentiality: an interview is open only to the employee, the manager of record and HR. A matrix over every
interviews page, API operation, PDF and export for seven people: the employee, the manager of record, the
manager's manager, an executive, HR, another employee and a manager of another department. Only the three
allowed see anything; everyone else gets 404 (or the interview is left out of their lists), and nothing is
written by their attempts. Dashboards (the statistics) expose counts only."""
import datetime as dt

import pytest
from django.urls import reverse
from interview_helpers import future, held_record, record_rows

from apps.core.models import AuditEvent
from apps.interviews import services
from apps.interviews.models import Action, Addendum, Interview, Revision
from apps.org import services as org_services

pytestmark = pytest.mark.django_db

SECRET = "大客户开发不足"  # a phrase of the record
PRIVATE = "先肯定利润指标，再谈大客户"  # the manager's private notes
INSIDERS = ("employee", "manager_of_record", "hr")
OUTSIDERS = ("managers_manager", "executive", "other_employee", "other_department_manager")


@pytest.fixture
def world(org, due_interview):
    lead, staff = org.user("lead"), org.user("staff")
    i = services.interview_schedule(actor=lead, interview=due_interview, scheduled_at=future(1), location="会议室",
                                    expected_version=due_interview.version)
    services.manager_prep_save(actor=lead, interview=i, checklist=["trust"], private_notes=PRIVATE)
    prep = services.employee_prep_save(actor=staff, interview=i, strengths="客户关系好")
    services.employee_prep_share(actor=staff, interview=i, expected_version=prep.version)
    actions, revisions = record_rows(org)
    i.refresh_from_db()
    i = services.record_save(actor=lead, interview=i, expected_version=i.version, **held_record(gaps=SECRET),
                             actions=actions, revisions=revisions)
    i = services.record_submit(actor=lead, interview=i, expected_version=i.version)
    i = services.record_sign(actor=staff, interview=i, disagreement=True, note="有异议", expected_version=i.version)
    services.addendum_add(actor=lead, interview=i, text="补充说明")
    fin_mgr = org_services.employee_create(
        actor=org.actor, employee_no="FM1", name_zh="财务经理", department=org.finance, position=org.pos_fin,
        supervisor=org.gm, hire_date=dt.date(2024, 1, 1), email="fm@example.com", username="finmgr",
        password="pw-Test-1234")
    org_services.employee_create(
        actor=org.actor, employee_no="F2", name_zh="出纳", department=org.finance, position=org.pos_fin,
        supervisor=fin_mgr, hire_date=dt.date(2024, 1, 1), username="cashier", password="pw-Test-1234")
    people = {"employee": org.user("staff"), "manager_of_record": org.user("lead"), "managers_manager": org.user("manager"),
              "executive": org.user("gm"), "hr": org.user("hr"), "other_employee": org.user("peer"),
              "other_department_manager": fin_mgr.user}
    return i, people


def _endpoints(i):
    a = Action.objects.filter(interview=i).order_by("pk").first()
    r = Revision.objects.filter(interview=i).order_by("pk").first()
    pk = i.pk
    # (name, kind, method, url, data, {insider: expected status})
    ok_all = {"employee": 200, "manager_of_record": 200, "hr": 200}
    manager_only_page = {"employee": 404, "manager_of_record": 200, "hr": 404}
    return [
        ("page: interview", "page", "get", reverse("interviews:detail", args=[pk]), None, ok_all),
        ("page: schedule", "page", "get", reverse("interviews:schedule", args=[pk]), None, manager_only_page),
        ("page: calendar .ics", "page", "get", reverse("interviews:ics", args=[pk]), None, ok_all),
        ("page: manager's preparation", "page", "get", reverse("interviews:manager_prep", args=[pk]), None,
         manager_only_page),
        ("page: employee's preparation", "page", "get", reverse("interviews:employee_prep", args=[pk]), None, ok_all),
        ("page: record", "page", "get", reverse("interviews:record", args=[pk]), None, ok_all),
        ("PDF of the record", "page", "get", reverse("interviews:pdf", args=[pk]), None, ok_all),
        ("page: sign", "page", "post", reverse("interviews:record_sign", args=[pk]), {"decision": "agree"}, None),
        ("page: submit", "page", "post", reverse("interviews:record_submit", args=[pk]), {}, None),
        ("page: addendum", "page", "post", reverse("interviews:addendum", args=[pk]), {"text": "外人补充"}, None),
        ("page: share preparation", "page", "post", reverse("interviews:employee_prep_share", args=[pk]), {}, None),
        ("page: reassign", "page", "post", reverse("interviews:reassign", args=[pk]), {"manager": 1}, None),
        ("page: action progress", "page", "post", reverse("interviews:action_progress", args=[a.pk]),
         {"progress": 50}, None),
        ("page: action confirm", "page", "post", reverse("interviews:action_confirm", args=[a.pk]), {}, None),
        ("page: revision decide", "page", "post", reverse("interviews:revision_decide", args=[r.pk]),
         {"decision": "drop"}, None),
        ("API: interview", "api", "get", reverse("api-interview", args=[pk]), None, ok_all),
        ("API: .ics", "api", "get", reverse("api-interview-ics", args=[pk]), None, ok_all),
        ("API: manager's preparation", "api", "get", reverse("api-interview-manager-prep", args=[pk]), None,
         {"employee": 403, "manager_of_record": 200, "hr": 403}),
        ("API: employee's preparation", "api", "get", reverse("api-interview-employee-prep", args=[pk]), None, ok_all),
        ("API: schedule", "api", "post", reverse("api-interview-schedule", args=[pk]),
         {"scheduled_at": future(3).isoformat(), "location": "x", "version": i.version}, None),
        ("API: manager-prep write", "api", "put", reverse("api-interview-manager-prep", args=[pk]),
         {"private_notes": "x"}, None),
        ("API: employee-prep write", "api", "put", reverse("api-interview-employee-prep", args=[pk]),
         {"strengths": "x"}, None),
        ("API: share", "api", "post", reverse("api-interview-employee-prep-share", args=[pk]), {"version": 1}, None),
        ("API: record write", "api", "put", reverse("api-interview-record", args=[pk]), {"gaps": "x", "version": 1}, None),
        ("API: submit", "api", "post", reverse("api-interview-submit", args=[pk]), {"version": 1}, None),
        ("API: sign", "api", "post", reverse("api-interview-sign", args=[pk]), {"version": 1}, None),
        ("API: addendum", "api", "post", reverse("api-interview-addenda", args=[pk]), {"text": "x"}, None),
        ("API: reassign", "api", "post", reverse("api-interview-reassign", args=[pk]), {"manager": 1, "version": 1}, None),
        ("API: action progress", "api", "post", reverse("api-interview-action-progress", args=[a.pk]),
         {"progress": 10, "version": a.version}, None),
        ("API: action confirm", "api", "post", reverse("api-interview-action-confirm", args=[a.pk]),
         {"version": a.version}, None),
        ("API: revision decide", "api", "post", reverse("api-interview-revision-decide", args=[r.pk]),
         {"decision": "drop", "version": r.version}, None),
    ]


# (name, kind, url, params, who finds the interview there)
LISTS = [
    ("page: interviews to hold", "page", "interviews:to_hold", {}, {"manager_of_record"}),
    ("page: my interviews", "page", "interviews:mine", {}, {"employee"}),
    ("page: HR completion", "page", "interviews:hr", {}, {"hr"}),
    ("page: actions", "page", "interviews:actions", {}, {"employee", "manager_of_record", "hr"}),
    ("export: CSV", "page", "interviews:hr_export", {}, {"hr"}),
    ("API: interview list", "api", "api-interviews", {}, {"employee", "manager_of_record", "hr"}),
    ("API: actions", "api", "api-interview-actions", {}, {"employee", "manager_of_record", "hr"}),
    ("API: HR completion", "api", "api-interviews-completion", {}, {"hr"}),
]


def _call(client, method, url, data, kind):
    if method == "get":
        return client.get(url)
    if kind == "api":
        return getattr(client, method)(url, data or {}, format="json")
    return client.post(url, data or {})


def test_confidentiality_matrix(org, world, client_for, api_for):
    i, people = world
    endpoints = _endpoints(i)
    def state():
        return (Interview.objects.get(pk=i.pk).version, Addendum.objects.count(), AuditEvent.objects.count(),
                list(Action.objects.order_by("pk").values_list("progress", "status", "version")),
                list(Revision.objects.order_by("pk").values_list("decision", flat=True)))

    before = state()
    problems, cells = [], 0
    for who in (*OUTSIDERS, *INSIDERS):  # the outsiders first: their attempts must change nothing
        if who == INSIDERS[0]:
            assert state() == before, "an outsider's attempt changed something"
        user = people[who]
        page, api = client_for(user), api_for(user)
        for name, kind, method, url, data, insiders in endpoints:
            cells += 1
            resp = _call(api if kind == "api" else page, method, url, data, kind)
            body = resp.content.decode("utf-8", "ignore") if resp.get("Content-Type", "").startswith(
                ("text/", "application/json")) else ""
            if who in OUTSIDERS:
                if resp.status_code != 404 or SECRET in body:
                    problems.append(f"{who} · {name}: {resp.status_code}")
            elif insiders is not None and resp.status_code != insiders[who]:
                problems.append(f"{who} · {name}: {resp.status_code}, expected {insiders[who]}")
            if who != "manager_of_record" and PRIVATE in body:
                problems.append(f"{who} · {name}: sees the manager's private notes")
        for name, kind, url_name, params, finders in LISTS:
            cells += 1
            client = api if kind == "api" else page
            resp = client.get(reverse(url_name), params)
            body = resp.content.decode("utf-8", "ignore")
            if who in finders:
                found = resp.status_code == 200 and (
                    f'"id":{i.pk}' in body.replace(" ", "") or f'data-interview="{i.pk}"' in body
                    or "每周拜访两家大客户" in body or "孙娜" in body
                    or '"disagreement":1' in body.replace(" ", ""))  # the completion counts
                if not found:
                    problems.append(f"{who} · {name}: does not find the interview ({resp.status_code})")
            else:
                leaked = resp.status_code == 200 and (f'data-interview="{i.pk}"' in body or "每周拜访两家大客户" in body
                                                      or SECRET in body or f'"interview":{i.pk}' in body.replace(" ", "")
                                                      or f'"id":{i.pk},"appraisal"' in body.replace(" ", ""))
                if leaked or (resp.status_code not in (200, 404)):
                    problems.append(f"{who} · {name}: {resp.status_code}, leaked={leaked}")
    assert not problems, "\n".join(problems)
    assert cells == 7 * (len(endpoints) + len(LISTS)) == 7 * 39, cells


def test_dashboards_expose_counts_only(org, world, client_for, api_for):
    i, people = world
    for who in ("executive", "managers_manager", "hr"):
        rows = api_for(people[who]).get(reverse("api-interviews-stats")).json()
        assert rows == [{"department": org.sales_east.pk, "department_name": "华东销售处", "due": 0, "held": 1,
                         "overdue": 0, "disagreement": 1}], who
        html = client_for(people[who]).get(reverse("interviews:stats")).content.decode()
        assert "孙娜" not in html and SECRET not in html and "data-interview" not in html
    for who in ("employee", "other_employee"):
        assert api_for(people[who]).get(reverse("api-interviews-stats")).status_code == 404, who
    assert api_for(people["other_department_manager"]).get(reverse("api-interviews-stats")).json() == []


def test_emails_of_interview_events_carry_no_content(org, world, mailoutbox):
    i, _people = world
    from apps.notifications.models import Notification

    notes = Notification.objects.filter(url__startswith="/interviews/")
    assert notes.exists()
    for n in notes:
        assert SECRET not in n.title + n.body and "有异议" not in n.title + n.body and PRIVATE not in n.title + n.body
        assert n.body in ("内容保密：请打开链接查看。", "The content is confidential: open the link to see it.")
