"""The interviews' deadlines engine, run by Celery beat (``tasks.scan_deadlines``).

- Interviews not held yet: the manager is reminded from ``remind_days_before`` days before the date
  the interview is due by; after it, the interview is flagged overdue (one UPDATE), the manager is
  reminded every day, and under the "escalate" policy HR is told (one summary per HR user and day).
- Improvement and development actions of signed records: the owner is reminded 7 days and 1 day
  before the due date; the day after, the employee and the manager are told it is overdue (once).

Idempotent: every message carries a notification de-duplication key per (interview or action, day),
so running the scan twice in a day sends nothing twice; the flags only touch rows not flagged yet.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .models import (
    ACTION_REMIND_DAYS,
    DEFAULT_REMIND_DAYS,
    OPEN_STATUSES,
    Action,
    ActionStatus,
    CycleInterviewPolicy,
    Interview,
    OverduePolicy,
    Status,
)

MAX_REMIND_DAYS = 30


def deadlines_scan(*, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    out = {"reminded": 0, "overdue_flagged": 0, "overdue_reminded": 0, "escalated": 0, "actions_reminded": 0,
           "actions_overdue": 0}
    open_qs = Interview.objects.filter(status__in=list(OPEN_STATUSES))
    out["overdue_flagged"] = open_qs.filter(due_date__lt=today, overdue_since__isnull=True).update(overdue_since=today)
    rows = list(open_qs.filter(due_date__lte=today + dt.timedelta(days=MAX_REMIND_DAYS))
                .select_related("employee", "manager").order_by("due_date", "pk"))
    policies = {p.cycle_id: p for p in CycleInterviewPolicy.objects.filter(cycle_id__in={r.cycle_id for r in rows})}
    day = today.isoformat()
    escalate: list[Interview] = []
    for i in rows:
        policy = policies.get(i.cycle_id)
        remind_days = policy.remind_days_before if policy else DEFAULT_REMIND_DAYS
        url = services.interview_url(i.pk)
        name, due = i.employee.name, i.due_date.isoformat()
        if i.due_date >= today:
            if (i.due_date - today).days <= remind_days:
                out["reminded"] += services.notify(
                    [i.manager.user_id], url=url, dedupe=lambda uid, i=i: f"interviews:remind:{i.pk}:{day}:{uid}",
                    title=lambda name=name, due=due: _("Reminder: the feedback interview with %(name)s is due by "
                                                       "%(due)s") % {"name": name, "due": due})
            continue
        out["overdue_reminded"] += services.notify(
            [i.manager.user_id], url=url, dedupe=lambda uid, i=i: f"interviews:overdue:{i.pk}:{day}:{uid}",
            title=lambda name=name, due=due: _("Overdue: the feedback interview with %(name)s was due by %(due)s")
            % {"name": name, "due": due})
        if (policy.policy if policy else OverduePolicy.ESCALATE) == OverduePolicy.ESCALATE:
            escalate.append(i)
    if escalate:
        Interview.objects.filter(pk__in=[i.pk for i in escalate], escalated_at__isnull=True).update(
            escalated_at=timezone.now())
        n = len(escalate)
        out["escalated"] = services.notify(
            services.hr_user_ids(), url=reverse("interviews:hr") + "?status=overdue",
            dedupe=lambda uid: f"interviews:escalate:{day}:{uid}",
            title=lambda: _("%(n)s feedback interview(s) are overdue") % {"n": n})
    # improvement and development actions of signed records
    soon = [today + dt.timedelta(days=d) for d in ACTION_REMIND_DAYS]
    yesterday = today - dt.timedelta(days=1)
    actions = (Action.objects.filter(status=ActionStatus.OPEN, interview__status=Status.SIGNED)
               .filter(Q(due_date__in=soon) | Q(due_date=yesterday))
               .select_related("owner", "interview__employee", "interview__manager").order_by("due_date", "pk"))
    url = reverse("interviews:actions")
    for a in actions:
        due = a.due_date.isoformat()  # the action's text is confidential: not in the e-mail subject
        if a.due_date == yesterday:
            out["actions_overdue"] += services.notify(
                [a.interview.employee.user_id, a.interview.manager.user_id], url=url,
                dedupe=lambda uid, a=a: f"interviews:action-overdue:{a.pk}:{uid}",
                title=lambda due=due: _("An action from a feedback interview is overdue (due %(due)s)")
                % {"due": due})
        else:
            out["actions_reminded"] += services.notify(
                [a.owner.user_id], url=url, dedupe=lambda uid, a=a: f"interviews:action-remind:{a.pk}:{day}:{uid}",
                title=lambda due=due: _("An action from your feedback interview is due on %(due)s") % {"due": due})
    return out
