"""Reads shared by pages, API and the panel, filtered by ``access`` (404 for what the user may not see)."""
from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.appraisals.models import Appraisal, ScoreLine
from apps.appraisals.models import Status as AppraisalStatus
from apps.core.exceptions import NotFound
from apps.core.panels import Panel
from apps.core.roles import is_hr
from apps.org.queries import department_subtree_q, employee_search_q

from . import access
from .models import OPEN_STATUSES, Appeal, AppealAttachment, Concern, InfoRequest, Outcome, Status
from .services import policy_for, window_closes


def appeal_get(*, user, pk) -> tuple[Appeal, frozenset[str]]:
    a = (Appeal.objects.filter(access.scope_q(user), pk=pk)
         .select_related("employee", "manager", "department", "appraisal", "cycle", "correction", "handler",
                         "decided_by")
         .prefetch_related(Prefetch("info_requests", InfoRequest.objects.select_related("addressee_user")),
                           Prefetch("attachments", AppealAttachment.objects.all())).first())
    if a is None:
        raise NotFound(_("Not found."))
    return a, access.require_read(user, a)


def contested_lines(appeal: Appeal) -> list[ScoreLine]:
    return list(ScoreLine.objects.filter(appraisal_id=appeal.appraisal_id, pk__in=appeal.contested_lines or [])
                .select_related("indicator").order_by("section", "order", "pk"))


def visible_requests(appeal: Appeal, user, roles: frozenset[str]) -> list[InfoRequest]:
    reqs = list(appeal.info_requests.all())
    if access.HR in roles:
        return reqs
    return [r for r in reqs if r.addressee_user_id == user.pk]


def appeal_list(*, user, filters: dict | None = None) -> QuerySet[Appeal]:
    """HR's queue (or a person's own): overdue first, then open by decision due date, then the rest."""
    f = filters or {}
    today = timezone.localdate()
    qs = (Appeal.objects.filter(access.scope_q(user))
          .select_related("employee", "department", "manager", "cycle", "handler")
          .annotate(rank=Case(When(status__in=OPEN_STATUSES, overdue_since__isnull=False, then=Value(0)),
                              When(status__in=OPEN_STATUSES, decision_due__lt=today, then=Value(0)),
                              When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(2),
                              output_field=IntegerField())))
    if f.get("status") == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.get("status") in Status.values:
        qs = qs.filter(status=f["status"])
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("cycle"):
        qs = qs.filter(cycle_id=f["cycle"])
    if f.get("department"):
        qs = qs.filter(department_subtree_q(f["department"]))
    if f.get("overdue"):
        qs = qs.filter(rank=0)
    if f.get("q"):
        qs = qs.filter(employee_search_q(f["q"], "employee__"))
    return qs.order_by("rank", "decision_due", "-filed_at", "-pk")


def concern_list(*, user, filters: dict | None = None) -> QuerySet[Concern]:
    access.require_hr_or_404(user)
    f = filters or {}
    qs = Concern.objects.select_related("subject", "subject__department", "appraisal", "raised_by")
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    return qs.order_by("status", "-created_at", "-pk")


def concern_get(*, user, pk) -> Concern:
    access.require_hr_or_404(user)
    c = Concern.objects.select_related("subject", "appraisal", "raised_by", "review").filter(pk=pk).first()
    if c is None:
        raise NotFound(_("Not found."))
    return c


def appraisal_panel(*, user, obj) -> Panel | None:
    """On the appraisal page: the employee's appeal (file, follow, withdraw) and the window; a colleague of
    the same department may raise a concern; HR sees the appeals of the appraisal. Three queries at most."""
    if not isinstance(obj, Appraisal) or obj.status != AppraisalStatus.PUBLISHED:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    me = access.viewer_employee_id(user)
    hr = is_hr(user)
    if me and obj.employee_id == me:
        appeals = list(Appeal.objects.filter(appraisal_id=obj.pk, employee_id=me).order_by("-filed_at", "-pk"))
        closes = window_closes(obj, policy_for(obj.cycle_id))
        open_appeal = next((a for a in appeals if a.is_open), None)
        return Panel(template="appeals/_appraisal_panel.html", order=40, context={
            "appeal_role": "employee", "appeals": appeals, "open_appeal": open_appeal, "closes": closes,
            "may_file": open_appeal is None and closes is not None and timezone.localdate() <= closes,
            "appraisal": obj})
    if hr:
        appeals = list(Appeal.objects.filter(appraisal_id=obj.pk).order_by("-filed_at", "-pk"))
        return Panel(template="appeals/_appraisal_panel.html", order=40, context={
            "appeal_role": "hr", "appeals": appeals, "appraisal": obj})
    return None


