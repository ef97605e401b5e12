"""Feedback pages: thin. The manager (or HR) invites and reads; colleagues answer their invitations;
external customers answer through their one-time link, without an account."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from apps.core.exceptions import NotFound
from apps.core.forms import run_service
from apps.core.periods import current_period
from apps.core.roles import is_hr
from apps.org import access
from apps.org.models import Employee

from . import selectors, services
from .forms import AnswerForm, ChooseEmployeeForm, RequestForm
from .models import SourceKind


def _requestable(user):
    qs = Employee.objects.filter(is_active=True).select_related("department").order_by("employee_no")
    if is_hr(user):
        return qs
    viewer = access.viewer_for(user)
    return qs.filter(supervisor_id=viewer.employee_id) if viewer.employee_id else qs.none()


@login_required
def request_list(request):
    if not selectors.may_request_feedback(request.user):
        return redirect("feedback:answer_mine")
    q = (request.GET.get("q") or "").strip()
    page = Paginator(selectors.request_list(user=request.user, q=q), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "feedback/request_list.html", {"page": page, "q": q, "query": query.urlencode()})


@login_required
def request_new(request):
    employees = _requestable(request.user)
    form = ChooseEmployeeForm(request.GET or None, employees=employees)
    if form.is_valid():
        return redirect("feedback:new_for", employee_pk=form.cleaned_data["employee"].pk)
    return render(request, "feedback/choose_employee.html", {"form": form, "has_employees": employees.exists()})


@login_required
def request_new_for(request, employee_pk):
    subject = _requestable(request.user).filter(pk=employee_pk).first()
    if subject is None:
        raise Http404
    level = subject.job_level
    initial = {"period": current_period(level.review_frequency).code} if level else {}
    form = RequestForm(request.POST or None, subject=subject, initial=initial,
                       requester_pk=access.viewer_for(request.user).employee_id)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        colleagues = ([(SourceKind.PEER, e) for e in d["peers"]]
                      + [(SourceKind.SUBORDINATE, e) for e in d["subordinates"]]
                      + [(SourceKind.MANAGER, e) for e in d["managers"]])
        req = run_service(form, lambda: services.feedback_request_create(
            actor=request.user, subject=subject, period=d["period"], closes_on=d["closes_on"], message=d["message"],
            colleagues=colleagues, externals=d["externals"]))
        if req is not None:
            messages.success(request, _("Invitations sent."))
            return redirect("feedback:detail", pk=req.pk)
    return render(request, "feedback/request_form.html", {"form": form, "subject": subject})


@login_required
def request_detail(request, pk):
    try:
        req = selectors.request_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404
    return render(request, "feedback/request_detail.html", {"req": req, **selectors.answers_view(req)})


@login_required
def answer_mine(request):
    return render(request, "feedback/answer_mine.html", {"invitations": selectors.open_invitations(request.user)})


@login_required
def answer(request, pk):
    try:
        inv = selectors.invitation_for_respondent(request.user, pk)
    except NotFound:
        raise Http404
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.feedback_answer(actor=request.user, invitation=inv,
                                                              **form.cleaned_data)) is not None:
            messages.success(request, _("Thank you: your feedback was recorded."))
            return redirect("feedback:answer_mine")
    return render(request, "feedback/answer_form.html", {"form": form, "inv": inv, "external": False})


@never_cache
def external(request, token):
    """No login: the one-time link of an external customer."""
    try:
        inv = services.external_invitation(token)
    except NotFound as exc:
        return render(request, "feedback/external_gone.html", {"message": exc.message}, status=404)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.feedback_answer_external(token=token, **form.cleaned_data)) is not None:
            return render(request, "feedback/external_gone.html",
                          {"message": _("Thank you: your feedback was recorded."), "thanks": True})
    return render(request, "feedback/answer_form.html", {"form": form, "inv": inv, "external": True})
