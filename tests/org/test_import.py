"""Importing the organisation from xlsx/CSV, and the export of the same shape."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.org import importing
from apps.org.importing import KINDS, org_import_apply, parse_and_validate
from apps.org.models import Department, Employee, JobLevel, Position

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the product's msgids); pages show them in zh-Hans too."""
    from django.utils import translation

    with translation.override("en"):
        yield

COLS = {k.sheet: list(k.columns) for k in KINDS.values()}


def xlsx(sheets: dict[str, list[dict]]) -> bytes:
    """A workbook with one sheet per entry; each row a dict of column -> value (full header)."""
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        ws.append(COLS[sheet])
        for row in rows:
            ws.append([row.get(c) for c in COLS[sheet]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_file(rows: list[dict], encoding="utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(importing.CSV_COLUMNS)
    for row in rows:
        w.writerow([row.get(c, "") for c in importing.CSV_COLUMNS])
    return buf.getvalue().encode(encoding)


def emp(no, zh, dept, **kw):
    return {"employee_no": no, "name_zh": zh, "department_code": dept, "hire_date": "2024-02-01", **kw}


def valid_sheets():
    """New rows on top of the `org` fixture, deliberately listed children first."""
    return {
        "job_levels": [{"code": "AM", "name_zh": "经理助理", "name_en": "Manager assistant", "rank": 4,
                        "review_frequency": "quarterly"}],
        "departments": [
            {"code": "SAL-S-1", "name_zh": "深圳组", "name_en": "Shenzhen team", "parent_code": "SAL-S"},
            {"code": "SAL-S", "name_zh": "华南销售处", "name_en": "South sales", "parent_code": "SAL",
             "head_employee_no": "N1"},
        ],
        "positions": [
            {"code": "SAL-S-L", "name_zh": "华南主管", "department_code": "SAL-S", "job_level_code": "M"},
            {"code": "SAL-S-1-R", "name_zh": "销售代表", "department_code": "SAL-S-1", "job_level_code": "AM"},
        ],
        "employees": [
            emp("N3", "钱三", "SAL-S-1", position_code="SAL-S-1-R", supervisor_no="N2", hire_date=dt.date(2024, 5, 6)),
            emp("N2", "钱二", "SAL-S-1", position_code="SAL-S-1-R", supervisor_no="N1", email="n2@example.com"),
            emp("N1", "钱一", "SAL-S", name_en="Qian Yi", position_code="SAL-S-L", supervisor_no="M1",
                username="qianyi", roles="hr;executive", phone="13800000000"),
        ],
    }


def counts():
    return (JobLevel.objects.count(), Department.objects.count(), Position.objects.count(),
            Employee.objects.count(), AuditEvent.objects.count(), get_user_model().objects.count())


def assert_paths_consistent():
    depts = {d.pk: d for d in Department.objects.all()}
    for d in depts.values():
        parent = depts.get(d.parent_id)
        assert d.path == f"{parent.path if parent else '/'}{d.pk}/", d.code
        assert d.depth == (parent.depth + 1 if parent else 0)
    emps = {e.pk: e for e in Employee.objects.all()}
    for e in emps.values():
        sup = emps.get(e.supervisor_id)
        assert e.report_path == f"{sup.report_path if sup else '/'}{e.pk}/", e.employee_no


def errors_of(preview):
    return [(e.sheet, e.row, e.column, e.message) for e in preview.errors]


# --- a valid file -----------------------------------------------------------------------------

def test_valid_xlsx_imports_everything_in_any_order(org, system_user):
    preview = parse_and_validate(xlsx(valid_sheets()), name="org.xlsx")
    assert preview.is_valid, errors_of(preview)
    assert preview.file_format == "xlsx"
    assert preview.counts["employee"] == {"create": 3, "update": 0, "unchanged": 0}
    assert preview.counts["department"]["create"] == 2
    result = org_import_apply(actor=system_user, preview=preview)
    assert result.totals["create"] == 8

    south, team = Department.objects.get(code="SAL-S"), Department.objects.get(code="SAL-S-1")
    assert south.parent == org.sales and team.parent == south
    assert team.path == f"{org.sales.path}{south.pk}/{team.pk}/" and team.depth == 3
    n1, n2, n3 = (Employee.objects.get(employee_no=n) for n in ("N1", "N2", "N3"))
    assert south.head == n1
    assert n3.report_path == f"{org.manager.report_path}{n1.pk}/{n2.pk}/{n3.pk}/"
    assert n3.hire_date == dt.date(2024, 5, 6) and n1.phone == "13800000000" and n1.name_en == "Qian Yi"
    assert n1.user.username == "qianyi"
    assert set(n1.user.groups.values_list("name", flat=True)) == {"hr", "executive"}
    assert Position.objects.get(code="SAL-S-1-R").job_level.code == "AM"
    assert_paths_consistent()
    # every write is audited, and the import itself too
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"job_level.create", "department.create", "position.create", "employee.create",
            "employee.roles_set", "org.import"} <= actions
    assert AuditEvent.objects.filter(action="employee.create", object_id__in=[n1.pk, n2.pk, n3.pk]).count() == 3


def test_reimporting_the_same_file_changes_nothing(org, system_user):
    data = xlsx(valid_sheets())
    org_import_apply(actor=system_user, preview=parse_and_validate(data))
    before = counts()
    versions = dict(Employee.objects.values_list("employee_no", "version"))
    again = parse_and_validate(data)
    assert again.is_valid
    assert again.totals == {"create": 0, "update": 0, "unchanged": 8}
    org_import_apply(actor=system_user, preview=again)
    assert counts() == before  # no new rows, no new audit rows
    assert dict(Employee.objects.values_list("employee_no", "version")) == versions


def test_update_by_code_changes_only_what_differs(org, system_user):
    sheets = {"employees": [emp("S1", "孙娜", "SAL-E", name_en="Sun Na", email="staff@example.com",
                                position_code="SAL-E-S", supervisor_no="M1", hire_date="2024-01-15")]}
    preview = parse_and_validate(xlsx(sheets))
    assert preview.is_valid, errors_of(preview)
    row = preview.changed_rows[0]
    assert row.action == "update" and set(row.changes) == {"supervisor_no"}
    audit_before = AuditEvent.objects.count()
    org_import_apply(actor=system_user, preview=preview)
    org.staff.refresh_from_db()
    assert org.staff.supervisor == org.manager
    assert org.staff.report_path == f"{org.manager.report_path}{org.staff.pk}/"
    # one employee.update plus the import summary
    assert AuditEvent.objects.count() == audit_before + 2


def test_username_links_an_account_and_roles_follow_it(org, system_user):
    sheets = {"employees": [emp("S2", "李四", "SAL-E", name_en="Li Si", position_code="SAL-E-S", supervisor_no="L1",
                                hire_date="2024-01-15", username="lisi", roles="executive")]}
    preview = parse_and_validate(xlsx(sheets))
    assert preview.is_valid, errors_of(preview)
    assert set(preview.changed_rows[0].changes) == {"email", "username", "roles"}
    org_import_apply(actor=system_user, preview=preview)
    peer = Employee.objects.select_related("user").get(employee_no="S2")
    assert peer.user.username == "lisi" and not peer.user.has_usable_password()
    assert list(peer.user.groups.values_list("name", flat=True)) == ["executive"]
    assert AuditEvent.objects.filter(action="employee.account_set", object_id=peer.pk).exists()
    assert parse_and_validate(xlsx(sheets)).totals["update"] == 0


def test_a_supervisor_who_has_left_is_refused_for_new_reports(org, system_user):
    from apps.org import services

    services.employee_update(actor=system_user, employee=org.accountant, is_active=False)
    preview = parse_and_validate(xlsx({"employees": [emp("N9", "新人", "FIN", supervisor_no="F1")]}))
    assert [(e.row, e.column) for e in preview.errors] == [(2, "supervisor_no")]
    assert "F1 has left" in preview.errors[0].message


def test_moves_that_swap_parents_are_applied_in_a_safe_order(org, system_user):
    # now: CO > SAL > SAL-E and gm > manager > lead > staff; the file turns both pairs around
    sheets = {
        "departments": [{"code": "SAL", "name_zh": "销售部", "name_en": "Sales", "parent_code": "SAL-E"},
                        {"code": "SAL-E", "name_zh": "华东销售处", "name_en": "East sales", "parent_code": "CO"}],
        "employees": [emp("M1", "王经理", "SAL", name_en="Manager Wang", position_code="SAL-M", supervisor_no="L1",
                          hire_date="2024-01-15"),
                      emp("L1", "周主管", "SAL-E", name_en="Lead Zhou", position_code="SAL-E-L", supervisor_no="G1",
                          hire_date="2024-01-15")],
    }
    preview = parse_and_validate(xlsx(sheets))
    assert preview.is_valid, errors_of(preview)
    org_import_apply(actor=system_user, preview=preview)
    assert Department.objects.get(code="SAL").parent.code == "SAL-E"
    assert Employee.objects.get(employee_no="M1").supervisor.employee_no == "L1"
    assert_paths_consistent()


# --- errors: nothing is written -----------------------------------------------------------------

def _set(sheet, index, **changes):
    def mutate(s):
        s[sheet][index].update(changes)
    return mutate


def _append(sheet, row):
    def mutate(s):
        s[sheet].append(row)
    return mutate


ERROR_CASES = [
    ("unknown department", _set("employees", 2, department_code="NOPE"), ("employees", 4, "department_code"),
     "Unknown department NOPE"),
    ("unknown parent department", _set("departments", 0, parent_code="NOPE"), ("departments", 2, "parent_code"),
     "Unknown department NOPE"),
    ("duplicate employee number", _append("employees", emp("N1", "重复", "SAL-S")), ("employees", 5, "employee_no"),
     "Duplicate employee number N1: it is also on row 4"),
    ("supervisor cycle in the file", _set("employees", 2, supervisor_no="N3"), ("employees", 4, "supervisor_no"),
     "Supervisor cycle: N1 → N3 → N2 → N1"),
    ("supervisor cycle against the database",
     _append("employees", emp("M1", "王经理", "SAL", position_code="SAL-M", supervisor_no="S1")),
     ("employees", 5, "supervisor_no"), "Supervisor cycle"),
    ("own supervisor", _set("employees", 0, supervisor_no="N3"), ("employees", 2, "supervisor_no"),
     "cannot be their own supervisor"),
    ("department loop", _append("departments", {"code": "SAL", "name_zh": "销售部", "parent_code": "SAL-S-1"}),
     ("departments", 4, "parent_code"), "Department loop"),
    ("bad date", _set("employees", 1, hire_date="2024/03/01"), ("employees", 3, "hire_date"),
     "Bad date 2024/03/01: use the format YYYY-MM-DD"),
    ("impossible date", _set("employees", 1, hire_date="2024-02-30"), ("employees", 3, "hire_date"), "YYYY-MM-DD"),
    ("unknown job level", _set("positions", 1, job_level_code="ZZ"), ("positions", 3, "job_level_code"),
     "Unknown job level ZZ"),
    ("position in another department", _set("employees", 1, department_code="FIN"), ("employees", 3, "position_code"),
     "Position SAL-S-1-R belongs to department SAL-S-1, not to FIN"),
    ("missing required value", _set("employees", 1, name_zh=None), ("employees", 3, "name_zh"),
     "Missing required value"),
    ("unknown role", _set("employees", 2, roles="hr;boss"), ("employees", 4, "roles"), "Unknown role boss"),
    ("unknown supervisor", _set("employees", 1, supervisor_no="X9"), ("employees", 3, "supervisor_no"),
     "Unknown supervisor X9"),
    ("unknown review frequency", _set("job_levels", 0, review_frequency="weekly"), ("job_levels", 2,
                                                                                   "review_frequency"),
     "Unknown review frequency weekly"),
    ("roles without an account", _set("employees", 1, roles="hr"), ("employees", 3, "roles"),
     "Roles need a user account"),
    ("username of someone else", _set("employees", 2, username="staff"), ("employees", 4, "username"),
     "User account staff already belongs to employee S1"),
    ("bad e-mail", _set("employees", 1, email="not-an-address"), ("employees", 3, "email"), "Not a valid e-mail"),
    ("position moved away from its holders",
     _append("positions", {"code": "SAL-E-S", "name_zh": "销售代表", "department_code": "FIN", "job_level_code": "S"}),
     ("positions", 4, "department_code"), "its holders S1, S2 stay in another department"),
    ("supervisor who has left", _set("employees", 1, active="no"), ("employees", 2, "supervisor_no"),
     "N2 has left (active = no) and cannot be a supervisor"),
]


@pytest.mark.parametrize("label,mutate,where,message", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_a_file_with_an_error_writes_nothing_and_names_the_row(org, system_user, label, mutate, where, message):
    sheets = valid_sheets()
    mutate(sheets)
    before = counts()
    preview = parse_and_validate(xlsx(sheets))
    assert not preview.is_valid
    found = [e for e in preview.errors if (e.sheet, e.row, e.column) == where]
    assert found, errors_of(preview)
    assert any(message in e.message for e in found), errors_of(preview)
    with pytest.raises(importing.ImportInvalid) as exc:
        org_import_apply(actor=system_user, preview=preview)
    assert exc.value.extra["errors"]
    assert counts() == before


def test_an_error_on_the_last_row_rolls_back_every_earlier_write(org, system_user, monkeypatch):
    """Even a failure the checks could not foresee leaves nothing half-written."""
    from apps.org import services

    real = services.employee_create

    def flaky(**kwargs):
        if kwargs["employee_no"] == "N3":
            raise services.ApplicationError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "employee_create", flaky)
    before = counts()
    with pytest.raises(services.ApplicationError):
        org_import_apply(actor=system_user, preview=parse_and_validate(xlsx(valid_sheets())))
    assert counts() == before


def test_missing_and_unknown_columns_are_reported(org):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "employees"
    ws.append(["employee_no", "name_zh", "department", "hire_date"])
    ws.append(["N1", "钱一", "SAL", "2024-01-01"])
    buf = io.BytesIO()
    wb.save(buf)
    preview = parse_and_validate(buf.getvalue())
    cols = {(e.row, e.column) for e in preview.errors}
    assert (1, "department") in cols and (1, "department_code") in cols


def test_unreadable_files_are_explained(org):
    assert "xlsx" in parse_and_validate(b"\xd0\xcf\x11\xe0rest-of-an-xls").errors[0].message
    assert parse_and_validate(b"").errors[0].message == "The file is empty."
    garbage = parse_and_validate(b"PK\x03\x04not really a zip")
    assert not garbage.is_valid
    assert parse_and_validate(xlsx({})).errors  # none of the sheets


def test_excel_numbers_and_dates_are_read_as_text_and_dates(org, system_user):
    sheets = {"employees": [{"employee_no": 1001, "name_zh": "数字", "department_code": "FIN",
                             "hire_date": dt.datetime(2023, 7, 1), "phone": 13912345678, "active": "否"}]}
    preview = parse_and_validate(xlsx(sheets))
    assert preview.is_valid, errors_of(preview)
    org_import_apply(actor=system_user, preview=preview)
    e = Employee.objects.get(employee_no="1001")
    assert e.phone == "13912345678" and e.hire_date == dt.date(2023, 7, 1) and e.is_active is False


def test_validation_reads_the_database_in_a_fixed_number_of_queries(org):
    def run(n):
        sheets = {"employees": [emp(f"Q{i}", "员工", "FIN", supervisor_no="F1") for i in range(n)]}
        data = xlsx(sheets)
        with CaptureQueriesContext(connection) as ctx:
            preview = parse_and_validate(data)
        assert preview.is_valid
        return len(ctx.captured_queries)

    assert run(2) == run(60)


# --- export -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_is_a_no_op(org, system_user, fmt):
    from apps.core.roles import HR_GROUP
    from apps.org import services

    services.employee_update(actor=system_user, employee=org.peer, is_active=False, phone="+86 138 0013 8000")  # a valid phone that starts like a formula
    services.department_update(actor=system_user, department=org.sales, head=org.manager)
    file = importing.org_export(fmt=fmt)
    assert file.filename.endswith(fmt)
    before = counts()
    preview = parse_and_validate(file.content, name=file.filename)
    assert preview.is_valid, errors_of(preview)
    assert preview.totals == {"create": 0, "update": 0, "unchanged": 3 + 5 + 6 + 7}
    org_import_apply(actor=system_user, preview=preview)
    assert counts() == before
    hr_row = next(r for r in preview.rows if r.key == "H1")
    assert hr_row.values["roles"] == frozenset({HR_GROUP}) and hr_row.values["username"] == "hr"


def test_export_keeps_formulas_as_text(org, system_user):
    from apps.org import services

    services.employee_update(actor=system_user, employee=org.peer, name_en="=HYPERLINK(1)")
    content = importing.org_export(fmt="csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in content
    wb = openpyxl.load_workbook(io.BytesIO(importing.org_export(fmt="xlsx").content))
    cells = [c for row in wb["employees"].iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert cells and cells[0].data_type == "s"


@pytest.mark.parametrize("name", ["+SUM(1,1)", "-2+3", "@cmd"])
def test_export_neutralises_every_dangerous_first_character(org, system_user, name):
    """A self-edited name that a spreadsheet would run goes out as text, and comes back unchanged."""
    from apps.org import services

    services.employee_update(actor=system_user, employee=org.peer, name_en=name)
    content = importing.org_export(fmt="csv").content.decode("utf-8-sig")
    assert ("'" + name) in content
    preview = parse_and_validate(importing.org_export(fmt="csv").content, name="x.csv")
    assert preview.is_valid, errors_of(preview)
    assert preview.totals["update"] == 0


def test_template_has_the_sheets_and_columns(org):
    wb = openpyxl.load_workbook(io.BytesIO(importing.org_import_template(fmt="xlsx").content))
    for kind in KINDS.values():
        assert [c.value for c in wb[kind.sheet][1]] == list(kind.columns)
    assert "help" in wb.sheetnames
    preview = parse_and_validate(importing.org_import_template(fmt="xlsx").content)
    assert preview.is_valid and preview.totals["create"] == 0


# --- CSV --------------------------------------------------------------------------------------

def _csv_rows():
    rows = []
    for sheet, kind_rows in valid_sheets().items():
        kind = {k.sheet: k.name for k in KINDS.values()}[sheet]
        for r in kind_rows:
            rows.append({"record": kind, **{k: ("" if v is None else v) for k, v in r.items()}})
    return rows


def test_csv_imports_the_same_as_xlsx(org, system_user):
    preview = parse_and_validate(csv_file(_csv_rows()), name="org.csv")
    assert preview.file_format == "csv"
    assert preview.is_valid, errors_of(preview)
    org_import_apply(actor=system_user, preview=preview)
    assert Employee.objects.get(employee_no="N3").supervisor.employee_no == "N2"
    assert_paths_consistent()
    again = parse_and_validate(csv_file(_csv_rows()))
    assert again.totals["create"] == again.totals["update"] == 0


def test_csv_in_gb18030_and_errors_name_the_line(org):
    rows = _csv_rows()
    rows[-1]["hire_date"] = "01.02.2024"
    rows.append({"record": "manager", "code": "X"})
    preview = parse_and_validate(csv_file(rows, encoding="gb18030"))
    where = {(e.row, e.column) for e in preview.errors}
    assert (len(rows), "hire_date") in where      # line 1 is the header
    assert (len(rows) + 1, "record") in where
    assert Employee.objects.filter(employee_no="N1").count() == 0


# --- command ------------------------------------------------------------------------------------

def test_import_org_command(org, tmp_path, capsys):
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx(valid_sheets()))
    call_command("import_org", str(path), "--dry-run")
    assert not Employee.objects.filter(employee_no="N1").exists()
    assert "dry run" in capsys.readouterr().out
    call_command("import_org", str(path))
    assert Employee.objects.filter(employee_no__in=["N1", "N2", "N3"]).count() == 3
    event = AuditEvent.objects.filter(action="org.import").first()
    assert event.actor.username == "system"


def test_import_org_command_refuses_an_invalid_file(org, tmp_path, capsys):
    sheets = valid_sheets()
    sheets["employees"][1]["hire_date"] = "yesterday"
    path = tmp_path / "bad.csv"
    path.write_bytes(xlsx(sheets))
    before = counts()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_org", str(path), "--actor", "hr")
    assert "employees row 3 [hire_date]: Bad date yesterday" in capsys.readouterr().err
    assert counts() == before


def test_import_org_command_actor_must_be_hr(org, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(xlsx(valid_sheets()))
    with pytest.raises(CommandError, match="not HR"):
        call_command("import_org", str(path), "--actor", "staff")


# --- API ----------------------------------------------------------------------------------------

def _upload(data, name="org.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_api_dry_run_then_import(org, api_for):
    api = api_for(org.user("hr"))
    url = reverse("api-org-import")
    dry = api.post(url, {"file": _upload(xlsx(valid_sheets())), "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200, dry.json()
    body = dry.json()
    assert body["dry_run"] is True and body["valid"] is True and body["totals"]["create"] == 8
    assert not Employee.objects.filter(employee_no="N1").exists()
    done = api.post(url, {"file": _upload(xlsx(valid_sheets())), "dry_run": "false"}, format="multipart")
    assert done.status_code == 200 and done.json()["totals"]["create"] == 8
    assert Employee.objects.filter(employee_no="N1").exists()


def test_api_invalid_file_answers_row_errors_and_writes_nothing(org, api_for):
    sheets = valid_sheets()
    sheets["employees"].append(emp("N1", "重复", "SAL-S"))
    api = api_for(org.user("hr"))
    before = counts()
    resp = api.post(reverse("api-org-import"), {"file": _upload(xlsx(sheets))}, format="multipart")
    assert resp.status_code == 400
    err = resp.json()["error"]
    assert err["code"] == "invalid"
    [dup] = [e for e in err["errors"] if (e["sheet"], e["row"], e["column"]) == ("employees", 5, "employee_no")]
    assert "N1" in dup["message"]
    assert counts() == before
    dry = api.post(reverse("api-org-import"), {"file": _upload(xlsx(sheets)), "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200 and dry.json()["valid"] is False and dry.json()["errors"]
    missing = api.post(reverse("api-org-import"), {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()["error"]["fields"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_api_export(org, api_for, fmt):
    resp = api_for(org.user("hr")).get(reverse("api-org-export"), {"format": fmt})
    assert resp.status_code == 200
    assert resp["Content-Type"] == importing.CONTENT_TYPES[fmt]
    assert parse_and_validate(resp.content).totals["update"] == 0
    bad = api_for(org.user("hr")).get(reverse("api-org-export"), {"format": "pdf"})
    assert bad.status_code == 400


# --- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["staff", "lead", "manager", "gm", "accountant"])
def test_only_hr_may_import_or_export_everyone_else_gets_404(org, client_for, api_for, who):
    user = org.user(who)
    client, api = client_for(user), api_for(user)
    for name in ("org:import", "org:import_template", "org:export"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.post(reverse("org:import_confirm"), {"token": "x"}).status_code == 404
    assert client.post(reverse("org:import"), {"file": _upload(xlsx(valid_sheets()))}).status_code == 404
    assert api.get(reverse("api-org-export")).status_code == 404
    resp = api.post(reverse("api-org-import"), {"file": _upload(xlsx(valid_sheets()))}, format="multipart")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"
    assert not Employee.objects.filter(employee_no="N1").exists()


def test_import_menu_entry_only_for_hr(org, client_for):
    assert 'data-nav="org_import"' in client_for(org.user("hr")).get(reverse("org:chart")).content.decode()
    assert 'data-nav="org_import"' not in client_for(org.user("staff")).get(reverse("org:chart")).content.decode()


# --- browser pages ------------------------------------------------------------------------------

def test_hr_uploads_previews_and_confirms(org, client_for):
    client = client_for(org.user("hr"))
    page = client.get(reverse("org:import"))
    assert page.status_code == 200
    assert "head_employee_no" in page.content.decode()  # the format is documented on the page
    preview = client.post(reverse("org:import"), {"file": _upload(xlsx(valid_sheets()))})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="import-confirm"' in html and 'id="import-errors"' not in html
    token = preview.context["token"]
    assert not Employee.objects.filter(employee_no="N1").exists()
    done = client.post(reverse("org:import_confirm"), {"token": token}, follow=True)
    assert done.status_code == 200
    assert Employee.objects.filter(employee_no__in=["N1", "N2", "N3"]).count() == 3
    assert "8" in done.content.decode()
    # the same token cannot be used twice
    again = client.post(reverse("org:import_confirm"), {"token": token}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("org:import")


def test_hr_sees_row_errors_and_no_confirm_button(org, client_for):
    sheets = valid_sheets()
    sheets["employees"][0]["department_code"] = "NOPE"
    client = client_for(org.user("hr"))
    resp = client.post(reverse("org:import"), {"file": _upload(xlsx(sheets))})
    html = resp.content.decode()
    assert 'id="import-errors"' in html and 'id="import-confirm"' not in html
    assert "Unknown department NOPE" in html or "未知部门" in html
    assert resp.context["token"] == ""


def test_confirm_checks_the_file_again(org, client_for, system_user):
    from apps.org import services

    client = client_for(org.user("hr"))
    token = client.post(reverse("org:import"), {"file": _upload(xlsx(valid_sheets()))}).context["token"]
    # meanwhile someone makes N1's supervisor leave
    services.employee_update(actor=system_user, employee=org.manager, is_active=False)
    before = counts()
    resp = client.post(reverse("org:import_confirm"), {"token": token})
    assert resp.status_code == 200 and 'id="import-errors"' in resp.content.decode()
    assert counts() == before


def test_export_and_template_downloads(org, client_for):
    client = client_for(org.user("hr"))
    resp = client.get(reverse("org:export"), {"format": "csv"})
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert {r["employee_no"] for r in rows if r["record"] == "employee"} == {"G1", "M1", "L1", "S1", "S2", "F1",
                                                                              "H1"}
    assert client.get(reverse("org:import_template")).status_code == 200
    assert client.get(reverse("org:export"), {"format": "pdf"}).status_code == 404
