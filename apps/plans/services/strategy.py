"""Strategy, its themes and the annual business plan: HR and executives set them."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.core.roles import is_executive, is_hr

from ..models import AnnualPlan, StrategicTheme, Strategy


def _require_planner(actor) -> None:
    if not (is_hr(actor) or is_executive(actor)):
        raise PermissionDenied(_("Only HR and executives may change the strategy and the annual business plan."))


STRATEGY_FIELDS = {"code", "name_zh", "name_en", "description", "start_year", "end_year", "is_active"}
THEME_FIELDS = {"name_zh", "name_en", "perspective", "description", "order"}
ANNUAL_PLAN_FIELDS = {"name_zh", "name_en", "summary", "strategy"}


def _apply_changes(obj, changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise ApplicationError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in changes.items():
        setattr(obj, key, value)


@transaction.atomic
def strategy_create(*, actor, code: str, name_zh: str, name_en: str = "", description: str = "",
                    start_year: int, end_year: int) -> Strategy:
    _require_planner(actor)
    if Strategy.objects.filter(code=code).exists():
        raise ApplicationError(_("A strategy with code %(code)s already exists.") % {"code": code}, field="code")
    if end_year < start_year:
        raise ApplicationError(_("The last year cannot come before the first year."), field="end_year")
    strategy = Strategy(code=code, name_zh=name_zh, name_en=name_en, description=description,
                        start_year=start_year, end_year=end_year)
    strategy.full_clean()
    strategy.save()
    audit_record(actor=actor, action="strategy.create", obj=strategy, after=snapshot(strategy))
    return strategy


@transaction.atomic
def strategy_update(*, actor, strategy: Strategy, expected_version: int | None = None, **changes) -> Strategy:
    _require_planner(actor)
    obj = Strategy.objects.select_for_update().get(pk=strategy.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, STRATEGY_FIELDS)
    if obj.end_year < obj.start_year:
        raise ApplicationError(_("The last year cannot come before the first year."), field="end_year")
    if Strategy.objects.filter(code=obj.code).exclude(pk=obj.pk).exists():
        raise ApplicationError(_("A strategy with code %(code)s already exists.") % {"code": obj.code}, field="code")
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="strategy.update", obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def theme_create(*, actor, strategy: Strategy, name_zh: str, name_en: str = "", perspective: str = "",
                 description: str = "", order: int = 0) -> StrategicTheme:
    _require_planner(actor)
    if not strategy.is_active:
        raise ApplicationError(_("The strategy %(strategy)s is archived: restore it before adding themes.")
                               % {"strategy": strategy.name})
    theme = StrategicTheme(strategy=strategy, name_zh=name_zh, name_en=name_en, perspective=perspective,
                           description=description, order=order)
    theme.full_clean()
    theme.save()
    audit_record(actor=actor, action="strategic_theme.create", obj=theme, after=snapshot(theme))
    return theme


@transaction.atomic
def theme_update(*, actor, theme: StrategicTheme, expected_version: int | None = None,
                 **changes) -> StrategicTheme:
    _require_planner(actor)
    obj = StrategicTheme.objects.select_for_update().get(pk=theme.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, THEME_FIELDS)
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="strategic_theme.update", obj=obj, before=before, after=snapshot(obj))
    return obj


@transaction.atomic
def annual_plan_create(*, actor, year: int, strategy: Strategy, name_zh: str, name_en: str = "",
                       summary: str = "") -> AnnualPlan:
    _require_planner(actor)
    if AnnualPlan.objects.filter(year=year).exists():
        raise ApplicationError(_("There is already an annual business plan for %(year)s.") % {"year": year},
                               field="year")
    if not strategy.is_active:
        raise ApplicationError(_("The strategy %(strategy)s is archived: choose a current one.")
                               % {"strategy": strategy.name}, field="strategy")
    if not (strategy.start_year <= year <= strategy.end_year):
        raise ApplicationError(
            _("The strategy %(strategy)s covers %(first)s to %(last)s, not %(year)s.")
            % {"strategy": strategy.name, "first": strategy.start_year, "last": strategy.end_year, "year": year},
            field="year")
    plan = AnnualPlan(year=year, strategy=strategy, name_zh=name_zh, name_en=name_en, summary=summary)
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, action="annual_plan.create", obj=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def annual_plan_update(*, actor, annual_plan: AnnualPlan, expected_version: int | None = None,
                       **changes) -> AnnualPlan:
    _require_planner(actor)
    obj = AnnualPlan.objects.select_for_update().get(pk=annual_plan.pk)
    check_version(obj, expected_version)
    before = snapshot(obj)
    _apply_changes(obj, changes, ANNUAL_PLAN_FIELDS)
    obj.full_clean()
    if snapshot(obj) == before:
        return obj
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="annual_plan.update", obj=obj, before=before, after=snapshot(obj))
    return obj



# --- archiving (reversible: nothing is deleted, the history keeps pointing at it) -----------------

def _set_archived(*, actor, model, obj, field: str, archived: bool, expected_version, action: str):
    _require_planner(actor)
    row = model.objects.select_for_update().get(pk=obj.pk)
    check_version(row, expected_version)
    value = (not archived) if field == "is_active" else archived
    if getattr(row, field) == value:
        return row
    before = snapshot(row)
    setattr(row, field, value)
    row.full_clean()
    bump(row)
    row.save()
    audit_record(actor=actor, action=f"{action}.{'archive' if archived else 'restore'}", obj=row, before=before,
                 after=snapshot(row))
    return row


@transaction.atomic
def strategy_archive(*, actor, strategy: Strategy, archived: bool = True,
                     expected_version: int | None = None) -> Strategy:
    """Archive (or restore) a strategy: it stays on record, but no new annual plan can follow it."""
    return _set_archived(actor=actor, model=Strategy, obj=strategy, field="is_active", archived=archived,
                         expected_version=expected_version, action="strategy")


@transaction.atomic
def theme_archive(*, actor, theme: StrategicTheme, archived: bool = True,
                  expected_version: int | None = None) -> StrategicTheme:
    """Archive (or restore) a theme: goals keep it, but no goal can newly choose it."""
    return _set_archived(actor=actor, model=StrategicTheme, obj=theme, field="is_archived", archived=archived,
                         expected_version=expected_version, action="strategic_theme")


@transaction.atomic
def annual_plan_archive(*, actor, annual_plan: AnnualPlan, archived: bool = True,
                        expected_version: int | None = None) -> AnnualPlan:
    """Archive (or restore) an annual plan: its goals stay readable, no goal can be added to it."""
    return _set_archived(actor=actor, model=AnnualPlan, obj=annual_plan, field="is_archived", archived=archived,
                         expected_version=expected_version, action="annual_plan")
