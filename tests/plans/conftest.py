"""Helpers of the plans tests: plans and goals made through the real services."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from plans_support import month_days


@pytest.fixture
def this_month():
    today = timezone.localdate()
    return today.year, today.month


@pytest.fixture
def make_plan(org, this_month):
    """make_plan(employee_attr="staff", weights=(60, 40), state="draft") -> a plan in that state."""
    from apps.plans import services

    def make(who="staff", weights=(60, 40), state="draft", year=None, month=None):
        year, month = year or this_month[0], month or this_month[1]
        first, last = month_days(year, month)
        emp = getattr(org, who)
        owner = org.user(who)
        plan = services.plan_create(actor=owner, employee=emp, year=year, month=month)
        items = [{"task": f"Task {i + 1}", "expected_result": f"Result {i + 1}", "weight": Decimal(w),
                  "due_date": last if i % 2 else first} for i, w in enumerate(weights)]
        if items:
            plan = services.plan_items_save(actor=owner, plan=plan, items=items)
        if state in ("submitted", "confirmed", "returned"):
            plan = services.plan_submit(actor=owner, plan=plan)
        if state == "confirmed":
            plan = services.plan_confirm(actor=org.user("lead"), plan=plan)
        if state == "returned":
            plan = services.plan_return(actor=org.user("lead"), plan=plan, comment="Be more specific.")
        return plan

    return make


@pytest.fixture
def goals(org, this_month):
    """A strategy, this year's annual plan and a small cascade: company -> sales -> east section ->
    the staff member's own goal, plus a finance goal and the peer's own goal."""
    from apps.plans import services

    hr = org.user("hr")
    year = this_month[0]
    q = (this_month[1] - 1) // 3 + 1
    strategy = services.strategy_create(actor=hr, code="S1", name_zh="战略", name_en="Strategy",
                                        start_year=year - 1, end_year=year + 2)
    theme = services.theme_create(actor=hr, strategy=strategy, name_zh="增长", name_en="Growth",
                                  perspective="financial")
    annual = services.annual_plan_create(actor=hr, year=year, strategy=strategy, name_zh=f"{year}年度经营计划",
                                         name_en=f"Plan {year}")
    company = services.goal_create(actor=hr, annual_plan=annual, name_zh="公司收入", name_en="Company revenue",
                                   owner_kind="department", department=org.company, period_kind="year", theme=theme,
                                   measure="收入", unit="万元", target=1000)
    sales = services.goal_create(actor=hr, parent=company, name_zh="销售部收入", name_en="Sales revenue",
                                 owner_kind="department", department=org.sales, period_kind="year", weight=70)
    finance = services.goal_create(actor=hr, parent=company, name_zh="财务费用", name_en="Finance cost",
                                   owner_kind="department", department=org.finance, period_kind="year", weight=30)
    east = services.goal_create(actor=hr, parent=sales, name_zh="华东季度收入", name_en="East quarterly revenue",
                                owner_kind="department", department=org.sales_east, period_kind="quarter",
                                period_index=q)
    own = services.goal_create(actor=hr, parent=east, name_zh="孙娜个人销售", name_en="Sun Na's sales",
                               owner_kind="employee", employee=org.staff, period_kind="quarter", period_index=q,
                               target=100, weight=50)
    peer = services.goal_create(actor=hr, parent=east, name_zh="李四个人销售", name_en="Li Si's sales",
                                owner_kind="employee", employee=org.peer, period_kind="quarter", period_index=q,
                                weight=50)
    position = services.goal_create(actor=hr, parent=east, name_zh="销售代表回访", name_en="Rep visits",
                                    owner_kind="position", position=org.pos_staff, period_kind="quarter",
                                    period_index=q, weight=0)

    class Goals:
        pass

    g = Goals()
    g.strategy, g.theme, g.annual, g.company, g.sales, g.finance = strategy, theme, annual, company, sales, finance
    g.east, g.own, g.peer, g.position, g.quarter, g.year = east, own, peer, position, q, year
    return g


@pytest.fixture
def pinned_queries(django_assert_num_queries):
    """``with pinned_queries(n):`` exactly n queries (pytest-django's django_assert_num_queries); when
    the pin breaks, the failure lists every statement, numbered, so the new one is easy to find."""
    import contextlib

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextlib.contextmanager
    def pin(n):
        failure = None
        with CaptureQueriesContext(connection) as seen:
            try:
                with django_assert_num_queries(n):
                    yield seen
            except pytest.fail.Exception as exc:
                failure = exc.msg.replace(" (add -v option to show queries)", "")
        if failure:
            sql = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(seen.captured_queries, 1))
            pytest.fail(f"{failure}:\n\n{sql}", pytrace=False)

    return pin
