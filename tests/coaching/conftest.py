"""Fixtures of the coaching tests: a contract with two lines for org.staff, records made through
the real services, and a clock that can be moved forward."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture
def contract(org):
    from apps.contracts import services as contract_services

    lead = org.user("lead")
    c = contract_services.contract_draft(actor=lead, employee=org.staff, use_template=False)
    c = contract_services.contract_update(actor=lead, contract=c, results_weight=Decimal(100),
                                          behaviour_weight=Decimal(0), plan_weight=Decimal(0))
    sales = contract_services.contract_line_add(actor=lead, contract=c, title="月度销售额目标完成率",
                                                weight=Decimal(60), standard="月销售额 120 万元", target=Decimal(120))
    c.refresh_from_db()
    profit = contract_services.contract_line_add(actor=lead, contract=c, title="月度利润目标完成率",
                                                 weight=Decimal(40), standard="月利润额 30 万元", target=Decimal(30))
    c.refresh_from_db()
    c.sales_line, c.profit_line = sales, profit
    return c


@pytest.fixture
def make_record(org):
    from apps.coaching import services
    from apps.coaching.models import Channel, Kind

    def make(actor=None, employee=None, **kwargs):
        data = {"kind": Kind.PROGRESS, "channel": Channel.ONE_TO_ONE, "summary": "月中进度回顾",
                "facts": "销售额完成 46%，略低于时间进度。"}
        data.update(kwargs)
        return services.record_create(actor=actor or org.user("lead"), employee=employee or org.staff, **data)

    return make


class Clock:
    """Moves ``timezone.now`` forward for the services, the models and the tasks."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.offset = dt.timedelta(0)
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() + self.offset)

    def advance(self, **delta):
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
