"""Every write to pay: in a transaction, on locked rows, checked, audited. Amounts are Decimal and rounded
once, half-up to the fen (``models.money``). Runs are computed set-based: one read of the cycle's published
appraisals with their bases, lines written in batches, no query per employee."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, Collection, Cycle, CycleStatus, ScoreLine
from apps.appraisals.models import Status as AppraisalStatus
from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.periods import Period
from apps.core.roles import FINANCE_GROUP, HR_GROUP, is_hr
from apps.notifications.services import notification_create
from apps.org.access import viewer_for
from apps.org.models import Department, Employee

from . import access
from .models import (
    PROPOSAL_TRANSITIONS,
    RUN_TRANSITIONS,
    Budget,
    BudgetKind,
    CoefficientTable,
    MeritMatrix,
    PayoutLine,
    PayoutRun,
    PayProfile,
    PoolKind,
    ProposalStatus,
    RunStatus,
    SalaryProposal,
    SplitKind,
    TeamRewardResult,
    TeamRewardRule,
    TeamRewardShare,
    band_quartile,
    money,
)

BATCH = 2000
MAX_MONEY = Decimal("999999999999.99")


# --- helpers ---------------------------------------------------------------------------------------------

def _clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            if field == "__all__":
                raise ApplicationError(" ".join(messages))
            label = str(obj._meta.get_field(field).verbose_name)
            raise ApplicationError(f"{label}: {' '.join(messages)}", field=field)
        raise ApplicationError(" ".join(exc.messages))


def _save(obj, fields: Iterable[str] | None = None) -> None:
    bump(obj)
    _clean(obj)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])


def amount(value, label: str, field: str, *, required: bool = True, allow_negative: bool = False) -> Decimal | None:
    """A money amount from user input: a number with at most two decimals, not negative."""
    if value in (None, ""):
        if required:
            raise ApplicationError(_("%(label)s: please fill this in.") % {"label": label}, field=field)
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    if not d.is_finite():
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    if d < 0 and not allow_negative:
        raise ApplicationError(_("%(label)s cannot be negative.") % {"label": label}, field=field)
    if d != d.quantize(Decimal("0.01")):
        raise ApplicationError(_("%(label)s has at most two decimals (fen).") % {"label": label}, field=field)
    if abs(d) > MAX_MONEY:
        raise ApplicationError(_("%(label)s is too large.") % {"label": label}, field=field)
    return d


def number(value, label: str, field: str, *, required: bool = True, low=None, high=None) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ApplicationError(_("%(label)s: please fill this in.") % {"label": label}, field=field)
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(_("%(label)s must be a number, got “%(value)s”.") % {"label": label, "value": value},
                               field=field)
    if not d.is_finite() or (low is not None and d < low) or (high is not None and d > high):
        raise ApplicationError(_("%(label)s must be a number between %(low)s and %(high)s.")
                               % {"label": label, "value": value, "low": low, "high": high}, field=field)
    return d


def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def _notify(user_ids: Iterable[int | None], *, title, url: str, dedupe: str | None = None) -> None:
    """Tell each user in their own language; the message carries no amount, only a title and a link."""
    from apps.accounts.models import UserPreference

    ids = sorted({u for u in user_ids if u})
    if not ids:
        return
    users = get_user_model().objects.in_bulk(ids)
    langs = dict(UserPreference.objects.filter(user_id__in=ids).exclude(language="").values_list("user_id", "language"))
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        with translation.override(langs.get(uid) or settings.LANGUAGE_CODE):
            notification_create(recipient=user, title=str(title()), url=absolute_url(url),
                                body=str(_("Pay is confidential: open the link to see it.")),
                                dedupe_key=f"{dedupe}:{uid}" if dedupe else None)


def _group_user_ids(*names: str) -> set[int]:
    return set(get_user_model().objects.filter(groups__name__in=names, is_active=True).values_list("pk", flat=True))


def _gm_user_ids() -> set[int]:
    from apps.core.roles import EXECUTIVE_GROUP

    return set(Employee.objects.filter(is_active=True, supervisor__isnull=True, user__is_active=True,
                                       user__groups__name=EXECUTIVE_GROUP).values_list("user_id", flat=True))


def cycle_grades(cycle: Cycle) -> list[str]:
    return [str(b["grade"]) for b in (cycle.grade_bands or [])]


# --- pay data -----------------------------------------------------------------------------------------------

PROFILE_FIELDS = ("base_pay", "salary", "band_min", "band_mid", "band_max")


def profile_values(data: dict) -> dict:
    """Checked values of pay data (each a Decimal with two decimals, not negative; band min <= mid <= max)."""
    labels = {"base_pay": _("Base performance pay"), "salary": _("Current salary"), "band_min": _("Band minimum"),
              "band_mid": _("Band midpoint"), "band_max": _("Band maximum")}
    out = {f: amount(data.get(f), labels[f], f, required=(f == "base_pay")) for f in PROFILE_FIELDS}
    band = [out["band_min"], out["band_mid"], out["band_max"]]
    if any(v is not None for v in band):
        if any(v is None for v in band):
            raise ApplicationError(_("Give the whole salary band (minimum, midpoint and maximum) or none of it."),
                                   field="band_min")
        if not band[0] <= band[1] <= band[2]:
            raise ApplicationError(_("The salary band must run minimum ≤ midpoint ≤ maximum."), field="band_mid")
    return out


@transaction.atomic
def pay_profile_set(*, actor, employee: Employee, expected_version: int | None = None, **data) -> PayProfile:
    """HR or finance enters an employee's pay data."""
    if not access.sees_pay_data(actor):
        raise NotFound(_("Not found."))
    values = profile_values(data)
    profile = PayProfile.objects.select_for_update().filter(employee=employee).first()
    if profile is None:
        profile = PayProfile(employee=employee, version=0, **values)
        before = None
    else:
        check_version(profile, expected_version)
        before = snapshot(profile, (*PROFILE_FIELDS, "version"))
        for k, v in values.items():
            setattr(profile, k, v)
    profile.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    _save(profile)
    audit_record(actor=actor, action="pay.profile_set", obj=profile, object_repr=employee.employee_no,
                 before=before, after=snapshot(profile, (*PROFILE_FIELDS, "version")))
    return profile


