"""Every write to the indicator library, templates and contracts: atomic, checked, audited."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import in_language_of
from apps.core.audit import audit_bulk, audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.core.periods import Period, current_period
from apps.core.roles import is_hr
from apps.notifications.services import notification_create
from apps.org import access
from apps.org.models import Department, Employee, JobLevel, Position
from apps.org.queries import department_subtree_q

from . import lint as contract_lint
from . import planlink
from .content import content_hash, contract_content
from .models import (
    EDITABLE,
    TRANSITIONS,
    ChangeStatus,
    Contract,
    ContractChange,
    ContractLine,
    ContractSignature,
    ContractTemplate,
    Indicator,
    Method,
    Party,
    Section,
    Status,
    TemplateLine,
)
from .scoring import ScoringError, validate_rule


class ContractLintError(ApplicationError):
    """Signing refused: the contract has lint errors (listed in ``extra["lint"]``)."""

    code = "lint_errors"


LINE_FIELDS = ("section", "order", "indicator", "title", "weight", "standard", "target", "unit", "due_date",
               "milestones_total", "rule", "data_source", "notes")
CONTRACT_LINE_FIELDS = LINE_FIELDS + ("goal", "goal_id", "plan_item")
INDICATOR_FIELDS = ("code", "name_zh", "name_en", "definition", "formula", "direction", "unit", "kpi_type",
                    "dimension", "perspective", "indicator_class", "default_data_source", "default_rule",
                    "is_active")
TEMPLATE_FIELDS = ("code", "name_zh", "name_en", "job_level", "position", "results_weight", "behaviour_weight",
                   "plan_weight", "description", "is_active")


# --- helpers -------------------------------------------------------------------------------------

def require_hr(actor) -> None:
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the indicator library and the contract templates."))


def _clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            if field == NON_FIELD_ERRORS:
                raise ApplicationError(" ".join(messages))
            label = str(obj._meta.get_field(field).verbose_name)
            raise ApplicationError(f"{label}: {' '.join(messages)}", field=field)
        raise ApplicationError(" ".join(exc.messages))


def _normalise_rule(rule, *, label: str = ""):
    if rule in (None, "", {}):
        return {}
    try:
        return validate_rule(rule)
    except ScoringError as exc:
        message = f"{label}: {exc.message}" if label else exc.message
        raise ScoringError(message, field="rule")


def contract_url(contract: Contract) -> str:
    return reverse("contracts:detail", args=[contract.pk])


def contract_permissions(user, contract: Contract) -> frozenset[str]:
    """The record policy for the appraisee, plus read and write for the contract's own appraiser."""
    perms = set(access.permissions(user, "record", contract.employee))
    viewer = access.viewer_for(user)
    if viewer.employee_id and contract.appraiser_id == viewer.employee_id:
        perms |= {access.READ, access.WRITE}
    if appraisee_drafts(user, contract):
        perms |= {access.READ, access.WRITE}
    return frozenset(perms)


#: The states in which the appraisee works on their own bottom-up proposal (proposed: to withdraw it).
APPRAISEE_DRAFT_STATES = frozenset({Status.DRAFT, Status.RETURNED, Status.PROPOSED})


def appraisee_drafts(user, contract: Contract) -> bool:
    """Bottom-up (the employee proposes, seed section 6): the appraisee edits and proposes their own
    proposal until both have signed. Top-down and negotiated contracts are written by the manager."""
    viewer = access.viewer_for(user)
    return (bool(viewer.employee_id) and contract.employee_id == viewer.employee_id
            and contract.method == Method.BOTTOM_UP and contract.status in APPRAISEE_DRAFT_STATES)


def require_contract(user, perm: str, contract: Contract) -> frozenset[str]:
    perms = contract_permissions(user, contract)
    if access.READ not in perms:
        raise NotFound(_("Not found."))
    if perm not in perms:
        if perm == access.WRITE:
            raise PermissionDenied(_("Only the appraiser, the direct manager or HR may change this contract."))
        raise PermissionDenied(_("You may see this contract but not do this."))
    return perms


def party_of(user, contract: Contract) -> str | None:
    """Which party the user signs for: appraisee, appraiser, or None."""
    viewer = access.viewer_for(user)
    if not viewer.employee_id:
        return None
    if contract.employee_id == viewer.employee_id:
        return Party.APPRAISEE
    if contract.appraiser_id == viewer.employee_id:
        return Party.APPRAISER
    return None


def _lock_contract(contract: Contract) -> Contract:
    locked = (Contract.objects.select_for_update(of=("self",))
              .select_related("employee", "appraiser", "template", "job_level").filter(pk=contract.pk).first())
    if locked is None:
        raise NotFound(_("Not found."))
    return locked


def _move(contract: Contract, action: str) -> bool:
    """Check the workflow table. True when the contract moves, False for a no-op (already there)."""
    sources, target = TRANSITIONS[action]
    if contract.status == target:
        return False
    if contract.status not in sources:
        raise TransitionNotAllowed(_move_refusal(contract, action))
    contract.status = target
    return True


def _move_refusal(contract: Contract, action: str) -> str:
    names = {"propose": _("proposed"), "withdraw": _("withdrawn"), "return": _("returned"), "agree": _("signed"),
             "supersede": _("replaced")}
    if contract.status == Status.AGREED:
        return _("This contract is signed by both parties, so it cannot be %(action)s now. To change it, start an "
                 "amendment (a new version that both parties sign again).") % {"action": names[action]}
    if contract.status == Status.SUPERSEDED:
        return _("This version has been replaced by a signed amendment; old versions stay as they were signed.")
    return _("A contract that is “%(status)s” cannot be %(action)s.") % {
        "status": Status(contract.status).label, "action": names[action]}


