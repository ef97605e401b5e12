"""A correction recomputes exactly what a fresh scoring of the corrected data gives: the appraisal's lines,
totals, grade and explanation, and the department and company roll-ups the dashboards read. Two cycles for
the same two people: in 2026-11 孙娜's sales (1140) are corrected to 1200 after her appeal; in 2026-12 the
same data (1200) is scored the normal way. Every figure compares equal."""
import datetime as dt

import pytest
from appeal_helpers import appraisal_of, line, open_cycle, publish, sign

from apps.appeals import services
from apps.dashboards.models import DepartmentCycleSummary
from apps.dashboards.services import cycle_fingerprints, cycle_rollup

pytestmark = pytest.mark.django_db

FIGURES = ("headcount", "n_published", "scored", "score_sum", "mean_score", "median_score", "min_score", "max_score",
           "grade_counts", "histogram")


def _summary(cycle, department):
    s = DepartmentCycleSummary.objects.get(cycle=cycle, department=department)
    return {f: getattr(s, f) for f in FIGURES}


def test_correction_equals_fresh_scoring_down_to_the_dashboards(org, published):
    staff, peer = published
    corrected_cycle = staff.cycle
    cycle_rollup(cycle_id=corrected_cycle.pk)
    before = _summary(corrected_cycle, org.sales_east)
    old_total = staff.total_score
    fingerprint = cycle_fingerprints([corrected_cycle.pk])[corrected_cycle.pk]
    hr = org.user("hr")
    sales = line(staff, "SALES-MONTH")
    appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons="漏记订单", lines=[sales.pk])
    appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True)
    services.appeal_decide(actor=hr, appeal=appeal, outcome="upheld", reasons="属实",
                           lines=[{"id": sales.pk, "actual": "1200"}])
    # the dashboards' beat job sees the change (the fingerprint of the cycle's appraisals moved)
    assert cycle_fingerprints([corrected_cycle.pk])[corrected_cycle.pk] != fingerprint
    cycle_rollup(cycle_id=corrected_cycle.pk)

    # the same people, the corrected data scored the normal way in the next period
    for e in (org.staff, org.peer):
        sign(org, e, period="2026-12")
    fresh_cycle = open_cycle(org, period="2026-12", base=dt.date(2027, 1, 1))
    fresh_staff = publish(org, appraisal_of(org.staff, fresh_cycle), sales="1200")
    publish(org, appraisal_of(org.peer, fresh_cycle), sales="1200")
    cycle_rollup(cycle_id=fresh_cycle.pk)

    staff.refresh_from_db()
    fields = ("results_score", "behaviour_score", "total_score", "grade", "total_explanation_zh",
              "total_explanation_en")
    assert {f: getattr(staff, f) for f in fields} == {f: getattr(fresh_staff, f) for f in fields}
    fresh_line = line(fresh_staff, "SALES-MONTH")
    sales.refresh_from_db()
    assert (sales.score, sales.attainment, sales.explanation_zh) == (fresh_line.score, fresh_line.attainment,
                                                                     fresh_line.explanation_zh)
    for department in (org.sales_east, org.sales, org.company):
        assert _summary(corrected_cycle, department) == _summary(fresh_cycle, department), department
    after = _summary(corrected_cycle, org.sales_east)
    assert after["score_sum"] - before["score_sum"] == staff.total_score - old_total > 0
    print("recompute:", {"total before": old_total, "total after": staff.total_score, "fresh": fresh_staff.total_score,
                         "grade": (before["grade_counts"], after["grade_counts"]),
                         "mean": (before["mean_score"], after["mean_score"], _summary(fresh_cycle, org.sales_east)["mean_score"])})