# --- coefficients and budgets ------------------------------------------------------------------------------

def _coefficient_row(row: dict, grades: list[str], where: str) -> dict:
    if not isinstance(row, dict):
        raise ApplicationError(_("Coefficients must be given per grade."), field="coefficients")
    out = {}
    for grade in grades:
        if row.get(grade) in (None, ""):
            raise ApplicationError(_("%(where)s: the coefficient of grade %(grade)s is missing.")
                                   % {"where": where, "grade": grade}, field="coefficients")
        out[grade] = str(number(row[grade], _("Coefficient of grade %(grade)s") % {"grade": grade},
                                "coefficients", low=Decimal(0), high=Decimal(10)).normalize())
    unknown = sorted(set(row) - set(grades))
    if unknown:
        raise ApplicationError(_("%(where)s: the cycle has no grade %(grade)s.") % {"where": where,
                                                                                   "grade": ", ".join(unknown)},
                               field="coefficients")
    return out


@transaction.atomic
def coefficients_set(*, actor, cycle: Cycle, coefficients: dict, by_level: dict | None = None,
                     expected_version: int | None = None) -> CoefficientTable:
    """HR sets the coefficient of every grade of the cycle (and, optionally, per job level)."""
    access.require_hr(actor)
    from apps.org.models import JobLevel

    grades = cycle_grades(cycle)
    clean = _coefficient_row(coefficients, grades, _("All job levels"))
    levels = {}
    known_levels = set(JobLevel.objects.values_list("code", flat=True))
    for code, row in (by_level or {}).items():
        if code not in known_levels:
            raise ApplicationError(_("There is no job level %(code)s.") % {"code": code}, field="by_level")
        levels[code] = _coefficient_row(row, grades, code)
    table = CoefficientTable.objects.select_for_update().filter(cycle=cycle).first()
    before = None
    if table is None:
        table = CoefficientTable(cycle=cycle, version=0)
    else:
        check_version(table, expected_version)
        before = snapshot(table, ("coefficients", "by_level", "version"))
    table.coefficients, table.by_level = clean, levels
    _save(table)
    audit_record(actor=actor, action="pay.coefficients_set", obj=table, before=before,
                 after=snapshot(table, ("coefficients", "by_level", "version")))
    return table


@transaction.atomic
def budget_set(*, actor, cycle: Cycle, department: Department, kind: str, amount_value,
               expected_version: int | None = None) -> Budget:
    access.require_hr(actor)
    if kind not in BudgetKind.values:
        raise ApplicationError(_("Unknown kind of budget."), field="kind")
    value = amount(amount_value, _("Budget"), "amount")
    budget = Budget.objects.select_for_update().filter(cycle=cycle, department=department, kind=kind).first()
    before = None
    if budget is None:
        budget = Budget(cycle=cycle, department=department, kind=kind, amount=value, version=0)
    else:
        check_version(budget, expected_version)
        before = snapshot(budget, ("amount", "version"))
        budget.amount = value
    _save(budget)
    audit_record(actor=actor, action="pay.budget_set", obj=budget, before=before,
                 after=snapshot(budget, ("department", "kind", "amount", "version")))
    return budget


