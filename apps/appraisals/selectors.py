"""Reads shared by pages, the API and the worklist; every list filtered by access, with its joins."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.exceptions import NotFound
from apps.core.models import AuditEvent
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org.models import Department
from apps.org.queries import department_subtree_q, employee_search_q

from . import permissions
from .models import (
    AWAITING,
    DATA_KINDS,
    DONE_AT,
    STAGE_ORDER,
    Appraisal,
    Collection,
    Cycle,
    CycleBlocker,
    CycleStatus,
    ScoreLine,
    Stage,
    Status,
)

# --- cycles ------------------------------------------------------------------------------------------


# the filters of the cycle lists (HR's page and the API), one piece each
CYCLE_FILTERS = {
    "q": lambda qs, value, *, user=None: qs.filter(Q(title__icontains=value.strip())
                                                   | Q(period__icontains=value.strip())),
    "status": lambda qs, value, *, user=None: qs.filter(status=value),
    "frequency": lambda qs, value, *, user=None: qs.filter(frequency=value),
}


def cycle_list(*, user, filters: dict | None = None) -> QuerySet[Cycle]:
    qs = Cycle.objects.all()
    if not is_hr(user):
        qs = qs.exclude(status=CycleStatus.DRAFT)
    for name, value in (filters or {}).items():
        if value and name in CYCLE_FILTERS:
            qs = CYCLE_FILTERS[name](qs, value, user=user)
    if permissions.sees_company_aggregates(user):  # company-wide counts follow the aggregate policy
        qs = qs.annotate(
            appraisal_count=Count("appraisals", distinct=True),
            published_count=Count("appraisals", filter=Q(appraisals__status=Status.PUBLISHED), distinct=True))
    return qs.order_by("-period", "frequency", "-pk")


def cycle_get(*, user, pk) -> Cycle:
    cycle = Cycle.objects.filter(pk=pk).prefetch_related("stages").first()
    if cycle is None or (cycle.status == CycleStatus.DRAFT and not is_hr(user)):
        raise NotFound(_("Not found."))
    return cycle


def _progress_counts() -> dict:
    done = {f"done_{s}": Count("pk", filter=Q(status__in=list(DONE_AT[s]))) for s in STAGE_ORDER}
    return {
        "total": Count("pk"),
        "complete": Count("pk", filter=Q(lines_pending=0) | ~Q(status=Status.COLLECTING)),
        "verified": Count("pk", filter=~Q(status=Status.COLLECTING)),
        "returned": Count("pk", filter=Q(lines_returned__gt=0)),
        "overdue": Count("pk", filter=~Q(overdue_stage="")),
        **done,
    }


@dataclass
class StageBar:
    stage: str
    label: str
    due_date: object
    policy: str
    done: int
    total: int
    overdue: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def _stage_key(stage: str) -> str:
    return "complete" if stage == Stage.ACTUALS else f"done_{stage}"


def cycle_progress(cycle: Cycle, *, today=None) -> dict:
    """Counts of the whole cycle and a bar per stage: one aggregate query."""
    from django.utils import timezone

    today = today or timezone.localdate()
    agg = Appraisal.objects.filter(cycle=cycle).aggregate(**_progress_counts())
    stages = {s.stage: s for s in cycle.stages.all()}
    bars = []
    for s in STAGE_ORDER:
        if s == Stage.CALIBRATION and not cycle.requires_calibration:
            continue
        row = stages.get(s)
        done = agg[_stage_key(s)]
        bars.append(StageBar(stage=s, label=str(Stage(s).label), due_date=row.due_date if row else None,
                             policy=row.get_policy_display() if row else "", done=done, total=agg["total"],
                             overdue=bool(row and row.due_date < today and done < agg["total"])))
    return {"counts": agg, "bars": bars}


def cycle_department_progress(cycle: Cycle) -> list[dict]:
    """Per department (the department of each appraisal at opening): complete, verified, returned and
    the stage counts. One grouped query; departments in tree order."""
    rows = list(Appraisal.objects.filter(cycle=cycle).values(
        "department_id", "department__name_zh", "department__name_en", "department__path", "department__depth")
        .annotate(**_progress_counts()).order_by("department__path"))
    keys = [_stage_key(s) for s in STAGE_ORDER if s != Stage.CALIBRATION or cycle.requires_calibration]
    for r in rows:
        r["department"] = Department(pk=r["department_id"], name_zh=r["department__name_zh"],
                                     name_en=r["department__name_en"], depth=r["department__depth"])
        r["bars"] = [(k, round(100 * r[k] / r["total"]) if r["total"] else 0) for k in keys]
        r["published_percent"] = round(100 * r["done_publish"] / r["total"]) if r["total"] else 0
    return rows


def cycle_blockers(*, cycle: Cycle, filters: dict | None = None) -> QuerySet[CycleBlocker]:
    qs = (CycleBlocker.objects.filter(cycle=cycle, resolved_at__isnull=True)
          .select_related("employee", "employee__supervisor", "department"))
    f = filters or {}
    if f.get("department"):
        qs = qs.filter(department_subtree_q(f["department"]))
    return qs.order_by("department__path", "employee__employee_no")


# --- appraisals --------------------------------------------------------------------------------------

APPRAISAL_JOINS = ("cycle", "employee", "department", "appraiser", "job_level")


def _department_piece(qs, value, *, user=None):
    dept = value if isinstance(value, Department) else Department.objects.filter(pk=int(value)).first()
    return qs.filter(department_subtree_q(dept)) if dept is not None else qs.none()


def _mine_piece(qs, value, *, user=None):
    return qs.filter(appraiser_id=permissions.viewer(user).employee_id or 0) if value else qs


# the filters of the appraisal lists (HR's list page and the API), one piece each
APPRAISAL_FILTERS = {
    "cycle": lambda qs, value, *, user=None: qs.filter(cycle_id=getattr(value, "pk", value)),
    "status": lambda qs, value, *, user=None: qs.filter(status=value),
    "department": _department_piece,
    "q": lambda qs, value, *, user=None: qs.filter(employee_search_q(value, "employee__")),
    "overdue": lambda qs, value, *, user=None: qs.exclude(overdue_stage="") if value else qs,
    "returned": lambda qs, value, *, user=None: qs.filter(lines_returned__gt=0) if value else qs,
    "grade": lambda qs, value, *, user=None: qs.filter(Q(calibrated_grade=value) | Q(calibrated_grade="", grade=value)),
    "mine": _mine_piece,
}


def appraisal_scope(*, user) -> QuerySet[Appraisal]:
    """The appraisals the user may read, joined for the lists, in list order; the filters narrow it."""
    return (Appraisal.objects.filter(permissions.appraisal_scope_q(user)).select_related(*APPRAISAL_JOINS)
            .order_by("cycle__period", "department__path", "employee__employee_no"))


def appraisal_list(*, user, filters: dict | None = None) -> QuerySet[Appraisal]:
    qs = appraisal_scope(user=user)
    for name, value in (filters or {}).items():
        if value and name in APPRAISAL_FILTERS:
            qs = APPRAISAL_FILTERS[name](qs, value, user=user)
    return qs


def appraisal_get(*, user, pk) -> tuple[Appraisal, set[str]]:
    """One appraisal and the user's relations to it; 404 unless the user may read it."""
    a = Appraisal.objects.select_related(*APPRAISAL_JOINS, "employee__supervisor", "contract").filter(pk=pk).first()
    if a is None:
        raise NotFound(_("Not found."))
    return a, permissions.require_read(user, a)


