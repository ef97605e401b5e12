"""New hires acknowledge the goals of their position."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.forms import run_service

from .. import selectors, services
from ..forms import AcknowledgeForm


@login_required
def acknowledge(request):
    me = selectors.viewer_employee(request.user)
    year = timezone.localdate().year
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and me is not None and form.is_valid():
        if run_service(form, lambda: services.position_goals_acknowledge(
                actor=request.user, note=form.cleaned_data["note"], year=year)) is not None:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
            return redirect("plans:acknowledge")
    return render(request, "plans/acknowledge.html", {
        "me": me, "year": year, "form": form,
        "goals": list(selectors.position_goals_for(me, year)) if me else [],
        "ack": selectors.acknowledgement_for(me, year) if me else None,
        "team_acks": selectors.acknowledgement_list(user=request.user).exclude(employee=me)[:50] if me else [],
    })
