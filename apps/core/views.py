from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .exceptions import NotFound
from .models import AuditEvent
from .selectors import audit_event_list


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("Actor"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


@login_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        qs = audit_event_list(user=request.user, filters=filters)
    except NotFound:
        raise Http404
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"form": form, "page": page, "model": AuditEvent})


# --- documents built off the web workers (apps/core/documents.py) -------------------------------------------

@login_required
def documents(request):
    """The user's batches (HR: everyone's), newest first."""
    from .documents import document_job_list

    page = Paginator(document_job_list(user=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "core/documents.html", {"page": page})


def _job(request, pk, **kwargs):
    from .documents import document_job_get

    try:
        return document_job_get(user=request.user, pk=pk, **kwargs)
    except NotFound:
        raise Http404


@login_required
def document(request, pk):
    return render(request, "core/document.html", {"job": _job(request, pk)})


@login_required
def document_progress(request, pk):
    """The progress bar alone (htmx polls it every 2 s until the job is finished)."""
    return render(request, "core/_document_progress.html", {"job": _job(request, pk)})


@login_required
def document_download(request, pk):
    from .models import DocumentJobStatus

    job = _job(request, pk, with_content=True)
    if job.status != DocumentJobStatus.DONE or job.content is None:
        return render(request, "core/document.html", {"job": job}, status=410 if job.status == "expired" else 409)
    response = HttpResponse(bytes(job.content), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
