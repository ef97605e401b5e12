"""Reads of coaching records and the performance file, shared by pages, the API, the PDF, tasks and
the appraisal pages. Every read is filtered by the access policy (kind "coaching").

For the appraisals app (a higher layer):
- ``performance_file(user=..., employee=..., period=...)`` -> ``PerformanceFile`` (timeline,
  counts, follow-ups, records grouped by contract line);
- ``records_by_contract_line(user=..., line_ids=[...])`` -> ``{line_id: [records]}`` in one query,
  rendered beside each line with ``{% include "coaching/_line_records.html" with records=... %}``
  (see the ``coaching`` template library: ``records|for_line:line.pk``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contracts.models import ContractLine
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.memo import remember
from apps.core.periods import Period
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org import access
from apps.org.models import Employee
from apps.org.queries import department_subtree_q, employee_search_q

from .models import (
    Attachment,
    CoachingRecord,
    CoachingSettings,
    Kind,
    RecordNote,
    RecordRevision,
)
from .services import cadence_queryset

_RECORD_RELATED = ("employee__department", "employee__position", "author", "author_employee",
                   "contract_line__contract", "contract_line__indicator", "goal", "plan_item__plan")


def _count(model, **filters):
    """A correlated COUNT(*) subquery on ``model`` rows of the outer record (no GROUP BY on the list)."""
    qs = (model.objects.filter(record=OuterRef("pk"), **filters).order_by().values("record")
          .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(qs, output_field=IntegerField()), Value(0))


def record_scope_q(user) -> Q:
    return access.employee_scope_q(user, "coaching", prefix="employee__")


def period_q(period: str, prefix: str = "") -> Q:
    """Records of a review period: the period itself, or (for a quarter, half or year) the months in it."""
    p = Period.parse(period)
    codes = {p.code, *p.months} if p.frequency != "monthly" else {p.code}
    if p.frequency == "annual":
        codes |= {f"{p.year}-Q{i}" for i in range(1, 5)} | {f"{p.year}-H{i}" for i in range(1, 3)}
    elif p.frequency == "half_year":
        first_q = 1 if p.index == 1 else 3
        codes |= {f"{p.year}-Q{first_q}", f"{p.year}-Q{first_q + 1}"}
    return Q(**{f"{prefix}period__in": sorted(codes)})


def record_list(*, user, filters: dict | None = None) -> QuerySet[CoachingRecord]:
    """Records the user may read, with search and filters, and what lists show already joined."""
    f = filters or {}
    qs = (CoachingRecord.objects.filter(record_scope_q(user)).select_related(*_RECORD_RELATED)
          .annotate(note_count=_count(RecordNote), attachment_count=_count(Attachment)))
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(Q(summary__icontains=q) | Q(facts__icontains=q) | Q(evidence__icontains=q)
                       | employee_search_q(q, "employee__"))
    if f.get("employee"):
        qs = qs.filter(employee_id=getattr(f["employee"], "pk", f["employee"]))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("channel"):
        qs = qs.filter(channel=f["channel"])
    if f.get("period"):
        try:
            qs = qs.filter(period_q(str(f["period"])))
        except ApplicationError:
            return qs.none()
    if f.get("line"):
        qs = qs.filter(contract_line_id=getattr(f["line"], "pk", f["line"]))
    if f.get("goal"):
        qs = qs.filter(goal_id=getattr(f["goal"], "pk", f["goal"]))
    if f.get("plan_item"):
        qs = qs.filter(plan_item_id=getattr(f["plan_item"], "pk", f["plan_item"]))
    state = f.get("state")
    if state == "serious":
        qs = qs.filter(serious=True)
    elif state == "unsigned":
        qs = qs.filter(serious=True, signed_at__isnull=True)
    elif state == "escalated":
        qs = qs.filter(serious=True, signed_at__isnull=True, escalated_at__isnull=False)
    elif state == "unacknowledged":
        qs = qs.filter(acknowledged_at__isnull=True, is_employee_report=False)
    elif state == "reports":
        qs = qs.filter(is_employee_report=True)
    elif state == "unanswered":
        qs = qs.filter(is_employee_report=True, answered_at__isnull=True)
    elif state == "follow_up_open":
        qs = qs.exclude(follow_up="").filter(follow_up_done_at__isnull=True)
    if f.get("date_from"):
        qs = qs.filter(occurred_on__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(occurred_on__lte=f["date_to"])
    return qs.order_by("-occurred_on", "-id")


def record_get(*, user, pk) -> CoachingRecord:
    """One record with its notes, attachments and revisions; 404 unless the user may read it."""
    record = (CoachingRecord.objects.select_related(*_RECORD_RELATED, "employee__supervisor", "signed_by",
                                                    "answered_by", "follow_up_done_by")
              .prefetch_related(
                  Prefetch("notes", queryset=RecordNote.objects.select_related("author", "author_employee")
                           .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))),
                  Prefetch("attachments", queryset=Attachment.objects.filter(note__isnull=True).order_by("pk"),
                           to_attr="own_attachments"),
                  Prefetch("revisions", queryset=RecordRevision.objects.select_related("created_by")
                           .order_by("number")))
              .filter(pk=pk).first())
    if record is None or access.READ not in access.permissions(user, "coaching", record.employee):
        raise NotFound(_("Not found."))
    return record


def record_permissions(user, record: CoachingRecord) -> dict:
    """What the page offers the user on this record (the services check again)."""
    from .services import may_add_addendum

    perms = access.permissions(user, "coaching", record.employee)
    rel = access.relations(access.viewer_for(user), record.employee)
    is_self = "self" in rel
    is_author = record.author_id == getattr(user, "pk", None)
    may_write = access.WRITE in perms and not is_self
    return {
        "is_self": is_self,
        "is_author": is_author,
        "may_write": may_write,
        "may_correct": is_author and record.in_correction_window and record.signed_at is None,
        "may_addendum": may_add_addendum(user, record),
        "may_respond": is_self,
        "may_acknowledge": is_self and not record.is_employee_report and record.acknowledged_at is None
        and not record.needs_signature,
        "may_sign": is_self and record.needs_signature,
        "may_answer": may_write and record.is_employee_report,
        "may_complete_follow_up": may_write and bool(record.follow_up) and record.follow_up_done_at is None,
    }


def attachment_get(*, user, pk) -> Attachment:
    att = Attachment.objects.select_related("record__employee").filter(pk=pk).first()
    if att is None or access.READ not in access.permissions(user, "coaching", att.record.employee):
        raise NotFound(_("Not found."))
    return att


# --- the performance file --------------------------------------------------------------------------

@dataclass
class LineGroup:
    line: ContractLine | None
    label: str
    records: list[CoachingRecord] = field(default_factory=list)


@dataclass
class PerformanceFile:
    employee: Employee
    period: str | None
    records: list[CoachingRecord]
    counts: dict[str, int]
    follow_ups_open: list[CoachingRecord]
    follow_ups_done: list[CoachingRecord]
    by_line: dict[int, list[CoachingRecord]]
    groups: list[LineGroup]
    unsigned_serious: list[CoachingRecord]

    @property
    def period_label(self) -> str:
        from apps.core.periods import period_label

        return period_label(self.period) if self.period else _("All periods")


def performance_file(*, user, employee: Employee, period: str | None = None) -> PerformanceFile:
    """The employee's file for a period (or all periods): timeline, links, counts, follow-ups.

    Raises NotFound unless the user may read the employee's coaching records. Three queries:
    records (with links joined), their notes, their attachments.
    """
    if access.READ not in access.permissions(user, "coaching", employee):
        raise NotFound(_("Not found."))
    qs = (CoachingRecord.objects.filter(employee_id=employee.pk).select_related(*_RECORD_RELATED)
          .prefetch_related(Prefetch("notes", queryset=RecordNote.objects.select_related("author", "author_employee")),
                            Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))))
    if period:
        qs = qs.filter(period_q(period))
    records = list(qs.order_by("occurred_on", "id"))
    counts = {
        "total": len(records),
        "praise": sum(1 for r in records if r.kind == Kind.PRAISE),
        "criticism": sum(1 for r in records if r.kind == Kind.CRITICISM),
        "help": sum(1 for r in records if r.kind in (Kind.HELP_REQUESTED, Kind.HELP_GIVEN)),
        "help_requested": sum(1 for r in records if r.kind == Kind.HELP_REQUESTED),
        "help_given": sum(1 for r in records if r.kind == Kind.HELP_GIVEN),
        "progress": sum(1 for r in records if r.kind == Kind.PROGRESS),
        "conversation": sum(1 for r in records if r.kind == Kind.CONVERSATION),
        "formal": sum(1 for r in records if r.is_formal),
        "serious": sum(1 for r in records if r.serious),
        "reports": sum(1 for r in records if r.is_employee_report),
    }
    with_follow_up = [r for r in records if r.follow_up]
    open_fu = [r for r in with_follow_up if r.follow_up_done_at is None]
    done_fu = [r for r in with_follow_up if r.follow_up_done_at is not None]
    counts["follow_ups_open"], counts["follow_ups_done"] = len(open_fu), len(done_fu)
    by_line: dict[int, list[CoachingRecord]] = {}
    groups: dict[object, LineGroup] = {}
    for r in records:
        if r.contract_line_id:
            by_line.setdefault(r.contract_line_id, []).append(r)
            key = ("line", r.contract_line_id)
            label = r.contract_line.display_title
            line = r.contract_line
        elif r.plan_item_id:
            key, label, line = ("item", r.plan_item_id), r.plan_item.task, None
        elif r.goal_id:
            key, label, line = ("goal", r.goal_id), r.goal.name, None
        else:
            key, label, line = ("none", 0), "", None
        groups.setdefault(key, LineGroup(line=line, label=label)).records.append(r)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] == "none", kv[0][0] != "line",
                                                      (kv[1].line.section, kv[1].line.order) if kv[1].line else ("", 0),
                                                      kv[1].label))
    return PerformanceFile(
        employee=employee, period=period, records=records, counts=counts, follow_ups_open=open_fu,
        follow_ups_done=done_fu, by_line=by_line, groups=[g for _k, g in ordered],
        unsigned_serious=[r for r in records if r.needs_signature])


def records_by_contract_line(*, user, line_ids: Iterable[int]) -> dict[int, list[CoachingRecord]]:
    """The records the user may read beside each of ``line_ids``, in one query.

    A record linked to an earlier version of the same line (the contract was amended: the new
    version copies its lines under new ids) shows beside the line of the newer version too.
    """
    ids = sorted({int(i) for i in line_ids if i})
    if not ids:
        return {}
    same_line = ContractLine.objects.filter(
        pk__in=ids, contract__employee_id=OuterRef("contract_line__contract__employee_id"),
        contract__period=OuterRef("contract_line__contract__period"), section=OuterRef("contract_line__section"),
    ).filter(Q(indicator_id=OuterRef("contract_line__indicator_id"))
             | Q(indicator__isnull=True, title=OuterRef("contract_line__title")))
    qs = (CoachingRecord.objects.filter(record_scope_q(user))
          .filter(Q(contract_line_id__in=ids) | Exists(same_line))
          .annotate(matched_line=Coalesce(
              Subquery(ContractLine.objects.filter(pk__in=ids, pk=OuterRef("contract_line_id")).values("pk")[:1]),
              Subquery(same_line.order_by("-pk").values("pk")[:1])))
          .select_related("author", "author_employee", "employee", "contract_line")
          .annotate(note_count=_count(RecordNote))
          .order_by("occurred_on", "id"))
    out: dict[int, list[CoachingRecord]] = {}
    for r in qs:
        out.setdefault(r.matched_line, []).append(r)
    return out


# --- choices for the forms -------------------------------------------------------------------------

def writable_employees(user) -> QuerySet[Employee]:
    """Whom the user may write coaching records about: direct reports; HR everyone active (not oneself)."""
    viewer = access.viewer_for(user)
    qs = Employee.objects.filter(is_active=True).select_related("department", "position")
    if is_hr(user):
        return qs.exclude(pk=viewer.employee_id or 0).order_by("department__path", "employee_no")
    if not viewer.employee_id:
        return qs.none()
    return qs.filter(supervisor_id=viewer.employee_id).order_by("employee_no")


def contract_lines_for(employee: Employee) -> QuerySet[ContractLine]:
    """Lines of the employee's current contract versions, newest period first."""
    return (ContractLine.objects.filter(contract__employee_id=employee.pk, contract__is_latest=True)
            .select_related("contract", "indicator").order_by("-contract__period", "section", "order", "id"))


