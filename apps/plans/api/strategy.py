"""The strategy, its themes and the annual business plans in the API: lists for everyone; create,
change (with the version: a stale one answers 409) and archive for HR and executives."""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.drf import VersionField

from .. import selectors, services
from ..models import AnnualPlan, Perspective, StrategicTheme, Strategy

# --- strategy --------------------------------------------------------------------------------------

class ThemeOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = StrategicTheme
        fields = ["id", "name", "name_zh", "name_en", "perspective", "description", "order", "is_archived",
                  "version"]


class StrategyOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    themes = ThemeOutput(many=True, read_only=True)

    class Meta:
        model = Strategy
        fields = ["id", "code", "name", "name_zh", "name_en", "description", "start_year", "end_year",
                  "is_active", "themes", "version"]


class AnnualPlanOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    goal_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = AnnualPlan
        fields = ["id", "year", "name", "name_zh", "name_en", "strategy", "summary", "goal_count", "is_archived",
                  "version"]


class ArchiveInput(serializers.Serializer):
    archived = serializers.BooleanField(default=True, help_text="false restores it.")
    version = VersionField(required=True)


def _strategy_out(pk):
    return StrategyOutput(selectors.strategy_list().get(pk=pk)).data


class StrategyListApi(ListAPIView):
    """GET: every strategy with its themes. POST (HR, executives): record a strategy."""

    class StrategyCreateInput(serializers.Serializer):
        code = serializers.CharField(max_length=40)
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        start_year = serializers.IntegerField(min_value=2000, max_value=2100)
        end_year = serializers.IntegerField(min_value=2000, max_value=2100)

    serializer_class = StrategyOutput
    filter_backends = []

    def get_queryset(self):
        return selectors.strategy_list()

    @extend_schema(request=StrategyCreateInput, responses=StrategyOutput)
    def post(self, request):
        ser = self.StrategyCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        obj = services.strategy_create(actor=request.user, **ser.validated_data)
        return Response(_strategy_out(obj.pk), status=status.HTTP_201_CREATED)


class StrategyDetailApi(APIView):
    class StrategyUpdateInput(serializers.Serializer):
        code = serializers.CharField(max_length=40, required=False)
        name_zh = serializers.CharField(max_length=120, required=False)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        start_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
        end_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
        version = VersionField(required=True)

    @extend_schema(request=StrategyUpdateInput, responses=StrategyOutput)
    def patch(self, request, pk):
        obj = get_object_or_404(Strategy, pk=pk)
        ser = self.StrategyUpdateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        services.strategy_update(actor=request.user, strategy=obj, expected_version=version, **data)
        return Response(_strategy_out(pk))


class StrategyArchiveApi(APIView):
    @extend_schema(request=ArchiveInput, responses=StrategyOutput)
    def post(self, request, pk):
        obj = get_object_or_404(Strategy, pk=pk)
        ser = ArchiveInput(data=request.data)
        ser.is_valid(raise_exception=True)
        services.strategy_archive(actor=request.user, strategy=obj, archived=ser.validated_data["archived"],
                                  expected_version=ser.validated_data.get("version"))
        return Response(_strategy_out(pk))


# --- themes ----------------------------------------------------------------------------------------

class ThemeCreateApi(APIView):
    class ThemeCreateInput(serializers.Serializer):
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        perspective = serializers.ChoiceField(choices=Perspective.choices, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        order = serializers.IntegerField(min_value=0, max_value=999, required=False)

    @extend_schema(request=ThemeCreateInput, responses=ThemeOutput)
    def post(self, request, pk):
        strategy = get_object_or_404(Strategy, pk=pk)
        ser = self.ThemeCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        theme = services.theme_create(actor=request.user, strategy=strategy, **ser.validated_data)
        return Response(ThemeOutput(theme).data, status=status.HTTP_201_CREATED)


class ThemeDetailApi(APIView):
    class ThemeUpdateInput(serializers.Serializer):
        name_zh = serializers.CharField(max_length=120, required=False)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        perspective = serializers.ChoiceField(choices=Perspective.choices, required=False, allow_blank=True)
        description = serializers.CharField(required=False, allow_blank=True)
        order = serializers.IntegerField(min_value=0, max_value=999, required=False)
        version = VersionField(required=True)

    @extend_schema(request=ThemeUpdateInput, responses=ThemeOutput)
    def patch(self, request, pk):
        obj = get_object_or_404(StrategicTheme, pk=pk)
        ser = self.ThemeUpdateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        return Response(ThemeOutput(services.theme_update(actor=request.user, theme=obj, expected_version=version,
                                                          **data)).data)


class ThemeArchiveApi(APIView):
    @extend_schema(request=ArchiveInput, responses=ThemeOutput)
    def post(self, request, pk):
        obj = get_object_or_404(StrategicTheme, pk=pk)
        ser = ArchiveInput(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(ThemeOutput(services.theme_archive(
            actor=request.user, theme=obj, archived=ser.validated_data["archived"],
            expected_version=ser.validated_data.get("version"))).data)


# --- annual business plans -------------------------------------------------------------------------

class AnnualPlanListApi(ListAPIView):
    """GET: every annual business plan with its number of goals. POST (HR, executives): a new one."""

    class AnnualPlanCreateInput(serializers.Serializer):
        year = serializers.IntegerField(min_value=2000, max_value=2100)
        strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.all())
        name_zh = serializers.CharField(max_length=120)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        summary = serializers.CharField(required=False, allow_blank=True)

    serializer_class = AnnualPlanOutput
    filter_backends = []

    def get_queryset(self):
        return selectors.annual_plan_list()

    @extend_schema(request=AnnualPlanCreateInput, responses=AnnualPlanOutput)
    def post(self, request):
        ser = self.AnnualPlanCreateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        obj = services.annual_plan_create(actor=request.user, **ser.validated_data)
        return Response(AnnualPlanOutput(selectors.annual_plan_list().get(pk=obj.pk)).data,
                        status=status.HTTP_201_CREATED)


class AnnualPlanDetailApi(APIView):
    class AnnualPlanUpdateInput(serializers.Serializer):
        strategy = serializers.PrimaryKeyRelatedField(queryset=Strategy.objects.all(), required=False)
        name_zh = serializers.CharField(max_length=120, required=False)
        name_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
        summary = serializers.CharField(required=False, allow_blank=True)
        version = VersionField(required=True)

    @extend_schema(request=AnnualPlanUpdateInput, responses=AnnualPlanOutput)
    def patch(self, request, pk):
        obj = get_object_or_404(AnnualPlan, pk=pk)
        ser = self.AnnualPlanUpdateInput(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = data.pop("version", None)
        services.annual_plan_update(actor=request.user, annual_plan=obj, expected_version=version, **data)
        return Response(AnnualPlanOutput(selectors.annual_plan_list().get(pk=pk)).data)


class AnnualPlanArchiveApi(APIView):
    @extend_schema(request=ArchiveInput, responses=AnnualPlanOutput)
    def post(self, request, pk):
        obj = get_object_or_404(AnnualPlan, pk=pk)
        ser = ArchiveInput(data=request.data)
        ser.is_valid(raise_exception=True)
        services.annual_plan_archive(actor=request.user, annual_plan=obj, archived=ser.validated_data["archived"],
                                     expected_version=ser.validated_data.get("version"))
        return Response(AnnualPlanOutput(selectors.annual_plan_list().get(pk=pk)).data)
