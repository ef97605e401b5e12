"""Celery tasks: thin, keyed by ids, idempotent, acks_late, safe to retry (they call services).

The services queue ``populate_cycle`` and ``verify_appraisals`` by name (``services.kernel.queue_task``):
the tasks import the services, never the other way round."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import InterfaceError, OperationalError

from . import services
from .models import Cycle


def _user(user_id: int | None):
    return get_user_model().objects.filter(pk=user_id).first() if user_id else None


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def scan_deadlines(self, today: str | None = None) -> dict:
    """Beat (hourly): reminders before the stage deadlines, overdue flags and the stage policies after.
    Running it twice in a day sends nothing twice; a retry after a crash finishes what was left."""
    return services.deadlines_scan(today=dt.date.fromisoformat(today) if today else None)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def open_scheduled_cycles(self, today: str | None = None) -> list[int]:
    """Beat (daily): open the routine cycles of HR's schedule; a cycle already there is left alone."""
    return services.scheduled_cycles_open(today=dt.date.fromisoformat(today) if today else None)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def populate_cycle(self, cycle_id: int, actor_id: int | None = None) -> dict:
    """Create the appraisals of an opening cycle (resumable: the cursor skips what is done)."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return {}
    return services.cycle_populate(actor=_user(actor_id), cycle=cycle)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             max_retries=5)
def verify_appraisals(self, appraisal_ids: list[int], actor_id: int | None = None) -> int:
    """Verify one batch of complete appraisals and score their lines (HR's "verify all" on a large scope is
    split into these; a batch already verified is a no-op)."""
    done, _errors = services.verify_batch(actor=_user(actor_id), appraisal_ids=appraisal_ids)
    return done