# --- statistics for HR ---------------------------------------------------------------------------------------

def appeal_stats(*, user, cycle_id: int | None = None) -> dict:
    """HR's statistics: appeal rate by department and by manager (appeals of the kind "appeal" per published
    appraisal), outcomes, the average days from filing to decision, the share of upheld (or partly upheld)
    decisions per manager (a signal of unfair scoring). Four grouped queries whatever the size."""
    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F

    access.require_hr_or_404(user)
    appeals = Appeal.objects.filter(kind="appeal")
    published = Appraisal.objects.filter(status=AppraisalStatus.PUBLISHED)
    if cycle_id:
        appeals, published = appeals.filter(cycle_id=cycle_id), published.filter(cycle_id=cycle_id)
    upheld = Q(outcome__in=["upheld", "partly"])

    def rows(key: str, name_zh: str, name_en: str, pub_key: str):
        pub = dict(published.values(pub_key).annotate(n=Count("pk")).order_by().values_list(pub_key, "n"))
        out = []
        for r in (appeals.values(key, name_zh, name_en).annotate(
                n=Count("pk"), decided=Count("pk", filter=Q(status=Status.DECIDED)),
                upheld=Count("pk", filter=upheld)).order_by()):
            base = pub.get(r[key]) or 0
            name = r[name_en] if (get_language() or "").startswith("en") and r[name_en] else r[name_zh]
            out.append({"id": r[key], "name": name or "—", "appeals": r["n"], "published": base,
                        "rate": round(100 * r["n"] / base, 1) if base else None, "decided": r["decided"],
                        "upheld": r["upheld"],
                        "upheld_share": round(100 * r["upheld"] / r["decided"], 1) if r["decided"] else None})
        return sorted(out, key=lambda x: (-(x["rate"] or 0), x["name"]))

    outcomes = dict(appeals.filter(status=Status.DECIDED).values("outcome").annotate(n=Count("pk"))
                    .order_by().values_list("outcome", "n"))
    avg = appeals.filter(status=Status.DECIDED).aggregate(d=Avg(ExpressionWrapper(
        F("decided_at") - F("filed_at"), output_field=DurationField())))["d"]
    total = appeals.count()
    n_published = published.count()
    return {
        "total": total, "published": n_published,
        "rate": round(100 * total / n_published, 1) if n_published else None,
        "outcomes": [{"outcome": k, "label": str(Outcome(k).label), "n": outcomes.get(k, 0),
                      "percent": round(100 * outcomes.get(k, 0) / sum(outcomes.values())) if outcomes else 0}
                     for k in Outcome.values],
        "avg_days_to_decision": round(avg.total_seconds() / 86400, 1) if avg is not None else None,
        "by_department": rows("department_id", "department__name_zh", "department__name_en", "department_id"),
        "by_manager": rows("manager_id", "manager__name_zh", "manager__name_en", "appraiser_id"),
    }


def appeal_work_items(user) -> list:
    """What waits for the user in appeals: HR's questions to answer; for HR, the open appeals (overdue ones
    counted) and the concerns received. Three queries at most."""
    from django.urls import reverse

    from apps.core.worklist import WorkItem

    items: list[WorkItem] = []
    if not getattr(user, "is_authenticated", False):
        return items
    today = timezone.localdate()
    for r in (InfoRequest.objects.filter(addressee_user_id=user.pk, answered_at__isnull=True,
                                         appeal__status=Status.IN_REVIEW).order_by("due_date", "pk")[:5]):
        items.append(WorkItem(title=_("Answer HR's question about an appeal"),
                              url=reverse("appeals:detail", args=[r.appeal_id]), due=r.due_date,
                              overdue=r.due_date < today))
    if is_hr(user):
        from django.db.models import Count

        agg = Appeal.objects.filter(status__in=OPEN_STATUSES).aggregate(
            n=Count("pk"), overdue=Count("pk", filter=Q(overdue_since__isnull=False) | Q(decision_due__lt=today)))
        if agg["n"]:
            items.append(WorkItem(title=_("Appeals to handle"), url=reverse("appeals:queue") + "?status=open",
                                  count=agg["n"], overdue=bool(agg["overdue"]),
                                  detail=_("%(n)s overdue") % {"n": agg["overdue"]} if agg["overdue"] else ""))
        concerns = Concern.objects.filter(status="received").count()
        if concerns:
            items.append(WorkItem(title=_("Concerns about published results to review"),
                                  url=reverse("appeals:concerns") + "?status=received", count=concerns))
    return items
