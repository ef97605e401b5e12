from django.contrib import admin

from .models import PolicyAcknowledgement, PolicyVersion


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are published from the policy page and frozen."""

    list_display = ("number", "published_at", "published_by", "note")
    readonly_fields = ("number", "snapshot", "fingerprint", "note", "published_at", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("version", "user", "acknowledged_at")
    list_filter = ("version",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
