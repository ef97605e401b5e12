"""Interview pages: thin; forms validate, the same services as the API decide, the selectors read with the
same access rules (anyone but the employee, the manager of record and HR gets 404)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.appraisals.models import Cycle
from apps.coaching.selectors import performance_file
from apps.contracts.models import Indicator
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.exports import CSV_CONTENT_TYPE, csv_bytes
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org import access as org_access
from apps.org.models import Department, Employee

from . import access, forms, selectors, services
from .models import Action, ActionStatus, CycleInterviewPolicy, GoalTalk, Revision, Status

PAGE_SIZE = 25


def _query(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def _get(request, pk):
    try:
        return selectors.interview_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404


def _version(form) -> int | None:
    return form.cleaned_data.get("version") if form.is_valid() else None


def _tabs(request, current: str) -> dict:
    user = request.user
    me = access.viewer_employee_id(user)
    tabs = []
    if me:
        tabs.append(("mine", _("My interviews"), reverse("interviews:mine")))
        tabs.append(("to_hold", _("Interviews to hold"), reverse("interviews:to_hold")))
        tabs.append(("actions", _("Improvement actions"), reverse("interviews:actions")))
    tabs.append(("goal_talks", _("New hires' goals"), reverse("interviews:goal_talks")))
    if is_hr(user):
        tabs.append(("hr", _("Completion"), reverse("interviews:hr")))
    if selectors.may_see_stats(user):
        tabs.append(("stats", _("Statistics"), reverse("interviews:stats")))
    return {"tabs": tabs, "current_tab": current}


def _cycles():
    return list(Cycle.objects.order_by("-period", "-pk")[:24])


@login_required
def home(request):
    user = request.user
    me = access.viewer_employee_id(user)
    if me and selectors.interview_list(user=user, filters={"role": "manager"}).exists():
        return redirect("interviews:to_hold")
    if is_hr(user) and not (me and selectors.interview_list(user=user, filters={"role": "employee"}).exists()):
        return redirect("interviews:hr")
    return redirect("interviews:mine")


def _list_page(request, *, role: str, template: str, tab: str):
    form = forms.FilterForm(request.GET or None, cycles=_cycles())
    f = {**form.filters(), "role": role}
    page = Paginator(selectors.interview_list(user=request.user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"form": form, "page": page, "query": _query(request), "role": role,
                                      "today": timezone.localdate(), **_tabs(request, tab)})


@login_required
def to_hold(request):
    """The manager's interviews to hold (and the ones held: records, signatures, revisions)."""
    return _list_page(request, role="manager", template="interviews/to_hold.html", tab="to_hold")


@login_required
def mine(request):
    """The employee's interview page: every interview of theirs, the current one first."""
    return _list_page(request, role="employee", template="interviews/mine.html", tab="mine")


@login_required
def hr_completion(request):
    if not is_hr(request.user):
        raise Http404
    departments = list(Department.objects.filter(is_active=True).order_by("path"))
    cycles = _cycles()
    form = forms.FilterForm(request.GET or None, cycles=cycles, departments=departments)
    f = form.filters()
    page = Paginator(selectors.interview_list(user=request.user, filters=f), PAGE_SIZE).get_page(request.GET.get("page"))
    cycle_id = f.get("cycle")
    return render(request, "interviews/hr.html", {
        "form": form, "page": page, "query": _query(request), "today": timezone.localdate(),
        "rows": selectors.completion_by_department(cycle_id=int(cycle_id) if cycle_id else None),
        "cycle": next((c for c in cycles if str(c.pk) == str(cycle_id)), None), **_tabs(request, "hr")})


@login_required
def hr_export(request):
    """HR's export of the completion list (status and dates only: no content of the records)."""
    if not is_hr(request.user):
        raise Http404
    form = forms.FilterForm(request.GET or None, cycles=_cycles(),
                            departments=list(Department.objects.filter(is_active=True)))
    header = [_("Employee number"), _("Employee"), _("Department"), _("Manager"), _("Period"), _("Status"),
              _("To be held by"), _("Scheduled for"), _("Submitted at"), _("Signed at"),
              _("Signed with disagreement")]
    rows = ([i.employee.employee_no, i.employee.name, i.department.name, i.manager.name, i.period,
             i.get_status_display(), i.due_date.isoformat(),
             timezone.localtime(i.scheduled_at).strftime("%Y-%m-%d %H:%M") if i.scheduled_at else "",
             timezone.localtime(i.submitted_at).strftime("%Y-%m-%d %H:%M") if i.submitted_at else "",
             timezone.localtime(i.signed_at).strftime("%Y-%m-%d %H:%M") if i.signed_at else "",
             _("yes") if i.disagreement else ""]
            for i in selectors.interview_list(user=request.user, filters=form.filters()).iterator(chunk_size=500))
    response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="interviews.csv"'
    return response


