from django.contrib import admin

from .models import Department, Employee, JobLevel, Position


@admin.register(JobLevel)
class JobLevelAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "rank", "review_frequency"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "head", "path"]
    search_fields = ["code", "name_zh", "name_en"]
    readonly_fields = ["path", "depth"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "department", "job_level"]
    list_select_related = ["department", "job_level"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name_zh", "name_en", "department", "position", "supervisor", "is_active"]
    list_select_related = ["department", "position", "supervisor"]
    search_fields = ["employee_no", "name_zh", "name_en"]
    readonly_fields = ["report_path"]
    raw_id_fields = ["supervisor", "user"]
