from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr

from . import access, selectors, services
from .forms import DirectoryFilterForm, EmployeeForm, JobLevelForm
from .models import JobLevel


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


@login_required
def org_chart(request):
    return render(request, "org/chart.html", {"tree": selectors.department_tree()})


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors.employee_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    viewer = access.viewer_for(request.user)
    rows = [{"employee": e, "can_open": bool({"self", "chain", "hr"} & access.relations(viewer, e))}
            for e in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "org/directory.html", {"form": form, "page": page, "rows": rows,
                                                  "query": query.urlencode()})


@login_required
def employee_detail(request, pk):
    emp = _get_or_404(selectors.employee_get, user=request.user, pk=pk)
    if is_hr(request.user):
        writable = services.EMPLOYEE_HR_FIELDS
    elif emp.user_id == request.user.pk:
        writable = services.EMPLOYEE_SELF_FIELDS
    else:
        writable = frozenset()
    initial = {f: getattr(emp, f) for f in ("employee_no", "name_zh", "name_en", "email", "phone", "department",
                                            "position", "supervisor", "hire_date", "version")}
    form = EmployeeForm(request.POST or None, initial=initial, writable=writable)
    if request.method == "POST" and writable:
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in writable}
            result = run_service(form, lambda: services.employee_update(
                actor=request.user, employee=emp, expected_version=form.cleaned_data["version"], **data))
            if result is not None:
                messages.success(request, _("Saved."))
                return redirect("org:employee", pk=emp.pk)
    return render(request, "org/employee_detail.html", {
        "employee": emp, "form": form, "can_edit": bool(writable), "chain": selectors.employee_chain(emp),
        "reports": selectors.direct_reports(emp),
    })


@login_required
def job_levels(request):
    if not is_hr(request.user):
        raise Http404
    if request.method == "POST":
        level = JobLevel.objects.filter(pk=request.POST.get("job_level")).first()
        form = JobLevelForm(request.POST)
        if level is not None and form.is_valid():
            if run_service(form, lambda: services.job_level_update(
                    actor=request.user, job_level=level, review_frequency=form.cleaned_data["review_frequency"])):
                messages.success(request, _("Saved."))
                return redirect("org:job_levels")
        messages.error(request, _("Could not save: choose a review frequency."))
    levels = [(lvl, JobLevelForm(initial={"review_frequency": lvl.review_frequency}))
              for lvl in selectors.job_level_list()]
    return render(request, "org/job_levels.html", {"levels": levels})
