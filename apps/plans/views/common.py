"""What the pages of the plans app share (package-internal)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from apps.core.exceptions import NotFound
from apps.core.roles import is_executive, is_hr


def get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def refuse(message: str = "") -> None:
    """A page the user may see but not act on: 403 (a page the user may not see is 404)."""
    raise PermissionDenied(message)


def is_planner(user) -> bool:
    return is_hr(user) or is_executive(user)


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()

