"""Celery tasks: thin, idempotent, acks_late, safe to retry."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def scan_deadlines(self, today: str | None = None) -> dict:
    """Beat: appeal stage reminders, overdue marks and escalation to the HR head; once per (appeal, stage,
    day)."""
    from .deadlines import deadlines_scan

    return deadlines_scan(today=dt.date.fromisoformat(today) if today else None)
