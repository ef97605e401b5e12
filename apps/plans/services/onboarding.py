"""New hires: acknowledging the goals of their position (seed section 10)."""
from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.org.models import Employee

from .. import selectors
from ..models import GoalAcknowledgement
from .kernel import notify, supervisor_can_act


@transaction.atomic
def position_goals_acknowledge(*, actor, note: str = "", year: int | None = None) -> GoalAcknowledgement:
    """The employee acknowledges the goals of their position (and their own), discussed with the
    direct supervisor before the first period (seed section 10). Once per position and year."""
    me = Employee.objects.select_related("position", "supervisor").filter(user_id=actor.pk, is_active=True).first()
    if me is None:
        raise PermissionDenied(_("Only employees acknowledge their position goals."))
    year = year or timezone.localdate().year
    existing = GoalAcknowledgement.objects.filter(employee=me, position_id=me.position_id, year=year).first()
    if existing is not None:
        return existing
    goals = list(selectors.position_goals_for(me, year))
    if not goals:
        raise ApplicationError(_("There are no goals for your position in %(year)s yet; your supervisor sets them "
                                 "first.") % {"year": year})
    ack = GoalAcknowledgement(
        employee=me, position=me.position, year=year, discussed_with=me.supervisor, acknowledged_by=actor,
        note=(note or "").strip(),
        goals=[{"id": g.pk, "name": g.name_zh, "name_en": g.name_en, "period": g.period_code, "measure": g.measure,
                "target": str(g.target) if g.target is not None else None, "unit": g.unit, "weight": str(g.weight)}
               for g in goals])
    ack.full_clean()
    ack.save()
    audit_record(actor=actor, action="goal_acknowledgement.create", obj=ack, after=snapshot(ack))
    if supervisor_can_act(me):
        notify(me.supervisor.user,
                title=lambda: _("%(name)s acknowledged the position goals for %(year)s") % {"name": me.name,
                                                                                           "year": year},
                url=reverse("plans:acknowledge"))
    return ack
