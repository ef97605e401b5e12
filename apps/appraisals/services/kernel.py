"""The workflow kernel of the appraisal services (package-internal): row locks, the one place the
transition tables are checked, save-with-version, audit snapshots, the line counters and
notifications in each recipient's language. The stage modules build on these; nothing here
imports a stage module."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.audit import snapshot
from apps.core.concurrency import bump
from apps.core.exceptions import NotFound, TransitionNotAllowed
from apps.core.roles import HR_GROUP
from apps.notifications.services import notification_create
from apps.org.models import Department, Employee

from ..models import (
    AWAITING,
    CYCLE_TRANSITIONS,
    EDITS,
    TRANSITIONS,
    Appraisal,
    Collection,
    Cycle,
    CycleStatus,
    ScoreLine,
    Status,
)

# --- small helpers -----------------------------------------------------------------------------------

BATCH_SIZE = 1000  # appraisals per transaction in the set-based steps (opening, verifying, re-scoring)
LINE_SCORE_FIELDS = ("score", "attainment", "explanation_zh", "explanation_en", "score_source", "scored_at")
AUDIT_LINE_FIELDS = ("collection", "actual", "done_date", "milestones_done", "evidence", "return_reason",
                     "self_score", "self_comment", "manager_score", "manager_comment", "score", "attainment",
                     "score_source", "explanation_zh", "version")
AUDIT_APPRAISAL_FIELDS = ("status", "lines_pending", "lines_returned", "verified_automatically", "self_comment",
                          "self_not_submitted", "manager_comment", "manager_not_submitted", "results_score",
                          "behaviour_score", "plan_score", "total_score", "grade", "calibrated_grade",
                          "calibration_not_held", "overdue_stage", "version")


def snap_line(line: ScoreLine) -> dict:
    return snapshot(line, AUDIT_LINE_FIELDS)


def snap(appraisal: Appraisal) -> dict:
    return snapshot(appraisal, AUDIT_APPRAISAL_FIELDS)


def lock(appraisal_or_pk) -> Appraisal:
    pk = getattr(appraisal_or_pk, "pk", appraisal_or_pk)
    a = (Appraisal.objects.select_for_update(of=("self",))
         .select_related("cycle", "employee", "employee__user", "appraiser", "appraiser__user", "department")
         .filter(pk=pk).first())
    if a is None:
        raise NotFound(_("Not found."))
    return a


def lock_line(line_or_pk) -> tuple[ScoreLine, Appraisal]:
    """Lock the appraisal first, then its line (always in this order: no deadlocks)."""
    pk = getattr(line_or_pk, "pk", line_or_pk)
    appraisal_id = ScoreLine.objects.filter(pk=pk).values_list("appraisal_id", flat=True).first()
    if appraisal_id is None:
        raise NotFound(_("Not found."))
    appraisal = lock(appraisal_id)
    line = ScoreLine.objects.select_for_update(of=("self",)).select_related("data_source").get(pk=pk)
    line.appraisal = appraisal
    return line, appraisal


def status_label(status: str) -> str:
    return str(Status(status).label)


def refusal(action: str, status: str) -> str:
    """The plain reason why ``action`` is not possible in ``status``."""
    if status == Status.PUBLISHED:
        return _("This appraisal is published and locked; it can only be changed through an appeal.")
    before_verify = status == Status.COLLECTING
    if action in ("submit_scores", "manager_score"):
        if before_verify:
            return _("Scoring before verification is not allowed: the actuals of this appraisal have not been "
                     "verified yet.")
        if status == Status.VERIFIED:
            return _("The manager scores after the employee's self-assessment, which has not been submitted yet.")
        return _("The manager's scores of this appraisal were already submitted.")
    if action in ("submit_self", "self_score"):
        if before_verify:
            return _("The self-assessment opens once the actuals are verified; they are still being collected.")
        return _("The self-assessment of this appraisal was already submitted.")
    if action == "verify":
        return _("This appraisal was verified already; it is now “%(status)s”.") % {"status": status_label(status)}
    if action == "return":
        return _("Lines can be returned for re-collection only until the self-assessment starts; this appraisal "
                 "is “%(status)s”.") % {"status": status_label(status)}
    if action == "actual":
        return _("The actuals of this appraisal are verified; HR must return the line for re-collection before "
                 "it can be changed.")
    if action == "publish":
        return _("Only scored appraisals can be published; this one is “%(status)s”.") % {
            "status": status_label(status)}
    if action == "calibrate":
        return _("Only scored appraisals can be calibrated; this one is “%(status)s”.") % {
            "status": status_label(status)}
    return _("This is not possible while the appraisal is “%(status)s”.") % {"status": status_label(status)}


def move(appraisal: Appraisal, action: str) -> bool:
    """Apply the transition ``action`` (the one place the table is checked). Returns False for a no-op
    move (already in the target state), raises TransitionNotAllowed for an illegal one."""
    sources, target = TRANSITIONS[action]
    if appraisal.status not in sources:
        if appraisal.status == target:
            return False
        raise TransitionNotAllowed(refusal(action, appraisal.status),
                                   extra={"status": appraisal.status, "action": action})
    if appraisal.status != target:
        appraisal.overdue_stage, appraisal.overdue_since = "", None
    appraisal.status = target
    return True


def require_edit(appraisal: Appraisal, edit: str) -> None:
    if appraisal.status not in EDITS[edit]:
        raise TransitionNotAllowed(refusal(edit, appraisal.status), extra={"status": appraisal.status})


def move_cycle(cycle: Cycle, action: str) -> bool:
    sources, target = CYCLE_TRANSITIONS[action]
    if cycle.status not in sources:
        if cycle.status == target:
            return False
        raise TransitionNotAllowed(
            _("This cycle is “%(status)s”; that step is not possible now.") % {
                "status": CycleStatus(cycle.status).label})
    cycle.status = target
    return True


def save(obj, *, fields: Iterable[str] | None = None) -> None:
    bump(obj)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    if fields is None:
        obj.save()
    else:
        obj.save(update_fields=[*fields, "version", "updated_at"])


def recount_scope(scope) -> None:
    """Recompute the lines awaiting actuals and the returned lines of the appraisals of ``scope`` (a
    queryset): one UPDATE."""

    def counter(statuses):
        sub = (ScoreLine.objects.filter(appraisal_id=OuterRef("pk"), collection__in=list(statuses))
               .order_by().values("appraisal_id").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    scope.update(lines_pending=counter(AWAITING), lines_returned=counter([Collection.RETURNED]))


def recount(appraisal_ids: Iterable[int]) -> None:
    """Recompute the counters of these appraisals: one UPDATE."""
    ids = list(appraisal_ids)
    if ids:
        recount_scope(Appraisal.objects.filter(pk__in=ids))


def refresh_counts(appraisal: Appraisal) -> None:
    recount([appraisal.pk])
    appraisal.lines_pending, appraisal.lines_returned = (
        Appraisal.objects.filter(pk=appraisal.pk).values_list("lines_pending", "lines_returned").get())


# --- notifications -----------------------------------------------------------------------------------

def _languages(user_ids: Iterable[int]) -> dict[int, str]:
    from apps.accounts.models import UserPreference

    return dict(UserPreference.objects.filter(user_id__in=list(user_ids)).exclude(language="")
                .values_list("user_id", "language"))


def notify(user_ids: Iterable[int | None], *, title: Callable[[], str], body: Callable[[], str] | None = None,
           url: str = "", dedupe: Callable[[int], str] | None = None) -> int:
    """Notify each user once, in the user's own language. Returns how many notifications were created."""
    ids = sorted({u for u in user_ids if u})
    if not ids:
        return 0
    User = get_user_model()
    users = User.objects.in_bulk(ids)
    langs = _languages(ids)
    sent = 0
    for uid in ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        with translation.override(langs.get(uid) or settings.LANGUAGE_CODE):
            note = notification_create(recipient=user, title=str(title()), body=str(body()) if body else "",
                                       url=url, dedupe_key=dedupe(uid) if dedupe else None)
        sent += note is not None
    return sent


