"""Batch printing of a cycle's appraisal forms: the request form; the job runs in Celery and its page
(``core:document``) shows the progress bar and the download link."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from apps.core.forms import run_service
from apps.core.roles import is_hr

from .. import forms, selectors, services
from .common import or_404, tabs


@login_required
def cycle_print(request, pk):
    cycle = or_404(selectors.cycle_get, user=request.user, pk=pk)
    if not selectors.appraisal_list(user=request.user, filters={"cycle": cycle}).exists():
        raise Http404  # nothing of this cycle the user may see: the page does not exist for them
    form = forms.PrintBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = run_service(form, lambda: services.appraisal_forms_batch(
            actor=request.user, cycle=cycle, department=form.cleaned_data["department"],
            layout=form.cleaned_data["layout"], keep_hours=form.cleaned_data["keep_hours"]))
        if job is not None:
            return redirect("core:document", pk=job.pk)
    return render(request, "appraisals/cycle_print.html", {"cycle": cycle, "form": form,
                                                            "is_hr": is_hr(request.user), **tabs(request, "cycles")})