def appraisal_lines(appraisal: Appraisal) -> list[ScoreLine]:
    return list(ScoreLine.objects.filter(appraisal=appraisal).select_related("indicator", "data_source")
                .order_by("section", "order", "pk"))


@dataclass(frozen=True)
class Visibility:
    """What of an appraisal a reader sees (employee, managers and HR; never data owners)."""

    self_assessment: bool
    manager_scores: bool
    total: bool
    history: bool


def visibility(relations: set[str], appraisal: Appraisal) -> Visibility:
    managerial = bool(relations & {"hr", "direct", "chain", "appraiser"})
    is_self = "self" in relations
    submitted = appraisal.status not in (Status.COLLECTING, Status.VERIFIED)
    published = appraisal.status == Status.PUBLISHED
    return Visibility(
        self_assessment=is_self or (managerial and submitted),
        manager_scores=managerial or published,
        total=managerial or published,
        history=managerial,
    )


def appraisal_history(appraisal: Appraisal, lines: list[ScoreLine], *, limit: int = 200) -> list[AuditEvent]:
    """Every change of the appraisal and its lines: who, when, before and after."""
    q = Q(object_type="appraisals.appraisal", object_id=str(appraisal.pk))
    if lines:
        q |= Q(object_type="appraisals.scoreline", object_id__in=[str(ln.pk) for ln in lines])
    return list(AuditEvent.objects.filter(q).select_related("actor").order_by("-at", "-id")[:limit])


def my_appraisals(*, user) -> QuerySet[Appraisal]:
    v = permissions.viewer(user)
    return (Appraisal.objects.filter(employee_id=v.employee_id or 0).select_related(*APPRAISAL_JOINS)
            .order_by("-period", "-pk"))


