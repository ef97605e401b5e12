"""The data owner's actuals page: entering and returning actuals, and the Excel/CSV upload."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError
from apps.core.forms import run_service
from apps.core.roles import is_hr

from .. import forms, permissions, selectors, services
from ..models import ActualsUpload
from .common import PAGE_SIZE, back, flash_error, or_404, query_string, tabs

# --- actuals -----------------------------------------------------------------------------------------

@login_required
def actuals(request):
    user = request.user
    if not is_hr(user) and not permissions.viewer(user).employee_id:
        raise Http404
    form = forms.ActualFilterForm(request.GET or None)
    form.fields["cycle"].queryset = selectors.cycles_with_lines_for(user)
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.actual_line_list(user=user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appraisals/actuals.html", {
        "form": form, "page": page, "query": query_string(request), "is_hr": is_hr(user),
        "upload_form": forms.UploadForm(), "next": request.get_full_path(), **tabs(request, "actuals")})


@login_required
@require_POST
def line_actual(request, pk):
    line = or_404(selectors.actual_line_get, user=request.user, pk=pk)
    form = forms.ActualForm(request.POST)
    if form.is_valid():
        try:
            services.line_actual_set(actor=request.user, line=line, value=form.cleaned_data["actual"],
                                     evidence=form.cleaned_data["evidence"],
                                     expected_version=form.cleaned_data.get("version"))
        except ApplicationError as exc:
            messages.error(request, _("%(name)s · %(line)s: %(error)s") % {
                "name": line.appraisal.employee.name, "line": line.display_title, "error": exc.message})
        else:
            messages.success(request, _("Saved: %(name)s · %(line)s.") % {
                "name": line.appraisal.employee.name, "line": line.display_title})
    else:
        messages.error(request, _("Enter the actual."))
    return back(request, reverse("appraisals:actuals"))


@login_required
def actuals_upload(request):
    user = request.user
    if not is_hr(user) and not permissions.viewer(user).employee_id:
        raise Http404
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    form.fields["cycle"].queryset = selectors.cycles_with_lines_for(user)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        result = run_service(form, lambda: services.actuals_upload_preview(
            actor=user, cycle=form.cleaned_data["cycle"], data=f.read(), file_name=f.name))
        if result is not None:
            return redirect("appraisals:upload", pk=result[0].pk)
    return render(request, "appraisals/upload.html", {"form": form, **tabs(request, "actuals")})


def _upload_for(request, pk) -> ActualsUpload:
    up = ActualsUpload.objects.select_related("cycle").filter(pk=pk).first()
    if up is None or (up.uploaded_by_id != request.user.pk and not is_hr(request.user)):
        raise Http404
    return up


@login_required
def upload_detail(request, pk):
    up = _upload_for(request, pk)
    return render(request, "appraisals/upload_preview.html", {
        "upload": up, "summary": up.summary, "rows": up.summary.get("rows", []),
        "form": forms.UploadForm(initial={"cycle": up.cycle}), **tabs(request, "actuals")})


@login_required
@require_POST
def upload_apply(request, pk):
    up = _upload_for(request, pk)
    try:
        result = services.actuals_upload_apply(actor=request.user, upload=up)
    except ApplicationError as exc:
        flash_error(request, exc)
        return redirect("appraisals:upload", pk=up.pk)
    messages.success(request, _("%(n)s actual(s) written, %(u)s unchanged.") % {
        "n": result["updated"], "u": result["unchanged"]})
    return redirect(reverse("appraisals:actuals") + f"?cycle={up.cycle_id}")


@login_required
def upload_template(request):
    response = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="actuals-template.csv"'
    return response


@login_required
@require_POST
def line_return(request, pk):
    line = or_404(selectors.actual_line_get, user=request.user, pk=pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the line is returned, so the data owner knows what to fix."))
    else:
        try:
            services.line_return(actor=request.user, line=line, reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data.get("version"))
        except ApplicationError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, _("The line was returned for re-collection; the data owner was notified."))
    return back(request, reverse("appraisals:actuals"))
