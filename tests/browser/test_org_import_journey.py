"""Browser journey: HR uploads an organisation file with one bad row, sees the row error, fixes it, imports."""
import io

import openpyxl
import pytest
from browser_support import click_nav
from playwright.sync_api import expect

from apps.org.importing import KINDS
from apps.org.models import Employee

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(hire_date: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "employees"
    ws.append(list(KINDS["employee"].columns))
    row = {"employee_no": "N1", "name_zh": "钱一", "name_en": "Qian Yi", "department_code": "FIN",
           "position_code": "FIN-S", "supervisor_no": "F1", "hire_date": hire_date}
    ws.append([row.get(c) for c in KINDS["employee"].columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(page, data: bytes):
    page.set_input_files("input[name=file]", files=[{"name": "org.xlsx", "mimeType": XLSX, "buffer": data}])
    page.click("#import-preview")


def test_hr_fixes_a_bad_row_and_imports(org, live_server, page):
    page.set_extra_http_headers({"Accept-Language": "en"})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "hr")
    page.fill("input[name=password]", "pw-Test-1234")
    page.click("#login-submit")
    click_nav(page, "org_import")
    expect(page.locator("h2")).to_be_visible()

    upload(page, workbook("2024/03/01"))
    errors = page.locator("#import-errors tr.import-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("hire_date")
    expect(errors.first).to_contain_text("YYYY-MM-DD")
    expect(page.locator("#import-confirm")).to_have_count(0)
    assert not Employee.objects.filter(employee_no="N1").exists()

    page.goto(f"{live_server.url}/org/import/")
    upload(page, workbook("2024-03-01"))
    expect(page.locator("#import-counts tr[data-kind=employee] td").first).to_have_text("1")
    page.click("#import-confirm")
    expect(page.locator(".flash.success")).to_be_visible()
    assert Employee.objects.get(employee_no="N1").supervisor == org.accountant
