"""The payroll export of an approved run (XLSX and CSV): one row per employee and a totals row that
reconciles exactly with the run; every cell written through apps.core.exports (formula-safe); every
download audited (who, when, which run, which format)."""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.core.audit import audit_record, snapshot
from apps.core.exceptions import NotFound, TransitionNotAllowed
from apps.core.exports import csv_bytes, xlsx_bytes

from . import access
from .models import PayoutLine, PayoutRun, ProposalStatus, RunStatus, SalaryProposal
from .services import RUN_AUDIT

FORMATS = ("xlsx", "csv")


def header(run: PayoutRun) -> list[str]:
    cols = [_("Employee number"), _("Name"), _("Department"), _("Period"), _("Grade"), _("Coefficient"), _("Base"),
            _("Performance pay"), _("Team reward"), pgettext("money", "Total")]
    if run.is_correction:
        cols += [_("Previous amount"), _("Difference")]
    return cols + [_("Salary adjustment effective"), _("Salary adjustment")]


def rows(run: PayoutRun) -> tuple[list[list], list]:
    """The rows and the totals row (sums of the exported cells, equal to the run's totals)."""
    raises = {p["employee_id"]: p for p in SalaryProposal.objects.filter(cycle_id=run.cycle_id,
                                                                         status=ProposalStatus.APPROVED)
              .values("employee_id", "effective_date", "increase_amount")}
    out = []
    sums = {"base": Decimal(0), "pay": Decimal(0), "reward": Decimal(0), "total": Decimal(0), "diff": Decimal(0),
            "raise": Decimal(0)}
    period = run.cycle.period
    for ln in (PayoutLine.objects.filter(run=run).select_related("employee", "department")
               .order_by("employee__employee_no").iterator(chunk_size=2000)):
        adj = raises.get(ln.employee_id)
        row = [ln.employee.employee_no, ln.employee.name, ln.department.name, period, ln.grade,
               ln.coefficient.normalize(), ln.base, ln.performance_pay, ln.team_reward, ln.total]
        if run.is_correction:
            row += [ln.previous_total, ln.difference]
            sums["diff"] += ln.difference or Decimal(0)
        row += [adj["effective_date"] if adj else None, adj["increase_amount"] if adj else None]
        sums["base"] += ln.base
        sums["pay"] += ln.performance_pay
        sums["reward"] += ln.team_reward
        sums["total"] += ln.total
        sums["raise"] += adj["increase_amount"] if adj else Decimal(0)
        out.append(row)
    totals = [pgettext("money", "Total"), "", "", period, "", "", sums["base"], sums["pay"], sums["reward"], sums["total"]]
    if run.is_correction:
        totals += ["", sums["diff"]]
    totals += ["", sums["raise"]]
    return out, totals


@transaction.atomic
def run_export(*, actor, run: PayoutRun, fmt: str) -> tuple[bytes, str]:
    """Finance (or HR) downloads the payroll file of an approved run; the first download marks the run
    exported. Returns (content, file name)."""
    access.require_pay_data(actor)
    if fmt not in FORMATS:
        raise NotFound(_("Not found."))
    r = PayoutRun.objects.select_for_update(of=("self",)).select_related("cycle").filter(pk=run.pk).first()
    if r is None:
        raise NotFound(_("Not found."))
    if not r.is_final:
        raise TransitionNotAllowed(_("Only an approved run can be exported to payroll."))
    before = snapshot(r, RUN_AUDIT)
    if r.status == RunStatus.APPROVED:
        r.status, r.exported_at = RunStatus.EXPORTED, timezone.now()
        r.version += 1
        r.save(update_fields=["status", "exported_at", "version", "updated_at"])
    body, totals = rows(r)
    head = header(r)
    content = csv_bytes(head, [*body, totals]) if fmt == "csv" else \
        xlsx_bytes({_("Payroll"): (head, [*body, totals])})
    audit_record(actor=actor, action="pay.run_export", obj=r, before=before,
                 after={**snapshot(r, RUN_AUDIT), "format": fmt, "rows": len(body)})
    return content, f"payroll-{r.cycle.period}-run{r.number}.{fmt}"
