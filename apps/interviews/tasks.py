"""Celery tasks: thin, idempotent, acks_late, safe to retry (they call the deadlines engine)."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def scan_deadlines(self, today: str | None = None) -> dict:
    """Beat: interview reminders, overdue flags and escalation to HR, action reminders. Running it twice
    in a day sends nothing twice."""
    from .deadlines import deadlines_scan

    return deadlines_scan(today=dt.date.fromisoformat(today) if today else None)