def _require_editable(contract: Contract) -> None:
    if contract.status in EDITABLE:
        return
    if contract.status == Status.AGREED:
        raise TransitionNotAllowed(_(
            "This contract is signed: its targets and rules are locked. To change it, start an amendment (a new "
            "version that both parties sign again)."))
    if contract.status == Status.SUPERSEDED:
        raise TransitionNotAllowed(_(
            "This version has been replaced by a signed amendment; old versions stay as they were signed."))
    raise TransitionNotAllowed(_(
        "This contract has been proposed and waits for review and signatures. Withdraw it (or have it returned) "
        "before changing it."))


def _text(value) -> str:
    return str(value() if callable(value) else value or "")


def _send(user, *, title, body="", url: str = "") -> None:
    """One notification in the recipient's language: ``title`` and ``body`` are callables (or plain text
    such as a reason someone wrote), evaluated with that language active."""
    with in_language_of(user):
        notification_create(recipient=user, title=_text(title), body=_text(body), url=url)


def _notify(employee: Employee | None, *, title, body="", url: str = "") -> None:
    if employee is not None and employee.user_id:
        _send(employee.user, title=title, body=body, url=url)


def _status_audit(actor, contract: Contract, action: str, before_status: str, **after) -> None:
    audit_record(actor=actor, action=f"contract.{action}", obj=contract, before={"status": before_status},
                 after={"status": contract.status, "version": contract.version, **after})


def default_template(employee: Employee) -> ContractTemplate | None:
    if not employee.position_id:
        return None
    return (ContractTemplate.objects.filter(is_active=True, position_id=employee.position_id).order_by("code").first()
            or ContractTemplate.objects.filter(is_active=True, position__isnull=True,
                                               job_level_id=employee.position.job_level_id).order_by("code").first())


def _period_for(employee: Employee, period: str | Period | None) -> Period:
    level = employee.job_level
    if level is None:
        raise ApplicationError(_("%(name)s has no position with a job level, so the review period is unknown.")
                               % {"name": employee.name}, field="employee")
    if period in (None, ""):
        return current_period(level.review_frequency)
    p = period if isinstance(period, Period) else Period.parse(str(period))
    if p.frequency != level.review_frequency:
        raise ApplicationError(
            _("%(name)s is appraised %(frequency)s (job level %(level)s): choose a period like %(example)s.")
            % {"name": employee.name, "frequency": level.get_review_frequency_display().lower(),
               "level": level.name, "example": current_period(level.review_frequency).code}, field="period")
    return p


def _line_from_template(tl: TemplateLine, **extra) -> ContractLine:
    return ContractLine(section=tl.section, order=tl.order, indicator_id=tl.indicator_id, title=tl.title,
                        weight=tl.weight, standard=tl.standard, target=tl.target, unit=tl.unit,
                        due_date=tl.due_date, milestones_total=tl.milestones_total, rule=dict(tl.rule or {}),
                        data_source_id=tl.data_source_id, notes=tl.notes, **extra)


def _copy_line(line: ContractLine, **extra) -> ContractLine:
    values = {f: getattr(line, f) for f in LINE_FIELDS if f not in ("indicator", "data_source")}
    values["rule"] = dict(line.rule or {})
    return ContractLine(indicator_id=line.indicator_id, data_source_id=line.data_source_id, goal_id=line.goal_id,
                        plan_item_id=line.plan_item_id, **values, **extra)


