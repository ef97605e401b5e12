"""The policy's generated part: a snapshot of the live configuration, language-neutral (codes, numbers,
names in both languages), so that a frozen version reads the same in zh-Hans and English forever.

Read from the lower apps (the policy is on the top layer): job levels (review frequency), the cycle
schedules (stage days, policies, grade bands), the cycles that are open now (deadlines, bands, quotas,
interview window), the active contract templates (section weights), the scoring engine (worked examples,
explained in both languages), the interview defaults.
"""
from __future__ import annotations

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from apps.appeals.models import (
    DEFAULT_DECISION_DAYS,
    DEFAULT_TRIAGE_DAYS,
    DEFAULT_WINDOW_DAYS,
    AppealPolicy,
    WindowRule,
)
from apps.appraisals.models import DEFAULT_GRADE_BANDS, STAGE_ORDER, Cycle, CycleSchedule, CycleStatus
from apps.contracts.models import ContractTemplate
from apps.contracts.scoring import evaluate
from apps.interviews.models import CycleInterviewPolicy
from apps.org.models import JobLevel
from apps.pay.models import CoefficientTable
from apps.results.models import DEFAULT_CATEGORIES, Category

LEVEL_RANK = {"low": 1, "medium": 2, "high": 3}

#: The worked examples of the scoring rule kinds (the deck's rule first), evaluated at snapshot time.
EXAMPLES = [
    ("linear", {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150},
     {"target": 1200, "actual": 1140}),
    ("linear", {"kind": "linear", "direction": "higher", "base": 100, "down": 5, "up": 5, "floor": 0, "cap": 150},
     {"target": 300, "actual": 330}),
    ("bands", {"kind": "bands", "direction": "higher",
               "bands": [{"min": 100, "score": 100}, {"min": 90, "score": 80}, {"min": 80, "score": 60}]},
     {"target": 100, "actual": 93}),
    ("deadline", {"kind": "deadline", "base": 100, "per_day": 10, "floor": 0},
     {"due": "2026-11-20", "done": "2026-11-23"}),
    ("milestones", {"kind": "milestones", "base": 100}, {"milestones_done": 3, "milestones_total": 4}),
    ("direct", {"kind": "direct", "min": 0, "max": 100}, {"value": 85}),
]

DEFAULT_INTERVIEW_WINDOW = 10
#: HR's sections ordered below this come before the generated chapters, the others after them.
GENERATED_AT = 35

#: The sections HR starts from, until HR saves its own (the data migration 0002 writes the same rows; these
#: stand in for a row that is missing, e.g. in a database flushed by a test).
DEFAULT_SECTIONS = [
    ("purpose", 10, "目的", "Purpose",
     "为建立以绩效为导向的企业文化，客观评价员工的工作业绩，激励员工持续改进，特制定本制度。",
     "This policy sets out how the company plans, coaches, appraises and rewards performance, so that every "
     "employee is judged fairly against goals agreed in advance and keeps improving."),
    ("principles", 20, "原则", "Principles",
     "公开、公平、公正；目标事先约定，结果以数据为依据；考核结果与员工沟通并作为发展与激励的依据。",
     "Open, fair and just; goals agreed in advance and results based on data; every result is discussed with the "
     "employee and used for development and reward."),
    ("roles", 30, "职责", "Roles",
     "人力资源部负责制度的制定、组织与监督；各级管理者负责本部门的目标设定、辅导、评分与面谈；员工负责完成目标并进行自评。",
     "HR drafts this policy, organises the cycles and oversees them; managers set goals, coach, score and hold the "
     "feedback interview; employees deliver their goals and assess themselves."),
    ("use", 40, "结果应用", "How results are used",
     "考核结果作为绩效工资、晋升、培训与发展、岗位调整的依据；连续两期为 D 的员工将制定改进计划。",
     "Results inform performance pay, promotion, training and development and changes of position; an employee "
     "graded D twice in a row gets an improvement plan."),
]


def default_section(key: str):
    """An unsaved section with the default texts of ``key`` (None for an unknown key)."""
    from .models import PolicySection

    for k, order, title_zh, title_en, body_zh, body_en in DEFAULT_SECTIONS:
        if k == key:
            return PolicySection(key=k, order=order, title_zh=title_zh, title_en=title_en, body_zh=body_zh,
                                 body_en=body_en)
    return None


def all_sections() -> list:
    """HR's sections: the saved rows, and the defaults of those never saved."""
    from .models import PolicySection

    saved = {s.key: s for s in PolicySection.objects.all()}
    rows = list(saved.values()) + [default_section(k) for k, *_rest in DEFAULT_SECTIONS if k not in saved]
    return sorted(rows, key=lambda s: (s.order, s.key))