def team_appraisals(*, user, filters: dict | None = None) -> QuerySet[Appraisal]:
    """The appraisals a manager scores, or of the people reporting to them directly."""
    v = permissions.viewer(user)
    if not v.employee_id:
        return Appraisal.objects.none()
    qs = (Appraisal.objects.filter(Q(appraiser_id=v.employee_id) | Q(employee__supervisor_id=v.employee_id))
          .select_related(*APPRAISAL_JOINS))
    f = filters or {}
    if f.get("cycle"):
        qs = qs.filter(cycle_id=getattr(f["cycle"], "pk", f["cycle"]))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(employee_search_q(q, "employee__"))
    return qs.order_by("-cycle__period", "employee__employee_no")


def team_blockers(*, user) -> QuerySet[CycleBlocker]:
    v = permissions.viewer(user)
    return (CycleBlocker.objects.filter(employee__supervisor_id=v.employee_id or 0, resolved_at__isnull=True,
                                        cycle__status=CycleStatus.OPEN)
            .select_related("employee", "cycle").order_by("cycle", "employee__employee_no"))


def needs_from(appraisal: Appraisal, viewer_employee_id: int | None) -> str:
    """Who the appraisal waits on, in words, from the manager's point of view."""
    if appraisal.status == Status.COLLECTING:
        return _("Data owners: %(n)s actual(s) missing") % {"n": appraisal.lines_pending} if appraisal.lines_pending \
            else _("HR: verification")
    if appraisal.status == Status.VERIFIED:
        return _("The employee: self-assessment")
    if appraisal.status == Status.SELF_ASSESSED:
        if appraisal.appraiser_id == viewer_employee_id:
            return _("You: scoring")
        return _("The appraiser: scoring")
    if appraisal.status in (Status.SCORED, Status.CALIBRATED):
        return _("HR: publication")
    return _("Nobody: published")


def next_step(appraisal: Appraisal, relations: set[str]) -> str:
    """What the appraisal waits for, in words, from the reader's point of view ("" once published)."""
    status = appraisal.status
    if status == Status.COLLECTING:
        if appraisal.lines_pending:
            return _("Waiting for the data owners: %(n)s actual(s) still missing.") % {"n": appraisal.lines_pending}
        return _("Waiting for HR to verify the data.")
    if status == Status.VERIFIED:
        if "self" in relations:
            return _("Your turn: write your self-assessment below.")
        return _("Waiting for the employee's self-assessment.")
    if status == Status.SELF_ASSESSED:
        if "appraiser" in relations:
            return _("Your turn: score the lines below and write an overall comment.")
        return _("Waiting for the appraiser's scores.")
    if status in (Status.SCORED, Status.CALIBRATED):
        return _("Waiting for HR to publish the result.")
    return ""


# --- actuals -----------------------------------------------------------------------------------------

ACTUAL_STATUSES = {"open": list(AWAITING), "pending": [Collection.PENDING], "returned": [Collection.RETURNED],
                   "entered": [Collection.ENTERED], "missing": [Collection.MISSING]}


def _actual_status_piece(qs, value, *, user=None):
    if value not in ACTUAL_STATUSES:
        return qs
    qs = qs.filter(collection__in=ACTUAL_STATUSES[value])
    return qs.filter(appraisal__status=Status.COLLECTING) if value != "entered" else qs


# the filters of the actuals lists (the data owners' page and the API), one piece each
ACTUAL_LINE_FILTERS = {
    "cycle": lambda qs, value, *, user=None: qs.filter(cycle_id=getattr(value, "pk", value)),
    "status": _actual_status_piece,
    "data_source": lambda qs, value, *, user=None: qs.filter(data_source_id=getattr(value, "pk", value)),
    "q": lambda qs, value, *, user=None: qs.filter(employee_search_q(value, "appraisal__employee__")
                                                   | Q(indicator__code__icontains=value.strip())
                                                   | Q(title__icontains=value.strip())),
}


def actual_line_scope(*, user) -> QuerySet[ScoreLine]:
    """The lines whose actuals the user provides (HR: all), in open cycles, in list order. Only data
    fields are meant to be shown from these rows: never scores or comments."""
    return (ScoreLine.objects.filter(permissions.actuals_scope_q(user), rule_kind__in=list(DATA_KINDS),
                                     cycle__status=CycleStatus.OPEN)
            .select_related("appraisal", "appraisal__employee", "appraisal__department", "indicator",
                            "data_source", "cycle")
            .order_by("cycle_id", "appraisal__department__path", "appraisal__employee__employee_no", "section",
                      "order", "pk"))