def _to_decimal(value, label: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    if not d.is_finite():
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    return d


def _apply_lines(model, parent_field: str, parent, lines: list[dict]) -> tuple[list, list, list]:
    """Make ``parent``'s lines exactly ``lines`` (dicts; ``id`` picks an existing line to update).

    Returns (created, updated, deleted ids). Every line is validated before anything is written.
    """
    existing = {ln.pk: ln for ln in model.objects.filter(**{parent_field: parent})}
    keep, create, update = set(), [], []
    for number, data in enumerate(lines, start=1):
        data = dict(data)
        pk = data.pop("id", None)
        allowed = CONTRACT_LINE_FIELDS if model is ContractLine else LINE_FIELDS
        unknown = set(data) - set(allowed)
        if unknown:
            raise ApplicationError(_("Unknown line fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
        if pk is not None:
            if pk not in existing:
                raise ApplicationError(_("Line %(n)s does not belong to this record.") % {"n": number}, field="lines")
            line = existing[pk]
            keep.add(pk)
            update.append(line)
        else:
            line = model(**{parent_field: parent})
            create.append(line)
        label = _("Line %(n)s") % {"n": number}
        for key, value in data.items():
            if key == "rule":
                value = _normalise_rule(value, label=label)
            elif key in ("weight", "target"):
                value = _to_decimal(value, f"{label}: {model._meta.get_field(key).verbose_name}", key)
                if key == "weight" and value is None:
                    value = Decimal(0)
            setattr(line, key, value)
        if not line.order:
            line.order = number
        if not line.indicator_id and not (line.title or "").strip():
            raise ApplicationError(_("%(line)s needs an indicator or a title.") % {"line": label}, field="lines")
        try:
            line.full_clean(exclude=[parent_field])
        except ValidationError as exc:
            msgs = "; ".join(f"{model._meta.get_field(k).verbose_name if k != '__all__' else ''}: {' '.join(v)}"
                             for k, v in exc.message_dict.items())
            raise ApplicationError(f"{label}: {msgs}", field="lines")
    deleted = [pk for pk in existing if pk not in keep]
    if deleted:
        model.objects.filter(pk__in=deleted).delete()
    for line in update:
        line.save()
    if create:
        model.objects.bulk_create(create)
    return create, update, deleted


def _lines_snapshot(lines) -> list[dict]:
    return [snapshot(ln, fields=CONTRACT_LINE_FIELDS + ("id",)) for ln in lines]


# --- indicator library ---------------------------------------------------------------------------

@transaction.atomic
def indicator_create(*, actor, code: str, name_zh: str, name_en: str = "", definition: str = "", formula: str = "",
                     direction: str = "higher", unit: str = "", kpi_type: str = "numeric",
                     dimension: str = "quantity", perspective: str = "financial", indicator_class: str = "kpi",
                     default_data_source: Department | None = None, default_rule: dict | None = None,
                     is_active: bool = True) -> Indicator:
    require_hr(actor)
    if Indicator.objects.filter(code=code).exists():
        raise ApplicationError(_("An indicator with code %(code)s already exists.") % {"code": code}, field="code")
    rule = _normalise_rule(default_rule) if default_rule else validate_rule({"kind": "linear", "direction": direction})
    ind = Indicator(code=code, name_zh=name_zh, name_en=name_en, definition=definition, formula=formula,
                    direction=direction, unit=unit, kpi_type=kpi_type, dimension=dimension, perspective=perspective,
                    indicator_class=indicator_class, default_data_source=default_data_source, default_rule=rule,
                    is_active=is_active)
    _clean(ind)
    ind.save()
    audit_record(actor=actor, action="indicator.create", obj=ind, after=snapshot(ind))
    return ind


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, expected_version: int | None = None, **changes) -> Indicator:
    require_hr(actor)
    ind = Indicator.objects.select_for_update().get(pk=indicator.pk)
    check_version(ind, expected_version)
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "code" in changes and Indicator.objects.filter(code=changes["code"]).exclude(pk=ind.pk).exists():
        raise ApplicationError(_("An indicator with code %(code)s already exists.") % {"code": changes["code"]},
                               field="code")
    before = snapshot(ind)
    for key, value in changes.items():
        if key == "default_rule":
            value = _normalise_rule(value) or validate_rule({"kind": "linear"})
        setattr(ind, key, value)
    _clean(ind)
    bump(ind)
    ind.save()
    audit_record(actor=actor, action="indicator.update", obj=ind, before=before, after=snapshot(ind))
    return ind


@transaction.atomic
def indicator_library_seed(*, actor) -> dict:
    """Create the deck's indicators that are missing; link data sources whose department now exists."""
    from .seed import seed_indicator_library

    created, linked = seed_indicator_library(Indicator, Department)
    rows = [("contracts.indicator", i.code, i.code, None, {"code": i.code, "name_zh": i.name_zh})
            for i in created + linked]
    if rows:
        audit_bulk(actor=actor, action="indicator.seed", rows=rows)
    return {"created": len(created), "linked": len(linked)}


# --- templates -----------------------------------------------------------------------------------

def _check_template_target(job_level, position) -> None:
    if job_level is None and position is None:
        raise ApplicationError(_("A template applies to a job level or to a position: choose one."),
                               field="job_level")


@transaction.atomic
def template_create(*, actor, code: str, name_zh: str, name_en: str = "", job_level: JobLevel | None = None,
                    position: Position | None = None, results_weight=Decimal(70), behaviour_weight=Decimal(30),
                    plan_weight=Decimal(0), description: str = "", lines: list[dict] | None = None
                    ) -> ContractTemplate:
    require_hr(actor)
    _check_template_target(job_level, position)
    if ContractTemplate.objects.filter(code=code).exists():
        raise ApplicationError(_("A template with code %(code)s already exists.") % {"code": code}, field="code")
    if position is not None and job_level is None:
        job_level = position.job_level
    tpl = ContractTemplate(code=code, name_zh=name_zh, name_en=name_en, job_level=job_level, position=position,
                           results_weight=results_weight, behaviour_weight=behaviour_weight, plan_weight=plan_weight,
                           description=description)
    _clean(tpl)
    tpl.save()
    if lines:
        _apply_lines(TemplateLine, "template", tpl, lines)
    audit_record(actor=actor, action="template.create", obj=tpl,
                 after={**snapshot(tpl), "lines": _lines_snapshot(tpl.lines.all())})
    return tpl


@transaction.atomic
def template_update(*, actor, template: ContractTemplate, expected_version: int | None = None,
                    lines: list[dict] | None = None, **changes) -> ContractTemplate:
    require_hr(actor)
    tpl = ContractTemplate.objects.select_for_update().get(pk=template.pk)
    check_version(tpl, expected_version)
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "code" in changes and ContractTemplate.objects.filter(code=changes["code"]).exclude(pk=tpl.pk).exists():
        raise ApplicationError(_("A template with code %(code)s already exists.") % {"code": changes["code"]},
                               field="code")
    before = {**snapshot(tpl), "lines": _lines_snapshot(tpl.lines.all())}
    for key, value in changes.items():
        setattr(tpl, key, value)
    _check_template_target(tpl.job_level, tpl.position)
    if tpl.position_id and not tpl.job_level_id:
        tpl.job_level_id = tpl.position.job_level_id
    _clean(tpl)
    if lines is not None:
        _apply_lines(TemplateLine, "template", tpl, lines)
    bump(tpl)
    tpl.save()
    audit_record(actor=actor, action="template.update", obj=tpl, before=before,
                 after={**snapshot(tpl), "lines": _lines_snapshot(tpl.lines.all())})
    return tpl


# --- who may be a contract's appraiser ----------------------------------------------------------

def appraiser_check(*, actor, employee: Employee, appraiser: Employee | None) -> bool:
    """The one rule for who may be ``employee``'s appraiser (发约人), on every path that sets it.

    The direct supervisor, or someone HR names; never the appraisee; never someone who has left; a
    manager or anyone else who is not HR may name no one but the direct supervisor. Answers whether
    HR named the appraiser from outside the management chain (``appraiser_assigned_by_hr``); refuses
    with a message otherwise. ``None`` (no appraiser yet) is allowed; signing refuses it (lint).
    """
    if appraiser is None:
        return False
    if appraiser.pk == employee.pk:
        raise ApplicationError(_("No one appraises themselves: %(name)s cannot be their own appraiser.")
                               % {"name": employee.name}, field="appraiser")
    if not appraiser.is_active:
        raise ApplicationError(_("%(name)s has left the company and cannot be an appraiser.")
                               % {"name": appraiser.name}, field="appraiser")
    if appraiser.pk == employee.supervisor_id:
        return False
    if not is_hr(actor):
        raise PermissionDenied(_("The appraiser is the direct supervisor; only HR may name someone else."),
                               field="appraiser")
    in_chain = bool(appraiser.report_path) and employee.report_path.startswith(appraiser.report_path)
    return not in_chain


# --- contracts: drafting and editing -------------------------------------------------------------

def indicator_line_defaults(indicator: Indicator) -> dict:
    return {"indicator": indicator, "rule": dict(indicator.default_rule or {}), "unit": indicator.unit,
            "data_source": indicator.default_data_source,
            "section": Section.BEHAVIOUR if (indicator.default_rule or {}).get("kind") == "direct"
            and indicator.code.startswith("BEH-") else Section.RESULTS}


@transaction.atomic
def contract_draft(*, actor, employee: Employee, period: str | Period | None = None,
                   template: ContractTemplate | None = None, appraiser: Employee | None = None,
                   method: str = Method.TOP_DOWN, use_template: bool = True) -> Contract:
    """Draft the contract of ``employee`` for a period (default: the current one of their job level).

    Lines come from ``template`` (default: the active template of the position, else of the job level).
    The appraiser defaults to the direct supervisor.
    """
    employee = (Employee.objects.select_related("position__job_level", "supervisor", "department")
                .get(pk=employee.pk))
    if not access.can(actor, access.READ, "record", employee):
        raise NotFound(_("Not found."))
    own = access.viewer_for(actor).employee_id == employee.pk
    if not own and not access.can(actor, access.WRITE, "record", employee):
        raise PermissionDenied(_("Only the direct manager or HR may draft this employee's contract."))
    if not employee.is_active:
        raise ApplicationError(_("%(name)s has left the company.") % {"name": employee.name}, field="employee")
    if own:
        # Bottom-up: the employee proposes their own contract for a period that has not started yet
        # (targets are set before the period, never after the shooting).
        method = Method.BOTTOM_UP
        if period in (None, ""):
            period = _period_for(employee, None).next()
    p = _period_for(employee, period)
    if own and p.start <= timezone.localdate():
        raise ApplicationError(
            _("You propose your own contract for a period that has not started yet: %(period)s has already begun. "
              "Choose %(next)s.") % {"period": p.code, "next": _period_for(employee, None).next().code},
            field="period")
    if method not in Method.values:
        raise ApplicationError(_("Unknown way of making the contract."), field="method")
    existing = Contract.objects.filter(employee=employee, period=p.code, is_latest=True).first()
    if existing is not None:
        raise ApplicationError(
            _("%(name)s already has a contract for %(period)s (version %(v)s, %(status)s); open it instead.")
            % {"name": employee.name, "period": p.code, "v": existing.version_no,
               "status": existing.get_status_display()}, field="period", extra={"contract": existing.pk})
    if template is None and use_template:
        template = default_template(employee)
    if appraiser is None:
        appraiser = employee.supervisor if employee.supervisor and employee.supervisor.is_active else None
        assigned_by_hr = False
    else:
        assigned_by_hr = appraiser_check(actor=actor, employee=employee, appraiser=appraiser)
    contract = Contract(
        employee=employee, appraiser=appraiser, appraiser_assigned_by_hr=assigned_by_hr,
        period=p.code, frequency=p.frequency, job_level=employee.job_level, position=employee.position,
        template=template, method=method, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if template is not None:
        for f in ("results_weight", "behaviour_weight", "plan_weight"):
            setattr(contract, f, getattr(template, f))
    _clean(contract)
    contract.save()
    lines = [_line_from_template(tl, contract=contract) for tl in template.lines.all()] if template else []
    lines += _plan_lines(contract, len(lines))
    if lines:
        ContractLine.objects.bulk_create(lines)
    audit_record(actor=actor, action="contract.draft", obj=contract,
                 after={**snapshot(contract), "lines": _lines_snapshot(contract.lines.all())})
    return contract


def _plan_lines(contract: Contract, start: int) -> list[ContractLine]:
    """Lines of the confirmed monthly work plan (monthly staff), when there is one."""
    return planlink.plan_lines_for(contract, start)


@transaction.atomic
def contract_plan_sync(*, actor, contract: Contract, expected_version: int | None = None) -> Contract:
    """Replace the work-plan section with the items of the appraisee's confirmed plan of the month."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    _require_editable(c)
    if planlink.confirmed_plan(c) is None:
        raise ApplicationError(_("%(name)s has no confirmed work plan for %(period)s yet.")
                               % {"name": c.employee.name, "period": c.period})
    before = _lines_snapshot(c.lines.filter(section=Section.PLAN))
    c.lines.filter(section=Section.PLAN).delete()
    ContractLine.objects.bulk_create(planlink.plan_lines_for(c, 0))
    bump(c)
    c.save()
    audit_record(actor=actor, action="contract.plan_sync", obj=c, before={"plan_lines": before},
                 after={"plan_lines": _lines_snapshot(c.lines.filter(section=Section.PLAN)),
                        "work_plan": c.work_plan_id})
    return c


@transaction.atomic
def contract_update(*, actor, contract: Contract, expected_version: int | None = None,
                    lines: list[dict] | None = None, **changes) -> Contract:
    """Change a draft or returned contract: section weights, appraiser, method, lines (the full list)."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    _require_editable(c)
    allowed = {"results_weight", "behaviour_weight", "plan_weight", "appraiser", "method"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = {**snapshot(c), "lines": _lines_snapshot(c.lines.all())}
    for key in ("results_weight", "behaviour_weight", "plan_weight"):
        if key in changes:
            value = _to_decimal(changes[key], str(Contract._meta.get_field(key).verbose_name), key)
            setattr(c, key, value if value is not None else Decimal(0))
    if "method" in changes:
        if changes["method"] not in Method.values:
            raise ApplicationError(_("Unknown way of making the contract."), field="method")
        c.method = changes["method"]
    if "appraiser" in changes and changes["appraiser"] != c.appraiser:
        appraiser = changes["appraiser"]
        c.appraiser_assigned_by_hr = appraiser_check(actor=actor, employee=c.employee, appraiser=appraiser)
        c.appraiser = appraiser
    _clean(c)
    if lines is not None:
        _apply_lines(ContractLine, "contract", c, lines)
    bump(c)
    c.save()
    after = {**snapshot(c), "lines": _lines_snapshot(c.lines.all())}
    audit_record(actor=actor, action="contract.update", obj=c, before=before, after=after)
    return c


@transaction.atomic
def contract_line_add(*, actor, contract: Contract, expected_version: int | None = None,
                      indicator: Indicator | None = None, **fields) -> ContractLine:
    """Append one line, filled from the indicator's defaults (rule, unit, data source)."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    _require_editable(c)
    data = indicator_line_defaults(indicator) if indicator is not None else {"rule": {"kind": "direct"}}
    data.update({k: v for k, v in fields.items() if v not in (None, "")})
    section = data.get("section", Section.RESULTS)
    data["order"] = (c.lines.filter(section=section).order_by("-order").values_list("order", flat=True).first()
                     or 0) + 1
    current = [{"id": ln.pk} for ln in c.lines.all()]
    created, _updated, _deleted = _apply_lines(ContractLine, "contract", c, [*current, data])
    bump(c)
    c.save(update_fields=["version", "updated_at"])
    line = created[0]
    audit_record(actor=actor, action="contract.line_add", obj=c, after=_lines_snapshot([line])[0])
    return line


# --- contracts: workflow -------------------------------------------------------------------------

def _clear_signatures(c: Contract) -> int:
    deleted, _ = ContractSignature.objects.filter(contract=c).delete()
    return deleted


@transaction.atomic
def contract_propose(*, actor, contract: Contract, expected_version: int | None = None) -> Contract:
    """Put the contract to the other party for review and signatures (draft/returned -> proposed)."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    before = c.status
    if not _move(c, "propose"):
        return c
    c.proposed_by, c.proposed_at = actor, timezone.now()
    issues = contract_lint.lint_contract(c)
    bump(c)
    c.save()
    _status_audit(actor, c, "propose", before, lint=[i.as_dict() for i in issues])
    url = contract_url(c)
    _notify(c.employee, title=lambda: _("Your KPI contract for %(period)s is proposed: please review and sign")
            % {"period": c.period},
            body=lambda: _("%(who)s proposed your performance contract. Read it, propose changes or sign it.")
            % {"who": _actor_name(actor)}, url=url)
    if c.appraiser and c.appraiser.user_id and c.appraiser.user_id != getattr(actor, "pk", None):
        _notify(c.appraiser, title=lambda: _("The KPI contract of %(name)s for %(period)s awaits your signature")
                % {"name": c.employee.name, "period": c.period}, url=url)
    return c


@transaction.atomic
def contract_withdraw(*, actor, contract: Contract, expected_version: int | None = None) -> Contract:
    """Take a proposed contract back to draft (signatures given so far are cleared)."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    before = c.status
    if not _move(c, "withdraw"):
        return c
    cleared = _clear_signatures(c)
    bump(c)
    c.save()
    _status_audit(actor, c, "withdraw", before, signatures_cleared=cleared)
    return c


@transaction.atomic
def contract_return(*, actor, contract: Contract, reason: str, expected_version: int | None = None) -> Contract:
    """The other party sends a proposed contract back with a reason (proposed -> returned)."""
    c = _lock_contract(contract)
    perms = contract_permissions(actor, c)
    if access.READ not in perms:
        raise NotFound(_("Not found."))
    party = party_of(actor, c)
    if party is None and access.WRITE not in perms:
        raise PermissionDenied(_("Only the parties to the contract may return it."))
    check_version(c, expected_version)
    if c.status == Status.PROPOSED and c.proposed_by_id and c.proposed_by_id == getattr(actor, "pk", None):
        raise TransitionNotAllowed(_("You proposed this contract yourself: withdraw it instead of returning it."))
    reason = (reason or "").strip()
    if not reason and c.status != Status.RETURNED:
        raise ApplicationError(_("Say why you return the contract, so the other party knows what to change."),
                               field="reason")
    before = c.status
    if not _move(c, "return"):
        return c
    c.return_reason, c.returned_by = reason, actor
    cleared = _clear_signatures(c)
    bump(c)
    c.save()
    _status_audit(actor, c, "return", before, reason=reason, signatures_cleared=cleared)
    _notify_writers(c, actor, title=lambda: _("The KPI contract of %(name)s for %(period)s was returned") % {
        "name": c.employee.name, "period": c.period}, body=reason)
    return c


def _notify_writers(c: Contract, actor, *, title, body="") -> None:
    """The appraiser and whoever proposed the contract, except the actor."""
    url = contract_url(c)
    notified = {getattr(actor, "pk", None)}
    for user in (c.appraiser.user if c.appraiser and c.appraiser.user_id else None, c.proposed_by):
        if user is not None and user.pk not in notified:
            notified.add(user.pk)
            _send(user, title=title, body=body, url=url)


def _actor_name(actor) -> str:
    emp = Employee.objects.filter(user_id=getattr(actor, "pk", None)).first()
    return emp.name if emp else getattr(actor, "username", "")


@transaction.atomic
def contract_sign(*, actor, contract: Contract, expected_version: int | None = None) -> Contract:
    """Sign as the appraisee or the appraiser. Lint errors refuse; the second signature agrees the
    contract (proposed -> agreed), locks targets and rules, and supersedes the version it amends."""
    c = _lock_contract(contract)
    require_contract(actor, access.READ, c)
    party = party_of(actor, c)
    if party is None:
        raise PermissionDenied(_("Only the appraisee and the appraiser sign a contract; HR and other managers "
                                 "do not sign on their behalf."))
    existing = {s.party: s for s in c.signatures.all()}
    if party in existing and c.status in (Status.PROPOSED, Status.AGREED):
        return c  # signing twice is a no-op
    if not _stale_only_by_the_other_signature(c, expected_version, existing):
        check_version(c, expected_version)
    if c.status != Status.PROPOSED:
        if c.status in EDITABLE:
            raise TransitionNotAllowed(_("Propose the contract before signing it: a “%(status)s” contract cannot "
                                         "be signed.") % {"status": c.get_status_display()})
        raise TransitionNotAllowed(_move_refusal(c, "agree"))
    lines = list(c.lines.select_related("indicator", "data_source"))
    issues = contract_lint.lint_contract(c, lines)
    errs = contract_lint.errors(issues)
    if errs:
        raise ContractLintError(
            _("The contract cannot be signed yet: %(errors)s") % {"errors": " ".join(e.message for e in errs)},
            extra={"lint": [i.as_dict() for i in issues]})
    content = contract_content(c, lines)
    digest = content_hash(content)
    for other in existing.values():
        if other.content_hash != digest:  # cannot happen while proposed content is frozen; never sign a mix
            raise TransitionNotAllowed(_("The contract changed after the other party signed; return it and "
                                         "propose it again."))
    now = timezone.now()
    viewer = access.viewer_for(actor)
    sig = ContractSignature.objects.create(contract=c, party=party, user=actor, employee_id=viewer.employee_id,
                                           signed_at=now, content_hash=digest)
    warnings = contract_lint.recorded_warnings(c, lines) if contract_lint.warnings(issues) else []
    c.lint_warnings = warnings
    before = c.status
    url = contract_url(c)
    if len(existing) + 1 == len(Party.values):
        _move(c, "agree")
        c.agreed_at, c.content_hash, c.signed_content = now, digest, content
        if c.previous_id:
            old = Contract.objects.select_for_update().get(pk=c.previous_id)
            old_status = old.status
            if _move(old, "supersede"):
                bump(old)
                old.save()
                _status_audit(actor, old, "supersede", old_status, by_version=c.version_no)
    bump(c)
    c.save()
    audit_record(actor=actor, action="contract.sign", obj=c, before={"status": before},
                 after={"status": c.status, "party": party, "signed_at": now.isoformat(), "content_hash": digest,
                        "warnings": warnings, "signature": sig.pk})
    if c.status == Status.AGREED:
        def title() -> str:
            return _("The KPI contract of %(name)s for %(period)s is signed by both parties") % {
                "name": c.employee.name, "period": c.period}

        for emp in (c.employee, c.appraiser):
            if emp is not None and emp.user_id and emp.user_id != actor.pk:
                _notify(emp, title=title, url=url)
    else:
        other = c.appraiser if party == Party.APPRAISEE else c.employee
        _notify(other, title=lambda: _("The KPI contract of %(name)s for %(period)s awaits your signature")
                % {"name": c.employee.name, "period": c.period},
                body=lambda: _("%(who)s has signed.") % {"who": _actor_name(actor)}, url=url)
    return c


def _stale_only_by_the_other_signature(c: Contract, expected_version, existing: dict) -> bool:
    """Both parties signing at the same moment: the second signer read the version before the first
    signature. That signature is the only change since (the proposed content is frozen and the content
    hash is checked below), so the second signature goes through instead of answering 409."""
    if expected_version is None or c.status != Status.PROPOSED or len(existing) != 1:
        return False
    if int(expected_version) != c.version - 1:
        return False
    last = (AuditEvent.objects.filter(object_type=c._meta.label_lower, object_id=str(c.pk))
            .order_by("-pk").values_list("action", flat=True).first())
    return last == "contract.sign"


@transaction.atomic
def contract_amend(*, actor, contract: Contract, reason: str = "") -> Contract:
    """Start an amendment of a signed contract: a new draft version with the same lines. The signed
    version stays in force (and on record) until the amendment is signed by both parties."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    if c.status != Status.AGREED:
        if c.status == Status.SUPERSEDED:
            raise TransitionNotAllowed(_move_refusal(c, "supersede"))
        raise TransitionNotAllowed(_("Only a signed contract is amended; this one can still be changed directly."))
    if not c.is_latest:
        newer = Contract.objects.filter(employee_id=c.employee_id, period=c.period, is_latest=True).first()
        raise TransitionNotAllowed(_("An amendment (version %(v)s) is already being prepared; change that one.")
                                   % {"v": newer.version_no if newer else "?"}, extra={"contract": newer and newer.pk})
    c.is_latest = False
    c.save(update_fields=["is_latest", "updated_at"])
    new = Contract(
        employee=c.employee, appraiser=c.appraiser, appraiser_assigned_by_hr=c.appraiser_assigned_by_hr,
        period=c.period, frequency=c.frequency, job_level=c.job_level, position=c.position, template=c.template,
        method=c.method, status=Status.DRAFT, version_no=c.version_no + 1, is_latest=True, previous=c,
        amendment_reason=(reason or "").strip(), results_weight=c.results_weight,
        behaviour_weight=c.behaviour_weight, plan_weight=c.plan_weight, created_by=actor)
    _clean(new)
    new.save()
    ContractLine.objects.bulk_create([_copy_line(ln, contract=new) for ln in c.lines.all()])
    audit_record(actor=actor, action="contract.amend", obj=new, before={"version": c.version_no, "id": c.pk},
                 after={**snapshot(new), "lines": _lines_snapshot(new.lines.all())})
    return new


@transaction.atomic
def contract_amendment_discard(*, actor, contract: Contract) -> Contract:
    """Drop an unsigned amendment; the signed version it amended is the latest again."""
    c = _lock_contract(contract)
    require_contract(actor, access.WRITE, c)
    if not c.previous_id or c.status in (Status.AGREED, Status.SUPERSEDED):
        raise TransitionNotAllowed(_("Only an unsigned amendment can be discarded."))
    previous = Contract.objects.select_for_update().get(pk=c.previous_id)
    audit_record(actor=actor, action="contract.amendment_discard", obj=c,
                 before={**snapshot(c), "lines": _lines_snapshot(c.lines.all())}, after=None)
    c.delete()
    previous.is_latest = True
    previous.save(update_fields=["is_latest", "updated_at"])
    return previous


# --- negotiation: changes proposed by the appraisee ------------------------------------------------

def _parse_change_value(field: str, value):
    if field in ("target", "weight"):
        label = str(ContractLine._meta.get_field(field).verbose_name)
        d = _to_decimal(value, label, field)
        if field == "weight" and (d is None or d < 0 or d > 100):
            raise ApplicationError(_("A weight is a percentage between 0 and 100."), field="weight")
        if field == "target" and (d is None or d <= 0):
            raise ApplicationError(_("The target must be a number greater than 0."), field="target")
        return d
    if field == "due_date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ApplicationError(_("Write the date as YYYY-MM-DD."), field="due_date")
    if field == "milestones_total":
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ApplicationError(_("The number of milestones must be a whole number."), field="milestones_total")
        if n <= 0:
            raise ApplicationError(_("The number of milestones must be greater than 0."), field="milestones_total")
        return n
    return str(value or "")


def _json_value(value):
    if isinstance(value, Decimal):
        return format(value.normalize() + 0, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def contract_change_propose(*, actor, contract: Contract, changes: list[dict], comment: str = "",
                            expected_version: int | None = None) -> ContractChange:
    """The appraisee proposes changes (e.g. another target) to a contract put to them; a proposed contract
    goes back to the appraiser (returned) with the changes to accept or reject."""
    c = _lock_contract(contract)
    require_contract(actor, access.SIGN, c)
    if party_of(actor, c) != Party.APPRAISEE:
        raise PermissionDenied(_("Only the appraisee proposes changes; the appraiser edits the contract."))
    check_version(c, expected_version)
    if not (c.status == Status.PROPOSED or (c.status == Status.DRAFT and c.method == Method.BOTTOM_UP)):
        if c.status in (Status.AGREED, Status.SUPERSEDED):
            raise TransitionNotAllowed(_move_refusal(c, "return"))
        raise TransitionNotAllowed(_("Changes are proposed to a contract that has been put to you (proposed), or "
                                     "to a bottom-up draft."))
    if not changes:
        raise ApplicationError(_("Propose at least one change."), field="changes")
    if ContractChange.objects.filter(contract=c, status=ChangeStatus.OPEN).exists():
        raise ApplicationError(_("Your earlier proposal is still open; wait for the appraiser's answer."))
    lines = {ln.pk: ln for ln in c.lines.select_related("indicator")}
    recorded = []
    for item in changes:
        line = lines.get(int(item.get("line") or 0))
        field = item.get("field")
        if line is None:
            raise ApplicationError(_("That line is not part of this contract."), field="line")
        if field not in ContractChange.CHANGEABLE_FIELDS:
            raise ApplicationError(_("“%(field)s” cannot be changed by a proposal.") % {"field": field},
                                   field="field")
        new = _parse_change_value(field, item.get("value"))
        old = getattr(line, field)
        if new == old:
            continue
        recorded.append({"line": line.pk, "title": line.display_title, "field": field,
                         "old": _json_value(old), "new": _json_value(new)})
    if not recorded:
        raise ApplicationError(_("The proposal changes nothing: every value is as in the contract."),
                               field="changes")
    change = ContractChange(contract=c, proposed_by=actor, comment=(comment or "").strip(), changes=recorded)
    _clean(change)
    change.save()
    before = c.status
    if c.status == Status.PROPOSED:
        _move(c, "return")
        c.return_reason = change.comment or _("Changes proposed by the appraisee.")
        c.returned_by = actor
        _clear_signatures(c)
    bump(c)
    c.save()
    _status_audit(actor, c, "change_propose", before, change=change.pk, changes=recorded, comment=change.comment)
    _notify_writers(c, actor, title=lambda: _("%(name)s proposes changes to the KPI contract for %(period)s")
                    % {"name": c.employee.name, "period": c.period}, body=change.comment)
    return change


def _lock_change(change: ContractChange) -> tuple[ContractChange, Contract]:
    ch = ContractChange.objects.select_for_update().filter(pk=change.pk).first()
    if ch is None:
        raise NotFound(_("Not found."))
    return ch, _lock_contract(ch.contract)


@transaction.atomic
def contract_change_accept(*, actor, change: ContractChange, expected_version: int | None = None) -> Contract:
    """The appraiser agrees to the appraisee's changes: they are applied and the contract is proposed again
    for both signatures. A top-down contract becomes negotiated."""
    ch, c = _lock_change(change)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    if ch.status != ChangeStatus.OPEN:
        if ch.status == ChangeStatus.ACCEPTED:
            return c
        raise TransitionNotAllowed(_("This proposal was already rejected."))
    _require_editable(c)
    lines = {ln.pk: ln for ln in c.lines.all()}
    before = {**snapshot(c), "lines": _lines_snapshot(lines.values())}
    for item in ch.changes:
        line = lines.get(item["line"])
        if line is None:
            continue  # the line was removed since; nothing to apply
        setattr(line, item["field"], _parse_change_value(item["field"], item["new"]))
        line.full_clean(exclude=["contract"])
        line.save()
    ch.status, ch.decided_by, ch.decided_at = ChangeStatus.ACCEPTED, actor, timezone.now()
    ch.save()
    if c.method == Method.TOP_DOWN:
        c.method = Method.NEGOTIATED
    status_before = c.status
    _move(c, "propose")
    c.proposed_by, c.proposed_at = actor, timezone.now()
    bump(c)
    c.save()
    audit_record(actor=actor, action="contract.change_accept", obj=c, before=before,
                 after={**snapshot(c), "lines": _lines_snapshot(c.lines.all()), "change": ch.pk,
                        "status_before": status_before})
    _notify(c.employee, title=lambda: _("Your proposed changes were accepted: the KPI contract for %(period)s "
                                        "awaits your signature") % {"period": c.period}, url=contract_url(c))
    return c


@transaction.atomic
def contract_change_reject(*, actor, change: ContractChange, note: str = "",
                           expected_version: int | None = None) -> Contract:
    """The appraiser keeps the contract as it was and puts it to the appraisee again."""
    ch, c = _lock_change(change)
    require_contract(actor, access.WRITE, c)
    check_version(c, expected_version)
    if ch.status != ChangeStatus.OPEN:
        if ch.status == ChangeStatus.REJECTED:
            return c
        raise TransitionNotAllowed(_("This proposal was already accepted."))
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say why you keep the contract as it is."), field="note")
    ch.status, ch.decided_by, ch.decided_at, ch.decision_note = ChangeStatus.REJECTED, actor, timezone.now(), note
    ch.save()
    before = c.status
    if c.status == Status.RETURNED:
        _move(c, "propose")
        c.proposed_by, c.proposed_at = actor, timezone.now()
    bump(c)
    c.save()
    _status_audit(actor, c, "change_reject", before, change=ch.pk, note=note)
    _notify(c.employee, title=lambda: _("Your proposed changes to the KPI contract for %(period)s were not accepted")
            % {"period": c.period}, body=note, url=contract_url(c))
    return c


# --- bulk generation -----------------------------------------------------------------------------

@transaction.atomic
def contracts_generate(*, actor, template: ContractTemplate, period: str | None = None,
                       department: Department | None = None, job_level: JobLevel | None = None) -> dict:
    """HR drafts the contracts of everyone the template applies to (in a department subtree and/or a job
    level) who has none yet for the period. Set-based: a fixed number of queries for any headcount."""
    require_hr(actor)
    tpl = ContractTemplate.objects.select_related("job_level", "position__job_level").get(pk=template.pk)
    level = tpl.position.job_level if tpl.position_id else tpl.job_level
    if job_level is not None and level is not None and job_level.pk != level.pk:
        raise ApplicationError(_("The template %(tpl)s is for the job level %(level)s, not %(other)s.")
                               % {"tpl": tpl.name, "level": level.name, "other": job_level.name}, field="job_level")
    p = Period.parse(period) if period else current_period(level.review_frequency)
    if p.frequency != level.review_frequency:
        raise ApplicationError(_("Job level %(level)s is appraised %(frequency)s: choose a period like %(example)s.")
                               % {"level": level.name, "frequency": level.get_review_frequency_display().lower(),
                                  "example": current_period(level.review_frequency).code}, field="period")
    employees = Employee.objects.filter(is_active=True).select_related("supervisor")
    if tpl.position_id:
        employees = employees.filter(position_id=tpl.position_id)
    else:
        employees = employees.filter(position__job_level_id=level.pk)
    if department is not None:
        employees = employees.filter(department_subtree_q(department))
    has_one = Contract.objects.filter(period=p.code, is_latest=True).values("employee_id")
    employees = list(employees.exclude(pk__in=has_one)
                     .only("id", "position_id", "supervisor_id", "report_path", "employee_no", "name_zh"))
    if not employees:
        return {"created": 0, "period": p.code, "contracts": []}
    template_lines = list(tpl.lines.all())
    creator = actor if getattr(actor, "is_authenticated", False) else None
    contracts = [Contract(employee_id=e.pk, appraiser_id=e.supervisor_id, period=p.code, frequency=p.frequency,
                          job_level_id=level.pk, position_id=e.position_id, template=tpl, method=Method.TOP_DOWN,
                          results_weight=tpl.results_weight, behaviour_weight=tpl.behaviour_weight,
                          plan_weight=tpl.plan_weight, created_by=creator) for e in employees]
    Contract.objects.bulk_create(contracts, batch_size=500)
    if contracts and contracts[0].pk is None:  # a database that does not return ids from bulk inserts
        by_emp = dict(Contract.objects.filter(period=p.code, is_latest=True,
                                              employee_id__in=[e.pk for e in employees])
                      .values_list("employee_id", "pk"))
        for c in contracts:
            c.pk = c.id = by_emp[c.employee_id]
    lines = [_line_from_template(tl, contract_id=c.pk) for c in contracts for tl in template_lines]
    lines += planlink.plan_lines_bulk(contracts, start=len(template_lines))
    ContractLine.objects.bulk_create(lines, batch_size=2000)
    names = {e.pk: f"{e.name_zh} ({e.employee_no})" for e in employees}
    audit_bulk(actor=actor, action="contract.generate", rows=[
        ("contracts.contract", c.pk, f"{names[c.employee_id]} · {p.code} · v1", None,
         {"period": p.code, "template": tpl.code, "employee": c.employee_id, "appraiser": c.appraiser_id,
          "status": Status.DRAFT}) for c in contracts])
    return {"created": len(contracts), "period": p.code, "contracts": [c.pk for c in contracts]}

