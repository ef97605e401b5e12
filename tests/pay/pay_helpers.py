"""Shared set-up of the pay tests: published cycles made through the real services (contracts signed,
actuals entered, verified, self-assessed, scored, optionally calibrated to a chosen grade, published)."""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))

from appraisal_helpers import PERIOD, appraisal_of, direct_entries, enter_actuals, open_cycle, sign  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

from apps.appraisals import services as appraisal_services  # noqa: E402
from apps.appraisals.models import Cycle  # noqa: E402
from apps.core.roles import FINANCE_GROUP  # noqa: E402
from apps.org import services as org_services  # noqa: E402
from apps.pay import services  # noqa: E402

__all__ = ["PERIOD", "COEFFICIENTS", "publish", "published_cycle", "make_finance", "fresh", "set_pay"]

COEFFICIENTS = {"S": "1.5", "A": "1.2", "B": "1.0", "C": "0.8", "D": "0"}


def fresh(user):
    for attr in ("_org_viewer", "_role_groups", "_pay_is_gm"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def make_finance(org):
    """The accountant (财务部) gets the finance role."""
    Group.objects.get_or_create(name=FINANCE_GROUP)
    org_services.employee_roles_set(actor=org.actor, employee=org.accountant, roles=[FINANCE_GROUP])
    return fresh(org.user("accountant"))


def publish(org, appraisal, *, grade=None, sales="1140"):
    enter_actuals(org, appraisal, sales=sales)
    a = appraisal_services.appraisal_verify(actor=org.user("hr"), appraisal=appraisal)
    a = appraisal_services.appraisal_self_assess(actor=fresh(a.employee.user), appraisal=a, comment="完成",
                                                 lines=direct_entries(a, ["85", "90"]), submit=True)
    a = appraisal_services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="良好",
                                                   lines=direct_entries(a, ["80", "90"]), submit=True)
    if grade:
        a = appraisal_services.appraisal_grade_calibrate(actor=org.user("hr"), appraisal=a, grade=grade,
                                                         reason="校准")
    return appraisal_services.appraisal_publish(actor=org.user("hr"), appraisal=a)


def published_cycle(org, grades: dict, *, period=PERIOD, sales: dict | None = None) -> Cycle:
    """grades: {employee: grade}; every appraisal of the cycle is published, so the cycle is."""
    for emp in grades:
        sign(org, emp, period=period)
    cycle = open_cycle(org, period=period)
    for emp, grade in grades.items():
        publish(org, appraisal_of(emp, cycle), grade=grade, sales=(sales or {}).get(emp, "1140"))
    cycle.refresh_from_db()
    return cycle


def set_pay(org, employee, base, salary=None, band=None):
    band = band or (None, None, None)
    return services.pay_profile_set(actor=org.user("hr"), employee=employee, base_pay=Decimal(base),
                                    salary=salary, band_min=band[0], band_mid=band[1], band_max=band[2])
