"""Reads of the organisation shared by pages, the API and later apps; all filtered by access."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from apps.core.exceptions import NotFound

from . import access
from .models import Department, Employee, JobLevel, Position


def department_list() -> QuerySet[Department]:
    """All departments in tree order with head and the number of active people directly in each."""
    return (Department.objects.select_related("head", "parent")
            .annotate(headcount=Count("employees", filter=Q(employees__is_active=True)))
            .order_by("path"))


def department_tree() -> list[dict]:
    """The department tree as nested dicts, built from one query."""
    nodes = {}
    roots = []
    for dept in department_list():
        node = {"department": dept, "children": [], "total": dept.headcount}
        nodes[dept.pk] = node
        if dept.parent_id and dept.parent_id in nodes:
            nodes[dept.parent_id]["children"].append(node)
        else:
            roots.append(node)

    def total(node):
        node["total"] = node["department"].headcount + sum(total(c) for c in node["children"])
        return node["total"]

    for root in roots:
        total(root)
    return roots


def department_get(*, pk) -> Department:
    dept = Department.objects.filter(pk=pk).select_related("head", "parent").first()
    if dept is None:
        raise NotFound("Not found.")
    return dept


def employee_list(*, user, filters: dict | None = None, kind: str = "directory") -> QuerySet[Employee]:
    """Employees the user may see for ``kind``, with what list pages show already joined."""
    qs = (Employee.objects.filter(access.employee_scope_q(user, kind))
          .select_related("department", "position__job_level", "supervisor", "user"))
    f = filters or {}
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(employee_no__icontains=q)
                       | Q(email__icontains=q))
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=int(dept)).first()
        if dept is None:
            return qs.none()
        qs = qs.filter(department__path__startswith=dept.path) if f.get("subtree", True) \
            else qs.filter(department=dept)
    if f.get("job_level"):
        qs = qs.filter(position__job_level=int(getattr(f["job_level"], "pk", f["job_level"])))
    if f.get("position"):
        qs = qs.filter(position=f["position"])
    if f.get("supervisor"):
        qs = qs.filter(supervisor=int(getattr(f["supervisor"], "pk", f["supervisor"])))
    status = f.get("status") or "active"
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "left":
        qs = qs.filter(is_active=False)
    return qs.order_by("department__path", "employee_no")


def employee_get(*, user, pk, kind: str = "record") -> Employee:
    """One employee's personnel record; 404 unless the user may read it."""
    emp = (Employee.objects.select_related("department", "position__job_level", "supervisor", "user")
           .filter(pk=pk).first())
    if emp is None:
        raise NotFound("Not found.")
    access.require(user, access.READ, kind, emp)
    return emp


def employee_for_user(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (Employee.objects.select_related("department", "position__job_level", "supervisor")
            .filter(user=user, is_active=True).first())


def employee_chain(employee: Employee) -> list[Employee]:
    """The reporting chain above an employee, top first: one query from the materialised path."""
    ids = [int(x) for x in employee.report_path.strip("/").split("/") if x][:-1]
    by_id = Employee.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def direct_reports(employee: Employee) -> QuerySet[Employee]:
    return (Employee.objects.filter(supervisor=employee, is_active=True)
            .select_related("department", "position__job_level"))


def job_level_list() -> QuerySet[JobLevel]:
    return JobLevel.objects.all()


def position_list() -> QuerySet[Position]:
    return Position.objects.select_related("department", "job_level")
