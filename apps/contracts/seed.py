"""The indicator library every install starts with: the deck's examples (seed section 6).

``seed_indicator_library`` is idempotent and takes the model classes, so the data migration
(historical models) and the demo hook (real models) share it. Indicators are looked up by code;
an existing one is never overwritten, except that a missing default data source is filled in
once the department it names (by code, e.g. FIN for 财务部) exists.
"""
from __future__ import annotations

DECK_RULE = {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150}
LOWER_RULE = {**DECK_RULE, "direction": "lower"}
DIRECT_RULE = {"kind": "direct", "min": 0, "max": 100}

# code, zh, en, definition, formula, direction, unit, kpi type, dimension, perspective, class,
# data source department code, rule
INDICATORS = [
    ("SALES-MONTH", "月度销售额目标完成率", "Monthly sales target completion rate",
     "当月实际销售额与目标销售额之比，衡量销售目标的达成程度。",
     "实际销售额 / 目标销售额 × 100%", "higher", "%", "numeric", "quantity", "financial", "kpi", "FIN",
     DECK_RULE),
    ("PROFIT-MONTH", "月度利润目标完成率", "Monthly profit target completion rate",
     "当月实际利润额与目标利润额之比，衡量利润目标的达成程度。",
     "实际利润额 / 目标利润额 × 100%", "higher", "%", "numeric", "quantity", "financial", "kpi", "FIN",
     DECK_RULE),
    ("HR-CORE-TURNOVER", "核心员工流失率", "Core-staff turnover rate",
     "考核期内离职的核心员工占核心员工平均人数的比例；越低越好。",
     "离职核心员工数 / 核心员工平均人数 × 100%", "lower", "%", "numeric", "quality", "customer", "kpi", "HR",
     LOWER_RULE),
    ("HR-PROFIT-PER-HEAD", "人均利润率", "Profit per head",
     "考核期内公司利润总额与平均在职人数之比。",
     "利润总额 / 平均在职人数", "higher", "万元/人", "numeric", "quantity", "financial", "kpi", "FIN",
     DECK_RULE),
    ("HR-CAREER-PLAN", "核心员工职业生涯规划完成率", "Core-staff career plan completion rate",
     "已制定并落实职业生涯规划的核心员工占核心员工总数的比例。",
     "已完成职业生涯规划的核心员工数 / 核心员工总数 × 100%", "higher", "%", "project", "quality",
     "learning_growth", "kpi", "HR", DECK_RULE),
    ("HR-TRAINING-HOURS", "培训课时完成数", "Training hours delivered",
     "考核期内实际完成的培训课时数与计划课时数之比。",
     "实际完成培训课时 / 计划培训课时 × 100%", "higher", "课时", "numeric", "quantity", "learning_growth",
     "kpi", "HR", DECK_RULE),
    ("HR-SATISFACTION", "员工满意度分值", "Employee satisfaction score",
     "员工满意度调查的平均得分与目标分值之比。",
     "调查平均得分 / 目标分值 × 100%", "higher", "分", "numeric", "quality", "customer", "kpi", "HR",
     DECK_RULE),
    ("HR-PROBATION-PASS", "重要岗位招聘试用通过率", "Probation pass rate of key hires",
     "重要岗位新聘员工中通过试用期的比例。",
     "通过试用期人数 / 重要岗位新聘人数 × 100%", "higher", "%", "numeric", "quality", "internal_process",
     "kpi", "HR", DECK_RULE),
    ("HR-COST", "人力资源管理费用控制", "HR cost control",
     "人力资源管理费用实际发生额与预算之比；越低越好。",
     "预算费用 / 实际费用 × 100%", "lower", "万元", "numeric", "cost", "financial", "cpi", "FIN", LOWER_RULE),
    ("TRAINING-PLAN", "培训计划完成率", "Training plan completion rate",
     "已完成的培训项目占年度培训计划项目的比例。",
     "已完成培训项目 / 计划培训项目 × 100%", "higher", "%", "project", "time", "learning_growth", "cpi", "HR",
     DECK_RULE),
    # behaviour and attitude (效): rated directly by the appraiser (the Zhang San case)
    ("BEH-TEAMWORK", "团队合作", "Teamwork",
     "与同事协作、分享信息、支持团队目标的表现。", "评分人依据行为事实评分（0-100）", "higher", "分", "mixed",
     "quality", "internal_process", "cpi", "", DIRECT_RULE),
    ("BEH-RESPONSIBILITY", "责任心", "Responsibility",
     "对本职工作负责、主动承担、不推诿的表现。", "评分人依据行为事实评分（0-100）", "higher", "分", "mixed",
     "quality", "internal_process", "cpi", "", DIRECT_RULE),
    ("BEH-COMMUNICATION", "沟通", "Communication",
     "及时汇报进展、主动求助、清楚表达的表现（沟通列入绩效考核）。", "评分人依据行为事实评分（0-100）", "higher",
     "分", "mixed", "quality", "internal_process", "cpi", "", DIRECT_RULE),
    ("BEH-INTEGRITY", "诚信与工作态度", "Integrity and attitude",
     "遵守制度、诚实守信、工作态度端正的表现。", "评分人依据行为事实评分（0-100）", "higher", "分", "mixed",
     "quality", "internal_process", "cpi", "", DIRECT_RULE),
]


def seed_indicator_library(Indicator, Department) -> tuple[list, list]:
    """Create the missing deck indicators; link missing data sources. Returns (created, linked)."""
    codes = [row[0] for row in INDICATORS]
    existing = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    dept_codes = {row[11] for row in INDICATORS if row[11]}
    depts = {d.code: d for d in Department.objects.filter(code__in=dept_codes)}
    created, linked = [], []
    for (code, zh, en, definition, formula, direction, unit, kpi_type, dimension, perspective, klass,
         source, rule) in INDICATORS:
        dept = depts.get(source)
        ind = existing.get(code)
        if ind is None:
            created.append(Indicator(
                code=code, name_zh=zh, name_en=en, definition=definition, formula=formula, direction=direction,
                unit=unit, kpi_type=kpi_type, dimension=dimension, perspective=perspective, indicator_class=klass,
                default_data_source=dept, default_rule=dict(rule)))
        elif dept is not None and ind.default_data_source_id is None:
            ind.default_data_source = dept
            ind.version = (ind.version or 0) + 1
            linked.append(ind)
    if created:
        Indicator.objects.bulk_create(created)
    for ind in linked:
        ind.save(update_fields=["default_data_source", "version"])
    return created, linked
