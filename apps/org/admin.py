from django.contrib import admin

from .models import Department, Employee, JobLevel, Position


class ReadOnlyAdmin(admin.ModelAdmin):
    """Organisation writes go through the services (validation, paths, audit): the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JobLevel)
class JobLevelAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en", "rank", "review_frequency"]


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "head", "path"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["path", "depth"]


@admin.register(Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "department", "job_level"]
    list_select_related = ["department", "job_level"]


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    list_display = ["employee_no", "name_zh", "name_en", "department", "position", "supervisor", "is_active"]
    list_select_related = ["department", "position", "supervisor"]
    search_fields = ["employee_no", "name_zh", "name_en"]
    readonly_fields = ["report_path"]
    raw_id_fields = ["supervisor", "user"]
