"""The generated role x object access test (issue 17): every URL pattern that takes an id, walked from
the URL configuration, and every operation of the OpenAPI schema on such a path, for nine people against
the objects of two subjects (孙娜 "staff" and her team colleague 李四 "peer").

The expected answer comes from the policy table below, written from docs/ARCHITECTURE.md ("Who sees
what", the interviews' confidentiality), not from the code under test: a row names the kind of object
and who may read it. Reads must answer exactly 200 for those who may read and 404 for everyone else;
writes (every other method, tried on S's objects) must answer 404 to those who may not read, a refusal
where only some readers may act, and never a 5xx to anyone. Each request runs in a savepoint that is
rolled back, so the people after it see the same world. PDFs are checked for who gets them, not laid out.

A URL pattern or API operation that takes an id and has no row in the table fails the test: a new page
or endpoint gets its row (and so its access rule) before it can be merged.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

HERE = Path(__file__).resolve().parent
for sub in ("appraisals", "interviews"):
    sys.path.insert(0, str(HERE.parent / sub))

from interview_helpers import (  # noqa: E402
    appraisal_of,
    future,
    held_record,
    open_cycle,
    publish,
    record_rows,
    sign,
)

from apps.core.roles import EXECUTIVE_GROUP  # noqa: E402

pytestmark = pytest.mark.django_db

# --- the people -------------------------------------------------------------------------------------
# staff: the employee (owner of S); peer: her team colleague (owner of T); lead: their direct manager
# (and appraiser, and manager of record of S's interview); manager: the manager's manager; gm: the
# executive at the top (everyone is in his chain); exec_out: an executive outside the sales chain (the
# finance director); hr; accountant: the data-source user (finance provides the sales and profit
# actuals); outsider: an employee of another department, no role.
ROLES = ("staff", "peer", "lead", "manager", "gm", "exec_out", "hr", "accountant", "outsider")
OWNER = {"S": "staff", "T": "peer"}

# --- who may read, by kind of object (ARCHITECTURE.md, "Who sees what") ------------------------------
CHAIN = {"lead", "manager", "gm"}  # the direct manager and everyone above (gm: the executive in the chain)
FINANCE = {"accountant", "exec_out"}  # the members of 财务部, the data source of the sales and profit lines


def readers(kind: str, subject: str) -> set[str]:
    owner = {OWNER[subject]} if subject in OWNER else set()
    if kind == "record":  # plan, goal, contract, appraisal, personnel record: self, chain, HR
        return owner | CHAIN | {"hr"}
    if kind == "coaching":  # coaching records and the performance file: self, chain (read), HR
        return owner | CHAIN | {"hr"}
    if kind == "interview":  # the employee, the manager of record, HR; nobody else
        return owner | {"lead", "hr"}
    if kind == "interview_manager":  # the manager's own pages (schedule, private preparation)
        return {"lead"}
    if kind == "actual":  # a line's actual: the data source (everyone in finance) and HR, never the appraisee
        return FINANCE | {"hr"} - owner
    if kind == "verify":  # an appraisal's data: read as a record, or verified by the owner of all its data lines
        return owner | CHAIN | {"hr"} | FINANCE
    if kind == "planning":  # strategy, themes, annual plan: HR and the executives make them
        return {"hr", "gm", "exec_out"}
    if kind == "hr":
        return {"hr"}
    if kind == "everyone":
        return set(ROLES)
    if kind == "cycle_page":  # HR's cycle pages
        return {"hr"}
    if kind == "calibration":  # HR, or a department head (none is set in this world)
        return {"hr"}
    if kind == "department_aggregate":  # a department's dashboard: its head (none is set here), HR, executives
        return {"gm", "exec_out", "hr"}
    if kind == "team_aggregate":  # the lead's team dashboard: the lead, those above him, HR, executives
        return CHAIN | {"hr", "exec_out"}
    if kind == "absent":  # no such object in this world: 404 for all
        return set()
    if kind == "appeal_file":  # an appeal of a published result is filed by its employee alone
        return owner
    if kind == "feedback_ask":  # asking colleagues for feedback about someone: the direct manager, HR
        return {"lead", "hr"}
    if kind == "pay_cycle":  # a cycle's pay settings and budgets: HR writes, the general manager reads
        return {"hr", "gm"}
    if kind == "pay":  # pay data and a cycle's pay settings: HR and finance (nobody here is in finance)
        return {"hr"}
    raise KeyError(kind)


# --- the policy table: URL name -> (object, kind of object, HTML methods) -----------------------------
# object: a key of the world (with S/T variants, or one shared object); HTML methods: what the page
# answers to (API methods come from the OpenAPI schema). Statuses other than 200/404 for readers are
# declared in EXCEPTIONS.
P = "post"
G = "get"
POLICY: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # org
    "org:employee": ("employee", "record", (G,)),  # the personnel record (the card is in the directory list)
    "api-org-employee": ("employee", "record", ()),
    # plans
    "plans:goal_detail": ("goal", "record", (G,)),
    "plans:goal_edit": ("goal", "record", (G, P)),
    "plans:goal_progress": ("goal", "record", (P,)),
    "plans:goal_delete": ("goal", "record", (P,)),
    "plans:strategy_edit": ("strategy", "planning", (G, P)),
    "plans:theme_new": ("strategy", "planning", (G, P)),
    "plans:theme_edit": ("theme", "planning", (G, P)),
    "plans:annual_plan_edit": ("annual", "planning", (G, P)),
    "plans:plan_detail": ("plan", "record", (G,)),
    "plans:plan_action": ("plan", "record", (P,)),
    "plans:item_complete": ("item", "record", (P,)),
    "api-plans-goal": ("goal", "record", ()),
    "api-plans-goal-progress": ("goal", "record", ()),
    "api-plans-monthly-detail": ("plan", "record", ()),
    "api-plans-monthly-items": ("plan", "record", ()),
    "api-plans-monthly-submit": ("plan", "record", ()),
    "api-plans-monthly-return": ("plan", "record", ()),
    "api-plans-monthly-confirm": ("plan", "record", ()),
    "api-plans-monthly-reopen": ("plan", "record", ()),
    "api-plans-monthly-carry": ("plan", "record", ()),
    "api-plans-item-result": ("item", "record", ()),
    # contracts
    "contracts:detail": ("contract", "record", (G, P)),
    "contracts:lint_preview": ("contract", "record", (P,)),
    "contracts:pdf": ("contract", "record", (G,)),
    "contracts:action": ("contract", "record", (P,)),
    "contracts:indicator": ("indicator", "hr", (G, P)),
    "contracts:template": ("template", "hr", (G, P)),
    "api-contract": ("contract", "record", ()),
    "api-contract-propose": ("contract", "record", ()),
    "api-contract-withdraw": ("contract", "record", ()),
    "api-contract-return": ("contract", "record", ()),
    "api-contract-sign": ("contract", "record", ()),
    "api-contract-agree": ("contract", "record", ()),
    "api-contract-amend": ("contract", "record", ()),
    "api-contract-changes": ("contract", "record", ()),
    "api-contract-lint": ("contract", "record", ()),
    "api-contract-versions": ("contract", "record", ()),
    "api-contract-pdf": ("contract", "record", ()),
    "api-contract-change-accept": ("change", "absent", ()),
    "api-contract-change-reject": ("change", "absent", ()),
    "api-indicator": ("indicator", "everyone", ()),  # the library is read by everyone who drafts
    "api-contract-template": ("template", "everyone", ()),
    "api-contract-template-generate": ("template", "everyone", ()),
    # coaching
    "coaching:file": ("employee", "coaching", (G,)),
    "coaching:file_pdf": ("employee", "coaching", (G,)),
    "coaching:detail": ("record", "coaching", (G,)),
    "coaching:correct": ("record", "coaching", (G, P)),
    "coaching:addendum": ("record", "coaching", (P,)),
    "coaching:respond": ("record", "coaching", (P,)),
    "coaching:answer": ("report", "coaching", (P,)),
    "coaching:sign": ("record", "coaching", (P,)),
    "coaching:acknowledge": ("record", "coaching", (P,)),
    "coaching:follow_up_done": ("record", "coaching", (P,)),
    "coaching:attachment": ("attachment", "absent", (G,)),
    "api-coaching-record": ("record", "coaching", ()),
    "api-coaching-record-responses": ("record", "coaching", ()),
    "api-coaching-record-addenda": ("record", "coaching", ()),
    "api-coaching-record-attachments": ("record", "coaching", ()),
    "api-coaching-record-acknowledge": ("record", "coaching", ()),
    "api-coaching-record-signature": ("record", "coaching", ()),
    "api-coaching-record-follow-up-done": ("record", "coaching", ()),
    "api-coaching-report-answer": ("report", "coaching", ()),
    "api-coaching-file": ("employee", "coaching", ()),
    # appraisals
    "appraisals:cycle": ("cycle", "cycle_page", (G, P)),
    "appraisals:cycle_open": ("cycle", "cycle_page", (P,)),
    "appraisals:cycle_verify": ("cycle", "cycle_page", (P,)),
    "appraisals:cycle_publish": ("cycle", "cycle_page", (P,)),
    "appraisals:calibration": ("cycle", "calibration", (G,)),
    "appraisals:calibration_quotas": ("cycle", "calibration", (P,)),
    "appraisals:calibration_override": ("cycle", "calibration", (P,)),
    "appraisals:calibrate_grade": ("appraisal", "calibration", (P,)),
    "appraisals:blockers_recheck": ("cycle", "cycle_page", (P,)),
    "appraisals:blockers_remind_all": ("cycle", "cycle_page", (P,)),
    "appraisals:blocker_remind": ("blocker", "absent", (P,)),
    "appraisals:upload": ("upload", "absent", (G,)),
    "appraisals:upload_apply": ("upload", "absent", (P,)),
    "appraisals:line_actual": ("line", "actual", (P,)),
    "appraisals:line_return": ("line", "actual", (P,)),
    "appraisals:detail": ("appraisal", "record", (G,)),
    "appraisals:verify": ("appraisal", "verify", (P,)),
    "appraisals:self_assess": ("appraisal", "record", (P,)),
    "appraisals:manager_score": ("appraisal", "record", (P,)),
    "appraisals:publish": ("appraisal", "record", (P,)),
    "api-appraisals-cycle": ("cycle", "everyone", ()),
    "api-appraisals-cycle-open": ("cycle", "hr", ()),
    "api-appraisals-cycle-blockers": ("cycle", "hr", ()),
    "api-appraisals-cycle-blockers-recheck": ("cycle", "hr", ()),
    "api-appraisals-cycle-verify": ("cycle", "hr", ()),
    "api-appraisals-cycle-publish": ("cycle", "hr", ()),
    "api-appraisals-cycle-quotas": ("cycle", "calibration", ()),
    "api-appraisals-cycle-quota-override": ("cycle", "calibration", ()),
    "api-appraisals-calibration": ("cycle", "calibration", ()),
    "api-appraisals-actuals-upload": ("cycle", "everyone", ()),  # a data owner uploads; rows are checked
    "api-appraisals-actuals-upload-apply": ("upload", "absent", ()),
    "api-appraisals-blocker-remind": ("blocker", "absent", ()),
    "api-appraisal": ("appraisal", "record", ()),
    "api-appraisal-verify": ("appraisal", "verify", ()),
    "api-appraisal-self-assessment": ("appraisal", "record", ()),
    "api-appraisal-manager-scoring": ("appraisal", "record", ()),
    "api-appraisal-publish": ("appraisal", "record", ()),
    "api-appraisal-calibrate-grade": ("appraisal", "calibration", ()),
    "api-appraisals-line": ("line", "actual", ()),
    "api-appraisals-line-actual": ("line", "actual", ()),
    "api-appraisals-line-return": ("line", "actual", ()),
    "api-appraisals-line-score": ("line", "record", ()),
    # interviews (confidential: the employee, the manager of record, HR)
    "interviews:cycle_policy": ("cycle", "hr", (G, P)),
    "interviews:action_progress": ("action", "interview", (P,)),
    "interviews:action_confirm": ("action", "interview", (P,)),
    "interviews:goal_talk_record": ("employee", "record", (P,)),  # neither is a new hire: refused, not hidden
    "interviews:goal_talk_acknowledge": ("talk", "absent", (P,)),
    "interviews:detail": ("interview", "interview", (G,)),
    "interviews:schedule": ("interview", "interview_manager", (G, P)),
    "interviews:ics": ("interview", "interview", (G,)),
    "interviews:manager_prep": ("interview", "interview_manager", (G, P)),
    "interviews:employee_prep": ("interview", "interview", (G, P)),
    "interviews:employee_prep_share": ("interview", "interview", (P,)),
    "interviews:record": ("interview", "interview", (G, P)),
    "interviews:record_submit": ("interview", "interview", (P,)),
    "interviews:record_sign": ("interview", "interview", (P,)),
    "interviews:addendum": ("interview", "interview", (P,)),
    "interviews:pdf": ("interview", "interview", (G,)),
    "interviews:reassign": ("interview", "interview", (P,)),
    "interviews:revision_decide": ("revision", "interview", (P,)),
    "api-interview": ("interview", "interview", ()),
    "api-interview-schedule": ("interview", "interview", ()),
    "api-interview-ics": ("interview", "interview", ()),
    "api-interview-manager-prep": ("interview", "interview", ()),
    "api-interview-employee-prep": ("interview", "interview", ()),
    "api-interview-employee-prep-share": ("interview", "interview", ()),
    "api-interview-record": ("interview", "interview", ()),
    "api-interview-submit": ("interview", "interview", ()),
    "api-interview-sign": ("interview", "interview", ()),
    "api-interview-addenda": ("interview", "interview", ()),
    "api-interview-reassign": ("interview", "interview", ()),
    "api-interview-action-progress": ("action", "interview", ()),
    "api-interview-action-confirm": ("action", "interview", ()),
    "api-interview-revision-decide": ("revision", "interview", ()),
    "api-interviews-cycle-policy": ("cycle", "hr", ()),
    "api-interviews-goal-talk-acknowledge": ("talk", "absent", ()),
    # appeals, pay, results (confidential): objects this world does not build yet are "absent"
    # (any id: a refusal, never a success or a 5xx); what it has is checked against the policy
    "api-appeal": ("nothing", "absent", ()),
    "api-appeal-answer": ("nothing", "absent", ()),
    "api-appeal-concern": ("nothing", "absent", ()),
    "api-appeal-concern-dismiss": ("nothing", "absent", ()),
    "api-appeal-concern-review": ("nothing", "absent", ()),
    "api-appeal-decide": ("nothing", "absent", ()),
    "api-appeal-evidence": ("nothing", "absent", ()),
    "api-appeal-hearing": ("nothing", "absent", ()),
    "api-appeal-requests": ("nothing", "absent", ()),
    "api-appeal-triage": ("nothing", "absent", ()),
    "api-appeal-withdraw": ("nothing", "absent", ()),
    "api-pay-proposal": ("nothing", "absent", ()),
    "api-pay-proposal-approve": ("nothing", "absent", ()),
    "api-pay-proposal-reject": ("nothing", "absent", ()),
    "api-pay-proposal-review": ("nothing", "absent", ()),
    "api-pay-run": ("nothing", "absent", ()),
    "api-pay-run-approve": ("nothing", "absent", ()),
    "api-pay-run-export": ("nothing", "absent", ()),
    "api-pay-run-lines": ("nothing", "absent", ()),
    "api-pay-run-release": ("nothing", "absent", ()),
    "api-pay-run-return": ("nothing", "absent", ()),
    "api-pay-run-submit": ("nothing", "absent", ()),
    "api-pay-team-rule": ("nothing", "absent", ()),
    "api-results-action": ("nothing", "absent", ()),
    "api-results-action-move": ("nothing", "absent", ()),
    "api-results-category": ("nothing", "absent", ()),
    "api-results-competencies": ("nothing", "absent", ()),
    "api-results-competency": ("nothing", "absent", ()),
    "api-results-grid": ("nothing", "absent", ()),
    "api-results-model": ("nothing", "absent", ()),
    "api-results-override": ("nothing", "absent", ()),
    "api-results-placement": ("nothing", "absent", ()),
    "api-results-placements": ("nothing", "absent", ()),
    "api-results-ratings": ("nothing", "absent", ()),
    "api-results-ratings-adjust": ("nothing", "absent", ()),
    "api-results-review": ("nothing", "absent", ()),
    "appeals:answer": ("nothing", "absent", (P,)),
    "appeals:attachment": ("nothing", "absent", (G,)),
    "appeals:concern": ("nothing", "absent", (G,)),
    "appeals:decide": ("nothing", "absent", (P,)),
    "appeals:detail": ("nothing", "absent", (G,)),
    "appeals:evidence": ("nothing", "absent", (P,)),
    "appeals:hearing": ("nothing", "absent", (P,)),
    "appeals:letter": ("nothing", "absent", (G,)),
    "appeals:request_info": ("nothing", "absent", (P,)),
    "appeals:triage": ("nothing", "absent", (P,)),
    "appeals:withdraw": ("nothing", "absent", (P,)),
    "pay:proposal_decide": ("nothing", "absent", (P,)),
    "pay:run": ("nothing", "absent", (G,)),
    "pay:run_approve": ("nothing", "absent", (P,)),
    "pay:run_export": ("nothing", "absent", (G,)),
    "pay:run_release": ("nothing", "absent", (P,)),
    "pay:run_return": ("nothing", "absent", (P,)),
    "pay:run_submit": ("nothing", "absent", (P,)),
    "pay:team": ("nothing", "absent", (G,)),
    "pay:team_rule": ("nothing", "absent", (P,)),
    "results:action_add": ("nothing", "absent", (P,)),
    "results:action_step": ("nothing", "absent", (P,)),
    "results:export": ("nothing", "absent", (G,)),
    "results:grid": ("nothing", "absent", (G,)),
    "results:override": ("nothing", "absent", (P,)),
    "results:pdf": ("nothing", "absent", (G,)),
    "results:placement": ("nothing", "absent", (G,)),
    "results:rate": ("nothing", "absent", (P,)),
    "results:settings": ("nothing", "absent", (P,)),
    "appeals:new": ("appraisal", "appeal_file", (G, P)),
    "appeals:cycle_policy": ("cycle", "hr", (G, P)),
    "api-appeals-cycle-policy": ("cycle", "hr", ()),
    "pay:cycle_settings": ("cycle", "pay_cycle", (G, P)),
    "api-pay-cycle": ("cycle", "pay_cycle", ()),
    "api-pay-budgets": ("cycle", "pay_cycle", ()),
    "api-pay-coefficients": ("cycle", "pay_cycle", ()),
    "api-pay-merit-matrix": ("cycle", "pay_cycle", ()),
    "pay:data_edit": ("employee", "pay", (G, P)),
    "api-pay-profile": ("employee", "pay", ()),
    # notifications: a calendar feed by its secret token (a wrong one answers 404 to all); HR's chat pages
    "notifications:calendar_feed": ("nothing", "absent", (G,)),
    "notifications:chat_retry": ("nothing", "absent", (P,)),
    "notifications:robot_switch": ("nothing", "absent", (P,)),
    # printed forms and exports (the appraisal form: the record policy; a cycle's results export: HR)
    "appraisals:form_pdf": ("appraisal", "record", (G,)),
    "api-appraisal-pdf": ("appraisal", "record", ()),
    "plans:plan_pdf": ("plan", "record", (G,)),
    "appraisals:results_export": ("cycle", "hr", (G,)),
    "api-appraisals-cycle-results-export": ("cycle", "hr", ()),
    "appraisals:cycle_print": ("cycle", "everyone", (P,)),  # a batch holds only the forms the asker may read
    "api-appraisals-cycle-print": ("cycle", "everyone", ()),
    "core:document": ("nothing", "absent", (G,)),
    "core:document_download": ("nothing", "absent", (G,)),
    "core:document_progress": ("nothing", "absent", (G,)),
    "api-document": ("nothing", "absent", ()),
    "api-document-download": ("nothing", "absent", ()),
    "policy:section_edit": ("nothing", "absent", (G, P)),
    "policy:version_pdf": ("nothing", "absent", (G,)),
    # the strategy side of plans through the API (read by everyone, made by HR and executives), goal approval
    "api-plans-strategy": ("strategy", "everyone", ()),
    "api-plans-strategy-archive": ("strategy", "everyone", ()),
    "api-plans-themes": ("strategy", "everyone", ()),
    "api-plans-theme": ("theme", "everyone", ()),
    "api-plans-theme-archive": ("theme", "everyone", ()),
    "api-plans-annual-plan": ("annual", "everyone", ()),
    "api-plans-annual-plan-archive": ("annual", "everyone", ()),
    "plans:archive": ("nothing", "absent", (P,)),
    "api-plans-goal-approve": ("goal", "record", ()),
    "api-plans-goal-change-request": ("goal", "record", ()),
    "plans:goal_approve": ("goal", "record", (P,)),
    "plans:goal_change_request": ("goal", "record", (P,)),
    # feedback requests (none in this world); asking for feedback about someone: their direct manager, HR
    "api-feedback-answer": ("nothing", "absent", ()),
    "api-feedback-request": ("nothing", "absent", ()),
    "feedback:answer": ("nothing", "absent", (G,)),
    "feedback:detail": ("nothing", "absent", (G,)),
    "feedback:external": ("nothing", "absent", (G,)),
    "feedback:new_for": ("employee", "feedback_ask", (G,)),
    # dashboards (aggregates)
    "dashboards:department": ("department", "department_aggregate", (G,)),
    "dashboards:team": ("team", "team_aggregate", (G,)),
    "dashboards:rollup": ("cycle", "everyone", (P,)),  # the cycle is everyone's to know; the command is HR's
    "api-dashboards-department": ("department", "department_aggregate", ()),
    "api-dashboards-team": ("team", "team_aggregate", ()),
    "api-dashboards-rollup": ("cycle", "everyone", ()),
}

# Statuses other than 200 (readers) / 404 (everyone else) that the written policy gives, by
# (URL name, method, role; "owner" for the subject's owner): one may read but not change answers 403.
EXCEPTIONS: dict[tuple[str, str, str], int] = {
    # the manager's private preparation in the API: the employee and HR read the interview, not the notes
    ("api-interview-manager-prep", "get", "owner"): 403,
    ("api-interview-manager-prep", "get", "hr"): 403,
    # an individual goal of someone reviewed monthly: the owner reports progress but does not edit it
    ("plans:goal_edit", "get", "owner"): 403,
}
# Pages that send a reader who may not act back with a message (302), by URL name -> who may act.
ACTORS_ONLY = {
    "coaching:correct": {"lead"},  # the author corrects a record within the window
}
# Writes only some readers may make: the others who may read get 403 (API) or a redirect (page).
WRITERS = {
    "api-dashboards-rollup": {"hr"},
    "dashboards:rollup": {"hr"},
}

# The admin is for staff users only (none of the nine is staff): every admin URL sends them to log in.
ADMIN = re.compile(r"^admin:")

# --- walking the URL configuration and the schema ------------------------------------------------------


def id_patterns() -> dict[str, str]:
    """URL name -> route of every pattern that takes an id (a path converter)."""
    out: dict[str, str] = {}

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" in route or "(?P<" in route:
                    out[f"{ns}:{p.name}" if ns else (p.name or route)] = route
    walk(get_resolver().url_patterns)
    return out


def schema_operations() -> dict[str, set[str]]:
    """URL name -> the methods the OpenAPI schema documents, for every schema path with a parameter."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ops: dict[str, set[str]] = {}
    for path, item in schema["paths"].items():
        if "{" not in path:
            continue
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        methods = {m for m in item if m in ("get", "post", "put", "patch", "delete")}
        ops.setdefault(match.url_name, set()).update(methods)
    return ops