# --- payout runs -----------------------------------------------------------------------------------------------

def _lock_run(run) -> PayoutRun:
    r = PayoutRun.objects.select_for_update(of=("self",)).select_related("cycle").filter(pk=run.pk).first()
    if r is None:
        raise NotFound(_("Not found."))
    return r


def _move(run: PayoutRun, action: str) -> None:
    sources, target = RUN_TRANSITIONS[action]
    if run.status not in sources:
        raise TransitionNotAllowed(_("This is not possible while the run is “%(status)s”.")
                                   % {"status": RunStatus(run.status).label})
    run.status = target


RUN_AUDIT = ("status", "rows", "total_base", "total_performance_pay", "total_team_reward", "total", "changed_rows",
             "missing_base", "version")


def _compute_lines(run: PayoutRun, table: CoefficientTable, previous: PayoutRun | None) -> None:
    """Write the run's lines set-based: one read of the published appraisals with base and team reward,
    bulk inserts in batches; totals summed as the lines are made (exact Decimal)."""
    cycle = run.cycle
    base_q = PayProfile.objects.filter(employee_id=OuterRef("employee_id")).values("base_pay")[:1]
    reward_q = (TeamRewardShare.objects.filter(employee_id=OuterRef("employee_id"), result__cycle=cycle)
                .values("employee_id").annotate(s=Sum("amount")).values("s")[:1])
    rows = (Appraisal.objects.filter(cycle=cycle, status=AppraisalStatus.PUBLISHED)
            .annotate(base=Subquery(base_q), reward=Subquery(reward_q))
            .order_by("pk")
            .values_list("pk", "employee_id", "department_id", "job_level__code", "grade", "calibrated_grade",
                         "base", "reward"))
    prev = dict(PayoutLine.objects.filter(run=previous).values_list("employee_id", "total")) if previous else {}
    totals = defaultdict(Decimal)
    n = changed = missing = 0
    batch: list[PayoutLine] = []
    for pk, emp_id, dept_id, level, grade, calibrated, base, reward in rows.iterator(chunk_size=BATCH):
        final = calibrated or grade
        coef = table.coefficient(final, level)
        has_base = base is not None
        # money(): SQLite hands subquery sums back as floats; amounts are always whole fen
        base = money(base) if has_base else Decimal("0.00")
        pay = money(base * coef)
        reward = money(reward) if reward else Decimal("0.00")
        total = pay + reward
        line = PayoutLine(run=run, employee_id=emp_id, appraisal_id=pk, department_id=dept_id, level_code=level or "",
                          grade=final, coefficient=coef, base=base, has_base=has_base, performance_pay=pay,
                          team_reward=reward, total=total)
        if previous is not None:
            line.previous_total = prev.get(emp_id)
            line.changed = line.previous_total != total
            changed += line.changed
        batch.append(line)
        totals["base"] += base
        totals["pay"] += pay
        totals["reward"] += reward
        n += 1
        missing += not has_base
        if len(batch) >= BATCH:
            PayoutLine.objects.bulk_create(batch)
            batch = []
    if batch:
        PayoutLine.objects.bulk_create(batch)
    run.rows, run.changed_rows, run.missing_base = n, changed, missing
    run.total_base, run.total_performance_pay, run.total_team_reward = totals["base"], totals["pay"], totals["reward"]
    run.total = totals["pay"] + totals["reward"]


def _table_for(cycle: Cycle) -> CoefficientTable:
    table = CoefficientTable.objects.filter(cycle=cycle).first()
    if table is None:
        raise ApplicationError(_("Set the coefficient table of this cycle first."))
    missing = [g for g in cycle_grades(cycle) if g not in table.coefficients]
    if missing:
        raise ApplicationError(_("The coefficient table misses grade %(grades)s.") % {"grades": ", ".join(missing)})
    used = set(Appraisal.objects.filter(cycle=cycle, status=AppraisalStatus.PUBLISHED)
               .values_list("calibrated_grade", "grade").distinct())
    unknown = sorted({c or g for c, g in used} - set(table.coefficients))
    if unknown:
        raise ApplicationError(_("The coefficient table misses grade %(grades)s.") % {"grades": ", ".join(unknown)})
    return table


