"""Demo data of the coaching app (a hook of ``apps.org.demo.DEMO_HOOKS``): a few records about the demo
sales representative (login "employee", 孙娜) written by her direct supervisor (login "assistant"),
one of them serious and unsigned, plus a request for help she filed. Idempotent."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.contracts.models import ContractLine, Section
from apps.org.models import Employee

from . import services
from .models import Channel, CoachingRecord, Kind, Source


def seed_demo_coaching(actor) -> dict:
    people = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=["E0007", "E0009"])
              .select_related("user", "position__job_level")}
    rep, assistant = people.get("E0009"), people.get("E0007")
    if rep is None or assistant is None or not rep.user_id or not assistant.user_id:
        return {"created": 0}
    if CoachingRecord.objects.filter(employee=rep).exists():
        return {"created": 0}
    lines = list(ContractLine.objects.filter(contract__employee=rep, contract__is_latest=True,
                                             section=Section.RESULTS)
                 .select_related("contract", "indicator").order_by("-contract__period", "order", "id")[:2])
    sales_line = lines[0] if lines else None
    profit_line = lines[1] if len(lines) > 1 else sales_line
    today = timezone.localdate()
    manager = assistant.user

    def day(n: int) -> dt.date:
        # stay inside the current month so the records fall in the current monthly period
        return max(today - dt.timedelta(days=n), today.replace(day=1))

    services.record_create(
        actor=manager, employee=rep, kind=Kind.PROGRESS, channel=Channel.ONE_TO_ONE, source=Source.WORK_RECORDS,
        occurred_on=day(9), contract_line=sales_line, summary="月中销售进度回顾",
        facts="截至月中，销售额完成目标的 46%，低于时间进度约 4 个百分点。主要差距在两家老客户的续约延迟。",
        evidence="CRM 销售报表（月中）", follow_up="本周内拜访两家续约客户，确认续约时间。",
        follow_up_due=today + dt.timedelta(days=3))
    services.record_create(
        actor=manager, employee=rep, kind=Kind.PRAISE, channel=Channel.CONVERSATION, source=Source.CUSTOMER,
        occurred_on=day(5), contract_line=sales_line, summary="客户来电表扬：响应及时、方案专业",
        facts="华东某大客户采购经理来电，表扬孙娜在交付问题上的快速响应，并追加了一笔订单。",
        evidence="客户来电记录，追加订单号 SO-2026-0457")
    services.record_create(
        actor=manager, employee=rep, kind=Kind.CRITICISM, channel=Channel.ONE_TO_ONE, source=Source.MANAGER,
        occurred_on=day(2), contract_line=profit_line, serious=True, summary="未经审批给予客户超额折扣",
        facts="在与某经销商的合同中给予了 18% 的折扣，超出 10% 的权限且未按流程申请审批，影响当月利润。",
        evidence="合同副本及折扣审批记录（无审批）",
        follow_up="今后超出权限的折扣一律先提交审批；本月内完成一次价格政策培训。",
        follow_up_due=today + dt.timedelta(days=10))
    if sales_line is not None:
        services.progress_report_file(
            actor=rep.user, kind=Kind.HELP_REQUESTED, contract_line=sales_line, occurred_on=day(1),
            summary="申请支持：大客户报价审批加急",
            facts="两家续约客户要求本周内给出新报价，希望主管协助加急价格审批。")
    return {"created": CoachingRecord.objects.filter(employee=rep).count()}
