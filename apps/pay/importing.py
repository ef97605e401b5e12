"""Pay data from a spreadsheet (XLSX or CSV): a preview with every row's errors first; the import writes
nothing unless the whole file is valid, and then writes every row (none dropped) in one transaction.

Columns (first row): employee_no, base_pay, and optionally salary, band_min, band_mid, band_max.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_bulk
from apps.core.exceptions import ApplicationError
from apps.core.exports import unsafe_cell
from apps.org.models import Employee

from . import access
from .models import PayProfile
from .services import PROFILE_FIELDS, profile_values

COLUMNS = ("employee_no", *PROFILE_FIELDS)
MAX_ROWS = 200_000


@dataclass
class PayRow:
    line: int
    employee_no: str
    values: dict = field(default_factory=dict)
    employee_id: int | None = None
    name: str = ""
    action: str = ""  # "create", "update" or "unchanged"


@dataclass
class PayPreview:
    rows: list[PayRow]
    errors: list[tuple[int, str, str]]  # (line, column, message)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0}
        for r in self.rows:
            if r.action:
                out[r.action] += 1
        return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return unsafe_cell(str(value).strip())


def _table(data: bytes, name: str) -> tuple[list[list[str]], str | None]:
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
            return [], _("The file could not be read as an Excel workbook (.xlsx).")
        try:
            ws = wb.worksheets[0]
            return [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)], None
        finally:
            wb.close()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], _("The file could not be read: it is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8.")
    return [[_text(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""))], None


def preview(file, *, name: str = "") -> PayPreview:
    if hasattr(file, "read"):
        name = name or getattr(file, "name", "") or ""
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read()
    else:
        data = bytes(file)
    table, problem = _table(data, name)
    if problem:
        return PayPreview([], [(0, "", problem)])
    if not table or not any(table[0]):
        return PayPreview([], [(0, "", _("The file is empty."))])
    header = [h.strip().lower().replace(" ", "_") for h in table[0]]
    errors: list[tuple[int, str, str]] = []
    for col in header:
        if col and col not in COLUMNS:
            errors.append((1, col, _("Unknown column %(col)s: the columns are %(cols)s.")
                           % {"col": col, "cols": ", ".join(COLUMNS)}))
    for col in ("employee_no", "base_pay"):
        if col not in header:
            errors.append((1, col, _("Missing column %(col)s.") % {"col": col}))
    if errors:
        return PayPreview([], errors)
    if len(table) - 1 > MAX_ROWS:
        return PayPreview([], [(0, "", _("The file has more than %(n)s rows.") % {"n": MAX_ROWS})])
    rows: list[PayRow] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(table[1:], start=2):
        cells = {col: (values[i] if i < len(values) else "") for i, col in enumerate(header) if col}
        if not any(cells.values()):
            continue
        no = cells.get("employee_no", "")
        row = PayRow(number, no)
        if not no:
            errors.append((number, "employee_no", _("The employee number is missing.")))
        elif no in seen:
            errors.append((number, "employee_no", _("Employee %(no)s is already on line %(line)s.")
                           % {"no": no, "line": seen[no]}))
        seen.setdefault(no, number)
        try:
            row.values = profile_values({k: cells.get(k) for k in PROFILE_FIELDS})
        except ApplicationError as exc:
            errors.append((number, exc.field or "", exc.message))
        rows.append(row)
    employees = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=list(seen))
                 .only("pk", "employee_no", "name_zh", "name_en")}
    current = {p.employee_id: p for p in PayProfile.objects.filter(employee__employee_no__in=list(seen))}
    for row in rows:
        emp = employees.get(row.employee_no)
        if row.employee_no and emp is None:
            errors.append((row.line, "employee_no", _("There is no employee with number %(no)s.")
                           % {"no": row.employee_no}))
            continue
        if emp is None or not row.values:
            continue
        row.employee_id, row.name = emp.pk, emp.name
        old = current.get(emp.pk)
        if old is None:
            row.action = "create"
        else:
            row.action = "unchanged" if all(getattr(old, f) == row.values[f] for f in PROFILE_FIELDS) else "update"
    errors.sort()
    return PayPreview(rows, errors)


@transaction.atomic
def apply(*, actor, file, name: str = "") -> PayPreview:
    """Write the file's pay data; refused (nothing written) while any row has an error."""
    access.require_pay_data(actor)
    result = preview(file, name=name)
    if not result.is_valid:
        raise ApplicationError(_("The file has %(n)s error(s): nothing was imported.") % {"n": len(result.errors)},
                               extra={"errors": [{"line": ln, "column": c, "message": m}
                                                 for ln, c, m in result.errors]})
    user = actor if getattr(actor, "is_authenticated", False) else None
    existing = {p.employee_id: p for p in PayProfile.objects.select_for_update()
                .filter(employee_id__in=[r.employee_id for r in result.rows])}
    new, changed, audit = [], [], []
    for row in result.rows:
        old = existing.get(row.employee_id)
        after = {k: str(v) if v is not None else None for k, v in row.values.items()}
        if old is None:
            new.append(PayProfile(employee_id=row.employee_id, updated_by=user, **row.values))
            audit.append(("pay.payprofile", row.employee_id, row.employee_no, None, after))
        elif row.action == "update":
            before = {k: str(getattr(old, k)) if getattr(old, k) is not None else None for k in PROFILE_FIELDS}
            for k, v in row.values.items():
                setattr(old, k, v)
            old.version += 1
            old.updated_by = user
            changed.append(old)
            audit.append(("pay.payprofile", old.pk, row.employee_no, before, after))
    PayProfile.objects.bulk_create(new, batch_size=2000)
    PayProfile.objects.bulk_update(changed, [*PROFILE_FIELDS, "version", "updated_by"], batch_size=2000)
    audit_bulk(actor=actor, action="pay.profile_import", rows=audit)
    return result
