"""Reads of the policy: the current version, the live draft, whether it is out of date, who has not
acknowledged, and the work-list items (a fixed number of queries)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org.queries import employee_search_q

from . import content
from .models import PolicyAcknowledgement, PolicySection, PolicyVersion


def current_version() -> PolicyVersion | None:
    return PolicyVersion.objects.order_by("-number").first()


def version_get(*, number: int) -> PolicyVersion:
    v = PolicyVersion.objects.filter(number=number).first()
    if v is None:
        raise NotFound(_("Not found."))
    return v


def versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.select_related("published_by").order_by("-number")


def live_fingerprint() -> str:
    return content.fingerprint(content.configuration(), content.sections_data())


def is_out_of_date(version: PolicyVersion | None = None) -> bool:
    """No version yet, or the configuration (or a section's text) changed since the current one."""
    version = version if version is not None else current_version()
    return version is None or version.fingerprint != live_fingerprint()


def sections() -> list[PolicySection]:
    return content.all_sections()


def section_get(*, user, key: str) -> PolicySection:
    """A section for HR to edit (a default one not saved yet is an unsaved row); 404 otherwise."""
    section = PolicySection.objects.filter(key=key).first() or content.default_section(key)
    if section is None or not is_hr(user):
        raise NotFound(_("Not found."))
    return section


def has_acknowledged(user, version: PolicyVersion | None) -> bool:
    return version is not None and PolicyAcknowledgement.objects.filter(version=version, user_id=user.pk).exists()


def not_acknowledged(*, user, version: PolicyVersion, q: str = "") -> QuerySet:
    """HR: the active employees with a login who have not acknowledged ``version``; 404 for anyone else."""
    if not is_hr(user):
        raise NotFound(_("Not found."))
    from apps.org.models import Employee

    acks = PolicyAcknowledgement.objects.filter(version=version, user_id=OuterRef("user_id"))
    qs = (Employee.objects.filter(is_active=True, user__isnull=False, user__is_active=True)
          .exclude(Exists(acks)).select_related("department", "position"))
    if q:
        qs = qs.filter(employee_search_q(q))
    return qs.order_by("department__path", "employee_no")


def acknowledgement_counts(version: PolicyVersion) -> dict:
    from apps.org.models import Employee

    User = get_user_model()
    people = Employee.objects.filter(is_active=True, user__isnull=False, user__is_active=True)
    acked = PolicyAcknowledgement.objects.filter(version=version, user__in=User.objects.filter(
        employee__in=people)).count()
    total = people.count()
    return {"total": total, "acknowledged": acked, "missing": total - acked}


def policy_work_items(user) -> list[WorkItem]:
    """Employees: acknowledge the current version. HR: the policy is out of date."""
    items: list[WorkItem] = []
    if not getattr(user, "is_authenticated", False):
        return items
    version = current_version()
    if version is not None and not has_acknowledged(user, version):
        items.append(WorkItem(title=_("Read and acknowledge the performance policy (version %(n)s)") % {
            "n": version.number}, url=reverse("policy:home")))
    if is_hr(user) and is_out_of_date(version):
        items.append(WorkItem(
            title=_("The performance policy is out of date: publish a new version") if version else
            _("Publish the performance policy"), url=reverse("policy:draft"),
            detail=_("The configuration or the policy's text changed since the current version.") if version else ""))
    return items
