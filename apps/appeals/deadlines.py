"""The appeals' deadlines engine (beat task ``appeals.scan_deadlines``): each stage (triage, requests for
information, decision) reminds the one who owes it the day before and on the day; once passed, the appeal
is marked overdue, the handler is reminded daily and the HR head is told. Idempotent per (appeal, stage,
day): a second run on the same day sends nothing (notification dedupe keys)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Department

from .models import Appeal, InfoRequest, Status
from .services import appeal_url, hr_user_ids, notify


def hr_head_user_ids() -> set[int]:
    """The HR head: HR users who head a department; every HR user when none does."""
    hr = hr_user_ids()
    heads = set(Department.objects.filter(head__user_id__in=hr, head__is_active=True)
                .values_list("head__user_id", flat=True))
    return heads or hr


def _handlers(appeal: Appeal) -> set[int]:
    return {appeal.handler_id} if appeal.handler_id else hr_user_ids()


def deadlines_scan(*, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    counts = {"reminders": 0, "overdue": 0, "escalations": 0}
    heads = None
    day = today.isoformat()
    stages = [("triage", Status.FILED, "triage_due"), ("decision", Status.IN_REVIEW, "decision_due")]
    for stage, status, field in stages:
        qs = (Appeal.objects.filter(status=status, **{f"{field}__lte": today + dt.timedelta(days=1)})
              .select_related("employee").order_by("pk"))
        for a in qs:
            due = getattr(a, field)
            if due >= today:
                counts["reminders"] += notify(
                    _handlers(a), title=lambda a=a, due=due, stage=stage: (
                        _("Appeal of %(name)s: triage due %(date)s") if stage == "triage" else
                        _("Appeal of %(name)s: decision due %(date)s")) % {"name": a.employee.name,
                                                                           "date": due.isoformat()},
                    url=appeal_url(a.pk), dedupe=lambda uid, a=a, stage=stage, day=day: f"appeals:due:{stage}:{a.pk}:{day}:{uid}")
                continue
            with transaction.atomic():
                if a.overdue_since is None:
                    Appeal.objects.filter(pk=a.pk, overdue_since__isnull=True).update(overdue_since=due + dt.timedelta(days=1))
                    counts["overdue"] += 1
            counts["reminders"] += notify(
                _handlers(a), title=lambda a=a, due=due: _("Overdue appeal of %(name)s (due %(date)s)") % {
                    "name": a.employee.name, "date": due.isoformat()},
                url=appeal_url(a.pk), dedupe=lambda uid, a=a, stage=stage, day=day: f"appeals:overdue:{stage}:{a.pk}:{day}:{uid}")
            if heads is None:
                heads = hr_head_user_ids()
            counts["escalations"] += notify(
                heads - _handlers(a) or heads, title=lambda a=a, due=due: _("Escalation: the appeal of %(name)s is "
                                                                            "overdue since %(date)s") % {
                    "name": a.employee.name, "date": due.isoformat()},
                url=appeal_url(a.pk), dedupe=lambda uid, a=a, stage=stage, day=day: f"appeals:escalate:{stage}:{a.pk}:{day}:{uid}")
    requests = (InfoRequest.objects.filter(answered_at__isnull=True, appeal__status=Status.IN_REVIEW,
                                           due_date__lte=today + dt.timedelta(days=1))
                .select_related("appeal", "appeal__employee").order_by("pk"))
    for r in requests:
        if r.due_date >= today:
            title = lambda r=r: _("HR's request about an appeal is due %(date)s") % {"date": r.due_date.isoformat()}  # noqa: E731
            users = {r.addressee_user_id}
        else:
            title = lambda r=r: _("Overdue: HR's request about an appeal was due %(date)s") % {  # noqa: E731
                "date": r.due_date.isoformat()}
            users = {r.addressee_user_id, *_handlers(r.appeal)}
        counts["reminders"] += notify(users, title=title, url=appeal_url(r.appeal_id),
                                      dedupe=lambda uid, r=r, day=day: f"appeals:info_due:{r.appeal_id}:{r.pk}:{day}:{uid}")
    return counts
