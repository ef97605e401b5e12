"""A cycle's results as XLSX and CSV (HR: the whole cycle; a department head: their department and the
departments below it; anyone else: 404), with the filters of the calibration page.

One row per published appraisal: the employee, department, position, job level, each section's score,
the total, the computed grade, the calibrated grade and its reason, the final grade and the appraiser; the
workbook's second sheet has every line (indicator, weight, target, actual, attainment, score, explanation).
Every cell goes through ``apps.core.exports`` (formula injection neutralised). Two queries whatever the
size (the appraisals, then their lines, both streamed with ``iterator``).
"""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from apps.core.exceptions import ApplicationError

from . import selectors
from .models import Appraisal, Cycle, ScoreLine, Status


def results_queryset(*, cycle: Cycle, scope: Q, filters: dict | None = None):
    qs = (Appraisal.objects.filter(scope, cycle=cycle, status=Status.PUBLISHED)
          .select_related("employee", "employee__position", "department", "job_level", "appraiser")
          .annotate(final=selectors.final_grade_expr()))
    f = filters or {}
    if f.get("department"):
        qs = qs.filter(department__path__startswith=f["department"].path)
    if f.get("grade"):
        qs = qs.filter(final=f["grade"])
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(employee__name_zh__icontains=q) | Q(employee__name_en__icontains=q)
                       | Q(employee__employee_no__icontains=q))
    return qs.order_by("department__path", "employee__employee_no")


def results_header() -> list[str]:
    return [_("Employee number"), _("Name"), _("Department"), _("Position"), _("Job level"),
            _("Results score"), _("Behaviour score"), _("Work plan score"), _("Total score"), _("Computed grade"),
            _("Calibrated grade"), _("Reason for the calibrated grade"), _("Final grade"), _("Appraiser"),
            _("Published on")]


def result_row(a: Appraisal) -> list:
    position = a.employee.position
    return [a.employee.employee_no, a.employee.name, a.department.name, position.name if position else "",
            a.job_level.name if a.job_level_id else "", a.results_score, a.behaviour_score, a.plan_score,
            a.total_score, a.grade, a.calibrated_grade, a.calibration_reason, a.final,
            a.appraiser.name if a.appraiser_id else "", a.published_at.date() if a.published_at else None]


def lines_header() -> list[str]:
    return [_("Employee number"), _("Name"), _("Section"), _("Indicator"), _("Weight (%)"), _("Target"), _("Unit"),
            _("Actual"), _("Attainment (%)"), _("Score"), _("Explanation")]


def line_rows(appraisals) -> list:
    """Every line of these appraisals (one query), in the order of the results sheet."""
    order = {a.pk: i for i, a in enumerate(appraisals)}
    people = {a.pk: a.employee for a in appraisals}
    lines = (ScoreLine.objects.filter(appraisal_id__in=list(order)).select_related("indicator")
             .order_by("appraisal_id", "section", "order", "pk"))
    rows = []
    for ln in lines.iterator(chunk_size=2000):
        emp = people[ln.appraisal_id]
        rows.append((order[ln.appraisal_id], [
            emp.employee_no, emp.name, ln.get_section_display(), ln.display_title, ln.weight,
            ln.display_target, ln.unit, ln.display_actual if ln.needs_data else "", ln.attainment, ln.score,
            ln.explanation]))
    rows.sort(key=lambda r: r[0])
    return [r for _i, r in rows]


def cycle_results(*, cycle: Cycle, scope: Q, filters: dict | None = None) -> list[Appraisal]:
    """The published appraisals of the scope; a clear message when there is none."""
    rows = list(results_queryset(cycle=cycle, scope=scope, filters=filters))
    if not rows:
        raise ApplicationError(_("There are no published results to export in this cycle (for these filters)."))
    return rows


def results_csv(*, cycle: Cycle, scope: Q, filters: dict | None = None, lines: bool = False) -> bytes:
    from apps.core.exports import csv_bytes

    appraisals = cycle_results(cycle=cycle, scope=scope, filters=filters)
    if lines:
        return csv_bytes(lines_header(), line_rows(appraisals))
    return csv_bytes(results_header(), (result_row(a) for a in appraisals))


def results_xlsx(*, cycle: Cycle, scope: Q, filters: dict | None = None) -> bytes:
    from apps.core.exports import xlsx_bytes

    appraisals = cycle_results(cycle=cycle, scope=scope, filters=filters)
    return xlsx_bytes({_("Results"): (results_header(), [result_row(a) for a in appraisals]),
                       _("Lines"): (lines_header(), line_rows(appraisals))})


def export_filename(cycle: Cycle, ext: str, *, lines: bool = False) -> str:
    return f"results-{cycle.period}-{cycle.pk}{'-lines' if lines else ''}.{ext}"
