"""What the appraisal pages share: the tabs, 404 for what the user may not see, the query string
of a list, going back after a POST."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.roles import is_hr

from .. import permissions, selectors

PAGE_SIZE = 25


def or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def query_string(request) -> str:
    """The list's query string without the page number (for the pagination links)."""
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def tabs(request, current: str) -> dict:
    user = request.user
    entries = [("my", _("My appraisal"), reverse("appraisals:my"))]
    if selectors.has_team(user):
        entries.append(("team", _("My team"), reverse("appraisals:team")))
    if is_hr(user) or selectors.is_data_owner(user):
        entries.append(("actuals", _("Actuals"), reverse("appraisals:actuals")))
    if is_hr(user):
        entries.append(("list", _("All appraisals"), reverse("appraisals:list")))
        entries.append(("cycles", _("Cycles"), reverse("appraisals:cycles")))
    if is_hr(user) or permissions.headed_paths(user):
        entries.append(("calibration", _("Calibration"), reverse("appraisals:calibration_home")))
    return {"tabs": entries, "current_tab": current}


def back(request, default: str):
    nxt = request.POST.get("next") or ""
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(default)


def flash_error(request, exc: ApplicationError):
    messages.error(request, exc.message)
