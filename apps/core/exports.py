"""Spreadsheet exports (CSV and XLSX) that a spreadsheet program cannot be tricked into running.

A cell whose text starts with "=", "+", "-", "@", a tab, a carriage return or a line feed is read as a
formula by Excel, LibreOffice and WPS (CSV/formula injection). Every export of the product writes its
cells through `safe_cell`: such text gets a leading apostrophe (the org import strips it again), and
in XLSX it is also stored as a string cell. Numbers, dates and booleans are written as they are.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """The value to write into a cell: text that a spreadsheet would run is neutralised."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, Decimal, dt.date, dt.datetime)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unsafe_cell(text: str) -> str:
    """The inverse for imports: a leading apostrophe that `safe_cell` added is removed."""
    return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_STARTS else text


def _csv_text(value) -> str:
    value = safe_cell(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """A CSV file (UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in header])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: dict[str, tuple[Sequence, Iterable[Sequence]]]) -> bytes:
    """An XLSX workbook: {sheet title: (header, rows)}; dangerous text is stored as a string cell."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title=str(title)[:31])
        ws.append([safe_cell(h) for h in header])
        for row in rows:
            out = []
            for value in row:
                value = safe_cell(value)
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)  # openpyxl refuses aware datetimes
                if isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    out.append(cell)
                elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