@login_required
def cycle_policy(request, cycle_pk):
    if not is_hr(request.user):
        raise Http404
    cycle = Cycle.objects.filter(pk=cycle_pk).first()
    if cycle is None:
        raise Http404
    current = services.policy_for(cycle.pk)
    form = forms.PolicyForm(request.POST or None, initial={
        "window_days": current.window_days, "policy": current.policy,
        "remind_days_before": current.remind_days_before, "version": current.version if current.pk else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if run_service(form, lambda: services.cycle_policy_set(
                actor=request.user, cycle=cycle, window_days=d["window_days"], policy=d["policy"],
                remind_days_before=d["remind_days_before"], expected_version=d.get("version"))):
            messages.success(request, _("The interview window of this cycle is saved; interviews not held yet "
                                        "have the new date."))
            return redirect(reverse("interviews:hr") + f"?cycle={cycle.pk}")
    return render(request, "interviews/cycle_policy.html", {"form": form, "cycle": cycle,
                                                            "saved": isinstance(current, CycleInterviewPolicy)
                                                            and current.pk, **_tabs(request, "hr")})


@login_required
def stats_page(request):
    """Counts only, per department (the dashboards' view): no names, no content."""
    if not selectors.may_see_stats(request.user):
        raise Http404
    cycles = _cycles()
    cycle = request.GET.get("cycle")
    cycle_id = int(cycle) if cycle and cycle.isdigit() else None
    rows = selectors.stats(user=request.user, cycle_id=cycle_id)
    totals = {k: sum(r[k] for r in rows) for k in ("due", "held", "overdue", "disagreement")}
    return render(request, "interviews/stats.html", {"rows": rows, "totals": totals, "cycles": cycles,
                                                     "cycle_id": cycle_id, **_tabs(request, "stats")})


# --- one interview ---------------------------------------------------------------------------------------

def _context(request, i, roles) -> dict:
    return {"i": i, "roles": roles, "is_manager": access.MANAGER in roles, "is_employee": access.EMPLOYEE in roles,
            "is_hr": access.HR in roles, "today": timezone.localdate(), "appeal_url": services.appeal_url(i.appraisal_id)
            if i.disagreement else ""}


@login_required
def detail(request, pk):
    i, roles = _get(request, pk)
    ctx = _context(request, i, roles)
    prev = selectors.previous_plan(employee_id=i.employee_id, before_period=i.period, exclude_pk=i.pk)
    managers = []
    if access.HR in roles and not i.is_locked:
        managers = list(Employee.objects.filter(is_active=True, direct_reports__isnull=False).exclude(pk=i.employee_id)
                        .distinct().order_by("employee_no")[:300])
    ctx.update({
        "history": selectors.schedule_history(i), "actions": selectors.actions_of(i) if i.is_locked else [],
        "employee_prep": selectors.employee_prep_for(request.user, i), "previous": prev,
        "reassign_form": forms.ReassignForm(initial={"manager": i.manager_id, "version": i.version},
                                            managers=managers) if managers else None,
    })
    return render(request, "interviews/detail.html", ctx)


@login_required
def schedule(request, pk):
    i, roles = _get(request, pk)
    if access.MANAGER not in roles:
        raise Http404
    initial = {"version": i.version, "duration_minutes": i.duration_minutes, "location": i.location,
               "video_link": i.video_link, "scheduled_at": forms.local_input(i.scheduled_at)}
    form = forms.ScheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = run_service(form, lambda: services.interview_schedule(
            actor=request.user, interview=i, scheduled_at=d["scheduled_at"], duration_minutes=d["duration_minutes"],
            location=d["location"], video_link=d["video_link"], reason=d["reason"],
            expected_version=d.get("version")))
        if done is not None:
            messages.success(request, _("The interview is scheduled; you and %(name)s received a calendar "
                                        "invitation.") % {"name": i.employee.name})
            return redirect("interviews:detail", pk=i.pk)
    return render(request, "interviews/schedule.html", {**_context(request, i, roles), "form": form,
                                                        "history": selectors.schedule_history(i)})


@login_required
def invitation(request, pk):
    i, _roles = _get(request, pk)
    if i.scheduled_at is None:
        raise Http404
    from .ics import interview_ics

    seq = max(len(selectors.schedule_history(i)) - 1, 0)
    body = interview_ics(i, sequence=seq, url=request.build_absolute_uri(reverse("interviews:detail", args=[i.pk])))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="interview-{i.pk}.ics"'
    return response


def _file(request, i):
    try:
        return performance_file(user=request.user, employee=i.employee, period=i.period)
    except NotFound:
        return None


@login_required
def manager_prep(request, pk):
    """The manager's preparation: every explained score, the performance file and coaching records of the
    period, last period's improvement plan, the ten rules as a checklist, private notes."""
    i, roles = _get(request, pk)
    if access.MANAGER not in roles:
        raise Http404
    prep = selectors.manager_prep_for(request.user, i)
    form = forms.ManagerPrepForm(request.POST or None, initial={
        "checklist": prep.checklist if prep else [], "private_notes": prep.private_notes if prep else "",
        "version": prep.version if prep else None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = run_service(form, lambda: services.manager_prep_save(
            actor=request.user, interview=i, checklist=d["checklist"], private_notes=d["private_notes"],
            expected_version=d.get("version")))
        if saved is not None:
            messages.success(request, _("Your preparation is saved."))
            return redirect("interviews:manager_prep", pk=i.pk)
    return render(request, "interviews/manager_prep.html", {
        **_context(request, i, roles), "form": form, "prep": prep, "lines": selectors.appraisal_lines(i),
        "file": _file(request, i), "rules": selectors.rules_checklist(prep),
        "previous": selectors.previous_plan(employee_id=i.employee_id, before_period=i.period, exclude_pk=i.pk),
        "employee_prep": selectors.employee_prep_for(request.user, i)})


@login_required
def employee_prep(request, pk):
    """The employee's preparation (the manager and HR read it once shared)."""
    i, roles = _get(request, pk)
    prep = selectors.employee_prep_for(request.user, i)
    lines = selectors.appraisal_lines(i)
    if access.EMPLOYEE not in roles:
        if prep is None:
            messages.info(request, _("%(name)s has not shared the preparation yet.") % {"name": i.employee.name})
            return redirect("interviews:detail", pk=i.pk)
        views = {v["line"]: v for v in prep.line_views}
        return render(request, "interviews/employee_prep_view.html", {
            **_context(request, i, roles), "prep": prep, "rows": [(ln, views.get(ln.pk)) for ln in lines]})
    form = forms.EmployeePrepForm(request.POST or None, lines=lines, prep=prep,
                                  initial={"version": prep.version if prep else None,
                                           **({k: getattr(prep, k) for k in ("strengths", "gaps", "development_plan",
                                                                              "improvement_plan", "manager_feedback")}
                                              if prep else {})})
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.employee_prep_save(
            actor=request.user, interview=i, expected_version=form.cleaned_data.get("version"),
            **form.service_kwargs()))
        if saved is not None:
            if "share" in request.POST:
                run_service(form, lambda: services.employee_prep_share(actor=request.user, interview=i,
                                                                       expected_version=saved.version))
                if not form.errors:
                    messages.success(request, _("Your preparation is shared with %(name)s.") % {"name": i.manager.name})
                    return redirect("interviews:employee_prep", pk=i.pk)
            else:
                if saved.shared_at is None:
                    messages.success(request, _("Your preparation is saved (not shared yet)."))
                else:
                    messages.success(request, _("Your preparation is saved; your manager sees the changes."))
                return redirect("interviews:employee_prep", pk=i.pk)
    return render(request, "interviews/employee_prep.html", {**_context(request, i, roles), "form": form,
                                                             "prep": prep, "lines": lines})


@login_required
@require_POST
def employee_prep_share(request, pk):
    i, roles = _get(request, pk)
    try:
        services.employee_prep_share(actor=request.user, interview=i,
                                     expected_version=request.POST.get("version") or None)
        messages.success(request, _("Your preparation is shared with %(name)s.") % {"name": i.manager.name})
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("interviews:employee_prep", pk=i.pk)


@login_required
def record(request, pk):
    """The record: the manager writes it (until the employee signs); the employee reviews and signs; HR reads.
    A signed record is locked: later additions are dated addenda."""
    i, roles = _get(request, pk)
    actions, revisions = selectors.actions_of(i), selectors.revisions_of(i)
    editable = access.MANAGER in roles and i.status in (Status.SCHEDULED, Status.SUBMITTED)
    form = None
    if editable:
        indicators = list(Indicator.objects.filter(is_active=True).order_by("code"))
        form = forms.RecordForm(request.POST or None, interview=i, actions=actions, revisions=revisions,
                                indicators=indicators, initial={
                                    "version": i.version, "held_at": forms.local_input(i.held_at) or
                                    forms.local_input(i.scheduled_at), "agreement": i.agreement,
                                    "gap_causes": i.gap_causes, **{k: getattr(i, k) for k in (
                                        "agreement_comment", "progress_strengths", "gaps", "upward_feedback",
                                        "training_needs", "career_wishes")}})
        if request.method == "POST" and form.is_valid():
            saved = run_service(form, lambda: services.record_save(
                actor=request.user, interview=i, expected_version=form.cleaned_data.get("version"),
                **form.service_kwargs()))
            if saved is not None:
                if "submit" in request.POST:
                    done = run_service(form, lambda: services.record_submit(actor=request.user, interview=saved,
                                                                            expected_version=saved.version))
                    if done is not None:
                        messages.success(request, _("The record is submitted: %(name)s reviews and signs it.")
                                         % {"name": i.employee.name})
                        return redirect("interviews:record", pk=i.pk)
                else:
                    messages.success(request, _("The record is saved."))
                    return redirect("interviews:record", pk=i.pk)
    elif request.method == "POST":
        raise Http404
    sign_form = forms.SignForm(initial={"version": i.version}) if (
        access.EMPLOYEE in roles and i.status == Status.SUBMITTED) else None
    return render(request, "interviews/record.html", {
        **_context(request, i, roles), "form": form, "actions": actions, "revisions": revisions,
        "addenda": selectors.addenda_of(i), "sign_form": sign_form,
        "addendum_form": forms.AddendumForm() if i.is_locked else None,
        "next_period": services.next_contract_period(i) if i.is_locked and access.MANAGER in roles else None,
        "lines": selectors.appraisal_lines(i)})


@login_required
@require_POST
def record_submit(request, pk):
    i, _roles = _get(request, pk)
    try:
        services.record_submit(actor=request.user, interview=i, expected_version=request.POST.get("version") or None)
        messages.success(request, _("The record is submitted: %(name)s reviews and signs it.") % {"name": i.employee.name})
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("interviews:record", pk=i.pk)


@login_required
@require_POST
def record_sign(request, pk):
    i, roles = _get(request, pk)
    form = forms.SignForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        signed = run_service(form, lambda: services.record_sign(
            actor=request.user, interview=i, disagreement=d["decision"] == "disagree", note=d["note"],
            expected_version=d.get("version")))
        if signed is not None:
            messages.success(request, _("You signed the record; it is now locked."))
            return redirect("interviews:record", pk=i.pk)
    if access.EMPLOYEE not in roles:
        raise Http404
    return render(request, "interviews/record.html", {
        **_context(request, i, roles), "form": None, "actions": selectors.actions_of(i),
        "revisions": selectors.revisions_of(i), "addenda": selectors.addenda_of(i), "sign_form": form,
        "addendum_form": None, "next_period": None, "lines": selectors.appraisal_lines(i)})


@login_required
@require_POST
def addendum(request, pk):
    i, _roles = _get(request, pk)
    form = forms.AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the addendum first."))
    else:
        try:
            services.addendum_add(actor=request.user, interview=i, text=form.cleaned_data["text"])
            messages.success(request, _("The addendum is added, dated and signed with your name."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("interviews:record", args=[i.pk]) + "#addenda")


@login_required
def record_pdf(request, pk):
    i, roles = _get(request, pk)
    from .pdf import record_pdf as render_pdf

    data = render_pdf(i, roles=roles)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="interview-{i.employee.employee_no}-{i.period}.pdf"'
    return response


@login_required
@require_POST
def reassign(request, pk):
    i, roles = _get(request, pk)
    if access.HR not in roles:
        raise Http404
    manager = Employee.objects.filter(pk=request.POST.get("manager") or 0).first()
    if manager is None:
        messages.error(request, _("Choose a manager."))
    else:
        try:
            services.interview_reassign(actor=request.user, interview=i, manager=manager,
                                        expected_version=request.POST.get("version") or None)
            messages.success(request, _("%(name)s now holds the interview.") % {"name": manager.name})
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("interviews:detail", pk=i.pk)


@login_required
@require_POST
def revision_decide(request, pk):
    r = Revision.objects.select_related("interview").filter(pk=pk).first()
    if r is None or not access.roles(request.user, r.interview):
        raise Http404
    form = forms.RevisionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Accept or drop the revision."))
    else:
        try:
            done = services.revision_decide(actor=request.user, revision=r, decision=form.cleaned_data["decision"],
                                            expected_version=form.cleaned_data.get("version"), **form.edits())
            if done.contract_id:
                messages.success(request, _("The revision is in the draft contract for %(period)s.")
                                 % {"period": done.contract.period})
            else:
                messages.success(request, _("The revision is dropped."))
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("interviews:record", args=[r.interview_id]) + "#revisions")


# --- actions ---------------------------------------------------------------------------------------------

@login_required
def action_list(request):
    role = request.GET.get("role") or ""
    state = request.GET.get("state") or ""
    q = request.GET.get("q") or ""
    qs = selectors.action_list(user=request.user, filters={"role": role, "state": state, "q": q})
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    me = access.viewer_employee_id(request.user)
    return render(request, "interviews/actions.html", {
        "page": page, "query": _query(request), "role": role, "state": state, "q": q, "me": me,
        "today": timezone.localdate(), **_tabs(request, "actions")})


def _action_or_404(request, pk) -> Action:
    a = Action.objects.select_related("interview").filter(pk=pk).first()
    if a is None or not access.roles(request.user, a.interview):
        raise Http404
    return a


@login_required
@require_POST
def action_progress(request, pk):
    a = _action_or_404(request, pk)
    form = forms.ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Progress is a percentage from 0 to 100."))
    else:
        d = form.cleaned_data
        try:
            services.action_progress(actor=request.user, action=a, progress=d["progress"], note=d["note"],
                                     expected_version=d.get("version"))
            messages.success(request, _("Progress saved."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("interviews:actions") + f"#action-{a.pk}")


@login_required
@require_POST
def action_confirm(request, pk):
    a = _action_or_404(request, pk)
    try:
        services.action_confirm(actor=request.user, action=a, expected_version=request.POST.get("version") or None)
        messages.success(request, _("The action is confirmed as completed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("interviews:actions") + "?" + (request.POST.get("back") or "role=manager"))


# --- new hires ---------------------------------------------------------------------------------------------

@login_required
def goal_talks(request):
    """New hires: the manager discusses the position goals, the employee acknowledges, HR sees who has not."""
    user = request.user
    state = request.GET.get("state") or ""
    filters = {"state": state, "q": request.GET.get("q") or "", "department": request.GET.get("department") or ""}
    rows = Paginator(selectors.new_hire_rows(user=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "interviews/goal_talks.html", {
        "page": rows, "query": _query(request), "state": state, "filters": filters, "is_hr": is_hr(user),
        "my_talk": selectors.my_goal_talk(user), "me": access.viewer_employee_id(user),
        "talk_form": forms.GoalTalkForm(initial={"held_on": timezone.localdate()}),
        "departments": Department.objects.filter(is_active=True).order_by("path") if is_hr(user) else [],
        **_tabs(request, "goal_talks")})


@login_required
@require_POST
def goal_talk_record(request, employee_pk):
    emp = Employee.objects.filter(pk=employee_pk).first()
    if emp is None or not org_access.can(request.user, org_access.READ, "record", emp):
        raise Http404  # before the form: someone who may not see the record learns nothing from the answer
    form = forms.GoalTalkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the discussion."))
    else:
        try:
            services.goal_talk_record(actor=request.user, employee=emp, held_on=form.cleaned_data["held_on"],
                                      note=form.cleaned_data["note"])
            messages.success(request, _("Recorded: %(name)s is asked to acknowledge it.") % {"name": emp.name})
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("interviews:goal_talks")


@login_required
@require_POST
def goal_talk_acknowledge(request, pk):
    talk = GoalTalk.objects.filter(pk=pk).first()
    if talk is None:
        raise Http404
    form = forms.AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        services.goal_talk_acknowledge(actor=request.user, talk=talk, note=form.cleaned_data.get("note") or "",
                                       expected_version=form.cleaned_data.get("version"))
        messages.success(request, _("Thank you: your acknowledgement is recorded."))
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("interviews:goal_talks")


__all__ = ["ActionStatus"]