def plan_items_for(employee: Employee):
    from apps.plans.models import PlanItem

    return (PlanItem.objects.filter(plan__employee_id=employee.pk).select_related("plan")
            .order_by("-plan__year", "-plan__month", "order", "id"))


def goals_for(employee: Employee):
    from apps.plans.models import Goal

    q = Q(employee_id=employee.pk)
    if employee.position_id:
        q |= Q(position_id=employee.position_id, employee__isnull=True)
    q |= Q(owner_kind="department", department_id=employee.department_id)
    return Goal.objects.filter(q).order_by("-year", "path")


# --- the team page and the cadence -------------------------------------------------------------------

def team_overview(*, user, filters: dict | None = None, today: dt.date | None = None) -> QuerySet[Employee]:
    """The people whose coaching the user follows, each annotated with the cadence and open items.

    Scope: direct reports (``scope="direct"``, the default for a manager), everyone below
    (``scope="subtree"``), or everyone (HR's default). One query per page, however many records.
    """
    f = filters or {}
    today = today or timezone.localdate()
    conf = f.get("settings") or CoachingSettings.current()
    viewer = access.viewer_for(user)
    qs = cadence_queryset(today=today, conf=conf).filter(
        access.employee_scope_q(user, "coaching")).select_related("department", "position", "supervisor")
    scope = f.get("scope") or ("all" if is_hr(user) else "direct")
    if scope == "direct" or (scope == "all" and not is_hr(user)):
        qs = qs.filter(supervisor_id=viewer.employee_id or 0)
    elif scope == "subtree":
        qs = qs.filter(report_path__startswith=viewer.report_path or "/-/").exclude(pk=viewer.employee_id or 0)
    if viewer.employee_id:
        qs = qs.exclude(pk=viewer.employee_id)
    if f.get("q"):
        q = f["q"].strip()
        qs = qs.filter(employee_search_q(q))
    if f.get("department"):
        dept = f["department"]
        qs = qs.filter(department_subtree_q(dept))
    qs = qs.annotate(
        unsigned_serious=_emp_count(serious=True, signed_at__isnull=True),
        open_follow_ups=_emp_count(Q(follow_up_done_at__isnull=True) & ~Q(follow_up="")),
        unanswered_reports=_emp_count(is_employee_report=True, answered_at__isnull=True),
    )
    if f.get("due_only"):
        qs = qs.filter(cadence_count__lt=conf.cadence_min_records, supervisor__isnull=False)
    return qs.order_by("department__path", "employee_no")


