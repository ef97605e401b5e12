"""Batch printing of appraisal forms (考核表) for a department or a whole cycle, off the web workers.

The forms in a batch are the appraisals of the cycle (and department subtree) that the requester may
read *when the batch is requested* (``selectors.appraisal_list``, the access policy's filter); each form
shows what the requester may see of it (as on the appraisal page). The job itself is the generic
``apps.core`` DocumentJob; this module registers its kind ``appraisals.forms`` (how one form prints,
who is told when the batch is ready).
"""
from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.documents import DocumentKind, document_job_create, register
from apps.core.exceptions import ApplicationError
from apps.core.models import DocumentJob, DocumentLayout

from .. import permissions, selectors
from .kernel import notify

KIND = "appraisals.forms"


def appraisal_forms_batch(*, actor, cycle, department=None, layout: str = DocumentLayout.MERGED,
                          keep_hours: int = 72) -> DocumentJob:
    """Queue the forms of ``cycle`` (in ``department`` and below, when given) that ``actor`` may read."""
    filters = {"cycle": cycle}
    if department is not None:
        filters["department"] = department
    ids = list(selectors.appraisal_list(user=actor, filters=filters).values_list("pk", flat=True))
    if not ids:
        where = department.name if department is not None else cycle.display_title
        raise ApplicationError(_("There is no appraisal to print in %(where)s.") % {"where": where},
                               field="department")
    title = _("Appraisal forms · %(cycle)s") % {"cycle": cycle.display_title}
    if department is not None:
        title += f" · {department.name}"
    stem = f"appraisal-forms-{cycle.period}" + (f"-{department.code}" if department is not None else "")
    return document_job_create(actor=actor, kind=KIND, title=title, ids=ids, layout=layout, keep_hours=keep_hours,
                               parameters={"cycle": cycle.pk, "department": department.pk if department else None},
                               file_stem=stem)


def _prepare(job: DocumentJob, ids: list[int]) -> None:
    job.company_names = {}  # the company name per tree root, looked up once per batch


def _render(job: DocumentJob, appraisal_id: int):
    from ..models import Appraisal
    from ..pdf import form_filename, form_pdf

    a = (Appraisal.objects.select_related(*selectors.APPRAISAL_JOINS, "employee__position").filter(pk=appraisal_id)
         .first())
    if a is None or not permissions.can_read(job.owner, a):
        return None  # gone, or the requester lost access since the request
    relations = permissions.relations(job.owner, a)
    return form_filename(a), form_pdf(a, relations, companies=getattr(job, "company_names", None))


def _done(job: DocumentJob) -> None:
    notify([job.owner_id], title=lambda: _("Your appraisal forms are ready to download"),
           body=lambda: _("%(title)s: %(n)s form(s).") % {"title": job.title, "n": job.total},
           url=reverse("core:document", args=[job.pk]))


register(DocumentKind(key=KIND, render=_render, on_done=_done, prepare=_prepare))
