"""Reads of interviews, shared by pages, the API, the PDF, the panel on the appraisal page and the work
list. Every read goes through ``access`` (only the employee, the manager of record and HR see anything)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, ScoreLine
from apps.core.exceptions import NotFound
from apps.core.panels import Panel
from apps.core.roles import is_hr
from apps.core.worklist import WorkItem
from apps.org import access as org_access
from apps.org.models import Department, Employee
from apps.org.queries import department_subtree_q, employee_search_q

from . import access
from .models import (
    INTERVIEW_RULES,
    NEW_HIRE_DAYS,
    OPEN_STATUSES,
    Action,
    ActionStatus,
    Addendum,
    Decision,
    EmployeePrep,
    GoalTalk,
    Interview,
    ManagerPrep,
    Revision,
    ScheduleEntry,
    Status,
)

JOINS = ("employee", "employee__position", "manager", "department", "cycle", "appraisal")


def _filtered(qs: QuerySet[Interview], f: dict, today: dt.date | None = None) -> QuerySet[Interview]:
    today = today or timezone.localdate()
    status = f.get("status")
    if status == "overdue":
        qs = qs.filter(status__in=list(OPEN_STATUSES), due_date__lt=today)
    elif status == "disagreement":
        qs = qs.filter(status=Status.SIGNED, disagreement=True)
    elif status == "open":
        qs = qs.filter(status__in=list(OPEN_STATUSES))
    elif status in Status.values:
        qs = qs.filter(status=status)
    if f.get("cycle"):
        qs = qs.filter(cycle_id=getattr(f["cycle"], "pk", f["cycle"]))
    if f.get("period"):
        qs = qs.filter(period=f["period"])
    if f.get("department"):
        dept = f["department"]
        if not isinstance(dept, Department):
            dept = Department.objects.filter(pk=dept).first()
        if dept is None:
            return qs.none()
        qs = qs.filter(department_subtree_q(dept))
    if f.get("q"):
        q = str(f["q"]).strip()
        qs = qs.filter(employee_search_q(q, "employee__"))
    return qs


def interview_list(*, user, filters: dict | None = None) -> QuerySet[Interview]:
    """Interviews the user may see (employee, manager of record, HR), filtered; overdue first."""
    f = filters or {}
    qs = Interview.objects.filter(access.scope_q(user)).select_related(*JOINS)
    me = access.viewer_employee_id(user)
    role = f.get("role")
    if role == "manager":
        qs = qs.filter(manager_id=me or 0)
    elif role == "employee":
        qs = qs.filter(employee_id=me or 0)
    return overdue_first(_filtered(qs, f))


def overdue_first(qs: QuerySet[Interview]) -> QuerySet[Interview]:
    """Interviews not held yet first, the earliest due at the top (so the overdue ones lead), then the
    records awaiting a signature, then the signed ones (the latest first)."""
    order = Case(When(status__in=list(OPEN_STATUSES), then=Value(0)), When(status=Status.SUBMITTED, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return qs.annotate(_order=order).order_by("_order", "due_date", "pk")


def interview_get(*, user, pk) -> tuple[Interview, frozenset[str]]:
    i = Interview.objects.select_related(*JOINS, "employee__department", "employee__user", "manager__user",
                                         "appraisal__cycle", "submitted_by", "signed_by").filter(pk=pk).first()
    if i is None:
        raise NotFound(_("Not found."))
    return i, access.require_read(user, i)


def schedule_history(i: Interview) -> list[ScheduleEntry]:
    return list(ScheduleEntry.objects.filter(interview=i).select_related("created_by").order_by("created_at", "pk"))


def manager_prep_for(user, i: Interview) -> ManagerPrep | None:
    """The manager's private preparation: the manager's alone (not the employee, not HR)."""
    if access.MANAGER not in access.roles(user, i):
        return None
    return ManagerPrep.objects.filter(interview=i).first()


def employee_prep_for(user, i: Interview) -> EmployeePrep | None:
    """The employee's preparation: the employee always; the manager and HR once it is shared."""
    roles = access.roles(user, i)
    prep = EmployeePrep.objects.filter(interview=i).first()
    if prep is None:
        return None
    if access.EMPLOYEE in roles or prep.shared_at is not None:
        return prep
    return None


def actions_of(i: Interview) -> list[Action]:
    return list(Action.objects.filter(interview=i).select_related("owner", "confirmed_by").order_by("kind", "order",
                                                                                                   "pk"))


def revisions_of(i: Interview) -> list[Revision]:
    return list(Revision.objects.filter(interview=i).select_related("indicator", "contract", "decided_by")
                .order_by("order", "pk"))


