"""Pages of one employee's monthly work plan: my plan, a plan with its items, its moves and results."""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import periods
from apps.core.exceptions import ApplicationError

from .. import selectors, services
from ..forms import (
    ItemCompleteForm,
    PlanReopenForm,
    PlanReturnForm,
    PlanStartForm,
    PlanVersionForm,
    item_formset,
)
from ..models import Goal, PlanItem, PlanStatus
from .common import get_or_404

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
    plan = get_or_404(selectors.monthly_plan_get, user=request.user, pk=pk)
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
    plan = get_or_404(selectors.monthly_plan_get, user=request.user, pk=pk)
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
    get_or_404(selectors.monthly_plan_get, user=request.user, pk=item.plan_id)
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
def plan_pdf(request, pk):
    """The monthly plan as a PDF in the reader's language; 404 for whoever may not see the plan."""
    from ..pdf import plan_pdf as render_plan_pdf

    plan = get_or_404(selectors.monthly_plan_get, user=request.user, pk=pk)
    response = HttpResponse(render_plan_pdf(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="work-plan-{plan.employee.employee_no}-{plan.month_key}.pdf"'
    return response