def actual_line_list(*, user, filters: dict | None = None) -> QuerySet[ScoreLine]:
    """:func:`actual_line_scope` narrowed by ``filters`` (the names of ``ACTUAL_LINE_FILTERS``)."""
    qs = actual_line_scope(user=user)
    for name, value in (filters or {}).items():
        if value and name in ACTUAL_LINE_FILTERS:
            qs = ACTUAL_LINE_FILTERS[name](qs, value, user=user)
    return qs


def actual_line_get(*, user, pk) -> ScoreLine:
    line = (ScoreLine.objects.select_related("appraisal", "appraisal__employee", "indicator", "data_source", "cycle")
            .filter(pk=pk).first())
    if line is None or not line.needs_data:
        raise NotFound(_("Not found."))
    permissions.require_line_data(user, line, line.appraisal)
    return line


def is_data_owner(user) -> bool:
    ids = permissions.data_source_ids(user)
    if not ids:
        return False
    return ScoreLine.objects.filter(data_source_id__in=list(ids), cycle__status=CycleStatus.OPEN).exists()


def line_for_scoring(*, user, pk) -> ScoreLine:
    line = ScoreLine.objects.select_related("appraisal__employee", "indicator").filter(pk=pk).first()
    if line is None:
        raise NotFound(_("Not found."))
    permissions.require_read(user, line.appraisal)
    return line


# --- "my work" ---------------------------------------------------------------------------------------

def appraisal_work_items(user) -> list[WorkItem]:
    """What waits for the user in appraisals: a fixed number of queries."""
    items: list[WorkItem] = []
    if not getattr(user, "is_authenticated", False):
        return items
    v = permissions.viewer(user)
    if v.employee_id:
        own = (Appraisal.objects.filter(employee_id=v.employee_id, status=Status.VERIFIED)
               .select_related("cycle").first())
        if own is not None:
            due = own.cycle.stages.filter(stage=Stage.SELF_ASSESSMENT).values_list("due_date", flat=True).first()
            items.append(WorkItem(title=_("Write your self-assessment for %(period)s") % {"period": own.period_label},
                                  url=reverse("appraisals:detail", args=[own.pk]), due=due,
                                  overdue=own.overdue_stage == Stage.SELF_ASSESSMENT))
        to_score = Appraisal.objects.filter(appraiser_id=v.employee_id, status=Status.SELF_ASSESSED).count()
        if to_score:
            items.append(WorkItem(title=_("Score your team's appraisals"), url=reverse("appraisals:team"),
                                  count=to_score))
    ids = permissions.data_source_ids(user)
    if ids:
        n = ScoreLine.objects.filter(data_source_id__in=list(ids), collection__in=list(AWAITING),
                                     appraisal__status=Status.COLLECTING, cycle__status=CycleStatus.OPEN
                                     ).exclude(appraisal__employee_id=v.employee_id).count()
        if n:
            items.append(WorkItem(title=_("Enter actuals for the appraisals"), url=reverse("appraisals:actuals"),
                                  count=n, detail=_("lines whose data your department provides")))
    if is_hr(user):
        n = Appraisal.objects.filter(cycle__status=CycleStatus.OPEN, status=Status.COLLECTING,
                                     lines_pending=0).count()
        if n:
            items.append(WorkItem(title=_("Verify appraisal data"), url=reverse("appraisals:cycles"), count=n))
        blockers = CycleBlocker.objects.filter(cycle__status=CycleStatus.OPEN, resolved_at__isnull=True).count()
        if blockers:
            items.append(WorkItem(title=_("Employees without a signed contract in open cycles"),
                                  url=reverse("appraisals:cycles"), count=blockers))
    return items


def has_team(user) -> bool:
    v = permissions.viewer(user)
    if not v.employee_id:
        return False
    return Appraisal.objects.filter(Q(appraiser_id=v.employee_id) | Q(employee__supervisor_id=v.employee_id)).exists()


def cycles_with_lines_for(user) -> QuerySet[Cycle]:
    """Open cycles in which the user has actuals to provide."""
    lines = ScoreLine.objects.filter(permissions.actuals_scope_q(user), cycle_id=OuterRef("pk"),
                                     rule_kind__in=list(DATA_KINDS))
    return Cycle.objects.filter(status=CycleStatus.OPEN).filter(Exists(lines)).order_by("-period")


# --- calibration -------------------------------------------------------------------------------------

GRADED = (Status.SCORED, Status.CALIBRATED, Status.PUBLISHED)