def addenda_of(i: Interview) -> list[Addendum]:
    return list(Addendum.objects.filter(interview=i).select_related("author").order_by("created_at", "pk"))


def appraisal_lines(i: Interview) -> list[ScoreLine]:
    return list(ScoreLine.objects.filter(appraisal_id=i.appraisal_id).select_related("indicator")
                .order_by("section", "order", "pk"))


def rules_checklist(prep: ManagerPrep | None) -> list[dict]:
    checked = set(prep.checklist if prep else [])
    return [{"key": k, "label": label, "checked": k in checked} for k, label in INTERVIEW_RULES]


# --- the previous period's improvement plan --------------------------------------------------------------

@dataclass
class PreviousPlan:
    interview: Interview
    actions: list[Action]

    @property
    def done(self) -> int:
        return sum(1 for a in self.actions if a.status == ActionStatus.DONE)

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def percent(self) -> int:
        if not self.actions:
            return 0
        return round(sum(100 if a.status == ActionStatus.DONE else a.progress for a in self.actions) / len(self.actions))


def previous_plan(*, employee_id: int, before_period: str, exclude_pk: int | None = None) -> PreviousPlan | None:
    """The latest signed interview of the employee for an earlier period, with its actions: two queries."""
    prev = (Interview.objects.filter(employee_id=employee_id, status=Status.SIGNED, period__lt=before_period)
            .exclude(pk=exclude_pk or 0).select_related("employee", "manager").order_by("-period", "-pk").first())
    if prev is None:
        return None
    return PreviousPlan(interview=prev, actions=actions_of(prev))


def previous_plan_panel(*, user, obj) -> Panel | None:
    """On the appraisal page: this appraisal's interview (a link) and the previous period's improvement plan
    and how far it got, shown only to the employee, the manager of record and HR."""
    if not isinstance(obj, Appraisal) or not getattr(user, "is_authenticated", False):
        return None
    me = access.viewer_employee_id(user)
    hr = is_hr(user)
    if not hr and not me:
        return None
    current = Interview.objects.filter(appraisal_id=obj.pk).first()
    prev = previous_plan(employee_id=obj.employee_id, before_period=obj.period)
    show_current = current is not None and bool(access.roles(user, current))
    show_prev = prev is not None and bool(access.roles(user, prev.interview))
    if not show_current and not show_prev:
        return None
    return Panel(template="interviews/_appraisal_panel.html", order=50, context={
        "interview": current if show_current else None, "previous": prev if show_prev else None})


# --- lists -------------------------------------------------------------------------------------------------

def action_list(*, user, filters: dict | None = None) -> QuerySet[Action]:
    """Actions of signed records the user may see: the employee's own, the manager's team, HR all."""
    f = filters or {}
    qs = (Action.objects.filter(access.scope_q(user, prefix="interview__"), interview__status=Status.SIGNED)
          .select_related("owner", "interview", "interview__employee", "interview__manager"))
    me = access.viewer_employee_id(user)
    if f.get("role") == "employee":
        qs = qs.filter(interview__employee_id=me or 0)
    elif f.get("role") == "manager":
        qs = qs.filter(interview__manager_id=me or 0)
    state = f.get("state")
    if state == "open":
        qs = qs.filter(status=ActionStatus.OPEN)
    elif state == "to_confirm":
        qs = qs.filter(status=ActionStatus.OPEN, progress__gte=100)
    elif state == "done":
        qs = qs.filter(status=ActionStatus.DONE)
    elif state == "overdue":
        qs = qs.filter(status=ActionStatus.OPEN, due_date__lt=timezone.localdate())
    if f.get("q"):
        q = str(f["q"]).strip()
        qs = qs.filter(Q(what__icontains=q) | Q(interview__employee__name_zh__icontains=q)
                       | Q(interview__employee__name_en__icontains=q))
    return qs.order_by("status", "due_date", "pk")


def completion_by_department(*, cycle_id: int | None = None, today: dt.date | None = None) -> list[dict]:
    """HR's completion per department and cycle: counts in one query, overdue ones first."""
    today = today or timezone.localdate()
    qs = Interview.objects.all()
    if cycle_id:
        qs = qs.filter(cycle_id=cycle_id)
    open_q = Q(status__in=list(OPEN_STATUSES))
    rows = (qs.values("cycle_id", "cycle__period", "cycle__title", "department_id", "department__name_zh",
                      "department__name_en", "department__path")
            .annotate(total=Count("pk"), to_schedule=Count("pk", filter=Q(status=Status.DUE)),
                      scheduled=Count("pk", filter=Q(status=Status.SCHEDULED)),
                      submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
                      signed=Count("pk", filter=Q(status=Status.SIGNED)),
                      overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
                      disagreement=Count("pk", filter=Q(status=Status.SIGNED, disagreement=True)))
            .order_by("-overdue", "-cycle__period", "department__path"))
    out = []
    lang_en = (get_language() or "").startswith("en")
    for r in rows:
        r["department_name"] = (r["department__name_en"] or r["department__name_zh"]) if lang_en \
            else (r["department__name_zh"] or r["department__name_en"])
        r["done_percent"] = round(100 * r["signed"] / r["total"]) if r["total"] else 0
        out.append(r)
    return out


