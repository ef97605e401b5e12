"""Acknowledgements of the position goals in the API."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from .. import selectors, services


class AcknowledgementApi(ListAPIView):
    """GET: acknowledgements the user may read. POST: acknowledge your own position goals."""

    class AcknowledgementOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        employee = serializers.IntegerField(source="employee_id")
        employee_name = serializers.CharField(source="employee.name")
        position = serializers.IntegerField(source="position_id", allow_null=True)
        year = serializers.IntegerField()
        goals = serializers.JSONField()
        discussed_with = serializers.CharField(source="discussed_with.name", default=None)
        note = serializers.CharField()
        created_at = serializers.DateTimeField()

    class AcknowledgementInputSerializer(serializers.Serializer):
        note = serializers.CharField(required=False, allow_blank=True)
        year = serializers.IntegerField(required=False)

    serializer_class = AcknowledgementOutputSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.acknowledgement_list(user=self.request.user)

    @extend_schema(request=AcknowledgementInputSerializer, responses=AcknowledgementOutputSerializer)
    def post(self, request):
        ser = self.AcknowledgementInputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ack = services.position_goals_acknowledge(actor=request.user, **ser.validated_data)
        return Response(self.AcknowledgementOutputSerializer(ack).data, status=status.HTTP_201_CREATED)