@transaction.atomic
def run_compute(*, actor, cycle: Cycle) -> PayoutRun:
    """HR computes performance pay for every published appraisal of a published cycle. A draft run is
    recomputed in place; after an approved run, only a changed result (an upheld appeal) allows a
    correction run, which shows the differences. A submitted run must be returned first."""
    access.require_hr(actor)
    c = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if c.status != CycleStatus.PUBLISHED:
        raise TransitionNotAllowed(_("The results of this cycle are not published yet: there is nothing to pay."))
    table = _table_for(c)
    latest = PayoutRun.objects.select_for_update().filter(cycle=c).order_by("-number").first()
    previous = None
    if latest is None:
        run = PayoutRun(cycle=c, number=1, created_by=actor, version=0)
    elif latest.status == RunStatus.DRAFT:
        run = latest
        before = snapshot(run, RUN_AUDIT)
        run.lines.all().delete()
        previous = run.corrects
    elif latest.status == RunStatus.SUBMITTED:
        raise TransitionNotAllowed(_("Run %(n)s waits for approval: have it returned before recomputing.")
                                   % {"n": latest.number})
    else:
        if not latest.needs_correction:
            raise TransitionNotAllowed(_("Run %(n)s is approved and no result changed since: there is nothing "
                                         "to correct.") % {"n": latest.number})
        previous = latest
        run = PayoutRun(cycle=c, number=latest.number + 1, corrects=latest, created_by=actor, version=0)
    if run.pk is None:
        before = None
        run.save()
    run.cycle = c
    _compute_lines(run, table, previous)
    run.needs_correction = False
    run.created_by = actor
    _save(run)
    audit_record(actor=actor, action="pay.run_compute", obj=run, before=before, after=snapshot(run, RUN_AUDIT))
    return run


def run_url(run_id: int) -> str:
    return reverse("pay:run", args=[run_id])


@transaction.atomic
def run_submit(*, actor, run: PayoutRun, expected_version: int | None = None) -> PayoutRun:
    access.require_hr(actor)
    r = _lock_run(run)
    check_version(r, expected_version)
    if r.needs_correction:
        raise TransitionNotAllowed(_("A result changed after this run was computed: recompute it first."))
    before = snapshot(r, RUN_AUDIT)
    _move(r, "submit")
    r.submitted_by, r.submitted_at = actor, timezone.now()
    _save(r)
    audit_record(actor=actor, action="pay.run_submit", obj=r, before=before, after=snapshot(r, RUN_AUDIT))
    transaction.on_commit(lambda: _notify(_gm_user_ids(), title=lambda: _("A payout run waits for your approval"),
                                          url=run_url(r.pk)))
    return r