def stats(*, user, cycle_id: int | None = None, today: dt.date | None = None) -> list[dict]:
    """Counts only, per department, for dashboards: interviews due (not held), held, overdue, signed with
    disagreement. Who sees which departments follows the "aggregate" row of the access table (HR and
    executives all; a manager the people below them). No names, no content."""
    today = today or timezone.localdate()
    qs = Interview.objects.filter(org_access.employee_scope_q(user, "aggregate", prefix="employee__"))
    if cycle_id:
        qs = qs.filter(cycle_id=cycle_id)
    rows = (qs.values("department_id", "department__name_zh", "department__name_en", "department__path")
            .annotate(due=Count("pk", filter=Q(status__in=list(OPEN_STATUSES))),
                      held=Count("pk", filter=Q(status__in=[Status.SUBMITTED, Status.SIGNED])),
                      overdue=Count("pk", filter=Q(status__in=list(OPEN_STATUSES), due_date__lt=today)),
                      disagreement=Count("pk", filter=Q(status=Status.SIGNED, disagreement=True)))
            .order_by("department__path"))
    en = (get_language() or "").startswith("en")
    return [{"department": r["department_id"],
             "department_name": (r["department__name_en"] or r["department__name_zh"]) if en
             else (r["department__name_zh"] or r["department__name_en"]),
             "due": r["due"], "held": r["held"], "overdue": r["overdue"], "disagreement": r["disagreement"]}
            for r in rows]


def may_see_stats(user) -> bool:
    v = org_access.viewer_for(user)
    return v.is_hr or v.is_executive or v.is_line_manager


# --- new hires ---------------------------------------------------------------------------------------------

def new_hire_rows(*, user, filters: dict | None = None, today: dt.date | None = None) -> QuerySet[Employee]:
    """New hires (joined within the last 90 days): HR sees all, a manager the direct reports. Annotated with
    the talk (date, acknowledgement) and the plans app's goal acknowledgement: one query."""
    from apps.plans.models import GoalAcknowledgement

    f = filters or {}
    today = today or timezone.localdate()
    me = access.viewer_employee_id(user)
    qs = Employee.objects.filter(is_active=True, hire_date__gte=today - dt.timedelta(days=NEW_HIRE_DAYS))
    if not is_hr(user):
        qs = qs.filter(supervisor_id=me or 0)
    talk = GoalTalk.objects.filter(employee_id=OuterRef("pk")).order_by("-held_on", "-pk")
    qs = (qs.select_related("department", "position", "supervisor")
          .annotate(talk_id=Subquery(talk.values("pk")[:1]), talk_held_on=Subquery(talk.values("held_on")[:1]),
                    talk_version=Subquery(talk.values("version")[:1]),
                    talk_acknowledged_at=Subquery(talk.values("acknowledged_at")[:1]),
                    goals_acknowledged=Exists(GoalAcknowledgement.objects.filter(employee_id=OuterRef("pk"),
                                                                                 year=today.year))))
    state = f.get("state")
    if state == "not_discussed":
        qs = qs.filter(talk_id__isnull=True)
    elif state == "not_acknowledged":
        qs = qs.filter(talk_id__isnull=False, talk_acknowledged_at__isnull=True)
    elif state == "done":
        qs = qs.filter(talk_acknowledged_at__isnull=False)
    if f.get("department"):
        dept = Department.objects.filter(pk=f["department"]).first()
        qs = qs.filter(department_subtree_q(dept)) if dept else qs.none()
    if f.get("q"):
        q = str(f["q"]).strip()
        qs = qs.filter(employee_search_q(q))
    return qs.order_by("talk_acknowledged_at", "hire_date", "employee_no")


def my_goal_talk(user) -> GoalTalk | None:
    me = access.viewer_employee_id(user)
    if not me:
        return None
    return GoalTalk.objects.filter(employee_id=me).select_related("manager", "position").order_by("-held_on").first()


# --- menu and work list ------------------------------------------------------------------------------------

