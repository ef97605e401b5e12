"""Pay pages: thin. Forms check the input, the services decide, the selectors read with the pay access
rules; whoever may not see a page gets 404."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.appraisals.models import Cycle, CycleStatus
from apps.contracts.models import Indicator
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.core.forms import run_service
from apps.org.models import Department, Employee

from . import access, exporting, forms, importing, selectors, services
from .models import BudgetKind, ProposalStatus, RunStatus, TeamRewardRule

PAGE_SIZE = 25


def not_found_as_404(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404
    return login_required(wrapper)


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _departments():
    return list(Department.objects.filter(is_active=True).order_by("path"))


def _cycles(published_only=False):
    qs = Cycle.objects.order_by("-period", "-pk")
    if published_only:
        qs = qs.filter(status=CycleStatus.PUBLISHED)
    return list(qs[:36])


def _tabs(request, current: str) -> dict:
    user = request.user
    tabs = []
    if access.sees_totals(user):
        tabs.append(("runs", _("Payout runs"), reverse("pay:runs")))
    if access.sees_pay_data(user):
        tabs.append(("data", _("Pay data"), reverse("pay:data")))
    if access.sees_totals(user) or access.is_line_manager(user):
        tabs.append(("proposals", _("Salary adjustments"), reverse("pay:proposals")))
    tabs.append(("teams", _("Team rewards"), reverse("pay:teams")))
    tabs.append(("mine", _("My performance pay"), reverse("pay:mine")))
    return {"tabs": tabs, "current_tab": current}


def _fail(request, exc: ApplicationError):
    messages.error(request, exc.message)


@login_required
def home(request):
    user = request.user
    if access.sees_totals(user):
        return redirect("pay:runs")
    if access.is_line_manager(user):
        return redirect("pay:proposals")
    return redirect("pay:mine")


# --- runs -----------------------------------------------------------------------------------------------------------

@not_found_as_404
def runs(request):
    form = forms.FilterForm(request.GET or None, cycles=_cycles(), statuses=forms.RUN_STATUSES)
    page = _page(request, selectors.run_list(user=request.user, filters=form.filters()))
    compute = forms.ComputeForm(cycles=_cycles(published_only=True)) if access.is_pay_hr(request.user) else None
    return render(request, "pay/runs.html", {"form": form, "page": page, "query": _query(request),
                                             "compute": compute, **_tabs(request, "runs")})


@require_POST
@not_found_as_404
def run_compute(request):
    access.require_totals(request.user)
    form = forms.ComputeForm(request.POST, cycles=_cycles(published_only=True))
    if not form.is_valid():
        messages.error(request, _("Choose a published cycle."))
        return redirect("pay:runs")
    try:
        run = services.run_compute(actor=request.user, cycle=Cycle.objects.get(pk=form.cleaned_data["cycle"]))
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("pay:runs")
    messages.success(request, _("Run computed: %(n)s rows.") % {"n": run.rows})
    return redirect("pay:run", run.pk)


@not_found_as_404
def run_detail(request, pk):
    user = request.user
    run = selectors.run_get(user=user, pk=pk)
    totals = selectors.department_totals(run)
    ctx = {"run": run, "totals": totals, "budgets": selectors.run_budgets(run, totals),
           "sees_lines": access.sees_pay_data(user), "is_hr": access.is_pay_hr(user), "is_gm": access.is_gm(user),
           "RunStatus": RunStatus, **_tabs(request, "runs")}
    if ctx["sees_lines"]:
        form = forms.FilterForm(request.GET or None, departments=_departments())
        f = form.filters()
        if request.GET.get("changed"):
            f["changed"] = True
        ctx.update(form=form, page=_page(request, selectors.run_lines(user=user, run=run, filters=f)),
                   query=_query(request))
    return render(request, "pay/run.html", ctx)


def _run_action(request, pk, call, done: str):
    run = selectors.run_get(user=request.user, pk=pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("pay:run", run.pk)
    try:
        call(run, form.cleaned_data)
    except ApplicationError as exc:
        if isinstance(exc, NotFound):
            raise
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("pay:run", run.pk)


@require_POST
@not_found_as_404
def run_submit(request, pk):
    return _run_action(request, pk, lambda r, d: services.run_submit(
        actor=request.user, run=r, expected_version=d["version"]), _("Submitted to the general manager."))


@require_POST
@not_found_as_404
def run_approve(request, pk):
    return _run_action(request, pk, lambda r, d: services.run_approve(
        actor=request.user, run=r, expected_version=d["version"]), _("Run approved."))


@require_POST
@not_found_as_404
def run_return(request, pk):
    return _run_action(request, pk, lambda r, d: services.run_return(
        actor=request.user, run=r, reason=d["reason"], expected_version=d["version"]), _("Run returned to HR."))


@require_POST
@not_found_as_404
def run_release(request, pk):
    return _run_action(request, pk, lambda r, d: services.run_release(
        actor=request.user, run=r, expected_version=d["version"]), _("Employees can now see their own payout."))


@not_found_as_404
def run_export(request, pk, fmt):
    access.require_pay_data(request.user)
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        content, name = exporting.run_export(actor=request.user, run=run, fmt=fmt)
    except NotFound:
        raise
    except ApplicationError as exc:
        _fail(request, exc)
        return redirect("pay:run", run.pk)
    resp = HttpResponse(content, content_type=CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@not_found_as_404
def mine(request):
    return render(request, "pay/mine.html", {"lines": selectors.my_payouts(user=request.user)[:60],
                                             **_tabs(request, "mine")})


# --- pay data ---------------------------------------------------------------------------------------------------

@not_found_as_404
def data(request):
    form = forms.FilterForm(request.GET or None, departments=_departments())
    f = form.filters()
    if request.GET.get("missing"):
        f["missing"] = True
    page = _page(request, selectors.employees_with_pay(user=request.user, filters=f))
    return render(request, "pay/data.html", {"form": form, "page": page, "query": _query(request),
                                             **_tabs(request, "data")})


@not_found_as_404
def data_edit(request, employee_pk):
    emp = selectors.employee_for_pay(user=request.user, pk=employee_pk)
    profile = selectors.profile_of(emp)
    initial = {f: getattr(profile, f) for f in services.PROFILE_FIELDS} | {"version": profile.version} if profile \
        else {}
    form = forms.ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.pay_profile_set(
                actor=request.user, employee=emp, expected_version=d.get("version"),
                **{f: d.get(f) for f in services.PROFILE_FIELDS})) is not None:
            messages.success(request, _("Pay data saved."))
            return redirect(f"{reverse('pay:data')}?q={emp.employee_no}")
    return render(request, "pay/data_edit.html", {"employee": emp, "profile": profile, "form": form,
                                                  **_tabs(request, "data")})


@not_found_as_404
def data_import(request):
    access.require_pay_data(request.user)
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if "apply" in request.POST:
            try:
                result = importing.apply(actor=request.user, file=upload, name=upload.name)
            except ApplicationError as exc:
                _fail(request, exc)
                result = importing.preview(upload, name=upload.name)
            else:
                c = result.counts()
                messages.success(request, _("Imported: %(create)s new, %(update)s changed, %(unchanged)s unchanged.")
                                 % c)
                return redirect("pay:data")
        else:
            result = importing.preview(upload, name=upload.name)
    return render(request, "pay/data_import.html", {"form": form, "result": result, "columns": importing.COLUMNS,
                                                    **_tabs(request, "data")})


# --- settings of a cycle ----------------------------------------------------------------------------------------

@not_found_as_404
def cycle_settings(request, cycle_pk):
    user = request.user
    s = selectors.cycle_settings(user=user, cycle_id=cycle_pk)
    cycle, table, matrix = s["cycle"], s["table"], s["matrix"]
    grades = services.cycle_grades(cycle)
    which = request.POST.get("form") if request.method == "POST" else None
    coef_initial = dict(table.coefficients) | {"version": table.version} if table else {}
    coef = forms.GradeRowForm(request.POST if which == "coefficients" else None, grades=grades, prefix="c",
                              initial=coef_initial)
    m_initial = {}
    if matrix:
        m_initial = {"version": matrix.version, "effective_date": matrix.effective_date}
        for g, row in matrix.cells.items():
            for q, (low, high) in enumerate(row, start=1):
                m_initial[f"{g}_{q}_min"], m_initial[f"{g}_{q}_max"] = low, high
    mat = forms.GradeRowForm(request.POST if which == "matrix" else None, grades=grades, matrix=True, prefix="m",
                             initial=m_initial)
    budget = forms.BudgetForm(request.POST if which == "budget" else None, departments=_departments(),
                              kinds=BudgetKind.choices, prefix="b")
    if which:
        access.require_hr(user)
        ok = None
        if which == "coefficients" and coef.is_valid():
            ok = run_service(coef, lambda: services.coefficients_set(
                actor=user, cycle=cycle, coefficients=coef.values(), expected_version=coef.cleaned_data["version"]))
        elif which == "matrix" and mat.is_valid():
            ok = run_service(mat, lambda: services.merit_matrix_set(
                actor=user, cycle=cycle, cells=mat.values(), effective_date=mat.cleaned_data["effective_date"],
                expected_version=mat.cleaned_data["version"]))
        elif which == "budget" and budget.is_valid():
            d = budget.cleaned_data
            current = next((b for b in s["budgets"] if b.department_id == d["department"] and b.kind == d["kind"]),
                           None)
            ok = run_service(budget, lambda: services.budget_set(
                actor=user, cycle=cycle, department=Department.objects.get(pk=d["department"]), kind=d["kind"],
                amount_value=d["amount"], expected_version=current.version if current else None))
        if ok is not None:
            messages.success(request, _("Saved."))
            return redirect("pay:cycle_settings", cycle.pk)
    return render(request, "pay/cycle_settings.html", {
        "cycle": cycle, "coef": coef, "mat": mat, "budget_form": budget, "budgets": s["budgets"], "grades": grades,
        "is_hr": access.is_pay_hr(user), **_tabs(request, "runs")})


# --- proposals --------------------------------------------------------------------------------------------------

@not_found_as_404
def proposals(request):
    user = request.user
    if not (access.sees_totals(user) or access.is_line_manager(user)):
        raise Http404
    cycles = _cycles(published_only=True)
    form = forms.FilterForm(request.GET or None, cycles=cycles, statuses=forms.PROPOSAL_STATUSES,
                            departments=_departments() if access.sees_totals(user) else ())
    f = form.filters()
    cycle = next((c for c in cycles if c.pk == f.get("cycle")), cycles[0] if cycles else None)
    if cycle and "cycle" not in f:
        f["cycle"] = cycle.pk
    page = _page(request, selectors.proposal_list(user=user, filters=f))
    new = None
    if cycle and access.is_line_manager(user):
        candidates = list(selectors.team_candidates(user=user, cycle_id=cycle.pk))
        new = forms.ProposalForm(request.POST or None, employees=candidates)
        if request.method == "POST" and new.is_valid():
            d = new.cleaned_data
            emp = Employee.objects.get(pk=d["employee"])
            if run_service(new, lambda: services.proposal_create(
                    actor=user, cycle=cycle, employee=emp, increase_pct=d["increase_pct"],
                    justification=d["justification"])) is not None:
                messages.success(request, _("Proposal sent to HR."))
                return redirect(f"{reverse('pay:proposals')}?cycle={cycle.pk}")
    return render(request, "pay/proposals.html", {
        "form": form, "page": page, "query": _query(request), "cycle": cycle, "new": new,
        "budgets": selectors.proposal_budgets(user=user, cycle_id=cycle.pk) if cycle else [],
        "is_hr": access.is_pay_hr(user), "is_gm": access.is_gm(user), "Status": ProposalStatus,
        **_tabs(request, "proposals")})


@require_POST
@not_found_as_404
def proposal_decide(request, pk, action):
    p = selectors.proposal_get(user=request.user, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
    else:
        d = form.cleaned_data
        calls = {
            "review": lambda: services.proposal_review(actor=request.user, proposal=p, expected_version=d["version"]),
            "approve": lambda: services.proposal_approve(actor=request.user, proposal=p,
                                                         expected_version=d["version"]),
            "reject": lambda: services.proposal_reject(actor=request.user, proposal=p, note=d["note"],
                                                       expected_version=d["version"]),
        }
        if action not in calls:
            raise Http404
        try:
            calls[action]()
        except NotFound:
            raise
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Proposal updated."))
    return redirect(f"{reverse('pay:proposals')}?cycle={p.cycle_id}")


# --- team reward ----------------------------------------------------------------------------------------------------

@not_found_as_404
def teams(request):
    user = request.user
    cycles = _cycles()
    form = forms.FilterForm(request.GET or None, cycles=cycles, search=False)
    results = _page(request, selectors.team_results(user=user, filters=form.filters()))
    ctx = {"form": form, "page": results, "query": _query(request), "is_hr": access.is_pay_hr(user),
           **_tabs(request, "teams")}
    if access.sees_totals(user):
        ctx["rules"] = list(selectors.team_rules(user=user))
        ctx["evaluate"] = forms.ComputeForm(cycles=_cycles(published_only=True)) if ctx["is_hr"] else None
    return render(request, "pay/teams.html", ctx)


@require_POST
@not_found_as_404
def team_evaluate(request):
    access.require_totals(request.user)
    form = forms.ComputeForm(request.POST, cycles=_cycles(published_only=True))
    if form.is_valid():
        try:
            results = services.team_reward_evaluate(actor=request.user,
                                                    cycle=Cycle.objects.get(pk=form.cleaned_data["cycle"]))
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("%(n)s team rule(s) evaluated.") % {"n": len(results)})
    return redirect("pay:teams")


@not_found_as_404
def team_rule(request, pk=None):
    user = request.user
    access.require_totals(user)
    rule = None
    if pk is not None:
        rule = TeamRewardRule.objects.filter(pk=pk).first()
        if rule is None:
            raise Http404
    initial = {"split": "equal", "pool_kind": "fixed", "is_active": True}
    if rule:
        initial = {"department": rule.department_id, "indicator": rule.indicator_id,
                   "min_growth_pct": rule.min_growth_pct, "pool_kind": rule.pool_kind, "pool_amount": rule.pool_amount,
                   "pool_share_pct": rule.pool_share_pct, "split": rule.split, "is_active": rule.is_active,
                   "version": rule.version}
    form = forms.TeamRuleForm(request.POST or None, initial=initial, departments=_departments(),
                              indicators=list(Indicator.objects.order_by("code")))
    if request.method == "POST":
        access.require_hr(user)
        if form.is_valid():
            d = form.cleaned_data
            if run_service(form, lambda: services.team_rule_save(
                    actor=user, rule=rule, expected_version=d.get("version"),
                    department=Department.objects.get(pk=d["department"]),
                    indicator=Indicator.objects.get(pk=d["indicator"]), min_growth_pct=d["min_growth_pct"],
                    pool_kind=d["pool_kind"], pool_amount=d["pool_amount"], pool_share_pct=d["pool_share_pct"],
                    split=d["split"], is_active=d["is_active"])) is not None:
                messages.success(request, _("Team-reward rule saved."))
                return redirect("pay:teams")
    return render(request, "pay/team_rule.html", {"form": form, "rule": rule, "is_hr": access.is_pay_hr(user),
                                                  **_tabs(request, "teams")})


@not_found_as_404
def team_result(request, pk):
    result = selectors.team_result_get(user=request.user, pk=pk)
    return render(request, "pay/team.html", {"result": result, "rule": result.rule, **_tabs(request, "teams")})


