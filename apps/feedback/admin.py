from django.contrib import admin

from .models import FeedbackRequest


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    """Read-only: answers are confidential to the manager and HR and are read on the request page."""

    list_display = ["subject", "period", "closes_on", "created_at"]
    fields = ["subject", "period", "closes_on", "min_upward_answers", "requested_by"]
    readonly_fields = ["subject", "period", "closes_on", "requested_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
