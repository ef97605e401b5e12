"""Reads of pay shared by pages, API and exports, filtered by the pay access rules (access.py); the
lists run a fixed number of queries whatever their length."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from apps.appraisals.models import Cycle
from apps.core.exceptions import NotFound
from apps.org.access import viewer_for
from apps.org.models import Department, Employee
from apps.org.queries import department_subtree_q, employee_search_q

from . import access
from .models import (
    Budget,
    BudgetKind,
    CoefficientTable,
    MeritMatrix,
    PayoutLine,
    PayoutRun,
    PayProfile,
    ProposalStatus,
    SalaryProposal,
    TeamRewardResult,
    TeamRewardRule,
    money,
)


def _search(qs, q: str, prefix: str = "employee__"):
    return qs.filter(employee_search_q(q, prefix))


def _under(qs, department_id, field: str = "department"):
    if not department_id:
        return qs
    dept = Department.objects.filter(pk=department_id).only("path").first()
    return qs.filter(department_subtree_q(dept, field)) if dept else qs.none()


# --- pay data ---------------------------------------------------------------------------------------------------

def employees_with_pay(*, user, filters: dict | None = None):
    """Active employees with their pay data (None when not recorded): HR and finance only."""
    access.require_pay_data(user)
    f = filters or {}
    qs = (Employee.objects.filter(is_active=True).select_related("department", "pay_profile")
          .order_by("employee_no"))
    qs = _search(qs, f.get("q", ""), prefix="")
    qs = _under(qs, f.get("department"))
    if f.get("missing"):
        qs = qs.filter(pay_profile__isnull=True)
    return qs


def employee_for_pay(*, user, pk: int) -> Employee:
    access.require_pay_data(user)
    emp = Employee.objects.select_related("department", "pay_profile").filter(pk=pk).first()
    if emp is None:
        raise NotFound(_("Not found."))
    return emp


def profile_of(employee: Employee) -> PayProfile | None:
    try:
        return employee.pay_profile
    except PayProfile.DoesNotExist:
        return None


# --- settings of a cycle -------------------------------------------------------------------------------------------

def cycle_settings(*, user, cycle_id: int) -> dict:
    access.require_totals(user)
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise NotFound(_("Not found."))
    return {"cycle": cycle, "table": CoefficientTable.objects.filter(cycle=cycle).first(),
            "matrix": MeritMatrix.objects.filter(cycle=cycle).first(),
            "budgets": list(Budget.objects.filter(cycle=cycle).select_related("department")
                            .order_by("kind", "department__path"))}


# --- runs -------------------------------------------------------------------------------------------------------

def run_list(*, user, filters: dict | None = None):
    access.require_totals(user)
    f = filters or {}
    qs = PayoutRun.objects.select_related("cycle", "approved_by").order_by("-cycle__period", "-number")
    if f.get("cycle"):
        qs = qs.filter(cycle_id=f["cycle"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs


def run_get(*, user, pk: int) -> PayoutRun:
    access.require_totals(user)
    run = PayoutRun.objects.select_related("cycle", "corrects", "approved_by", "submitted_by").filter(pk=pk).first()
    if run is None:
        raise NotFound(_("Not found."))
    return run


def run_lines(*, user, run: PayoutRun, filters: dict | None = None):
    """The lines of a run: HR and finance only (the general manager sees totals)."""
    access.require_pay_data(user)
    f = filters or {}
    qs = PayoutLine.objects.filter(run=run).select_related("employee", "department").order_by("employee__employee_no")
    qs = _search(qs, f.get("q", ""))
    qs = _under(qs, f.get("department"))
    if f.get("changed"):
        qs = qs.filter(changed=True)
    if f.get("missing"):
        qs = qs.filter(has_base=False)
    return qs


def department_totals(run: PayoutRun) -> list[dict]:
    """Totals per department of a run (one query) and each payout budget against the lines under it."""
    rows = list(PayoutLine.objects.filter(run=run).values("department_id", "department__name_zh",
                                                          "department__name_en", "department__path")
                .annotate(n=Count("pk"), pay=Sum("performance_pay"), reward=Sum("team_reward"), total=Sum("total"))
                .order_by("department__path"))
    for r in rows:
        r["name"] = Department(name_zh=r["department__name_zh"], name_en=r["department__name_en"]).name
        for key in ("pay", "reward", "total"):  # whole fen (SQLite hands sums back as floats)
            r[key] = money(r[key] or 0)
    return rows


def budget_use(cycle_id: int, kind: str, amounts: list[tuple[str, Decimal]], *, departments=None) -> list[dict]:
    """Each budget of the cycle with what is used under it: ``amounts`` are (department path, amount)."""
    qs = Budget.objects.filter(cycle_id=cycle_id, kind=kind).select_related("department").order_by("department__path")
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    out = []
    for b in qs:
        used = sum((a for path, a in amounts if path.startswith(b.department.path)), Decimal("0.00"))
        percent = int(min(used * 100 / b.amount, Decimal(100))) if b.amount else (100 if used else 0)
        out.append({"budget": b, "department": b.department, "used": used, "amount": b.amount,
                    "left": b.amount - used, "over": used > b.amount, "percent": percent})
    return out


def run_budgets(run: PayoutRun, totals: list[dict]) -> list[dict]:
    return budget_use(run.cycle_id, BudgetKind.PAYOUT, [(r["department__path"], r["total"]) for r in totals])


def my_payouts(*, user):
    """The employee's own lines in released runs (never anyone else's)."""
    me = viewer_for(user).employee_id
    if not me:
        return PayoutLine.objects.none()
    return (PayoutLine.objects.filter(employee_id=me, run__released_at__isnull=False)
            .select_related("run", "run__cycle").order_by("-run__cycle__period", "-run__number"))


# --- proposals -----------------------------------------------------------------------------------------------------

def proposal_list(*, user, filters: dict | None = None):
    f = filters or {}
    qs = (SalaryProposal.objects.filter(access.proposal_scope_q(user))
          .select_related("employee", "department", "cycle", "proposed_by").order_by("department__path",
                                                                                    "employee__employee_no"))
    if f.get("cycle"):
        qs = qs.filter(cycle_id=f["cycle"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    qs = _search(qs, f.get("q", ""))
    return _under(qs, f.get("department"))


def proposal_get(*, user, pk: int) -> SalaryProposal:
    p = proposal_list(user=user).filter(pk=pk).first()
    if p is None:
        raise NotFound(_("Not found."))
    return p


def proposal_budgets(*, user, cycle_id: int) -> list[dict]:
    """The salary-adjustment budgets the user may see, with proposed and approved amounts under each."""
    rows = list(SalaryProposal.objects.filter(cycle_id=cycle_id).exclude(status=ProposalStatus.REJECTED)
                .values_list("department__path", "increase_amount"))
    departments = None
    if not access.sees_totals(user):
        viewer = viewer_for(user)
        if not viewer.employee_id:
            return []
        mine = Employee.objects.filter(report_path__startswith=viewer.report_path).values("department__path")
        paths = {p for p in mine.values_list("department__path", flat=True)}
        departments = [b.department_id for b in Budget.objects.filter(cycle_id=cycle_id, kind=BudgetKind.RAISE)
                       .select_related("department") if any(p.startswith(b.department.path) for p in paths)]
    return budget_use(cycle_id, BudgetKind.RAISE, rows, departments=departments)


def team_candidates(*, user, cycle_id: int):
    """Members of the user's team (below them) with a published result in the cycle and no proposal yet."""
    from apps.appraisals.models import Appraisal, Status

    viewer = viewer_for(user)
    if not viewer.employee_id:
        return Employee.objects.none()
    done = SalaryProposal.objects.filter(cycle_id=cycle_id).values("employee_id")
    published = Appraisal.objects.filter(cycle_id=cycle_id, status=Status.PUBLISHED).values("employee_id")
    return (Employee.objects.filter(report_path__startswith=viewer.report_path, is_active=True,
                                    pk__in=published).exclude(pk=viewer.employee_id).exclude(pk__in=done)
            .order_by("employee_no"))


