"""Core Celery tasks: building documents off the web workers, expiring their files."""
from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=3)
def build_document(self, job_id: int) -> str:
    """Start one DocumentJob: queue its parts (idempotent: a finished job is left alone)."""
    from .documents import document_job_build

    job = document_job_build(job_id=job_id)
    return job.status if job is not None else "missing"


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=True,
             retry_backoff_max=600, max_retries=3)
def build_document_part(self, job_id: int, index: int) -> str:
    """Build one part of a DocumentJob; the part that finishes last combines them (idempotent)."""
    from .documents import document_part_build

    part = document_part_build(job_id=job_id, index=index)
    return "done" if part is not None and part.finished else "skipped"


@shared_task(acks_late=True)
def expire_documents() -> int:
    """Beat, hourly: drop the files of jobs whose time is up."""
    from .documents import document_jobs_expire

    return document_jobs_expire()
