"""Shared set-up of the interviews tests: published appraisals made through the real services (contracts
signed, actuals entered, verified, self-assessed, scored, published by HR)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))

from appraisal_helpers import (  # noqa: E402
    PERIOD,
    add_staff,
    appraisal_of,
    direct_entries,
    enter_actuals,
    open_cycle,
    sign,
)
from django.utils import timezone  # noqa: E402

from apps.appraisals import services as appraisal_services  # noqa: E402
from apps.interviews import services  # noqa: E402
from apps.interviews.models import Interview  # noqa: E402

__all__ = ["PERIOD", "add_staff", "appraisal_of", "publish", "published_cycle", "interview_of", "future",
           "held_record", "sign", "open_cycle", "record_rows", "make_signed"]


def publish(org, appraisal):
    """Walk one appraisal from collecting to published through the services."""
    enter_actuals(org, appraisal)
    a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=appraisal)
    emp_user = a.employee.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(emp_user, attr):
            delattr(emp_user, attr)
    a = appraisal_services.appraisal_self_assess(actor=emp_user, appraisal=a, comment="本月完成主要工作",
                                                 lines=direct_entries(a, ["85", "90"]), submit=True)
    a = appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好",
                                                   lines=direct_entries(a, ["80", "90"]), submit=True)
    return appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)


def published_cycle(org, employees, period=PERIOD):
    for emp in employees:
        sign(org, emp, period=period)
    cycle = open_cycle(org, period=period)
    for emp in employees:
        publish(org, appraisal_of(emp, cycle))
    return cycle


def interview_of(employee, cycle=None) -> Interview:
    qs = Interview.objects.filter(employee=employee)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.get()


def future(days=2, hour=10) -> dt.datetime:
    d = timezone.localtime() + dt.timedelta(days=days)
    return d.replace(hour=hour, minute=0, second=0, microsecond=0)


def held_record(**extra) -> dict:
    """A complete record as the manager writes it right after the meeting."""
    return {"held_at": timezone.now() - dt.timedelta(minutes=30), "agreement": "partly",
            "agreement_comment": "利润指标认可，销售额有保留意见", "progress_strengths": "客户回访及时",
            "gaps": "大客户开发不足", "gap_causes": ["ability", "resources"],
            "upward_feedback": "经理应更早给出反馈", "training_needs": "谈判技巧培训", "career_wishes": "希望负责大客户",
            **extra}


def record_rows(org):
    from apps.contracts.models import Indicator

    day = timezone.localdate()
    actions = [{"kind": "improvement", "what": "每周拜访两家大客户", "success_measure": "季度新增大客户3家",
                "owner": "employee", "support_needed": "经理陪访", "due_date": (day + dt.timedelta(days=30)).isoformat()},
               {"kind": "development", "what": "参加谈判技巧培训", "success_measure": "完成课程",
                "owner": "manager", "due_date": (day + dt.timedelta(days=20)).isoformat()}]
    sales = Indicator.objects.get(code="SALES-MONTH")
    revisions = [{"indicator": sales.pk, "target": "1300", "note": "市场扩大，目标上调"},
                 {"title": "大客户新增数", "target": "3", "unit": "家", "weight": "10", "note": "面谈约定"}]
    return actions, revisions


def make_signed(org, interview, *, disagreement=False):
    lead, staff = org.user("lead"), org.user("staff")
    i = services.interview_schedule(actor=lead, interview=interview, scheduled_at=future(1), location="会议室",
                                    expected_version=interview.version)
    actions, revisions = record_rows(org)
    i = services.record_save(actor=lead, interview=i, expected_version=i.version, **held_record(),
                             actions=actions, revisions=revisions)
    i = services.record_submit(actor=lead, interview=i, expected_version=i.version)
    return services.record_sign(actor=staff, interview=i, disagreement=disagreement,
                                note="销售额口径有异议" if disagreement else "", expected_version=i.version)
