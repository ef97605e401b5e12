"""Verification: HR (or the data owner of every data line) confirms an appraisal's data; its
ratio, deadline and milestone lines are scored by the engine at once, set-based in batches."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.contracts.scoring import ScoringError
from apps.core.audit import audit_bulk
from apps.core.concurrency import check_version
from apps.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.roles import is_hr
from apps.org.models import Department
from apps.org.queries import department_subtree_q

from .. import grading, permissions
from ..models import DATA_KINDS, Appraisal, Cycle, ScoreLine, Status
from .kernel import BATCH_SIZE, lock, move, queue_task, runs_in_background


def verify_locked(appraisal: Appraisal, *, actor, automatic: bool = False) -> bool:
    """Verify a locked appraisal and score its engine lines (no permission check: callers do it)."""
    if appraisal.status == Status.COLLECTING and appraisal.lines_pending:
        raise TransitionNotAllowed(
            _("%(name)s's actuals are not complete: %(n)s line(s) still wait for data.") % {
                "name": appraisal.employee.name, "n": appraisal.lines_pending},
            extra={"lines_pending": appraisal.lines_pending})
    if appraisal.status != Status.COLLECTING:
        return move(appraisal, "verify")  # a no-op when verified already, else refused
    done, _errors = verify_batch(actor=actor, appraisal_ids=[appraisal.pk], automatic=automatic, strict=True)
    appraisal.refresh_from_db()
    return bool(done)


def can_verify(user, appraisal: Appraisal, lines: list[ScoreLine] | None = None) -> bool:
    """HR, or the data owner when every data line of the appraisal is theirs; never the appraisee."""
    if permissions.is_self(user, appraisal):
        return False
    if is_hr(user):
        return True
    if lines is None:
        lines = list(appraisal.lines.all())
    data_lines = [ln for ln in lines if ln.needs_data]
    return bool(data_lines) and all(permissions.can_enter_actual(user, ln, appraisal) for ln in data_lines)


@transaction.atomic
def appraisal_verify(*, actor, appraisal: Appraisal, expected_version: int | None = None) -> Appraisal:
    """Confirm an appraisal's data complete and accurate: its ratio, deadline and milestone lines are
    scored by the engine at once. Only complete appraisals (no line awaiting data) can be verified."""
    a = lock(appraisal)
    if not can_verify(actor, a):
        if permissions.can_read(actor, a):
            raise PermissionDenied(_("Only HR or the data owner may verify an appraisal's data."))
        raise NotFound(_("Not found."))
    check_version(a, expected_version)
    verify_locked(a, actor=actor)
    return a


def complete_scope(cycle: Cycle, department: Department | None = None):
    """The appraisals of the cycle (or of a department and below) whose actuals are all in."""
    qs = Appraisal.objects.filter(cycle=cycle, status=Status.COLLECTING, lines_pending=0)
    if department is not None:
        qs = qs.filter(department_subtree_q(department))
    return qs


def cycle_verify_complete(*, actor, cycle: Cycle, department: Department | None = None) -> dict:
    """HR's "verify all complete" (the page and the API alike): in the request up to the inline limit,
    else queued in batches. Returns ``{"verified": n, "in_background": bool}`` (queued ones counted)."""
    permissions.require_hr(actor)
    background = runs_in_background(complete_scope(cycle, department).count())
    n = appraisals_verify_complete(actor=actor, cycle=cycle, department=department, in_background=background)
    return {"verified": n, "in_background": background}


def appraisals_verify_complete(*, actor, cycle: Cycle, department: Department | None = None,
                               batch_size: int = 1000, in_background: bool = False) -> int:
    """HR verifies every complete appraisal of the cycle (or of a department and below), in batches of
    one transaction each, scoring the engine lines set-based. Returns how many were verified (or, with
    ``in_background``, how many were queued: one Celery task per batch, spread over the workers)."""
    permissions.require_hr(actor)
    qs = complete_scope(cycle, department)
    done, last = 0, 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        if in_background:
            queue_task("verify_appraisals", ids, getattr(actor, "pk", None))
            done += len(ids)
        else:
            verified, _errors = verify_batch(actor=actor, appraisal_ids=ids)
            done += verified
        last = ids[-1]


# --- verification and scoring in batches ---------------------------------------------------------------

LINE_BATCH = 2000


def write_line_scores(rows: list[tuple]) -> None:
    """Write (id, score, attainment, explanation_zh, explanation_en, source, scored_at, ...) rows and bump the
    lines' versions: one UPDATE ... FROM (VALUES ...) per chunk on PostgreSQL, bulk_update elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = ScoreLine._meta.db_table  # noqa: SLF001 - Django's documented Model._meta API
        with connection.cursor() as cur:
            for i in range(0, len(rows), LINE_BATCH):
                chunk = rows[i:i + LINE_BATCH]
                values = ",".join(["(%s::bigint, %s::numeric, %s::numeric, %s, %s, %s, %s::timestamptz)"] * len(chunk))
                params = [p for row in chunk for p in row[:7]]
                cur.execute(
                    f"UPDATE {table} AS t SET score = v.score, attainment = v.attainment, "  # noqa: S608
                    "explanation_zh = v.zh, explanation_en = v.en, score_source = v.src, scored_at = v.at, "
                    "version = t.version + 1, updated_at = v.at "
                    f"FROM (VALUES {values}) AS v(id, score, attainment, zh, en, src, at) WHERE t.id = v.id",
                    params)
        return
    objs = []
    for pk, score, attainment, zh, en, src, at, *_rest in rows:
        objs.append(ScoreLine(pk=pk, score=score, attainment=attainment, explanation_zh=zh, explanation_en=en,
                              score_source=src, scored_at=at, updated_at=at))
    ScoreLine.objects.bulk_update(objs, ["score", "attainment", "explanation_zh", "explanation_en",
                                         "score_source", "scored_at", "updated_at"], batch_size=500)
    ScoreLine.objects.filter(pk__in=[r[0] for r in rows]).update(version=F("version") + 1)


