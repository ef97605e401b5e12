"""Coaching pages: thin, they call the selectors and the same services as the API."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org import access
from apps.org.models import Employee

from . import selectors, services
from .forms import (
    CorrectForm,
    NoteForm,
    RecordFilterForm,
    RecordForm,
    ReportForm,
    SettingsForm,
    SignForm,
    TeamFilterForm,
)
from .models import CoachingRecord, CoachingSettings


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _employee_or_404(user, pk) -> Employee:
    emp = (Employee.objects.select_related("department", "position__job_level", "supervisor", "user")
           .filter(pk=pk).first())
    if emp is None or not access.can(user, access.READ, "coaching", emp):
        raise Http404
    return emp


# --- list and search -----------------------------------------------------------------------------

@login_required
def record_list(request):
    employees = list(Employee.objects.filter(access.employee_scope_q(request.user, "coaching"), is_active=True)
                     .order_by("employee_no")[:500])
    selected = request.GET.get("employee")
    lines = []
    if selected and selected.isdigit():
        emp = next((e for e in employees if e.pk == int(selected)), None)
        if emp is not None:
            lines = list(selectors.contract_lines_for(emp)[:200])
    form = RecordFilterForm(request.GET or None, employees=employees, lines=lines)
    filters = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")} if form.is_valid() else {}
    qs = selectors.record_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "coaching/record_list.html", {
        "form": form, "page": page, "records": page.object_list, "query": _query_without_page(request),
        "may_write": selectors.manages_people(request.user),
        "has_employee": bool(access.viewer_for(request.user).employee_id),
    })


# --- writing records -----------------------------------------------------------------------------

@login_required
def record_create(request):
    emp_id = request.GET.get("employee") or request.POST.get("employee")
    if not emp_id:
        team = selectors.writable_employees(request.user)
        return render(request, "coaching/record_pick_employee.html", {"team": team[:500]})
    emp = _employee_or_404(request.user, emp_id)
    initial = {"occurred_on": timezone.localdate()}
    if request.GET.get("line"):
        initial["contract_line"] = request.GET["line"]
    if request.GET.get("kind"):
        initial["kind"] = request.GET["kind"]
    form = RecordForm(request.POST or None, request.FILES or None, employee=emp, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = run_service(form, lambda: services.record_create(actor=request.user, employee=emp,
                                                                  **form.service_kwargs()))
        if record is not None:
            messages.success(request, _("The coaching record was saved and %(name)s was notified.")
                             % {"name": emp.name})
            return redirect("coaching:detail", pk=record.pk)
    elif request.method == "GET":
        try:
            services.require_writer(request.user, emp)
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("coaching:file", employee_pk=emp.pk)
    return render(request, "coaching/record_form.html", {"form": form, "employee": emp})


@login_required
def record_correct(request, pk):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    perms = selectors.record_permissions(request.user, record)
    if not perms["may_correct"]:
        if perms["is_author"]:
            messages.error(request, _("This record was written more than 24 hours ago (or has been signed) and can "
                                      "no longer be corrected. Add an addendum instead."))
            return redirect("coaching:addendum", pk=record.pk)
        messages.error(request, _("Only the author may correct a record."))
        return redirect("coaching:detail", pk=record.pk)
    initial = {f: getattr(record, f) for f in services.CONTENT_FIELDS}
    initial["version"] = record.version
    form = CorrectForm(request.POST or None, request.FILES or None, employee=record.employee, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        files = kwargs.pop("files", [])
        try:
            services.record_correct(actor=request.user, record=record, expected_version=form.cleaned_data["version"],
                                    reason=form.cleaned_data["reason"], files=files, **kwargs)
        except services.CorrectionWindowClosed as exc:
            messages.error(request, exc.message)
            return redirect("coaching:addendum", pk=record.pk)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The record was corrected; the earlier version is kept."))
            return redirect("coaching:detail", pk=record.pk)
    return render(request, "coaching/record_correct.html", {"form": form, "record": record})


@login_required
def record_addendum(request, pk):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    form = NoteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        note = run_service(form, lambda: services.record_addendum_add(
            actor=request.user, record=record, text=form.cleaned_data["text"], files=form.cleaned_data["files"]))
        if note is not None:
            messages.success(request, _("The addendum was added to the record."))
            return redirect("coaching:detail", pk=record.pk)
    return render(request, "coaching/record_addendum.html", {
        "form": form, "record": record, "perms": selectors.record_permissions(request.user, record)})


# --- one record and what is done to it -------------------------------------------------------------

def _render_detail(request, record: CoachingRecord, status: int = 200, **forms):
    perms = selectors.record_permissions(request.user, record)
    ctx = {
        "record": record, "perms": perms,
        "respond_form": forms.get("respond_form") or NoteForm(prefix="respond"),
        "answer_form": forms.get("answer_form") or NoteForm(prefix="answer"),
        "sign_form": forms.get("sign_form") or SignForm(prefix="sign", initial={"version": record.version}),
    }
    return render(request, "coaching/record_detail.html", ctx, status=status)


@login_required
def record_detail(request, pk):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    return _render_detail(request, record)


def _post_action(request, pk, *, form_class, prefix, key, call, success):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    form = form_class(request.POST, request.FILES or None, prefix=prefix)
    if form.is_valid() and run_service(form, lambda: call(record, form.cleaned_data) or True):
        messages.success(request, success)
        return redirect("coaching:detail", pk=record.pk)
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    return _render_detail(request, record, status=400, **{key: form})


@login_required
@require_POST
def record_respond(request, pk):
    return _post_action(request, pk, form_class=NoteForm, prefix="respond", key="respond_form",
                        call=lambda r, d: services.record_respond(actor=request.user, record=r, text=d["text"],
                                                                  files=d["files"]),
                        success=_("Your response was added to the record."))


@login_required
@require_POST
def record_answer(request, pk):
    return _post_action(request, pk, form_class=NoteForm, prefix="answer", key="answer_form",
                        call=lambda r, d: services.progress_report_answer(actor=request.user, record=r,
                                                                          text=d["text"], files=d["files"]),
                        success=_("Your answer was sent."))


@login_required
@require_POST
def record_sign(request, pk):
    return _post_action(request, pk, form_class=SignForm, prefix="sign", key="sign_form",
                        call=lambda r, d: services.record_sign(actor=request.user, record=r, decision=d["decision"],
                                                               response=d["response"],
                                                               expected_version=d.get("version")),
                        success=_("You signed the record."))


@login_required
@require_POST
def record_acknowledge(request, pk):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    try:
        services.record_acknowledge(actor=request.user, record=record)
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You acknowledged the record."))
    return redirect("coaching:detail", pk=record.pk)


@login_required
@require_POST
def record_follow_up_done(request, pk):
    record = _get_or_404(selectors.record_get, user=request.user, pk=pk)
    try:
        services.follow_up_complete(actor=request.user, record=record)
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The follow-up is marked done."))
    return redirect("coaching:detail", pk=record.pk)


@login_required
def attachment_download(request, pk):
    """Attachments are never public media: each download checks that the user may read the record."""
    att = _get_or_404(selectors.attachment_get, user=request.user, pk=pk)
    try:
        handle = att.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404
    inline = att.extension in ("pdf", "png", "jpg", "jpeg", "gif", "webp") and request.GET.get("download") != "1"
    response = FileResponse(handle, as_attachment=not inline, filename=att.original_name,
                            content_type=att.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the employee's reports ------------------------------------------------------------------------

@login_required
def report_create(request):
    me = Employee.objects.select_related("position__job_level").filter(
        pk=access.viewer_for(request.user).employee_id or 0).first()
    if me is None:
        raise Http404
    initial = {"occurred_on": timezone.localdate()}
    for key in ("contract_line", "plan_item", "kind"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = ReportForm(request.POST or None, request.FILES or None, employee=me, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = run_service(form, lambda: services.progress_report_file(actor=request.user, **form.cleaned_data))
        if record is not None:
            messages.success(request, _("Your report was sent to your manager."))
            return redirect("coaching:detail", pk=record.pk)
    return render(request, "coaching/report_form.html", {"form": form, "employee": me})


# --- the performance file --------------------------------------------------------------------------

def _period_choices(employee: Employee) -> list[str]:
    periods = set(CoachingRecord.objects.filter(employee=employee).values_list("period", flat=True).distinct())
    periods.add(services.default_period(employee, timezone.localdate()))
    return sorted(periods, reverse=True)


def _file_context(request, employee_pk):
    emp = _employee_or_404(request.user, employee_pk)
    period = (request.GET.get("period") or "").strip() or None
    try:
        pfile = selectors.performance_file(user=request.user, employee=emp, period=period)
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
        pfile = selectors.performance_file(user=request.user, employee=emp, period=None)
    return emp, pfile


@login_required
def my_file(request):
    emp_id = access.viewer_for(request.user).employee_id
    if not emp_id:
        raise Http404
    return redirect("coaching:file", employee_pk=emp_id)


@login_required
def performance_file(request, employee_pk):
    emp, pfile = _file_context(request, employee_pk)
    rel = access.relations(access.viewer_for(request.user), emp)
    return render(request, "coaching/file.html", {
        "employee": emp, "file": pfile, "periods": _period_choices(emp), "period": pfile.period or "",
        "may_write": access.can(request.user, access.WRITE, "coaching", emp) and "self" not in rel,
        "is_self": "self" in rel,
    })


@login_required
def performance_file_pdf(request, employee_pk):
    emp, pfile = _file_context(request, employee_pk)
    from .pdf import render_file_pdf

    pdf = render_file_pdf(pfile, generated_by=request.user)
    name = f"performance-file-{emp.employee_no}-{pfile.period or 'all'}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the team page and HR's settings ---------------------------------------------------------------

@login_required
def team(request):
    if not selectors.manages_people(request.user):
        raise Http404
    form = TeamFilterForm(request.GET or None, hr=is_hr(request.user))
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    conf = CoachingSettings.current()
    filters["settings"] = conf
    qs = selectors.team_overview(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "coaching/team.html", {
        "form": form, "page": page, "rows": page.object_list, "settings": conf,
        "query": _query_without_page(request), "is_hr": is_hr(request.user),
    })


@login_required
def settings_view(request):
    if not is_hr(request.user):
        raise Http404
    conf = CoachingSettings.current()
    initial = {f: getattr(conf, f) for f in services.SETTINGS_FIELDS}
    initial["version"] = conf.version
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if run_service(form, lambda: services.settings_update(actor=request.user, expected_version=version, **data)):
            messages.success(request, _("Saved."))
            return redirect("coaching:settings")
    return render(request, "coaching/settings.html", {"form": form, "settings": conf})
