"""Template helpers for coaching records, usable from other apps' templates (e.g. appraisals):

    {% load coaching %}
    {% include "coaching/_line_records.html" with records=coaching_by_line|for_line:line.pk %}

where ``coaching_by_line`` comes from ``apps.coaching.selectors.records_by_contract_line``.
"""
from django import template

register = template.Library()

KIND_CLASS = {"praise": "ok", "criticism": "bad", "help_requested": "warn", "help_given": "ok"}
SIGN_CLASS = {"awaiting": "warn", "escalated": "bad", "agreed": "ok", "disagreed": "warn"}


@register.filter
def for_line(records_by_line, line_id):
    """The list stored under ``line_id`` in a dict of records by contract line (empty when none)."""
    if not records_by_line:
        return []
    try:
        return records_by_line.get(int(line_id), [])
    except (TypeError, ValueError):
        return []


@register.filter
def kind_class(kind: str) -> str:
    return KIND_CLASS.get(kind, "")


@register.filter
def sign_class(status: str) -> str:
    return SIGN_CLASS.get(status, "")


_REVISION_FIELDS = ("summary", "kind", "channel", "source", "occurred_on", "period", "facts", "evidence",
                    "follow_up", "follow_up_due", "serious")


@register.filter
def revision_fields(revision):
    """(label, value) pairs of a revision's content, with choice values shown by their labels."""
    from django.utils.translation import gettext as _

    from ..models import CoachingRecord

    data = revision.data or {}
    out = []
    for name in _REVISION_FIELDS:
        if name not in data:
            continue
        field = CoachingRecord._meta.get_field(name)
        value = data[name]
        if field.choices:
            value = dict(field.flatchoices).get(value, value)
        elif name == "serious":
            value = _("yes") if value else _("no")
        out.append((field.verbose_name, value if value not in (None, "") else "—"))
    return out
