"""Demo data of the interviews app (a hook of ``apps.org.demo.DEMO_HOOKS``, run after the appraisals'
hook). Idempotent.

Every published demo appraisal gets its interview (publication makes it due; appraisals published before
this app existed get theirs here). Then the interviews still "to schedule" are walked round-robin to show
each stage: scheduled with both preparations written (the employee's shared), signed with two actions and a
revision for the next contract, recorded and awaiting the signature, scheduled, left to schedule. Only
interviews that are still untouched move, so running the hook again changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.appraisals.models import Appraisal
from apps.appraisals.models import Status as AppraisalStatus

from . import services
from .models import Interview, Status

STAGES = ["prepared", "signed", "submitted", "scheduled", "due"]


def _user(emp):
    user = emp.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def _walk(i: Interview, stage: str) -> None:
    manager, employee = i.manager, i.employee
    if not (manager.user_id and employee.user_id) or stage == "due":
        return
    lead, staff = _user(manager), _user(employee)
    when = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    i = services.interview_schedule(actor=lead, interview=i, scheduled_at=when, location="3楼小会议室")
    if stage == "scheduled":
        return
    services.manager_prep_save(actor=lead, interview=i, checklist=["trust", "purpose", "facts", "future"],
                               private_notes="先肯定利润指标的完成，再谈大客户开发；准备两个具体案例。")
    line = i.appraisal.lines.order_by("section", "order", "pk").first()
    prep = services.employee_prep_save(
        actor=staff, interview=i, strengths="客户关系稳定，回款及时。", gaps="新客户开发不够主动。",
        development_plan="参加商务谈判培训，学习大客户管理。", improvement_plan="每周拜访两家潜在大客户。",
        manager_feedback="希望经理能更早给出反馈。",
        line_views=[{"line": line.pk, "view": "agree", "because": "数据准确"}] if line else [],
        next_plan_proposals=[{"indicator": "大客户新增数", "target": "3 家/季度", "note": "与开发计划对应"}])
    services.employee_prep_share(actor=staff, interview=i, expected_version=prep.version)
    if stage == "prepared":
        return
    day = timezone.localdate()
    i.refresh_from_db()
    i = services.record_save(
        actor=lead, interview=i, expected_version=i.version, held_at=timezone.now() - dt.timedelta(hours=1),
        agreement="partly", agreement_comment="认可利润指标结果，对销售额的统计口径有保留。",
        progress_strengths="客户回访及时，利润指标超额完成。", gaps="大客户开发不足。", gap_causes=["ability", "resources"],
        upward_feedback="经理应更早给出反馈，并提供大客户资源支持。", training_needs="商务谈判技巧",
        career_wishes="两年内负责华东区大客户。",
        actions=[{"kind": "improvement", "what": "每周拜访两家潜在大客户", "success_measure": "本季度新增大客户 3 家",
                  "owner": "employee", "support_needed": "经理陪同首次拜访", "due_date": day + dt.timedelta(days=45)},
                 {"kind": "development", "what": "参加商务谈判培训", "success_measure": "完成课程并分享",
                  "owner": "manager", "due_date": day + dt.timedelta(days=30)}],
        revisions=[{"title": "大客户新增数", "target": "3", "unit": "家", "weight": "10", "note": "面谈约定的改进方向"}])
    i = services.record_submit(actor=lead, interview=i, expected_version=i.version)
    if stage == "submitted":
        return
    services.record_sign(actor=staff, interview=i, expected_version=i.version)


def seed_demo_interviews(actor) -> dict:
    made = 0
    for a in (Appraisal.objects.filter(status=AppraisalStatus.PUBLISHED)
              .exclude(pk__in=Interview.objects.values("appraisal_id"))
              .select_related("employee", "employee__supervisor", "appraiser", "appraiser__supervisor", "cycle")):
        made += services.interview_make_due(appraisal=a, actor=None) is not None
    moved = 0
    rows = list(Interview.objects.select_related("employee__user", "manager__user", "appraisal")
                .order_by("employee__employee_no"))
    for n, i in enumerate(rows):
        stage = STAGES[n % len(STAGES)]
        if i.status == Status.DUE and stage != "due":
            _walk(i, stage)
            moved += 1
    return {"interviews": Interview.objects.count(), "made_due": made, "moved": moved}
