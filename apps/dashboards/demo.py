"""Demo data of the dashboards (a hook of ``apps.org.demo.DEMO_HOOKS``, run after the other apps'):
roll up every cycle and goal year now, so the dashboards show figures right after `seed_demo`
(afterwards the beat task keeps them current). Idempotent: a roll-up replaces what it wrote."""
from __future__ import annotations

from apps.appraisals.models import Cycle, CycleStatus
from apps.plans.models import Goal

from . import services


def seed_demo_dashboards(actor) -> dict:
    cycles = list(Cycle.objects.exclude(status=CycleStatus.DRAFT).values_list("pk", flat=True))
    for pk in cycles:
        services.cycle_rollup(cycle_id=pk)
    years = sorted(set(Goal.objects.values_list("year", flat=True)))
    for year in years:
        services.goals_rollup(year=year)
    return {"cycles": len(cycles), "goal_years": years}
