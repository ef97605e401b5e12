"""Importing and exporting the organisation: job levels, departments, positions and employees.

Two phases. :func:`parse_and_validate` reads an xlsx workbook or a CSV file and checks every row
against the file itself and the database, without writing anything: the result is an
:class:`ImportPreview` with what would be created / updated / left unchanged and every row error in
plain words. :func:`org_import_apply` writes the preview in one transaction through the services of
``apps.org.services`` (so every write keeps its audit row), re-validating first: nothing is written
unless the whole file is valid. Rows that already match the database are skipped, so importing the
same file twice changes nothing and writes no audit row the second time. The export
(:func:`org_export`) has the same shape, so export -> import is a no-op.

The file format (also shown on the HR import page, ``docs/ORG-IMPORT.md``):

xlsx: a workbook with the sheets ``job_levels``, ``departments``, ``positions`` and ``employees``
(any may be missing; other sheets are ignored). Row 1 holds the column names, data starts on row 2.

- job_levels: code*, name_zh*, name_en, rank* (1 = most senior), review_frequency*
  (annual | half_year | quarterly | monthly)
- departments: code*, name_zh*, name_en, parent_code (empty = top level), head_employee_no
- positions: code*, name_zh*, name_en, department_code*, job_level_code*
- employees: employee_no*, name_zh*, name_en, email, phone, department_code*, position_code,
  supervisor_no, hire_date* (YYYY-MM-DD), username, roles (hr, executive or "hr;executive"),
  active (yes/no, empty = yes)

CSV: one UTF-8 file (GB18030 also read) whose first column ``record`` says what each line is
(job_level, department, position or employee) followed by the union of the columns above; a line
uses the columns of its kind and ignores the others.

Rows are matched by code (employee number for employees); rows of the database missing from the
file are left alone (the import never deletes: mark people who left with active = no). A column
missing from the file leaves that field as it is; a column that is present but empty clears it
(except ``username``: empty never unlinks an account). Departments and supervisors may come in
any order.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.audit import audit_record
from apps.core.exceptions import ApplicationError
from apps.core.exports import FORMULA_STARTS
from apps.core.roles import EXECUTIVE_GROUP, HR_GROUP

from . import services
from .models import Department, Employee, JobLevel, Position, ReviewFrequency

XLSX, CSV = "xlsx", "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
DATE_FORMAT_HINT = "YYYY-MM-DD"
ROLE_SEPARATORS = re.compile(r"[;,，；|\s]+")
KNOWN_ROLES = (HR_GROUP, EXECUTIVE_GROUP)
YES = {"yes", "y", "true", "1", "是", "在职", "x"}
NO = {"no", "n", "false", "0", "否", "离职"}


@dataclass(frozen=True)
class Kind:
    name: str          # job_level, department, ...
    sheet: str         # job_levels, departments, ...
    key: str           # the column that identifies a row
    columns: tuple[str, ...]
    required: tuple[str, ...]
    label: Any         # translatable name of the kind


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("job_level", "job_levels", "code", ("code", "name_zh", "name_en", "rank", "review_frequency"),
         ("code", "name_zh", "rank", "review_frequency"), gettext_lazy("Job levels")),
    Kind("department", "departments", "code", ("code", "name_zh", "name_en", "parent_code", "head_employee_no"),
         ("code", "name_zh"), gettext_lazy("Departments")),
    Kind("position", "positions", "code", ("code", "name_zh", "name_en", "department_code", "job_level_code"),
         ("code", "name_zh", "department_code", "job_level_code"), gettext_lazy("Positions")),
    Kind("employee", "employees", "employee_no",
         ("employee_no", "name_zh", "name_en", "email", "phone", "department_code", "position_code",
          "supervisor_no", "hire_date", "username", "roles", "active"),
         ("employee_no", "name_zh", "department_code", "hire_date"), gettext_lazy("Employees")),
)}
BY_SHEET = {k.sheet: k for k in KINDS.values()}
CSV_COLUMNS: tuple[str, ...] = ("record",) + tuple(dict.fromkeys(c for k in KINDS.values() for c in k.columns))
CSV_KIND_ALIASES = {**{k.name: k.name for k in KINDS.values()}, **{k.sheet: k.name for k in KINDS.values()}}

# Longest value each column may hold (from the model fields).
MAX_LENGTH = {
    "code": 40, "name_zh": 120, "name_en": 120, "employee_no": 30, "email": 254, "phone": 40, "username": 150,
}
_CODE_MAX = {"job_level": 30, "department": 30, "position": 40}


# --- results -------------------------------------------------------------------------------------

@dataclass
class RowError:
    sheet: str
    row: int          # 1-based row of the sheet (xlsx) or line of the file (CSV); 0 = the whole file
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": str(self.message)}


@dataclass
class RawRecord:
    kind: str
    sheet: str
    row: int
    cells: dict[str, Any]   # only the columns the file has


@dataclass
class ImportRow:
    kind: str
    sheet: str
    row: int
    key: str
    values: dict[str, Any]                 # cleaned values of the columns present
    action: str = "unchanged"              # create | update | unchanged
    changes: dict[str, list] = field(default_factory=dict)   # column -> [old, new]
    depth: int = 0                          # depth in the final tree (departments, employees)
    has_error: bool = False

    def change_list(self) -> list[tuple[str, str, str]]:
        """(column, old, new) as text, for the preview page."""
        return [(col, _display(old), _display(new)) for col, (old, new) in self.changes.items()]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "sheet": self.sheet, "row": self.row, "key": self.key, "action": self.action,
                "changes": {k: [_jsonable(a), _jsonable(b)] for k, (a, b) in self.changes.items()}}


@dataclass
class ImportPreview:
    file_name: str
    file_format: str
    records: list[RawRecord]
    parse_errors: list[RowError]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        out = {k: {"create": 0, "update": 0, "unchanged": 0} for k in KINDS}
        for r in self.rows:
            if not r.has_error:
                out[r.kind][r.action] += 1
        return out

    @property
    def totals(self) -> dict[str, int]:
        tot = Counter()
        for per_kind in self.counts.values():
            tot.update(per_kind)
        return {"create": tot["create"], "update": tot["update"], "unchanged": tot["unchanged"]}

    @property
    def changed_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.action != "unchanged" and not r.has_error]

    def count_table(self) -> list[dict]:
        counts = self.counts
        return [{"kind": k, "label": KINDS[k].label, **counts[k]} for k in KINDS]

    def as_dict(self, *, with_rows: bool = True) -> dict:
        data = {
            "file_name": self.file_name, "format": self.file_format, "valid": self.is_valid,
            "counts": self.counts, "totals": self.totals, "errors": [e.as_dict() for e in self.errors],
        }
        if with_rows:
            data["changes"] = [r.as_dict() for r in self.changed_rows]
        return data


class ImportInvalid(ApplicationError):
    """The file has errors: nothing was written. ``preview`` holds them row by row."""

    def __init__(self, preview: ImportPreview):
        n = len(preview.errors)
        super().__init__(
            _("The file has %(n)s error(s); nothing was imported. Correct the rows listed and upload it again.")
            % {"n": n},
            extra={"errors": [e.as_dict() for e in preview.errors]})
        self.preview = preview


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (set, frozenset)):
        return ";".join(sorted(value)) or "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value)
    return value


# --- reading the file ----------------------------------------------------------------------------

def _read(file) -> tuple[bytes, str]:
    """The bytes and name of a path, bytes or file-like object (an UploadedFile)."""
    if isinstance(file, (bytes, bytearray)):
        return bytes(file), ""
    if isinstance(file, (str, Path)):
        path = Path(file)
        return path.read_bytes(), path.name
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, Path(getattr(file, "name", "") or "").name


def _cell_text(value) -> str:
    """A cell as text: numbers Excel stored for codes (1001.0) come back as "1001"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        text = text[1:]  # the export's guard against spreadsheet formulas
    return text


