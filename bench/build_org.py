"""Build a large synthetic organisation with bulk inserts: `python -m bench.run build_org --employees 100000`.

Shape: a 5-level department tree (company -> divisions -> departments -> sections -> teams) whose
fan-out grows with the size asked for; every department has a head position and a head employee
reporting to the head of the parent department; every team has a staff position and staff
reporting to the team head. Five job levels. No user accounts.

Speed comes from doing everything set-based:
- primary keys are reserved up front (one ``nextval`` over ``generate_series`` on PostgreSQL), so
  the materialised paths (``Department.path``, ``Employee.report_path``) are computed in Python
  *before* the insert: no UPDATE pass, no query per row;
- rows go in with ``bulk_create`` in batches, all in one transaction (the foreign keys are
  deferred, so a department may name its head before the head's row is inserted);
- the audit trail gets one row per created object, also in bulk (``apps.core.audit.audit_bulk``);
  ``--no-audit`` leaves it out to measure the raw insert.

Every code and employee number starts with ``BENCH-`` so nothing collides with real or demo data.
The root department's English name records the size ("... · 100000 employees"): running again with
the same size reuses what is there; another size (or ``--rebuild``) removes the old one first.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from apps.core.audit import audit_bulk
from apps.org.models import Department, Employee, JobLevel, Position, ReviewFrequency

PREFIX = "BENCH-"
ROOT_CODE = f"{PREFIX}CO"
LEVELS = 5  # depth of the department tree: company, division, department, section, team
JOB_LEVELS = [  # code, zh, en, rank, review frequency
    ("GM", "总经理", "General manager", 1, ReviewFrequency.ANNUAL),
    ("VP", "副总经理", "Vice president", 2, ReviewFrequency.HALF_YEAR),
    ("M", "经理", "Manager", 3, ReviewFrequency.QUARTERLY),
    ("AM", "经理助理", "Manager assistant", 4, ReviewFrequency.QUARTERLY),
    ("S", "员工", "Staff", 5, ReviewFrequency.MONTHLY),
]
HEAD_LEVEL_BY_DEPTH = ["GM", "VP", "M", "M", "AM"]
DEPT_WORDS = [("公司", "Company"), ("事业部", "Division"), ("部", "Department"), ("处", "Section"), ("组", "Team")]
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
            ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun")]
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("娜", "Na"), ("敏", "Min"), ("静", "Jing"), ("强", "Qiang"),
         ("磊", "Lei"), ("洋", "Yang"), ("艳", "Yan"), ("勇", "Yong"), ("军", "Jun"), ("杰", "Jie")]


def marker(employees: int) -> str:
    return f"Benchmark company · {employees} employees"


def fanout_for(employees: int) -> int:
    """Children per department so that teams hold about 40 people."""
    return max(2, round((employees / 40) ** (1 / (LEVELS - 1))))


def department_count(fanout: int) -> int:
    return sum(fanout ** d for d in range(LEVELS))


@dataclass
class BuildResult:
    employees: int
    departments: int
    positions: int
    job_levels: int
    audit_rows: int
    seconds: float
    reused: bool = False
    vendor: str = field(default_factory=lambda: connection.vendor)

    @property
    def rows(self) -> int:
        """Rows of the organisation written (audit rows not counted)."""
        return self.employees + self.departments + self.positions + self.job_levels

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def rows_with_audit_per_second(self) -> float:
        return (self.rows + self.audit_rows) / self.seconds if self.seconds else 0.0

    @property
    def employees_per_second(self) -> float:
        return self.employees / self.seconds if self.seconds else 0.0


def _reserve_ids(model, n: int) -> list[int]:
    """``n`` primary keys for ``model`` taken before the insert, so paths can be computed up front."""
    if n == 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                        [table, pk, n])
            return [row[0] for row in cur.fetchall()]
        qn = connection.ops.quote_name
        cur.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608 - names from _meta
        start = cur.fetchone()[0]
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + n + 1))


def existing_size() -> int | None:
    """The size the bench organisation in the database was built for, or None when there is none."""
    root = Department.objects.filter(code=ROOT_CODE).only("name_en").first()
    if root is None:
        return None
    try:
        return int(root.name_en.rsplit("·", 1)[1].split()[0])
    except (IndexError, ValueError):
        return -1


def remove_bench_org() -> None:
    """Delete a previous bench organisation (rows only; the audit trail is append-only and stays)."""
    qn = connection.ops.quote_name
    like = PREFIX + "%"
    with transaction.atomic(), connection.cursor() as cur:
        dept, emp, pos, lvl = (m._meta.db_table for m in (Department, Employee, Position, JobLevel))
        cur.execute(f"UPDATE {qn(dept)} SET head_id = NULL WHERE code LIKE %s", [like])  # noqa: S608
        cur.execute(f"DELETE FROM {qn(emp)} WHERE employee_no LIKE %s", [like])  # noqa: S608
        cur.execute(f"DELETE FROM {qn(pos)} WHERE code LIKE %s", [like])  # noqa: S608
        cur.execute(f"DELETE FROM {qn(dept)} WHERE code LIKE %s", [like])  # noqa: S608
        cur.execute(f"DELETE FROM {qn(lvl)} WHERE code LIKE %s", [like])  # noqa: S608


def _name(i: int) -> tuple[str, str]:
    s_zh, s_en = SURNAMES[i % len(SURNAMES)]
    g_zh, g_en = GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
    return s_zh + g_zh, f"{s_en} {g_en}"


def build_org(*, employees: int = 100_000, batch_size: int = 5000, audit: bool = True, rebuild: bool = False,
              actor=None, log=print) -> BuildResult:
    """Build (or reuse) the bench organisation of ``employees`` people; returns counts and timing."""
    fanout = fanout_for(employees)
    n_depts = department_count(fanout)
    if employees < 2 * n_depts:
        raise ValueError(f"--employees must be at least {2 * n_depts}")
    size = existing_size()
    if size == employees and not rebuild:
        return BuildResult(
            employees=Employee.objects.filter(employee_no__startswith=PREFIX).count(),
            departments=Department.objects.filter(code__startswith=PREFIX).count(),
            positions=Position.objects.filter(code__startswith=PREFIX).count(),
            job_levels=JobLevel.objects.filter(code__startswith=PREFIX).count(),
            audit_rows=0, seconds=0.0, reused=True)
    if size is not None:
        log(f"Removing the previous bench organisation ({size} employees)...")
        remove_bench_org()

    started = time.perf_counter()
    audit_rows = 0
    hire = dt.date(2020, 1, 1)
    with transaction.atomic():
        # Job levels (five rows).
        levels = JobLevel.objects.bulk_create([
            JobLevel(code=PREFIX + code, name_zh=zh, name_en=en, rank=rank, review_frequency=freq)
            for code, zh, en, rank, freq in JOB_LEVELS])
        level_id = {lvl.code.removeprefix(PREFIX): lvl.pk for lvl in levels}

        # Departments, breadth first: (depth, parent index) for each; ids reserved up front.
        tree: list[tuple[int, int | None]] = [(0, None)]
        start = 0
        for depth in range(1, LEVELS):
            end = len(tree)
            for parent in range(start, end):
                tree.extend((depth, parent) for _ in range(fanout))
            start = end
        dept_ids = _reserve_ids(Department, len(tree))
        leaves = [i for i, (depth, _p) in enumerate(tree) if depth == LEVELS - 1]
        n_staff = employees - len(tree)
        emp_ids = _reserve_ids(Employee, employees)
        head_id = emp_ids[:len(tree)]   # the head of department i is employee i
        paths: list[str] = []
        depts = []
        for i, (depth, parent) in enumerate(tree):
            path = f"{paths[parent] if parent is not None else '/'}{dept_ids[i]}/"
            paths.append(path)
            zh, en = DEPT_WORDS[depth]
            depts.append(Department(
                id=dept_ids[i], code=f"{ROOT_CODE}" if i == 0 else f"{PREFIX}D{i:05d}",
                name_zh=f"基准{zh}{i}" if i else "基准公司", name_en=marker(employees) if i == 0 else f"{en} {i}",
                parent_id=dept_ids[parent] if parent is not None else None, head_id=head_id[i], path=path,
                depth=depth))
        Department.objects.bulk_create(depts, batch_size=batch_size)
        if audit:
            audit_bulk(actor=actor, action="department.create", rows=[
                ("org.department", d.pk, d.code, None, {"code": d.code, "parent": d.parent_id, "path": d.path})
                for d in depts])
            audit_rows += len(depts)

        # Positions: a head position in every department, a staff position in every team.
        pos_ids = iter(_reserve_ids(Position, len(tree) + len(leaves)))
        head_pos, staff_pos, positions = {}, {}, []
        for i, (depth, _p) in enumerate(tree):
            head_pos[i] = next(pos_ids)
            positions.append(Position(id=head_pos[i], code=f"{PREFIX}P{i:05d}H", name_zh=f"负责人{i}",
                                      name_en=f"Head {i}", department_id=dept_ids[i],
                                      job_level_id=level_id[HEAD_LEVEL_BY_DEPTH[depth]]))
        for i in leaves:
            staff_pos[i] = next(pos_ids)
            positions.append(Position(id=staff_pos[i], code=f"{PREFIX}P{i:05d}S", name_zh=f"专员{i}",
                                      name_en=f"Staff {i}", department_id=dept_ids[i], job_level_id=level_id["S"]))
        Position.objects.bulk_create(positions, batch_size=batch_size)
        if audit:
            audit_bulk(actor=actor, action="position.create", rows=[
                ("org.position", p.pk, p.code, None, {"code": p.code, "department": p.department_id})
                for p in positions])
            audit_rows += len(positions)

        # Employees: heads first (each reports to the head of the parent department), then the staff
        # of every team in batches. Report paths are computed from the supervisor's before the insert.
        report_path: dict[int, str] = {}

        def person(n: int, pk: int, dept: int, pos: int, sup: int | None) -> Employee:
            path = f"{report_path[sup] if sup else '/'}{pk}/"
            zh, en = _name(n)
            return Employee(id=pk, employee_no=f"{PREFIX}{n:07d}", name_zh=zh, name_en=en, department_id=dept,
                            position_id=pos, supervisor_id=sup, hire_date=hire + dt.timedelta(days=n % 1500),
                            report_path=path, email="")

        def flush(batch: list[Employee]) -> int:
            Employee.objects.bulk_create(batch, batch_size=batch_size)
            if audit:
                audit_bulk(actor=actor, action="employee.create", rows=[
                    ("org.employee", e.pk, e.employee_no, None,
                     {"employee_no": e.employee_no, "department": e.department_id, "supervisor": e.supervisor_id,
                      "report_path": e.report_path}) for e in batch])
                return len(batch)
            return 0

        batch: list[Employee] = []
        for i, (_depth, parent) in enumerate(tree):
            sup = head_id[parent] if parent is not None else None
            e = person(i, head_id[i], dept_ids[i], head_pos[i], sup)
            report_path[e.pk] = e.report_path
            batch.append(e)
        audit_rows += flush(batch)
        batch = []
        n = len(tree)
        per_team, extra = divmod(n_staff, len(leaves))
        for k, leaf in enumerate(leaves):
            for _ in range(per_team + (1 if k < extra else 0)):
                batch.append(person(n, emp_ids[n], dept_ids[leaf], staff_pos[leaf], head_id[leaf]))
                n += 1
            if len(batch) >= batch_size:
                audit_rows += flush(batch)
                batch = []
        if batch:
            audit_rows += flush(batch)
    seconds = time.perf_counter() - started
    return BuildResult(employees=n, departments=len(tree), positions=len(positions), job_levels=len(levels),
                       audit_rows=audit_rows, seconds=seconds)


def add_arguments(parser) -> None:
    parser.add_argument("--employees", type=int, default=100_000, help="size of the organisation (default 100000)")
    parser.add_argument("--batch-size", type=int, default=5000, help="rows per INSERT (default 5000)")
    parser.add_argument("--no-audit", action="store_true", help="leave out the audit rows (raw insert speed)")
    parser.add_argument("--rebuild", action="store_true", help="build again even if the same size is there")


def run(args) -> BuildResult:
    result = build_org(employees=args.employees, batch_size=args.batch_size, audit=not args.no_audit,
                       rebuild=args.rebuild)
    if result.reused:
        print(f"build_org: reused the bench organisation already in the database ({result.employees:,} employees, "
              f"{result.departments:,} departments); pass --rebuild to time a fresh build.")
    else:
        audit = (f"; with the {result.audit_rows:,} audit rows {result.rows_with_audit_per_second:,.0f} rows/s"
                 if result.audit_rows else " (no audit rows)")
        print(f"build_org: {result.employees:,} employees, {result.departments:,} departments, "
              f"{result.positions:,} positions, {result.job_levels} job levels on {result.vendor} "
              f"in {result.seconds:.2f} s: {result.rows_per_second:,.0f} rows/s "
              f"({result.employees_per_second:,.0f} employees/s){audit}")
    return result
