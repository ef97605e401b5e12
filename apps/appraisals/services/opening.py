"""Opening a cycle: creating its appraisals set-based, batch by batch, and the routine schedule.

Opening walks the population in employee-id order, one batch per transaction. Each batch costs a
fixed number of queries whatever its size (lock the cycle, read the batch of employees, the
appraisals they already have for the period, their contracts, the contract lines; bulk-create the
appraisals, their lines, the blockers and the audit rows; move the cursor). The cursor on the cycle
makes opening resumable: a worker killed mid-way rolls back its batch and the next run continues.
"""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.models import Contract, ContractLine
from apps.contracts.models import Status as ContractStatus
from apps.core.audit import audit_bulk, audit_record, snapshot
from apps.core.exceptions import ApplicationError, TransitionNotAllowed
from apps.core.periods import Period
from apps.org.models import Employee, Position
from apps.org.queries import department_subtree_q

from .. import permissions
from ..models import (
    DATA_KINDS,
    STAGE_ORDER,
    Appraisal,
    BlockerReason,
    Collection,
    Cycle,
    CycleBlocker,
    CycleSchedule,
    CycleStatus,
    ScoreLine,
    Status,
)
from .cycles import cycle_create, cycle_open
from .kernel import BATCH_SIZE, move_cycle, queue_task, runs_in_background, save


def population_q(cycle: Cycle, *, level_ids: list[int], dept_paths: list[str]) -> Q:
    """Active employees of the cycle's job levels (and departments, subtrees included) hired by the
    end of the period."""
    q = Q(is_active=True, position__job_level_id__in=level_ids,
          hire_date__lte=Period.parse(cycle.period).end)
    if dept_paths:
        dq = Q()
        for path in dept_paths:
            dq |= department_subtree_q(path)
        q &= dq
    return q


def population_count(cycle: Cycle) -> int:
    level_ids, dept_paths = _scope(cycle)
    return Employee.objects.filter(population_q(cycle, level_ids=level_ids, dept_paths=dept_paths)).count()


def _scope(cycle: Cycle) -> tuple[list[int], list[str]]:
    levels = list(cycle.job_levels.values_list("pk", flat=True))
    paths = list(cycle.departments.values_list("path", flat=True))
    return levels, paths


EMP_FIELDS = ("pk", "name_zh", "employee_no", "department_id", "supervisor_id", "position__job_level_id")


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # noqa: SLF001 - Django's documented Model._meta API


def _insert_appraisals(cycle: Cycle, contract_ids: list[int], now) -> None:
    """One INSERT ... SELECT: an appraisal per signed contract, with the employee's department, job level
    and appraiser and the contract's section weights copied (no Python object per row)."""
    marks = ",".join(["%s"] * len(contract_ids))
    kinds = ",".join(f"'{k}'" for k in sorted(DATA_KINDS))
    sql = f"""
        INSERT INTO {_table(Appraisal)} (created_at, updated_at, version, cycle_id, employee_id, contract_id, period,
            department_id, job_level_id, appraiser_id, status, lines_pending, lines_returned, verified_automatically,
            self_comment, self_not_submitted, manager_comment, manager_not_submitted, results_weight,
            behaviour_weight, plan_weight, grade, calibrated_grade, calibration_not_held, total_explanation_zh,
            total_explanation_en, overdue_stage)
        SELECT %s, %s, 1, %s, e.id, c.id, %s, e.department_id, p.job_level_id, COALESCE(c.appraiser_id, e.supervisor_id),
            %s, (SELECT COUNT(*) FROM {_table(ContractLine)} cl WHERE cl.contract_id = c.id
                 AND cl.rule ->> 'kind' IN ({kinds})),
            0, %s, '', %s, '', %s, c.results_weight, c.behaviour_weight, c.plan_weight, '', '', %s, '', '', ''
        FROM {_table(Contract)} c
        JOIN {_table(Employee)} e ON e.id = c.employee_id
        LEFT JOIN {_table(Position)} p ON p.id = e.position_id
        WHERE c.id IN ({marks})
        ORDER BY e.id"""  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cur:
        cur.execute(sql, [now, now, cycle.pk, cycle.period, Status.COLLECTING, False, False, False, False,
                          *contract_ids])