class DataLine:
    """The few fields of a score line the engine needs, without a model instance per row."""

    FIELDS = ("pk", "appraisal_id", "title", "indicator__name_zh", "indicator__name_en", "rule", "rule_kind",
              "collection", "target", "actual", "due_date", "done_date", "milestones_done", "milestones_total")
    __slots__ = tuple(f.replace("__", "_") for f in FIELDS)

    def __init__(self, row):
        for name, value in zip(self.__slots__, row, strict=True):
            setattr(self, name, value)

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        en = (get_language() or "").startswith("en")
        return (self.indicator_name_en if en else self.indicator_name_zh) or self.indicator_name_zh or ""


def score_lines_of(appraisal_ids: Iterable[int], *, strict: bool, names: dict[int, str] | None = None,
                   only_unscored: bool = False) -> tuple[list[tuple], dict[int, str]]:
    """Evaluate the engine lines (ratio, deadline, milestones) of these appraisals. Returns the rows for
    :func:`write_line_scores` and {appraisal id: error} for appraisals whose data cannot be scored
    (``strict`` raises the first error instead)."""
    qs = ScoreLine.objects.filter(appraisal_id__in=list(appraisal_ids), rule_kind__in=list(DATA_KINDS))
    if only_unscored:
        qs = qs.filter(score__isnull=True)
    lines = [DataLine(row) for row in qs.order_by("appraisal_id", "pk").values_list(*DataLine.FIELDS)]
    results, failures = grading.score_data_lines(lines)
    now = timezone.now()
    errors = {}
    for line in lines:
        exc = failures.get(line.pk)
        if exc is not None and line.appraisal_id not in errors:
            name = (names or {}).get(line.appraisal_id, "")
            message = _("%(name)s · %(line)s: %(error)s") % {"name": name, "line": line.display_title,
                                                             "error": exc.message}
            if strict:
                raise ScoringError(message, field=exc.field)
            errors[line.appraisal_id] = message
    rows = [(ln.pk, r.score, r.attainment, r.explanation_zh, r.explanation_en, r.source, now, ln.appraisal_id)
            for ln in lines if ln.appraisal_id not in errors for r in (results[ln.pk],)]
    return rows, errors


def verify_batch(*, actor, appraisal_ids: list[int], automatic: bool = False,
                 strict: bool = False) -> tuple[int, dict[int, str]]:
    """Verify complete appraisals and score their engine lines in one transaction with a fixed number of
    queries: lock, read lines, write scores, flip the statuses, audit. Appraisals whose data cannot be
    scored stay collecting and are returned with the reason (``strict`` raises instead)."""
    with transaction.atomic():
        appraisals = list(Appraisal.objects.select_for_update(of=("self",)).filter(
            pk__in=appraisal_ids, status=Status.COLLECTING, lines_pending=0)
            .select_related("employee").only("pk", "version", "status", "period", "employee__name_zh",
                                              "employee__name_en", "employee__employee_no").order_by("pk"))
        if not appraisals:
            return 0, {}
        names = {a.pk: a.employee.name for a in appraisals}
        rows, errors = score_lines_of(names.keys(), strict=strict, names=names)
        write_line_scores(rows)
        ok = [a for a in appraisals if a.pk not in errors]
        now = timezone.now()
        user = actor if getattr(actor, "is_authenticated", False) else None
        Appraisal.objects.filter(pk__in=[a.pk for a in ok]).update(
            status=Status.VERIFIED, verified_at=now, verified_by=user, verified_automatically=automatic,
            overdue_stage="", overdue_since=None, version=F("version") + 1, updated_at=now)
        line_map: dict[int, dict] = defaultdict(dict)
        for row in rows:
            line_map[row[7]][str(row[0])] = str(row[1])
        audit_bulk(actor=actor, action="appraisal.verify", rows=[
            ("appraisals.appraisal", a.pk, f"{a.employee.name} ({a.employee.employee_no}) · {a.period}",
             {"status": Status.COLLECTING}, {"status": Status.VERIFIED, "automatic": automatic,
                                             "line_scores": line_map.get(a.pk, {})}) for a in ok])
        return len(ok), errors


def cycle_rescore_verified_lines(*, cycle: Cycle, batch_size: int = BATCH_SIZE) -> int:
    """Score the engine lines of verified (not yet published) appraisals that have no score, in batches
    (recovery after a crash, and the bench). Returns the number of lines scored."""
    done, last = 0, 0
    states = [Status.VERIFIED, Status.SELF_ASSESSED]
    while True:
        ids = list(Appraisal.objects.filter(cycle=cycle, status__in=states, pk__gt=last).order_by("pk")
                   .values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        with transaction.atomic():
            rows, _errors = score_lines_of(ids, strict=False, only_unscored=True)
            write_line_scores(rows)
        done += len(rows)
        last = ids[-1]

