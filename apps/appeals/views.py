"""Appeal pages: thin; forms validate, the same services as the API decide, the selectors read with the
same access rules (404 for anyone who may not see an appeal; concerns are HR's alone)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from apps.appraisals.models import Appraisal, Cycle
from apps.appraisals.models import Status as AppraisalStatus
from apps.coaching.models import ALLOWED_ATTACHMENT_TYPES
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org.models import Department, Employee

from . import access, forms, selectors, services
from .models import AppealAttachment, InfoRequest, Status

PAGE_SIZE = 25


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _get(request, pk):
    try:
        return selectors.appeal_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404


def _hr_or_404(request):
    if not is_hr(request.user):
        raise Http404


def _tabs(request, current: str) -> dict:
    tabs = [("mine", _("My appeals"), reverse("appeals:mine")),
            ("concern_new", _("Raise a concern"), reverse("appeals:concern_new"))]
    if is_hr(request.user):
        tabs += [("queue", _("Appeals queue"), reverse("appeals:queue")),
                 ("concerns", pgettext("appeals", "Concerns"), reverse("appeals:concerns")),
                 ("stats", _("Statistics"), reverse("appeals:stats"))]
    return {"tabs": tabs, "current_tab": current}


@login_required
def home(request):
    return redirect("appeals:queue" if is_hr(request.user) else "appeals:mine")


@login_required
def mine(request):
    qs = selectors.appeal_list(user=request.user)
    me = access.viewer_employee_id(request.user)
    asked = InfoRequest.objects.filter(addressee_user_id=request.user.pk).values("appeal_id")
    qs = qs.filter(Q(employee_id=me or 0) | Q(pk__in=asked))
    page = Paginator(qs.order_by("rank", "-filed_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appeals/mine.html", {"page": page, "query": _query(request), **_tabs(request, "mine")})


@login_required
def queue(request):
    _hr_or_404(request)
    f = {k: request.GET.get(k, "") for k in ("q", "status", "kind", "cycle", "overdue")}
    dept = request.GET.get("department")
    if dept and dept.isdigit():
        f["department"] = Department.objects.filter(pk=dept).first()
    page = Paginator(selectors.appeal_list(user=request.user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "appeals/queue.html", {
        "page": page, "query": _query(request), "f": f, "statuses": [("open", _("Open")), *Status.choices],
        "cycles": Cycle.objects.order_by("-period")[:24], "departments": Department.objects.order_by("path"),
        **_tabs(request, "queue")})


@login_required
def new(request, appraisal_pk):
    appraisal = (Appraisal.objects.filter(pk=appraisal_pk, employee_id=access.viewer_employee_id(request.user) or 0)
                 .select_related("cycle", "employee").first())
    if appraisal is None:
        raise Http404
    lines = list(appraisal.lines.select_related("indicator").order_by("section", "order", "pk"))
    closes = services.window_closes(appraisal)
    form = forms.FileAppealForm(request.POST or None, request.FILES or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        appeal = run_service(form, lambda: services.appeal_file(
            actor=request.user, appraisal=appraisal, reasons=d["reasons"], outcome_asked=d["outcome_asked"],
            lines=d["lines"], contests_grade=d["contests_grade"], files=d["files"]))
        if appeal is not None:
            messages.success(request, _("Your appeal was filed. HR handles it and tells you each step."))
            return redirect("appeals:detail", pk=appeal.pk)
    return render(request, "appeals/new.html", {"form": form, "appraisal": appraisal, "closes": closes,
                                                "published": appraisal.status == AppraisalStatus.PUBLISHED,
                                                **_tabs(request, "mine")})


def _detail_context(request, appeal, roles, **forms_given) -> dict:
    hr = access.HR in roles
    ctx = {"appeal": appeal, "roles": roles, "is_hr": hr, "is_employee": access.EMPLOYEE in roles,
           "is_manager_only": roles == frozenset({access.MANAGER}),
           "lines": selectors.contested_lines(appeal),
           "requests": selectors.visible_requests(appeal, request.user, roles), **_tabs(request, "mine")}
    if hr and appeal.is_open:
        grades = [b["grade"] for b in appeal.cycle.grade_bands]
        ctx.setdefault("triage_form", forms.TriageForm(initial={"version": appeal.version}))
        ctx.setdefault("request_form", forms.InfoRequestForm(initial={"version": appeal.version,
                                                                      "shared_with_manager": appeal.shared_with_manager}))
        ctx.setdefault("hearing_form", forms.HearingForm(initial={"version": appeal.version}))
        ctx.setdefault("decide_form", forms.DecideForm(initial={"version": appeal.version}, lines=ctx["lines"],
                                                       grades=grades, contests_grade=appeal.contests_grade))
    ctx.update(forms_given)
    for r in ctx["requests"]:
        if r.addressee_user_id == request.user.pk and not r.answered_at and appeal.status == Status.IN_REVIEW:
            r.answer_form = forms.AnswerForm(initial={"version": r.version}, prefix=f"r{r.pk}")
    return ctx


@login_required
def detail(request, pk):
    appeal, roles = _get(request, pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal, roles))


def _v(form):
    return form.cleaned_data.get("version")


@login_required
@require_POST
def withdraw(request, pk):
    appeal, roles = _get(request, pk)
    form = forms.VersionForm(request.POST)
    form.is_valid()
    try:
        services.appeal_withdraw(actor=request.user, appeal=appeal, expected_version=_v(form))
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("appeals:detail", pk=pk)
    messages.success(request, _("Your appeal was withdrawn."))
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def evidence(request, pk):
    appeal, roles = _get(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.appeal_add_evidence(actor=request.user, appeal=appeal, files=form.cleaned_data["files"])
            messages.success(request, _("Evidence added."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def triage(request, pk):
    appeal, roles = _get(request, pk)
    form = forms.TriageForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.appeal_triage(actor=request.user, appeal=appeal, accept=d["accept"],
                                                           reason=d["reason"], expected_version=_v(form))):
            messages.success(request, _("Triage recorded."))
            return redirect("appeals:detail", pk=pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal, roles, triage_form=form),
                  status=400)


@login_required
@require_POST
def request_info(request, pk):
    appeal, roles = _get(request, pk)
    form = forms.InfoRequestForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.info_request(
                actor=request.user, appeal=appeal, addressee=d["addressee"], question=d["question"],
                due_date=d["due_date"], shared_with_manager=d["shared_with_manager"] if d["addressee"] == "manager"
                else None, expected_version=_v(form))):
            messages.success(request, _("The request was sent."))
            return redirect("appeals:detail", pk=pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal, roles, request_form=form),
                  status=400)


@login_required
@require_POST
def answer(request, pk, rpk):
    appeal, roles = _get(request, pk)
    req = InfoRequest.objects.filter(pk=rpk, appeal_id=appeal.pk, addressee_user_id=request.user.pk).first()
    if req is None:
        raise Http404
    form = forms.AnswerForm(request.POST, prefix=f"r{req.pk}")
    if form.is_valid():
        if run_service(form, lambda: services.info_answer(actor=request.user, request=req,
                                                          answer=form.cleaned_data["answer"],
                                                          expected_version=_v(form))):
            messages.success(request, _("Your answer was sent to HR."))
            return redirect("appeals:detail", pk=pk)
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def hearing(request, pk):
    appeal, roles = _get(request, pk)
    form = forms.HearingForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.hearing_record(actor=request.user, appeal=appeal, held_at=d["held_at"],
                                                            notes=d["notes"], expected_version=_v(form))):
            messages.success(request, _("The hearing was recorded."))
            return redirect("appeals:detail", pk=pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal, roles, hearing_form=form),
                  status=400)


@login_required
@require_POST
def decide(request, pk):
    appeal, roles = _get(request, pk)
    lines = selectors.contested_lines(appeal)
    form = forms.DecideForm(request.POST, lines=lines, grades=[b["grade"] for b in appeal.cycle.grade_bands],
                            contests_grade=appeal.contests_grade)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.appeal_decide(
                actor=request.user, appeal=appeal, outcome=d["outcome"], reasons=d["reasons"],
                lines=form.corrections(), grade=d.get("grade") or None,
                accept_quota_breach=d["accept_quota_breach"], expected_version=_v(form))):
            messages.success(request, _("The appeal was decided; the employee is notified."))
            return redirect("appeals:detail", pk=pk)
    return render(request, "appeals/detail.html", _detail_context(request, appeal, roles, decide_form=form),
                  status=400)


@login_required
def attachment(request, pk, apk):
    appeal, roles = _get(request, pk)
    if not (roles & {access.EMPLOYEE, access.HR}):
        raise Http404
    att = AppealAttachment.objects.filter(pk=apk, appeal_id=appeal.pk).first()
    if att is None:
        raise Http404
    response = FileResponse(att.file.open("rb"), as_attachment=True, filename=att.original_name,
                            content_type=ALLOWED_ATTACHMENT_TYPES.get(att.extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def letter(request, pk):
    appeal, roles = _get(request, pk)
    if not (roles & {access.EMPLOYEE, access.HR}) or appeal.status != Status.DECIDED:
        raise Http404
    from .pdf import decision_letter_pdf

    pdf = decision_letter_pdf(appeal)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="appeal-{appeal.pk}.pdf"'
    return response


@login_required
def stats(request):
    _hr_or_404(request)
    cycle = request.GET.get("cycle", "")
    data = selectors.appeal_stats(user=request.user, cycle_id=int(cycle) if cycle.isdigit() else None)
    return render(request, "appeals/stats.html", {"s": data, "cycle": cycle,
                                                  "cycles": Cycle.objects.order_by("-period")[:24],
                                                  **_tabs(request, "stats")})


# --- concerns ------------------------------------------------------------------------------------------

@login_required
def concern_new(request):
    me = access.viewer_employee_id(request.user)
    department_id = Employee.objects.filter(pk=me or 0).values_list("department_id", flat=True).first()
    appraisals = (Appraisal.objects.filter(status=AppraisalStatus.PUBLISHED, employee__department_id=department_id or 0,
                                           employee__is_active=True)
                  .exclude(employee_id=me or 0).select_related("employee").order_by("-period", "employee__employee_no")[:200]
                  if me else [])
    form = forms.ConcernForm(request.POST or None, appraisals=appraisals)
    if request.method == "POST" and form.is_valid():
        a = next((x for x in appraisals if x.pk == form.cleaned_data["appraisal"]), None)
        if a is None:
            raise Http404
        if run_service(form, lambda: services.concern_raise(actor=request.user, appraisal=a,
                                                            reasons=form.cleaned_data["reasons"])):
            messages.success(request, _("Your concern was sent to HR. HR alone reads it; your name is never shown "
                                        "to your colleague."))
            return redirect("appeals:concern_new")
    return render(request, "appeals/concern_new.html", {"form": form, "appraisals": appraisals,
                                                        **_tabs(request, "concern_new")})


@login_required
def concerns(request):
    _hr_or_404(request)
    status = request.GET.get("status", "")
    page = Paginator(selectors.concern_list(user=request.user, filters={"status": status}), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "appeals/concerns.html", {"page": page, "query": _query(request), "status": status,
                                                     **_tabs(request, "concerns")})


@login_required
def concern(request, pk):
    try:
        c = selectors.concern_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404
    lines = list(c.appraisal.lines.select_related("indicator").order_by("section", "order", "pk"))
    form = forms.ConcernHandleForm(request.POST or None, lines=lines, initial={"version": c.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if d["action"] == "dismiss":
            result = run_service(form, lambda: services.concern_dismiss(actor=request.user, concern=c, note=d["note"],
                                                                        expected_version=_v(form)))
        else:
            result = run_service(form, lambda: services.concern_open_review(
                actor=request.user, concern=c, note=d["note"], lines=d["lines"], contests_grade=d["contests_grade"],
                expected_version=_v(form)))
        if result is not None:
            messages.success(request, _("The concern was handled."))
            if d["action"] == "review":
                return redirect("appeals:detail", pk=result.pk)
            return redirect("appeals:concerns")
    return render(request, "appeals/concern.html", {"c": c, "form": form, "lines": lines,
                                                    **_tabs(request, "concerns")})


@login_required
def cycle_policy(request, cycle_pk):
    _hr_or_404(request)
    cycle = Cycle.objects.filter(pk=cycle_pk).first()
    if cycle is None:
        raise Http404
    policy = services.policy_for(cycle.pk)
    form = forms.PolicyForm(request.POST or None, initial={
        "version": policy.version if policy.pk else None, "window_days": policy.window_days,
        "window_rule": policy.window_rule, "triage_days": policy.triage_days, "decision_days": policy.decision_days})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.policy_set(
                actor=request.user, cycle=cycle, window_days=d["window_days"], window_rule=d["window_rule"],
                triage_days=d["triage_days"], decision_days=d["decision_days"], expected_version=_v(form))):
            messages.success(request, _("Saved."))
            return redirect("appeals:cycle_policy", cycle_pk=cycle.pk)
    return render(request, "appeals/cycle_policy.html", {"form": form, "cycle": cycle, **_tabs(request, "queue")})

