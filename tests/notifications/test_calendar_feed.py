"""The personal calendar feed: a private address per person, a new one revokes the old (404), switched off
is 404, a person who left is 404; items from the registered sources, with absolute links."""
import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from icalendar import Calendar

from apps.notifications import calendar
from apps.notifications.calendar import CalendarItem
from apps.notifications.models import CalendarFeedToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    def dates(user):
        if user.username != "staff":
            return []
        when = timezone.make_aware(dt.datetime(2026, 12, 18, 14, 30))
        return [CalendarItem(uid="interview-7", title="绩效面谈", start=when, url="/interviews/7/"),
                CalendarItem(uid="plan-due-2026-12", title="提交12月工作计划", start=dt.date(2026, 12, 5),
                             url="/plans/")]

    calendar.register_calendar_source(dates)
    yield
    calendar.CALENDAR_SOURCES.remove(dates)


def feed_path(c):
    import re

    page = c.get("/notifications/settings/").content.decode()
    return re.search(r'value="https?://[^"/]+(/notifications/calendar/[^"]+\.ics)"', page).group(1)


@override_settings(SITE_URL="https://perf.example.com")
def test_feed_lifecycle(org, client_for, source):
    c = client_for(org.user("staff"))
    assert ".ics" not in c.get("/notifications/settings/").content.decode()
    c.post("/notifications/calendar/", {"action": "new"})
    first = feed_path(c)
    assert "https://perf.example.com" + first in c.get("/notifications/settings/").content.decode()
    from django.test import Client

    r = Client().get(first)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"绩效面谈", "提交12月工作计划"}
    assert str(events["绩效面谈"]["url"]) == "https://perf.example.com/interviews/7/"
    assert events["提交12月工作计划"].decoded("dtstart") == dt.date(2026, 12, 5)
    c.post("/notifications/calendar/", {"action": "new"})
    second = feed_path(c)
    assert second != first and Client().get(first).status_code == 404 and Client().get(second).status_code == 200
    c.post("/notifications/calendar/", {"action": "off"})
    assert Client().get(second).status_code == 404
    assert CalendarFeedToken.objects.filter(user=org.user("staff"), revoked_at__isnull=True).count() == 0


def test_unknown_token_and_people_who_left_get_404(org, client_for, source):
    from django.test import Client

    assert Client().get("/notifications/calendar/nonsense.ics").status_code == 404
    c = client_for(org.user("staff"))
    c.post("/notifications/calendar/", {"action": "new"})
    path = feed_path(c)
    user = org.user("staff")
    user.is_active = False
    user.save()
    assert Client().get(path).status_code == 404


def test_the_token_is_never_in_the_audit_trail(org, client_for):
    from apps.core.models import AuditEvent

    c = client_for(org.user("staff"))
    c.post("/notifications/calendar/", {"action": "new"})
    token = CalendarFeedToken.objects.get(user=org.user("staff")).token
    assert not [e for e in AuditEvent.objects.all() if token in str(e.object_repr) + str(e.after) + str(e.before)]
