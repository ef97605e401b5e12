"""Scheduled coaching jobs: thin, idempotent, late-acked; the services do the work."""
from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def remind_unsigned_serious_records() -> dict:
    """Remind employees of unsigned serious records; escalate to HR after HR's deadline."""
    from .services import serious_records_remind

    return serious_records_remind()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def send_cadence_digest() -> int:
    """Tell managers who is due for coaching: once per ISO week, however often it runs."""
    from .services import cadence_digest_send

    return cadence_digest_send()
