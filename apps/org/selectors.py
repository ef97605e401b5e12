"""Reads of the organisation shared by pages, the API and later apps; all filtered by access."""
from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from apps.core.exceptions import NotFound

from . import access
from .models import Department, Employee, JobLevel, Position
from .queries import department_subtree_q, employee_search_q


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


def _department_piece(qs, value, *, user=None, subtree: bool = True):
    dept = value if isinstance(value, Department) else Department.objects.filter(pk=int(value)).first()
    if dept is None:
        return qs.none()
    return qs.filter(department_subtree_q(dept)) if subtree else qs.filter(department=dept)


def _status_piece(qs, value, *, user=None):
    if value == "left":
        return qs.filter(is_active=False)
    if value == "all":
        return qs
    return qs.filter(is_active=True)


EMPLOYEE_STATUSES = [("active", "active"), ("left", "left"), ("all", "all")]

# the filters of the employee lists (the directory page and the API), one piece each
EMPLOYEE_FILTERS = {
    "q": lambda qs, value, *, user=None: qs.filter(employee_search_q(value) | Q(email__icontains=value.strip())),
    "department": _department_piece,
    "job_level": lambda qs, value, *, user=None: qs.filter(position__job_level=int(getattr(value, "pk", value))),
    "position": lambda qs, value, *, user=None: qs.filter(position=value),
    "supervisor": lambda qs, value, *, user=None: qs.filter(supervisor=int(getattr(value, "pk", value))),
    "status": _status_piece,
}


def employee_scope(*, user, kind: str = "directory") -> QuerySet[Employee]:
    """Employees the user may see for ``kind`` (leavers included), joined for the list pages, in
    directory order; the filters narrow it."""
    return (Employee.objects.filter(access.employee_scope_q(user, kind))
            .select_related("department", "position__job_level", "supervisor", "user")
            .order_by("department__path", "employee_no"))


def employee_list(*, user, filters: dict | None = None, kind: str = "directory") -> QuerySet[Employee]:
    """Employees the user may see for ``kind``, with what list pages show already joined (only the
    active ones unless ``status`` says otherwise)."""
    qs = employee_scope(user=user, kind=kind)
    f = filters or {}
    for name, piece in EMPLOYEE_FILTERS.items():
        if name == "department" and f.get("department"):
            qs = _department_piece(qs, f["department"], subtree=f.get("subtree", True))
        elif name == "status":
            qs = _status_piece(qs, f.get("status") or "active")
        elif f.get(name):
            qs = piece(qs, f[name], user=user)
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