def _header(values) -> list[str]:
    return [_cell_text(v).lower().replace(" ", "_") for v in values]


def _check_columns(kind: Kind, header: list[str], sheet: str, errors: list[RowError], allowed=None) -> None:
    allowed = allowed or kind.columns
    for col in header:
        if col and col not in allowed:
            errors.append(RowError(sheet, 1, col, _("Unknown column %(col)s: the columns are %(cols)s.")
                                   % {"col": col, "cols": ", ".join(allowed)}))
    seen = Counter(c for c in header if c)
    for col, n in seen.items():
        if n > 1:
            errors.append(RowError(sheet, 1, col, _("The column %(col)s appears %(n)s times.") % {"col": col, "n": n}))
    for col in kind.required:
        if col not in header:
            errors.append(RowError(sheet, 1, col, _("Missing column %(col)s.") % {"col": col}))


def _parse_xlsx(data: bytes) -> tuple[list[RawRecord], list[RowError]]:
    import openpyxl

    records: list[RawRecord] = []
    errors: list[RowError] = []
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is the same problem for the user
        return [], [RowError("", 0, "", _("The file could not be read as an Excel workbook (.xlsx)."))]
    try:
        sheets = {name.strip().lower(): name for name in wb.sheetnames}
        found = [BY_SHEET[s] for s in sheets if s in BY_SHEET]
        if not found:
            return [], [RowError("", 0, "", _("The workbook has none of the sheets %(sheets)s.")
                                 % {"sheets": ", ".join(BY_SHEET)})]
        for kind in found:
            ws = wb[sheets[kind.sheet]]
            rows = ws.iter_rows(values_only=True)
            header = _header(next(rows, ()) or ())
            if not any(header):
                continue  # an empty sheet
            _check_columns(kind, header, kind.sheet, errors)
            for number, values in enumerate(rows, start=2):
                cells = {col: values[i] if i < len(values) else None
                         for i, col in enumerate(header) if col in kind.columns}
                if all(_cell_text(v) == "" for v in cells.values()):
                    continue
                records.append(RawRecord(kind.name, kind.sheet, number, cells))
    finally:
        wb.close()
    return records, errors


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse_csv(data: bytes) -> tuple[list[RawRecord], list[RowError]]:
    text = _decode(data)
    if text is None or "\x00" in text:
        return [], [RowError("", 0, "", _("The file could not be read: it is neither an Excel workbook (.xlsx) nor "
                                          "a CSV file in UTF-8."))]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(next(reader, []))
    if not any(header):
        return [], [RowError("", 0, "", _("The file is empty."))]
    errors: list[RowError] = []
    if "record" not in header:
        return [], [RowError("csv", 1, "record", _("Missing column record: the first column says what each line "
                                                   "is (job_level, department, position or employee)."))]
    for col in header:
        if col and col not in CSV_COLUMNS:
            errors.append(RowError("csv", 1, col, _("Unknown column %(col)s: the columns are %(cols)s.")
                                   % {"col": col, "cols": ", ".join(CSV_COLUMNS)}))
    records: list[RawRecord] = []
    kinds_seen: set[str] = set()
    rec_idx = header.index("record")
    for values in reader:
        number = reader.line_num
        if all(v.strip() == "" for v in values):
            continue
        raw_kind = values[rec_idx].strip().lower() if rec_idx < len(values) else ""
        kind_name = CSV_KIND_ALIASES.get(raw_kind)
        if kind_name is None:
            errors.append(RowError("csv", number, "record", _(
                "Unknown record type %(value)s: use job_level, department, position or employee.")
                % {"value": raw_kind or "—"}))
            continue
        kind = KINDS[kind_name]
        kinds_seen.add(kind_name)
        cells = {col: values[i] if i < len(values) else "" for i, col in enumerate(header) if col in kind.columns}
        records.append(RawRecord(kind_name, kind.sheet, number, cells))
    for kind_name in kinds_seen:
        for col in KINDS[kind_name].required:
            if col not in header:
                errors.append(RowError("csv", 1, col, _("Missing column %(col)s.") % {"col": col}))
    return records, errors


