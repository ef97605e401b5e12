"""Uploading actuals from Excel (xlsx) or CSV: employee number, indicator code, actual (and an
optional evidence note).

Two steps. :func:`actuals_upload_preview` reads the file and checks every row against the cycle
and the uploader's data sources without writing any actual: the preview lists what would change,
what is unchanged and every row error in plain words. :func:`actuals_upload_apply` re-reads the
stored file and writes it in one transaction, only when every row is valid. Rows equal to what is
stored are skipped, so uploading the same file twice changes nothing (and writes no audit row)
the second time.

Columns (row 1 holds the names; Chinese names are accepted too):
``employee_no`` (工号), ``indicator_code`` (指标代码), ``actual`` (实际值), optional ``evidence`` (依据).
A deadline line takes the completion date (YYYY-MM-DD); a milestones line the number done.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.models import Indicator
from apps.core.audit import audit_bulk, audit_record
from apps.core.exceptions import ApplicationError, TransitionNotAllowed
from apps.core.roles import is_hr
from apps.org.models import Employee

from .. import permissions
from ..models import (
    DATA_KINDS,
    ActualsUpload,
    Appraisal,
    Collection,
    Cycle,
    CycleStatus,
    ScoreLine,
    Status,
    UploadStatus,
)
from .actuals import actual_matches, parse_actual
from .kernel import recount, snap_line

MAX_ROWS = 20000
COLUMNS = {
    "employee_no": ("employee_no", "employee number", "工号", "员工编号", "员工工号"),
    "indicator_code": ("indicator_code", "indicator", "indicator code", "指标代码", "指标编码", "指标"),
    "actual": ("actual", "actual value", "实际值", "实际", "实际完成"),
    "evidence": ("evidence", "note", "notes", "依据", "说明", "证据", "备注"),
}
REQUIRED = ("employee_no", "indicator_code", "actual")


@dataclass
class UploadRow:
    row: int
    employee_no: str
    indicator_code: str
    actual: str
    evidence: str | None = None
    line_id: int | None = None
    employee_name: str = ""
    line_title: str = ""
    current: str = ""
    action: str = ""  # update | unchanged | error
    errors: list[str] = field(default_factory=list)


@dataclass
class UploadPreview:
    rows: list[UploadRow]
    file_errors: list[str]

    @property
    def errors(self) -> list[UploadRow]:
        return [r for r in self.rows if r.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.errors and bool(self.rows)

    def counts(self) -> dict[str, int]:
        out = {"rows": len(self.rows), "update": 0, "unchanged": 0, "error": 0}
        for r in self.rows:
            out[r.action or "error"] = out.get(r.action or "error", 0) + 1
        return out

    def as_dict(self) -> dict:
        return {"valid": self.is_valid, "counts": self.counts(), "file_errors": self.file_errors,
                "rows": [asdict(r) for r in self.rows]}


# --- reading the file ------------------------------------------------------------------------------

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_from_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ApplicationError(_("The file could not be read as an Excel workbook (.xlsx)."), field="file")
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def _rows_from_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError(_("The CSV file is neither UTF-8 nor GB18030 text."), field="file")
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_rows(data: bytes, name: str = "") -> tuple[list[UploadRow], list[str]]:
    """Parse the file into rows (no database access). Returns (rows, file-level errors)."""
    if not data:
        return [], [_("The file is empty.")]
    if zipfile.is_zipfile(io.BytesIO(data)) or name.lower().endswith((".xlsx", ".xlsm")):
        table = _rows_from_xlsx(data)
    else:
        table = _rows_from_csv(data)
    table = [r for r in table if any(c for c in r)]
    if not table:
        return [], [_("The file has no rows.")]
    header = [h.strip().lower() for h in table[0]]
    index = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                index[key] = i
                break
    missing = [k for k in REQUIRED if k not in index]
    if missing:
        return [], [_("Row 1 must name the columns employee_no, indicator_code and actual (missing: %(cols)s).")
                    % {"cols": ", ".join(missing)}]
    if len(table) - 1 > MAX_ROWS:
        return [], [_("The file has more than %(n)s rows; split it.") % {"n": MAX_ROWS}]

    def get(r, key):
        i = index.get(key)
        return r[i].strip() if i is not None and i < len(r) else ""

    rows = []
    for n, r in enumerate(table[1:], start=2):
        rows.append(UploadRow(row=n, employee_no=get(r, "employee_no"), indicator_code=get(r, "indicator_code"),
                              actual=get(r, "actual"), evidence=get(r, "evidence") if "evidence" in index else None))
    return rows, []


# --- checking the rows -------------------------------------------------------------------------------

def validate_rows(*, user, cycle: Cycle, rows: list[UploadRow]) -> UploadPreview:
    """Check every row against the database: a fixed number of queries for any number of rows."""
    nos = {r.employee_no for r in rows if r.employee_no}
    codes = {r.indicator_code for r in rows if r.indicator_code}
    known_nos = set(Employee.objects.filter(employee_no__in=nos).values_list("employee_no", flat=True))
    known_codes = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    lines: dict[tuple[str, str], list[ScoreLine]] = {}
    qs = (ScoreLine.objects.filter(cycle=cycle, appraisal__employee__employee_no__in=nos, indicator__code__in=codes)
          .filter(permissions.actuals_scope_q(user))
          .select_related("appraisal__employee", "indicator")
          .only("pk", "rule_kind", "collection", "actual", "done_date", "milestones_done", "milestones_total",
                "evidence", "title", "version", "data_source_id", "appraisal__status", "appraisal__appraiser_id",
                "appraisal__employee__employee_no", "appraisal__employee__name_zh", "appraisal__employee__name_en",
                "indicator__code", "indicator__name_zh", "indicator__name_en"))
    for line in qs:
        lines.setdefault((line.appraisal.employee.employee_no, line.indicator.code), []).append(line)
    seen: dict[int, int] = {}
    for r in rows:
        if not r.employee_no:
            r.errors.append(_("The employee number is empty."))
        elif r.employee_no not in known_nos:
            r.errors.append(_("Unknown employee number “%(no)s”.") % {"no": r.employee_no})
        if not r.indicator_code:
            r.errors.append(_("The indicator code is empty."))
        elif r.indicator_code not in known_codes:
            r.errors.append(_("Unknown indicator code “%(code)s”.") % {"code": r.indicator_code})
        if r.errors:
            r.action = "error"
            continue
        found = lines.get((r.employee_no, r.indicator_code), [])
        if not found:
            r.errors.append(_("%(no)s has no line %(code)s in this cycle whose data you provide.")
                            % {"no": r.employee_no, "code": r.indicator_code})
            r.action = "error"
            continue
        if len(found) > 1:
            r.errors.append(_("%(no)s has the indicator %(code)s on %(n)s lines; enter these actuals one by one "
                              "on the actuals page.") % {"no": r.employee_no, "code": r.indicator_code,
                                                         "n": len(found)})
            r.action = "error"
            continue
        line = found[0]
        r.line_id, r.employee_name, r.line_title = line.pk, line.appraisal.employee.name, line.display_title
        r.current = line.display_actual
        if line.pk in seen:
            r.errors.append(_("Row %(other)s already gives this actual.") % {"other": seen[line.pk]})
            r.action = "error"
            continue
        seen[line.pk] = r.row
        if line.rule_kind not in DATA_KINDS:
            r.errors.append(_("“%(title)s” is scored by the appraiser; it takes no actual.") % {
                "title": line.display_title})
            r.action = "error"
            continue
        try:
            fields = parse_actual(line, r.actual)
        except ApplicationError as exc:
            r.errors.append(exc.message)
            r.action = "error"
            continue
        same = actual_matches(line, fields) and line.collection == Collection.ENTERED \
            and (r.evidence is None or r.evidence == line.evidence)
        if same:
            r.action = "unchanged"
        elif line.appraisal.status != Status.COLLECTING:
            r.errors.append(_("The actuals of %(name)s are verified already; HR must return the line before it "
                              "can change.") % {"name": line.appraisal.employee.name})
            r.action = "error"
        else:
            r.action = "update"
    return UploadPreview(rows=rows, file_errors=[])


def _preview_of(*, user, cycle: Cycle, data: bytes, name: str) -> UploadPreview:
    rows, file_errors = read_rows(data, name)
    if file_errors:
        return UploadPreview(rows=rows, file_errors=file_errors)
    return validate_rows(user=user, cycle=cycle, rows=rows)


def _require_uploader(user, cycle: Cycle) -> None:
    """HR, or anyone with an employee record (each row is checked against the user's data sources)."""
    if not is_hr(user) and (not permissions.viewer(user).employee_id or cycle.status == CycleStatus.DRAFT):
        permissions.require_hr_or_404(user)
    if cycle.status != CycleStatus.OPEN:
        raise TransitionNotAllowed(_("Actuals are collected only while the cycle is open."))


@transaction.atomic
def actuals_upload_preview(*, actor, cycle: Cycle, data: bytes, file_name: str) -> tuple[ActualsUpload,
                                                                                           UploadPreview]:
    """Check a file of actuals; store it for the confirmation step. Writes no actual."""
    _require_uploader(actor, cycle)
    preview = _preview_of(user=actor, cycle=cycle, data=data, name=file_name)
    upload = ActualsUpload.objects.create(
        cycle=cycle, uploaded_by=actor, file_name=(file_name or "upload")[:200], content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        status=UploadStatus.PREVIEWED if preview.is_valid else UploadStatus.INVALID, summary=preview.as_dict())
    audit_record(actor=actor, action="appraisal.actuals_upload_check", obj=upload,
                 after={"cycle": cycle.pk, "file": upload.file_name, "sha256": upload.sha256, **preview.counts()})
    return upload, preview


@transaction.atomic
def actuals_upload_apply(*, actor, upload: ActualsUpload) -> dict:
    """Write a checked file: all rows or none. Rows equal to what is stored are skipped."""
    up = ActualsUpload.objects.select_for_update(of=("self",)).select_related("cycle").get(pk=upload.pk)
    if up.uploaded_by_id != getattr(actor, "pk", None):
        permissions.require_hr_or_404(actor)
    _require_uploader(actor, up.cycle)
    if up.status == UploadStatus.APPLIED:
        return {"updated": 0, "unchanged": up.summary.get("counts", {}).get("rows", 0), "already_applied": True}
    preview = _preview_of(user=actor, cycle=up.cycle, data=bytes(up.content), name=up.file_name)
    if not preview.is_valid:
        up.status, up.summary = UploadStatus.INVALID, preview.as_dict()
        up.save(update_fields=["status", "summary", "updated_at"])
        raise ApplicationError(
            _("The file has errors (%(n)s row(s)); nothing was written. Fix them and upload it again.")
            % {"n": len(preview.errors) or len(preview.file_errors)}, field="file",
            extra={"preview": preview.as_dict()})
    todo = {r.line_id: r for r in preview.rows if r.action == "update"}
    updated = _write(actor=actor, todo=todo, upload=up)
    up.status, up.summary, up.applied_at = UploadStatus.APPLIED, preview.as_dict(), timezone.now()
    up.save(update_fields=["status", "summary", "applied_at", "updated_at"])
    audit_record(actor=actor, action="appraisal.actuals_upload_apply", obj=up,
                 after={"cycle": up.cycle_id, "file": up.file_name, "updated": updated,
                        "unchanged": preview.counts()["unchanged"]})
    return {"updated": updated, "unchanged": preview.counts()["unchanged"]}


def _write(*, actor, todo: dict[int, UploadRow], upload: ActualsUpload) -> int:
    if not todo:
        return 0
    appraisal_ids = list(ScoreLine.objects.filter(pk__in=list(todo)).values_list("appraisal_id", flat=True)
                         .distinct())
    # lock the appraisals (then the lines), re-check they still collect
    locked = {a.pk: a for a in Appraisal.objects.select_for_update().filter(pk__in=appraisal_ids)
              .order_by("pk")}
    lines = list(ScoreLine.objects.select_for_update(of=("self",)).filter(pk__in=list(todo)).select_related("indicator")
                 .order_by("pk"))
    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    rows = []
    for line in lines:
        if locked[line.appraisal_id].status != Status.COLLECTING:
            raise TransitionNotAllowed(_("An appraisal of this file was verified meanwhile; nothing was written. "
                                         "Upload the file again to see what changed."))
        r = todo[line.pk]
        before = snap_line(line)
        for k, v in parse_actual(line, r.actual).items():
            setattr(line, k, v)
        if r.evidence is not None:
            line.evidence = r.evidence
        line.collection = Collection.ENTERED
        line.entered_by, line.entered_at, line.updated_at = user, now, now
        line.version += 1
        rows.append(("appraisals.scoreline", line.pk, f"{r.employee_name} · {line.display_title}", before,
                     {**snap_line(line), "upload": upload.pk}))
    ScoreLine.objects.bulk_update(lines, ["actual", "done_date", "milestones_done", "evidence", "collection",
                                          "entered_by", "entered_at", "updated_at", "version"], batch_size=500)
    recount(locked.keys())
    audit_bulk(actor=actor, action="appraisal.line_actual_set", rows=rows)
    return len(lines)


def template_csv() -> bytes:
    """An example file with the expected columns."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["employee_no", "indicator_code", "actual", "evidence"])
    w.writerow(["E0009", "SALES-MONTH", "1140", "销售台账 2026-11"])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
