"""Pages: HR's cycles, the appraisal (also "my appraisal"), the manager's team, the data owner's actuals.
Thin: forms validate, the services decide, domain errors land on the form or as a message."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.coaching import selectors as coaching_selectors
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org import access
from apps.org.models import Department

from . import forms, permissions, selectors, services
from .models import (
    ActualsUpload,
    Appraisal,
    CycleBlocker,
    CycleSchedule,
    Status,
)

PAGE_SIZE = 25
INLINE_LIMIT = 2000  # above this many people, opening and verifying run as Celery tasks


def _or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _tabs(request, current: str) -> dict:
    user = request.user
    tabs = [("my", _("My appraisal"), reverse("appraisals:my"))]
    if selectors.has_team(user):
        tabs.append(("team", _("My team"), reverse("appraisals:team")))
    if is_hr(user) or selectors.is_data_owner(user):
        tabs.append(("actuals", _("Actuals"), reverse("appraisals:actuals")))
    if is_hr(user):
        tabs.append(("list", _("All appraisals"), reverse("appraisals:list")))
        tabs.append(("cycles", _("Cycles"), reverse("appraisals:cycles")))
    if is_hr(user) or permissions.headed_paths(user):
        tabs.append(("calibration", _("Calibration"), reverse("appraisals:calibration_home")))
    return {"tabs": tabs, "current_tab": current}


def _back(request, default: str):
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(default)


def _flash_error(request, exc: ApplicationError):
    messages.error(request, exc.message)


@login_required
def home(request):
    user = request.user
    if is_hr(user):
        return redirect("appraisals:cycles")
    if selectors.has_team(user):
        return redirect("appraisals:team")
    if selectors.is_data_owner(user) and not selectors.my_appraisals(user=user).exists():
        return redirect("appraisals:actuals")
    return redirect("appraisals:my")


# --- HR: cycles --------------------------------------------------------------------------------------

@login_required
def cycles(request):
    if not is_hr(request.user):
        raise Http404
    form = forms.CycleFilterForm(request.GET or None)
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.cycle_list(user=request.user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appraisals/cycles.html", {"form": form, "page": page, "query": _query(request),
                                                       **_tabs(request, "cycles")})


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
    return render(request, "appraisals/cycle_new.html", {"form": form, **_tabs(request, "cycles")})


@login_required
def cycle_detail(request, pk):
    if not is_hr(request.user):
        raise Http404
    cycle = _or_404(selectors.cycle_get, user=request.user, pk=pk)
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
        "page": blocker_page, "query": _query(request), "deadlines_form": deadlines_form,
        "levels": list(cycle.job_levels.all()), "scope_departments": list(cycle.departments.all()),
        "upload_form": forms.UploadForm(initial={"cycle": cycle}), **_tabs(request, "cycles")})


def _hr_cycle(request, pk):
    if not is_hr(request.user):
        raise Http404
    return _or_404(selectors.cycle_get, user=request.user, pk=pk)


def _department(request) -> Department | None:
    dept = request.POST.get("department")
    return Department.objects.filter(pk=dept).first() if dept else None


@login_required
@require_POST
def cycle_open(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        if services.population_count(cycle) > INLINE_LIMIT:
            services.cycle_open(actor=request.user, cycle=cycle)
            from .tasks import populate_cycle

            populate_cycle.delay(cycle.pk, request.user.pk)
            messages.success(request, _("The cycle is opening: the appraisals are being created in the background; "
                                        "reload the page in a minute."))
            return redirect("appraisals:cycle", pk=cycle.pk)
        result = services.cycle_open_and_populate(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, _("The cycle is open: %(n)s appraisals, %(b)s employees without a signed "
                                    "contract.") % {"n": result["appraisals"], "b": result["blockers"]})
    return redirect("appraisals:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_verify(request, pk):
    cycle = _hr_cycle(request, pk)
    department = _department(request)
    scope = Appraisal.objects.filter(cycle=cycle, status=Status.COLLECTING, lines_pending=0)
    if department is not None:
        scope = scope.filter(department__path__startswith=department.path)
    large = scope.count() > INLINE_LIMIT
    try:
        n = services.appraisals_verify_complete(actor=request.user, cycle=cycle, department=department,
                                                in_background=large)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        if large:
            messages.success(request, _("%(n)s complete appraisal(s) are being verified and scored in the "
                                        "background; reload the page in a minute.") % {"n": n})
        else:
            messages.success(request, _("%(n)s complete appraisal(s) verified and scored.") % {"n": n})
    return _back(request, reverse("appraisals:cycle", args=[cycle.pk]))


@login_required
@require_POST
def cycle_publish(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        n = services.cycle_publish(actor=request.user, cycle=cycle, department=_department(request),
                                   ready_only=bool(request.POST.get("ready_only")))
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, _("%(n)s appraisal(s) published; the employees were notified.") % {"n": n})
    return _back(request, reverse("appraisals:cycle", args=[cycle.pk]))


@login_required
@require_POST
def cycle_blockers_recheck(request, pk):
    cycle = _hr_cycle(request, pk)
    try:
        result = services.cycle_recheck_blockers(actor=request.user, cycle=cycle)
    except ApplicationError as exc:
        _flash_error(request, exc)
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
        _flash_error(request, exc)
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
    from apps.org.models import ReviewFrequency

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
    return render(request, "appraisals/schedule.html", {"forms": form_list, **_tabs(request, "cycles")})


# --- appraisals --------------------------------------------------------------------------------------

@login_required
def appraisal_list(request):
    form = forms.AppraisalFilterForm(request.GET or None)
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors.appraisal_list(user=request.user, filters=f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for a in page.object_list:
        vis = selectors.visibility(permissions.relations(request.user, a), a)
        rows.append({"a": a, "show_total": vis.total})
    return render(request, "appraisals/list.html", {"form": form, "page": page, "rows": rows,
                                                     "query": _query(request), **_tabs(request, "list")})


def _render_appraisal(request, appraisal: Appraisal, relations: set[str], *, tab: str, self_form=None,
                      manager_form=None):
    lines = selectors.appraisal_lines(appraisal)
    vis = selectors.visibility(relations, appraisal)
    is_self = "self" in relations
    is_appraiser = "appraiser" in relations
    hr = "hr" in relations
    if is_self and appraisal.status == Status.VERIFIED and self_form is None:
        self_form = forms.ScoringForm(lines=lines, role="self", appraisal=appraisal)
    if is_appraiser and appraisal.status == Status.SELF_ASSESSED and manager_form is None:
        manager_form = forms.ScoringForm(lines=lines, role="manager", appraisal=appraisal)
    can_verify = appraisal.status == Status.COLLECTING and services.can_verify(request.user, appraisal, lines)
    can_return = appraisal.status in (Status.COLLECTING, Status.VERIFIED) and (
        hr or any(permissions.can_enter_actual(request.user, ln, appraisal) for ln in lines if ln.needs_data))
    sections = []
    for key, label in (("results", _("Results")), ("behaviour", _("Behaviour and attitude")), ("plan", _("Work plan"))):
        in_section = [ln for ln in lines if ln.section == key]
        if in_section:
            sections.append({"key": key, "label": label, "lines": in_section,
                             "weight": getattr(appraisal, f"{key}_weight"),
                             "score": getattr(appraisal, f"{key}_score")})
    others = list(selectors.my_appraisals(user=request.user).exclude(pk=appraisal.pk)[:12]) if is_self else []
    # the performance file beside each line: one access-filtered query for all lines (a reader who may
    # not see the employee's coaching records gets none)
    coaching_by_line = coaching_selectors.records_by_contract_line(
        user=request.user, line_ids=[ln.contract_line_id for ln in lines])
    show_file = access.can(request.user, access.READ, "coaching", appraisal.employee)
    return render(request, "appraisals/detail.html", {
        "coaching_by_line": coaching_by_line, "show_file": show_file,
        "a": appraisal, "lines": lines, "sections": sections, "vis": vis, "relations": relations,
        "is_self": is_self, "is_appraiser": is_appraiser, "is_hr": hr, "self_form": self_form,
        "manager_form": manager_form, "can_verify": can_verify, "can_return": can_return,
        "can_publish": hr and appraisal.status in (Status.SCORED, Status.CALIBRATED),
        "history": selectors.appraisal_history(appraisal, lines) if vis.history else [],
        "other_appraisals": others, "return_form": forms.ReturnForm(),
        "next_step": selectors.next_step(appraisal, relations), **_tabs(request, tab)})


@login_required
def appraisal_detail(request, pk):
    appraisal, relations = _or_404(selectors.appraisal_get, user=request.user, pk=pk)
    return _render_appraisal(request, appraisal, relations, tab="my" if "self" in relations else "list")


@login_required
def my_appraisal(request):
    latest = selectors.my_appraisals(user=request.user).first()
    if latest is None:
        return render(request, "appraisals/my_empty.html", _tabs(request, "my"))
    appraisal, relations = _or_404(selectors.appraisal_get, user=request.user, pk=latest.pk)
    return _render_appraisal(request, appraisal, relations, tab="my")


def _scoring_post(request, pk, role: str):
    appraisal, relations = _or_404(selectors.appraisal_get, user=request.user, pk=pk)
    lines = selectors.appraisal_lines(appraisal)
    form = forms.ScoringForm(request.POST, lines=lines, role=role, appraisal=appraisal)
    submit = "submit" in request.POST
    if form.is_valid():
        fn = services.appraisal_self_assess if role == "self" else services.appraisal_manager_score
        result = run_service(form, lambda: fn(actor=request.user, appraisal=appraisal,
                                              comment=form.cleaned_data["comment"], lines=form.entries(),
                                              submit=submit, expected_version=form.cleaned_data["version"]))
        if result is not None:
            if submit:
                messages.success(request, _("Submitted.") if role == "self" else
                                 _("Scores submitted: total %(total)s, grade %(grade)s.") % {
                                     "total": result.total_score, "grade": result.grade})
            else:
                messages.success(request, _("Saved as a draft."))
            return redirect("appraisals:detail", pk=appraisal.pk)
    appraisal.refresh_from_db()
    kwargs = {"self_form": form} if role == "self" else {"manager_form": form}
    return _render_appraisal(request, appraisal, relations, tab="my" if role == "self" else "team", **kwargs)


@login_required
@require_POST
def self_assess(request, pk):
    return _scoring_post(request, pk, "self")


@login_required
@require_POST
def manager_score(request, pk):
    return _scoring_post(request, pk, "manager")


@login_required
@require_POST
def appraisal_verify(request, pk):
    appraisal = Appraisal.objects.filter(pk=pk).first()
    if appraisal is None:
        raise Http404
    try:
        services.appraisal_verify(actor=request.user, appraisal=appraisal,
                                  expected_version=request.POST.get("version") or None)
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, _("Verified: the lines scored by rule are scored."))
    return _back(request, reverse("appraisals:detail", args=[pk]))


@login_required
@require_POST
def appraisal_publish(request, pk):
    appraisal, _rel = _or_404(selectors.appraisal_get, user=request.user, pk=pk)
    try:
        services.appraisal_publish(actor=request.user, appraisal=appraisal,
                                   expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, _("Published; the employee was notified."))
    return redirect("appraisals:detail", pk=pk)


@login_required
@require_POST
def line_return(request, pk):
    line = _or_404(selectors.actual_line_get, user=request.user, pk=pk)
    form = forms.ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the line is returned, so the data owner knows what to fix."))
    else:
        try:
            services.line_return(actor=request.user, line=line, reason=form.cleaned_data["reason"],
                                 expected_version=form.cleaned_data.get("version"))
        except ApplicationError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The line was returned for re-collection; the data owner was notified."))
    return _back(request, reverse("appraisals:actuals"))


# --- team --------------------------------------------------------------------------------------------

@login_required
def team(request):
    v = permissions.viewer(request.user)
    if not v.employee_id:
        raise Http404
    form = forms.TeamFilterForm(request.GET or None)
    f = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    base = selectors.team_appraisals(user=request.user)
    to_score = list(base.filter(appraiser_id=v.employee_id, status=Status.SELF_ASSESSED)[:50])
    waiting = {
        "self": base.filter(status=Status.VERIFIED).count(),
        "data": base.filter(status=Status.COLLECTING).count(),
        "publish": base.filter(status__in=[Status.SCORED, Status.CALIBRATED]).count(),
    }
    page = Paginator(selectors.team_appraisals(user=request.user, filters=f), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = [{"a": a, "needs": selectors.needs_from(a, v.employee_id)} for a in page.object_list]
    return render(request, "appraisals/team.html", {
        "form": form, "page": page, "rows": rows, "query": _query(request), "to_score": to_score,
        "waiting": waiting, "blockers": list(selectors.team_blockers(user=request.user)[:50]),
        **_tabs(request, "team")})


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
        "form": form, "page": page, "query": _query(request), "is_hr": is_hr(user),
        "upload_form": forms.UploadForm(), "next": request.get_full_path(), **_tabs(request, "actuals")})


@login_required
@require_POST
def line_actual(request, pk):
    line = _or_404(selectors.actual_line_get, user=request.user, pk=pk)
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
    return _back(request, reverse("appraisals:actuals"))


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
    return render(request, "appraisals/upload.html", {"form": form, **_tabs(request, "actuals")})


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
        "form": forms.UploadForm(initial={"cycle": up.cycle}), **_tabs(request, "actuals")})


@login_required
@require_POST
def upload_apply(request, pk):
    up = _upload_for(request, pk)
    try:
        result = services.actuals_upload_apply(actor=request.user, upload=up)
    except ApplicationError as exc:
        _flash_error(request, exc)
        return redirect("appraisals:upload", pk=up.pk)
    messages.success(request, _("%(n)s actual(s) written, %(u)s unchanged.") % {
        "n": result["updated"], "u": result["unchanged"]})
    return redirect(reverse("appraisals:actuals") + f"?cycle={up.cycle_id}")


@login_required
def upload_template(request):
    response = HttpResponse(services.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="actuals-template.csv"'
    return response



# --- calibration -------------------------------------------------------------------------------------

CALIBRATION_PAGE_SIZE = 50


def _calibration_cycle(request, pk):
    return _or_404(selectors.calibration_cycle_get, user=request.user, pk=pk)


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
        "cycle": cycle, "dist": dist, "form": form, "page": page, "query": _query(request), "is_hr": hr,
        "grades": dist["grades"], "locked": cycle.status == "published",
        "quota_form": forms.QuotaForm(cycle=cycle) if hr else None,
        "override_form": forms.ReasonForm(initial={"version": cycle.version}) if hr else None,
        "next": request.get_full_path(), **_tabs(request, "calibration")})


def _dept_scope_q(user):
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in permissions.headed_paths(user):
        q |= Q(path__startswith=p)
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
                _flash_error(request, exc)
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
        _flash_error(request, exc)
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
    return _back(request, reverse("appraisals:calibration", args=[appraisal.cycle_id]))
