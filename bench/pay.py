"""Issue 14: a performance-pay run for N employees (default 100,000), set-based.

Builds on the appraisals bench (its cycle of N monthly staff, opened, verified and scored; reused when it
is there), then, as bench set-up and not the product's path, gives every appraisal a grade (a fixed
spread S/A/B/C/D) and marks it and the cycle published with one UPDATE each, and inserts every employee's
pay data with bulk inserts. What is measured: `apps.pay.services.run_compute` (time, queries, rows/s) and
the payroll export of the approved run (CSV and XLSX), with the check that the export's totals row equals
the run's total.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from apps.appraisals.models import Appraisal, Cycle, CycleStatus, Status
from apps.pay import exporting, services
from apps.pay.models import PayoutLine, PayoutRun, PayProfile, RunStatus
from bench.appraisals import PERIOD, measured
from bench.build_org import PREFIX

COEFFICIENTS = {"S": "1.5", "A": "1.2", "B": "1.0", "C": "0.8", "D": "0"}


def bench_hr():
    """The bench's HR user (a superuser without a password), the same one the appraisals bench uses."""
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(username="bench-hr", defaults={"is_superuser": True,
                                                                                          "is_staff": True})
    if created:
        user.set_unusable_password()
        user.save()
    return user


def add_arguments(parser) -> None:
    parser.add_argument("--employees", type=int, default=100_000, help="bench staff with an appraisal (default 100000)")
    parser.add_argument("--period", default=PERIOD, help=f"the bench review period (default {PERIOD})")
    parser.add_argument("--batch-size", type=int, default=1000, help="employees per opening batch (appraisals bench)")


def _published_cycle(args) -> Cycle:
    cycle = Cycle.objects.filter(period=args.period, title=f"Bench {args.period}").first()
    if cycle is None or cycle.appraisals.count() != args.employees:
        from bench import appraisals

        # the appraisals bench rebuilds its cycle (and, at another size, its organisation): the runs that
        # paid the old appraisals and the bench pay data go first (they refer to its rows)
        PayoutRun.objects.filter(cycle__title__startswith="Bench ").delete()
        PayProfile.objects.filter(employee__employee_no__startswith=PREFIX).delete()
        appraisals.run(args)
        cycle = Cycle.objects.get(period=args.period, title=f"Bench {args.period}")
    with connection.cursor() as cur:  # bench set-up: a spread of grades, everything published
        cur.execute(
            "UPDATE appraisals_appraisal SET grade = (ARRAY['S','A','A','B','B','B','B','C','C','D'])[1 + id %% 10], "
            "status = %s, published_at = now() WHERE cycle_id = %s", [Status.PUBLISHED, cycle.pk])
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.PUBLISHED, published_at=timezone.now())
    cycle.refresh_from_db()
    return cycle


def _pay_data(cycle: Cycle) -> int:
    have = set(PayProfile.objects.filter(employee__employee_no__startswith=PREFIX).values_list("employee_id", flat=True))
    ids = list(Appraisal.objects.filter(cycle=cycle).exclude(employee_id__in=have).values_list("employee_id", flat=True))
    PayProfile.objects.bulk_create(
        [PayProfile(employee_id=e, base_pay=Decimal(2000) + Decimal(e % 997) + Decimal("0.55"), salary=Decimal(8000),
                    band_min=Decimal(6500), band_mid=Decimal(8000), band_max=Decimal(9500)) for e in ids],
        batch_size=5000)
    return len(ids)


def run(args) -> dict:
    print(f"pay bench ({connection.vendor}): a payout run for {args.employees:,} employees")
    cycle = _published_cycle(args)
    made = _pay_data(cycle)
    hr = bench_hr()
    print(f"  set-up: {cycle.appraisals.count():,} published appraisals, {made:,} pay data rows inserted")
    PayoutRun.objects.filter(cycle=cycle).delete()
    services.coefficients_set(actor=hr, cycle=cycle, coefficients=COEFFICIENTS,
                              expected_version=getattr(getattr(cycle, "pay_coefficients", None), "version", None))
    with measured() as computed:
        r = services.run_compute(actor=hr, cycle=cycle)
    sums = PayoutLine.objects.filter(run=r).aggregate(total=Sum("total"), pay=Sum("performance_pay"))
    assert sums["total"] == r.total and r.rows == args.employees
    print(f"  1. compute the run: {r.rows:,} lines, total {r.total} in {computed['seconds']:.1f} s "
          f"({r.rows / computed['seconds']:,.0f} lines/s, {computed['db_seconds']:.1f} s of it in the database); "
          f"{computed['queries']:,} queries")
    PayoutRun.objects.filter(pk=r.pk).update(status=RunStatus.APPROVED, approved_at=timezone.now())
    r.refresh_from_db()
    with measured() as exported:
        content, _name = exporting.run_export(actor=hr, run=r, fmt="csv")
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert Decimal(table[-1][9]) == r.total and len(table) == r.rows + 2
    print(f"  2. CSV payroll export: {len(content) / 1e6:.1f} MB in {exported['seconds']:.1f} s; "
          f"{exported['queries']:,} queries; totals row = run total ({r.total})")
    with measured() as xlsx:
        content, _name = exporting.run_export(actor=hr, run=r, fmt="xlsx")
    print(f"  3. XLSX payroll export: {len(content) / 1e6:.1f} MB in {xlsx['seconds']:.1f} s; {xlsx['queries']:,} queries")
    print(f"pay_run_s={computed['seconds']:.1f} pay_run_queries={computed['queries']} csv_s={exported['seconds']:.1f} "
          f"xlsx_s={xlsx['seconds']:.1f}")
    return {"rows": r.rows, "run_s": computed["seconds"], "run_queries": computed["queries"],
            "csv_s": exported["seconds"], "xlsx_s": xlsx["seconds"]}