def parse_file(file, *, name: str = "") -> tuple[list[RawRecord], list[RowError], str, str]:
    data, file_name = _read(file)
    name = name or file_name
    if not data.strip():
        return [], [RowError("", 0, "", _("The file is empty."))], "", name
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return [], [RowError("", 0, "", _("Old Excel files (.xls) cannot be read: save the workbook as .xlsx or "
                                          "CSV and upload it again."))], XLSX, name
    if data[:4] == b"PK\x03\x04" or zipfile.is_zipfile(io.BytesIO(data)):
        records, errors = _parse_xlsx(data)
        return records, errors, XLSX, name
    records, errors = _parse_csv(data)
    return records, errors, CSV, name


# --- the database as it is -----------------------------------------------------------------------

class _Db:
    """Everything validation needs from the database, read set-based (a fixed number of queries)."""

    def __init__(self, usernames: set[str]):
        self.levels = {r["code"]: r for r in JobLevel.objects.values(
            "id", "code", "name_zh", "name_en", "rank", "review_frequency")}
        self.depts = {r["code"]: r for r in Department.objects.values(
            "id", "code", "name_zh", "name_en", "parent__code", "head__employee_no")}
        self.positions = {r["code"]: r for r in Position.objects.values(
            "id", "code", "name_zh", "name_en", "department__code", "job_level__code")}
        self.employees = {r["employee_no"]: r for r in Employee.objects.values(
            "id", "employee_no", "name_zh", "name_en", "email", "phone", "department__code", "position__code",
            "supervisor__employee_no", "hire_date", "is_active", "user_id", "user__username")}
        User = get_user_model()
        self.roles: dict[int, set[str]] = defaultdict(set)
        for user_id, group in User.groups.through.objects.filter(group__name__in=KNOWN_ROLES).values_list(
                "user_id", "group__name"):
            self.roles[user_id].add(group)
        self.user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
        self.employee_of_user = {r["user_id"]: no for no, r in self.employees.items() if r["user_id"]}


