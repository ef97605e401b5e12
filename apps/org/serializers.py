from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import access
from .models import Department, Employee, JobLevel, Position


class JobLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobLevel
        fields = ["id", "code", "name_zh", "name_en", "rank", "review_frequency"]


class PositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Position
        fields = ["id", "code", "name_zh", "name_en", "department", "job_level"]


class DepartmentSerializer(serializers.ModelSerializer):
    headcount = serializers.IntegerField(read_only=True, default=None)
    head = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name_zh", "name_en", "parent", "head", "depth", "path", "headcount", "version"]


class DepartmentTreeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.id")
    code = serializers.CharField(source="department.code")
    name_zh = serializers.CharField(source="department.name_zh")
    name_en = serializers.CharField(source="department.name_en")
    head = serializers.IntegerField(source="department.head_id", allow_null=True)
    headcount = serializers.IntegerField(source="department.headcount")
    total = serializers.IntegerField()
    children = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, node):
        return DepartmentTreeSerializer(node["children"], many=True).data


class EmployeeCardSerializer(serializers.ModelSerializer):
    """The directory card everyone may see; the personnel fields only where the viewer may read them."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    position_name = serializers.CharField(source="position.name", default=None, read_only=True)
    job_level = serializers.CharField(source="position.job_level.code", default=None, read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.name", default=None, read_only=True)

    PRIVATE = ("hire_date", "left_date", "phone", "version")

    class Meta:
        model = Employee
        fields = ["id", "employee_no", "name_zh", "name_en", "email", "phone", "department", "department_name",
                  "position", "position_name", "job_level", "supervisor", "supervisor_name", "hire_date",
                  "left_date", "is_active", "version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not access.can(request.user, access.READ, "record", instance):
            for key in self.PRIVATE:
                data.pop(key, None)
        return data


class EmployeeUpdateSerializer(serializers.Serializer):
    """Input of PATCH /employees/<id>/: any subset; the service decides who may write which field."""

    employee_no = serializers.CharField(max_length=30, required=False)
    name_zh = serializers.CharField(max_length=120, required=False)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False, allow_null=True)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False,
                                                    allow_null=True)
    hire_date = serializers.DateField(required=False)
    left_date = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)