def data_owner_user_ids(department_ids: Iterable[int]) -> dict[int, set[int]]:
    """The users who answer for a data-source department: its head, or everyone in it without a head."""
    ids = [d for d in set(department_ids) if d]
    out: dict[int, set[int]] = {d: set() for d in ids}
    if not ids:
        return out
    heads = dict(Department.objects.filter(pk__in=ids, head__user__isnull=False, head__is_active=True)
                 .values_list("pk", "head__user_id"))
    for d, u in heads.items():
        out[d].add(u)
    headless = [d for d in ids if d not in heads]
    if headless:
        for d, u in (Employee.objects.filter(department_id__in=headless, is_active=True, user__isnull=False)
                     .values_list("department_id", "user_id")):
            out[d].add(u)
    return out


def hr_user_ids() -> set[int]:
    User = get_user_model()
    return set(User.objects.filter(groups__name=HR_GROUP, is_active=True).values_list("pk", flat=True))


def appraisal_url(appraisal_id: int) -> str:
    return reverse("appraisals:detail", args=[appraisal_id])


# --- background work ---------------------------------------------------------------------------------

INLINE_LIMIT = 2000  # above this many people or appraisals, opening and verifying run as Celery tasks


def runs_in_background(n: int) -> bool:
    """Whether work on ``n`` people or appraisals is queued (Celery) rather than done in the request:
    the one rule for HR's buttons and the API alike (``settings.APPRAISALS_INLINE_LIMIT`` overrides)."""
    return n > getattr(settings, "APPRAISALS_INLINE_LIMIT", INLINE_LIMIT)


def queue_task(name: str, *args) -> None:
    """Queue the Celery task ``apps.appraisals.tasks.<name>`` with ``args`` once the transaction commits.

    By name, so that the services never import the tasks module (the tasks import the services);
    ``AppraisalsConfig.ready()`` imports the tasks, so they are registered in every process and run
    inline where Celery runs tasks eagerly (the tests)."""
    from celery import current_app

    signature = current_app.signature(f"apps.appraisals.tasks.{name}", args=args)
    transaction.on_commit(signature.delay)
