"""Read-only admin: coaching records are facts, changed only through the services (audited)."""
from django.contrib import admin

from .models import Attachment, CoachingRecord, CoachingSettings, RecordNote, RecordRevision


class ReadOnlyAdmin(admin.ModelAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CoachingRecord)
class CoachingRecordAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "employee", "kind", "channel", "serious", "signed_at", "period", "author"]
    list_filter = ["kind", "channel", "serious", "is_employee_report"]
    search_fields = ["summary", "employee__name_zh", "employee__name_en", "employee__employee_no"]
    list_select_related = ["employee", "author"]


@admin.register(RecordNote)
class RecordNoteAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "record", "kind", "author"]
    list_select_related = ["record__employee", "author"]


@admin.register(RecordRevision)
class RecordRevisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "record", "number", "created_by"]
    list_select_related = ["record__employee", "created_by"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "record", "original_name", "size", "uploaded_by"]
    list_select_related = ["record__employee", "uploaded_by"]


@admin.register(CoachingSettings)
class CoachingSettingsAdmin(ReadOnlyAdmin):
    list_display = ["cadence_min_records", "cadence_days", "cadence_channel", "signature_deadline_days"]