# --- the world ---------------------------------------------------------------------------------------


def build_world(org):
    from apps.coaching import services as coaching
    from apps.coaching.models import Channel, Kind
    from apps.contracts.models import Contract, ContractTemplate, Indicator
    from apps.interviews import services as interviews
    from apps.interviews.models import Action, Interview, Revision
    from apps.org import services as org_services
    from apps.plans import services as plans

    hr = org.user("hr")
    # the extra people: an executive outside the chain (finance director) and an unrelated employee
    director_pos = org_services.position_create(actor=org.actor, code="FIN-D", name_zh="财务总监",
                                                department=org.finance, job_level=org.level_m)
    exec_out = org_services.employee_create(
        actor=org.actor, employee_no="FD1", name_zh="财务总监", department=org.finance, position=director_pos,
        supervisor=org.gm, hire_date=dt.date(2024, 1, 1), username="exec_out", password="pw-Test-1234",
        roles=[EXECUTIVE_GROUP])
    outsider = org_services.employee_create(
        actor=org.actor, employee_no="H2", name_zh="人事专员", department=org.hr_dept, position=org.pos_hr,
        supervisor=org.hr, hire_date=dt.date(2024, 1, 1), username="outsider", password="pw-Test-1234")
    users = {r: org.user(r) for r in ROLES if r not in ("exec_out", "outsider")}
    users["exec_out"], users["outsider"] = exec_out.user, outsider.user

    # appraisals: both signed, the cycle open; S published (so her interview is due), T collecting
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    a_s = publish(org, appraisal_of(org.staff, cycle))
    a_t = appraisal_of(org.peer, cycle)
    # the interview of S: scheduled, prepared, recorded, signed; an action and a revision
    lead, staff = org.user("lead"), org.user("staff")
    i = Interview.objects.get(employee=org.staff)
    i = interviews.interview_schedule(actor=lead, interview=i, scheduled_at=future(1), location="会议室",
                                      expected_version=i.version)
    interviews.manager_prep_save(actor=lead, interview=i, checklist=["trust"], private_notes="私人笔记")
    prep = interviews.employee_prep_save(actor=staff, interview=i, strengths="客户关系好")
    interviews.employee_prep_share(actor=staff, interview=i, expected_version=prep.version)
    actions, revisions = record_rows(org)
    i.refresh_from_db()
    i = interviews.record_save(actor=lead, interview=i, expected_version=i.version, **held_record(),
                               actions=actions, revisions=revisions)
    i = interviews.record_submit(actor=lead, interview=i, expected_version=i.version)
    i = interviews.record_sign(actor=staff, interview=i, disagreement=False, note="", expected_version=i.version)
    # coaching: a record about each, and a progress report filed by each
    rec = {}
    rep = {}
    for key, emp, login in (("S", org.staff, "staff"), ("T", org.peer, "peer")):
        rec[key] = coaching.record_create(actor=lead, employee=emp, kind=Kind.PROGRESS, channel=Channel.ONE_TO_ONE,
                                          summary="月中回顾", facts="销售额完成 46%。")
        line = Contract.objects.get(employee=emp, is_latest=True).lines.order_by("pk").first()
        rep[key] = coaching.progress_report_file(actor=org.user(login), kind=Kind.PROGRESS, summary="进度汇报",
                                                 facts="本周拜访三家客户。", contract_line=line)
    # plans: the cascade down to each one's own goal, and a monthly plan with one item each
    today = timezone.localdate()
    year, q = today.year, (today.month - 1) // 3 + 1
    strategy = plans.strategy_create(actor=hr, code="S1", name_zh="战略", start_year=year - 1, end_year=year + 2)
    theme = plans.theme_create(actor=hr, strategy=strategy, name_zh="增长", perspective="financial")
    annual = plans.annual_plan_create(actor=hr, year=year, strategy=strategy, name_zh="年度计划")
    company = plans.goal_create(actor=hr, annual_plan=annual, name_zh="公司收入", owner_kind="department",
                                department=org.company, period_kind="year", theme=theme, target=1000)
    goal, plan, item = {}, {}, {}
    for key, emp, login in (("S", org.staff, "staff"), ("T", org.peer, "peer")):
        goal[key] = plans.goal_create(actor=hr, parent=company, name_zh=f"{emp.name_zh}销售", owner_kind="employee",
                                      employee=emp, period_kind="quarter", period_index=q, target=100, weight=50)
        p = plans.plan_create(actor=org.user(login), employee=emp, year=year, month=today.month)
        p = plans.plan_items_save(actor=org.user(login), plan=p, items=[
            {"task": "拜访客户", "expected_result": "三家", "weight": Decimal(100), "due_date": today}])
        plan[key], item[key] = p, p.items.first()
    contracts = {k: Contract.objects.get(employee=e, period=cycle.period, is_latest=True)
                 for k, e in (("S", org.staff), ("T", org.peer))}
    lines = {k: a.lines.get(indicator__code="SALES-MONTH") for k, a in (("S", a_s), ("T", a_t))}
    world = {
        "employee": {"S": org.staff.pk, "T": org.peer.pk},
        "goal": {k: g.pk for k, g in goal.items()},
        "plan": {k: p.pk for k, p in plan.items()},
        "item": {k: it.pk for k, it in item.items()},
        "contract": {k: c.pk for k, c in contracts.items()},
        "record": {k: r.pk for k, r in rec.items()},
        "report": {k: r.pk for k, r in rep.items()},
        "appraisal": {"S": a_s.pk, "T": a_t.pk},
        "line": {k: ln.pk for k, ln in lines.items()},
        "interview": {"S": i.pk},
        "action": {"S": Action.objects.filter(interview=i).order_by("pk").first().pk},
        "revision": {"S": Revision.objects.filter(interview=i).order_by("pk").first().pk},
        # shared objects (no owner)
        "strategy": {"-": strategy.pk}, "theme": {"-": theme.pk}, "annual": {"-": annual.pk},
        "indicator": {"-": Indicator.objects.order_by("pk").first().pk},
        "template": {"-": ContractTemplate.objects.order_by("pk").first().pk},
        "cycle": {"-": cycle.pk}, "department": {"-": org.sales_east.pk}, "team": {"-": org.lead.pk},
        # objects this world does not have: any id answers 404 to everyone
        "change": {"-": 999999}, "attachment": {"-": 999999}, "blocker": {"-": 999999},
        "upload": {"-": 999999}, "talk": {"-": 999999}, "nothing": {"-": 999999},
    }
    return world, users