@transaction.atomic
def run_return(*, actor, run: PayoutRun, reason: str, expected_version: int | None = None) -> PayoutRun:
    """The general manager (or HR) sends a submitted run back to draft, with a reason."""
    if not (access.is_gm(actor) or is_hr(actor)):
        access.require_gm(actor)
    r = _lock_run(run)
    check_version(r, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the run goes back."), field="reason")
    before = snapshot(r, RUN_AUDIT)
    _move(r, "return")
    _save(r)
    audit_record(actor=actor, action="pay.run_return", obj=r, before=before,
                 after={**snapshot(r, RUN_AUDIT), "reason": reason})
    return r


@transaction.atomic
def run_approve(*, actor, run: PayoutRun, expected_version: int | None = None) -> PayoutRun:
    """The general manager approves a submitted run; it is locked from then on."""
    access.require_gm(actor)
    r = _lock_run(run)
    check_version(r, expected_version)
    if r.needs_correction:
        raise TransitionNotAllowed(_("A result changed after this run was computed: have it recomputed first."))
    before = snapshot(r, RUN_AUDIT)
    _move(r, "approve")
    r.approved_by, r.approved_at = actor, timezone.now()
    _save(r)
    audit_record(actor=actor, action="pay.run_approve", obj=r, before=before, after=snapshot(r, RUN_AUDIT))
    transaction.on_commit(lambda: _notify(_group_user_ids(HR_GROUP, FINANCE_GROUP),
                                          title=lambda: _("A payout run was approved"), url=run_url(r.pk)))
    return r


@transaction.atomic
def run_release(*, actor, run: PayoutRun, expected_version: int | None = None) -> PayoutRun:
    """HR shows an approved run's payouts to the employees (each sees their own line)."""
    access.require_hr(actor)
    r = _lock_run(run)
    check_version(r, expected_version)
    if not r.is_final:
        raise TransitionNotAllowed(_("Only an approved run can be released to employees."))
    if r.released_at:
        raise TransitionNotAllowed(_("This run was already released."))
    r.released_at = timezone.now()
    _save(r, ["released_at"])
    audit_record(actor=actor, action="pay.run_release", obj=r, after={"released_at": r.released_at})
    user_ids = list(PayoutLine.objects.filter(run=r).values_list("employee__user_id", flat=True))
    transaction.on_commit(lambda: _notify(user_ids, title=lambda: _("Your performance pay is available"),
                                          url=reverse("pay:mine"), dedupe=f"pay.release:{r.pk}"))
    return r


def mark_needs_correction(*, appraisal: Appraisal) -> int:
    """A published result changed (an upheld appeal): flag the latest run of its cycle that pays it."""
    latest = PayoutRun.objects.filter(cycle_id=appraisal.cycle_id).order_by("-number").first()
    if latest is None or not PayoutLine.objects.filter(run=latest, appraisal=appraisal).exists():
        return 0
    return PayoutRun.objects.filter(pk=latest.pk).update(needs_correction=True)


# --- merit matrix and salary-adjustment proposals ----------------------------------------------------------------

@transaction.atomic
def merit_matrix_set(*, actor, cycle: Cycle, cells: dict, effective_date, expected_version: int | None = None
                     ) -> MeritMatrix:
    """HR sets the guideline range of increase (percent) for every grade and quartile of the band."""
    access.require_hr(actor)
    clean = {}
    for grade in cycle_grades(cycle):
        row = (cells or {}).get(grade)
        if not isinstance(row, list | tuple) or len(row) != 4:
            raise ApplicationError(_("Grade %(grade)s needs a range for each of the four quartiles.")
                                   % {"grade": grade}, field="cells")
        out = []
        for q, pair in enumerate(row, start=1):
            label = _("Grade %(grade)s, quartile %(q)s") % {"grade": grade, "q": q}
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ApplicationError(_("%(label)s: give a minimum and a maximum.") % {"label": label}, field="cells")
            low = number(pair[0], label, "cells", low=Decimal(0), high=Decimal(100))
            high = number(pair[1], label, "cells", low=Decimal(0), high=Decimal(100))
            if low > high:
                raise ApplicationError(_("%(label)s: the minimum is above the maximum.") % {"label": label},
                                       field="cells")
            out.append([str(low), str(high)])
        clean[grade] = out
    if isinstance(effective_date, str):
        from django.utils.dateparse import parse_date

        effective_date = parse_date(effective_date)
    if not isinstance(effective_date, dt.date):
        raise ApplicationError(_("Give the date the adjustments take effect (2027-01-01)."), field="effective_date")
    matrix = MeritMatrix.objects.select_for_update().filter(cycle=cycle).first()
    before = None
    if matrix is None:
        matrix = MeritMatrix(cycle=cycle, cells=clean, effective_date=effective_date, version=0)
    else:
        check_version(matrix, expected_version)
        before = snapshot(matrix, ("cells", "effective_date", "version"))
        matrix.cells, matrix.effective_date = clean, effective_date
    _save(matrix)
    audit_record(actor=actor, action="pay.merit_matrix_set", obj=matrix, before=before,
                 after=snapshot(matrix, ("cells", "effective_date", "version")))
    return matrix


def raise_budget_for(cycle_id: int, department: Department) -> Budget | None:
    """The nearest salary-adjustment budget at or above the department."""
    ids = [int(x) for x in department.path.strip("/").split("/") if x] if department.path else [department.pk]
    budgets = {b.department_id: b for b in Budget.objects.filter(cycle_id=cycle_id, kind=BudgetKind.RAISE,
                                                                 department_id__in=ids).select_related("department")}
    for dep_id in reversed(ids):
        if dep_id in budgets:
            return budgets[dep_id]
    return None


def budget_used(budget: Budget, *, statuses, exclude_pk=None) -> Decimal:
    qs = SalaryProposal.objects.filter(cycle_id=budget.cycle_id, status__in=statuses,
                                       department__path__startswith=budget.department.path)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return money(qs.aggregate(s=Sum("increase_amount"))["s"] or 0)  # money(): SQLite sums come back as int or float


OPEN_PROPOSALS = (ProposalStatus.SUBMITTED, ProposalStatus.REVIEWED, ProposalStatus.APPROVED)
PROPOSAL_AUDIT = ("status", "increase_pct", "increase_amount", "new_salary", "justification", "outside_guideline",
                  "above_band", "decision_note", "version")


def _proposal_terms(p: SalaryProposal, matrix: MeritMatrix, profile: PayProfile, increase_pct, justification) -> None:
    pct = number(increase_pct, _("Increase (%)"), "increase_pct", low=Decimal(0), high=Decimal(100))
    if pct != pct.quantize(Decimal("0.01")):
        raise ApplicationError(_("Give the increase with at most two decimals."), field="increase_pct")
    p.increase_pct = pct
    p.current_salary = profile.salary
    p.quartile = band_quartile(profile.salary, profile.band_min, profile.band_max)
    low, high = matrix.guideline(p.grade, p.quartile) or (Decimal(0), Decimal(0))
    p.guideline_min, p.guideline_max = low, high
    p.increase_amount = money(profile.salary * pct / 100)
    p.new_salary = profile.salary + p.increase_amount
    p.outside_guideline = not (low <= pct <= high)
    p.above_band = p.new_salary > profile.band_max
    p.justification = (justification or "").strip()
    if p.above_band and not p.justification:
        raise ApplicationError(_("The new salary %(new)s is above the band maximum %(max)s: give a justification.")
                               % {"new": p.new_salary, "max": profile.band_max}, field="justification")
    if p.outside_guideline and not p.justification:
        raise ApplicationError(_("%(pct)s%% is outside the guideline %(low)s–%(high)s%% for grade %(grade)s in "
                                 "quartile %(q)s: give a justification.")
                               % {"pct": pct, "low": low, "high": high, "grade": p.grade, "q": p.quartile},
                               field="justification")


def _check_pool(p: SalaryProposal, *, statuses, when: str) -> None:
    budget = raise_budget_for(p.cycle_id, p.department)
    if budget is None:
        raise ApplicationError(_("HR has not set a salary-adjustment budget for %(dept)s.")
                               % {"dept": p.department.name})
    used = budget_used(budget, statuses=statuses, exclude_pk=p.pk)
    if used + p.increase_amount > budget.amount:
        raise ApplicationError(
            _("The %(when)s would exceed the budget of %(dept)s: %(used)s already used of %(budget)s, this "
              "proposal adds %(add)s.") % {"when": when, "dept": budget.department.name, "used": used,
                                           "budget": budget.amount, "add": p.increase_amount},
            field="increase_pct")


@transaction.atomic
def proposal_create(*, actor, cycle: Cycle, employee: Employee, increase_pct, justification: str = "") -> SalaryProposal:
    """A manager proposes a salary increase for a member of their team (not themself)."""
    if not access.manages(actor, employee):
        raise NotFound(_("Not found."))
    matrix = MeritMatrix.objects.filter(cycle=cycle).first()
    if matrix is None:
        raise ApplicationError(_("HR has not set the merit matrix of this cycle yet."))
    appraisal = Appraisal.objects.filter(cycle=cycle, employee=employee, status=AppraisalStatus.PUBLISHED).first()
    if appraisal is None:
        raise ApplicationError(_("%(name)s has no published result in this cycle.") % {"name": employee.name})
    profile = PayProfile.objects.filter(employee=employee).first()
    if profile is None or profile.salary is None or profile.band_max is None:
        raise ApplicationError(_("HR has not recorded the salary and band of %(name)s.") % {"name": employee.name})
    if SalaryProposal.objects.filter(cycle=cycle, employee=employee).exists():
        raise ApplicationError(_("There is already a proposal for %(name)s in this cycle.") % {"name": employee.name})
    p = SalaryProposal(cycle=cycle, employee=employee, department=employee.department,
                       proposed_by_id=viewer_for(actor).employee_id, grade=appraisal.final_grade,
                       effective_date=matrix.effective_date, version=0)
    _proposal_terms(p, matrix, profile, increase_pct, justification)
    _check_pool(p, statuses=OPEN_PROPOSALS, when=_("proposal"))
    _save(p)
    audit_record(actor=actor, action="pay.proposal_create", obj=p, after=snapshot(p, PROPOSAL_AUDIT))
    return p


def _lock_proposal(p) -> SalaryProposal:
    found = (SalaryProposal.objects.select_for_update(of=("self",)).select_related("department", "employee")
             .filter(pk=p.pk).first())
    if found is None:
        raise NotFound(_("Not found."))
    return found


@transaction.atomic
def proposal_update(*, actor, proposal: SalaryProposal, increase_pct, justification: str = "",
                    expected_version: int | None = None) -> SalaryProposal:
    p = _lock_proposal(proposal)
    if not access.manages(actor, p.employee):
        raise NotFound(_("Not found."))
    check_version(p, expected_version)
    if p.status != ProposalStatus.SUBMITTED:
        raise TransitionNotAllowed(_("HR has already reviewed this proposal; it cannot be changed."))
    before = snapshot(p, PROPOSAL_AUDIT)
    matrix = MeritMatrix.objects.get(cycle_id=p.cycle_id)
    _proposal_terms(p, matrix, PayProfile.objects.get(employee_id=p.employee_id), increase_pct, justification)
    _check_pool(p, statuses=OPEN_PROPOSALS, when=_("proposal"))
    _save(p)
    audit_record(actor=actor, action="pay.proposal_update", obj=p, before=before, after=snapshot(p, PROPOSAL_AUDIT))
    return p


def _proposal_move(p: SalaryProposal, action: str) -> None:
    sources, target = PROPOSAL_TRANSITIONS[action]
    if p.status not in sources:
        raise TransitionNotAllowed(_("This is not possible while the proposal is “%(status)s”.")
                                   % {"status": ProposalStatus(p.status).label})
    p.status = target


def _not_own(actor, p: SalaryProposal) -> None:
    own = viewer_for(actor).employee_id
    if own and own in (p.employee_id, p.proposed_by_id):
        raise PermissionDenied(_("You cannot decide a proposal about yourself or one you made."))


@transaction.atomic
def proposal_review(*, actor, proposal: SalaryProposal, expected_version: int | None = None) -> SalaryProposal:
    """HR has checked the proposal and passes it on to the general manager."""
    access.require_hr(actor)
    p = _lock_proposal(proposal)
    check_version(p, expected_version)
    _not_own(actor, p)
    before = snapshot(p, PROPOSAL_AUDIT)
    _proposal_move(p, "review")
    p.reviewed_by = actor
    _save(p)
    audit_record(actor=actor, action="pay.proposal_review", obj=p, before=before, after=snapshot(p, PROPOSAL_AUDIT))
    return p


@transaction.atomic
def proposal_approve(*, actor, proposal: SalaryProposal, expected_version: int | None = None) -> SalaryProposal:
    """The general manager approves; refused when the approved total would exceed the budget."""
    access.require_gm(actor)
    p = _lock_proposal(proposal)
    check_version(p, expected_version)
    _not_own(actor, p)
    budget = raise_budget_for(p.cycle_id, p.department)
    if budget is not None:
        Budget.objects.select_for_update().filter(pk=budget.pk).first()  # approvals of one pool in turn
    _check_pool(p, statuses=(ProposalStatus.APPROVED,), when=_("approval"))
    before = snapshot(p, PROPOSAL_AUDIT)
    _proposal_move(p, "approve")
    p.approved_by, p.decided_at = actor, timezone.now()
    _save(p)
    audit_record(actor=actor, action="pay.proposal_approve", obj=p, before=before, after=snapshot(p, PROPOSAL_AUDIT))
    return p


@transaction.atomic
def proposal_reject(*, actor, proposal: SalaryProposal, note: str, expected_version: int | None = None
                    ) -> SalaryProposal:
    if not (is_hr(actor) or access.is_gm(actor)):
        access.require_gm(actor)
    p = _lock_proposal(proposal)
    check_version(p, expected_version)
    _not_own(actor, p)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say why the proposal is rejected."), field="note")
    before = snapshot(p, PROPOSAL_AUDIT)
    _proposal_move(p, "reject")
    p.decision_note, p.approved_by, p.decided_at = note, actor, timezone.now()
    _save(p)
    audit_record(actor=actor, action="pay.proposal_reject", obj=p, before=before, after=snapshot(p, PROPOSAL_AUDIT))
    return p


# --- team reward (the bee story) ------------------------------------------------------------------------------------

RULE_FIELDS = ("department", "indicator", "min_growth_pct", "pool_kind", "pool_amount", "pool_share_pct", "split",
               "is_active")


@transaction.atomic
def team_rule_save(*, actor, rule: TeamRewardRule | None = None, expected_version: int | None = None, department,
                   indicator, min_growth_pct, pool_kind: str, pool_amount=None, pool_share_pct=None,
                   split: str = SplitKind.EQUAL, is_active: bool = True) -> TeamRewardRule:
    access.require_hr(actor)
    if pool_kind not in PoolKind.values:
        raise ApplicationError(_("Choose a fixed pool or a share of the gain."), field="pool_kind")
    if split not in SplitKind.values:
        raise ApplicationError(_("Choose how the pool is split."), field="split")
    growth = number(min_growth_pct, _("Minimum growth (%)"), "min_growth_pct", low=Decimal(0), high=Decimal(1000))
    fixed = amount(pool_amount, _("Fixed pool"), "pool_amount", required=pool_kind == PoolKind.FIXED)
    share = number(pool_share_pct, _("Share of the gain (%)"), "pool_share_pct", required=pool_kind == PoolKind.SHARE,
                   low=Decimal(0), high=Decimal(100))
    if rule is None:
        r, before = TeamRewardRule(version=0), None
    else:
        r = TeamRewardRule.objects.select_for_update().filter(pk=rule.pk).first()
        if r is None:
            raise NotFound(_("Not found."))
        check_version(r, expected_version)
        before = snapshot(r, (*RULE_FIELDS, "version"))
    r.department, r.indicator, r.min_growth_pct, r.pool_kind = department, indicator, growth, pool_kind
    r.pool_amount = fixed if pool_kind == PoolKind.FIXED else None
    r.pool_share_pct = share if pool_kind == PoolKind.SHARE else None
    r.split, r.is_active = split, bool(is_active)
    _save(r)
    audit_record(actor=actor, action="pay.team_rule_save", obj=r, before=before, after=snapshot(r, (*RULE_FIELDS,
                                                                                                   "version")))
    return r


def presence(hire_date: dt.date, left_date: dt.date | None, period: Period) -> Decimal:
    """Share of the period the member was on the team (joined or left mid-period counts by days)."""
    start, end = period.bounds
    first = max(start, hire_date)
    last = min(end, left_date) if left_date else end
    if last < first:
        return Decimal(0)
    return Decimal((last - first).days + 1) / Decimal((end - start).days + 1)


def split_pool(pool: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """Each member's share, rounded half-up to the fen; the rounding difference (at most a few fen) goes
    to the member with the largest weight (lowest id on a tie), so the shares add up to the pool exactly."""
    total = sum(weights.values(), Decimal(0))
    if not weights or total == 0 or pool == 0:
        return {k: Decimal("0.00") for k in weights}
    shares = {k: money(pool * w / total) for k, w in weights.items()}
    rest = pool - sum(shares.values(), Decimal(0))
    if rest:
        top = min(weights, key=lambda k: (-weights[k], k))
        shares[top] += rest
    return shares


def _team_total(cycle_id: int, rule: TeamRewardRule) -> tuple[Decimal, list[int]]:
    """The sum of the team's verified actuals of the rule's indicator in one cycle, and the appraisals in it."""
    members = Appraisal.objects.filter(cycle_id=cycle_id, department__path__startswith=rule.department.path,
                                       verified_at__isnull=False)
    total = (ScoreLine.objects.filter(cycle_id=cycle_id, indicator_id=rule.indicator_id, appraisal__in=members,
                                      collection=Collection.ENTERED)
             .aggregate(s=Sum("actual"))["s"])
    return (Decimal(str(total)) if total is not None else Decimal(0)), members  # SQLite sums are floats


@transaction.atomic
def team_reward_evaluate(*, actor, cycle: Cycle) -> list[TeamRewardResult]:
    """Evaluate every active rule for the cycle from the verified actuals; refused once a run of the cycle
    is approved (its rewards are paid)."""
    access.require_hr(actor)
    if PayoutRun.objects.filter(cycle=cycle, status__in=[RunStatus.APPROVED, RunStatus.EXPORTED]).exists():
        raise TransitionNotAllowed(_("A run of this cycle is approved: its team rewards are final."))
    period = Period.parse(cycle.period)
    prev_code = period.previous().code
    prev_cycle = Cycle.objects.filter(period=prev_code, frequency=cycle.frequency).first()
    table = CoefficientTable.objects.filter(cycle=cycle).first()
    results = []
    for rule in TeamRewardRule.objects.filter(is_active=True).select_related("department", "indicator"):
        total, members = _team_total(cycle.pk, rule)
        prev_total = _team_total(prev_cycle.pk, rule)[0] if prev_cycle else None
        met = bool(prev_total) and prev_total > 0 and total * 100 >= prev_total * (100 + rule.min_growth_pct)
        growth = ((total - prev_total) * 100 / prev_total).quantize(Decimal("0.01")) if prev_total else None
        pool = Decimal("0.00")
        if met:
            pool = rule.pool_amount if rule.pool_kind == PoolKind.FIXED else \
                money((total - prev_total) * rule.pool_share_pct / 100)
        people = list(members.select_related("employee").values_list("employee_id", "employee__hire_date",
                                                                      "employee__left_date", "grade",
                                                                      "calibrated_grade", "job_level__code"))
        weights = {}
        for emp_id, hire, left, grade, calibrated, level in people:
            w = presence(hire, left, period)
            if rule.split == SplitKind.GRADE:
                if table is None:
                    raise ApplicationError(_("Set the coefficient table first: the split is weighted by grade."))
                w *= table.coefficient(calibrated or grade, level)
            weights[emp_id] = w
        shares = split_pool(pool, weights)
        TeamRewardResult.objects.filter(rule=rule, cycle=cycle).delete()
        result = TeamRewardResult.objects.create(rule=rule, cycle=cycle, previous_period=prev_code, total=total,
                                                 previous_total=prev_total, growth_pct=growth, met=met, pool=pool,
                                                 members=len(people))
        TeamRewardShare.objects.bulk_create([TeamRewardShare(result=result, employee_id=k, weight=weights[k],
                                                             amount=v) for k, v in shares.items()])
        audit_record(actor=actor, action="pay.team_reward_evaluate", obj=result, after={
            "total": total, "previous_total": prev_total, "met": met, "pool": pool, "members": len(people)})
        results.append(result)
    return results