def _emp_count(*args, **filters):
    sub = (CoachingRecord.objects.filter(*args, employee=OuterRef("pk"), **filters).order_by().values("employee")
           .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def manages_people(user) -> bool:
    """HR, or a line manager (read once per request and kept on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return remember(user, "_coaching_manages", lambda: is_hr(user) or access.is_line_manager(user))


# --- "my work" -------------------------------------------------------------------------------------

def coaching_work_items(user) -> list[WorkItem]:
    """What waits for the user in coaching: at most three queries, whatever the numbers."""
    from django.urls import reverse

    viewer = access.viewer_for(user)
    items: list[WorkItem] = []
    url = reverse("coaching:list")
    if viewer.employee_id:
        me = viewer.employee_id
        c = CoachingRecord.objects.filter(Q(employee_id=me) | Q(employee__supervisor_id=me)).aggregate(
            to_sign=Count("pk", filter=Q(employee_id=me, serious=True, signed_at__isnull=True)),
            to_ack=Count("pk", filter=Q(employee_id=me, serious=False, acknowledged_at__isnull=True,
                                        is_employee_report=False)),
            to_answer=Count("pk", filter=Q(employee__supervisor_id=me, is_employee_report=True,
                                           answered_at__isnull=True)),
            follow_ups=Count("pk", filter=Q(employee__supervisor_id=me, follow_up_done_at__isnull=True,
                                            follow_up_due__lt=timezone.localdate()) & ~Q(follow_up="")),
        )
        if c["to_sign"]:
            items.append(WorkItem(title=_("Serious coaching records awaiting your signature"),
                                  url=f"{url}?state=unsigned&employee={me}", count=c["to_sign"], overdue=True))
        if c["to_ack"]:
            items.append(WorkItem(title=_("Coaching records to read and acknowledge"),
                                  url=f"{url}?state=unacknowledged&employee={me}", count=c["to_ack"]))
        if c["to_answer"]:
            items.append(WorkItem(title=_("Progress reports and requests for help to answer"),
                                  url=f"{url}?state=unanswered", count=c["to_answer"]))
        if c["follow_ups"]:
            items.append(WorkItem(title=_("Coaching follow-ups past their due date"),
                                  url=f"{url}?state=follow_up_open", count=c["follow_ups"], overdue=True))
    if is_hr(user):
        escalated = CoachingRecord.objects.filter(serious=True, signed_at__isnull=True,
                                                  escalated_at__isnull=False).count()
        if escalated:
            items.append(WorkItem(title=_("Unsigned serious coaching records escalated to HR"),
                                  url=f"{url}?state=escalated", count=escalated, overdue=True))
    return items

