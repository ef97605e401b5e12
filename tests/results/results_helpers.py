"""Shared set-up of the results tests: published appraisals through the real services (see the interviews
helpers), competency models and a talent review made through the results services."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interviews"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))

from interview_helpers import PERIOD, add_staff, appraisal_of, publish, published_cycle, sign  # noqa: E402

from apps.results import services  # noqa: E402
from apps.results.models import Family  # noqa: E402

__all__ = ["PERIOD", "add_staff", "appraisal_of", "publish", "published_cycle", "sign", "make_models", "rate",
           "anchors"]


def anchors(word: str) -> list[dict]:
    return [{"zh": f"{word}{i}级", "en": f"{word} level {i}"} for i in range(1, 6)]


def make_models(org):
    hr = org.user("hr")
    staff = services.competency_model_save(actor=hr, family=Family.STAFF, name_zh="员工能力模型",
                                           name_en="Staff competencies", job_levels=[org.level_s])
    for zh, en in (("专业技能", "Professional skill"), ("学习能力", "Learning"), ("团队合作", "Teamwork")):
        services.competency_save(actor=hr, model=staff, name_zh=zh, name_en=en, anchors=anchors(en))
    mgr = services.competency_model_save(actor=hr, family=Family.MANAGER, name_zh="经理能力模型",
                                         name_en="Manager competencies", job_levels=[org.level_m])
    for zh, en in (("专业技能", "Professional skill"), ("领导力", "Leadership")):
        services.competency_save(actor=hr, model=mgr, name_zh=zh, name_en=en, anchors=anchors(en))
    return staff, mgr


def rate(org, review, employee, scores, *, actor=None, submit=True):
    """Rate ``employee`` with ``scores`` (one per competency of their model, in order)."""
    from apps.results.models import Assessment, Competency, CompetencyModel

    actor = actor or org.user("lead")
    model = CompetencyModel.objects.get(job_levels=employee.position.job_level_id)
    comps = list(Competency.objects.filter(model=model).order_by("order", "pk"))
    existing = Assessment.objects.filter(review=review, employee=employee).first()
    return services.assessment_save(actor=actor, review=review, employee=employee,
                                    ratings={c.pk: s for c, s in zip(comps, scores, strict=True)},
                                    submit=submit, expected_version=existing.version if existing else None)
