"""Pages of the goal cascade: the alignment tree, my goals, a goal, its progress, the goal form."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError
from apps.core.forms import run_service

from .. import selectors, services
from ..forms import GoalForm, GoalProgressForm, GoalTreeFilterForm
from ..models import AnnualPlan, Goal
from .common import get_or_404, is_planner, query_without_page, refuse_goal_change

# --- goals ---------------------------------------------------------------------------------------

def _years() -> list[int]:
    return list(AnnualPlan.objects.order_by("-year").values_list("year", flat=True))


def _default_year(years: list[int]) -> int:
    this = timezone.localdate().year
    return this if this in years or not years else years[0]


@login_required
def goal_tree(request):
    years = _years()
    default = _default_year(years)
    form = GoalTreeFilterForm(request.GET or None, years=years or [default], initial={"year": default})
    filters = {"year": default}
    if form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    tree = selectors.goal_tree(user=request.user, filters=filters)
    me = selectors.viewer_employee(request.user)
    return render(request, "plans/goal_tree.html", {
        "form": form, "tree": tree, "year": filters["year"], "annual_plan": selectors.annual_plan_for_year(filters["year"]),
        "sees_all": selectors.sees_all_goals(request.user), "expand_all": bool(set(filters) - {"year"}),
        "can_create": is_planner(request.user) or selectors.is_line_manager(request.user)
        or (me is not None and not selectors.files_monthly_plans(me)),
    })


@login_required
def my_goals(request):
    years = _years()
    default = _default_year(years)
    form = GoalTreeFilterForm(request.GET or None, years=years or [default], initial={"year": default})
    filters = {"year": default}
    if form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    filters["mine"] = True
    page = Paginator(selectors.goal_list(user=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    me = selectors.viewer_employee(request.user)
    return render(request, "plans/my_goals.html", {
        "form": form, "page": page, "query": query_without_page(request), "me": me, "year": filters["year"],
        "lists_own_goals": me is not None and not selectors.files_monthly_plans(me),
        "ack": selectors.acknowledgement_for(me, filters["year"]) if me else None,
    })


@login_required
def goal_detail(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    children = list(selectors.goal_list(user=request.user, filters={"parent": goal.pk}))
    is_leaf = not Goal.objects.filter(parent=goal).exists()
    can_progress = is_leaf and services.goal_can_report_progress(request.user, goal)
    form = GoalProgressForm(initial={"progress": goal.progress, "actual": goal.actual, "version": goal.version})
    return render(request, "plans/goal_detail.html", {
        "goal": goal, "chain": selectors.goal_chain(goal, user=request.user), "children": children,
        "children_weight": sum((c.weight for c in children), Decimal("0")), "is_leaf": is_leaf,
        "can_edit": goal.status == "draft"
        and services.goal_can_manage(request.user, department=goal.department, employee=goal.employee),
        "can_approve": goal.status == "draft" and services.goal_can_approve(request.user, goal),
        "can_request_change": goal.status == "approved"
        and (services.goal_can_manage(request.user, department=goal.department, employee=goal.employee)
             or services.goal_owned_by(request.user, goal)),
        "reason_max": services.GOAL_REASON_MAX,
        "approved_by_name": selectors.person_label(goal.approved_by) if goal.approved_by_id else "",
        "can_progress": can_progress, "progress_form": form,
        "can_add_child": is_planner(request.user) or selectors.is_line_manager(request.user),
    })


@require_POST
@login_required
def goal_progress(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    if not services.goal_can_report_progress(request.user, goal):
        return refuse_goal_change(request, goal, _("Only the goal's owner, their managers and HR may report its "
                                                   "progress."), hint=False)
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        if run_service(form, lambda: services.goal_progress_update(
                actor=request.user, goal=goal, progress=cd["progress"], actual=cd["actual"],
                expected_version=cd["version"])) is not None:
            messages.success(request, _("Progress saved; the goals above were recalculated."))
            return redirect("plans:goal_detail", pk=goal.pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect("plans:goal_detail", pk=goal.pk)


def _goal_form_page(request, goal: Goal | None):
    editing = goal is not None
    years = _years()
    parent_id = request.GET.get("parent")
    parent = None
    if parent_id and not editing:
        parent = Goal.objects.filter(selectors.goal_scope_q(request.user), pk=parent_id).first()
    year = goal.year if editing else parent.year if parent else _default_year(years)
    if not editing and parent is None and (request.GET.get("year") or "").isdigit():
        year = int(request.GET["year"])
    parent_choices = [(pk, label) for pk, label in selectors.goal_choices_for_plan(user=request.user, year=year)
                      if not (editing and pk == goal.pk)]
    if editing:
        initial = {f: getattr(goal, f) for f in ("annual_plan", "name_zh", "name_en", "code", "owner_kind",
                                                 "department", "position", "period_kind", "period_index", "measure",
                                                 "unit", "target", "weight", "theme", "description", "version")}
        initial["parent"] = goal.parent_id
        initial["employee_no"] = goal.employee.employee_no if goal.employee_id else ""
    else:
        me = selectors.viewer_employee(request.user)
        initial = {"annual_plan": selectors.annual_plan_for_year(year), "parent": parent.pk if parent else None,
                   "weight": 100, "period_index": 1}
        if parent is not None:
            initial.update({"period_kind": parent.period_kind, "period_index": parent.period_index,
                            "department": parent.department_id, "owner_kind": "department"})
        if request.GET.get("owner") == "me" and me is not None:
            initial.update({"owner_kind": "employee", "employee_no": me.employee_no, "period_kind": "quarter"})
    form = GoalForm(request.POST or None, initial=initial, parent_choices=parent_choices, editing=editing)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        new_parent = Goal.objects.filter(pk=cd["parent"]).first() if cd.get("parent") else None
        common = {k: cd[k] for k in ("name_zh", "name_en", "code", "period_kind", "period_index", "measure", "unit",
                                     "target", "weight", "theme", "description")}
        if editing:
            result = run_service(form, lambda: services.goal_update(
                actor=request.user, goal=goal, expected_version=cd["version"], parent=new_parent, **common))
        else:
            result = run_service(form, lambda: services.goal_create(
                actor=request.user, annual_plan=cd["annual_plan"], parent=new_parent, owner_kind=cd["owner_kind"],
                department=cd["department"], position=cd["position"], employee=cd["employee"], **common))
        if result is not None:
            messages.success(request, _("Saved."))
            return redirect("plans:goal_detail", pk=result.pk)
    return render(request, "plans/goal_form.html", {"form": form, "goal": goal, "editing": editing, "year": year})


@login_required
def goal_new(request):
    return _goal_form_page(request, None)


@login_required
def goal_edit(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    if not services.goal_can_manage(request.user, department=goal.department, employee=goal.employee):
        return refuse_goal_change(request, goal, _("You may see this goal but not change it."))
    return _goal_form_page(request, goal)


@require_POST
@login_required
def goal_delete(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    if not services.goal_can_manage(request.user, department=goal.department, employee=goal.employee):
        return refuse_goal_change(request, goal, _("You may see this goal but not change it."))
    parent_id = goal.parent_id
    try:
        services.goal_delete(actor=request.user, goal=goal, expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("plans:goal_detail", pk=goal.pk)
    messages.success(request, _("The goal was deleted."))
    return redirect("plans:goal_detail", pk=parent_id) if parent_id else redirect("plans:goal_tree")



@require_POST
@login_required
def goal_approve(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    try:
        services.goal_approve(actor=request.user, goal=goal, expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Approved: the goal is now locked."))
    return redirect("plans:goal_detail", pk=goal.pk)


@require_POST
@login_required
def goal_change_request(request, pk):
    goal = get_or_404(selectors.goal_get, user=request.user, pk=pk)
    try:
        services.goal_change_request(actor=request.user, goal=goal, reason=request.POST.get("reason", ""),
                                     expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The goal is back in draft: change it, then ask for approval again."))
    return redirect("plans:goal_detail", pk=goal.pk)
