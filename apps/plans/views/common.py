"""What the pages of the plans app share (package-internal)."""
from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from apps.core.exceptions import NotFound
from apps.core.roles import is_executive, is_hr


def get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def refuse_goal_change(request, goal, message: str, *, hint: bool = True) -> HttpResponse:
    """A goal the user may read but not change: 403, with the reason and the way back (a goal the
    user may not read is 404)."""
    return render(request, "plans/forbidden.html", {"goal": goal, "message": message, "hint": hint}, status=403)


def is_planner(user) -> bool:
    return is_hr(user) or is_executive(user)


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()

