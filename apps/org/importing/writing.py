"""Writing a checked import in one transaction through the services of ``apps.org.services`` (each
write keeps its audit row), re-validating first: nothing is written unless the whole file is valid."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record

from .. import services
from ..models import Department, Employee, JobLevel, Position
from .checking import validate_records
from .common import KINDS, ImportInvalid, ImportPreview, ImportRow

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
