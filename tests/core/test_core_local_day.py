"""The day is the day in the configured time zone (Asia/Shanghai) everywhere, not the host's: at 23:30
UTC on 30 November it is already 1 December in Shanghai. (ruff's DTZ011 keeps ``date.today()`` out of
the code; these show what a user would notice.)"""
import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from apps.core.periods import MONTHLY, QUARTERLY, current_period

pytestmark = pytest.mark.django_db

INSTANT = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 07:30 on 1 December 2026 in Shanghai


@pytest.fixture
def utc_host(monkeypatch):
    """The host's clock stands at INSTANT and its own zone is UTC; the product's zone stays Shanghai."""
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


def test_at_2330_utc_the_current_month_and_quarter_are_shanghais(utc_host):
    assert timezone.localdate() == dt.date(2026, 12, 1)
    assert current_period(MONTHLY).code == "2026-12"
    assert current_period(QUARTERLY).code == "2026-Q4"


def test_at_2330_utc_a_coaching_record_is_dated_shanghais_day(org, utc_host):
    from apps.coaching import services
    from apps.coaching.models import Channel, Kind

    record = services.record_create(actor=org.user("lead"), employee=org.staff, kind=Kind.PROGRESS,
                                    channel=Channel.ONE_TO_ONE, summary="月初沟通", facts="十二月目标确认。")
    assert record.occurred_on == dt.date(2026, 12, 1)
    assert record.period == "2026-12"
