"""The policy API: the current version (with whether the user acknowledged it; HR also whether it is out
of date) and the acknowledgement. Thin over the same selectors and services as the pages."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.roles import is_hr

from . import selectors, services


class AcknowledgeSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version number read (required; 409 when a "
                                                              "newer one was published).")


def _current(request) -> dict:
    v = selectors.current_version()
    body = {"version": v.number if v else None, "published_at": v.published_at if v else None,
            "note": v.note if v else "", "acknowledged": selectors.has_acknowledged(request.user, v),
            "pdf_url": reverse("policy:version_pdf", args=[v.number]) if v else ""}
    if is_hr(request.user):
        body["out_of_date"] = selectors.is_out_of_date(v)
    return body


class PolicyApi(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request):
        return Response(_current(request))


class PolicyAcknowledgeApi(APIView):
    @extend_schema(request=AcknowledgeSerializer, responses={200: dict})
    def post(self, request):
        ser = AcknowledgeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = selectors.version_get(number=ser.validated_data["version"])
        services.policy_acknowledge(actor=request.user, version=version)
        return Response(_current(request))
