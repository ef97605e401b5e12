"""The summaries over the API, with the same access rules as the pages (404 outside one's scope)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services

CYCLE_PARAM = OpenApiParameter("cycle", int, description="cycle id (default: the latest cycle with figures)")


def _cycle_id(request) -> int | None:
    value = request.query_params.get("cycle", "")
    return int(value) if value.isdigit() else None


class DashboardOutputSerializer(serializers.Serializer):  # documents the answer (the data is built by selectors)
    """Summary, histogram, grades (with quotas when the cycle has them), trend, open cycles' stage
    progress, goal attainment by perspective, the rows one level down, top and bottom departments."""

    scope = serializers.DictField()
    cycle = serializers.DictField(required=False)
    summary = serializers.DictField(required=False)
    histogram = serializers.ListField(required=False)
    grades = serializers.ListField(required=False)
    trend = serializers.ListField(required=False)
    open_cycles = serializers.ListField(required=False)
    goals = serializers.DictField(required=False)
    children = serializers.ListField(required=False)
    ranked = serializers.DictField(required=False)
    cycles = serializers.ListField()


def _answer(request, scope: selectors.Scope) -> Response:
    board = selectors.dashboard(user=request.user, scope=scope, cycle_id=_cycle_id(request))
    data = selectors.payload(board)
    data.setdefault("scope", {"kind": scope.kind, "title": scope.title})
    return Response(data)


class CompanyDashboardApi(APIView):
    @extend_schema(parameters=[CYCLE_PARAM], responses=DashboardOutputSerializer)
    def get(self, request):
        selectors.require_company(request.user)
        return _answer(request, selectors.company_scope())


class DepartmentDashboardApi(APIView):
    @extend_schema(parameters=[CYCLE_PARAM], responses=DashboardOutputSerializer)
    def get(self, request, pk):
        dept = selectors.department_get(user=request.user, pk=pk)
        return _answer(request, selectors.department_scope(dept))


class TeamDashboardApi(APIView):
    @extend_schema(parameters=[CYCLE_PARAM], responses=DashboardOutputSerializer)
    def get(self, request, pk):
        manager = selectors.team_manager_get(user=request.user, pk=pk)
        return _answer(request, selectors.team_scope(manager))


class DepartmentSummaryListApi(generics.ListAPIView):
    """Department summaries the user may read; filter by ``cycle`` and ``parent`` (department id)."""

    class DepartmentSummaryOutputSerializer(serializers.Serializer):
        cycle = serializers.IntegerField(source="cycle_id")
        period = serializers.CharField()
        frequency = serializers.CharField()
        department = serializers.IntegerField(source="department_id")
        department_name = serializers.CharField(source="department.name")
        parent = serializers.IntegerField(source="parent_id", allow_null=True)
        depth = serializers.IntegerField()
        headcount = serializers.IntegerField()
        direct_headcount = serializers.IntegerField()
        status_counts = serializers.DictField(child=serializers.IntegerField())
        actuals_complete = serializers.IntegerField()
        overdue = serializers.IntegerField()
        scored = serializers.IntegerField()
        mean_score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
        median_score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
        min_score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
        max_score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
        grade_counts = serializers.DictField(child=serializers.IntegerField())
        histogram = serializers.DictField(child=serializers.IntegerField())
        rolled_up_at = serializers.DateTimeField()

    serializer_class = DepartmentSummaryOutputSerializer
    filter_backends = []

    @extend_schema(parameters=[CYCLE_PARAM, OpenApiParameter("parent", int, description="parent department id")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        parent = self.request.query_params.get("parent", "")
        return selectors.department_summary_list(user=self.request.user, cycle_id=_cycle_id(self.request),
                                                 parent_id=int(parent) if parent.isdigit() else None)


class MyTrendApi(APIView):
    class MyTrendOutputSerializer(serializers.Serializer):
        period = serializers.CharField()
        label = serializers.CharField()
        total = serializers.CharField(allow_null=True)
        grade = serializers.CharField()
        cycle = serializers.CharField()
        url = serializers.CharField()

    @extend_schema(responses=MyTrendOutputSerializer(many=True))
    def get(self, request):
        rows = selectors.my_trend(user=request.user)
        return Response(self.MyTrendOutputSerializer(rows, many=True).data)


class CycleRollupApi(APIView):
    """HR: recalculate a cycle's figures now (queued; the beat task does it within a minute anyway)."""

    @extend_schema(request=None, responses={202: None})
    def post(self, request, pk):
        services.rollup_request(actor=request.user, cycle_id=pk)
        return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)