def _insert_lines(cycle: Cycle, first_id: int, last_id: int, now) -> None:
    """One INSERT ... SELECT: a score line per contract line of the appraisals ``first_id``..``last_id`` of
    the cycle (targets, weights, rules and data sources copied)."""
    q = connection.ops.quote_name
    kinds = ",".join(f"'{k}'" for k in sorted(DATA_KINDS))
    sql = f"""
        INSERT INTO {_table(ScoreLine)} (created_at, updated_at, version, appraisal_id, cycle_id, contract_line_id,
            section, {q("order")}, indicator_id, title, weight, standard, target, unit, due_date, milestones_total,
            rule, rule_kind, data_source_id, collection, evidence, return_reason, self_comment, manager_comment,
            explanation_zh, explanation_en, score_source)
        SELECT %s, %s, 1, a.id, a.cycle_id, cl.id, cl.section, cl.{q("order")}, cl.indicator_id, cl.title, cl.weight,
            cl.standard, cl.target, cl.unit, cl.due_date, cl.milestones_total, cl.rule,
            COALESCE(cl.rule ->> 'kind', ''), cl.data_source_id,
            CASE WHEN cl.rule ->> 'kind' IN ({kinds}) THEN %s ELSE %s END, '', '', '', '', '', '', ''
        FROM {_table(Appraisal)} a
        JOIN {_table(ContractLine)} cl ON cl.contract_id = a.contract_id
        WHERE a.cycle_id = %s AND a.id BETWEEN %s AND %s
        ORDER BY a.id, cl.section, cl.{q("order")}, cl.id"""  # noqa: S608 - names from the models, values as parameters
    with connection.cursor() as cur:
        cur.execute(sql, [now, now, Collection.PENDING, Collection.NONE, cycle.pk, first_id, last_id])


def _create_for(cycle: Cycle, emps: list[dict], *, actor) -> tuple[list[int], dict[int, tuple[str, str]], int]:
    """Create the appraisals of these employees (dicts of EMP_FIELDS) from their signed latest contracts,
    with one score line per contract line: a fixed number of statements whatever the number of people.
    Returns (employee ids given an appraisal, {employee id: (blocker reason, contract status)}, skipped)."""
    ids = [e["pk"] for e in emps]
    taken = set(Appraisal.objects.filter(employee_id__in=ids, period=cycle.period)
                .values_list("employee_id", flat=True))
    contracts = {eid: (pk, status) for pk, eid, status in Contract.objects.filter(
        employee_id__in=ids, period=cycle.period, is_latest=True).values_list("pk", "employee_id", "status")}
    blocked, signed = {}, []
    for e in emps:
        eid = e["pk"]
        if eid in taken:
            continue
        c = contracts.get(eid)
        if c is None:
            blocked[eid] = (BlockerReason.NO_CONTRACT, "")
        elif c[1] != ContractStatus.AGREED:
            blocked[eid] = (BlockerReason.NOT_SIGNED, c[1])
        else:
            signed.append(c[0])
    if not signed:
        return [], blocked, len(taken)
    now = timezone.now()
    _insert_appraisals(cycle, signed, now)
    created = list(Appraisal.objects.filter(cycle=cycle, contract_id__in=signed).order_by("pk")
                   .values_list("pk", "employee_id", "contract_id"))
    _insert_lines(cycle, created[0][0], created[-1][0], now)
    names = {e["pk"]: f"{e['name_zh']} ({e['employee_no']})" for e in emps}
    audit_bulk(actor=actor, action="appraisal.create", rows=[
        ("appraisals.appraisal", pk, f"{names[eid]} · {cycle.period}", None,
         {"cycle": cycle.pk, "employee": eid, "contract": cid, "status": Status.COLLECTING})
        for pk, eid, cid in created])
    return [eid for _pk, eid, _cid in created], blocked, len(taken)


