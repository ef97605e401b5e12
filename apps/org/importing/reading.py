"""Reading an import file: an xlsx workbook or a CSV file into raw records, with the errors of the
file itself (missing or unknown columns, a sheet that cannot be read)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from pathlib import Path

from django.utils.translation import gettext as _

from apps.core.exports import FORMULA_STARTS

from .common import BY_SHEET, CSV, CSV_COLUMNS, CSV_KIND_ALIASES, KINDS, XLSX, Kind, RawRecord, RowError

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


def cell_text(value) -> str:
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
    return [cell_text(v).lower().replace(" ", "_") for v in values]


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
                if all(cell_text(v) == "" for v in cells.values()):
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
