"""Checking the rows of an import file against the file itself and the database, without writing:
the :class:`ImportPreview` of what would be created, updated or left alone, and every row error."""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from apps.core.validators import validate_date_span, validate_phone, validate_single_line

from ..models import Department, Employee, JobLevel, Position, ReviewFrequency
from .common import (
    CODE_MAX,
    KINDS,
    KNOWN_ROLES,
    MAX_LENGTH,
    NO,
    ROLE_SEPARATORS,
    YES,
    ImportPreview,
    ImportRow,
    RawRecord,
    RowError,
)
from .reading import cell_text, parse_file

# --- the database as it is -----------------------------------------------------------------------

class _Db:
    """Everything validation needs from the database, read set-based (a fixed number of queries)."""

    def __init__(self, usernames: set[str]):
        self.levels = {r["code"]: r for r in JobLevel.objects.values(
            "id", "code", "name_zh", "name_en", "rank", "review_frequency")}
        self.depts = {r["code"]: r for r in Department.objects.values(
            "id", "code", "name_zh", "name_en", "parent__code", "head__employee_no")}
        self.positions = {r["code"]: r for r in Position.objects.values(
            "id", "code", "name_zh", "name_en", "department__code", "job_level__code")}
        self.employees = {r["employee_no"]: r for r in Employee.objects.values(
            "id", "employee_no", "name_zh", "name_en", "email", "phone", "department__code", "position__code",
            "supervisor__employee_no", "hire_date", "is_active", "user_id", "user__username")}
        User = get_user_model()
        self.roles: dict[int, set[str]] = defaultdict(set)
        for user_id, group in User.groups.through.objects.filter(group__name__in=KNOWN_ROLES).values_list(
                "user_id", "group__name"):
            self.roles[user_id].add(group)
        self.user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "id"))
        self.employee_of_user = {r["user_id"]: no for no, r in self.employees.items() if r["user_id"]}


# --- checking the rows ---------------------------------------------------------------------------

