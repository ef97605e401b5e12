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

One module per step, imports one way (``common`` <- ``reading`` <- ``checking`` <- ``writing``,
``exporting``): ``common`` (kinds, columns, row errors, the preview), ``reading`` (xlsx and CSV into
raw records), ``checking`` (the rows against the file and the database), ``writing`` (the
transaction), ``exporting`` (export, template, format help). Callers use ``from apps.org import
importing`` and the names re-exported here.
"""
from .checking import (
    parse_and_validate,
    validate_records,
)
from .common import (
    BY_SHEET,
    CODE_MAX,
    CONTENT_TYPES,
    CSV,
    CSV_COLUMNS,
    CSV_KIND_ALIASES,
    DATE_FORMAT_HINT,
    KINDS,
    KNOWN_ROLES,
    MAX_LENGTH,
    NO,
    ROLE_SEPARATORS,
    XLSX,
    YES,
    ImportInvalid,
    ImportPreview,
    ImportRow,
    Kind,
    RawRecord,
    RowError,
)
from .exporting import (
    COLUMN_HELP,
    ExportFile,
    format_help_lines,
    format_spec,
    org_export,
    org_export_rows,
    org_import_template,
)
from .reading import (
    cell_text,
    parse_file,
)
from .writing import (
    ImportResult,
    org_import_apply,
)

__all__ = [
    "BY_SHEET",
    "CODE_MAX",
    "COLUMN_HELP",
    "CONTENT_TYPES",
    "CSV",
    "CSV_COLUMNS",
    "CSV_KIND_ALIASES",
    "DATE_FORMAT_HINT",
    "ExportFile",
    "ImportInvalid",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "KINDS",
    "KNOWN_ROLES",
    "Kind",
    "MAX_LENGTH",
    "NO",
    "ROLE_SEPARATORS",
    "RawRecord",
    "RowError",
    "XLSX",
    "YES",
    "cell_text",
    "format_help_lines",
    "format_spec",
    "org_export",
    "org_export_rows",
    "org_import_apply",
    "org_import_template",
    "parse_and_validate",
    "parse_file",
    "validate_records",
]
