"""Demo data of the plans app, added to `manage.py seed_demo` through ``apps.org.demo.DEMO_HOOKS``.

A strategy with the four balanced-scorecard themes, this year's annual business plan, goals
cascaded company -> departments -> quarters -> sections -> positions and individuals, and the
current month's work plans of the sales staff in every state. Idempotent: goals are looked up by
code, plans by employee and month; nothing is created twice.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.core import periods
from apps.org.models import Department, Employee, Position

from . import selectors, services
from .models import AnnualPlan, Goal, GoalStatus, MonthlyPlan, OwnerKind, PlanStatus, StrategicTheme, Strategy

THEMES = [
    ("financial", "营收与利润持续增长", "Grow revenue and profit"),
    ("customer", "让客户满意并持续回购", "Customers who are satisfied and come back"),
    ("internal_process", "准时交付，一次做对", "Deliver on time, right first time"),
    ("learning_growth", "培养骨干人才", "Develop our key people"),
]


def _goal_specs(year: int, quarter: int) -> list[dict]:
    """code, parent, owner, period, names, measure, target, weight and (for leaves) progress."""
    q = quarter
    specs = [
        dict(code="CO-REV", theme="financial", dept="CO", kind="year", zh="年度销售收入 1.2 亿元",
             en="Annual revenue of 120 M yuan", measure="销售收入", unit="万元", target=12000, weight=40),
        dict(code="CO-CSAT", theme="customer", dept="CO", kind="year", zh="客户满意度达到 90 分",
             en="Customer satisfaction of 90 points", measure="客户满意度调查得分", unit="分", target=90, weight=20),
        dict(code="CO-OTD", theme="internal_process", dept="CO", kind="year", zh="订单准时交付率 98%",
             en="98% of orders delivered on time", measure="准时交付率", unit="%", target=98, weight=25),
        dict(code="CO-TRAIN", theme="learning_growth", dept="CO", kind="year", zh="骨干人才培训计划完成率 100%",
             en="Key-staff training plan fully delivered", measure="培训计划完成率", unit="%", target=100, weight=15),
        dict(code="SAL-REV", parent="CO-REV", dept="SAL", kind="year", zh="销售部年度销售收入 1.2 亿元",
             en="Sales department revenue of 120 M yuan", measure="销售收入", unit="万元", target=12000, weight=80),
        dict(code="FIN-COST", parent="CO-REV", dept="FIN", kind="year", zh="管理费用控制在预算内",
             en="Overheads within budget", measure="管理费用预算执行率", unit="%", target=100, weight=20,
             progress=70),
        dict(code="SAL-CSAT", parent="CO-CSAT", dept="SAL", kind="year", zh="销售部客户满意度 90 分",
             en="Sales customer satisfaction of 90 points", measure="客户满意度", unit="分", target=90, weight=100),
        dict(code="SAL-E-S-VISIT", parent="SAL-CSAT", position="SAL-E-S", kind="year", zh="重点客户季度回访率 95%",
             en="95% of key customers visited each quarter", measure="回访率", unit="%", target=95, weight=50,
             progress=82),
        dict(code="SAL-S-S-VISIT", parent="SAL-CSAT", position="SAL-S-S", kind="year", zh="重点客户季度回访率 95%",
             en="95% of key customers visited each quarter", measure="回访率", unit="%", target=95, weight=50,
             progress=64),
        dict(code="PRD-OTD", parent="CO-OTD", dept="PRD", kind="year", zh="生产部准时交付率 98%",
             en="Production on-time delivery 98%", measure="准时交付率", unit="%", target=98, weight=100),
        dict(code="HR-TRAIN", parent="CO-TRAIN", dept="HR", kind="year", zh="完成年度骨干培训 1200 学时",
             en="1,200 training hours for key staff", measure="培训学时", unit="学时", target=1200, weight=100,
             progress=88),
    ]
    done = {1: 103, 2: 97, 3: 92, 4: 0}
    for i in range(1, 5):
        spec = dict(code=f"SAL-REV-Q{i}", parent="SAL-REV", dept="SAL", kind="quarter", index=i,
                    zh=f"销售部第{i}季度销售收入 3000 万元", en=f"Sales revenue Q{i}: 30 M yuan", measure="销售收入",
                    unit="万元", target=3000, weight=25)
        if i < q:
            spec["progress"] = done[i]
        elif i > q:
            spec["progress"] = 0
        specs.append(spec)
    specs += [
        dict(code=f"SAL-E-REV-Q{q}", parent=f"SAL-REV-Q{q}", dept="SAL-E", kind="quarter", index=q,
             zh=f"华东销售处第{q}季度销售收入 1650 万元", en=f"East China sales Q{q}: 16.5 M yuan", measure="销售收入",
             unit="万元", target=1650, weight=55),
        dict(code=f"SAL-S-REV-Q{q}", parent=f"SAL-REV-Q{q}", dept="SAL-S", kind="quarter", index=q,
             zh=f"华南销售处第{q}季度销售收入 1350 万元", en=f"South China sales Q{q}: 13.5 M yuan", measure="销售收入",
             unit="万元", target=1350, weight=45, progress=48),
        dict(code=f"E0009-REV-Q{q}", parent=f"SAL-E-REV-Q{q}", employee="E0009", kind="quarter", index=q,
             zh=f"第{q}季度个人销售额 300 万元", en=f"Personal sales Q{q}: 3 M yuan", measure="个人销售额", unit="万元",
             target=300, weight=35, progress=86),
        dict(code=f"E0013-REV-Q{q}", parent=f"SAL-E-REV-Q{q}", employee="E0013", kind="quarter", index=q,
             zh=f"第{q}季度个人销售额 250 万元", en=f"Personal sales Q{q}: 2.5 M yuan", measure="个人销售额", unit="万元",
             target=250, weight=25, progress=71),
        dict(code=f"E0014-REV-Q{q}", parent=f"SAL-E-REV-Q{q}", employee="E0014", kind="quarter", index=q,
             zh=f"第{q}季度个人销售额 250 万元", en=f"Personal sales Q{q}: 2.5 M yuan", measure="个人销售额", unit="万元",
             target=250, weight=25, progress=45),
        dict(code=f"E0007-NEW-Q{q}", parent=f"SAL-E-REV-Q{q}", employee="E0007", kind="quarter", index=q,
             zh="开发新客户 12 家", en="Win 12 new customers", measure="新签客户数", unit="家", target=12, weight=15,
             progress=75),
        dict(code=f"PRD-1-OTD-Q{q}", parent="PRD-OTD", dept="PRD-1", kind="quarter", index=q,
             zh=f"一车间第{q}季度准时交付率 98%", en=f"Workshop 1 on-time delivery Q{q}: 98%", measure="准时交付率",
             unit="%", target=98, weight=50, progress=95),
        dict(code=f"PRD-2-OTD-Q{q}", parent="PRD-OTD", dept="PRD-2", kind="quarter", index=q,
             zh=f"二车间第{q}季度准时交付率 98%", en=f"Workshop 2 on-time delivery Q{q}: 98%", measure="准时交付率",
             unit="%", target=98, weight=50, progress=61),
    ]
    return specs


ITEMS = [
    ("拜访重点客户 20 家", "每次拜访有记录并录入 CRM", 40, 20, True),
    ("完成月度销售额 80 万元", "回款率不低于 95%", 40, 31, True),
    ("开发新客户 3 家", "签订合作意向书", 20, 25, False),
]


def seed_plans_demo(actor) -> None:
    with services.without_email():
        _seed(actor)


def _seed(actor) -> None:
    today = timezone.localdate()
    year, quarter = today.year, (today.month - 1) // 3 + 1
    depts = {d.code: d for d in Department.objects.filter(code__in=["CO", "SAL", "SAL-E", "SAL-S", "FIN", "HR",
                                                                     "PRD", "PRD-1", "PRD-2"])}
    if "CO" not in depts:
        return
    strategy = Strategy.objects.filter(code="HUAXIN-2030").first() or services.strategy_create(
        actor=actor, code="HUAXIN-2030", name_zh="华信 2030：做华东领先的精密制造企业",
        name_en="Huaxin 2030: the leading precision manufacturer of East China",
        description="以客户为中心，靠准时交付和人才培养实现持续增长。", start_year=year - 1, end_year=max(year + 3, 2030))
    themes = {}
    for order, (perspective, zh, en) in enumerate(THEMES):
        themes[perspective] = (StrategicTheme.objects.filter(strategy=strategy, name_zh=zh).first()
                               or services.theme_create(actor=actor, strategy=strategy, name_zh=zh, name_en=en,
                                                        perspective=perspective, order=order))
    annual = AnnualPlan.objects.filter(year=year).first() or services.annual_plan_create(
        actor=actor, year=year, strategy=strategy, name_zh=f"{year}年度经营计划", name_en=f"Business plan {year}",
        summary="全年销售收入 1.2 亿元，客户满意度 90 分，准时交付率 98%，骨干培训全覆盖。")
    goals = {g.code: g for g in Goal.objects.filter(annual_plan=annual).exclude(code="")}
    positions = {p.code: p for p in Position.objects.filter(code__in=["SAL-E-S", "SAL-S-S"])}
    people = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=["E0007", "E0009", "E0013", "E0014"])}
    created = []
    for spec in _goal_specs(year, quarter):
        if spec["code"] in goals:
            continue
        if "employee" in spec and spec["employee"] not in people:
            continue
        if "position" in spec and spec["position"] not in positions:
            continue
        owner = {"owner_kind": OwnerKind.DEPARTMENT, "department": depts.get(spec.get("dept"))}
        if "position" in spec:
            owner = {"owner_kind": OwnerKind.POSITION, "position": positions[spec["position"]]}
        if "employee" in spec:
            owner = {"owner_kind": OwnerKind.EMPLOYEE, "employee": people[spec["employee"]]}
        goal = services.goal_create(
            actor=actor, annual_plan=annual, parent=goals.get(spec.get("parent")), code=spec["code"],
            name_zh=spec["zh"], name_en=spec["en"], period_kind=spec["kind"], period_index=spec.get("index", 1),
            measure=spec["measure"], unit=spec["unit"], target=spec["target"], weight=spec["weight"],
            theme=themes.get(spec.get("theme")), **owner)
        goals[goal.code] = goal
        if "progress" in spec:
            created.append((goal, spec["progress"]))
    for goal, progress in created:
        services.goal_progress_update(actor=actor, goal=goal, progress=Decimal(progress))
    _approve_demo_goals(actor, annual)
    if selectors.plan_settings_get().pk is None:
        services.plan_settings_update(actor=actor, due_day=5, remind_days_before=3)
    _seed_monthly_plans(actor, goals, today, quarter)


def _approve_demo_goals(actor, annual: AnnualPlan) -> None:
    """Most of the demo's goals approved one level up (by an executive, who may approve any goal he did
    not draft); the individual goals stay drafts so the approval step shows."""
    from apps.core.roles import EXECUTIVE_GROUP

    approver = (get_user_model().objects.filter(groups__name=EXECUTIVE_GROUP, is_active=True)
                .exclude(pk=actor.pk).order_by("pk").first())
    if approver is None:
        return
    for goal in (Goal.objects.filter(annual_plan=annual, status=GoalStatus.DRAFT)
                 .exclude(owner_kind=OwnerKind.EMPLOYEE).select_related("department", "parent__department")):
        if services.goal_can_approve(approver, goal):
            services.goal_approve(actor=approver, goal=goal)


def _items_for(employee: Employee, goals: dict, year: int, month: int, quarter: int) -> list[dict]:
    last = periods.month_bounds(year, month)[1].day
    personal = goals.get(f"{employee.employee_no}-REV-Q{quarter}")
    visit = goals.get("SAL-E-S-VISIT" if employee.department.code == "SAL-E" else "SAL-S-S-VISIT")
    rows = []
    for task, result, weight, day, serves in ITEMS:
        goal = (personal or visit) if serves and "销售额" in task else visit if serves else None
        rows.append({"task": task, "expected_result": result, "weight": weight,
                     "due_date": dt.date(year, month, min(day, last)), "goal": goal})
    return rows


def _seed_monthly_plans(actor, goals: dict, today: dt.date, quarter: int) -> None:
    users = {u.pk: u for u in get_user_model().objects.filter(employee__department__code__in=["SAL-E", "SAL-S"])}
    staff = list(Employee.objects.filter(department__code__in=["SAL-E", "SAL-S"], is_active=True,
                                         position__job_level__code="S")
                 .select_related("department", "supervisor__user").order_by("employee_no"))
    year, month = today.year, today.month
    states = ["confirmed", "submitted", "draft", "returned", None]

    def approver(emp):
        sup = emp.supervisor
        return sup.user if sup is not None and sup.user_id else actor

    for i, emp in enumerate(staff):
        if MonthlyPlan.objects.filter(employee=emp, year=year, month=month).exists():
            continue
        owner = users.get(emp.user_id, actor) if emp.user_id else actor
        if emp.employee_no == "E0009":
            _seed_previous_month(actor, emp, goals, today, quarter, approver(emp), owner)
            state = "draft"
        else:
            state = states[i % len(states)]
        if state is None:
            continue
        plan = services.plan_create(actor=owner, employee=emp, year=year, month=month)
        plan = services.plan_items_save(actor=owner, plan=plan, items=_items_for(emp, goals, year, month, quarter))
        if state == "draft":
            continue
        plan = services.plan_submit(actor=owner, plan=plan)
        if state == "confirmed":
            services.plan_confirm(actor=approver(emp), plan=plan)
        elif state == "returned":
            services.plan_return(actor=approver(emp), plan=plan,
                                 comment="请把新客户开发落实到具体客户名单，并把拜访数量和本季度目标对齐。")


def _seed_previous_month(actor, emp, goals, today, quarter, approver_user, owner) -> None:
    py, pm = periods.shift_month(today.year, today.month, -1)
    if MonthlyPlan.objects.filter(employee=emp, year=py, month=pm).exists():
        return
    prev_quarter = (pm - 1) // 3 + 1
    plan = services.plan_create(actor=owner, employee=emp, year=py, month=pm)
    items = _items_for(emp, goals if py == today.year else {}, py, pm, prev_quarter)
    plan = services.plan_items_save(actor=owner, plan=plan, items=items)
    plan = services.plan_submit(actor=owner, plan=plan)
    plan = services.plan_confirm(actor=approver_user, plan=plan)
    if plan.status == PlanStatus.CONFIRMED:
        for item in plan.items.order_by("order")[:2]:
            services.plan_item_complete(actor=approver_user, item=item, completed=True, result_note="已完成")
