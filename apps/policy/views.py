"""The policy pages: the current version (everyone; acknowledge), HR's live draft with the editable
sections and publication, the PDF of a version or of the draft, who has not acknowledged (HR)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.forms import run_service
from apps.core.roles import is_hr

from . import content, forms, selectors, services
from .pdf import policy_pdf


def _hr_or_404(request):
    if not is_hr(request.user):
        raise Http404


@login_required
def home(request):
    version = selectors.current_version()
    hr = is_hr(request.user)
    ctx = {"version": version, "is_hr": hr, "d": content.display(version.snapshot) if version else None,
           "acknowledged": selectors.has_acknowledged(request.user, version),
           "ack_form": forms.AcknowledgeForm(initial={"version": version.number}) if version else None}
    if hr:
        ctx["out_of_date"] = selectors.is_out_of_date(version)
        ctx["counts"] = selectors.acknowledgement_counts(version) if version else None
    return render(request, "policy/home.html", ctx)


@login_required
def draft(request):
    """HR: the policy as it would be published now, with the sections to edit and the publish form."""
    _hr_or_404(request)
    version = selectors.current_version()
    snap = content.live_snapshot()
    form = forms.PublishForm(request.POST or None, initial={"expected_number": version.number if version else 0})
    if request.method == "POST" and form.is_valid():
        published = run_service(form, lambda: services.policy_publish(
            actor=request.user, note=form.cleaned_data["note"], expected_number=form.cleaned_data["expected_number"]))
        if published is not None:
            messages.success(request, _("Version %(n)s published; every employee is asked to acknowledge it.") % {
                "n": published.number})
            return redirect("policy:home")
    return render(request, "policy/draft.html", {
        "d": content.display(snap), "version": version, "sections": selectors.sections(), "form": form,
        "out_of_date": version is None or version.fingerprint != snap["fingerprint"], "is_hr": True})


@login_required
def section_edit(request, key):
    try:
        section = selectors.section_get(user=request.user, key=key)
    except NotFound:
        raise Http404
    initial = {f: getattr(section, f) for f in services.SECTION_FIELDS} | {"version": section.version}
    form = forms.SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        if run_service(form, lambda: services.section_update(actor=request.user, section=section,
                                                             expected_version=expected, **data)) is not None:
            messages.success(request, _("Section saved. Publish a new version for employees to see it."))
            return redirect("policy:draft")
    return render(request, "policy/section_form.html", {"section": section, "form": form, "is_hr": True})


@login_required
@require_POST
def acknowledge(request):
    form = forms.AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            version = selectors.version_get(number=form.cleaned_data["version"])
            services.policy_acknowledge(actor=request.user, version=version)
        except NotFound:
            raise Http404
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("policy:home")


@login_required
def version_pdf(request, number):
    try:
        version = selectors.version_get(number=number)
    except NotFound:
        raise Http404
    response = HttpResponse(policy_pdf(version.snapshot, version=version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="performance-policy-v{version.number}.pdf"'
    return response


@login_required
def draft_pdf(request):
    _hr_or_404(request)
    response = HttpResponse(policy_pdf(content.live_snapshot()), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="performance-policy-draft.pdf"'
    return response


@login_required
def acknowledgements(request):
    """HR: who has not acknowledged the current version."""
    _hr_or_404(request)
    version = selectors.current_version()
    q = (request.GET.get("q") or "").strip()
    page = Paginator(selectors.not_acknowledged(user=request.user, version=version, q=q) if version else [],
                     50).get_page(request.GET.get("page"))
    return render(request, "policy/acknowledgements.html", {
        "version": version, "page": page, "q": q, "query": f"q={q}" if q else "",
        "counts": selectors.acknowledgement_counts(version) if version else None, "is_hr": True})
