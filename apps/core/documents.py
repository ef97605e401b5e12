"""Documents built off the web workers: a registry of kinds and the job services (``DocumentJob``).

An app registers a *kind* in its ``AppConfig.ready`` (e.g. ``appraisals.forms``, the appraisal forms of a
department or a cycle): how one item becomes a PDF, and what happens when the job is done (a
notification). The app creates the job with :func:`document_job_create` after filtering the items by
its access policy: the job's items are fixed then, so a batch never contains what its owner may not
see. The Celery task ``apps.core.tasks.build_document`` calls :func:`document_job_build`, which splits
the items into parts of ``CHUNK_SIZE`` and queues one ``build_document_part`` task per part (on the
"heavy" queue, side by side on several workers); each part saves its progress as it goes (the page polls
the job's sum), and the task finishing the last part combines them into one merged PDF or a zip of one
PDF per item. The file
is kept ``keep_hours`` (HR chooses) and dropped by the hourly :func:`document_jobs_expire`.

Only the owner and HR download a job's file (``document_job_get`` answers 404 to anyone else).
"""
from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .audit import audit_record
from .exceptions import ApplicationError, NotFound
from .models import DocumentJob, DocumentJobStatus, DocumentLayout, DocumentPart
from .pdf import merge_pdfs
from .roles import is_hr

log = logging.getLogger(__name__)

#: Progress is written every this many items (and at the end): the page polls every few seconds.
PROGRESS_EVERY = 5
#: Items per part: one task renders a part (about a second per appraisal form on a busy machine, so a part
#: stays far below the task time limit); the parts of a large job are built by several workers at once.
CHUNK_SIZE = 25
MAX_KEEP_HOURS = 24 * 30


class DocumentExpired(ApplicationError):
    """The job's file was deleted when its time was up (answers 410)."""

    status_code = 410
    code = "expired"


@dataclass(frozen=True)
class DocumentKind:
    key: str
    #: (job, item id) -> (file name inside a zip, PDF bytes); None when the item is gone (skipped).
    render: Callable
    #: job -> None, called after the file is saved (e.g. notify the owner); optional.
    on_done: Callable | None = None
    #: (job, ids) -> None, called once before rendering (e.g. warm caches); optional.
    prepare: Callable | None = None


_kinds: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _kinds[kind.key] = kind
    return kind


def kind_for(key: str) -> DocumentKind:
    try:
        return _kinds[key]
    except KeyError:
        raise ApplicationError(_("Unknown kind of document “%(kind)s”.") % {"kind": key}) from None


def document_job_create(*, actor, kind: str, title: str, ids: list[int], layout: str = DocumentLayout.MERGED,
                        keep_hours: int = 72, parameters: dict | None = None, language: str | None = None,
                        file_stem: str = "documents") -> DocumentJob:
    """Queue a job over ``ids`` (already filtered by the caller's access policy); the build starts when the
    transaction commits. An empty list is refused with a clear message (no empty PDF)."""
    kind_for(kind)
    if not ids:
        raise ApplicationError(_("There is nothing to print: no form matches."))
    if layout not in DocumentLayout.values:
        raise ApplicationError(_("Choose one PDF or a zip of one PDF per person."), field="layout")
    if not 1 <= int(keep_hours) <= MAX_KEEP_HOURS:
        raise ApplicationError(_("Keep the file between 1 hour and 30 days."), field="keep_hours")
    job = DocumentJob(kind=kind, title=title[:200], owner=actor, layout=layout, keep_hours=int(keep_hours),
                      total=len(ids), language=language or translation.get_language() or "zh-hans",
                      parameters={**(parameters or {}), "ids": [int(i) for i in ids], "stem": file_stem})
    job.full_clean(exclude=["content"])
    with transaction.atomic():
        job.save()
        audit_record(actor=actor, action="document.requested", obj=job,
                     after={"kind": kind, "total": job.total, "layout": layout, "keep_hours": job.keep_hours})
        transaction.on_commit(lambda: _queue(job.pk))
    return job


def _queue(job_id: int) -> None:
    from .tasks import build_document

    build_document.delay(job_id)


def _save_progress(job: DocumentJob, **fields) -> None:
    DocumentJob.objects.filter(pk=job.pk).update(**fields)
    for k, v in fields.items():
        setattr(job, k, v)


def _fail(job_id: int, message: str) -> None:
    DocumentJob.objects.filter(pk=job_id, status=DocumentJobStatus.RUNNING).update(
        status=DocumentJobStatus.FAILED, error=message[:500], finished_at=timezone.now())
    DocumentPart.objects.filter(job_id=job_id).update(content=None)


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)] or [[]]


def document_job_build(*, job_id: int) -> DocumentJob | None:
    """Start a job: split its items into parts of CHUNK_SIZE and queue one task per part (several workers
    build a large batch side by side, each task well under the time limit). Idempotent: a job already
    started or finished is left alone, except that a lost part is queued again."""
    job = DocumentJob.objects.defer("content").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    chunks = _chunks(list(job.parameters.get("ids") or []))
    if job.status == DocumentJobStatus.QUEUED:
        _save_progress(job, status=DocumentJobStatus.RUNNING, started_at=timezone.now(), done=0,
                       total=len(job.parameters.get("ids") or []), parts_total=len(chunks), error="")
    finished = set(DocumentPart.objects.filter(job=job, finished=True).values_list("index", flat=True))
    for index in range(len(chunks)):
        if index not in finished:
            _queue_part(job.pk, index)
    if len(finished) == len(chunks):
        _finish(job.pk)
    return job