def _examples() -> list[dict]:
    out = []
    for kind, rule, inputs in EXAMPLES:
        with translation.override("zh-hans"):
            zh = evaluate(rule, **inputs)
        with translation.override("en"):
            en = evaluate(rule, **inputs)
        out.append({"kind": kind, "rule": rule, "inputs": inputs, "score": zh.score,
                    "attainment": zh.attainment, "explanation_zh": zh.explanation, "explanation_en": en.explanation})
    return out


def configuration() -> dict:
    """The live configuration the policy states (a fixed number of queries)."""
    levels = [{"code": lv.code, "name_zh": lv.name_zh, "name_en": lv.name_en, "rank": lv.rank,
               "frequency": lv.review_frequency} for lv in JobLevel.objects.order_by("rank", "code")]
    schedules = [{"frequency": s.frequency, "active": s.is_active,
                  "stages": [{"stage": st, "days": s.days_for(st), "policy": s.policy_for(st)} for st in STAGE_ORDER],
                  "grade_bands": s.grade_bands} for s in CycleSchedule.objects.order_by("frequency")]
    cycles_qs = (Cycle.objects.filter(status__in=[CycleStatus.OPENING, CycleStatus.OPEN])
                 .prefetch_related("stages", "quotas").order_by("-period", "frequency", "pk"))
    windows = {p.cycle_id: p for p in CycleInterviewPolicy.objects.filter(cycle__in=cycles_qs)}
    appeal_rules = {p.cycle_id: p for p in AppealPolicy.objects.filter(cycle__in=cycles_qs)}
    coefficients = {t.cycle_id: t for t in CoefficientTable.objects.filter(cycle__in=cycles_qs)}
    cycles = []
    for c in cycles_qs:
        w = windows.get(c.pk)
        ap = appeal_rules.get(c.pk)
        cycles.append({
            "title": c.title, "period": c.period, "frequency": c.frequency,
            "requires_calibration": c.requires_calibration,
            "stages": [{"stage": st.stage, "due": st.due_date, "policy": st.policy}
                       for st in sorted(c.stages.all(), key=lambda st: STAGE_ORDER.index(st.stage))],
            "grade_bands": c.grade_bands,
            "quotas": [{"grades": q.grades, "limit": q.limit, "percent": q.percent, "hard": q.is_hard}
                       for q in c.quotas.all()],
            "interview_window": w.window_days if w else DEFAULT_INTERVIEW_WINDOW,
            "interview_policy": w.policy if w else "escalate",
            "appeal": {"window_days": ap.window_days if ap else DEFAULT_WINDOW_DAYS,
                       "window_rule": ap.window_rule if ap else WindowRule.LATER_OF,
                       "triage_days": ap.triage_days if ap else DEFAULT_TRIAGE_DAYS,
                       "decision_days": ap.decision_days if ap else DEFAULT_DECISION_DAYS},
            "coefficients": coefficients[c.pk].coefficients if c.pk in coefficients else None,
        })
    templates = [{"code": t.code, "name_zh": t.name_zh, "name_en": t.name_en,
                  "level_zh": t.job_level.name_zh if t.job_level_id else "",
                  "level_en": t.job_level.name_en if t.job_level_id else "",
                  "results": t.results_weight, "behaviour": t.behaviour_weight, "plan": t.plan_weight}
                 for t in ContractTemplate.objects.filter(is_active=True).select_related("job_level")
                 .order_by("job_level__rank", "code")]
    saved = {(cat.performance, cat.ability): cat for cat in Category.objects.all()}
    ninebox = []
    for (perf, abil), v in DEFAULT_CATEGORIES.items():  # the seed's nine cells, as HR edited them
        cat = saved.get((perf, abil))
        ninebox.append({"performance": perf, "ability": abil,
                        "name_zh": cat.name_zh if cat else v[0], "name_en": cat.name_en if cat else v[1],
                        "action_zh": cat.action_zh if cat else v[2], "action_en": cat.action_en if cat else v[3]})
    ninebox.sort(key=lambda n: (-LEVEL_RANK.get(n["performance"], 0), -LEVEL_RANK.get(n["ability"], 0)))
    return {"levels": levels, "schedules": schedules, "cycles": cycles, "templates": templates, "ninebox": ninebox,
            "default_grade_bands": DEFAULT_GRADE_BANDS, "interview_window_default": DEFAULT_INTERVIEW_WINDOW,
            "appeal_default": {"window_days": DEFAULT_WINDOW_DAYS, "window_rule": WindowRule.LATER_OF,
                               "triage_days": DEFAULT_TRIAGE_DAYS, "decision_days": DEFAULT_DECISION_DAYS}}


