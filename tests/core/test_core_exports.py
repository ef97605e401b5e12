"""One helper writes every CSV/XLSX cell: text a spreadsheet would run goes out as text."""
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from apps.core.exports import csv_bytes, safe_cell, unsafe_cell, xlsx_bytes

DANGEROUS = ["=1+1", "+49 30", "-1+2", "@SUM(A1)", "\tcmd", "\r=2", "\nx"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_gets_an_apostrophe_and_back(text):
    assert safe_cell(text) == "'" + text
    assert unsafe_cell(safe_cell(text)) == text


def test_harmless_values_are_untouched():
    assert safe_cell("张三") == "张三"
    assert safe_cell(-3) == -3 and safe_cell(Decimal("-1.5")) == Decimal("-1.5")
    assert safe_cell(None) == ""


def test_csv_has_a_bom_and_neutralised_cells():
    content = csv_bytes(["name", "n"], [["=HYPERLINK(1)", 5], ["王五", dt.date(2026, 12, 1)]])
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert text.splitlines() == ["name,n", "'=HYPERLINK(1),5", "王五,2026-12-01"]


def test_xlsx_stores_dangerous_text_as_string_cells():
    content = xlsx_bytes({"results": (["name", "score"], [["+1", Decimal("88.5")], ["李四", 90]])})
    ws = openpyxl.load_workbook(io.BytesIO(content))["results"]
    assert [c.value for c in ws[2]] == ["'+1", 88.5]
    assert ws["A2"].data_type == "s" and ws["B3"].value == 90
