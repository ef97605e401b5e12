"""The export (same shape as the import, so export -> import is a no-op), the empty template and
the format description shown on the import page."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exceptions import ApplicationError
from apps.core.exports import FORMULA_STARTS

from ..models import Department, Employee, JobLevel, Position
from .common import CONTENT_TYPES, CSV_COLUMNS, KINDS, KNOWN_ROLES, XLSX
from .reading import cell_text

# --- export and template -------------------------------------------------------------------------

@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def org_export_rows() -> dict[str, list[dict]]:
    """The whole organisation in the import shape, read set-based (a fixed number of queries)."""
    User = get_user_model()
    roles: dict[int, list[str]] = defaultdict(list)
    for user_id, group in (User.groups.through.objects.filter(group__name__in=KNOWN_ROLES)
                           .order_by("group__name").values_list("user_id", "group__name")):
        roles[user_id].append(group)
    return {
        "job_level": [
            {"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"], "rank": r["rank"],
             "review_frequency": r["review_frequency"]}
            for r in JobLevel.objects.order_by("rank", "code").values(
                "code", "name_zh", "name_en", "rank", "review_frequency")],
        "department": [
            {"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"],
             "parent_code": r["parent__code"] or "", "head_employee_no": r["head__employee_no"] or ""}
            for r in Department.objects.order_by("path").values(
                "code", "name_zh", "name_en", "parent__code", "head__employee_no")],
        "position": [
            {"code": r["code"], "name_zh": r["name_zh"], "name_en": r["name_en"],
             "department_code": r["department__code"], "job_level_code": r["job_level__code"]}
            for r in Position.objects.order_by("department__path", "code").values(
                "code", "name_zh", "name_en", "department__code", "job_level__code")],
        "employee": [
            {"employee_no": r["employee_no"], "name_zh": r["name_zh"], "name_en": r["name_en"], "email": r["email"],
             "phone": r["phone"], "department_code": r["department__code"],
             "position_code": r["position__code"] or "", "supervisor_no": r["supervisor__employee_no"] or "",
             "hire_date": r["hire_date"], "username": r["user__username"] or "",
             "roles": ";".join(roles.get(r["user_id"], [])), "active": "yes" if r["is_active"] else "no"}
            for r in Employee.objects.order_by("employee_no").values(
                "employee_no", "name_zh", "name_en", "email", "phone", "department__code", "position__code",
                "supervisor__employee_no", "hire_date", "user_id", "user__username", "is_active")],
    }


def _xlsx(rows_by_kind: dict[str, list[dict]], *, with_help: bool = False) -> bytes:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    for kind in KINDS.values():
        ws = wb.create_sheet(kind.sheet)
        header = []
        for col in kind.columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in rows_by_kind.get(kind.name, []):
            out = []
            for col in kind.columns:
                value = row.get(col, "")
                if isinstance(value, dt.date):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    out.append(cell)
                elif isinstance(value, str) and value.startswith(FORMULA_STARTS):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    if with_help:
        ws = wb.create_sheet("help")
        for line in format_help_lines():
            ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv(rows_by_kind: dict[str, list[dict]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for kind in KINDS.values():
        for row in rows_by_kind.get(kind.name, []):
            writer.writerow([kind.name] + [_csv_safe(cell_text(row.get(col, ""))) for col in CSV_COLUMNS[1:]])
    # A byte-order mark so that Excel opens the Chinese names correctly.
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_safe(text: str) -> str:
    """Values a spreadsheet would run as a formula get a leading apostrophe (the import removes it)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def org_export(*, fmt: str = XLSX) -> ExportFile:
    if fmt not in CONTENT_TYPES:
        raise ApplicationError(_("Unknown export format %(fmt)s: use xlsx or csv.") % {"fmt": fmt}, field="format")
    rows = org_export_rows()
    stamp = timezone.localdate().strftime("%Y%m%d")
    content = _xlsx(rows) if fmt == XLSX else _csv(rows)
    return ExportFile(content, CONTENT_TYPES[fmt], f"organisation-{stamp}.{fmt}")


def org_import_template(*, fmt: str = XLSX) -> ExportFile:
    if fmt not in CONTENT_TYPES:
        raise ApplicationError(_("Unknown export format %(fmt)s: use xlsx or csv.") % {"fmt": fmt}, field="format")
    content = _xlsx({}, with_help=True) if fmt == XLSX else _csv({})
    return ExportFile(content, CONTENT_TYPES[fmt], f"organisation-template.{fmt}")


COLUMN_HELP = {
    "record": gettext_lazy("CSV only: job_level, department, position or employee."),
    "code": gettext_lazy("Unique code; rows are matched by it."),
    "name_zh": gettext_lazy("Name in Chinese."),
    "name_en": gettext_lazy("Name in English."),
    "rank": gettext_lazy("Order of the level: 1 is the most senior."),
    "review_frequency": gettext_lazy("How often holders are appraised: annual, half_year, quarterly or monthly."),
    "parent_code": gettext_lazy("Code of the parent department; empty for the top of the organisation."),
    "head_employee_no": gettext_lazy("Employee number of the head of the department."),
    "department_code": gettext_lazy("Code of the department."),
    "job_level_code": gettext_lazy("Code of the job level."),
    "employee_no": gettext_lazy("Unique employee number; rows are matched by it."),
    "email": gettext_lazy("E-mail address."),
    "phone": gettext_lazy("Phone number."),
    "position_code": gettext_lazy("Code of the position; it must belong to the employee's department."),
    "supervisor_no": gettext_lazy("Employee number of the direct supervisor; empty for none."),
    "hire_date": gettext_lazy("Hire date in the format YYYY-MM-DD, e.g. 2024-03-01."),
    "username": gettext_lazy("Login name: links the employee to this user account (created without a password "
                             "when new). Empty leaves the account as it is."),
    "roles": gettext_lazy("hr, executive or hr;executive; empty removes both. Line manager and employee follow "
                          "from the organisation."),
    "active": gettext_lazy("yes, or no for someone who has left; empty means yes."),
}


def format_spec() -> list[dict]:
    """The columns of each sheet with whether they are required and what they mean (the import page)."""
    return [{"sheet": k.sheet, "kind": k.name, "label": k.label,
             "columns": [{"name": c, "required": c in k.required, "help": COLUMN_HELP[c]} for c in k.columns]}
            for k in KINDS.values()]


def format_help_lines() -> list[str]:
    """The file format in plain words (the template's help sheet and the command's --help)."""
    return [
        _("One workbook with the sheets job_levels, departments, positions and employees; row 1 holds the column "
          "names. Columns marked * are required."),
        "job_levels: code*, name_zh*, name_en, rank* (1 = most senior), review_frequency* "
        "(annual | half_year | quarterly | monthly)",
        "departments: code*, name_zh*, name_en, parent_code, head_employee_no",
        "positions: code*, name_zh*, name_en, department_code*, job_level_code*",
        "employees: employee_no*, name_zh*, name_en, email, phone, department_code*, position_code, supervisor_no, "
        "hire_date* (YYYY-MM-DD), username, roles (hr;executive), active (yes/no)",
        _("CSV: one file whose first column, record, says what each line is (job_level, department, position or "
          "employee), followed by the columns above."),
        _("Rows are matched by code or employee number; nothing is deleted. An empty cell clears the value; a "
          "missing column leaves it as it is. Rows may come in any order."),
    ]
