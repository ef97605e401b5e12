"""Every write to the organisation: in a transaction, checked, audited."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied
from apps.core.memo import forget
from apps.core.roles import EXECUTIVE_GROUP, FINANCE_GROUP, HR_GROUP, is_hr

from . import access
from .models import Department, Employee, JobLevel, Position, ReviewFrequency

# Field-level ownership of the personnel record: who may write which field.
EMPLOYEE_SELF_FIELDS = frozenset({"email", "phone", "name_en"})
EMPLOYEE_HR_FIELDS = frozenset({
    "employee_no", "name_zh", "name_en", "email", "phone", "department", "position", "supervisor",
    "hire_date", "left_date", "is_active",
})


def require_hr(actor) -> None:
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the organisation."))


def _rewrite_subtree(model, field: str, old_prefix: str, new_prefix: str, depth_delta: int = 0) -> int:
    """Move a subtree: one UPDATE rewrites the materialised path of every row below ``old_prefix``."""
    if old_prefix == new_prefix:
        return 0
    updates = {field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))}
    if depth_delta and field == "path":
        updates["depth"] = F("depth") + depth_delta
    return model.objects.filter(**{f"{field}__startswith": old_prefix}).update(**updates)


# --- departments ---------------------------------------------------------------------------------

def _check_department_parent(department: Department | None, parent: Department | None) -> None:
    if parent is None or department is None or department.pk is None:
        return
    if parent.pk == department.pk or parent.path.startswith(department.path):
        raise ApplicationError(
            _("%(parent)s is inside %(dept)s: a department cannot be placed under itself or its own "
              "sub-department.") % {"parent": parent.name, "dept": department.name}, field="parent")


@transaction.atomic
def department_create(*, actor, code: str, name_zh: str, name_en: str = "", parent: Department | None = None,
                      head: Employee | None = None) -> Department:
    require_hr(actor)
    if Department.objects.filter(code=code).exists():
        raise ApplicationError(_("A department with code %(code)s already exists.") % {"code": code}, field="code")
    dept = Department(code=code, name_zh=name_zh, name_en=name_en, parent=parent, head=head)
    dept.full_clean(exclude=["path"])
    dept.save()
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.depth = (parent.depth + 1) if parent else 0
    dept.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="department.create", obj=dept, after=snapshot(dept))
    return dept


@transaction.atomic
def department_update(*, actor, department: Department, expected_version: int | None = None,
                      **changes) -> Department:
    require_hr(actor)
    dept = Department.objects.select_for_update().get(pk=department.pk)
    check_version(dept, expected_version)
    before = snapshot(dept)
    allowed = {"code", "name_zh", "name_en", "parent", "head", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    new_parent = changes.get("parent", dept.parent)
    if "parent" in changes:
        _check_department_parent(dept, new_parent)
    if "code" in changes and Department.objects.filter(code=changes["code"]).exclude(pk=dept.pk).exists():
        raise ApplicationError(_("A department with code %(code)s already exists.") % {"code": changes["code"]},
                               field="code")
    for key, value in changes.items():
        setattr(dept, key, value)
    dept.full_clean(exclude=["path"])
    old_path = dept.path
    if "parent" in changes:
        new_path = f"{new_parent.path if new_parent else '/'}{dept.pk}/"
        new_depth = (new_parent.depth + 1) if new_parent else 0
        delta = new_depth - dept.depth
        _rewrite_subtree(Department, "path", old_path, new_path, depth_delta=delta)
        dept.path, dept.depth = new_path, new_depth
    bump(dept)
    dept.save()
    audit_record(actor=actor, action="department.update", obj=dept, before=before, after=snapshot(dept))
    return dept


# --- job levels and positions --------------------------------------------------------------------

@transaction.atomic
def job_level_create(*, actor, code: str, name_zh: str, name_en: str = "", rank: int,
                     review_frequency: str) -> JobLevel:
    require_hr(actor)
    if JobLevel.objects.filter(code=code).exists():
        raise ApplicationError(_("A job level with code %(code)s already exists.") % {"code": code}, field="code")
    level = JobLevel(code=code, name_zh=name_zh, name_en=name_en, rank=rank, review_frequency=review_frequency)
    level.full_clean()
    level.save()
    audit_record(actor=actor, action="job_level.create", obj=level, after=snapshot(level))
    return level


@transaction.atomic
def job_level_update(*, actor, job_level: JobLevel, **changes) -> JobLevel:
    require_hr(actor)
    level = JobLevel.objects.select_for_update().get(pk=job_level.pk)
    before = snapshot(level)
    if "review_frequency" in changes and changes["review_frequency"] not in ReviewFrequency.values:
        raise ApplicationError(_("Unknown review frequency."), field="review_frequency")
    for key in ("name_zh", "name_en", "rank", "review_frequency"):
        if key in changes:
            setattr(level, key, changes[key])
    level.full_clean()
    level.save()
    audit_record(actor=actor, action="job_level.update", obj=level, before=before, after=snapshot(level))
    return level


@transaction.atomic
def position_create(*, actor, code: str, name_zh: str, name_en: str = "", department: Department,
                    job_level: JobLevel) -> Position:
    require_hr(actor)
    if Position.objects.filter(code=code).exists():
        raise ApplicationError(_("A position with code %(code)s already exists.") % {"code": code}, field="code")
    pos = Position(code=code, name_zh=name_zh, name_en=name_en, department=department, job_level=job_level)
    pos.full_clean()
    pos.save()
    audit_record(actor=actor, action="position.create", obj=pos, after=snapshot(pos))
    return pos


@transaction.atomic
def position_update(*, actor, position: Position, **changes) -> Position:
    require_hr(actor)
    pos = Position.objects.select_for_update().get(pk=position.pk)
    before = snapshot(pos)
    for key in ("name_zh", "name_en", "department", "job_level"):
        if key in changes:
            setattr(pos, key, changes[key])
    pos.full_clean()
    pos.save()
    audit_record(actor=actor, action="position.update", obj=pos, before=before, after=snapshot(pos))
    return pos


# --- employees -----------------------------------------------------------------------------------

def _check_supervisor(employee: Employee | None, supervisor: Employee | None) -> None:
    if supervisor is None:
        return
    if not supervisor.is_active:
        raise ApplicationError(_("%(name)s has left and cannot be a supervisor.") % {"name": supervisor.name},
                               field="supervisor")
    if employee is None or employee.pk is None:
        return
    if supervisor.pk == employee.pk:
        raise ApplicationError(_("An employee cannot be their own supervisor."), field="supervisor")
    if supervisor.report_path.startswith(employee.report_path):
        raise ApplicationError(
            _("%(sup)s reports to %(emp)s: that would make a reporting loop.")
            % {"sup": supervisor.name, "emp": employee.name}, field="supervisor")


def _ensure_user(*, username: str, email: str, password: str | None):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def employee_create(*, actor, employee_no: str, name_zh: str, name_en: str = "", email: str = "", phone: str = "",
                    department: Department, position: Position | None = None, supervisor: Employee | None = None,
                    hire_date: dt.date, user=None, username: str | None = None, password: str | None = None,
                    roles: list[str] | None = None) -> Employee:
    require_hr(actor)
    if Employee.objects.filter(employee_no=employee_no).exists():
        raise ApplicationError(_("Employee number %(no)s is already taken.") % {"no": employee_no},
                               field="employee_no")
    if position is not None and position.department_id != department.pk:
        raise ApplicationError(_("Position %(pos)s belongs to another department.") % {"pos": position.name},
                               field="position")
    _check_supervisor(None, supervisor)
    if user is None and username:
        user = _ensure_user(username=username, email=email, password=password)
    emp = Employee(employee_no=employee_no, name_zh=name_zh, name_en=name_en, email=email, phone=phone,
                   department=department, position=position, supervisor=supervisor, hire_date=hire_date, user=user)
    emp.full_clean(exclude=["report_path"])
    emp.save()
    emp.report_path = f"{supervisor.report_path if supervisor else '/'}{emp.pk}/"
    emp.save(update_fields=["report_path"])
    if user is not None and roles:
        employee_roles_set(actor=actor, employee=emp, roles=roles)
    audit_record(actor=actor, action="employee.create", obj=emp, after=snapshot(emp))
    return emp


@transaction.atomic
def employee_update(*, actor, employee: Employee, expected_version: int | None = None, **changes) -> Employee:
    """Change an employee's record. Field-level: the employee may change own contact fields,
    HR everything; anyone else who may see the record gets a clear refusal."""
    emp = Employee.objects.select_for_update().get(pk=employee.pk)
    perms = access.permissions(actor, "record", emp)
    if access.READ not in perms and not is_hr(actor):
        raise NotFound(_("Not found."))
    if is_hr(actor):
        writable = EMPLOYEE_HR_FIELDS
    elif "self" in access.relations(access.viewer_for(actor), emp):
        writable = EMPLOYEE_SELF_FIELDS
    else:
        writable = frozenset()
    unknown = set(changes) - EMPLOYEE_HR_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    refused = {k for k, v in changes.items() if k not in writable and getattr(emp, k) != v}
    if refused:
        labels = ", ".join(str(Employee._meta.get_field(f).verbose_name) for f in sorted(refused))
        raise PermissionDenied(_("Only HR may change: %(fields)s.") % {"fields": labels},
                               extra={"fields_refused": sorted(refused)})
    check_version(emp, expected_version)
    before = snapshot(emp)
    if "supervisor" in changes and changes["supervisor"] != emp.supervisor:
        _check_supervisor(emp, changes["supervisor"])
    if "employee_no" in changes and Employee.objects.filter(
            employee_no=changes["employee_no"]).exclude(pk=emp.pk).exists():
        raise ApplicationError(_("Employee number %(no)s is already taken.") % {"no": changes["employee_no"]},
                               field="employee_no")
    for key, value in changes.items():
        setattr(emp, key, value)
    if emp.position_id and emp.position.department_id != emp.department_id:
        raise ApplicationError(_("Position %(pos)s belongs to another department.") % {"pos": emp.position.name},
                               field="position")
    emp.full_clean(exclude=["report_path"])
    if "supervisor" in changes:
        new_path = f"{emp.supervisor.report_path if emp.supervisor else '/'}{emp.pk}/"
        _rewrite_subtree(Employee, "report_path", emp.report_path, new_path)
        emp.report_path = new_path
    bump(emp)
    emp.save()
    _sync_user_active(emp)
    after = snapshot(emp)
    if after != before:
        audit_record(actor=actor, action="employee.update", obj=emp, before=before, after=after)
    return emp


def _sync_user_active(emp: Employee) -> None:
    """A leaver loses access: the log-in is deactivated with the record (sessions end at the next request,
    API tokens are revoked); a returning employee gets it back."""
    if emp.user_id is None or emp.user.is_active == emp.is_active:
        return
    emp.user.is_active = emp.is_active
    emp.user.save(update_fields=["is_active"])


@transaction.atomic
def employee_roles_set(*, actor, employee: Employee, roles: list[str]) -> None:
    """Grant exactly these product roles (hr, executive, finance) to the employee's user account."""
    require_hr(actor)
    if employee.user_id is None:
        raise ApplicationError(_("%(name)s has no user account.") % {"name": employee.name})
    known = (HR_GROUP, EXECUTIVE_GROUP, FINANCE_GROUP)
    wanted = set(roles) & set(known)
    user = employee.user
    current = set(user.groups.filter(name__in=known).values_list("name", flat=True))
    if wanted == current:
        return
    groups = {g.name: g for g in (Group.objects.get_or_create(name=n)[0] for n in known)}
    user.groups.remove(*[groups[n] for n in current - wanted])
    user.groups.add(*[groups[n] for n in wanted - current])
    forget(user, "_role_groups")
    audit_record(actor=actor, action="employee.roles_set", obj=employee, before={"roles": sorted(current)},
                 after={"roles": sorted(wanted)})


@transaction.atomic
def employee_account_set(*, actor, employee: Employee, username: str) -> Employee:
    """Link the employee to the user account ``username`` (created without a usable password when
    it does not exist yet). Refused when that account already belongs to someone else."""
    require_hr(actor)
    emp = Employee.objects.select_for_update().get(pk=employee.pk)
    if emp.user_id is not None and emp.user.username == username:
        return emp
    User = get_user_model()
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        other = Employee.objects.filter(user=existing).exclude(pk=emp.pk).first()
        if other is not None:
            raise ApplicationError(
                _("User account %(username)s already belongs to %(name)s (%(no)s).")
                % {"username": username, "name": other.name, "no": other.employee_no}, field="username")
    before = {"user": emp.user.username if emp.user_id else None}
    emp.user = existing or _ensure_user(username=username, email=emp.email, password=None)
    bump(emp)
    emp.save(update_fields=["user", "version", "updated_at"])
    audit_record(actor=actor, action="employee.account_set", obj=emp, before=before, after={"user": username})
    return emp
