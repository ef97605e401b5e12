"""HR's plan deadlines page."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import periods
from apps.core.forms import run_service
from apps.core.roles import is_hr

from .. import selectors, services
from ..forms import PlanSettingsForm


@login_required
def plan_settings(request):
    if not is_hr(request.user):
        raise Http404
    current = selectors.plan_settings_get()
    form = PlanSettingsForm(request.POST or None, initial={"due_day": current.due_day,
                                                           "remind_days_before": current.remind_days_before,
                                                           "version": current.version})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        if run_service(form, lambda: services.plan_settings_update(
                actor=request.user, due_day=cd["due_day"], remind_days_before=cd["remind_days_before"],
                expected_version=cd["version"])) is not None:
            messages.success(request, _("Saved."))
            return redirect("plans:settings")
    today = timezone.localdate()
    return render(request, "plans/settings.html", {
        "form": form, "due": selectors.plan_due_date(today.year, today.month, current),
        "month_label": periods.month_label(today.year, today.month),
    })

