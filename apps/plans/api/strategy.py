"""The strategy and the annual business plans, read-only in the API."""
from __future__ import annotations

from rest_framework import serializers
from rest_framework.generics import ListAPIView

from .. import selectors
from ..models import AnnualPlan, StrategicTheme, Strategy

# --- strategy --------------------------------------------------------------------------------------

class ThemeOutput(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = StrategicTheme
        fields = ["id", "name", "name_zh", "name_en", "perspective", "description", "order"]


class StrategyListApi(ListAPIView):
    class StrategyOutputSerializer(serializers.ModelSerializer):
        name = serializers.CharField(read_only=True)
        themes = ThemeOutput(many=True, read_only=True)

        class Meta:
            model = Strategy
            fields = ["id", "code", "name", "name_zh", "name_en", "description", "start_year", "end_year",
                      "is_active", "themes", "version"]

    serializer_class = StrategyOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.strategy_list()


class AnnualPlanListApi(ListAPIView):
    class AnnualPlanOutputSerializer(serializers.ModelSerializer):
        name = serializers.CharField(read_only=True)
        goal_count = serializers.IntegerField(read_only=True)

        class Meta:
            model = AnnualPlan
            fields = ["id", "year", "name", "name_zh", "name_en", "strategy", "summary", "goal_count", "version"]

    serializer_class = AnnualPlanOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.annual_plan_list()
