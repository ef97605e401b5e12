"""Read-only admin: every change goes through the services (and their audit trail)."""
from django.contrib import admin

from .models import ActualsUpload, Appraisal, Cycle, CycleBlocker, CycleSchedule, CycleStage, ScoreLine


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StageInline(admin.TabularInline):
    model = CycleStage
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ("display_title", "period", "frequency", "status", "opened_at", "published_at")
    list_filter = ("status", "frequency")
    search_fields = ("title", "period")
    inlines = [StageInline]


@admin.register(CycleSchedule)
class CycleScheduleAdmin(ReadOnlyAdmin):
    list_display = ("frequency", "is_active", "last_opened_period")


@admin.register(CycleBlocker)
class CycleBlockerAdmin(ReadOnlyAdmin):
    list_display = ("cycle", "employee", "department", "reason", "contract_status", "resolved_at")
    list_filter = ("reason",)
    list_select_related = ("cycle", "employee", "department")


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ("employee", "cycle", "department", "status", "total_score", "grade", "calibrated_grade")
    list_filter = ("status", "grade")
    search_fields = ("employee__name_zh", "employee__name_en", "employee__employee_no")
    list_select_related = ("employee", "cycle", "department")


@admin.register(ScoreLine)
class ScoreLineAdmin(ReadOnlyAdmin):
    list_display = ("appraisal", "section", "display_title", "weight", "collection", "score")
    list_filter = ("section", "collection", "rule_kind")
    list_select_related = ("appraisal__employee", "indicator")


@admin.register(ActualsUpload)
class ActualsUploadAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "cycle", "uploaded_by", "status", "created_at", "applied_at")
    exclude = ("content",)
