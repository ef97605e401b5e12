"""The manager's team page: what waits to be scored and where each appraisal stands."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import forms, permissions, selectors
from ..models import Status
from .common import PAGE_SIZE, query_string, tabs


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
        "form": form, "page": page, "rows": rows, "query": query_string(request), "to_score": to_score,
        "waiting": waiting, "blockers": list(selectors.team_blockers(user=request.user)[:50]),
        **tabs(request, "team")})
