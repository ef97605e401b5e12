"""Writing the audit trail. Every service that changes data calls ``audit_record``."""
from __future__ import annotations

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .middleware import current_request_id
from .models import AuditEvent

_NOISE = frozenset({"updated_at", "created_at"})  # timestamps say nothing the audit row's own time does not


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """JSON-safe values of a model's concrete fields (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in _NOISE:
            continue
        data[field.name] = field.value_from_object(obj)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_record(*, actor, action: str, obj: models.Model | None = None, object_type: str = "",
                 object_id: str | int = "", object_repr: str = "", before: dict | None = None,
                 after: dict | None = None) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj, action=action, object_type=object_type, object_id=str(object_id),
        object_repr=object_repr[:255], before=before, after=after, request_id=current_request_id(),
    )


def audit_bulk(*, actor, action: str, rows: list[tuple[str, str, str, dict | None, dict | None]]) -> None:
    """Append many audit rows at once: (object_type, object_id, object_repr, before, after)."""
    rid = current_request_id()
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor=actor_obj, action=action, object_type=t, object_id=str(i), object_repr=r[:255],
                    before=b, after=a, request_id=rid) for t, i, r, b, a in rows],
        batch_size=2000,
    )