def final_grade_expr():
    """The grade that counts: the calibrated grade when set, else the computed one (in SQL)."""
    return Coalesce(NullIf(F("calibrated_grade"), Value("")), F("grade"))


def calibration_cycle_get(*, user, pk) -> tuple[Cycle, Q]:
    """The cycle and the calibration scope of the user in it (HR: all; a head: their subtrees); 404
    for anyone else and for a cycle in draft."""
    scope = permissions.calibration_scope_q(user)
    if scope is None:
        raise NotFound(_("Not found."))
    return cycle_get(user=user, pk=pk), scope


@dataclass
class DepartmentGrades:
    department: Department
    counts: dict
    total: int
    calibrated: int
    cells: list          # (grade, count, percent) in the cycle's grade order
    breaches: list       # GradeQuota rows the department breaks

    @property
    def hard_breaches(self) -> list:
        return [q for q in self.breaches if q.is_hard]


def _department_rows(rows, grades: list[str], quotas: list) -> list[DepartmentGrades]:
    by_dept: dict[int, DepartmentGrades] = {}
    for r in rows:
        d = by_dept.get(r["department_id"])
        if d is None:
            dept = Department(pk=r["department_id"], name_zh=r["department__name_zh"],
                              name_en=r["department__name_en"], path=r["department__path"],
                              depth=r["department__depth"])
            d = by_dept[r["department_id"]] = DepartmentGrades(dept, {}, 0, 0, [], [])
        d.counts[r["final"]] = d.counts.get(r["final"], 0) + r["n"]
        d.total += r["n"]
        d.calibrated += r["calibrated"]
    out = sorted(by_dept.values(), key=lambda d: d.department.path)
    for d in out:
        d.cells = [(g, d.counts.get(g, 0), round(100 * d.counts.get(g, 0) / d.total) if d.total else 0)
                   for g in grades]
        d.breaches = [q for q in quotas if q.breached_by(d.counts, d.total)]
    return out


def calibration_distribution(*, cycle: Cycle, scope: Q, department: Department | None = None) -> dict:
    """Each department's grade distribution (the department of each appraisal at opening) against the
    cycle's quotas, and the total of the scope. Two queries whatever the size: the quotas, and one
    aggregate of the graded appraisals grouped by department and final grade."""
    quotas = list(cycle.quotas.all())
    grades = [b["grade"] for b in cycle.grade_bands]
    qs = Appraisal.objects.filter(scope, cycle=cycle, status__in=list(GRADED))
    if department is not None:
        qs = qs.filter(department_subtree_q(department))
    rows = list(qs.annotate(final=final_grade_expr()).values(
        "department_id", "department__name_zh", "department__name_en", "department__path", "department__depth",
        "final").annotate(n=Count("pk"), calibrated=Count("pk", filter=Q(calibrated_at__isnull=False)))
        .order_by())
    departments = _department_rows(rows, grades, quotas)
    total_counts: dict[str, int] = {}
    for d in departments:
        for g, n in d.counts.items():
            total_counts[g] = total_counts.get(g, 0) + n
    total = sum(total_counts.values())
    return {
        "grades": grades, "quotas": quotas, "departments": departments,
        "total": {"total": total, "counts": total_counts,
                  "cells": [(g, total_counts.get(g, 0), round(100 * total_counts.get(g, 0) / total) if total else 0)
                            for g in grades],
                  "breaches": [q for q in quotas if q.breached_by(total_counts, total)]},
        "hard_breaches": [(d.department, q) for d in departments for q in d.hard_breaches],
    }


def hard_quota_breaches(cycle: Cycle, department: Department | None = None) -> list[tuple[Department, object]]:
    """(department, quota) for every department of the scope breaking a hard quota (none when the
    cycle has no hard quota: one query then)."""
    if not any(q.is_hard for q in cycle.quotas.all()):
        return []
    return calibration_distribution(cycle=cycle, scope=Q(), department=department)["hard_breaches"]


def calibration_people(*, cycle: Cycle, scope: Q, filters: dict | None = None) -> QuerySet[Appraisal]:
    """The graded appraisals of the scope, with the final grade, for the people table."""
    qs = (Appraisal.objects.filter(scope, cycle=cycle, status__in=list(GRADED))
          .select_related("employee", "department", "calibrated_by").annotate(final=final_grade_expr()))
    f = filters or {}
    if f.get("department"):
        qs = qs.filter(department_subtree_q(f["department"]))
    if f.get("grade"):
        qs = qs.filter(final=f["grade"])
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(employee_search_q(q, "employee__"))
    return qs.order_by("department__path", "-total_score", "employee__employee_no")
