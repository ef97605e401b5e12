"""HTML pages: thin. Forms validate input, the services decide; domain errors land on the forms."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import periods
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_executive, is_hr

from . import selectors, services
from .forms import (
    AcknowledgeForm,
    AnnualPlanForm,
    BulkConfirmForm,
    GoalForm,
    GoalProgressForm,
    GoalTreeFilterForm,
    ItemCompleteForm,
    PlanReopenForm,
    PlanReturnForm,
    PlanSettingsForm,
    PlanStartForm,
    PlanVersionForm,
    StrategyForm,
    TeamFilterForm,
    ThemeForm,
    item_formset,
)
from .models import AnnualPlan, Goal, PlanItem, PlanStatus, StrategicTheme, Strategy

FIELD_LABELS = {
    "task": gettext_lazy("Task"), "expected_result": gettext_lazy("Expected result / standard"),
    "weight": gettext_lazy("Weight (%)"), "due_date": gettext_lazy("Due date"), "goal_id": gettext_lazy("Goal served"),
    "carried_from": gettext_lazy("Carried forward from"),
}
ROLE_LABELS = {"employee": gettext_lazy("employee"), "supervisor": gettext_lazy("supervisor"),
               "hr": gettext_lazy("HR")}
ACTION_LABELS = {
    "monthly_plan.create": gettext_lazy("Started the plan"), "monthly_plan.items_save": gettext_lazy("Changed the items"),
    "monthly_plan.submit": gettext_lazy("Submitted"), "monthly_plan.return": gettext_lazy("Returned"),
    "monthly_plan.confirm": gettext_lazy("Confirmed"), "monthly_plan.reopen": gettext_lazy("Reopened"),
    "monthly_plan.carry_forward": gettext_lazy("Carried forward last month's unfinished items"),
}


def _user_name(user) -> str:
    if user is None:
        return "—"
    emp = getattr(user, "employee", None)
    return emp.name if emp is not None else user.get_username()


def _status_text(value) -> str:
    return str(PlanStatus(value).label) if value in PlanStatus.values else ""


def _change_rows(changes) -> list[dict]:
    goal_ids = {v for c in changes for k, pair in c.changes.items() if k == "goal_id" for v in pair if v}
    names = {g.pk: g.name for g in Goal.objects.filter(pk__in=goal_ids)} if goal_ids else {}
    rows = []
    for c in changes:
        fields = []
        for key, (old, new) in c.changes.items():
            if key == "goal_id":
                old, new = names.get(old, old), names.get(new, new)
            fields.append((FIELD_LABELS.get(key, key), old, new))
        rows.append({"change": c, "actor": _user_name(c.actor), "role": ROLE_LABELS.get(c.actor_role, c.actor_role),
                     "fields": fields})
    return rows


def _history_rows(events) -> list[dict]:
    rows = []
    for e in events:
        before, after = e.before or {}, e.after or {}
        note = after.get("return_comment") if e.action == "monthly_plan.return" else (
            after.get("reopen_reason") if e.action == "monthly_plan.reopen" else "")
        rows.append({"at": e.at, "actor_name": _user_name(e.actor), "label": ACTION_LABELS.get(e.action, e.action),
                     "status_before": _status_text(before.get("status")), "status_after": _status_text(after.get("status")),
                     "note": note})
    return rows


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def _is_planner(user) -> bool:
    return is_hr(user) or is_executive(user)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- strategy and annual plans --------------------------------------------------------------------

@login_required
def strategy(request):
    strategies = list(selectors.strategy_list())
    return render(request, "plans/strategy.html", {
        "strategies": strategies, "annual_plans": selectors.annual_plan_list(), "can_edit": _is_planner(request.user),
    })


def _simple_form(request, *, form, title, back, call, success):
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: call(form.cleaned_data)) is not None:
            messages.success(request, success)
            return redirect(back)
    return render(request, "plans/simple_form.html", {"form": form, "title": title, "back": back})


def _planner_only(request):
    if not _is_planner(request.user):
        raise Http404


@login_required
def strategy_new(request):
    _planner_only(request)
    form = StrategyForm(request.POST or None, initial={"start_year": timezone.localdate().year,
                                                        "end_year": timezone.localdate().year + 2})

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        return services.strategy_create(actor=request.user, **cd)

    return _simple_form(request, form=form, title=_("New strategy"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def strategy_edit(request, pk):
    _planner_only(request)
    obj = Strategy.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("code", "name_zh", "name_en", "start_year", "end_year", "description",
                                            "version")}
    form = StrategyForm(request.POST or None, initial=initial)

    def call(cd):
        version = cd.pop("version", None)
        return services.strategy_update(actor=request.user, strategy=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit strategy"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def theme_new(request, strategy_pk):
    _planner_only(request)
    obj = Strategy.objects.filter(pk=strategy_pk).first()
    if obj is None:
        raise Http404
    form = ThemeForm(request.POST or None)

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        cd["order"] = cd.get("order") or 0
        return services.theme_create(actor=request.user, strategy=obj, **cd)

    return _simple_form(request, form=form, title=_("New theme of %(strategy)s") % {"strategy": obj.name},
                        back=reverse("plans:strategy"), call=call, success=_("Saved."))


@login_required
def theme_edit(request, pk):
    _planner_only(request)
    obj = StrategicTheme.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("name_zh", "name_en", "perspective", "order", "description", "version")}
    form = ThemeForm(request.POST or None, initial=initial)

    def call(cd):
        version = cd.pop("version", None)
        cd["order"] = cd.get("order") or 0
        return services.theme_update(actor=request.user, theme=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit theme"), back=reverse("plans:strategy"), call=call,
                        success=_("Saved."))


@login_required
def annual_plan_new(request):
    _planner_only(request)
    form = AnnualPlanForm(request.POST or None, initial={"year": timezone.localdate().year,
                                                          "strategy": Strategy.objects.filter(is_active=True).first()})

    def call(cd):
        cd = {k: v for k, v in cd.items() if k != "version"}
        return services.annual_plan_create(actor=request.user, **cd)

    return _simple_form(request, form=form, title=_("New annual business plan"), back=reverse("plans:strategy"),
                        call=call, success=_("Saved."))


@login_required
def annual_plan_edit(request, pk):
    _planner_only(request)
    obj = AnnualPlan.objects.filter(pk=pk).first()
    if obj is None:
        raise Http404
    initial = {f: getattr(obj, f) for f in ("year", "strategy", "name_zh", "name_en", "summary", "version")}
    form = AnnualPlanForm(request.POST or None, initial=initial)
    form.fields["year"].disabled = True

    def call(cd):
        version = cd.pop("version", None)
        cd.pop("year", None)
        return services.annual_plan_update(actor=request.user, annual_plan=obj, expected_version=version, **cd)

    return _simple_form(request, form=form, title=_("Edit annual business plan"), back=reverse("plans:strategy"),
                        call=call, success=_("Saved."))


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
        "can_create": _is_planner(request.user) or selectors.is_line_manager(request.user)
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
        "form": form, "page": page, "query": _query_without_page(request), "me": me, "year": filters["year"],
        "lists_own_goals": me is not None and not selectors.files_monthly_plans(me),
        "ack": selectors.acknowledgement_for(me, filters["year"]) if me else None,
    })


@login_required
def goal_detail(request, pk):
    goal = _get_or_404(selectors.goal_get, user=request.user, pk=pk)
    children = list(selectors.goal_list(user=request.user, filters={"parent": goal.pk}))
    is_leaf = not Goal.objects.filter(parent=goal).exists()
    can_progress = is_leaf and services.goal_can_report_progress(request.user, goal)
    form = GoalProgressForm(initial={"progress": goal.progress, "actual": goal.actual, "version": goal.version})
    return render(request, "plans/goal_detail.html", {
        "goal": goal, "chain": selectors.goal_chain(goal, user=request.user), "children": children,
        "children_weight": sum((c.weight for c in children), Decimal("0")), "is_leaf": is_leaf,
        "can_edit": services.goal_can_manage(request.user, department=goal.department, employee=goal.employee),
        "can_progress": can_progress, "progress_form": form,
        "can_add_child": _is_planner(request.user) or selectors.is_line_manager(request.user),
    })


@require_POST
@login_required
def goal_progress(request, pk):
    goal = _get_or_404(selectors.goal_get, user=request.user, pk=pk)
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
    goal = _get_or_404(selectors.goal_get, user=request.user, pk=pk)
    if not services.goal_can_manage(request.user, department=goal.department, employee=goal.employee):
        raise Http404
    return _goal_form_page(request, goal)


@require_POST
@login_required
def goal_delete(request, pk):
    goal = _get_or_404(selectors.goal_get, user=request.user, pk=pk)
    parent_id = goal.parent_id
    try:
        services.goal_delete(actor=request.user, goal=goal, expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("plans:goal_detail", pk=goal.pk)
    messages.success(request, _("The goal was deleted."))
    return redirect("plans:goal_detail", pk=parent_id) if parent_id else redirect("plans:goal_tree")


# --- monthly plans -------------------------------------------------------------------------------

@login_required
def my_plan(request):
    me = selectors.viewer_employee(request.user)
    year, month = periods.parse_month(request.GET.get("month"), timezone.localdate())
    context = {"me": me, "year": year, "month": month, "month_key": periods.month_key(year, month),
               "month_label": periods.month_label(year, month)}
    if me is not None and selectors.files_monthly_plans(me):
        plan = selectors.monthly_plan_for(employee=me, year=year, month=month)
        if plan is not None:
            return redirect("plans:plan_detail", pk=plan.pk)
        py, pm = periods.shift_month(year, month, -1)
        previous = selectors.monthly_plan_for(employee=me, year=py, month=pm)
        context.update({
            "files_plans": True, "due": selectors.plan_due_date(year, month),
            "previous": previous, "unfinished": previous.items.filter(completed=False).count() if previous else 0,
            "start_form": PlanStartForm(initial={"month": context["month_key"], "carry_forward": True}),
            "history": selectors.plan_history_for_employee(me),
            "prev_key": periods.month_key(py, pm), "next_key": periods.month_key(*periods.shift_month(year, month, 1)),
        })
        context["overdue"] = selectors.plan_is_overdue(None, context["due"])
    return render(request, "plans/my_plan.html", context)


@require_POST
@login_required
def plan_start(request):
    me = selectors.viewer_employee(request.user)
    form = PlanStartForm(request.POST)
    if me is None or not form.is_valid():
        raise Http404
    year, month = periods.parse_month(form.cleaned_data["month"], timezone.localdate())
    try:
        plan = services.plan_create(actor=request.user, employee=me, year=year, month=month,
                                    carry_forward=form.cleaned_data["carry_forward"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('plans:my_plan')}?month={periods.month_key(year, month)}")
    return redirect("plans:plan_detail", pk=plan.pk)


def _item_rows(formset) -> tuple[list[dict], list[int]]:
    """The rows to save, and for each row the index of its form (to put errors on the right row)."""
    rows, index = [], []
    for i, form in enumerate(formset.forms):
        cd = getattr(form, "cleaned_data", None)
        if not cd or cd.get("DELETE"):
            continue
        rows.append({k: cd.get(k) for k in ("id", "task", "expected_result", "weight", "due_date", "goal")})
        index.append(i)
    return rows, index


def _goal_choices(request, plan, items) -> list[tuple[int, str]]:
    keep = {i.goal_id for i in items if i.goal_id}
    return selectors.goal_choices_for_plan(user=request.user, year=plan.year, keep=keep)


def _plan_context(request, plan, *, formset=None, version_form=None, errors=()):
    actions = services.plan_actions(request.user, plan)
    items = selectors.plan_items(plan)
    due = selectors.plan_due_date(plan.year, plan.month)
    first, last = plan.bounds
    role = services.editing_role(request.user, plan) if "edit" in actions else None
    if "edit" in actions and formset is None:
        formset = item_formset(items=items, goal_choices=_goal_choices(request, plan, items),
                               first=first, last=last, extra=5 if not items else 2)
    me = selectors.viewer_employee(request.user)
    is_owner = me is not None and me.pk == plan.employee_id
    total = sum((i.weight for i in items), Decimal("0"))
    return {
        "plan": plan, "items": items, "actions": actions, "formset": formset, "role": role,
        "version_form": version_form or PlanVersionForm(initial={"version": plan.version}),
        "return_form": PlanReturnForm(initial={"version": plan.version}),
        "reopen_form": PlanReopenForm(initial={"version": plan.version}),
        "total_weight": total, "weights_ok": total == Decimal("100"), "due": due,
        "overdue": selectors.plan_is_overdue(plan.status, due), "changes": _change_rows(selectors.plan_changes(plan)),
        "history": _history_rows(selectors.plan_history(plan)), "errors": errors, "is_owner": is_owner,
        "approver": services.approver_name(plan.employee),
        "ack": selectors.acknowledgement_for(plan.employee, plan.year),
        "new_hire": selectors.is_new_hire(plan.employee),
        "reopened_last": bool(plan.reopened_at and (not plan.returned_at or plan.reopened_at > plan.returned_at)),
        "month_key": plan.month_key,
        "prev_key": periods.month_key(*periods.shift_month(plan.year, plan.month, -1)),
        "next_key": periods.month_key(*periods.shift_month(plan.year, plan.month, 1)),
        "past_plans": selectors.plan_history_for_employee(plan.employee, limit=6) if is_owner else [],
    }


@login_required
def plan_detail(request, pk):
    plan = _get_or_404(selectors.monthly_plan_get, user=request.user, pk=pk)
    if request.method != "POST":
        return render(request, "plans/plan_detail.html", _plan_context(request, plan))
    first, last = plan.bounds
    formset = item_formset(data=request.POST, goal_choices=_goal_choices(request, plan, plan.items.all()),
                           first=first, last=last)
    version_form = PlanVersionForm(request.POST)
    submit = request.POST.get("action") == "submit"
    errors: list[str] = []
    if formset.is_valid() and version_form.is_valid():
        rows, index = _item_rows(formset)
        try:
            services.plan_items_save(actor=request.user, plan=plan, items=rows,
                                     expected_version=version_form.cleaned_data["version"])
        except ApplicationError as exc:
            item = exc.extra.get("item")
            field = exc.extra.get("item_field")
            if item is not None and item < len(index) and field in formset.forms[index[item]].fields:
                formset.forms[index[item]].add_error(field, exc.message)
            errors.append(exc.message)
        else:
            if not submit:
                messages.success(request, _("Plan saved."))
                return redirect("plans:plan_detail", pk=plan.pk)
            try:
                services.plan_submit(actor=request.user, plan=plan)
            except ApplicationError as exc:
                messages.error(request, _("Saved, but not submitted: %(reason)s") % {"reason": exc.message})
            else:
                messages.success(request, _("Plan submitted to %(who)s.") % {"who": services.approver_name(
                    plan.employee)})
            return redirect("plans:plan_detail", pk=plan.pk)
    else:
        errors.append(_("Please correct the errors below."))
    return render(request, "plans/plan_detail.html",
                  _plan_context(request, plan, formset=formset, version_form=version_form, errors=errors))


@require_POST
@login_required
def plan_action(request, pk, action):
    plan = _get_or_404(selectors.monthly_plan_get, user=request.user, pk=pk)
    form_class = {"return": PlanReturnForm, "reopen": PlanReopenForm}.get(action, PlanVersionForm)
    form = form_class(request.POST)
    if not form.is_valid():
        if action == "return":
            messages.error(request, _("Say what needs to change: a returned plan needs a comment."))
        elif action == "reopen":
            messages.error(request, _("Give the reason for reopening a confirmed plan."))
        return redirect("plans:plan_detail", pk=plan.pk)
    cd = form.cleaned_data
    version = cd.get("version")
    calls = {
        "submit": lambda: services.plan_submit(actor=request.user, plan=plan, expected_version=version),
        "return": lambda: services.plan_return(actor=request.user, plan=plan, comment=cd["comment"],
                                               expected_version=version),
        "confirm": lambda: services.plan_confirm(actor=request.user, plan=plan, expected_version=version),
        "reopen": lambda: services.plan_reopen(actor=request.user, plan=plan, reason=cd["reason"],
                                               expected_version=version),
        "carry_forward": lambda: services.plan_carry_forward(actor=request.user, plan=plan),
    }
    if action not in calls:
        raise Http404
    done = {
        "submit": _("Plan submitted."), "return": _("Plan returned with your comment."),
        "confirm": _("Plan confirmed and locked."), "reopen": _("Plan reopened; it is back with the employee."),
    }
    try:
        result = calls[action]()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if action == "carry_forward":
            messages.success(request, _("%(n)s unfinished item(s) carried forward.") % {"n": result} if result
                             else _("Nothing to carry forward: every item of last month was completed."))
        else:
            messages.success(request, done[action])
    return redirect("plans:plan_detail", pk=plan.pk)


@require_POST
@login_required
def item_complete(request, item_pk):
    item = PlanItem.objects.filter(pk=item_pk).select_related("plan").first()
    if item is None:
        raise Http404
    _get_or_404(selectors.monthly_plan_get, user=request.user, pk=item.plan_id)
    form = ItemCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.plan_item_complete(actor=request.user, item=item, completed=form.cleaned_data["completed"],
                                        result_note=form.cleaned_data["result_note"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Result saved."))
    return redirect("plans:plan_detail", pk=item.plan_id)


@login_required
def team(request):
    data = request.GET.copy()
    year, month = periods.parse_month(data.get("month"), timezone.localdate())
    data["month"] = periods.month_key(year, month)
    form = TeamFilterForm(data)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors.team_plan_rows(user=request.user, year=year, month=month, filters=filters)
    if request.method == "POST":
        ids = request.POST.getlist("plans")
        bulk = BulkConfirmForm(request.POST, plan_ids=ids)
        if bulk.is_valid():
            result = services.plan_bulk_confirm(actor=request.user, plan_ids=bulk.cleaned_data["plans"])
            if result["confirmed"]:
                messages.success(request, _("%(n)s plan(s) confirmed.") % {"n": len(result["confirmed"])})
            for plan, reason in result["skipped"]:
                messages.warning(request, _("%(plan)s was not confirmed: %(reason)s") % {"plan": plan,
                                                                                         "reason": reason})
        else:
            messages.error(request, _("Tick the plans to confirm."))
        return redirect(f"{reverse('plans:team')}?{request.GET.urlencode()}")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    me = selectors.viewer_employee(request.user)
    hr = is_hr(request.user)
    due = selectors.plan_due_date(year, month)
    rows = []
    for emp in page.object_list:
        can_confirm = emp.plan_status == PlanStatus.SUBMITTED and (
            (me is not None and emp.supervisor_id == me.pk)
            or (hr and not (emp.supervisor_id and emp.supervisor.is_active and emp.supervisor.user_id)))
        rows.append({"employee": emp, "overdue": selectors.plan_is_overdue(emp.plan_status, due),
                     "can_confirm": can_confirm, "weights_ok": emp.total_weight == Decimal("100"),
                     "new_hire": selectors.is_new_hire(emp)})
    counts = selectors.team_status_counts(user=request.user, year=year, month=month, filters=filters)
    return render(request, "plans/team.html", {
        "form": form, "page": page, "rows": rows, "query": _query_without_page(request), "due": due,
        "month_label": periods.month_label(year, month), "month_key": periods.month_key(year, month),
        "counts": counts, "any_confirmable": any(r["can_confirm"] for r in rows),
        "past_due": timezone.localdate() > due, "is_hr": hr,
        "prev_key": periods.month_key(*periods.shift_month(year, month, -1)),
        "next_key": periods.month_key(*periods.shift_month(year, month, 1)),
    })


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
