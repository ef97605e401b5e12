"""Celery tasks: thin, idempotent, acks_late, safe to retry."""
from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def remind_actions(self, today: str | None = None) -> int:
    """Daily: remind employees of released actions due within 7 days or overdue, once per action and day."""
    from .services import remind_actions as run

    return run(today=dt.date.fromisoformat(today) if today else None)
