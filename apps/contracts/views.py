"""Pages of the contracts app: thin, over the same services and selectors as the API."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr
from apps.org import access
from apps.org.models import Employee

from . import lint as contract_lint
from . import planlink, selectors, services
from .forms import (
    AmendForm,
    ChangeProposalForm,
    ContractFilterForm,
    ContractHeaderForm,
    ContractNewForm,
    DecisionForm,
    GenerateForm,
    IndicatorFilterForm,
    IndicatorForm,
    LineFormSet,
    ReturnForm,
    SimulatorForm,
    TemplateFilterForm,
    TemplateForm,
    line_choices,
    line_initial,
    lines_from_formset,
    plain_number,
    unsaved_lines,
)
from .models import SECTION_ORDER, ChangeStatus, ContractChange, Party, Status
from .pdf import contract_pdf
from .simulator import sample_scores, scoring_preview


def _get_or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404


def _require_hr(request):
    if not is_hr(request.user):
        raise Http404


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- contracts -------------------------------------------------------------------------------------

def _draftable_employees(user):
    """Whom the user may draft contracts for: HR everyone active; a manager their direct reports."""
    qs = Employee.objects.filter(is_active=True, position__isnull=False).select_related("department")
    if is_hr(user):
        return qs.order_by("employee_no")
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return qs.none()
    # their direct reports, and themselves: an employee proposes their own contract bottom-up
    return qs.filter(Q(supervisor_id=viewer.employee_id) | Q(pk=viewer.employee_id)).order_by("employee_no")


@login_required
def contract_list(request):
    form = ContractFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    qs = selectors.contract_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    hr = is_hr(request.user)
    can_draft = hr or bool(access.viewer_for(request.user).employee_id)
    return render(request, "contracts/contract_list.html", {
        "form": form, "page": page, "query": _query(request), "can_draft": can_draft, "is_hr": hr,
        "filtered": bool(filters)})


@login_required
def contract_new(request):
    employees = _draftable_employees(request.user)
    initial = {"employee": request.GET.get("employee")} if request.GET.get("employee") else None
    form = ContractNewForm(request.POST or None, employees=employees, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        contract = run_service(form, lambda: services.contract_draft(
            actor=request.user, employee=d["employee"], period=d["period"] or None, template=d["template"],
            method=d["method"]))
        if contract is not None:
            messages.success(request, _("Draft created. Complete it, then propose it to %(name)s.")
                             % {"name": contract.employee.name})
            return redirect("contracts:detail", pk=contract.pk)
    return render(request, "contracts/contract_new.html", {"form": form, "has_employees": employees.exists()})


def _editor(contract, data=None, *, with_appraiser=False):
    choices = {**line_choices(), "goal_choices": planlink.goal_choices(contract)}
    header = ContractHeaderForm(data, initial={
        "results_weight": plain_number(contract.results_weight), "behaviour_weight": plain_number(contract.behaviour_weight),
        "plan_weight": plain_number(contract.plan_weight), "appraiser": contract.appraiser_id,
        "version": contract.version}, prefix="c", with_appraiser=with_appraiser)
    formset = LineFormSet(data, initial=[line_initial(ln) for ln in contract.lines.all()], prefix="lines",
                          form_kwargs=choices)
    return header, formset


def _lint_context(issues):
    errs, warns = contract_lint.errors(issues), contract_lint.warnings(issues)
    return {"lint_errors": errs, "lint_warnings": warns, "can_sign": not errs}


@login_required
def contract_detail(request, pk):
    contract = _get_or_404(selectors.contract_get, user=request.user, pk=pk)
    perms = services.contract_permissions(request.user, contract)
    can_write = access.WRITE in perms
    party = services.party_of(request.user, contract)
    editing = can_write and contract.is_editable
    header = formset = None
    if editing:
        header, formset = _editor(contract, request.POST if request.method == "POST" else None,
                                  with_appraiser=is_hr(request.user))
        if request.method == "POST" and header.is_valid() and formset.is_valid():
            lines = lines_from_formset(formset)
            d = header.cleaned_data
            extra = {"appraiser": d["appraiser"]} if d.get("appraiser") else {}
            result = run_service(header, lambda: services.contract_update(
                actor=request.user, contract=contract, expected_version=d["version"],
                results_weight=d["results_weight"], behaviour_weight=d["behaviour_weight"],
                plan_weight=d["plan_weight"], lines=lines, **extra))
            if result is not None:
                messages.success(request, _("Saved."))
                return redirect("contracts:detail", pk=contract.pk)
        elif request.method == "POST":
            messages.error(request, _("Not saved: correct the marked fields."))
    elif request.method == "POST":
        messages.error(request, _("This contract cannot be edited now."))
        return redirect("contracts:detail", pk=contract.pk)
    lines = list(contract.lines.all())
    issues = contract_lint.lint_contract(contract, lines)
    signatures = {s.party: s for s in contract.signatures.all()}
    changes = selectors.contract_changes(contract)
    open_change = next((c for c in changes if c.status == ChangeStatus.OPEN), None)
    sections = [{"key": s.value, "label": s.label, "weight": contract.section_weight(s),
                 "lines": [ln for ln in lines if ln.section == s]} for s in SECTION_ORDER]
    may_propose_change = party == Party.APPRAISEE and open_change is None and (
        contract.status == Status.PROPOSED or (contract.status == Status.DRAFT and contract.method == "bottom_up"))
    context = {
        "contract": contract, "sections": sections, "lines": lines, "editing": editing, "header": header,
        "formset": formset, "can_write": can_write, "party": party, "signatures": signatures,
        "my_signature": signatures.get(party) if party else None,
        "versions": selectors.contract_versions(contract), "changes": changes, "open_change": open_change,
        "may_sign": party is not None and contract.status == Status.PROPOSED and party not in signatures,
        "may_return": contract.status == Status.PROPOSED and (party is not None or can_write)
        and contract.proposed_by_id != request.user.pk,
        "may_propose": can_write and contract.status in (Status.DRAFT, Status.RETURNED),
        "may_withdraw": can_write and contract.status == Status.PROPOSED,
        "may_amend": can_write and contract.status == Status.AGREED and contract.is_latest,
        "may_discard": can_write and contract.previous_id and contract.status in (Status.DRAFT, Status.RETURNED),
        "may_sync_plan": editing and contract.frequency == "monthly",
        "change_form": ChangeProposalForm(lines=lines, initial={"version": contract.version})
        if may_propose_change else None,
        "return_form": ReturnForm(initial={"version": contract.version}),
        "decision_form": DecisionForm(initial={"version": contract.version}),
        "amend_form": AmendForm(),
        **_lint_context(issues),
    }
    return render(request, "contracts/contract_detail.html", context)


@login_required
@require_POST
def contract_lint_preview(request, pk):
    """The live lint of the editor: the unsaved form as it stands (htmx)."""
    contract = _get_or_404(selectors.contract_get, user=request.user, pk=pk)
    if access.WRITE not in services.contract_permissions(request.user, contract):
        raise Http404
    header, formset = _editor(contract, request.POST)
    if header.is_valid():
        for key in ("results_weight", "behaviour_weight", "plan_weight"):
            setattr(contract, key, header.cleaned_data[key])
    if formset.is_valid():
        lines = unsaved_lines(lines_from_formset(formset))
    else:
        lines = list(contract.lines.all())
    issues = contract_lint.lint_contract(contract, lines)
    return render(request, "contracts/_lint.html", {**_lint_context(issues), "live": True,
                                                     "form_invalid": not (header.is_valid() and formset.is_valid())})


ACTIONS = {"propose", "withdraw", "return", "sign", "amend", "discard", "change_propose", "change_accept",
           "change_reject", "plan_sync"}


@login_required
@require_POST
def contract_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    contract = _get_or_404(selectors.contract_get, user=request.user, pk=pk)
    post = request.POST
    version = post.get("version") or None
    target = contract
    try:
        if action == "propose":
            services.contract_propose(actor=request.user, contract=contract, expected_version=version)
            messages.success(request, _("Proposed to %(name)s for review and signature.")
                             % {"name": contract.employee.name})
        elif action == "withdraw":
            services.contract_withdraw(actor=request.user, contract=contract, expected_version=version)
            messages.success(request, _("Withdrawn: the contract is a draft again."))
        elif action == "return":
            services.contract_return(actor=request.user, contract=contract, reason=post.get("reason", ""),
                                     expected_version=version)
            messages.success(request, _("Returned with your reason."))
        elif action == "sign":
            c = services.contract_sign(actor=request.user, contract=contract, expected_version=version)
            if c.status == Status.AGREED:
                messages.success(request, _("Signed. Both parties have signed: the contract is agreed and locked."))
            else:
                messages.success(request, _("Signed. The contract now waits for the other party's signature."))
        elif action == "amend":
            target = services.contract_amend(actor=request.user, contract=contract, reason=post.get("reason", ""))
            messages.success(request, _("Amendment started as version %(v)s. The signed version stays in force "
                                        "until both parties sign the amendment.") % {"v": target.version_no})
        elif action == "discard":
            target = services.contract_amendment_discard(actor=request.user, contract=contract)
            messages.success(request, _("The amendment was discarded."))
        elif action == "plan_sync":
            services.contract_plan_sync(actor=request.user, contract=contract, expected_version=version)
            messages.success(request, _("The items of the confirmed work plan are now the work-plan section."))
        elif action == "change_propose":
            form = ChangeProposalForm(post, lines=list(contract.lines.all()))
            if not form.is_valid():
                raise ApplicationError(_("Check the values you proposed: %(errors)s") % {
                    "errors": " ".join(" ".join(e) for e in form.errors.values())})
            services.contract_change_propose(actor=request.user, contract=contract, changes=form.changes(),
                                             comment=form.cleaned_data["comment"], expected_version=version)
            messages.success(request, _("Your proposal was sent to the appraiser."))
        elif action in ("change_accept", "change_reject"):
            change = ContractChange.objects.filter(pk=post.get("change"), contract=contract).first()
            if change is None:
                raise Http404
            if action == "change_accept":
                services.contract_change_accept(actor=request.user, change=change, expected_version=version)
                messages.success(request, _("Changes accepted and applied; the contract is proposed again for "
                                            "both signatures."))
            else:
                services.contract_change_reject(actor=request.user, change=change, note=post.get("note", ""),
                                                expected_version=version)
                messages.success(request, _("Proposal declined; the contract is put to the appraisee again."))
    except NotFound:
        raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("contracts:detail", pk=target.pk)


@login_required
def contract_pdf_download(request, pk):
    contract = _get_or_404(selectors.contract_get, user=request.user, pk=pk)
    response = HttpResponse(contract_pdf(contract, request=request), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="kpi-contract-{contract.employee.employee_no}-'
                                       f'{contract.period}-v{contract.version_no}.pdf"')
    return response


# --- indicator library (HR) ------------------------------------------------------------------------

@login_required
def indicator_list(request):
    _require_hr(request)
    form = IndicatorFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.indicator_list(filters=filters), 25).get_page(request.GET.get("page"))
    return render(request, "contracts/indicator_list.html", {"form": form, "page": page, "query": _query(request)})


@login_required
def indicator_edit(request, pk=None):
    _require_hr(request)
    indicator = _get_or_404(selectors.indicator_get, pk=pk) if pk else None
    initial = None
    if indicator is not None:
        initial = {f: getattr(indicator, f) for f in services.INDICATOR_FIELDS if f != "default_data_source"}
        initial.update(default_data_source=indicator.default_data_source_id, version=indicator.version)
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        if indicator is None:
            result = run_service(form, lambda: services.indicator_create(actor=request.user, **data))
        else:
            result = run_service(form, lambda: services.indicator_update(
                actor=request.user, indicator=indicator, expected_version=version, **data))
        if result is not None:
            messages.success(request, _("Saved."))
            return redirect("contracts:indicators")
    return render(request, "contracts/indicator_form.html", {"form": form, "indicator": indicator})


# --- templates (HR) --------------------------------------------------------------------------------

@login_required
def template_list(request):
    _require_hr(request)
    form = TemplateFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.template_list(filters=filters), 25).get_page(request.GET.get("page"))
    return render(request, "contracts/template_list.html", {"form": form, "page": page, "query": _query(request)})


@login_required
def template_edit(request, pk=None):
    _require_hr(request)
    template = _get_or_404(selectors.template_get, pk=pk) if pk else None
    initial = None
    if template is not None:
        initial = {f: getattr(template, f) for f in ("code", "name_zh", "name_en", "results_weight",
                                                     "behaviour_weight", "plan_weight", "description", "is_active")}
        initial.update(job_level=template.job_level_id, position=template.position_id, version=template.version)
    data = request.POST if request.method == "POST" and "generate" not in request.POST else None
    form = TemplateForm(data, initial=initial)
    formset = LineFormSet(data, initial=[line_initial(ln) for ln in template.lines.all()] if template else [],
                          prefix="lines", form_kwargs=line_choices())
    generate_form = GenerateForm(request.POST if request.method == "POST" and "generate" in request.POST else None)
    if request.method == "POST" and "generate" in request.POST and template is not None:
        if generate_form.is_valid():
            g = generate_form.cleaned_data
            result = run_service(generate_form, lambda: services.contracts_generate(
                actor=request.user, template=template, period=g["period"] or None, department=g["department"]))
            if result is not None:
                messages.success(request, _("%(n)s draft contracts created for %(period)s.")
                                 % {"n": result["created"], "period": result["period"]})
                return redirect(reverse("contracts:list") + f"?period={result['period']}&status=draft")
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        d = dict(form.cleaned_data)
        version = d.pop("version", None)
        lines = lines_from_formset(formset)
        if template is None:
            d.pop("is_active", None)
            result = run_service(form, lambda: services.template_create(actor=request.user, lines=lines, **d))
        else:
            result = run_service(form, lambda: services.template_update(
                actor=request.user, template=template, expected_version=version, lines=lines, **d))
        if result is not None:
            messages.success(request, _("Saved."))
            return redirect("contracts:template", pk=result.pk)
    return render(request, "contracts/template_form.html", {
        "form": form, "formset": formset, "template": template, "generate_form": generate_form})


# --- the rule simulator ----------------------------------------------------------------------------

@login_required
def simulator(request):
    if not selectors.may_use_simulator(request.user):
        raise Http404
    form = SimulatorForm(request.POST or None, initial={"kind": "linear", "direction": "higher"})
    result = samples = rule = None
    error = ""
    if form.is_valid():
        rule = form.rule()
        try:
            result = scoring_preview(rule, form.inputs())
            samples = sample_scores(rule)
            rule = result["rule"]
        except ApplicationError as exc:
            error = exc.message
    elif not form.is_bound:
        rule = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
        result = scoring_preview(rule, {"target": 1200, "actual": 1140})
        samples = sample_scores(rule)
    return render(request, "contracts/simulator.html", {
        "form": form, "result": result, "samples": samples, "error": error,
        "rule_json": json.dumps(rule, ensure_ascii=False, cls=DjangoJSONEncoder) if rule else ""})
