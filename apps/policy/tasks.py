"""Policy tasks: telling every employee that a version was published (off the web workers)."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def announce_version(version_id: int) -> int:
    """Idempotent: each person is told once per version (dedupe key)."""
    from .services import policy_announce

    return policy_announce(version_id=version_id)
