"""Talent review pages: thin; forms validate, the services decide, the selectors read with the access
rules of :mod:`apps.results.access` (anyone else gets 404)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.appraisals.models import Cycle, CycleStatus
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.exports import XLSX_CONTENT_TYPE, xlsx_bytes
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org.models import Department, JobLevel

from . import access, forms, selectors, services
from .models import (
    EDITABLE,
    NEEDS_EXECUTIVE,
    RELEASABLE,
    AbilitySource,
    ActionStatus,
    Assessment,
    Competency,
    TalentAction,
    TalentReview,
)

PAGE_SIZE = 25


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _review(request, pk) -> TalentReview:
    if not access.may_review(request.user):
        raise Http404
    r = TalentReview.objects.select_related("cycle").filter(pk=pk).first()
    if r is None:
        raise Http404
    return r


def _placement(request, pk):
    try:
        return selectors.placement_for(request.user, pk)
    except NotFound:
        raise Http404


@login_required
def home(request):
    if not access.may_review(request.user):
        return redirect("results:my_actions")
    latest = selectors.reviews_for(request.user).first()
    if latest is None or is_hr(request.user) and request.GET.get("all"):
        return redirect("results:reviews")
    return redirect("results:grid", pk=latest.pk)


@login_required
def review_list(request):
    if not access.may_review(request.user):
        raise Http404
    hr = is_hr(request.user)
    form = None
    if hr:
        taken = TalentReview.objects.values("cycle_id")
        cycles = list(Cycle.objects.filter(status=CycleStatus.PUBLISHED).exclude(pk__in=taken).order_by("-period"))
        form = forms.ReviewCreateForm(request.POST or None, cycles=cycles)
        if request.method == "POST" and form.is_valid():
            cycle = Cycle.objects.filter(pk=form.cleaned_data["cycle"]).first()
            r = run_service(form, lambda: services.review_create(actor=request.user, cycle=cycle))
            if r is not None:
                messages.success(request, _("The talent review is open; everyone published is placed."))
                return redirect("results:grid", pk=r.pk)
    elif request.method == "POST":
        raise Http404
    page = Paginator(selectors.reviews_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "results/reviews.html", {"page": page, "form": form, "query": _query(request),
                                                    "current_tab": "reviews"})


def _filters(request):
    departments = list(Department.objects.filter(is_active=True).order_by("path"))
    job_levels = list(JobLevel.objects.order_by("rank"))
    form = forms.GridFilterForm(request.GET or None, departments=departments, job_levels=job_levels)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        if d.get("department"):
            filters["department"] = next((x for x in departments if str(x.pk) == d["department"]), None)
        if d.get("job_level"):
            filters["job_level_id"] = int(d["job_level"])
        filters["search"] = d.get("q", "").strip()
    return form, filters


@login_required
def grid(request, pk):
    review = _review(request, pk)
    form, filters = _filters(request)
    data = selectors.grid(request.user, review, **filters)
    listing = selectors.with_people(selectors.placements(request.user, review, **filters)).order_by(
        "employee__employee_no")
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    reviews = list(selectors.reviews_for(request.user)[:24])
    return render(request, "results/grid.html", {
        "review": review, "grid": data, "form": form, "page": page, "query": _query(request),
        "reviews": reviews, "is_hr": is_hr(request.user), "current_tab": "reviews"})


@login_required
def grid_export(request, pk):
    """The grid of the filter as an Excel workbook: one row per person the user may see (cells through the
    formula-safe export helper)."""
    review = _review(request, pk)
    _form, filters = _filters(request)
    header = [_("Employee number"), _("Name"), _("Department"), _("Position"), _("Grade"), _("Total score"),
              _("Ability"), _("Performance"), _("Ability level"), _("Category"), _("Overridden")]
    categories = services.ensure_categories()

    def rows():
        for p in selectors.with_people(selectors.placements(request.user, review, **filters)).order_by(
                "employee__employee_no").iterator(chunk_size=2000):
            cat = categories.get(p.cell)
            yield [p.employee.employee_no, p.employee.name, p.department.name,
                   p.employee.position.name if p.employee.position_id else "", p.grade,
                   float(p.total_score) if p.total_score is not None else None,
                   float(p.ability_value) if p.ability_value is not None else None,
                   p.cell[0], p.cell[1], cat.name if cat else "", _("yes") if p.is_overridden else ""]

    content = xlsx_bytes({_("Talent review"): (header, rows())})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="talent-review-{review.cycle.period}.xlsx"'
    return response


@login_required
def grid_pdf(request, pk):
    from .pdf import grid_pdf as render_pdf

    review = _review(request, pk)
    _form, filters = _filters(request)
    data = selectors.grid(request.user, review, **filters)
    response = HttpResponse(render_pdf(review, data, department=filters.get("department")),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="talent-review-{review.cycle.period}.pdf"'
    return response


@login_required
def review_settings(request, pk):
    review = _review(request, pk)
    if not is_hr(request.user):
        raise Http404
    initial = {f: getattr(review, f) for f in services.REVIEW_FIELDS}
    initial["grade_levels"] = ", ".join(f"{g}={lv}" for g, lv in (review.grade_levels or {}).items())
    initial["version"] = review.version
    form = forms.ReviewSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version")
        r = run_service(form, lambda: services.review_update(actor=request.user, review=review,
                                                             expected_version=version, **d))
        if r is not None:
            messages.success(request, _("Saved; everyone's cell was recomputed."))
            return redirect("results:grid", pk=r.pk)
    return render(request, "results/settings.html", {"review": review, "form": form})


def _rating_form(request, placement, data=None):
    a = Assessment.objects.filter(review=placement.review, employee=placement.employee).first()
    if a is not None:
        comps = list(Competency.objects.filter(model_id=a.model_id).order_by("order", "pk"))
        scores = dict(a.ratings.values_list("competency_id", "score"))
    else:
        model = services.model_for(placement.employee.position.job_level_id if placement.employee.position_id
                                   else None)
        comps = list(Competency.objects.filter(model=model).order_by("order", "pk")) if model else []
        scores = {}
    form = forms.RatingForm(data, competencies=comps, initial_scores=scores,
                            initial={"version": a.version if a else None, "comment": a.comment if a else ""})
    return a, form


@login_required
def placement_detail(request, pk):
    p = _placement(request, pk)
    roles = access.roles(request.user, p.employee)
    assessment, rating_form = _rating_form(request, p)
    return _render_placement(request, p, roles, assessment, rating_form)


def _render_placement(request, p, roles, assessment, rating_form, override_form=None, add_form=None, status=200):
    categories = services.ensure_categories()
    history = selectors.trajectory(request.user, p)
    acts = list(TalentAction.objects.filter(placement=p).select_related("contract").order_by("pk"))
    for a in acts:
        a.moves = _moves(a, roles, request.user)
    plan = _last_interview_plan(request, p)
    can_rate = p.review.ability_source == AbilitySource.RATINGS and bool(roles & {access.MANAGER, access.HR}) and (
        assessment is None or assessment.status == "draft" or access.HR in roles)
    return render(request, "results/placement.html", {
        "p": p, "roles": roles, "category": categories.get(p.cell), "history": history,
        "categories": categories, "actions": acts, "assessment": assessment, "rating_form": rating_form,
        "can_rate": can_rate, "is_hr": access.HR in roles,
        "ratings": list(assessment.ratings.select_related("competency")) if assessment else [],
        "override_form": override_form or forms.OverrideForm(initial={
            "version": p.version, "performance": p.cell[0] or "medium", "ability": p.cell[1] or "medium"}),
        "add_form": add_form or forms.ActionAddForm(), "plan": plan,
        "may_act": bool(roles & {access.MANAGER, access.HR})}, status=status)


def _last_interview_plan(request, p):
    """The actions of the person's last signed feedback interview, only for readers of that interview (the
    manager of record and HR; the interview is confidential, executives do not see it)."""
    from apps.interviews import access as interview_access
    from apps.interviews.models import Interview
    from apps.interviews.models import Status as InterviewStatus
    from apps.interviews.selectors import actions_of

    i = (Interview.objects.filter(employee_id=p.employee_id, status=InterviewStatus.SIGNED)
         .order_by("-signed_at").first())
    if i is None or not interview_access.roles(request.user, i):
        return None
    return {"interview": i, "actions": actions_of(i)}


def _moves(a: TalentAction, roles, user) -> list[str]:
    out = []
    if a.status in EDITABLE and roles & {access.MANAGER, access.HR}:
        out.append("save")
    if a.status == ActionStatus.PROPOSED and (roles & {access.MANAGER, access.HR}
                                              or (a.kind in NEEDS_EXECUTIVE and access.EXECUTIVE in roles)):
        out.append("confirm")
    if a.status == ActionStatus.CONFIRMED:
        if a.kind in NEEDS_EXECUTIVE:
            if access.EXECUTIVE in roles and a.confirmed_by_id != user.pk:
                out.append("approve")
        elif access.HR in roles:
            out.append("approve")
    if a.status == ActionStatus.APPROVED and a.kind in RELEASABLE and access.HR in roles:
        out.append("release")
    if a.status in (ActionStatus.APPROVED, ActionStatus.RELEASED) and roles & {access.MANAGER, access.HR}:
        out.append("complete")
    if a.status in EDITABLE and roles & {access.MANAGER, access.HR}:
        out.append("drop")
    if (a.status == ActionStatus.RELEASED and a.kind in services.OFFERABLE and not a.contract_id
            and roles & {access.MANAGER, access.HR}):
        out.append("offer")
    return out


@login_required
@require_POST
def placement_rate(request, pk):
    p = _placement(request, pk)
    roles = access.roles(request.user, p.employee)
    assessment, form = _rating_form(request, p, request.POST)
    if form.is_valid():
        submit = request.POST.get("submit") == "1"
        if assessment is not None and assessment.status == "submitted":
            call = lambda: services.assessment_adjust(  # noqa: E731
                actor=request.user, assessment=assessment, ratings=form.scores(), reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"))
        else:
            call = lambda: services.assessment_save(  # noqa: E731
                actor=request.user, review=p.review, employee=p.employee, ratings=form.scores(),
                comment=form.cleaned_data["comment"], submit=submit, expected_version=form.cleaned_data.get("version"))
        try:
            result = run_service(form, call)
        except ApplicationError as exc:  # PermissionDenied / NotFound: not a form problem
            if isinstance(exc, NotFound):
                raise Http404
            form.add_error(None, exc.message)
            result = None
        if result is not None:
            messages.success(request, _("Ratings saved."))
            return redirect("results:placement", pk=p.pk)
    return _render_placement(request, p, roles, assessment, form, status=400)


@login_required
@require_POST
def placement_override(request, pk):
    p = _placement(request, pk)
    roles = access.roles(request.user, p.employee)
    if access.HR not in roles:
        return HttpResponse(status=403)
    form = forms.OverrideForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        done = run_service(form, lambda: services.placement_override(
            actor=request.user, placement=p, performance=d["performance"], ability=d["ability"], reason=d["reason"],
            expected_version=d["version"]))
        if done is not None:
            messages.success(request, _("The person was moved; the override is recorded with your reason."))
            return redirect("results:placement", pk=p.pk)
    assessment, rating_form = _rating_form(request, p)
    return _render_placement(request, p, roles, assessment, rating_form, override_form=form, status=400)


@login_required
@require_POST
def action_add(request, pk):
    p = _placement(request, pk)
    roles = access.roles(request.user, p.employee)
    if not roles & {access.MANAGER, access.HR}:
        return HttpResponse(status=403)
    form = forms.ActionAddForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.action_add(actor=request.user, placement=p, kind=d["kind"],
                                                         title=d["title"], details=d["details"],
                                                         due_date=d["due_date"])) is not None:
            return redirect("results:placement", pk=p.pk)
    assessment, rating_form = _rating_form(request, p)
    return _render_placement(request, p, roles, assessment, rating_form, add_form=form, status=400)


@login_required
@require_POST
def action_step(request, pk):
    a = TalentAction.objects.filter(pk=pk).filter(selectors.access.people_q(request.user, "employee__")).first()
    if a is None:
        raise Http404
    form = forms.ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the action's fields."))
        return redirect("results:placement", pk=a.placement_id)
    d = form.cleaned_data
    try:
        if d["move"] == "offer":
            services.action_offer_to_contract(actor=request.user, action=a, expected_version=d.get("version"))
        elif d["move"] == "save":
            services.action_update(actor=request.user, action=a, expected_version=d.get("version"),
                                   title=d["title"] if "title" in request.POST else None,
                                   details=d["details"] if "details" in request.POST else None,
                                   due_date=d["due_date"] if "due_date" in request.POST else None)
        else:
            edits = {}
            if d["move"] == "confirm":
                edits = {"title": d["title"] or None, "details": d["details"] if "details" in request.POST else None,
                         "due_date": d["due_date"]}
            services.action_transition(actor=request.user, action=a, move=d["move"],
                                       expected_version=d.get("version"), **edits)
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("results:placement", pk=a.placement_id)
    messages.success(request, _("Saved."))
    if request.POST.get("back") == "actions":
        return redirect("results:actions")
    return redirect("results:placement", pk=a.placement_id)


@login_required
def action_list(request):
    if not access.may_review(request.user):
        raise Http404
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    qs = (TalentAction.objects.filter(access.people_q(request.user, "employee__"))
          .select_related("employee", "placement__review__cycle").order_by("due_date", "pk"))
    if status in ActionStatus.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(employee__name_zh__icontains=q) | qs.filter(employee__name_en__icontains=q) | qs.filter(
            title__icontains=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    from .models import ActionKind

    return render(request, "results/actions.html", {
        "page": page, "query": _query(request), "status": status, "kind": kind, "q": q,
        "statuses": ActionStatus.choices, "kinds": ActionKind.choices, "current_tab": "actions"})


@login_required
def my_actions(request):
    qs = selectors.my_released_actions(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "results/my_actions.html", {"page": page, "query": _query(request),
                                                       "today": timezone.localdate()})