# --- checking the rows ---------------------------------------------------------------------------

class _Checker:
    def __init__(self, records: list[RawRecord], parse_errors: list[RowError]):
        self.records = records
        self.errors: list[RowError] = list(parse_errors)
        self.rows: dict[str, dict[str, ImportRow]] = {k: {} for k in KINDS}

    def error(self, row: ImportRow | RawRecord, column: str, message: str) -> None:
        self.errors.append(RowError(row.sheet, row.row, column, message))
        if isinstance(row, ImportRow):
            row.has_error = True

    # cleaning single values ----------------------------------------------------------------------
    def _clean(self, rec: RawRecord) -> ImportRow | None:
        kind = KINDS[rec.kind]
        values: dict[str, Any] = {}
        bad: set[str] = set()
        for col, raw in rec.cells.items():
            try:
                values[col] = self._clean_value(rec.kind, col, raw)
            except ValidationError as exc:
                self.error(rec, col, exc.messages[0])
                bad.add(col)
        for col in kind.required:
            if col in rec.cells and col not in bad and values.get(col) in ("", None):
                self.error(rec, col, _("Missing required value."))
                bad.add(col)
        ok = not bad
        key = values.get(kind.key) or ""
        if not key:
            return None
        row = ImportRow(rec.kind, rec.sheet, rec.row, key, values, has_error=not ok)
        first = self.rows[rec.kind].get(key)
        if first is not None:
            if rec.kind == "employee":
                msg = _("Duplicate employee number %(no)s: it is also on row %(row)s.") % {"no": key, "row": first.row}
            else:
                msg = _("Duplicate code %(code)s: it is also on row %(row)s.") % {"code": key, "row": first.row}
            self.error(row, kind.key, msg)
            return None
        self.rows[rec.kind][key] = row
        return row

    def _clean_value(self, kind: str, col: str, raw):
        if col == "hire_date":
            return _clean_date(raw)
        if col == "rank":
            return _clean_rank(raw)
        text = _cell_text(raw)
        if col == "active":
            if text == "":
                return True
            low = text.lower()
            if low in YES:
                return True
            if low in NO:
                return False
            raise ValidationError(_("Not yes or no: %(value)s.") % {"value": text})
        if col == "roles":
            roles = {r.lower() for r in ROLE_SEPARATORS.split(text) if r}
            unknown = sorted(roles - set(KNOWN_ROLES))
            if unknown:
                raise ValidationError(_("Unknown role %(role)s: use hr, executive or both separated by a "
                                        "semicolon (hr;executive).") % {"role": ", ".join(unknown)})
            return frozenset(roles)
        if col == "review_frequency":
            low = text.lower().replace("-", "_")
            if text and low not in ReviewFrequency.values:
                raise ValidationError(_("Unknown review frequency %(value)s: use one of %(choices)s.")
                                      % {"value": text, "choices": ", ".join(ReviewFrequency.values)})
            return low
        limit = _CODE_MAX[kind] if col == "code" else MAX_LENGTH.get(col)
        if limit and len(text) > limit:
            raise ValidationError(_("Too long: at most %(n)s characters.") % {"n": limit})
        if col == "email" and text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValidationError(_("Not a valid e-mail address: %(value)s.") % {"value": text})
        if col == "username" and text:
            try:
                UnicodeUsernameValidator()(text)
            except ValidationError:
                raise ValidationError(_("Not a valid username: %(value)s (letters, digits and @ . + - _ only).")
                                      % {"value": text})
        return text

    # the whole file --------------------------------------------------------------------------------
    def run(self) -> tuple[list[ImportRow], list[RowError]]:
        for rec in self.records:
            self._clean(rec)
        usernames = {r.values["username"] for r in self.rows["employee"].values() if r.values.get("username")}
        self.db = _Db(usernames)
        self._job_levels()
        self._departments()
        self._positions()
        self._employees()
        rows = sorted((r for per_kind in self.rows.values() for r in per_kind.values()),
                      key=lambda r: (list(KINDS).index(r.kind), r.row))
        errors = sorted(self.errors, key=lambda e: (e.sheet != "", e.sheet, e.row, e.column))
        return rows, errors

    def _set_action(self, row: ImportRow, current: dict | None, pairs: dict[str, tuple[Any, Any]]) -> None:
        if current is None:
            row.action = "create"
            row.changes = {col: [None, value] for col, value in row.values.items()
                           if col != KINDS[row.kind].key and value not in ("", None, frozenset())}
            return
        row.changes = {col: [old, new] for col, (old, new) in pairs.items() if old != new}
        row.action = "update" if row.changes else "unchanged"

    def _job_levels(self) -> None:
        for row in self.rows["job_level"].values():
            cur = self.db.levels.get(row.key)
            v = row.values
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en", "rank", "review_frequency"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
            self._set_action(row, cur, pairs)

    def _departments(self) -> None:
        db, file = self.db.depts, self.rows["department"]
        known = set(db) | set(file)
        employees = set(self.db.employees) | set(self.rows["employee"])
        parent_of = {code: r["parent__code"] for code, r in db.items()}
        for code, row in file.items():
            if "parent_code" in row.values:
                parent_of[code] = row.values["parent_code"] or None
            elif code not in db:
                parent_of[code] = None
            parent = parent_of[code]
            if parent and parent not in known:
                self.error(row, "parent_code", _("Unknown department %(code)s: it is neither in the file nor in the "
                                                 "organisation.") % {"code": parent})
                parent_of[code] = None
            head = row.values.get("head_employee_no")
            if head and head not in employees:
                self.error(row, "head_employee_no", _("Unknown employee %(no)s: the employee number is neither in "
                                                      "the file nor in the organisation.") % {"no": head})
        for code, cycle in _cycles(parent_of, file).items():
            if len(cycle) == 1:
                msg = _("A department cannot be its own parent.")
            else:
                msg = _("Department loop: %(chain)s.") % {"chain": " → ".join(cycle + [cycle[0]])}
            self.error(file[code], "parent_code", msg)
        depth = _depths(parent_of, [c for c in file if not file[c].has_error])
        for code, row in file.items():
            row.depth = depth.get(code, 0)
            cur = db.get(code)
            v = row.values
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                if "parent_code" in v:
                    pairs["parent_code"] = (cur["parent__code"] or "", v["parent_code"])
                if "head_employee_no" in v:
                    pairs["head_employee_no"] = (cur["head__employee_no"] or "", v["head_employee_no"])
            self._set_action(row, cur, pairs)
        self.dept_parent = parent_of

    def _positions(self) -> None:
        db, file = self.db.positions, self.rows["position"]
        depts = set(self.db.depts) | set(self.rows["department"])
        levels = set(self.db.levels) | set(self.rows["job_level"])
        self.position_dept = {code: r["department__code"] for code, r in db.items()}
        for code, row in file.items():
            v = row.values
            dept, level = v.get("department_code"), v.get("job_level_code")
            if dept and dept not in depts:
                self.error(row, "department_code", _("Unknown department %(code)s: it is neither in the file nor "
                                                     "in the organisation.") % {"code": dept})
            if level and level not in levels:
                self.error(row, "job_level_code", _("Unknown job level %(code)s: it is neither in the file nor in "
                                                    "the organisation.") % {"code": level})
            if dept:
                self.position_dept[code] = dept
            cur = db.get(code)
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                pairs["department_code"] = (cur["department__code"], dept)
                pairs["job_level_code"] = (cur["job_level__code"], level)
            self._set_action(row, cur, pairs)
        # People of the database who keep a position that moves to another department.
        moved = {code: row.values["department_code"] for code, row in file.items()
                 if row.action == "update" and "department_code" in row.changes}
        if moved:
            file_emps = self.rows["employee"]
            stranded = defaultdict(list)
            for no, emp in self.db.employees.items():
                pos = emp["position__code"]
                if pos in moved and no not in file_emps and emp["department__code"] != moved[pos]:
                    stranded[pos].append(no)
            for pos, nos in stranded.items():
                self.error(file[pos], "department_code", _(
                    "Position %(pos)s would move to department %(dept)s, but its holders %(nos)s stay in "
                    "another department: move them in the employees sheet too.")
                    % {"pos": pos, "dept": moved[pos], "nos": ", ".join(sorted(nos)[:10])})

    def _employees(self) -> None:
        db, file = self.db.employees, self.rows["employee"]
        depts = set(self.db.depts) | set(self.rows["department"])
        positions = set(self.db.positions) | set(self.rows["position"])
        known = set(db) | set(file)
        sup_of = {no: r["supervisor__employee_no"] for no, r in db.items()}
        active = {no: r["is_active"] for no, r in db.items()}
        usernames_in_file: dict[str, ImportRow] = {}
        for no, row in file.items():
            v = row.values
            cur = db.get(no)
            if "supervisor_no" in v:
                sup_of[no] = v["supervisor_no"] or None
            elif cur is None:
                sup_of[no] = None
            if "active" in v:
                active[no] = v["active"]
            elif cur is None:
                active[no] = True
            sup = sup_of[no]
            if sup and sup not in known:
                self.error(row, "supervisor_no", _("Unknown supervisor %(no)s: the employee number is neither in the "
                                                   "file nor in the organisation.") % {"no": sup})
                sup_of[no] = None
            dept = v.get("department_code")
            if dept and dept not in depts:
                self.error(row, "department_code", _("Unknown department %(code)s: it is neither in the file nor in "
                                                     "the organisation.") % {"code": dept})
            pos = v["position_code"] if "position_code" in v else (cur["position__code"] if cur else "")
            if pos and pos not in positions:
                self.error(row, "position_code", _("Unknown position %(code)s: it is neither in the file nor in "
                                                   "the organisation.") % {"code": pos})
            elif pos and dept and self.position_dept.get(pos) and self.position_dept[pos] != dept:
                self.error(row, "position_code", _("Position %(pos)s belongs to department %(pos_dept)s, not to "
                                                   "%(dept)s.") % {"pos": pos, "pos_dept": self.position_dept[pos],
                                                                   "dept": dept})
            username = v.get("username") or ""
            if username:
                other = usernames_in_file.get(username)
                owner = self.db.employee_of_user.get(self.db.user_ids.get(username))
                if other is not None:
                    self.error(row, "username", _("Duplicate username %(username)s: it is also on row %(row)s.")
                               % {"username": username, "row": other.row})
                elif owner and owner != no:
                    self.error(row, "username", _("User account %(username)s already belongs to employee %(no)s.")
                               % {"username": username, "no": owner})
                usernames_in_file.setdefault(username, row)
            has_account = bool(username) or bool(cur and cur["user_id"])
            if v.get("roles") and not has_account:
                self.error(row, "roles", _("Roles need a user account: fill in the username column."))
        for no, cycle in _cycles(sup_of, file).items():
            if len(cycle) == 1:
                msg = _("An employee cannot be their own supervisor.")
            else:
                msg = _("Supervisor cycle: %(chain)s.") % {"chain": " → ".join(cycle + [cycle[0]])}
            self.error(file[no], "supervisor_no", msg)
        depth = _depths(sup_of, [n for n in file if not file[n].has_error])
        for no, row in file.items():
            row.depth = depth.get(no, 0)
            v = row.values
            cur = db.get(no)
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en", "email", "phone"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                pairs["department_code"] = (cur["department__code"], v.get("department_code"))
                if "position_code" in v:
                    pairs["position_code"] = (cur["position__code"] or "", v["position_code"])
                if "supervisor_no" in v:
                    pairs["supervisor_no"] = (cur["supervisor__employee_no"] or "", v["supervisor_no"])
                if "hire_date" in v:
                    pairs["hire_date"] = (cur["hire_date"], v["hire_date"])
                if "active" in v:
                    pairs["active"] = (cur["is_active"], v["active"])
                if v.get("username"):
                    pairs["username"] = (cur["user__username"] or "", v["username"])
                if "roles" in v:
                    # Roles belong to the account: the one the row links to, if it changes account.
                    user_id = cur["user_id"]
                    if v.get("username") and v["username"] != cur["user__username"]:
                        user_id = self.db.user_ids.get(v["username"])
                    pairs["roles"] = (frozenset(self.db.roles.get(user_id, ())), v["roles"])
            self._set_action(row, cur, pairs)
            sup = sup_of.get(no)
            sup_changed = cur is None or "supervisor_no" in row.changes
            if sup and sup_changed and not active.get(sup, True):
                self.error(row, "supervisor_no", _("%(no)s has left (active = no) and cannot be a supervisor.")
                           % {"no": sup})


