"""HR pages to import the organisation from xlsx/CSV (upload -> preview -> confirm) and to export it.

Between the preview and the confirmation the uploaded file is kept in the user's session
(compressed, base64) under a random token: the session lives in the database, so this works with
several web processes on several hosts. On confirmation the file is read and checked again.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import zlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError
from apps.core.roles import is_hr

from . import importing

SESSION_KEY = "org_import_upload"
MAX_UPLOAD = getattr(settings, "ORG_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


class OrgImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Organisation file (xlsx or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is too large (at most %(mb)s MB).")
                                        % {"mb": MAX_UPLOAD // (1024 * 1024)})
        return upload


def _require_hr(request) -> None:
    if not is_hr(request.user):
        raise Http404


def _stash(request, data: bytes, name: str) -> str:
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {
        "token": token, "name": name[:200], "sha256": hashlib.sha256(data).hexdigest(),
        "data": base64.b64encode(zlib.compress(data, 6)).decode("ascii"),
    }
    return token


def _unstash(request, token: str) -> tuple[bytes, str] | None:
    stash = request.session.get(SESSION_KEY)
    if not stash or not token or not secrets.compare_digest(stash.get("token", ""), token):
        return None
    data = zlib.decompress(base64.b64decode(stash["data"]))
    if hashlib.sha256(data).hexdigest() != stash["sha256"]:
        return None
    return data, stash["name"]


def _page(request, form, preview=None, token=""):
    return render(request, "org/import.html", {
        "form": form, "preview": preview, "token": token, "spec": importing.format_spec(),
        "csv_columns": ", ".join(importing.CSV_COLUMNS),
    })


@login_required
def import_upload(request):
    """GET: the upload form and the format. POST: read and check the file, show the preview."""
    _require_hr(request)
    if request.method == "POST":
        form = OrgImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            preview = importing.parse_and_validate(data, name=upload.name)
            token = _stash(request, data, upload.name) if preview.is_valid else ""
            if not preview.is_valid:
                request.session.pop(SESSION_KEY, None)
            return render(request, "org/import_preview.html", {"preview": preview, "token": token})
        return _page(request, form)
    return _page(request, OrgImportForm())


@login_required
@require_POST
def import_confirm(request):
    """Write the previewed file: checked again first, all or nothing."""
    _require_hr(request)
    stashed = _unstash(request, request.POST.get("token", ""))
    if stashed is None:
        messages.error(request, _("The uploaded file is no longer available (it was already imported, or another "
                                  "file was uploaded since). Please upload it again."))
        return redirect("org:import")
    data, name = stashed
    preview = importing.parse_and_validate(data, name=name)
    try:
        result = importing.org_import_apply(actor=request.user, preview=preview)
    except importing.ImportInvalid as exc:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, exc.message)
        return render(request, "org/import_preview.html", {"preview": exc.preview, "token": ""})
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("org:import")
    request.session.pop(SESSION_KEY, None)
    t = result.totals
    messages.success(request, _("Import finished: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
                     % t)
    return redirect("org:import")


def _download(file: importing.ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export(request):
    """The whole organisation in the import format (?format=xlsx|csv)."""
    _require_hr(request)
    fmt = request.GET.get("format", importing.XLSX)
    if fmt not in importing.CONTENT_TYPES:
        raise Http404
    return _download(importing.org_export(fmt=fmt))


@login_required
def import_template(request):
    """An empty workbook (or CSV) with the right sheets and columns."""
    _require_hr(request)
    fmt = request.GET.get("format", importing.XLSX)
    if fmt not in importing.CONTENT_TYPES:
        raise Http404
    return _download(importing.org_import_template(fmt=fmt))
