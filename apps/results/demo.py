"""Demo data of the results app (a hook of ``apps.org.demo.DEMO_HOOKS``, run after the appraisals' and the
interviews' hooks). Idempotent.

Competency models for the four job-level families (a job level's family from its rank: 1 executive, 2-3
manager, 4 specialist, 5 and below staff) with three or four competencies and five behavioural anchors each;
a talent review of every cycle with published results; the managers rate the people they may rate (scores
from the employee number, so the grid spreads over several cells); HR moves one person with a reason and
confirms, approves and releases one improvement plan. Only what is missing is made, so running the hook
again changes nothing.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.appraisals.models import Appraisal, Cycle
from apps.appraisals.models import Status as AppraisalStatus
from apps.core.roles import HR_GROUP
from apps.org.models import JobLevel

from . import services
from .models import (
    ActionKind,
    ActionStatus,
    Assessment,
    CompetencyModel,
    Family,
    Placement,
    TalentAction,
    TalentReview,
)

ANCHOR_WORDS = [("不符合要求", "Below the requirement"), ("部分符合", "Partly meets"), ("符合要求", "Meets"),
                ("超出要求", "Exceeds"), ("标杆水平", "Role model")]
MODELS = {
    Family.STAFF: ("员工能力模型", "Staff competencies",
                   [("专业技能", "Professional skill"), ("学习能力", "Learning"), ("团队合作", "Teamwork")]),
    Family.SPECIALIST: ("专业人员能力模型", "Specialist competencies",
                        [("专业深度", "Professional depth"), ("问题解决", "Problem solving"), ("知识分享", "Knowledge sharing")]),
    Family.MANAGER: ("经理能力模型", "Manager competencies",
                     [("专业技能", "Professional skill"), ("学习能力", "Learning"), ("团队合作", "Teamwork"),
                      ("领导力", "Leadership")]),
    Family.EXECUTIVE: ("高管能力模型", "Executive competencies",
                       [("战略思维", "Strategic thinking"), ("领导力", "Leadership"), ("变革推动", "Driving change")]),
}


def _family(rank: int) -> str:
    if rank <= 1:
        return Family.EXECUTIVE
    if rank <= 3:
        return Family.MANAGER
    if rank == 4:
        return Family.SPECIALIST
    return Family.STAFF


def _fresh(user):
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(user, attr):
            delattr(user, attr)
    return user


def seed_demo_results(actor) -> dict:
    hr_user = get_user_model().objects.filter(groups__name=HR_GROUP, username="hr").first() or actor
    levels = list(JobLevel.objects.all())
    for family, (zh, en, comps) in MODELS.items():
        if CompetencyModel.objects.filter(family=family).exists():
            continue
        m = services.competency_model_save(actor=hr_user, family=family, name_zh=zh, name_en=en,
                                           job_levels=[j for j in levels if _family(j.rank) == family])
        for czh, cen in comps:
            services.competency_save(actor=hr_user, model=m, name_zh=czh, name_en=cen,
                                     anchors=[{"zh": f"{czh}：{a}", "en": f"{cen}: {b}"} for a, b in ANCHOR_WORDS])
    reviews = 0
    for cycle in Cycle.objects.filter(appraisals__status=AppraisalStatus.PUBLISHED).distinct():
        review = TalentReview.objects.filter(cycle=cycle).first()
        if review is None:
            review = services.review_create(actor=hr_user, cycle=cycle)
            reviews += 1
        _rate(review)
        _show_hr_steps(review, hr_user)
    return {"reviews": reviews}


def _rate(review: TalentReview) -> None:
    rated = set(Assessment.objects.filter(review=review).values_list("employee_id", flat=True))
    for a in (Appraisal.objects.filter(cycle=review.cycle, status=AppraisalStatus.PUBLISHED)
              .exclude(employee_id__in=rated).select_related("employee__supervisor__user", "employee__position")):
        sup = a.employee.supervisor
        if sup is None or not sup.user_id or not a.employee.position_id:
            continue
        model = services.model_for(a.employee.position.job_level_id)
        if model is None:
            continue
        seed = sum(ord(ch) for ch in a.employee.employee_no)
        scores = {c.pk: 1 + (seed + i) % 5 for i, c in enumerate(model.competencies.order_by("order", "pk"))}
        services.assessment_save(actor=_fresh(sup.user), review=review, employee=a.employee, ratings=scores,
                                 comment="示例评价", submit=True)


def _show_hr_steps(review: TalentReview, hr_user) -> None:
    if not Placement.objects.filter(review=review, override_performance__gt="").exists():
        p = Placement.objects.filter(review=review, ability__gt="").order_by("employee__employee_no").first()
        if p is not None:
            target = ("high", "high") if p.cell != ("high", "high") else ("medium", "high")
            services.placement_override(actor=hr_user, placement=p, performance=target[0], ability=target[1],
                                        reason="示例：年度重点项目贡献突出，校准会议决定上调。", expected_version=p.version)
    if not TalentAction.objects.filter(placement__review=review, status=ActionStatus.RELEASED).exists():
        pip = TalentAction.objects.filter(placement__review=review, kind__in=[ActionKind.PIP, ActionKind.TRAINING],
                                          status=ActionStatus.PROPOSED).order_by("pk").first()
        if pip is not None:
            pip = services.action_transition(actor=hr_user, action=pip, move="confirm",
                                             expected_version=pip.version, details="示例：三个月内达成月度销售目标；经理每周辅导一次。")
            pip = services.action_transition(actor=hr_user, action=pip, move="approve", expected_version=pip.version)
            services.action_transition(actor=hr_user, action=pip, move="release", expected_version=pip.version)