def has_interviews_menu(user) -> bool:
    """Everyone with an employee record (each can have an interview) and HR: no extra query."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_hr(user) or bool(access.viewer_employee_id(user))


def interview_work_items(user) -> list[WorkItem]:
    """What waits for the user in interviews: a fixed number of queries, whatever the numbers."""
    items: list[WorkItem] = []
    if not getattr(user, "is_authenticated", False):
        return items
    me = access.viewer_employee_id(user)
    today = timezone.localdate()
    if me:
        # as the employee: the interview to prepare, the record to sign, the actions of the next period
        own = (Interview.objects.filter(employee_id=me).exclude(status=Status.SIGNED)
               .select_related("manager").annotate(shared=Exists(EmployeePrep.objects.filter(
                   interview_id=OuterRef("pk"), shared_at__isnull=False))).order_by("due_date").first())
        if own is not None:
            if own.status == Status.SUBMITTED:
                items.append(WorkItem(title=_("Review and sign the record of your feedback interview"),
                                      url=reverse("interviews:record", args=[own.pk])))
            elif not own.shared:
                items.append(WorkItem(title=_("Prepare your feedback interview for %(period)s")
                                      % {"period": own.period_label},
                                      url=reverse("interviews:employee_prep", args=[own.pk]), due=own.due_date,
                                      detail=_("with %(name)s") % {"name": own.manager.name}))
        for a in (Action.objects.filter(interview__employee_id=me, interview__status=Status.SIGNED,
                                        status=ActionStatus.OPEN, progress__lt=100).order_by("due_date", "pk")[:5]):
            items.append(WorkItem(title=a.what, url=reverse("interviews:actions") + f"#action-{a.pk}",
                                  detail=_("%(kind)s action, %(progress)s%% done") % {
                                      "kind": a.get_kind_display(), "progress": a.progress},
                                  due=a.due_date, overdue=a.due_date < today))
        talk = GoalTalk.objects.filter(employee_id=me, acknowledged_at__isnull=True).first()
        if talk is not None:
            items.append(WorkItem(title=_("Acknowledge the discussion of your position goals"),
                                  url=reverse("interviews:goal_talks")))
        # as the manager of record
        counts = Interview.objects.filter(manager_id=me).aggregate(
            to_schedule=Count("pk", filter=Q(status=Status.DUE)),
            to_record=Count("pk", filter=Q(status=Status.SCHEDULED)),
            overdue=Count("pk", filter=Q(status__in=list(OPEN_STATUSES), due_date__lt=today)))
        if counts["to_schedule"]:
            items.append(WorkItem(title=_("Schedule feedback interviews"), url=reverse("interviews:to_hold")
                                  + "?status=due", count=counts["to_schedule"], overdue=bool(counts["overdue"])))
        if counts["to_record"]:
            items.append(WorkItem(title=_("Hold and record feedback interviews"), url=reverse("interviews:to_hold")
                                  + "?status=scheduled", count=counts["to_record"]))
        team_actions = Action.objects.filter(interview__manager_id=me, interview__status=Status.SIGNED,
                                             status=ActionStatus.OPEN).aggregate(
            to_confirm=Count("pk", filter=Q(progress__gte=100)), overdue=Count("pk", filter=Q(due_date__lt=today)))
        if team_actions["to_confirm"]:
            items.append(WorkItem(title=_("Confirm completed improvement actions"),
                                  url=reverse("interviews:actions") + "?role=manager&state=to_confirm",
                                  count=team_actions["to_confirm"]))
        if team_actions["overdue"]:
            items.append(WorkItem(title=_("Overdue improvement actions in your team"),
                                  url=reverse("interviews:actions") + "?role=manager&state=overdue",
                                  count=team_actions["overdue"], overdue=True))
        pending = Revision.objects.filter(interview__manager_id=me, interview__status=Status.SIGNED,
                                          decision=Decision.PENDING).count()
        if pending:
            items.append(WorkItem(title=_("Decide the revisions for the next contracts"),
                                  url=reverse("interviews:to_hold") + "?status=signed", count=pending))
        new = (Employee.objects.filter(supervisor_id=me, is_active=True,
                                       hire_date__gte=today - dt.timedelta(days=NEW_HIRE_DAYS))
               .exclude(Exists(GoalTalk.objects.filter(employee_id=OuterRef("pk")))).count())
        if new:
            items.append(WorkItem(title=_("Discuss the position goals with your new employees"),
                                  url=reverse("interviews:goal_talks"), count=new))
    if is_hr(user):
        overdue = Interview.objects.filter(status__in=list(OPEN_STATUSES), due_date__lt=today).count()
        if overdue:
            items.append(WorkItem(title=_("Overdue feedback interviews"), url=reverse("interviews:hr")
                                  + "?status=overdue", count=overdue, overdue=True))
    return items


def prefetch_for_list():
    return Prefetch("actions", queryset=Action.objects.order_by("pk"))