class _Checker:
    def __init__(self, records: list[RawRecord], parse_errors: list[RowError]):
        self.records = records
        self.errors: list[RowError] = list(parse_errors)
        self.rows: dict[str, dict[str, ImportRow]] = {k: {} for k in KINDS}

    def error(self, row: ImportRow | RawRecord, column: str, message: str) -> None:
        self.errors.append(RowError(row.sheet, row.row, column, message))
        if isinstance(row, ImportRow):
            row.has_error = True

    # cleaning single values ----------------------------------------------------------------------
    def _clean(self, rec: RawRecord) -> ImportRow | None:
        kind = KINDS[rec.kind]
        values: dict[str, Any] = {}
        bad: set[str] = set()
        for col, raw in rec.cells.items():
            try:
                values[col] = self._clean_value(rec.kind, col, raw)
            except ValidationError as exc:
                self.error(rec, col, exc.messages[0])
                bad.add(col)
        for col in kind.required:
            if col in rec.cells and col not in bad and values.get(col) in ("", None):
                self.error(rec, col, _("Missing required value."))
                bad.add(col)
        ok = not bad
        key = values.get(kind.key) or ""
        if not key:
            return None
        row = ImportRow(rec.kind, rec.sheet, rec.row, key, values, has_error=not ok)
        first = self.rows[rec.kind].get(key)
        if first is not None:
            if rec.kind == "employee":
                msg = _("Duplicate employee number %(no)s: it is also on row %(row)s.") % {"no": key, "row": first.row}
            else:
                msg = _("Duplicate code %(code)s: it is also on row %(row)s.") % {"code": key, "row": first.row}
            self.error(row, kind.key, msg)
            return None
        self.rows[rec.kind][key] = row
        return row

    def _clean_value(self, kind: str, col: str, raw):
        if col == "hire_date":
            day = _clean_date(raw)
            validate_date_span(day)
            return day
        if col == "rank":
            return _clean_rank(raw)
        text = cell_text(raw)
        if col == "active":
            if text == "":
                return True
            low = text.lower()
            if low in YES:
                return True
            if low in NO:
                return False
            raise ValidationError(_("Not yes or no: %(value)s.") % {"value": text})
        if col == "roles":
            roles = {r.lower() for r in ROLE_SEPARATORS.split(text) if r}
            unknown = sorted(roles - set(KNOWN_ROLES))
            if unknown:
                raise ValidationError(_("Unknown role %(role)s: use hr, executive or both separated by a "
                                        "semicolon (hr;executive).") % {"role": ", ".join(unknown)})
            return frozenset(roles)
        if col == "review_frequency":
            low = text.lower().replace("-", "_")
            if text and low not in ReviewFrequency.values:
                raise ValidationError(_("Unknown review frequency %(value)s: use one of %(choices)s.")
                                      % {"value": text, "choices": ", ".join(ReviewFrequency.values)})
            return low
        limit = CODE_MAX[kind] if col == "code" else MAX_LENGTH.get(col)
        if limit and len(text) > limit:
            raise ValidationError(_("Too long: at most %(n)s characters.") % {"n": limit})
        validate_single_line(text)
        if col == "phone":
            validate_phone(text)
        if col == "email" and text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValidationError(_("Not a valid e-mail address: %(value)s.") % {"value": text})
        if col == "username" and text:
            try:
                UnicodeUsernameValidator()(text)
            except ValidationError:
                raise ValidationError(_("Not a valid username: %(value)s (letters, digits and @ . + - _ only).")
                                      % {"value": text})
        return text

    # the whole file --------------------------------------------------------------------------------
    def run(self) -> tuple[list[ImportRow], list[RowError]]:
        for rec in self.records:
            self._clean(rec)
        usernames = {r.values["username"] for r in self.rows["employee"].values() if r.values.get("username")}
        self.db = _Db(usernames)
        self._job_levels()
        self._departments()
        self._positions()
        self._employees()
        rows = sorted((r for per_kind in self.rows.values() for r in per_kind.values()),
                      key=lambda r: (list(KINDS).index(r.kind), r.row))
        errors = sorted(self.errors, key=lambda e: (e.sheet != "", e.sheet, e.row, e.column))
        return rows, errors

    def _set_action(self, row: ImportRow, current: dict | None, pairs: dict[str, tuple[Any, Any]]) -> None:
        if current is None:
            row.action = "create"
            row.changes = {col: [None, value] for col, value in row.values.items()
                           if col != KINDS[row.kind].key and value not in ("", None, frozenset())}
            return
        row.changes = {col: [old, new] for col, (old, new) in pairs.items() if old != new}
        row.action = "update" if row.changes else "unchanged"

    def _job_levels(self) -> None:
        for row in self.rows["job_level"].values():
            cur = self.db.levels.get(row.key)
            v = row.values
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en", "rank", "review_frequency"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
            self._set_action(row, cur, pairs)

    def _departments(self) -> None:
        db, file = self.db.depts, self.rows["department"]
        known = set(db) | set(file)
        employees = set(self.db.employees) | set(self.rows["employee"])
        parent_of = {code: r["parent__code"] for code, r in db.items()}
        for code, row in file.items():
            if "parent_code" in row.values:
                parent_of[code] = row.values["parent_code"] or None
            elif code not in db:
                parent_of[code] = None
            parent = parent_of[code]
            if parent and parent not in known:
                self.error(row, "parent_code", _("Unknown department %(code)s: it is neither in the file nor in the "
                                                 "organisation.") % {"code": parent})
                parent_of[code] = None
            head = row.values.get("head_employee_no")
            if head and head not in employees:
                self.error(row, "head_employee_no", _("Unknown employee %(no)s: the employee number is neither in "
                                                      "the file nor in the organisation.") % {"no": head})
        for code, cycle in _cycles(parent_of, file).items():
            if len(cycle) == 1:
                msg = _("A department cannot be its own parent.")
            else:
                msg = _("Department loop: %(chain)s.") % {"chain": " → ".join(cycle + [cycle[0]])}
            self.error(file[code], "parent_code", msg)
        depth = _depths(parent_of, [c for c in file if not file[c].has_error])
        for code, row in file.items():
            row.depth = depth.get(code, 0)
            cur = db.get(code)
            v = row.values
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                if "parent_code" in v:
                    pairs["parent_code"] = (cur["parent__code"] or "", v["parent_code"])
                if "head_employee_no" in v:
                    pairs["head_employee_no"] = (cur["head__employee_no"] or "", v["head_employee_no"])
            self._set_action(row, cur, pairs)
        self.dept_parent = parent_of

    def _positions(self) -> None:
        db, file = self.db.positions, self.rows["position"]
        depts = set(self.db.depts) | set(self.rows["department"])
        levels = set(self.db.levels) | set(self.rows["job_level"])
        self.position_dept = {code: r["department__code"] for code, r in db.items()}
        for code, row in file.items():
            v = row.values
            dept, level = v.get("department_code"), v.get("job_level_code")
            if dept and dept not in depts:
                self.error(row, "department_code", _("Unknown department %(code)s: it is neither in the file nor "
                                                     "in the organisation.") % {"code": dept})
            if level and level not in levels:
                self.error(row, "job_level_code", _("Unknown job level %(code)s: it is neither in the file nor in "
                                                    "the organisation.") % {"code": level})
            if dept:
                self.position_dept[code] = dept
            cur = db.get(code)
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                pairs["department_code"] = (cur["department__code"], dept)
                pairs["job_level_code"] = (cur["job_level__code"], level)
            self._set_action(row, cur, pairs)
        # People of the database who keep a position that moves to another department.
        moved = {code: row.values["department_code"] for code, row in file.items()
                 if row.action == "update" and "department_code" in row.changes}
        if moved:
            file_emps = self.rows["employee"]
            stranded = defaultdict(list)
            for no, emp in self.db.employees.items():
                pos = emp["position__code"]
                if pos in moved and no not in file_emps and emp["department__code"] != moved[pos]:
                    stranded[pos].append(no)
            for pos, nos in stranded.items():
                self.error(file[pos], "department_code", _(
                    "Position %(pos)s would move to department %(dept)s, but its holders %(nos)s stay in "
                    "another department: move them in the employees sheet too.")
                    % {"pos": pos, "dept": moved[pos], "nos": ", ".join(sorted(nos)[:10])})

    def _employees(self) -> None:
        db, file = self.db.employees, self.rows["employee"]
        depts = set(self.db.depts) | set(self.rows["department"])
        positions = set(self.db.positions) | set(self.rows["position"])
        known = set(db) | set(file)
        sup_of = {no: r["supervisor__employee_no"] for no, r in db.items()}
        active = {no: r["is_active"] for no, r in db.items()}
        usernames_in_file: dict[str, ImportRow] = {}
        for no, row in file.items():
            v = row.values
            cur = db.get(no)
            if "supervisor_no" in v:
                sup_of[no] = v["supervisor_no"] or None
            elif cur is None:
                sup_of[no] = None
            if "active" in v:
                active[no] = v["active"]
            elif cur is None:
                active[no] = True
            sup = sup_of[no]
            if sup and sup not in known:
                self.error(row, "supervisor_no", _("Unknown supervisor %(no)s: the employee number is neither in the "
                                                   "file nor in the organisation.") % {"no": sup})
                sup_of[no] = None
            dept = v.get("department_code")
            if dept and dept not in depts:
                self.error(row, "department_code", _("Unknown department %(code)s: it is neither in the file nor in "
                                                     "the organisation.") % {"code": dept})
            pos = v["position_code"] if "position_code" in v else (cur["position__code"] if cur else "")
            if pos and pos not in positions:
                self.error(row, "position_code", _("Unknown position %(code)s: it is neither in the file nor in "
                                                   "the organisation.") % {"code": pos})
            elif pos and dept and self.position_dept.get(pos) and self.position_dept[pos] != dept:
                self.error(row, "position_code", _("Position %(pos)s belongs to department %(pos_dept)s, not to "
                                                   "%(dept)s.") % {"pos": pos, "pos_dept": self.position_dept[pos],
                                                                   "dept": dept})
            username = v.get("username") or ""
            if username:
                other = usernames_in_file.get(username)
                owner = self.db.employee_of_user.get(self.db.user_ids.get(username))
                if other is not None:
                    self.error(row, "username", _("Duplicate username %(username)s: it is also on row %(row)s.")
                               % {"username": username, "row": other.row})
                elif owner and owner != no:
                    self.error(row, "username", _("User account %(username)s already belongs to employee %(no)s.")
                               % {"username": username, "no": owner})
                usernames_in_file.setdefault(username, row)
            has_account = bool(username) or bool(cur and cur["user_id"])
            if v.get("roles") and not has_account:
                self.error(row, "roles", _("Roles need a user account: fill in the username column."))
        for no, cycle in _cycles(sup_of, file).items():
            if len(cycle) == 1:
                msg = _("An employee cannot be their own supervisor.")
            else:
                msg = _("Supervisor cycle: %(chain)s.") % {"chain": " → ".join(cycle + [cycle[0]])}
            self.error(file[no], "supervisor_no", msg)
        depth = _depths(sup_of, [n for n in file if not file[n].has_error])
        for no, row in file.items():
            row.depth = depth.get(no, 0)
            v = row.values
            cur = db.get(no)
            pairs = {}
            if cur is not None:
                for col in ("name_zh", "name_en", "email", "phone"):
                    if col in v:
                        pairs[col] = (_norm(cur[col]), v[col])
                pairs["department_code"] = (cur["department__code"], v.get("department_code"))
                if "position_code" in v:
                    pairs["position_code"] = (cur["position__code"] or "", v["position_code"])
                if "supervisor_no" in v:
                    pairs["supervisor_no"] = (cur["supervisor__employee_no"] or "", v["supervisor_no"])
                if "hire_date" in v:
                    pairs["hire_date"] = (cur["hire_date"], v["hire_date"])
                if "active" in v:
                    pairs["active"] = (cur["is_active"], v["active"])
                if v.get("username"):
                    pairs["username"] = (cur["user__username"] or "", v["username"])
                if "roles" in v:
                    # Roles belong to the account: the one the row links to, if it changes account.
                    user_id = cur["user_id"]
                    if v.get("username") and v["username"] != cur["user__username"]:
                        user_id = self.db.user_ids.get(v["username"])
                    pairs["roles"] = (frozenset(self.db.roles.get(user_id, ())), v["roles"])
            self._set_action(row, cur, pairs)
            sup = sup_of.get(no)
            sup_changed = cur is None or "supervisor_no" in row.changes
            if sup and sup_changed and not active.get(sup, True):
                self.error(row, "supervisor_no", _("%(no)s has left (active = no) and cannot be a supervisor.")
                           % {"no": sup})


