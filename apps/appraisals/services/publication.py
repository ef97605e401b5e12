"""Publication: one appraisal or a whole cycle (or department), refused while the cycle requires
calibration or a department breaks a hard grade quota; employees are notified and
``signals.appraisal_published`` is sent for every appraisal published."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import check_version
from apps.core.exceptions import ApplicationError, TransitionNotAllowed
from apps.core.periods import Period
from apps.core.roles import is_hr
from apps.org.models import Department
from apps.org.queries import department_subtree_q

from .. import permissions, signals
from ..models import Appraisal, Cycle, CycleStatus, Status
from .kernel import appraisal_url, lock, move, move_cycle, notify, refusal, save, snap, status_label


def publish_locked(a: Appraisal, *, actor) -> bool:
    if a.cycle.requires_calibration and a.status == Status.SCORED:
        raise TransitionNotAllowed(_("This cycle requires calibration before publication; %(name)s's grade "
                                     "has not been calibrated yet.") % {"name": a.employee.name})
    before = snap(a)
    if not move(a, "publish"):
        return False
    a.published_at = timezone.now()
    a.published_by = actor if getattr(actor, "is_authenticated", False) else None
    save(a)
    audit_record(actor=actor, action="appraisal.publish", obj=a, before=before, after=snap(a))
    signals.appraisal_published.send(sender=Appraisal, appraisal=a, actor=actor)
    emp = a.employee
    notify([emp.user_id], title=lambda: _("Your appraisal for %(period)s is published") % {
        "period": Period.parse(a.period).label},
        body=lambda: _("Open it to see every line's actual, score and explanation."),
        url=appraisal_url(a.pk), dedupe=lambda uid: f"appraisals:published:{a.pk}")
    return True


def ready_statuses(cycle: Cycle) -> list[str]:
    """The statuses an appraisal of ``cycle`` is published from (calibrated only, when it requires it)."""
    return [Status.CALIBRATED] if cycle.requires_calibration else [Status.SCORED, Status.CALIBRATED]


def require_publishable(a: Appraisal) -> None:
    """The rule of publishing one appraisal (raises with the reason): scored, calibrated first when the
    cycle requires it, and no hard grade quota broken in its department (unless HR overrode)."""
    if a.status == Status.PUBLISHED:
        return  # publishing again is a no-op
    if a.cycle.requires_calibration and a.status == Status.SCORED:
        raise TransitionNotAllowed(_("This cycle requires calibration before publication; %(name)s's grade "
                                     "has not been calibrated yet.") % {"name": a.employee.name})
    if a.status not in ready_statuses(a.cycle):
        raise TransitionNotAllowed(refusal("publish", a.status), extra={"status": a.status, "action": "publish"})
    require_quotas_met(a.cycle, a.department, only_department=True)


def can_publish(user, a: Appraisal) -> bool:
    """Whether ``user`` may publish ``a`` now: the page's button and the API's ``actions`` ask this, and
    :func:`appraisal_publish` refuses exactly when it is False (HR only; not once published)."""
    if a.status == Status.PUBLISHED or not is_hr(user):
        return False
    try:
        require_publishable(a)
    except ApplicationError:
        return False
    return True


def publish_checked(a: Appraisal, *, actor) -> bool:
    """Publish one locked appraisal under :func:`require_publishable`: HR's button and the publication
    deadline's "advance" policy both come through here."""
    require_publishable(a)
    return publish_locked(a, actor=actor)


@transaction.atomic
def appraisal_publish(*, actor, appraisal: Appraisal, expected_version: int | None = None) -> Appraisal:
    if actor is not None:
        permissions.require_hr(actor)
    a = lock(appraisal)
    check_version(a, expected_version)
    publish_checked(a, actor=actor)
    maybe_close_cycle(a.cycle_id, actor=actor)
    return a


def maybe_close_cycle(cycle_id: int, *, actor) -> None:
    if Appraisal.objects.filter(cycle_id=cycle_id).exclude(status=Status.PUBLISHED).exists():
        return
    c = Cycle.objects.select_for_update().get(pk=cycle_id)
    if c.status != CycleStatus.OPEN:
        return
    before = snapshot(c)
    move_cycle(c, "published")
    c.published_at = timezone.now()
    save(c, fields=["status", "published_at"])
    audit_record(actor=actor, action="cycle.published", obj=c, before=before, after=snapshot(c))


def cycle_publish(*, actor, cycle: Cycle, department: Department | None = None, ready_only: bool = False,
                  batch_size: int = 200) -> int:
    """HR publishes the cycle, or one department (and below), after scoring (and calibration when the
    cycle requires it). Refused while any appraisal of the scope is not ready, unless ``ready_only``.
    Each batch is one transaction; employees are notified. Returns how many were published."""
    permissions.require_hr(actor)
    c = Cycle.objects.get(pk=cycle.pk)
    if c.status not in (CycleStatus.OPEN, CycleStatus.PUBLISHED):
        raise TransitionNotAllowed(_("Open the cycle first: there is nothing to publish."))
    ready = ready_statuses(c)
    scope = Appraisal.objects.filter(cycle=c)
    if department is not None:
        scope = scope.filter(department_subtree_q(department))
    waiting = dict(scope.exclude(status__in=[*ready, Status.PUBLISHED]).values_list("status")
                   .annotate(n=Count("pk")).order_by())
    if waiting and not ready_only:
        detail = ", ".join(f"{status_label(s)}: {n}" for s, n in waiting.items())
        raise TransitionNotAllowed(
            _("%(n)s appraisal(s) of this scope are not ready to publish (%(detail)s). Publish when all are "
              "scored%(calibrated)s, or publish only the ready ones.") % {
                "n": sum(waiting.values()), "detail": detail,
                "calibrated": _(" and calibrated") if c.requires_calibration else ""},
            extra={"waiting": waiting})
    require_quotas_met(c, department)
    published, last = 0, 0
    while True:
        ids = list(scope.filter(status__in=ready, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            for a in (Appraisal.objects.select_for_update(of=("self",)).select_related("cycle", "employee")
                      .filter(pk__in=ids).order_by("pk")):
                if a.status in ready:
                    published += publish_locked(a, actor=actor)
        last = ids[-1]
    with transaction.atomic():
        audit_record(actor=actor, action="cycle.publish", obj=c, after={
            "department": department.pk if department else None, "published": published, "ready_only": ready_only})
        maybe_close_cycle(c.pk, actor=actor)
    return published


def require_quotas_met(cycle: Cycle, department: Department | None = None, *,
                        only_department: bool = False) -> None:
    """Refuse publication while a department of the scope breaks a hard quota (unless HR overrode)."""
    from ..selectors import hard_quota_breaches

    if cycle.quota_override_reason:
        return
    breaches = hard_quota_breaches(cycle, department)
    if only_department and department is not None:
        breaches = [(d, q) for d, q in breaches if d.pk == department.pk]
    if breaches:
        detail = "; ".join(f"{d.name}: {q.label}" for d, q in breaches[:10])
        raise TransitionNotAllowed(
            _("Publication is blocked: %(n)s department(s) break a hard grade quota (%(detail)s). Calibrate "
              "the grades, or HR overrides with a reason.") % {"n": len({d.pk for d, _q in breaches}),
                                                                "detail": detail},
            extra={"breaches": [{"department": d.pk, "quota": q.pk} for d, q in breaches]})