def _populate_batch(*, cycle_id: int, actor, level_ids: list[int], dept_paths: list[str],
                    batch_size: int) -> int:
    """One batch of the population in one transaction. Returns how many employees it covered."""
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.status != CycleStatus.OPENING:
            return 0
        emps = list(Employee.objects.filter(population_q(cycle, level_ids=level_ids, dept_paths=dept_paths),
                                            pk__gt=cycle.opening_cursor)
                    .order_by("pk").values(*EMP_FIELDS)[:batch_size])
        if not emps:
            return 0
        _created, blocked, _skipped = _create_for(cycle, emps, actor=actor)
        depts = {e["pk"]: e["department_id"] for e in emps}
        CycleBlocker.objects.bulk_create([
            CycleBlocker(cycle=cycle, employee_id=eid, department_id=depts[eid], reason=reason,
                         contract_status=status) for eid, (reason, status) in blocked.items()],
            batch_size=BATCH_SIZE, ignore_conflicts=True)
        Cycle.objects.filter(pk=cycle.pk).update(opening_cursor=emps[-1]["pk"])
        return len(emps)


def cycle_populate(*, actor, cycle: Cycle, batch_size: int = BATCH_SIZE) -> dict:
    """Create the appraisals of an opening cycle, batch by batch, then mark it open. Safe to run twice
    or to resume after a crash: the cursor skips what is done; an open cycle is left as it is."""
    level_ids, dept_paths = _scope(cycle)
    covered = 0
    while True:
        n = _populate_batch(cycle_id=cycle.pk, actor=actor, level_ids=level_ids, dept_paths=dept_paths,
                            batch_size=batch_size)
        if not n:
            break
        covered += n
    with transaction.atomic():
        c = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if c.status == CycleStatus.OPENING:
            before = snapshot(c)
            move_cycle(c, "opened")
            save(c, fields=["status"])
            audit_record(actor=actor, action="cycle.opened", obj=c, before=before, after={
                **snapshot(c), "appraisals": Appraisal.objects.filter(cycle=c).count(),
                "blockers": CycleBlocker.objects.filter(cycle=c).count()})
    cycle.refresh_from_db()
    return {"covered": covered, "appraisals": Appraisal.objects.filter(cycle=cycle).count(),
            "blockers": CycleBlocker.objects.filter(cycle=cycle, resolved_at__isnull=True).count()}


def cycle_open_and_populate(*, actor, cycle: Cycle, batch_size: int = BATCH_SIZE) -> dict:
    """Open a draft cycle and create its appraisals (HR's button, the schedule, the demo, the bench).
    Opening an open cycle again creates nothing."""
    before = cycle.status
    cycle = cycle_open(actor=actor, cycle=cycle)
    if cycle.status == CycleStatus.OPEN and before == CycleStatus.OPEN:
        return {"covered": 0, "appraisals": Appraisal.objects.filter(cycle=cycle).count(),
                "blockers": CycleBlocker.objects.filter(cycle=cycle, resolved_at__isnull=True).count(),
                "already_open": True}
    return cycle_populate(actor=actor, cycle=cycle, batch_size=batch_size)


def cycle_open_start(*, actor, cycle: Cycle) -> dict:
    """HR opens a cycle (the page and the API alike). Up to the inline limit the appraisals are created
    in the request; above it the cycle is marked opening and a Celery task creates them (the page says
    so; reloading shows the progress). The result carries ``in_background``."""
    permissions.require_hr(actor)
    if not runs_in_background(population_count(cycle)):
        return {**cycle_open_and_populate(actor=actor, cycle=cycle), "in_background": False}
    with transaction.atomic():
        c = cycle_open(actor=actor, cycle=cycle)
        if c.status == CycleStatus.OPENING:
            queue_task("populate_cycle", c.pk, getattr(actor, "pk", None))
    return {"covered": 0, "appraisals": Appraisal.objects.filter(cycle=c).count(),
            "blockers": CycleBlocker.objects.filter(cycle=c, resolved_at__isnull=True).count(),
            "in_background": c.status == CycleStatus.OPENING}


