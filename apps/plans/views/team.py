"""The team's monthly plans: status of every report for a month, confirming many at once."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import periods
from apps.core.roles import is_hr

from .. import selectors, services
from ..forms import BulkConfirmForm, TeamFilterForm
from ..models import PlanStatus
from .common import query_without_page


@login_required
def team(request):
    data = request.GET.copy()
    year, month = periods.parse_month(data.get("month"), timezone.localdate())
    data["month"] = periods.month_key(year, month)
    form = TeamFilterForm(data)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors.team_plan_rows(user=request.user, year=year, month=month, filters=filters)
    if request.method == "POST":
        ids = request.POST.getlist("plans")
        bulk = BulkConfirmForm(request.POST, plan_ids=ids)
        if bulk.is_valid():
            result = services.plan_bulk_confirm(actor=request.user, plan_ids=bulk.cleaned_data["plans"])
            if result["confirmed"]:
                messages.success(request, _("%(n)s plan(s) confirmed.") % {"n": len(result["confirmed"])})
            for plan, reason in result["skipped"]:
                messages.warning(request, _("%(plan)s was not confirmed: %(reason)s") % {"plan": plan,
                                                                                         "reason": reason})
        else:
            messages.error(request, _("Tick the plans to confirm."))
        return redirect(f"{reverse('plans:team')}?{request.GET.urlencode()}")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    me = selectors.viewer_employee(request.user)
    hr = is_hr(request.user)
    due = selectors.plan_due_date(year, month)
    rows = []
    for emp in page.object_list:
        can_confirm = emp.plan_status == PlanStatus.SUBMITTED and (
            (me is not None and emp.supervisor_id == me.pk)
            or (hr and not (emp.supervisor_id and emp.supervisor.is_active and emp.supervisor.user_id)))
        rows.append({"employee": emp, "overdue": selectors.plan_is_overdue(emp.plan_status, due),
                     "can_confirm": can_confirm, "weights_ok": emp.total_weight == Decimal("100"),
                     "new_hire": selectors.is_new_hire(emp)})
    counts = selectors.team_status_counts(user=request.user, year=year, month=month, filters=filters)
    return render(request, "plans/team.html", {
        "form": form, "page": page, "rows": rows, "query": query_without_page(request), "due": due,
        "month_label": periods.month_label(year, month), "month_key": periods.month_key(year, month),
        "counts": counts, "any_confirmable": any(r["can_confirm"] for r in rows),
        "past_due": timezone.localdate() > due, "is_hr": hr,
        "prev_key": periods.month_key(*periods.shift_month(year, month, -1)),
        "next_key": periods.month_key(*periods.shift_month(year, month, 1)),
    })

