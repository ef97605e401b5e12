"""Plan deadlines: HR's due day, and the reminders before and after it."""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import PermissionDenied
from apps.core.periods import MONTHLY, Period
from apps.core.roles import is_hr
from apps.org.models import Employee, ReviewFrequency

from .. import selectors
from ..models import MonthlyPlan, PlanSettings, PlanStatus
from .kernel import notify


@transaction.atomic
def plan_settings_update(*, actor, due_day: int, remind_days_before: int,
                         expected_version: int | None = None) -> PlanSettings:
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the plan deadlines."))
    obj = PlanSettings.objects.select_for_update().order_by("pk").first()
    created = obj is None
    if created:
        obj = PlanSettings()
    else:
        check_version(obj, expected_version)
    before = None if created else snapshot(obj, fields=["due_day", "remind_days_before"])
    obj.due_day, obj.remind_days_before = due_day, remind_days_before
    obj.full_clean()
    after = snapshot(obj, fields=["due_day", "remind_days_before"])
    if before == after:
        return obj
    if not created:
        bump(obj)
    obj.save()
    audit_record(actor=actor, action="plan_settings.update", obj=obj, before=before, after=after)
    return obj


def plan_reminders_send(*, today: dt.date | None = None) -> dict:
    """The deadline job (Celery beat, any number of times a day): employees reviewed monthly who have
    not submitted this month's plan are reminded in the days before the due day; after it, their
    supervisor is told the plan is overdue. Each reminder goes out at most once per plan per day
    (the notification's dedupe key); submitted and confirmed plans get nothing."""
    today = today or timezone.localdate()
    settings_row = selectors.plan_settings_get()
    due = selectors.plan_due_date(today.year, today.month, settings_row)
    month = Period.containing(MONTHLY, today)
    key = month.code  # the label is made inside each notification, in its recipient's language
    before_window = due - dt.timedelta(days=settings_row.remind_days_before)
    sent = {"employee": 0, "supervisor": 0}
    if today < before_window:
        return sent
    pending = (Employee.objects.active()
               .filter(position__job_level__review_frequency=ReviewFrequency.MONTHLY)
               .exclude(monthly_plans__year=today.year, monthly_plans__month=today.month,
                        monthly_plans__status__in=[PlanStatus.SUBMITTED, PlanStatus.CONFIRMED])
               .select_related("user", "supervisor__user")
               .annotate(plan_id=Subquery(MonthlyPlan.objects.filter(employee=OuterRef("pk"), year=today.year,
                                                                     month=today.month).values("pk")[:1]))
               .order_by("pk"))
    plans_url = reverse("plans:my_plan")
    for emp in pending.iterator(chunk_size=500):
        url = reverse("plans:plan_detail", args=[emp.plan_id]) if emp.plan_id else plans_url
        if today <= due:
            if emp.user_id and notify(
                    emp.user, dedupe_key=f"plans:remind:{emp.pk}:{key}:{today.isoformat()}", url=url,
                    title=lambda: _("Your work plan for %(month)s is due by %(due)s") % {"month": month.label,
                                                                                         "due": due.isoformat()},
                    body=lambda: _("Fill in the tasks, expected results, weights and due dates, then submit it to "
                                   "your supervisor.")):
                sent["employee"] += 1
        elif emp.supervisor_id and emp.supervisor.user_id and emp.supervisor.is_active:
            team_url = f"{reverse('plans:team')}?month={key}&status=overdue"
            if notify(emp.supervisor.user, dedupe_key=f"plans:overdue:{emp.pk}:{key}:{today.isoformat()}",
                       url=team_url,
                       title=lambda e=emp: _("%(name)s's plan for %(month)s is overdue") % {"name": e.name,
                                                                                          "month": month.label},
                       body=lambda: _("It was due by %(due)s and has not been submitted.") % {"due": due.isoformat()}):
                sent["supervisor"] += 1
    return sent

