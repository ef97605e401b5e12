"""A personal calendar feed (.ics over a private, revocable URL) of a person's dates.

This app does not know interviews or deadlines (they live in higher apps): those apps register a source,
a callable ``source(user) -> iterable of CalendarItem``, with ``register_calendar_source`` in their
``AppConfig.ready()``. Items carry only what a calendar needs (a title without confidential content, a time
or a day, the absolute link).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from .links import absolute_url, site_url


@dataclass(frozen=True)
class CalendarItem:
    uid: str                      # stable per object, e.g. "interview-12"
    title: str
    start: dt.datetime | dt.date  # a datetime (an appointment) or a date (a deadline: an all-day event)
    end: dt.datetime | None = None
    url: str = ""                 # a path of this site or an absolute URL


CALENDAR_SOURCES: list[Callable] = []


def register_calendar_source(source: Callable[[object], Iterable[CalendarItem]]) -> None:
    if source not in CALENDAR_SOURCES:
        CALENDAR_SOURCES.append(source)


def calendar_items(user) -> list[CalendarItem]:
    items: list[CalendarItem] = []
    for source in CALENDAR_SOURCES:
        items.extend(source(user) or [])
    return items


def calendar_feed_ics(user, items: Iterable[CalendarItem] | None = None) -> bytes:
    from icalendar import Calendar, Event

    host = site_url().split("://")[-1].split("/")[0].split(":")[0] or "perfcycle"
    cal = Calendar()
    cal.add("prodid", "-//PerfCycle//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "PerfCycle")
    now = timezone.now().astimezone(dt.UTC)
    for item in (calendar_items(user) if items is None else items):
        ev = Event()
        ev.add("uid", f"{item.uid}@{host}")
        ev.add("dtstamp", now)
        if isinstance(item.start, dt.datetime):
            ev.add("dtstart", item.start.astimezone(dt.UTC))
            ev.add("dtend", (item.end or item.start + dt.timedelta(hours=1)).astimezone(dt.UTC))
        else:
            ev.add("dtstart", item.start)
            ev.add("dtend", item.start + dt.timedelta(days=1))
        ev.add("summary", item.title)
        if item.url:
            ev.add("url", absolute_url(item.url))
            ev.add("description", absolute_url(item.url))
        cal.add_component(ev)
    return cal.to_ical()