def cycle_recheck_blockers(*, actor, cycle: Cycle, batch_size: int = BATCH_SIZE) -> dict:
    """HR re-checks the blockers of an open cycle: employees whose contract is signed now get their
    appraisal; the rest stay listed (with the contract's current status). People who joined the
    population since opening are added too."""
    permissions.require_hr(actor)
    level_ids, dept_paths = _scope(cycle)
    created_total, last = 0, 0
    while True:
        with transaction.atomic():
            c = Cycle.objects.select_for_update().get(pk=cycle.pk)
            if c.status not in (CycleStatus.OPEN, CycleStatus.PUBLISHED):
                raise TransitionNotAllowed(_("Only an open cycle's blockers can be re-checked."))
            blockers = list(CycleBlocker.objects.select_for_update().filter(
                cycle=c, resolved_at__isnull=True, pk__gt=last).order_by("pk")[:batch_size])
            if not blockers:
                break
            emps = list(Employee.objects.filter(pk__in=[b.employee_id for b in blockers]).values(*EMP_FIELDS))
            created, blocked, _skipped = _create_for(c, emps, actor=actor)
            now = timezone.now()
            for b in blockers:
                if b.employee_id in blocked:
                    b.reason, b.contract_status = blocked[b.employee_id]
                else:
                    b.resolved_at = now
            CycleBlocker.objects.bulk_update(blockers, ["reason", "contract_status", "resolved_at"])
            if created and c.status == CycleStatus.PUBLISHED:  # late joiners: the cycle is open again for them
                before = snapshot(c)
                move_cycle(c, "reopen")
                save(c, fields=["status"])
                audit_record(actor=actor, action="cycle.reopened", obj=c, before=before, after=snapshot(c))
            created_total += len(created)
            last = blockers[-1].pk
    # new members of the population since the cycle opened (the cursor continues from where it stopped)
    with transaction.atomic():
        c = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if c.status == CycleStatus.OPEN:
            before = snapshot(c)
            move_cycle(c, "repopulate")
            save(c, fields=["status"])
            audit_record(actor=actor, action="cycle.repopulate", obj=c, before=before, after=snapshot(c))
    result = cycle_populate(actor=actor, cycle=cycle, batch_size=batch_size)
    with transaction.atomic():
        audit_record(actor=actor, action="cycle.recheck_blockers", obj=cycle,
                     after={"created_from_blockers": created_total, "appraisals": result["appraisals"],
                            "blockers": result["blockers"]})
    return {**result, "created": created_total}



def today() -> dt.date:
    return timezone.localdate()


def scheduled_cycles_open(*, today: dt.date | None = None) -> list[int]:
    """Open the routine cycles of HR's schedule (the beat task, daily): for each active frequency, the
    period that just ended, with the schedule's deadlines (days after today) and policies. A cycle that
    exists already is left as it is, so running it again (the same day or later) opens nothing twice."""
    today = today or timezone.localdate()
    opened = []
    for sched in CycleSchedule.objects.filter(is_active=True).order_by("frequency"):
        period = Period.containing(sched.frequency, today).previous()
        cycle = Cycle.objects.filter(period=period.code, frequency=sched.frequency, scope_key="").first()
        if cycle is None:
            try:
                with transaction.atomic():
                    cycle = cycle_create(
                        actor=None, period=period.code, frequency=sched.frequency, job_levels=None,
                        deadlines={s: today + dt.timedelta(days=sched.days_for(s)) for s in STAGE_ORDER},
                        policies={s: sched.policy_for(s) for s in STAGE_ORDER}, grade_bands=sched.grade_bands,
                        is_routine=True)
            except IntegrityError:  # another beat run created it a moment ago
                continue
            except ApplicationError:  # e.g. no job level is appraised at this frequency
                continue
        if cycle.is_routine and cycle.status in (CycleStatus.DRAFT, CycleStatus.OPENING):
            cycle_open_and_populate(actor=None, cycle=cycle)
            opened.append(cycle.pk)
        CycleSchedule.objects.filter(pk=sched.pk).exclude(last_opened_period=period.code).update(
            last_opened_period=period.code)
    return opened
