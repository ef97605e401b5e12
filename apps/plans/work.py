"""What the plans app adds to the "my work" home page and when its menu entries show.

Each provider runs a bounded number of queries whatever the size of the team."""
from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import periods
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem

from . import selectors
from .models import MonthlyPlan, PlanStatus


def nav_files_plans(user) -> bool:
    return selectors.files_monthly_plans(selectors.viewer_employee(user))


def nav_team(user) -> bool:
    return is_hr(user) or selectors.is_line_manager(user)


def work_items(user) -> list[WorkItem]:
    me = selectors.viewer_employee(user)
    if me is None:
        return []
    items: list[WorkItem] = []
    today = timezone.localdate()
    settings_row = selectors.plan_settings_get()
    due = selectors.plan_due_date(today.year, today.month, settings_row)
    label = periods.month_label(today.year, today.month)
    if selectors.files_monthly_plans(me):
        plan = (MonthlyPlan.objects.filter(employee=me, year=today.year, month=today.month)
                .only("pk", "status", "return_comment", "reopen_reason").first())
        url = reverse("plans:plan_detail", args=[plan.pk]) if plan else reverse("plans:my_plan")
        if plan is None or plan.status == PlanStatus.DRAFT:
            items.append(WorkItem(title=_("File your work plan for %(month)s") % {"month": label}, url=url,
                                  detail=_("Not started yet") if plan is None else _("Draft, not submitted"),
                                  due=due, overdue=today > due))
        elif plan.status == PlanStatus.RETURNED:
            items.append(WorkItem(title=_("Revise and resubmit your plan for %(month)s") % {"month": label}, url=url,
                                  detail=plan.return_comment or plan.reopen_reason, due=due, overdue=today > due))
    waiting = selectors.plans_waiting_for(user)
    first = waiting.order_by("year", "month").values_list("year", "month").first()
    if first:
        count = waiting.count()
        items.append(WorkItem(title=_("Monthly plans to confirm"), count=count,
                              url=f"{reverse('plans:team')}?month={periods.month_key(*first)}&status=submitted&direct=on",
                              detail=_("Confirm them, adjust them or return them with a comment.")))
    if selectors.is_line_manager(user) and today > due:
        late = (selectors.team_plan_rows(user=user, year=today.year, month=today.month,
                                         filters={"direct": True, "status": "overdue"}).count())
        if late:
            items.append(WorkItem(title=_("Team plans overdue for %(month)s") % {"month": label}, count=late,
                                  url=f"{reverse('plans:team')}?month={periods.month_key(today.year, today.month)}"
                                      f"&status=overdue&direct=on", due=due, overdue=True))
    if (selectors.is_new_hire(me) and selectors.acknowledgement_for(me, today.year) is None
            and selectors.position_goals_for(me, today.year).exists()):
        items.append(WorkItem(title=_("Acknowledge your position goals"), url=reverse("plans:acknowledge"),
                              detail=_("Discuss them with your supervisor, then confirm you understand them.")))
    return items
