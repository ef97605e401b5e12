"""Read-mostly admin: changes go through the pages and the API (services), which audit them."""
from django.contrib import admin

from .models import Contract, ContractChange, ContractLine, ContractSignature, ContractTemplate, Indicator


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "name_en", "kpi_type", "dimension", "indicator_class", "is_active")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(ContractTemplate)
class ContractTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "job_level", "position", "is_active")


class ContractLineInline(admin.TabularInline):
    model = ContractLine
    extra = 0
    can_delete = False
    fields = ("section", "order", "indicator", "title", "weight", "target", "unit", "rule", "data_source")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("employee", "period", "version_no", "status", "appraiser", "is_latest")
    list_filter = ("status", "period")
    search_fields = ("employee__name_zh", "employee__employee_no")
    inlines = [ContractLineInline]


@admin.register(ContractSignature)
class ContractSignatureAdmin(ReadOnlyAdmin):
    list_display = ("contract", "party", "user", "signed_at", "content_hash")


@admin.register(ContractChange)
class ContractChangeAdmin(ReadOnlyAdmin):
    list_display = ("contract", "proposed_by", "status", "created_at")
