"""Celery tasks of the dashboards: thin, keyed by ids, idempotent, acks_late, safe to retry."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

RETRY = {"acks_late": True, "autoretry_for": (OperationalError, InterfaceError), "retry_backoff": True,
         "retry_backoff_max": 300, "max_retries": 5}


@shared_task(bind=True, **RETRY)
def rollup_cycle(self, cycle_id: int) -> dict:
    """Replace the summaries of one cycle (one transaction: a killed worker leaves the previous rows)."""
    from .services import cycle_rollup

    return cycle_rollup(cycle_id=cycle_id).as_dict()


@shared_task(bind=True, **RETRY)
def rollup_goals(self, year: int) -> dict:
    """Replace the goal attainment summaries of one year."""
    from .services import goals_rollup

    return goals_rollup(year=year).as_dict()


@shared_task(bind=True, **RETRY)
def rollup_changed(self) -> dict:
    """Beat (every minute): queue one roll-up per cycle or goal year whose source rows changed."""
    from .services import rollups_dispatch

    return rollups_dispatch()


@shared_task(bind=True, **RETRY)
def rollup_everything_changed(self) -> dict:
    """Beat (nightly): the same over every cycle, old published ones included (safety net)."""
    from .services import rollups_dispatch

    return rollups_dispatch(everything=True)
