"""Dashboard pages: thin, everything comes from ``selectors`` (summary tables only)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotFound

from . import selectors, services


def _cycle_id(request) -> int | None:
    value = request.GET.get("cycle", "")
    return int(value) if value.isdigit() else None


def _render(request, scope: selectors.Scope, *, template: str = "dashboards/dashboard.html"):
    try:
        board = selectors.dashboard(user=request.user, scope=scope, cycle_id=_cycle_id(request))
    except NotFound:
        raise Http404 from None
    return render(request, template, {
        "board": board, "scope": scope, "data": board.data, "payload": selectors.payload(board),
        "tabs": selectors.scope_tabs(request.user, scope.key),
        "can_see_company": selectors.sees_everything(request.user),
        "can_rollup": services.may_request_rollup(request.user),
    })


@login_required
def home(request):
    return redirect(selectors.home_url(request.user))


@login_required
def company(request):
    try:
        selectors.require_company(request.user)
    except NotFound:
        raise Http404 from None
    return _render(request, selectors.company_scope())


@login_required
def department(request, pk):
    try:
        dept = selectors.department_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return _render(request, selectors.department_scope(dept))


@login_required
def team(request, pk):
    try:
        manager = selectors.team_manager_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return _render(request, selectors.team_scope(manager))


@login_required
def my_trend(request):
    rows = selectors.my_trend(user=request.user)
    return render(request, "dashboards/my_trend.html", {
        "rows": rows, "tabs": selectors.scope_tabs(request.user, "me"),
        "payload": {"trend": [{"label": r["label"], "mean": r["total"], "grade": r["grade"]} for r in rows]},
    })


@login_required
@require_POST
def rollup_now(request, pk):
    """HR: queue a roll-up of the cycle now instead of waiting for the next minute's check."""
    try:
        services.rollup_request(actor=request.user, cycle_id=pk)
        messages.success(request, _("The figures are being recalculated; reload the page in a moment."))
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("next") or "/dashboards/"
    return redirect(back if back.startswith("/") and not back.startswith("//") else "/dashboards/")