# --- team reward -------------------------------------------------------------------------------------------------

def team_rules(*, user):
    access.require_totals(user)
    return TeamRewardRule.objects.select_related("department", "indicator").order_by("department__path", "pk")


def team_results(*, user, filters: dict | None = None):
    """Team-reward results open to the team (members and their managers), HR, finance and the GM: the bee
    story shows results openly to the whole hive. Individual shares are not part of this page."""
    f = filters or {}
    qs = TeamRewardResult.objects.select_related("rule", "rule__department", "rule__indicator", "cycle") \
        .order_by("-cycle__period", "rule__department__path")
    if not access.sees_totals(user):
        viewer = viewer_for(user)
        if not viewer.employee_id:
            return qs.none()
        me = Employee.objects.filter(pk=viewer.employee_id).values_list("department__path", flat=True).first() or ""
        below = Employee.objects.filter(report_path__startswith=viewer.report_path).values_list("department__path",
                                                                                                  flat=True)
        paths = set(below) | {me}
        ids = [r.pk for r in TeamRewardRule.objects.select_related("department")
               if any(p.startswith(r.department.path) for p in paths)]
        qs = qs.filter(rule_id__in=ids)
    if f.get("cycle"):
        qs = qs.filter(cycle_id=f["cycle"])
    return qs


def team_result_get(*, user, pk: int) -> TeamRewardResult:
    r = team_results(user=user).filter(pk=pk).first()
    if r is None:
        raise NotFound(_("Not found."))
    return r


def pay_work_items(user) -> list:
    """What waits in pay: the general manager's runs and proposals to approve, HR's proposals to review and
    runs needing a correction. Counts only, a fixed number of queries."""
    from django.urls import reverse

    from apps.core.worklist import WorkItem

    items = []
    if access.is_gm(user):
        n = PayoutRun.objects.filter(status="submitted").count()
        if n:
            items.append(WorkItem(title=_("Payout runs to approve"), url=reverse("pay:runs") + "?status=submitted",
                                  count=n))
        n = SalaryProposal.objects.filter(status=ProposalStatus.REVIEWED).count()
        if n:
            items.append(WorkItem(title=_("Salary adjustments to approve"), url=reverse("pay:proposals"), count=n))
    if access.is_pay_hr(user):
        n = SalaryProposal.objects.filter(status=ProposalStatus.SUBMITTED).count()
        if n:
            items.append(WorkItem(title=_("Salary adjustments to review"), url=reverse("pay:proposals"), count=n))
        n = PayoutRun.objects.filter(needs_correction=True).count()
        if n:
            items.append(WorkItem(title=_("Payout runs needing a correction"), url=reverse("pay:runs"), count=n))
    return items
