"""HR's cycle pages: the list, a new cycle, a cycle's progress and its buttons (open, verify, publish,
blockers), the routine schedule."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org.models import Department, ReviewFrequency

from .. import forms, selectors, services
from ..models import CycleBlocker, CycleSchedule, CycleStatus
from .common import PAGE_SIZE, back, flash_error, or_404, query_string, tabs


@login_required
def cycles(request):
    if not is_hr(request.user):
        raise Http404
    form = forms.CycleFilterForm(request.GET or None)
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.cycle_list(user=request.user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appraisals/cycles.html", {"form": form, "page": page, "query": query_string(request),
                                                       **tabs(request, "cycles")})


@login_required
def cycle_new(request):
    if not is_hr(request.user):
        raise Http404
    form = forms.CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def create():
            cycle = services.cycle_create(
                actor=request.user, title=d["title"], period=d["period"].strip(), frequency=d["frequency"],
                job_levels=list(d["job_levels"]) or None, departments=list(d["departments"]),
                deadlines=form.deadlines(), policies=form.policies(), grade_bands=d["grade_bands"],
                requires_calibration=d["requires_calibration"])
            if d["open_now"]:
                services.cycle_open_and_populate(actor=request.user, cycle=cycle)
            return cycle

        cycle = run_service(form, create)
        if cycle is not None:
            messages.success(request, _("The cycle was created.") if not d["open_now"]
                             else _("The cycle is open: the appraisals were created."))
            return redirect("appraisals:cycle", pk=cycle.pk)
    return render(request, "appraisals/cycle_new.html", {"form": form, **tabs(request, "cycles")})


@login_required
def cycle_detail(request, pk):
    if not is_hr(request.user):
        raise Http404
    cycle = or_404(selectors.cycle_get, user=request.user, pk=pk)
    deadlines_form = forms.CycleDeadlinesForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and deadlines_form.is_valid():
        if run_service(deadlines_form, lambda: services.cycle_update(
                actor=request.user, cycle=cycle, expected_version=deadlines_form.cleaned_data["version"],
                deadlines=deadlines_form.deadlines(), policies=deadlines_form.policies())):
            messages.success(request, _("Deadlines saved."))
            return redirect("appraisals:cycle", pk=cycle.pk)
    progress = selectors.cycle_progress(cycle)
    blockers = selectors.cycle_blockers(cycle=cycle)
    blocker_page = Paginator(blockers, 20).get_page(request.GET.get("page"))
    return render(request, "appraisals/cycle_detail.html", {
        "cycle": cycle, "progress": progress, "counts": progress["counts"], "bars": progress["bars"],
        "departments": selectors.cycle_department_progress(cycle), "blocker_page": blocker_page,
        "page": blocker_page, "query": query_string(request), "deadlines_form": deadlines_form,
        "levels": list(cycle.job_levels.all()), "scope_departments": list(cycle.departments.all()),
        "upload_form": forms.UploadForm(initial={"cycle": cycle}),
        "quota_breaches": [] if cycle.quota_override_reason or cycle.status != CycleStatus.OPEN
        else selectors.hard_quota_breaches(cycle), **tabs(request, "cycles")})


def _hr_cycle(request, pk):
    if not is_hr(request.user):
        raise Http404
    return or_404(selectors.cycle_get, user=request.user, pk=pk)


def _department(request) -> Department | None:
    dept = request.POST.get("department")
    return Department.objects.filter(pk=dept).first() if dept else None


@login_required
@require_POST
def cycle_open(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        result = services.cycle_open_start(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        if result["in_background"]:
            messages.success(request, _("The cycle is opening: the appraisals are being created in the background; "
                                        "reload the page in a minute."))
        else:
            messages.success(request, _("The cycle is open: %(n)s appraisals, %(b)s employees without a signed "
                                        "contract.") % {"n": result["appraisals"], "b": result["blockers"]})
    return redirect("appraisals:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_verify(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        result = services.cycle_verify_complete(actor=request.user, cycle=cycle, department=_department(request))
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        if result["in_background"]:
            messages.success(request, _("%(n)s complete appraisal(s) are being verified and scored in the "
                                        "background; reload the page in a minute.") % {"n": result["verified"]})
        else:
            messages.success(request, _("%(n)s complete appraisal(s) verified and scored.") % {
                "n": result["verified"]})
    return back(request, reverse("appraisals:cycle", args=[cycle.pk]))


@login_required
@require_POST
def cycle_publish(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        n = services.cycle_publish(actor=request.user, cycle=cycle, department=_department(request),
                                   ready_only=bool(request.POST.get("ready_only")))
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(n)s appraisal(s) published; the employees were notified.") % {"n": n})
    return back(request, reverse("appraisals:cycle", args=[cycle.pk]))


@login_required
@require_POST
def cycle_blockers_recheck(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        result = services.cycle_recheck_blockers(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("%(n)s appraisal(s) added; %(b)s employees still without a signed contract.")
                         % {"n": result["created"], "b": result["blockers"]})
    return redirect("appraisals:cycle", pk=cycle.pk)


@login_required
@require_POST
def blocker_remind(request, pk):
    if not is_hr(request.user):
        raise Http404
    blocker = CycleBlocker.objects.filter(pk=pk).first()
    if blocker is None:
        raise Http404
    try:
        sent = services.blocker_remind(actor=request.user, blocker=blocker)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        if sent:
            messages.success(request, _("The manager was reminded."))
        else:
            messages.info(request, _("The manager was already reminded today."))
    return redirect("appraisals:cycle", pk=blocker.cycle_id)


@login_required
@require_POST
def blockers_remind_all(request, pk):
    cycle = _hr_cycle(request, pk)
    sent = services.blockers_remind_all(actor=request.user, cycle=cycle)
    messages.success(request, _("%(n)s reminder(s) sent.") % {"n": sent})
    return redirect("appraisals:cycle", pk=cycle.pk)


@login_required
def schedule(request):
    if not is_hr(request.user):
        raise Http404
    existing = {s.frequency: s for s in CycleSchedule.objects.all()}
    posted = request.POST.get("frequency") if request.method == "POST" else None
    form_list = []
    for freq in ReviewFrequency.values:
        sched = existing.get(freq) or CycleSchedule(frequency=freq)
        form = forms.ScheduleForm(request.POST if posted == freq else None, schedule=sched, prefix=None)
        if posted == freq and form.is_valid():
            d = form.cleaned_data
            if run_service(form, lambda d=d, freq=freq: services.schedule_update(
                    actor=request.user, frequency=freq, is_active=d["is_active"],
                    stage_days={s: d[f"days_{s}"] for s in services.STAGE_ORDER},
                    stage_policies={s: d[f"policy_{s}"] for s in services.STAGE_ORDER},
                    grade_bands=d["grade_bands"], expected_version=d.get("version"))):
                messages.success(request, _("Schedule saved."))
                return redirect("appraisals:schedule")
        form_list.append((ReviewFrequency(freq).label, sched, form))
    return render(request, "appraisals/schedule.html", {"forms": form_list, **tabs(request, "cycles")})
