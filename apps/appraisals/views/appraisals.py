"""The appraisal pages: home (where each user starts), HR's list, one appraisal (also "my appraisal")
with its self-assessment, scoring, verify and publish actions."""
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

from .. import forms, permissions, selectors, services
from ..models import Appraisal, Status
from .common import PAGE_SIZE, back, flash_error, or_404, query_string, tabs


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
                                                     "query": query_string(request), **tabs(request, "list")})


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
        "can_publish": hr and services.can_publish(request.user, appraisal),
        "history": selectors.appraisal_history(appraisal, lines) if vis.history else [],
        "other_appraisals": others, "return_form": forms.ReturnForm(),
        "next_step": selectors.next_step(appraisal, relations), **tabs(request, tab)})


@login_required
def appraisal_detail(request, pk):
    appraisal, relations = or_404(selectors.appraisal_get, user=request.user, pk=pk)
    return _render_appraisal(request, appraisal, relations, tab="my" if "self" in relations else "list")


@login_required
def appraisal_form_pdf(request, pk):
    """The appraisal form (考核表) as a PDF in the reader's language; 404 for whoever may not see it."""
    from ..pdf import form_filename, form_pdf

    appraisal, relations = or_404(selectors.appraisal_get, user=request.user, pk=pk)
    response = HttpResponse(form_pdf(appraisal, relations), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{form_filename(appraisal)}"'
    return response


@login_required
def my_appraisal(request):
    latest = selectors.my_appraisals(user=request.user).first()
    if latest is None:
        return render(request, "appraisals/my_empty.html", tabs(request, "my"))
    appraisal, relations = or_404(selectors.appraisal_get, user=request.user, pk=latest.pk)
    return _render_appraisal(request, appraisal, relations, tab="my")


def _scoring_post(request, pk, role: str):
    appraisal, relations = or_404(selectors.appraisal_get, user=request.user, pk=pk)
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
        flash_error(request, exc)
    else:
        messages.success(request, _("Verified: the lines scored by rule are scored."))
    return back(request, reverse("appraisals:detail", args=[pk]))


@login_required
@require_POST
def appraisal_publish(request, pk):
    appraisal, _rel = or_404(selectors.appraisal_get, user=request.user, pk=pk)
    try:
        services.appraisal_publish(actor=request.user, appraisal=appraisal,
                                   expected_version=request.POST.get("version") or None)
    except ApplicationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Published; the employee was notified."))
    return redirect("appraisals:detail", pk=pk)
