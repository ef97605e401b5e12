"""The feedback part of the demo organisation (idempotent): the vice president asks about the sales
manager's quarter from the other managers, her supervisors (upward) and a customer; some answered,
the upward answers still below the minimum (so the page shows the anonymity rule)."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.org.models import Employee

from . import services
from .models import FeedbackRequest, SourceKind


def seed_demo_feedback(actor) -> None:
    people = {e.employee_no: e for e in Employee.objects.filter(
        employee_no__in=["E0002", "E0003", "E0004", "E0005", "E0007"]).select_related("user")}
    if len(people) < 5 or not people["E0002"].user_id:
        return
    subject = people["E0003"]
    if FeedbackRequest.objects.filter(subject=subject).exists():
        return
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    req = services.feedback_request_create(
        actor=people["E0002"].user, subject=subject, period=quarter, closes_on=today + dt.timedelta(days=10),
        message="请结合本季度的华东大客户项目，谈谈王芳在协作与带团队方面的具体事例。",
        colleagues=[(SourceKind.MANAGER, people["E0004"]), (SourceKind.MANAGER, people["E0005"]),
                    (SourceKind.SUBORDINATE, people["E0007"])],
        externals=[("上海精机 采购部 刘总", "liu.purchasing@customer.example.com")], send_email=False)
    answers = {
        "E0004": ("10 月回款对账时主动提供了全部合同台账，三天内完成核对。", "10 月第二周", "月末结账提前两天完成"),
        "E0007": ("每周一的例会都会把上周的问题逐条跟进，分工清楚。", "本季度每周", "团队的投标准备不再临时加班"),
    }
    for inv in req.invitations.filter(respondent__employee_no__in=list(answers)).select_related("respondent__user"):
        what, when, effect = answers[inv.respondent.employee_no]
        if inv.respondent.user_id:
            services.feedback_answer(actor=inv.respondent.user, invitation=inv, what_happened=what, when=when,
                                     effect=effect)
