"""The day is the day in the configured time zone (Asia/Shanghai), not the host's: at 23:30 UTC on
31 March it is already 1 April in Shanghai, the first day of the second quarter."""
import datetime as dt
import os
import time
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.plans import services

pytestmark = pytest.mark.django_db

INSTANT = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)  # 07:30 on 1 April 2026 in Shanghai


@pytest.fixture
def utc_host(monkeypatch):
    """The host's clock stands at INSTANT and the host's own zone is UTC (a server whose system zone is
    UTC); the product's zone stays settings.TIME_ZONE."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    monkeypatch.setattr(time, "time", INSTANT.timestamp)
    monkeypatch.setattr(timezone, "now", lambda: INSTANT)
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def second_quarter_goal(org, utc_host):
    hr = org.user("hr")
    strategy = services.strategy_create(actor=hr, code="S26", name_zh="战略", start_year=2026, end_year=2026)
    annual = services.annual_plan_create(actor=hr, year=2026, strategy=strategy, name_zh="2026年度经营计划")
    company = services.goal_create(actor=hr, annual_plan=annual, name_zh="全年收入", owner_kind="department",
                                   department=org.company, period_kind="year")
    goal = services.goal_create(actor=hr, parent=company, name_zh="二季度收入", owner_kind="department",
                                department=org.sales, period_kind="quarter", period_index=2)
    return services.goal_progress_update(actor=hr, goal=goal, progress=Decimal("5"))


def test_at_2330_utc_a_goal_of_the_second_quarter_is_already_running(org, second_quarter_goal, api_for,
                                                                      client_for):
    assert timezone.localdate() == dt.date(2026, 4, 1)
    # 1 April is day 1 of the quarter's 91: 1.10% is on plan by today, so 5% shows green, not "not started"
    rows = api_for(org.user("hr")).get(reverse("api-plans-goals"), {"year": 2026}).json()["results"]
    row = next(r for r in rows if r["id"] == second_quarter_goal.pk)
    assert row["attainment"] == "ok"
    page = client_for(org.user("hr")).get(reverse("plans:goal_detail", args=[second_quarter_goal.pk]))
    assert page.status_code == 200
    assert page.context["goal"].expected_progress() == Decimal("1.10")


def test_at_2330_utc_the_month_of_a_link_without_one_is_april(utc_host):
    from apps.plans import periods

    assert periods.parse_month("") == (2026, 4)
    assert periods.parse_month("not a month") == (2026, 4)