def _norm(value):
    if isinstance(value, str) or value is None:
        return (value or "").strip()
    return value


def _clean_date(raw) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = _cell_text(raw)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        y, m, d = (int(x) for x in text.split("-"))
        try:
            return dt.date(y, m, d)
        except ValueError:
            pass
    raise ValidationError(_("Bad date %(value)s: use the format YYYY-MM-DD, e.g. 2024-03-01.") % {"value": text})


def _clean_rank(raw) -> int | None:
    text = _cell_text(raw)
    if text == "":
        return None
    if text.isdigit() and 0 < int(text) < 32768:
        return int(text)
    raise ValidationError(_("Not a whole number from 1 up: %(value)s.") % {"value": text})


def _cycles(parent_of: dict[str, str | None], starts) -> dict[str, list[str]]:
    """For each start that lies on a cycle of ``parent_of``: the cycle, starting from it."""
    done: set[str] = set()
    found: dict[str, list[str]] = {}
    for start in starts:
        path: list[str] = []
        index: dict[str, int] = {}
        node = start
        while node is not None and node not in done:
            if node in index:
                cycle = path[index[node]:]
                for i, member in enumerate(cycle):
                    found[member] = cycle[i:] + cycle[:i]
                break
            index[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        done.update(path)
    return {k: v for k, v in found.items() if k in starts}


def _depths(parent_of: dict[str, str | None], keys) -> dict[str, int]:
    """Depth of each key in the (acyclic) final tree; memoised walk up, no recursion."""
    depth: dict[str, int] = {}
    for key in keys:
        chain = []
        node = key
        seen = set()
        while node is not None and node not in depth and node not in seen:
            seen.add(node)
            chain.append(node)
            node = parent_of.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for n in reversed(chain):
            base += 1
            depth[n] = base
    return depth


def validate_records(records: list[RawRecord], parse_errors: list[RowError], *, file_name: str = "",
                     file_format: str = "") -> ImportPreview:
    rows, errors = _Checker(records, parse_errors).run()
    return ImportPreview(file_name=file_name, file_format=file_format, records=records, parse_errors=parse_errors,
                         rows=rows, errors=errors)


def parse_and_validate(file, *, name: str = "") -> ImportPreview:
    """Read and check an organisation file without writing anything."""
    records, parse_errors, fmt, file_name = parse_file(file, name=name)
    return validate_records(records, parse_errors, file_name=file_name, file_format=fmt)


# --- writing -------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    counts: dict[str, dict[str, int]]

    @property
    def totals(self) -> dict[str, int]:
        tot = Counter()
        for per_kind in self.counts.values():
            tot.update(per_kind)
        return {"create": tot["create"], "update": tot["update"], "unchanged": tot["unchanged"]}

    def as_dict(self) -> dict:
        return {"counts": self.counts, "totals": self.totals}


@transaction.atomic
def org_import_apply(*, actor, preview: ImportPreview) -> ImportResult:
    """Write a checked file in one transaction; refuse it whole if any row is (now) invalid."""
    services.require_hr(actor)
    fresh = validate_records(preview.records, preview.parse_errors, file_name=preview.file_name,
                             file_format=preview.file_format)
    if not fresh.is_valid:
        raise ImportInvalid(fresh)
    rows = {k: [r for r in fresh.rows if r.kind == k] for k in KINDS}
    levels: dict[str, JobLevel] = {}
    depts: dict[str, Department] = {}
    positions: dict[str, Position] = {}

    def level(code):
        if code not in levels:
            levels[code] = JobLevel.objects.get(code=code)
        return levels[code]

    def dept(code, *, fresh_path=False):
        if not code:
            return None
        if fresh_path or code not in depts:
            depts[code] = Department.objects.get(code=code)
        return depts[code]

    def position(code):
        if not code:
            return None
        if code not in positions:
            positions[code] = Position.objects.select_related("department").get(code=code)
        return positions[code]

    def employee(no):
        # Always re-read: a subtree move may have rewritten its report path since.
        return Employee.objects.get(employee_no=no) if no else None

    for row in rows["job_level"]:
        v = row.values
        if row.action == "create":
            levels[row.key] = services.job_level_create(
                actor=actor, code=row.key, name_zh=v["name_zh"], name_en=v.get("name_en", ""), rank=v["rank"],
                review_frequency=v["review_frequency"])
        elif row.action == "update":
            levels[row.key] = services.job_level_update(
                actor=actor, job_level=level(row.key), **{c: v[c] for c in row.changes})

    heads_later: list[ImportRow] = []
    for row in sorted(rows["department"], key=lambda r: r.depth):
        v = row.values
        head_no = v.get("head_employee_no") or ""
        if row.action == "create":
            head = Employee.objects.filter(employee_no=head_no).first() if head_no else None
            depts[row.key] = services.department_create(
                actor=actor, code=row.key, name_zh=v["name_zh"], name_en=v.get("name_en", ""),
                parent=dept(v.get("parent_code"), fresh_path=True), head=head)
            if head_no and head is None:
                heads_later.append(row)
        elif row.action == "update":
            changes = {c: v[c] for c in ("name_zh", "name_en") if c in row.changes}
            if "parent_code" in row.changes:
                changes["parent"] = dept(v["parent_code"], fresh_path=True)
            if "head_employee_no" in row.changes:
                head = Employee.objects.filter(employee_no=head_no).first() if head_no else None
                if head_no and head is None:
                    heads_later.append(row)  # created below with the employees
                else:
                    changes["head"] = head
            if changes:
                depts[row.key] = services.department_update(actor=actor, department=dept(row.key), **changes)

    for row in rows["position"]:
        v = row.values
        if row.action == "create":
            positions[row.key] = services.position_create(
                actor=actor, code=row.key, name_zh=v["name_zh"], name_en=v.get("name_en", ""),
                department=dept(v["department_code"]), job_level=level(v["job_level_code"]))
        elif row.action == "update":
            changes = {c: v[c] for c in ("name_zh", "name_en") if c in row.changes}
            if "department_code" in row.changes:
                changes["department"] = dept(v["department_code"])
            if "job_level_code" in row.changes:
                changes["job_level"] = level(v["job_level_code"])
            positions.pop(row.key, None)
            services.position_update(actor=actor, position=Position.objects.get(code=row.key), **changes)

    for row in sorted(rows["employee"], key=lambda r: r.depth):
        v = row.values
        if row.action == "create":
            emp = services.employee_create(
                actor=actor, employee_no=row.key, name_zh=v["name_zh"], name_en=v.get("name_en", ""),
                email=v.get("email", ""), phone=v.get("phone", ""), department=dept(v["department_code"]),
                position=position(v.get("position_code")), supervisor=employee(v.get("supervisor_no")),
                hire_date=v["hire_date"], username=v.get("username") or None, roles=sorted(v.get("roles") or ()))
            if v.get("active") is False:
                services.employee_update(actor=actor, employee=emp, is_active=False)
        elif row.action == "update":
            emp = Employee.objects.get(employee_no=row.key)
            changes = {c: v[c] for c in ("name_zh", "name_en", "email", "phone", "hire_date") if c in row.changes}
            if "department_code" in row.changes:
                changes["department"] = dept(v["department_code"])
            if "position_code" in row.changes:
                changes["position"] = position(v["position_code"])
            if "supervisor_no" in row.changes:
                changes["supervisor"] = employee(v["supervisor_no"])
            if "active" in row.changes:
                changes["is_active"] = v["active"]
            if changes:
                emp = services.employee_update(actor=actor, employee=emp, **changes)
            if "username" in row.changes:
                emp = services.employee_account_set(actor=actor, employee=emp, username=v["username"])
            if "roles" in row.changes:
                emp = Employee.objects.select_related("user").get(pk=emp.pk)
                services.employee_roles_set(actor=actor, employee=emp, roles=sorted(v["roles"]))

    for row in heads_later:
        services.department_update(actor=actor, department=dept(row.key, fresh_path=True),
                                   head=employee(row.values.get("head_employee_no")))

    result = ImportResult(counts=fresh.counts)
    if result.totals["create"] or result.totals["update"]:
        audit_record(actor=actor, action="org.import", object_type="org.import", object_id=fresh.file_format,
                     object_repr=fresh.file_name or _("organisation file"), after=result.as_dict())
    return result


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
            writer.writerow([kind.name] + [_csv_safe(_cell_text(row.get(col, ""))) for col in CSV_COLUMNS[1:]])
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
