"""The roll-up statements: set-based SQL that turns appraisals and goals into the summary tables.

Every statement works over whole sets (no query per department, team or employee):

- the department subtrees come from the materialised ``Department.path`` ("/1/4/9/"): a department's
  ancestors are the ids in its path. PostgreSQL unnests the path once per department (a closure of
  about depth x departments rows); SQLite joins the departments whose path is a prefix of the other's;
- one ``INSERT ... SELECT`` per summary table writes a row per department subtree (or team), grouping
  the appraisals joined to their department's ancestors;
- the median is ``percentile_cont(0.5)`` (over whole cents) on PostgreSQL and, on SQLite (tests,
  laptops), the middle row(s) picked with window functions in the same statement;
- grade counts and histograms are counted per department first and then added up the tree (a few
  rows per department instead of one per appraisal and ancestor).

Rounding is half-up to 2 places everywhere (the product's rule for scores). On SQLite, where
decimals are stored as floating point, means and medians are computed on whole cents so that the
rounding is exact there too.

:func:`write_cycle` and :func:`write_goal_year` are called by ``services`` inside its transaction
after deleting the previous rows; they return the number of rows written.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from apps.appraisals.models import Appraisal
from apps.org.models import Department
from apps.plans import periods as plan_periods
from apps.plans.models import Goal, StrategicTheme

from .models import (
    LAST_BUCKET,
    STATUS_FIELDS,
    DepartmentCycleSummary,
    GoalAttainmentSummary,
    TeamCycleSummary,
)

BUCKET_CENTS = 500  # 5 points per histogram bucket, in cents


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _t(model) -> str:
    return _qn(model._meta.db_table)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- building blocks ---------------------------------------------------------------------------------

def closure_sql() -> str:
    """(dept_id, anc_id): every department with each of its ancestors, itself included."""
    d = _t(Department)
    if is_postgres():
        return (f"SELECT d.id AS dept_id, CAST(u.anc AS bigint) AS anc_id FROM {d} d "  # noqa: S608
                "CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' from d.path), '/')) AS u(anc)")
    return (f"SELECT d.id AS dept_id, a.id AS anc_id FROM {d} d JOIN {d} a "  # noqa: S608
            "ON substr(d.path, 1, length(a.path)) = a.path")


def _cents(col: str) -> str:
    """A score of 2 decimals as whole cents (exact on both databases)."""
    if is_postgres():
        return f"CAST({col} * 100 AS bigint)"
    return f"CAST(ROUND({col} * 100) AS INTEGER)"


GRADE = "COALESCE(NULLIF(a.calibrated_grade, ''), a.grade)"


def _bucket(cents: str) -> str:
    return f"CASE WHEN {cents} >= {LAST_BUCKET * BUCKET_CENTS} THEN {LAST_BUCKET} ELSE {cents} / {BUCKET_CENTS} END"


def _json_object_agg(key: str, value: str) -> str:
    if is_postgres():
        return f"jsonb_object_agg(CAST({key} AS text), {value})"
    return f"json_group_object(CAST({key} AS TEXT), {value})"


def _materialized() -> str:
    return "MATERIALIZED " if is_postgres() else ""


def _empty_json() -> str:
    return "'{}'::jsonb" if is_postgres() else "'{}'"


def _empty_list() -> str:
    return "'[]'::jsonb" if is_postgres() else "'[]'"


def _stat_columns() -> str:
    """Aggregates over a relation ``x`` (key, is_direct, status, lines_pending, overdue_stage,
    total_score, cents) grouped by key."""
    statuses = ",\n".join(f"SUM(CASE WHEN x.status = '{s}' THEN 1 ELSE 0 END) AS {f}" for s, f in STATUS_FIELDS.items())
    if is_postgres():
        mean = "ROUND(AVG(x.total_score), 2)"
        total = "COALESCE(SUM(x.total_score), 0)"
        # on whole cents: integers sort faster than numerics, and the half-cent of an even count's
        # middle pair is exact in floating point, so the half-up rounding is exact too
        median = "ROUND(CAST(PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x.cents) AS numeric) / 100, 2)"
    else:  # half-up on whole cents: floor((2 * sum + n) / (2 * n))
        mean = ("CASE WHEN COUNT(x.cents) > 0 THEN ((2 * SUM(x.cents) + COUNT(x.cents)) / (2 * COUNT(x.cents))) "
                "/ 100.0 END")
        total = "COALESCE(SUM(x.cents), 0) / 100.0"
        median = "NULL"  # filled from the window-function median below
    return f"""COUNT(*) AS headcount,
        SUM(x.is_direct) AS direct_headcount,
        {statuses},
        SUM(CASE WHEN x.status <> 'collecting' OR x.lines_pending = 0 THEN 1 ELSE 0 END) AS actuals_complete,
        SUM(CASE WHEN x.overdue_stage <> '' THEN 1 ELSE 0 END) AS overdue,
        COUNT(x.total_score) AS scored,
        {total} AS score_sum,
        {mean} AS mean_score,
        {median} AS median_score,
        MIN(x.total_score) AS min_score,
        MAX(x.total_score) AS max_score"""


def _sqlite_median_cte(source: str) -> str:
    """SQLite: the median of ``source``'s cents per key, the middle row (odd) or the half-up mean of the
    two middle rows (even), picked with window functions."""
    return f"""med AS (
        SELECT key, (MIN(CASE WHEN rn = (n + 1) / 2 THEN cents END)
                     + MIN(CASE WHEN rn = n / 2 + 1 THEN cents END) + 1) / 2 / 100.0 AS median_score
        FROM (SELECT key, cents, ROW_NUMBER() OVER (PARTITION BY key ORDER BY cents) AS rn,
                     COUNT(*) OVER (PARTITION BY key) AS n
              FROM {source} WHERE cents IS NOT NULL) m
        GROUP BY key)"""


SUMMARY_COLUMNS = ["headcount", "direct_headcount", *STATUS_FIELDS.values(), "actuals_complete", "overdue", "scored",
                   "score_sum", "mean_score", "median_score", "min_score", "max_score"]


def _insert_columns(extra: list[str], tail: tuple[str, ...] = ()) -> str:
    return ", ".join(_qn(c) for c in [*extra, *SUMMARY_COLUMNS, "grade_counts", "histogram", "rolled_up_at", *tail])


# --- a cycle -------------------------------------------------------------------------------------------
#
# ``base`` holds the cycle's appraisals once (PostgreSQL materialises it: one scan of the table for
# everything). Each scope then has its rows ``<p>x`` (key, is_direct, status, ...), its statistics
# ``<p>s``, and its grade and histogram objects ``<p>g`` / ``<p>h``. On PostgreSQL the three INSERTs are
# data-modifying CTEs of one statement; SQLite runs one statement per table.

def _base_cte() -> str:
    a = _t(Appraisal)
    return f"""base AS {_materialized()}(
        SELECT a.department_id, a.appraiser_id, a.status, a.lines_pending, a.lines_returned, a.overdue_stage,
               a.total_score, a.updated_at, {_cents("a.total_score")} AS cents, {GRADE} AS grade
        FROM {a} a WHERE a.cycle_id = %(cycle)s)"""  # noqa: S608


ROW_COLUMNS = "b.status, b.lines_pending, b.overdue_stage, b.total_score, b.cents"


def _scope_ctes(p: str, rows: str) -> list[str]:
    """Statistics (and the SQLite median) of the rows ``rows`` (a SELECT with key and is_direct)."""
    ctes = [f"{p}x AS ({rows})", f"{p}s AS (SELECT x.key, {_stat_columns()} FROM {p}x x GROUP BY x.key)"]
    if not is_postgres():
        ctes.append(_sqlite_median_cte(f"{p}x").replace("med AS (", f"{p}med AS (", 1))
    return ctes


def _json_ctes(p: str, grade_rows: str, bucket_rows: str) -> list[str]:
    """``<p>g``/``<p>h``: {grade: n} and {bucket: n} per key from (key, grade|bucket, n) rows."""
    return [f"{p}g AS (SELECT key, {_json_object_agg('grade', 'n')} AS obj FROM ({grade_rows}) t GROUP BY key)",
            f"{p}h AS (SELECT key, {_json_object_agg('bucket', 'n')} AS obj FROM ({bucket_rows}) t GROUP BY key)"]


def _select_scope(p: str, head: str, joins: str = "") -> str:
    stats = ", ".join(f"{p}med.median_score" if (c == "median_score" and not is_postgres()) else f"{p}s.{c}"
                      for c in SUMMARY_COLUMNS)
    median_join = "" if is_postgres() else f" LEFT JOIN {p}med ON {p}med.key = {p}s.key"
    ranking, ranking_join = "", ""
    if p in ("d", "c"):
        ranking = f", COALESCE({p}r.obj, {_empty_list()})"
        ranking_join = f" LEFT JOIN {p}r ON {p}r.key = {p}s.key"
    return (f"SELECT {head}, {stats}, COALESCE({p}g.obj, {_empty_json()}), COALESCE({p}h.obj, {_empty_json()}), "
            f"%(now)s{ranking} FROM {p}s {joins} LEFT JOIN {p}g ON {p}g.key = {p}s.key "
            f"LEFT JOIN {p}h ON {p}h.key = {p}s.key{median_join}{ranking_join}")


RANKED = 5
MIN_RANKED_SCORED = 5


def _ranking_cte(name: str, *, partition: str, source: str, where: str) -> str:
    """``name``(key, obj): for each key the 5 best and 5 worst departments of ``source`` by mean score, as
    [department id, mean, scored, rank from the top, rank from the bottom]. Ranked are the departments
    whose appraised people all sit in the department itself (the lowest units: a parent's mean is only
    the average of its children's) with at least 5 scores."""
    if is_postgres():
        agg = "jsonb_agg(jsonb_build_array(id, mean, scored, top_rn, bottom_rn))"
    else:
        agg = "json_group_array(json_array(id, mean, scored, top_rn, bottom_rn))"
    over = f"PARTITION BY {partition} " if partition else ""
    return f"""{name} AS (SELECT key, {agg} AS obj FROM (
        SELECT {partition or '0'} AS key, ds.key AS id, ds.mean_score AS mean, ds.scored,
               ROW_NUMBER() OVER ({over}ORDER BY ds.mean_score DESC, ds.key) AS top_rn,
               ROW_NUMBER() OVER ({over}ORDER BY ds.mean_score, ds.key) AS bottom_rn
        FROM {source}
        WHERE ds.scored >= {MIN_RANKED_SCORED} AND ds.direct_headcount = ds.headcount {where}) r
        WHERE top_rn <= {RANKED} OR bottom_rn <= {RANKED} GROUP BY key)"""


DEPT_HEAD = ["cycle_id", "period", "frequency", "department_id", "parent_id", "path", "depth"]
TEAM_HEAD = ["cycle_id", "period", "frequency", "manager_id"]


def _department_parts() -> tuple[list[str], str]:
    """CTEs and the INSERT of the department rows (one per department with appraisals in its subtree).
    Grades and buckets are counted per department (``dg0``/``dh0``) and then added up to the ancestors."""
    bucket = _bucket("b.cents")
    ctes = [f"closure AS {_materialized()}({closure_sql()})"]
    ctes += _scope_ctes("d", f"SELECT c.anc_id AS key, CASE WHEN b.department_id = c.anc_id THEN 1 ELSE 0 END "
                             f"AS is_direct, {ROW_COLUMNS} FROM base b JOIN closure c ON c.dept_id = b.department_id")
    ctes += [
        "dg0 AS (SELECT b.department_id, b.grade, COUNT(*) AS n FROM base b WHERE b.grade <> '' "
        "GROUP BY b.department_id, b.grade)",
        f"dh0 AS (SELECT b.department_id, {bucket} AS bucket, COUNT(*) AS n FROM base b WHERE b.cents IS NOT NULL "
        f"GROUP BY b.department_id, {bucket})",
    ]
    ctes += _json_ctes(
        "d",
        "SELECT c.anc_id AS key, dg0.grade, SUM(dg0.n) AS n FROM dg0 JOIN closure c ON c.dept_id = dg0.department_id "
        "GROUP BY c.anc_id, dg0.grade",
        "SELECT c.anc_id AS key, dh0.bucket, SUM(dh0.n) AS n FROM dh0 JOIN closure c ON c.dept_id = dh0.department_id "
        "GROUP BY c.anc_id, dh0.bucket")
    ctes.append(_ranking_cte("dr", partition="c.anc_id", source="ds JOIN closure c ON c.dept_id = ds.key",
                             where="AND c.anc_id <> ds.key"))
    insert = (f"INSERT INTO {_t(DepartmentCycleSummary)} ({_insert_columns(DEPT_HEAD, ('ranking',))}) "
              + _select_scope("d", "%(cycle)s, %(period)s, %(frequency)s, dep.id, dep.parent_id, dep.path, dep.depth",
                              f"JOIN {_t(Department)} dep ON dep.id = ds.key"))
    return ctes, insert


def _company_parts() -> tuple[list[str], str]:
    """The company row over every appraisal of the cycle (none when the cycle has no appraisal); its grade
    and bucket counts add up the per-department counts."""
    ctes = _scope_ctes("c", f"SELECT 0 AS key, 0 AS is_direct, {ROW_COLUMNS} FROM base b")
    ctes += _json_ctes("c", "SELECT 0 AS key, grade, SUM(n) AS n FROM dg0 GROUP BY grade",
                       "SELECT 0 AS key, bucket, SUM(n) AS n FROM dh0 GROUP BY bucket")
    ctes.append(_ranking_cte("cr", partition="", source="ds", where=""))
    insert = (f"INSERT INTO {_t(DepartmentCycleSummary)} ({_insert_columns(DEPT_HEAD, ('ranking',))}) "
              + _select_scope("c", "%(cycle)s, %(period)s, %(frequency)s, NULL, NULL, '', 0"))
    return ctes, insert


def _team_parts() -> tuple[list[str], str]:
    """One row per appraiser over the appraisals they score in the cycle."""
    bucket = _bucket("b.cents")
    ctes = _scope_ctes("t", f"SELECT b.appraiser_id AS key, 1 AS is_direct, {ROW_COLUMNS} FROM base b "
                            "WHERE b.appraiser_id IS NOT NULL")
    ctes += _json_ctes(
        "t",
        "SELECT b.appraiser_id AS key, b.grade, COUNT(*) AS n FROM base b WHERE b.appraiser_id IS NOT NULL "
        "AND b.grade <> '' GROUP BY b.appraiser_id, b.grade",
        f"SELECT b.appraiser_id AS key, {bucket} AS bucket, COUNT(*) AS n FROM base b WHERE b.appraiser_id IS NOT "
        f"NULL AND b.cents IS NOT NULL GROUP BY b.appraiser_id, {bucket}")
    insert = (f"INSERT INTO {_t(TeamCycleSummary)} ({_insert_columns(TEAM_HEAD)}) "
              + _select_scope("t", "%(cycle)s, %(period)s, %(frequency)s, ts.key"))
    return ctes, insert


#: What the fingerprint of a cycle's appraisals is made of (``services.cycle_fingerprints`` computes the same
#: figures with the ORM): count, latest change, overdue, lines awaiting actuals, returned lines, sum of totals.
SOURCE_FIGURES = ("SELECT COUNT(*) AS n, MAX(updated_at) AS last, SUM(CASE WHEN overdue_stage <> '' THEN 1 ELSE 0 END) "
                  "AS overdue, SUM(lines_pending) AS pending, SUM(lines_returned) AS returned, SUM(total_score) AS "
                  "total FROM base")


def cycle_statements() -> list[str]:
    """The INSERT statements that write a cycle's summaries: one on PostgreSQL (data-modifying CTEs over
    one scan of the appraisals), three on SQLite."""
    dept_ctes, dept_insert = _department_parts()
    comp_ctes, comp_insert = _company_parts()
    team_ctes, team_insert = _team_parts()
    if is_postgres():
        ctes = [_base_cte(), *dept_ctes, *comp_ctes, *team_ctes,
                f"ins_d AS ({dept_insert} RETURNING 1)", f"ins_c AS ({comp_insert} RETURNING 1)",
                f"ins_t AS ({team_insert} RETURNING 1)"]
        # the statement answers the rows written and the fingerprint figures of the rows it read
        return ["WITH " + ",\n    ".join(ctes) + "\nSELECT (SELECT COUNT(*) FROM ins_d) + (SELECT COUNT(*) FROM ins_c)"
                " + (SELECT COUNT(*) FROM ins_t) AS written, f.* FROM (" + SOURCE_FIGURES + ") f"]
    return ["WITH " + ",\n    ".join([_base_cte(), *dept_ctes]) + "\n" + dept_insert,
            "WITH " + ",\n    ".join([_base_cte(), *dept_ctes, *comp_ctes]) + "\n" + comp_insert,
            "WITH " + ",\n    ".join([_base_cte(), *team_ctes]) + "\n" + team_insert]


def execute(sql: str, params, *, row: bool = False):
    """Run one statement; the number of rows it wrote (PostgreSQL's single statement reports it), or with
    ``row`` its whole answer as a dict."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        if row:
            return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))
        if cur.description:
            return int(cur.fetchone()[0] or 0)
        if not is_postgres():  # sqlite3 reports no rowcount for a statement that starts with WITH
            cur.execute("SELECT changes()")
            return int(cur.fetchone()[0])
        return max(cur.rowcount, 0)


def delete_cycle(cycle_id: int) -> None:
    execute(f"DELETE FROM {_t(DepartmentCycleSummary)} WHERE cycle_id = %s", [cycle_id])  # noqa: S608
    execute(f"DELETE FROM {_t(TeamCycleSummary)} WHERE cycle_id = %s", [cycle_id])  # noqa: S608


def write_cycle(*, cycle_id: int, period: str, frequency: str, now: dt.datetime) -> tuple[int, dict | None]:
    """Write every summary row of the cycle (the caller deleted the old ones in the same transaction).
    Returns the rows written and, on PostgreSQL, the fingerprint figures of the appraisals it read (None
    elsewhere: the caller computes them)."""
    params = {"cycle": cycle_id, "period": period, "frequency": frequency, "now": now}
    _tune()
    rows, figures = 0, None
    for sql in cycle_statements():
        if is_postgres():
            figures = execute(sql, params, row=True)
            rows += int(figures.pop("written"))
        else:
            rows += execute(sql, params)
    return rows, figures


def _tune() -> None:
    """PostgreSQL settings for this transaction only: the medians' sorts stay in memory, and no JIT
    (the planner cannot estimate the path closure's rows, overestimates the joins by orders of
    magnitude and would spend seconds compiling a query that runs in a fraction of that)."""
    if is_postgres():
        execute("SET LOCAL work_mem = '64MB'", None)
        execute("SET LOCAL jit = off", None)


# --- goals of a year -----------------------------------------------------------------------------------

def _expected_case(year: int, today: dt.date) -> tuple[str, dict]:
    """SQL CASE giving each goal the progress its period asks for by ``today`` (share elapsed x 100)."""
    whens, params = [], {}
    for kind, count in plan_periods.PERIODS_IN_YEAR.items():
        for index in range(1, count + 1):
            share = plan_periods.elapsed_share(year, kind, index, today)
            key = f"exp_{kind}_{index}"
            params[key] = (Decimal(str(share)) * 100).quantize(Decimal("0.01"))
            whens.append(f"WHEN go.period_kind = '{kind}' AND go.period_index = {index} THEN %({key})s")
    return "CASE " + " ".join(whens) + " ELSE 0 END", params


def _goal_mean(sum_col: str, n_col: str) -> str:
    if is_postgres():
        return f"ROUND({sum_col} / {n_col}, 2)"
    return f"((2 * {sum_col} + {n_col}) / (2 * {n_col})) / 100.0"


def goal_statements(year: int, today: dt.date) -> tuple[list[str], dict]:
    """Goal attainment per department subtree (totals and per perspective), plus the company row
    (department NULL): one statement on PostgreSQL (two data-modifying CTEs), two on SQLite. Goals are
    counted per (department, perspective) first, then added up to every ancestor through the closure."""
    g, th, d = _t(Goal), _t(StrategicTheme), _t(Department)
    expected, params = _expected_case(year, today)
    progress = "progress" if is_postgres() else _cents("progress")
    exp_value = "expected" if is_postgres() else _cents("expected")
    target = _t(GoalAttainmentSummary)
    cols = ", ".join(_qn(c) for c in ["year", "department_id", "parent_id", "path", "depth", "goals", "progress_sum",
                                       "mean_progress", "expected_sum", "achieved", "on_track", "perspectives",
                                       "rolled_up_at"])
    scale = "" if is_postgres() else " / 100.0"
    array = "jsonb_build_array" if is_postgres() else "json_array"
    per_perspective = _json_object_agg("perspective", f"{array}(n, ps{scale}, es{scale}, ach, ot)")
    ctes = [
        f"closure AS {_materialized()}({closure_sql()})",
        f"""gx AS (
        SELECT go.department_id, COALESCE(NULLIF(t.perspective, ''), NULLIF(rt.perspective, ''), '') AS perspective,
               go.progress, {expected} AS expected
        FROM {g} go LEFT JOIN {th} t ON t.id = go.theme_id
        LEFT JOIN {g} r ON r.id = go.root_id LEFT JOIN {th} rt ON rt.id = r.theme_id
        WHERE go.year = %(year)s)""",  # noqa: S608
        f"""leaf AS {_materialized()}(
        SELECT department_id, perspective, COUNT(*) AS n, SUM({progress}) AS ps, SUM({exp_value}) AS es,
               SUM(CASE WHEN progress >= 100 THEN 1 ELSE 0 END) AS ach,
               SUM(CASE WHEN progress >= expected * 0.9 THEN 1 ELSE 0 END) AS ot
        FROM gx GROUP BY department_id, perspective)""",
        """dp AS (SELECT c.anc_id AS key, leaf.perspective, SUM(leaf.n) AS n, SUM(leaf.ps) AS ps, SUM(leaf.es) AS es,
                  SUM(leaf.ach) AS ach, SUM(leaf.ot) AS ot
           FROM leaf JOIN closure c ON c.dept_id = leaf.department_id GROUP BY c.anc_id, leaf.perspective)""",
        f"""dt AS (SELECT key, SUM(n) AS n, SUM(ps) AS ps, SUM(es) AS es, SUM(ach) AS ach, SUM(ot) AS ot,
                  {per_perspective} AS obj FROM dp GROUP BY key)""",
        """cp AS (SELECT 0 AS key, perspective, SUM(n) AS n, SUM(ps) AS ps, SUM(es) AS es, SUM(ach) AS ach,
                  SUM(ot) AS ot FROM leaf GROUP BY perspective)""",
        f"""ct AS (SELECT key, SUM(n) AS n, SUM(ps) AS ps, SUM(es) AS es, SUM(ach) AS ach, SUM(ot) AS ot,
                  {per_perspective} AS obj FROM cp GROUP BY key)""",
    ]
    dept = f"""INSERT INTO {target} ({cols})
    SELECT %(year)s, dep.id, dep.parent_id, dep.path, dep.depth, t.n, t.ps{scale}, {_goal_mean("t.ps", "t.n")},
           t.es{scale}, t.ach, t.ot, t.obj, %(now)s
    FROM dt t JOIN {d} dep ON dep.id = t.key"""  # noqa: S608
    company = f"""INSERT INTO {target} ({cols})
    SELECT %(year)s, NULL, NULL, '', 0, t.n, t.ps{scale}, {_goal_mean("t.ps", "t.n")}, t.es{scale}, t.ach, t.ot,
           t.obj, %(now)s FROM ct t"""  # noqa: S608
    params["year"] = year
    if is_postgres():
        return ["WITH " + ",\n    ".join([*ctes, f"ins_d AS ({dept} RETURNING 1)", f"ins_c AS ({company} RETURNING 1)"])
                + "\nSELECT (SELECT COUNT(*) FROM ins_d) + (SELECT COUNT(*) FROM ins_c)"], params
    head = "WITH " + ",\n    ".join(ctes) + "\n"
    return [head + dept, head + company], params


def write_goal_year(*, year: int, today: dt.date, now: dt.datetime) -> int:
    """Replace the goal attainment rows of the year (the caller holds the transaction)."""
    _tune()
    execute(f"DELETE FROM {_t(GoalAttainmentSummary)} WHERE year = %s", [year])  # noqa: S608
    statements, params = goal_statements(year, today)
    params["now"] = now
    return sum(execute(sql, params) for sql in statements)