def _norm(value):
    if isinstance(value, str) or value is None:
        return (value or "").strip()
    return value


def _clean_date(raw) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = cell_text(raw)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        y, m, d = (int(x) for x in text.split("-"))
        try:
            return dt.date(y, m, d)
        except ValueError:
            pass
    raise ValidationError(_("Bad date %(value)s: use the format YYYY-MM-DD, e.g. 2024-03-01.") % {"value": text})


def _clean_rank(raw) -> int | None:
    text = cell_text(raw)
    if text == "":
        return None
    if text.isdigit() and 0 < int(text) < 32768:
        return int(text)
    raise ValidationError(_("Not a whole number from 1 up: %(value)s.") % {"value": text})


def _cycles(parent_of: dict[str, str | None], starts) -> dict[str, list[str]]:
    """For each start that lies on a cycle of ``parent_of``: the cycle, starting from it."""
    done: set[str] = set()
    found: dict[str, list[str]] = {}
    for start in starts:
        path: list[str] = []
        index: dict[str, int] = {}
        node = start
        while node is not None and node not in done:
            if node in index:
                cycle = path[index[node]:]
                for i, member in enumerate(cycle):
                    found[member] = cycle[i:] + cycle[:i]
                break
            index[node] = len(path)
            path.append(node)
            node = parent_of.get(node)
        done.update(path)
    return {k: v for k, v in found.items() if k in starts}


def _depths(parent_of: dict[str, str | None], keys) -> dict[str, int]:
    """Depth of each key in the (acyclic) final tree; memoised walk up, no recursion."""
    depth: dict[str, int] = {}
    for key in keys:
        chain = []
        node = key
        seen = set()
        while node is not None and node not in depth and node not in seen:
            seen.add(node)
            chain.append(node)
            node = parent_of.get(node)
        base = depth.get(node, -1) if node is not None else -1
        for n in reversed(chain):
            base += 1
            depth[n] = base
    return depth


def validate_records(records: list[RawRecord], parse_errors: list[RowError], *, file_name: str = "",
                     file_format: str = "") -> ImportPreview:
    rows, errors = _Checker(records, parse_errors).run()
    return ImportPreview(file_name=file_name, file_format=file_format, records=records, parse_errors=parse_errors,
                         rows=rows, errors=errors)


def parse_and_validate(file, *, name: str = "") -> ImportPreview:
    """Read and check an organisation file without writing anything."""
    records, parse_errors, fmt, file_name = parse_file(file, name=name)
    return validate_records(records, parse_errors, file_name=file_name, file_format=fmt)
