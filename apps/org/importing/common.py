"""The shared vocabulary of the organisation import: the kinds of record and their columns, the
row errors, the preview and the file formats (package-internal)."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exceptions import ApplicationError
from apps.core.roles import EXECUTIVE_GROUP, HR_GROUP

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
CODE_MAX = {"job_level": 30, "department": 30, "position": 40}


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
