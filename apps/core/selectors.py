from __future__ import annotations

from django.db.models import Q, QuerySet

from .exceptions import NotFound
from .models import AuditEvent
from .roles import is_hr


def audit_event_list(*, user, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit rows for HR, with the usual filters. Anyone else sees nothing (the page answers 404)."""
    if not is_hr(user):
        raise NotFound("Not found.")
    qs = AuditEvent.objects.select_related("actor")
    f = filters or {}
    if f.get("action"):
        qs = qs.filter(action__icontains=f["action"])
    if f.get("object_type"):
        qs = qs.filter(object_type=f["object_type"])
    if f.get("object_id"):
        qs = qs.filter(object_id=str(f["object_id"]))
    if f.get("actor"):
        qs = qs.filter(Q(actor__username__icontains=f["actor"]))
    if f.get("q"):
        qs = qs.filter(Q(object_repr__icontains=f["q"]) | Q(action__icontains=f["q"]))
    if f.get("since"):
        qs = qs.filter(at__date__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(at__date__lte=f["until"])
    return qs
