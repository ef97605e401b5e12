"""Read-only admin views of the summary tables (they are written by the roll-ups only)."""
from django.contrib import admin

from .models import DepartmentCycleSummary, GoalAttainmentSummary, RollupState, TeamCycleSummary


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DepartmentCycleSummary)
class DepartmentCycleSummaryAdmin(ReadOnly):
    list_display = ("period", "frequency", "department", "headcount", "scored", "mean_score", "median_score",
                    "n_published", "overdue", "rolled_up_at")
    list_filter = ("frequency", "period")
    list_select_related = ("department",)
    raw_id_fields = ("cycle", "department", "parent")


@admin.register(TeamCycleSummary)
class TeamCycleSummaryAdmin(ReadOnly):
    list_display = ("period", "frequency", "manager", "headcount", "scored", "mean_score", "median_score",
                    "rolled_up_at")
    list_filter = ("frequency", "period")
    list_select_related = ("manager",)
    raw_id_fields = ("cycle", "manager")


@admin.register(GoalAttainmentSummary)
class GoalAttainmentSummaryAdmin(ReadOnly):
    list_display = ("year", "department", "goals", "mean_progress", "achieved", "on_track", "rolled_up_at")
    list_filter = ("year",)
    list_select_related = ("department",)
    raw_id_fields = ("department", "parent")


@admin.register(RollupState)
class RollupStateAdmin(ReadOnly):
    list_display = ("key", "rolled_up_at", "requested_at", "seconds", "rows")
    search_fields = ("key",)
