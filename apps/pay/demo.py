"""Demo data of pay (a hook of ``apps.org.demo.DEMO_HOOKS``, run after the appraisals' hook). Idempotent.

The ``finance`` login (赵强, 财务部经理) gets the finance role; every active employee gets pay data by job
level; the latest cycle gets a coefficient table (S 1.5, A 1.2, B 1.0, C 0.8, D 0), a merit matrix, a
performance-pay budget for the company and a salary-adjustment budget for 销售部; 华东销售处 gets the bee
story's team-reward rule on monthly sales. When that cycle is published, the first payout run is computed
(a demo cycle still in progress has none: results are paid only once published).
"""
from __future__ import annotations

from decimal import Decimal

from apps.appraisals.models import Cycle, CycleStatus
from apps.contracts.models import Indicator
from apps.core.roles import FINANCE_GROUP
from apps.org import services as org_services
from apps.org.models import Department, Employee

from . import services
from .models import (
    Budget,
    BudgetKind,
    CoefficientTable,
    MeritMatrix,
    PayoutRun,
    PayProfile,
    PoolKind,
    TeamRewardRule,
)

COEFFICIENTS = {"S": "1.5", "A": "1.2", "B": "1.0", "C": "0.8", "D": "0"}
#: job level code -> (base performance pay, salary, band min, mid, max)
PAY_BY_LEVEL = {"GM": (20000, 60000, 50000, 60000, 70000), "VP": (15000, 45000, 38000, 45000, 52000),
                "M": (8000, 22000, 18000, 22000, 26000), "AM": (5000, 14000, 11000, 14000, 17000),
                "S": (3000, 8000, 6500, 8000, 9500)}
MATRIX = {"S": [[6, 8], [5, 7], [4, 6], [2, 4]], "A": [[4, 6], [3, 5], [2, 4], [1, 3]],
          "B": [[2, 4], [2, 3], [1, 2], [0, 1]], "C": [[0, 1], [0, 1], [0, 0], [0, 0]], "D": [[0, 0]] * 4}


def seed_demo_pay(actor) -> dict:
    fin = Employee.objects.filter(employee_no="E0004", user__isnull=False).select_related("user").first()
    if fin and not fin.user.groups.filter(name=FINANCE_GROUP).exists():
        roles = list(fin.user.groups.values_list("name", flat=True))
        org_services.employee_roles_set(actor=actor, employee=fin, roles=[*roles, FINANCE_GROUP])
    have = set(PayProfile.objects.values_list("employee_id", flat=True))
    made = 0
    for i, emp in enumerate(Employee.objects.filter(is_active=True).select_related("position__job_level")
                            .order_by("employee_no")):
        if emp.pk in have:
            continue
        level = emp.position.job_level.code if emp.position_id else "S"
        base, salary, low, mid, high = PAY_BY_LEVEL.get(level, PAY_BY_LEVEL["S"])
        salary = Decimal(salary) + Decimal((i % 7) * 150)  # spread over the band
        services.pay_profile_set(actor=actor, employee=emp, base_pay=Decimal(base), salary=salary,
                                 band_min=Decimal(low), band_mid=Decimal(mid), band_max=Decimal(high))
        made += 1
    cycle = Cycle.objects.order_by("-period", "-pk").first()
    if cycle is None:
        return {"profiles": made}
    grades = services.cycle_grades(cycle)
    if not CoefficientTable.objects.filter(cycle=cycle).exists():
        services.coefficients_set(actor=actor, cycle=cycle, coefficients={g: COEFFICIENTS.get(g, "1") for g in grades})
    if not MeritMatrix.objects.filter(cycle=cycle).exists():
        services.merit_matrix_set(actor=actor, cycle=cycle, cells={g: MATRIX.get(g, [[0, 0]] * 4) for g in grades},
                                  effective_date=f"{int(cycle.period[:4]) + 1}-01-01")
    company = Department.objects.filter(parent__isnull=True).order_by("path").first()
    sales = Department.objects.filter(code="SAL").first()
    for dept, kind, amount in ((company, BudgetKind.PAYOUT, "400000"), (sales, BudgetKind.RAISE, "6000")):
        if dept and not Budget.objects.filter(cycle=cycle, department=dept, kind=kind).exists():
            services.budget_set(actor=actor, cycle=cycle, department=dept, kind=kind, amount_value=amount)
    east = Department.objects.filter(code="SAL-E").first()
    sales_ind = Indicator.objects.filter(code="SALES-MONTH").first()
    if east and sales_ind and not TeamRewardRule.objects.filter(department=east).exists():
        services.team_rule_save(actor=actor, department=east, indicator=sales_ind, min_growth_pct="5",
                                pool_kind=PoolKind.FIXED, pool_amount="6000.00")
    if cycle.status == CycleStatus.PUBLISHED and not PayoutRun.objects.filter(cycle=cycle).exists():
        services.team_reward_evaluate(actor=actor, cycle=cycle)
        services.run_compute(actor=actor, cycle=cycle)
    return {"profiles": made, "cycle": cycle.pk}
