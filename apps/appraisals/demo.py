"""Demo data of the appraisals app (a hook of ``apps.org.demo.DEMO_HOOKS``). Idempotent.

Opens the monthly cycle of the current month (or the previous one) when signed contracts exist for
it, then walks a few appraisals through the stages: the demo employee (孙娜, login "employee") gets
the sales actual entered by 财务部 and waits for the rest, so a visitor can walk her appraisal
through every stage; other appraisals are moved round-robin to verified, self-assessed, scored and
published. Only untouched appraisals are moved, so running the hook again changes nothing.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.contracts.models import Contract
from apps.contracts.models import Status as ContractStatus
from apps.core.periods import current_period
from apps.core.roles import HR_GROUP
from apps.org.models import Employee, ReviewFrequency

from . import services
from .models import (
    DEFAULT_POLICIES,
    DEFAULT_STAGE_DAYS,
    STAGE_ORDER,
    Appraisal,
    Collection,
    Cycle,
    ScoreLine,
    Stage,
)
from .models import Status as AppraisalStatus

DEMO_EMPLOYEE_NO = "E0009"
ACTUAL_SHARE = {"SALES-MONTH": Decimal("0.95"), "PROFIT-MONTH": Decimal("1.02")}
SELF_SCORES = [Decimal(85), Decimal(80), Decimal(90)]
MANAGER_SCORES = [Decimal(80), Decimal(85), Decimal(88)]


def _period_with_contracts() -> str | None:
    cur = current_period(ReviewFrequency.MONTHLY)
    for p in (cur, cur.previous()):
        if Contract.objects.filter(period=p.code, frequency=ReviewFrequency.MONTHLY, status=ContractStatus.AGREED,
                                   is_latest=True).exists():
            return p.code
    return None


def _pristine(a: Appraisal) -> bool:
    return a.status == AppraisalStatus.COLLECTING and not ScoreLine.objects.filter(
        appraisal=a, collection__in=[Collection.ENTERED, Collection.RETURNED, Collection.MISSING]).exists()


def _enter_actuals(a: Appraisal, finance_user, hr_user, *, only: set[str] | None = None) -> None:
    for line in ScoreLine.objects.filter(appraisal=a, collection=Collection.PENDING).select_related("indicator",
                                                                                                "data_source"):
        code = line.indicator.code if line.indicator_id else ""
        if only is not None and code not in only:
            continue
        share = ACTUAL_SHARE.get(code, Decimal("0.98"))
        if line.rule_kind in ("linear", "bands") and line.target:
            value = (line.target * share).quantize(Decimal("0.01"))
        elif line.rule_kind == "deadline" and line.due_date:
            value = line.due_date.isoformat()
        elif line.rule_kind == "milestones" and line.milestones_total:
            value = line.milestones_total
        else:
            continue
        actor = finance_user if line.data_source_id and line.data_source.code == "FIN" and finance_user else hr_user
        services.line_actual_set(actor=actor, line=line, value=value, evidence="财务月报（演示数据）")


def _score(a: Appraisal, role: str, scores: list[Decimal]) -> list[dict]:
    lines = ScoreLine.objects.filter(appraisal=a, rule_kind="direct").order_by("section", "order", "pk")
    return [{"id": ln.pk, "score": scores[i % len(scores)],
             "comment": "团队协作积极，沟通及时。" if role == "self" else "表现稳定，继续保持。"}
            for i, ln in enumerate(lines)]


def _move_to(a: Appraisal, target: str, *, finance_user, hr_user) -> None:
    _enter_actuals(a, finance_user, hr_user)
    a.refresh_from_db()
    if a.lines_pending:
        return
    services.appraisal_verify(actor=hr_user, appraisal=a)
    if target == AppraisalStatus.VERIFIED:
        return
    emp_user = a.employee.user if a.employee.user_id else None
    if emp_user is not None:
        services.appraisal_self_assess(actor=emp_user, appraisal=a, comment="本月按计划完成主要工作，客户回访及时。",
                                       lines=_score(a, "self", SELF_SCORES), submit=True)
    else:
        services.advance_one(appraisal_id=a.pk, stage=Stage.SELF_ASSESSMENT, today=timezone.localdate())
    if target == AppraisalStatus.SELF_ASSESSED:
        return
    a.refresh_from_db()
    appraiser_user = a.appraiser.user if a.appraiser_id and a.appraiser.user_id else None
    if appraiser_user is None:
        return
    services.appraisal_manager_score(actor=appraiser_user, appraisal=a, comment="完成情况良好，利润指标超额完成。",
                                     lines=_score(a, "manager", MANAGER_SCORES), submit=True)
    if target == AppraisalStatus.PUBLISHED:
        services.appraisal_publish(actor=hr_user, appraisal=a)


def seed_demo_appraisals(actor) -> dict:
    period = _period_with_contracts()
    if period is None:
        return {"cycle": None}
    User = get_user_model()
    hr_user = User.objects.filter(groups__name=HR_GROUP, username="hr").first() or actor
    finance = Employee.objects.filter(department__code="FIN", user__isnull=False, is_active=True) \
        .select_related("user").order_by("employee_no").first()
    finance_user = finance.user if finance else None
    cycle = Cycle.objects.filter(period=period, frequency=ReviewFrequency.MONTHLY, scope_key="").first()
    if cycle is None:
        today = timezone.localdate()
        cycle = services.cycle_create(
            actor=hr_user, period=period, frequency=ReviewFrequency.MONTHLY,
            deadlines={s: today + dt.timedelta(days=DEFAULT_STAGE_DAYS[s]) for s in STAGE_ORDER},
            policies=dict(DEFAULT_POLICIES))
    services.cycle_open_and_populate(actor=hr_user, cycle=cycle)
    targets = [AppraisalStatus.VERIFIED, AppraisalStatus.SELF_ASSESSED, AppraisalStatus.SCORED,
               AppraisalStatus.PUBLISHED]
    moved = 0
    others = 0
    for a in (Appraisal.objects.filter(cycle=cycle).select_related("employee__user", "appraiser__user")
              .order_by("employee__employee_no")):
        if not _pristine(a):
            continue
        if a.employee.employee_no == DEMO_EMPLOYEE_NO:
            _enter_actuals(a, finance_user, hr_user, only={"SALES-MONTH"})
        else:
            _move_to(a, targets[others % len(targets)], finance_user=finance_user, hr_user=hr_user)
            others += 1
        moved += 1
    return {"cycle": cycle.pk, "moved": moved}
