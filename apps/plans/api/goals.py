"""Goals in the API: the flat list (and setting a goal), the alignment tree, one goal, its progress."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.drf import VersionField
from apps.core.periods import PeriodKind
from apps.org.models import Department, Employee, Position

from .. import selectors, services
from ..models import AnnualPlan, Goal, OwnerKind, StrategicTheme

# --- output shapes -------------------------------------------------------------------------------

class GoalOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    period = serializers.CharField(source="period_code", read_only=True)
    period_label = serializers.CharField(read_only=True)
    level = serializers.CharField(source="level_label", read_only=True)
    owner = serializers.CharField(source="owner_name", read_only=True)
    department_code = serializers.CharField(source="department.code", read_only=True)
    employee_no = serializers.CharField(source="employee.employee_no", default=None, read_only=True)
    attainment = serializers.CharField(source="attainment_class", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, or approved (locked: change it through a "
                                                             "change request)")

    class Meta:
        model = Goal
        fields = ["id", "code", "name", "name_zh", "name_en", "year", "period", "period_kind", "period_index",
                  "period_label", "parent", "root", "depth", "level", "owner_kind", "owner", "department",
                  "department_code", "position", "employee", "employee_no", "theme", "measure", "unit", "target",
                  "actual", "weight", "progress", "attainment", "description", "status", "approved_at", "change_reason",
                  "version"]


class GoalTreeNodeOutput(serializers.Serializer):
    goal = GoalOutput()
    context = serializers.BooleanField(help_text="Shown only as the ancestor of a goal that matches the filters.")
    children = serializers.SerializerMethodField()

    def get_children(self, node) -> list:
        return GoalTreeNodeOutput(node["children"], many=True).data


class GoalDetailOutput(GoalOutput):
    why = serializers.JSONField(read_only=True, help_text="The chain up to the strategy: strategy, theme, annual "
                                                         "plan and the goals above, top first.")

    class Meta(GoalOutput.Meta):
        fields = [*GoalOutput.Meta.fields, "why"]


# --- goals -----------------------------------------------------------------------------------------

class GoalFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False)
    period = serializers.CharField(required=False, help_text="H1, Q2, M5 ...: goals whose period overlaps it.")
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    owner_kind = serializers.ChoiceField(choices=OwnerKind.choices, required=False)
    employee = serializers.IntegerField(required=False)
    parent = serializers.IntegerField(required=False)
    q = serializers.CharField(required=False)
    mine = serializers.BooleanField(required=False)


def _goal_filters(request) -> dict:
    ser = GoalFilterSerializer(data=request.query_params)
    ser.is_valid(raise_exception=True)
    return {k: v for k, v in ser.validated_data.items() if v not in (None, "", False)}


class GoalListApi(ListAPIView):
    """GET: goals the user may see, flat, in tree order, with filters. POST: set a new goal."""

    serializer_class = GoalOutput
    filter_backends = []

    class GoalCreateInputSerializer(serializers.Serializer):
        annual_plan = serializers.PrimaryKeyRelatedField(queryset=AnnualPlan.objects.all(), required=False)
        parent = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        code = serializers.CharField(max_length=40, required=False, allow_blank=True)
        owner_kind = serializers.ChoiceField(choices=OwnerKind.choices)
        department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                        allow_null=True)
        position = serializers.PrimaryKeyRelatedField(queryset=Position.objects.all(), required=False,
                                                      allow_null=True)
        employee = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False,
                                                      allow_null=True)
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
        period_index = serializers.IntegerField(required=False, default=1)
        measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
        target = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
        theme = serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all(), required=False,
                                                   allow_null=True)
        description = serializers.CharField(required=False, allow_blank=True)

    def get_queryset(self):
        return selectors.goal_list(user=self.request.user, filters=_goal_filters(self.request))

    @extend_schema(request=GoalCreateInputSerializer, responses=GoalOutput)
    def post(self, request):
        ser = self.GoalCreateInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        goal = services.goal_create(actor=request.user, **ser.validated_data)
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=goal.pk)).data,
                        status=status.HTTP_201_CREATED)


class GoalTreeApi(APIView):
    """The alignment tree: goals matching the filters, nested under their ancestors (marked context)."""

    @extend_schema(parameters=[GoalFilterSerializer], responses=GoalTreeNodeOutput(many=True))
    def get(self, request):
        filters = _goal_filters(request)
        filters.setdefault("year", timezone.localdate().year)
        return Response(GoalTreeNodeOutput(selectors.goal_tree(user=request.user, filters=filters), many=True).data)


class GoalDetailApi(APIView):
    class GoalUpdateInputSerializer(serializers.Serializer):
        parent = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), required=False, allow_null=True)
        name_zh = serializers.CharField(max_length=120, required=False)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        code = serializers.CharField(max_length=40, required=False, allow_blank=True)
        period_kind = serializers.ChoiceField(choices=PeriodKind.choices, required=False)
        period_index = serializers.IntegerField(required=False)
        measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
        unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
        target = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
        theme = serializers.PrimaryKeyRelatedField(queryset=StrategicTheme.objects.all(), required=False,
                                                   allow_null=True)
        description = serializers.CharField(required=False, allow_blank=True)
        version = VersionField()

    def _detail(self, request, goal):
        data = GoalOutput(goal).data
        chain = selectors.goal_chain(goal, user=request.user)
        data["why"] = {
            "strategy": ({"id": chain["strategy"].pk, "name": chain["strategy"].name} if chain["strategy"] else None),
            "theme": ({"id": chain["theme"].pk, "name": chain["theme"].name,
                       "perspective": chain["theme"].perspective} if chain["theme"] else None),
            "annual_plan": {"id": chain["annual_plan"].pk, "year": chain["annual_plan"].year,
                            "name": chain["annual_plan"].name},
            "ancestors": [{"id": g.pk, "name": g.name, "level": g.level_label, "period": g.period_code,
                           "progress": str(g.progress)} for g in chain["ancestors"]],
        }
        return data

    @extend_schema(responses=GoalDetailOutput)
    def get(self, request, pk):
        return Response(self._detail(request, selectors.goal_get(user=request.user, pk=pk)))

    @extend_schema(request=GoalUpdateInputSerializer, responses=GoalDetailOutput)
    def patch(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalUpdateInputSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        services.goal_update(actor=request.user, goal=goal, expected_version=version, **data)
        return Response(self._detail(request, selectors.goal_get(user=request.user, pk=pk)))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        services.goal_delete(actor=request.user, goal=goal, expected_version=request.query_params.get("version"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoalProgressApi(APIView):
    class GoalProgressInputSerializer(serializers.Serializer):
        progress = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
        actual = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
        version = VersionField()

    @extend_schema(request=GoalProgressInputSerializer, responses=GoalOutput)
    def post(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalProgressInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        services.goal_progress_update(actor=request.user, goal=goal, progress=d.get("progress"),
                                      actual=d.get("actual"), expected_version=d.get("version"))
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=pk)).data)


class GoalApproveApi(APIView):
    """Approve a draft goal (one level up: not its drafter nor its owner). It is locked afterwards."""

    class GoalApproveInput(serializers.Serializer):
        version = VersionField(required=True)

    @extend_schema(request=GoalApproveInput, responses=GoalOutput)
    def post(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalApproveInput(data=request.data)
        ser.is_valid(raise_exception=True)
        services.goal_approve(actor=request.user, goal=goal, expected_version=ser.validated_data["version"])
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=pk)).data)


class GoalChangeRequestApi(APIView):
    """Request a change to an approved goal, with a reason: it goes back to draft."""

    class GoalChangeRequestInput(serializers.Serializer):
        reason = serializers.CharField(max_length=services.GOAL_REASON_MAX)
        version = VersionField(required=True)

    @extend_schema(request=GoalChangeRequestInput, responses=GoalOutput)
    def post(self, request, pk):
        goal = selectors.goal_get(user=request.user, pk=pk)
        ser = self.GoalChangeRequestInput(data=request.data)
        ser.is_valid(raise_exception=True)
        services.goal_change_request(actor=request.user, goal=goal, reason=ser.validated_data["reason"],
                                     expected_version=ser.validated_data["version"])
        return Response(GoalOutput(selectors.goal_get(user=request.user, pk=pk)).data)
