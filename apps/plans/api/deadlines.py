"""HR's plan deadlines in the API."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.drf import VersionField

from .. import selectors, services


class PlanSettingsApi(APIView):
    class PlanSettingsOutputSerializer(serializers.Serializer):
        due_day = serializers.IntegerField()
        remind_days_before = serializers.IntegerField()
        version = serializers.IntegerField()

    class PlanSettingsInputSerializer(serializers.Serializer):
        due_day = serializers.IntegerField(min_value=1, max_value=28)
        remind_days_before = serializers.IntegerField(min_value=0, max_value=20)
        version = VersionField()

    @extend_schema(responses=PlanSettingsOutputSerializer)
    def get(self, request):
        return Response(self.PlanSettingsOutputSerializer(selectors.plan_settings_get()).data)

    @extend_schema(request=PlanSettingsInputSerializer, responses=PlanSettingsOutputSerializer)
    def put(self, request):
        ser = self.PlanSettingsInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        obj = services.plan_settings_update(actor=request.user, due_day=d["due_day"],
                                            remind_days_before=d["remind_days_before"],
                                            expected_version=d.get("version"))
        return Response(self.PlanSettingsOutputSerializer(obj).data)
