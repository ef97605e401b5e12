"""The calendar invitation (.ics, RFC 5545) of a scheduled interview, built with ``icalendar``.

The event says only what a calendar needs: when, where (or the video link), who; never the content of
the interview. The UID is stable per interview and the SEQUENCE grows with every reschedule, so a
calendar updates the event it already has instead of adding a second one.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def interview_uid(interview) -> str:
    host = (getattr(settings, "SITE_URL", "") or "perfcycle").split("://")[-1].split("/")[0].split(":")[0]
    return f"interview-{interview.pk}@{host or 'perfcycle'}"


def interview_ics(interview, *, sequence: int = 0, url: str = "") -> str:
    from icalendar import Calendar, Event, vCalAddress, vText

    cal = Calendar()
    cal.add("prodid", "-//PerfCycle//interviews//EN")
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    ev = Event()
    ev.add("uid", interview_uid(interview))
    ev.add("sequence", sequence)
    ev.add("dtstamp", timezone.now().astimezone(dt.UTC))
    start = interview.scheduled_at.astimezone(dt.UTC)
    ev.add("dtstart", start)
    ev.add("dtend", start + dt.timedelta(minutes=interview.duration_minutes or 60))
    ev.add("summary", _("Feedback interview: %(employee)s and %(manager)s") % {
        "employee": interview.employee.name, "manager": interview.manager.name})
    where = interview.location or interview.video_link
    if where:
        ev.add("location", where)
    if url:
        ev.add("url", url)
        ev.add("description", _("Prepare and see the details in PerfCycle: %(url)s") % {"url": url})
    for person, role in ((interview.manager, "CHAIR"), (interview.employee, "REQ-PARTICIPANT")):
        if person.email:
            att = vCalAddress(f"mailto:{person.email}")
            att.params["cn"] = vText(person.name)
            att.params["role"] = vText(role)
            if role == "CHAIR":
                ev.add("organizer", att)
            ev.add("attendee", att, encode=0)
    cal.add_component(ev)
    return cal.to_ical().decode("utf-8")