def url_for(route: str, pk: int) -> str:
    """The route with every converter filled: ids with ``pk``, the action words with a harmless one, csv."""
    url = re.sub(r"<str:action>", "nothing-here", route).replace("<str:fmt>", "csv")
    url = re.sub(r"<(?:int|path|str|slug|uuid):\w+>", str(pk), url)
    return "/" + url.replace("^", "").replace("$", "")


def test_role_by_object_access_matrix(org, monkeypatch):
    # the PDFs are checked for who gets them, not laid out (WeasyPrint's layout is the slow part)
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, *a, **kw: b"%PDF-1.7 matrix")
    patterns = id_patterns()
    app_patterns = {n: r for n, r in patterns.items() if not ADMIN.match(n)}
    admin_patterns = {n: r for n, r in patterns.items() if ADMIN.match(n) and ("object_id>" in r or "<id>" in r)}
    api_ops = schema_operations()

    # 1. the table covers every pattern and every operation of the schema, and nothing that is gone
    missing = sorted(set(app_patterns) - set(POLICY))
    gone = sorted(set(POLICY) - set(app_patterns))
    undocumented = sorted(n for n in api_ops if n not in POLICY)
    assert not missing, f"URL patterns with an id but no row in the policy table: {missing}"
    assert not gone, f"rows of the policy table whose URL no longer exists: {gone}"
    assert not undocumented, f"API operations with an id but no row in the policy table: {undocumented}"

    world, users = build_world(org)
    t0, cpu0 = time.monotonic(), time.process_time()
    problems: list[str] = []
    slow: dict[str, float] = {}
    cells = requests = 0
    objects_seen: set[tuple[str, str]] = set()
    for role in ROLES:
        user = users[role]
        page, api = Client(), APIClient()
        page.force_login(user)
        api.force_authenticate(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        for name, (obj, kind, html_methods) in POLICY.items():
            is_api = name.startswith("api-")
            methods = sorted(api_ops.get(name, set())) if is_api else list(html_methods)
            if is_api and not methods:
                problems.append(f"{name}: no operation in the OpenAPI schema")
                continue
            for subject, pk in world[obj].items():
                objects_seen.add((obj, subject))
                allowed = readers("absent" if kind.startswith("absent") else kind, subject)
                url = url_for(app_patterns[name], pk)
                for method in methods:
                    if subject == "T" and method != "get":
                        continue  # the colleague's objects are read by all; writes are tried on S's (time)
                    cells += 1
                    expected_read = EXCEPTIONS.get(
                        (name, method, "owner" if role == OWNER.get(subject) else role), 200 if role in allowed else 404)
                    if name in ACTORS_ONLY and role in allowed and role not in ACTORS_ONLY[name]:
                        expected_read = 302
                    started = time.monotonic()
                    with transaction.atomic():
                        client = api if is_api else page
                        if method == "get":
                            resp = client.get(url)
                        elif is_api:
                            resp = getattr(client, method)(url, {}, format="json")
                        else:
                            resp = client.post(url, {})
                        requests += 1
                        transaction.set_rollback(True)
                    slow[name] = slow.get(name, 0) + time.monotonic() - started
                    code = resp.status_code
                    where = f"{role} · {method.upper()} {name} [{subject}] {url}"
                    if code >= 500:
                        problems.append(f"{where}: {code}")
                    elif kind == "absent":  # nothing to leak: any refusal will do, never a success
                        if code not in (400, 403, 404, 405):
                            problems.append(f"{where}: {code}, expected a refusal (there is no such object)")
                    elif method == "get":
                        if code != expected_read:
                            problems.append(f"{where}: {code}, expected {expected_read}")
                    elif role not in allowed and code != 404:
                        problems.append(f"{where}: {code}, expected 404 (may not read it)")
                    elif name in WRITERS and role not in WRITERS[name] and code not in (403, 302):
                        problems.append(f"{where}: {code}, expected a refusal (403)")
        # the admin: staff users only; everyone here is sent to the log-in page (one check per pattern:
        # the admin asks only is_staff, the same for every role)
        for name, route in (admin_patterns.items() if role == "hr" else ()):
            cells += 1
            resp = page.get(url_for(route, 1))
            requests += 1
            if resp.status_code != 302 or "/login/" not in resp.get("Location", ""):
                problems.append(f"{role} · GET {name}: {resp.status_code}, expected the log-in redirect")
    elapsed, cpu = time.monotonic() - t0, time.process_time() - cpu0
    print(f"\naccess matrix: {len(app_patterns)} patterns with an id (+{len(admin_patterns)} admin), "
          f"{len(api_ops)} API paths in the schema, {len(ROLES)} roles, {len(objects_seen)} objects: "
          f"{cells} cells, {requests} requests in {elapsed:.1f} s ({cpu:.1f} s CPU in the test process); "
          f"{len(problems)} problems")
    print("slowest:", ", ".join(f"{n} {t:.1f} s" for n, t in sorted(slow.items(), key=lambda kv: -kv[1])[:5]))
    assert not problems, "\n".join(problems[:200]) + f"\n({len(problems)} problems)"
