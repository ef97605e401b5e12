"""The payroll export (totals equal the run's, formula-safe cells, audited, only approved runs) and the
pay-data import (row errors, nothing written unless the whole file is valid, nothing dropped)."""
import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from pay_helpers import fresh

from apps.core.exceptions import ApplicationError, NotFound, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.org import services as org_services
from apps.pay import exporting, importing, services
from apps.pay.models import PayProfile, RunStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(org, paid_cycle):
    hr = org.user("hr")
    run = services.run_submit(actor=hr, run=services.run_compute(actor=hr, cycle=paid_cycle))
    return services.run_approve(actor=fresh(org.user("gm")), run=run)


def test_csv_totals_reconcile_with_the_run_and_the_export_is_audited(org, approved, finance):
    content, name = exporting.run_export(actor=finance, run=approved, fmt="csv")
    assert name == "payroll-2026-11-run1.csv" and content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    body, totals = table[1:-1], table[-1]
    assert [r[0] for r in body] == ["S1", "S2"]
    assert [r[7] for r in body] == ["3600.00", "2044.44"]
    assert Decimal(totals[9]) == sum(Decimal(r[9]) for r in body) == approved.total == Decimal("5644.44")
    approved.refresh_from_db()
    assert approved.status == RunStatus.EXPORTED
    event = AuditEvent.objects.filter(action="pay.run_export").get()
    assert event.actor == finance and event.after["format"] == "csv" and event.object_id == str(approved.pk)


def test_xlsx_neutralises_formulas_and_totals_match(org, approved, finance):
    staff = org.staff
    staff.refresh_from_db()
    org_services.employee_update(actor=org.actor, employee=staff, name_en='=HYPERLINK("http://x","y")')
    content, _ = exporting.run_export(actor=finance, run=approved, fmt="xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    values = list(ws.iter_rows(values_only=True))
    assert Decimal(str(values[-1][9])) == approved.total
    assert values[1][1] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_only_approved_runs_are_exported_and_only_to_hr_and_finance(org, paid_cycle, finance):
    run = services.run_compute(actor=org.user("hr"), cycle=paid_cycle)
    with pytest.raises(TransitionNotAllowed):
        exporting.run_export(actor=finance, run=run, fmt="csv")
    for name in ("gm", "manager", "lead", "staff"):
        with pytest.raises(NotFound):
            exporting.run_export(actor=fresh(org.user(name)), run=run, fmt="csv")


def xlsx(rows):
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_writes_every_row_when_the_file_is_valid(org):
    data = xlsx([["employee_no", "base_pay", "salary", "band_min", "band_mid", "band_max"],
                 ["S1", 3000, 10000, 8000, 10000, 12000], ["S2", "2555.55", None, None, None, None]])
    result = importing.apply(actor=org.user("hr"), file=io.BytesIO(data))
    assert result.counts() == {"create": 2, "update": 0, "unchanged": 0}
    assert PayProfile.objects.get(employee=org.peer).base_pay == Decimal("2555.55")
    assert AuditEvent.objects.filter(action="pay.profile_import").count() == 2


def test_import_with_a_bad_row_writes_nothing_and_names_every_error(org):
    data = b"employee_no,base_pay\r\nS1,3000\r\nX9,100\r\nS2,-5\r\nS1,1\r\n"
    result = importing.preview(data, name="pay.csv")
    assert [(ln, col) for ln, col, _ in result.errors] == [(3, "employee_no"), (4, "base_pay"), (5, "employee_no")]
    with pytest.raises(ApplicationError, match="3 error"):
        importing.apply(actor=org.user("hr"), file=io.BytesIO(data), name="pay.csv")
    assert not PayProfile.objects.exists()


def test_import_is_refused_to_managers(org):
    with pytest.raises(NotFound):
        importing.apply(actor=org.user("manager"), file=io.BytesIO(b"employee_no,base_pay\r\nS1,1\r\n"))
