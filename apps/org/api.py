from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.filters import IdFilter, PieceFilterSet

from . import selectors, services
from .models import JobLevel, Position
from .serializers import (
    DepartmentSerializer,
    DepartmentTreeSerializer,
    EmployeeCardSerializer,
    EmployeeUpdateSerializer,
    JobLevelSerializer,
    PositionSerializer,
)


class DepartmentTreeApi(APIView):
    @extend_schema(responses=DepartmentTreeSerializer(many=True))
    def get(self, request):
        return Response(DepartmentTreeSerializer(selectors.department_tree(), many=True).data)


class DepartmentListApi(generics.ListAPIView):
    serializer_class = DepartmentSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.department_list()


class JobLevelListApi(generics.ListAPIView):
    serializer_class = JobLevelSerializer
    queryset = JobLevel.objects.all()
    filter_backends = []


class PositionListApi(generics.ListAPIView):
    serializer_class = PositionSerializer
    filterset_fields = ["department", "job_level"]

    def get_queryset(self):
        return Position.objects.all().order_by("code")


class EmployeeFilter(PieceFilterSet):
    """The directory's filters, applied by the selector's own pieces (``selectors.EMPLOYEE_FILTERS``)."""

    pieces = selectors.EMPLOYEE_FILTERS
    q = filters.CharFilter(method="apply", label="search: name, employee number or e-mail")
    department = IdFilter(method="apply", label="department id (its subtree included)")
    job_level = IdFilter(method="apply", label="job level id")
    position = IdFilter(method="apply", label="position id")
    supervisor = IdFilter(method="apply", label="direct supervisor id")
    status = filters.ChoiceFilter(choices=selectors.EMPLOYEE_STATUSES, method="apply",
                                  label="active (the default), left or all")

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = self.pieces["status"](queryset, "active")
        return super().filter_queryset(queryset)


class EmployeeListApi(generics.ListAPIView):
    """Employees with search and filters; the personnel fields only where the viewer may read them."""

    serializer_class = EmployeeCardSerializer
    filterset_class = EmployeeFilter

    def get_queryset(self):
        return selectors.employee_scope(user=self.request.user)


class EmployeeDetailApi(APIView):
    @extend_schema(responses=EmployeeCardSerializer)
    def get(self, request, pk):
        emp = selectors.employee_get(user=request.user, pk=pk)
        return Response(EmployeeCardSerializer(emp, context={"request": request}).data)

    @extend_schema(request=EmployeeUpdateSerializer, responses=EmployeeCardSerializer)
    def patch(self, request, pk):
        emp = selectors.employee_get(user=request.user, pk=pk)
        ser = EmployeeUpdateSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        emp = services.employee_update(actor=request.user, employee=emp, expected_version=version, **data)
        emp = selectors.employee_get(user=request.user, pk=emp.pk)
        return Response(EmployeeCardSerializer(emp, context={"request": request}).data, status=status.HTTP_200_OK)