def sections_data() -> list[dict]:
    return [{"key": s.key, "order": s.order, "title_zh": s.title_zh, "title_en": s.title_en, "body_zh": s.body_zh,
             "body_en": s.body_en} for s in all_sections()]


def fingerprint(config: dict, sections: list[dict]) -> str:
    text = json.dumps({"config": config, "sections": sections}, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def live_snapshot() -> dict:
    """What a version published now would freeze: configuration, sections, worked examples, fingerprint."""
    config, sections = configuration(), sections_data()
    snap = {"config": config, "sections": sections, "examples": _examples(),
            "fingerprint": fingerprint(config, sections)}
    return json.loads(json.dumps(snap, cls=DjangoJSONEncoder))


def display(snap: dict) -> dict:
    """A snapshot ready for the templates in the active language (labels translated now, names picked)."""
    from apps.appraisals.models import Policy, QuotaLimit, Stage
    from apps.core.periods import period_label
    from apps.interviews.models import OverduePolicy
    from apps.org.models import ReviewFrequency
    from apps.results.models import Level

    from .models import pick

    def freq(code):
        try:
            return ReviewFrequency(code).label
        except ValueError:
            return code

    def bands(rows):
        out, upper = [], None
        for b in rows or []:
            out.append({"grade": b.get("grade"), "min": b.get("min"), "below": upper})
            upper = b.get("min")
        return out

    def appeal(rule):
        if not rule:
            return None
        try:
            start = WindowRule(rule["window_rule"]).label
        except ValueError:
            start = rule["window_rule"]
        return {**rule, "window_rule_label": start}

    def level(code):
        try:
            return Level(code).label
        except ValueError:
            return code

    config = snap.get("config", {})
    grades_order = {b["grade"]: i for i, b in enumerate(config.get("default_grade_bands") or [])}
    levels = [{**lv, "name": pick(lv["name_zh"], lv["name_en"]), "frequency_label": freq(lv["frequency"])}
              for lv in config.get("levels", [])]
    schedules = [{**s, "frequency_label": freq(s["frequency"]),
                  "stages": [{**st, "label": Stage(st["stage"]).label, "policy_label": Policy(st["policy"]).label}
                             for st in s["stages"]], "bands": bands(s.get("grade_bands"))}
                 for s in config.get("schedules", [])]
    cycles = []
    for c in config.get("cycles", []):
        cycles.append({**c, "frequency_label": freq(c["frequency"]),
                       "name": c["title"] or f"{period_label(c['period'])} · {freq(c['frequency'])}",
                       "stages": [{**st, "label": Stage(st["stage"]).label, "policy_label": Policy(st["policy"]).label}
                                  for st in c["stages"]],
                       "bands": bands(c.get("grade_bands")),
                       "quotas": [{**q, "grades_label": "+".join(q["grades"]),
                                   "limit_label": QuotaLimit(q["limit"]).label} for q in c["quotas"]],
                       "interview_policy_label": OverduePolicy(c["interview_policy"]).label,
                       "appeal": appeal(c.get("appeal")),
                       "coefficients": sorted((c.get("coefficients") or {}).items(),
                                              key=lambda kv: grades_order.get(kv[0], 99))})
    templates = [{**t, "name": pick(t["name_zh"], t["name_en"]), "level": pick(t["level_zh"], t["level_en"])}
                 for t in config.get("templates", [])]
    examples = [{**e, "explanation": pick(e["explanation_zh"], e["explanation_en"])} for e in snap.get("examples", [])]
    sections = [{**s, "title": pick(s["title_zh"], s["title_en"]), "body": pick(s["body_zh"], s["body_en"])}
                for s in snap.get("sections", [])]
    return {"levels": levels, "schedules": schedules, "cycles": cycles, "templates": templates, "examples": examples,
            "sections_before": [s for s in sections if s.get("order", 0) < GENERATED_AT],
            "sections_after": [s for s in sections if s.get("order", 0) >= GENERATED_AT], "default_bands": bands(config.get("default_grade_bands")),
            "interview_window_default": config.get("interview_window_default", DEFAULT_INTERVIEW_WINDOW),
            "appeal_default": appeal(config.get("appeal_default")),
            "ninebox": [{**n, "performance_label": level(n["performance"]), "ability_label": level(n["ability"]),
                         "name": pick(n["name_zh"], n["name_en"]), "action": pick(n["action_zh"], n["action_en"])}
                        for n in config.get("ninebox", [])]}
