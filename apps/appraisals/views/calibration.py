"""Calibration pages (HR and department heads): each department's grade distribution against the
quotas, grade moves with reasons, HR's quotas and override."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.roles import is_hr
from apps.org.models import Department
from apps.org.queries import department_subtree_q

from .. import forms, permissions, selectors, services
from ..models import Appraisal
from .common import back, flash_error, or_404, query_string, tabs

CALIBRATION_PAGE_SIZE = 50


def _calibration_cycle(request, pk):
    return or_404(selectors.calibration_cycle_get, user=request.user, pk=pk)


@login_required
def calibration_home(request):
    """The calibration page of the latest cycle that is not a draft (HR and department heads)."""
    if permissions.calibration_scope_q(request.user) is None:
        raise Http404
    cycle = selectors.cycle_list(user=request.user).exclude(status="draft").first()
    if cycle is None:
        messages.info(request, _("There is no open cycle to calibrate."))
        return redirect("appraisals:home")
    return redirect("appraisals:calibration", pk=cycle.pk)


@login_required
def calibration(request, pk):
    cycle, scope = _calibration_cycle(request, pk)
    hr = is_hr(request.user)
    form = forms.CalibrationFilterForm(request.GET or None)
    departments = Department.objects.filter(is_active=True)
    if not hr:
        departments = departments.filter(_dept_scope_q(request.user))
    form.fields["department"].queryset = departments.order_by("path")
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    dist = selectors.calibration_distribution(cycle=cycle, scope=scope, department=f.get("department"))
    page = Paginator(selectors.calibration_people(cycle=cycle, scope=scope, filters=f),
                     CALIBRATION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appraisals/calibration.html", {
        "cycle": cycle, "dist": dist, "form": form, "page": page, "query": query_string(request), "is_hr": hr,
        "grades": dist["grades"], "locked": cycle.status == "published",
        "quota_form": forms.QuotaForm(cycle=cycle) if hr else None,
        "override_form": forms.ReasonForm(initial={"version": cycle.version}) if hr else None,
        "next": request.get_full_path(), **tabs(request, "calibration")})


def _dept_scope_q(user):

    q = Q(pk__in=[])
    for p in permissions.headed_paths(user):
        q |= department_subtree_q(p, field="")
    return q


@login_required
@require_POST
def calibration_quotas(request, pk):
    if not is_hr(request.user):
        raise Http404
    cycle, _scope = _calibration_cycle(request, pk)
    form = forms.QuotaForm(request.POST, cycle=cycle)
    if form.is_valid():
        quotas = form.quotas()
        if form.is_valid():
            try:
                services.cycle_quotas_set(actor=request.user, cycle=cycle, quotas=quotas,
                                          expected_version=form.cleaned_data.get("version"))
            except ApplicationError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, _("Quotas saved."))
            return redirect("appraisals:calibration", pk=cycle.pk)
    messages.error(request, " ".join(" ".join(e) for e in form.errors.values()))
    return redirect("appraisals:calibration", pk=cycle.pk)


@login_required
@require_POST
def calibration_override(request, pk):
    if not is_hr(request.user):
        raise Http404
    cycle, _scope = _calibration_cycle(request, pk)
    form = forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.cycle_quota_override(actor=request.user, cycle=cycle, reason=form.cleaned_data.get("reason", ""),
                                      expected_version=form.cleaned_data.get("version"))
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Override recorded: the cycle may be published despite the hard quotas."))
    return redirect("appraisals:calibration", pk=cycle.pk)


@login_required
@require_POST
def calibrate_grade(request, pk):
    appraisal = Appraisal.objects.select_related("department", "employee").filter(pk=pk).first()
    if appraisal is None or not permissions.can_calibrate(request.user, appraisal):
        raise Http404
    form = forms.CalibrateGradeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a grade and write the reason."))
    else:
        d = form.cleaned_data
        try:
            a = services.appraisal_grade_calibrate(actor=request.user, appraisal=appraisal, grade=d["grade"],
                                                   reason=d["reason"], expected_version=d.get("version"))
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            messages.error(request, _("%(name)s: %(error)s") % {"name": appraisal.employee.name, "error": exc.message})
        else:
            messages.success(request, _("%(name)s: grade calibrated to %(grade)s.") % {
                "name": appraisal.employee.name, "grade": a.calibrated_grade})
    return back(request, reverse("appraisals:calibration", args=[appraisal.cycle_id]))


@login_required
def results_export(request, pk, fmt):
    """The cycle's published results as XLSX (results and lines) or CSV (``?lines=1``: the lines), with the
    calibration page's filters; HR everything, a department head their subtree, anyone else 404."""
    from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

    from .. import exports

    if fmt not in ("xlsx", "csv"):
        raise Http404
    cycle, scope = _calibration_cycle(request, pk)
    form = forms.CalibrationFilterForm(request.GET or None)
    departments = Department.objects.filter(is_active=True)
    if not is_hr(request.user):
        departments = departments.filter(_dept_scope_q(request.user))
    form.fields["department"].queryset = departments
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    lines = request.GET.get("lines") == "1"
    try:
        if fmt == "xlsx":
            data, ctype = exports.results_xlsx(cycle=cycle, scope=scope, filters=f), XLSX_CONTENT_TYPE
        else:
            data, ctype = exports.results_csv(cycle=cycle, scope=scope, filters=f, lines=lines), CSV_CONTENT_TYPE
    except ApplicationError as exc:
        flash_error(request, exc)
        return redirect(reverse("appraisals:calibration", args=[cycle.pk]) + (f"?{query_string(request)}"
                                                                             if request.GET else ""))
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(cycle, fmt, lines=lines)}"'
    return response
