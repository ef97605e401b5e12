"""Celery tasks: thin, keyed by ids, idempotent, acks_late, safe to retry (they call services)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def scan_deadlines(self, today: str | None = None) -> dict:
    """Beat (hourly): reminders before the stage deadlines, overdue flags and the stage policies after.
    Running it twice in a day sends nothing twice; a retry after a crash finishes what was left."""
    from .deadlines import deadlines_scan

    return deadlines_scan(today=dt.date.fromisoformat(today) if today else None)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def open_scheduled_cycles(self, today: str | None = None) -> list[int]:
    """Beat (daily): open the routine cycles of HR's schedule; a cycle already there is left alone."""
    from .opening import scheduled_cycles_open

    return scheduled_cycles_open(today=dt.date.fromisoformat(today) if today else None)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def populate_cycle(self, cycle_id: int, actor_id: int | None = None) -> dict:
    """Create the appraisals of an opening cycle (resumable: the cursor skips what is done)."""
    from django.contrib.auth import get_user_model

    from .models import Cycle
    from .opening import cycle_populate

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return {}
    return cycle_populate(actor=actor, cycle=cycle)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def verify_appraisals(self, appraisal_ids: list[int], actor_id: int | None = None) -> int:
    """Verify one batch of complete appraisals and score their lines (HR's "verify all" on a large scope is
    split into these; a batch already verified is a no-op)."""
    from django.contrib.auth import get_user_model

    from .opening import verify_batch

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    done, _errors = verify_batch(actor=actor, appraisal_ids=appraisal_ids)
    return done
