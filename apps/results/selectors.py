"""Reads of the talent review shared by pages, API, PDF and export, filtered by :mod:`apps.results.access`.

The grid is computed in the database: one grouped count per cell plus one page of people per cell
(a fixed number of queries whatever the size of the department)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Value, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.worklist import WorkItem
from apps.org.models import Department
from apps.org.queries import department_subtree_q, employee_search_q

from . import access
from .models import (
    EDITABLE,
    LEVELS,
    OPEN,
    ActionStatus,
    Category,
    Level,
    Placement,
    TalentAction,
    TalentReview,
)

PEOPLE_PER_CELL = 12


def reviews_for(user):
    """The reviews a user may open (all for those who may review at all; the people are filtered)."""
    if not access.may_review(user):
        return TalentReview.objects.none()
    return TalentReview.objects.select_related("cycle").order_by("-cycle__period", "-pk")


def placements(user, review: TalentReview, *, department: Department | None = None, job_level_id=None,
               search: str = ""):
    qs = (Placement.objects.filter(review=review).filter(access.people_q(user, "employee__"))
          .annotate(cell_performance=Coalesce(NullIf(F("override_performance"), Value("")), F("performance")),
                    cell_ability=Coalesce(NullIf(F("override_ability"), Value("")), F("ability"))))
    if department is not None:
        qs = qs.filter(department_subtree_q(department))
    if job_level_id:
        qs = qs.filter(job_level_id=job_level_id)
    if search:
        qs = qs.filter(employee_search_q(search, "employee__"))
    return qs


def with_people(qs):
    return qs.select_related("employee", "employee__position", "department", "job_level")


@dataclass
class Cell:
    performance: str
    ability: str
    category: Category | None
    count: int = 0
    percent: int = 0
    people: list = field(default_factory=list)

    @property
    def performance_label(self) -> str:
        return str(Level(self.performance).label)

    @property
    def ability_label(self) -> str:
        return str(Level(self.ability).label)


def grid(user, review: TalentReview, **filters) -> dict:
    """The nine cells (high performance first), with counts, percentages and the first people of each,
    plus the people not yet placed (no ability rating yet). Queries: categories, counts, people."""
    from .services import ensure_categories

    categories = ensure_categories()
    base = placements(user, review, **filters)
    counts = {(p, a): n for p, a, n in base.values_list("cell_performance", "cell_ability")
              .annotate(n=Count("pk")).order_by()}
    total = sum(counts.values())
    # the first people of each cell, in one query (a window over the cells: no row per person leaves the database)
    people = list(with_people(base.filter(cell_performance__in=LEVELS, cell_ability__in=LEVELS))
                  .annotate(rank=Window(RowNumber(), partition_by=[F("cell_performance"), F("cell_ability")],
                                        order_by=F("employee__employee_no").asc()))
                  .filter(rank__lte=PEOPLE_PER_CELL).order_by("employee__employee_no"))
    by_cell: dict[tuple, list] = {}
    for p in people:
        by_cell.setdefault((p.cell_performance, p.cell_ability), []).append(p)
    rows = []
    for perf in reversed(LEVELS):
        row = []
        for ab in LEVELS:
            n = counts.get((perf, ab), 0)
            row.append(Cell(perf, ab, categories.get((perf, ab)), n, round(100 * n / total) if total else 0,
                            by_cell.get((perf, ab), [])))
        rows.append(row)
    placed = sum(c.count for r in rows for c in r)
    return {"rows": rows, "total": total, "unplaced": total - placed}


def placement_for(user, pk: int) -> Placement:
    from apps.core.exceptions import NotFound

    p = (with_people(Placement.objects.filter(pk=pk)).select_related("review", "review__cycle", "appraisal",
                                                                      "employee__supervisor").first())
    if p is None:
        raise NotFound(_("Not found."))
    access.require_read(user, p.employee)
    return p


def trajectory(user, placement: Placement) -> list[Placement]:
    """The person's cells over past reviews (newest first)."""
    return list(Placement.objects.filter(employee_id=placement.employee_id)
                .filter(access.people_q(user, "employee__"))
                .select_related("review__cycle").order_by("-review__cycle__period")[:8])


def actions(user, *, employee_id=None, status=None):
    qs = TalentAction.objects.filter(access.actions_q(user)).select_related("employee", "placement")
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_date", "pk")


def my_released_actions(user):
    me = access.viewer_for_id(user)
    if not me:
        return TalentAction.objects.none()
    return actions(user, employee_id=me).filter(status__in=[ActionStatus.RELEASED, ActionStatus.DONE],
                                                 released_at__isnull=False)


def has_results_menu(user) -> bool:
    return access.may_review(user)


def talent_work_items(user) -> list[WorkItem]:
    """Released actions on the employee's work list; for managers and HR, actions waiting for them.
    Two queries at most."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    me = access.viewer_for_id(user)
    if me:
        for a in (TalentAction.objects.filter(employee_id=me, status=ActionStatus.RELEASED)
                  .filter(access.actions_q(user)).order_by("due_date", "pk")[:10]):
            items.append(WorkItem(title=str(gettext_lazy("Development action: %(title)s") % {"title": a.title}),
                                  url=reverse("results:my_actions"), detail=str(a.get_kind_display()),
                                  due=a.due_date))
    if access.may_review(user):
        waiting = (TalentAction.objects.filter(access.people_q(user, "employee__"))
                   .filter(status__in=list(EDITABLE)).count())
        if waiting:
            items.append(WorkItem(title=_("Talent actions to confirm"), url=reverse("results:actions"),
                                  count=waiting))
    return items


def open_action_count(user) -> int:
    return TalentAction.objects.filter(access.people_q(user, "employee__"), status__in=list(OPEN)).count()


def agreed_actions_panel(*, user, obj):
    """On the appraisal page: the development actions agreed for this person in earlier talent reviews
    (approved, released or done), for their manager, an executive above them and HR; the employee sees the
    released ones only. Two queries at most."""
    from apps.appraisals.models import Appraisal
    from apps.core.panels import Panel

    if not isinstance(obj, Appraisal) or not getattr(user, "is_authenticated", False):
        return None
    qs = (TalentAction.objects.filter(employee_id=obj.employee_id, placement__review__cycle__period__lt=obj.period,
                                      status__in=[ActionStatus.APPROVED, ActionStatus.RELEASED, ActionStatus.DONE])
          .filter(access.actions_q(user)).select_related("placement__review__cycle").order_by("-pk")[:10])
    rows = list(qs)
    if not rows:
        return None
    return Panel(template="results/_appraisal_panel.html", order=60, context={"talent_actions": rows})