def _queue_part(job_id: int, index: int) -> None:
    from .tasks import build_document_part

    build_document_part.delay(job_id, index)


def _update_done(job_id: int) -> None:
    """The job's progress is the sum of its parts' (right after a retried part, too)."""
    total = DocumentPart.objects.filter(job_id=job_id).aggregate(n=Sum("done"))["n"] or 0
    DocumentJob.objects.filter(pk=job_id).update(done=total)


def document_part_build(*, job_id: int, index: int) -> DocumentPart | None:
    """Build one part of a job in the job's language; the task that finishes the last part combines them."""
    job = DocumentJob.objects.defer("content").select_related("owner").filter(pk=job_id).first()
    if job is None or job.status != DocumentJobStatus.RUNNING:
        return None
    part, _created = DocumentPart.objects.get_or_create(job=job, index=index)
    if part.finished:
        _finish(job.pk)
        return part
    kind = kind_for(job.kind)
    ids = _chunks(list(job.parameters.get("ids") or []))[index]
    try:
        with translation.override(job.language):
            if kind.prepare is not None:
                kind.prepare(job, ids)
            rendered: list[tuple[str, bytes]] = []
            for n, item_id in enumerate(ids, start=1):
                out = kind.render(job, item_id)
                if out is not None:
                    rendered.append(out)
                if n % PROGRESS_EVERY == 0 or n == len(ids):
                    DocumentPart.objects.filter(pk=part.pk).update(done=n)
                    _update_done(job.pk)
            if job.layout == DocumentLayout.ZIP:
                content = _zip(rendered)
            else:
                content = merge_pdfs(data for _n, data in rendered) if rendered else b""
    except ApplicationError as exc:
        _fail(job.pk, exc.message)
        return part
    except Exception as exc:  # the owner sees that it failed; the log has the trace
        log.exception("document job %s part %s failed", job.pk, index)
        _fail(job.pk, str(exc))
        return part
    DocumentPart.objects.filter(pk=part.pk).update(content=content, count=len(rendered), finished=True,
                                                   done=len(ids))
    _update_done(job.pk)
    _finish(job.pk)
    return part


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _finish(job_id: int) -> None:
    """Combine the parts once every one is finished (once: under the job's row lock)."""
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().defer("content").filter(pk=job_id).first()
        if job is None or job.status != DocumentJobStatus.RUNNING:
            return
        if DocumentPart.objects.filter(job_id=job_id, finished=True).count() < job.parts_total:
            return
        parts = list(DocumentPart.objects.filter(job_id=job_id, count__gt=0).order_by("index")
                     .values_list("content", flat=True))
        if not parts:
            _fail(job_id, str(_("There is nothing to print: no form matches.")))
            return
        stem = job.parameters.get("stem") or "documents"
        if job.layout == DocumentLayout.ZIP:
            entries = []
            for blob in parts:
                with zipfile.ZipFile(io.BytesIO(bytes(blob))) as zf:
                    entries += [(name, zf.read(name)) for name in zf.namelist()]
            content, name, ctype = _zip(entries), f"{stem}.zip", "application/zip"
        else:
            content, name, ctype = merge_pdfs(bytes(b) for b in parts), f"{stem}.pdf", "application/pdf"
        now = timezone.now()
        DocumentJob.objects.filter(pk=job_id).update(
            status=DocumentJobStatus.DONE, content=content, file_name=name, content_type=ctype, size=len(content),
            finished_at=now, expires_at=now + timedelta(hours=job.keep_hours), done=job.total)
        DocumentPart.objects.filter(job_id=job_id).delete()
        kind = kind_for(job.kind)
        if kind.on_done is not None:
            job.refresh_from_db()
            transaction.on_commit(lambda: _on_done(kind, job.pk))


def _on_done(kind: DocumentKind, job_id: int) -> None:
    job = DocumentJob.objects.defer("content").select_related("owner").get(pk=job_id)
    with translation.override(job.language):
        kind.on_done(job)


def document_jobs_expire(*, now=None) -> int:
    """Drop the files whose time is up (beat, hourly). Returns how many expired."""
    now = now or timezone.now()
    return DocumentJob.objects.filter(status=DocumentJobStatus.DONE, expires_at__lte=now).update(
        status=DocumentJobStatus.EXPIRED, content=None, size=0)


# --- reads -------------------------------------------------------------------------------------------------

def document_job_list(*, user):
    """The user's own jobs (HR: everyone's), newest first, without their content."""
    qs = DocumentJob.objects.defer("content").select_related("owner")
    if not is_hr(user):
        qs = qs.filter(owner_id=user.pk)
    return qs.order_by("-created_at", "-id")


def document_job_get(*, user, pk, with_content: bool = False) -> DocumentJob:
    """One job for its owner or HR; 404 for anyone else."""
    qs = DocumentJob.objects.select_related("owner")
    if not with_content:
        qs = qs.defer("content")
    job = qs.filter(pk=pk).first()
    if job is None or not (job.owner_id == user.pk or is_hr(user)):
        raise NotFound(_("Not found."))
    return job
