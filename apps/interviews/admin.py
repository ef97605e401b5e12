"""Admin: HR keeps the holidays here (working days are Monday to Friday less these). Interviews are
confidential and changed only through the services (audited): read-only lists without their content."""
from django.contrib import admin

from .models import CycleInterviewPolicy, Holiday, Interview


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CycleInterviewPolicy)
class CycleInterviewPolicyAdmin(admin.ModelAdmin):
    list_display = ["cycle", "window_days", "policy", "remind_days_before", "version"]
    readonly_fields = ["cycle", "window_days", "policy", "remind_days_before", "version"]

    def has_add_permission(self, request):
        return False


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    """Status and dates only: the record's content stays on the interview pages (access-checked)."""

    list_display = ["employee", "manager", "period", "status", "due_date", "signed_at", "disagreement"]
    list_filter = ["status", "disagreement"]
    fields = ["employee", "manager", "period", "status", "published_on", "due_date", "scheduled_at", "submitted_at",
              "signed_at", "disagreement"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
