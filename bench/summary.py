"""`python -m bench.run summary`: counts of the bench organisation and the time of typical tree queries."""
from __future__ import annotations

import time

from django.db import connection

from apps.org import selectors
from apps.org.models import Department, Employee
from bench.build_org import PREFIX, ROOT_CODE


def _timed(fn, repeat: int = 5) -> tuple[object, float]:
    """The value of ``fn()`` and its best time in milliseconds over ``repeat`` runs."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return value, best * 1000


def add_arguments(parser) -> None:
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query; the best is shown")


def run(args=None) -> dict:
    repeat = getattr(args, "repeat", 5)
    root = Department.objects.filter(code=ROOT_CODE).first()
    if root is None:
        print("summary: no bench organisation yet; run `python -m bench.run build_org` first.")
        return {}
    division = Department.objects.filter(parent=root).select_related("head").order_by("code").first()
    deepest = (Employee.objects.filter(employee_no__startswith=PREFIX)
               .order_by("-report_path__length", "pk").first())
    total, ms_total = _timed(lambda: Employee.objects.under_department(root).count(), repeat)
    in_div, ms_div = _timed(lambda: Employee.objects.under_department(division).count(), repeat)
    below, ms_below = _timed(lambda: Employee.objects.under_manager(division.head).count(), repeat)
    chain, ms_chain = _timed(lambda: selectors.employee_chain(deepest), repeat)
    levels = Department.objects.filter(path__startswith=root.path).order_by("-depth").values_list(
        "depth", flat=True).first() + 1
    print(f"summary ({connection.vendor}): {total:,} employees, {levels} department levels; best of {repeat} runs")
    print(f"  everyone under the company (path LIKE)        {total:>9,} rows {ms_total:9.2f} ms")
    print(f"  everyone under one division (path LIKE)       {in_div:>9,} rows {ms_div:9.2f} ms")
    print(f"  everyone reporting to its head (report_path)  {below:>9,} rows {ms_below:9.2f} ms")
    print(f"  reporting chain of the deepest employee       {len(chain):>9,} rows {ms_chain:9.2f} ms")
    return {"employees": total, "division": in_div, "below_division_head": below, "chain": len(chain),
            "ms": {"company": ms_total, "division": ms_div, "manager": ms_below, "chain": ms_chain}}
