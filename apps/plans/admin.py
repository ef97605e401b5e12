from django.contrib import admin

from .models import (
    AnnualPlan,
    Goal,
    GoalAcknowledgement,
    MonthlyPlan,
    PlanItem,
    PlanSettings,
    StrategicTheme,
    Strategy,
)


class ThemeInline(admin.TabularInline):
    model = StrategicTheme
    extra = 0


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "start_year", "end_year", "is_active"]
    inlines = [ThemeInline]


@admin.register(AnnualPlan)
class AnnualPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "name_zh", "strategy"]


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    """Read-mostly: goals change through the product's pages and API (services roll progress up)."""

    list_display = ["name_zh", "year", "period_kind", "period_index", "owner_kind", "department", "weight", "progress",
                    "depth"]
    list_filter = ["year", "period_kind", "owner_kind"]
    list_select_related = ["department"]
    search_fields = ["name_zh", "name_en", "code"]
    readonly_fields = ["path", "depth", "root", "progress", "year"]
    raw_id_fields = ["parent", "employee", "position", "department", "theme"]


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    raw_id_fields = ["goal", "carried_from", "added_by"]


@admin.register(MonthlyPlan)
class MonthlyPlanAdmin(admin.ModelAdmin):
    list_display = ["employee", "year", "month", "status", "submitted_at", "confirmed_at"]
    list_filter = ["year", "month", "status"]
    list_select_related = ["employee"]
    search_fields = ["employee__name_zh", "employee__employee_no"]
    raw_id_fields = ["employee", "carried_from", "submitted_by", "returned_by", "confirmed_by", "reopened_by"]
    inlines = [PlanItemInline]


@admin.register(PlanSettings)
class PlanSettingsAdmin(admin.ModelAdmin):
    list_display = ["due_day", "remind_days_before", "version"]


@admin.register(GoalAcknowledgement)
class GoalAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["employee", "position", "year", "discussed_with", "created_at"]
    raw_id_fields = ["employee", "position", "discussed_with", "acknowledged_by"]
