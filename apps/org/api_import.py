"""API of the organisation import and export (HR only; anyone else gets 404)."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import ApplicationError, NotFound
from apps.core.roles import is_hr

from . import importing
from .views_import import MAX_UPLOAD


def _require_hr(user) -> None:
    if not is_hr(user):
        raise NotFound(_("Not found."))


class OrgImportApi(APIView):
    """Upload an organisation file (xlsx or CSV). ``dry_run=true`` only checks it and answers the preview
    (counts and row errors); otherwise the file is imported whole, or refused whole with its row errors."""

    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        dry_run = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "OrgImportInput"

    class OutputSerializer(serializers.Serializer):
        dry_run = serializers.BooleanField()
        valid = serializers.BooleanField()
        counts = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
        totals = serializers.DictField(child=serializers.IntegerField())
        errors = serializers.ListField(child=serializers.DictField(), required=False)
        changes = serializers.ListField(child=serializers.DictField(), required=False)

        class Meta:
            ref_name = "OrgImportResult"

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=OutputSerializer)
    def post(self, request):
        _require_hr(request.user)
        ser = self.InputSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ApplicationError(_("The file is too large (at most %(mb)s MB).")
                                   % {"mb": MAX_UPLOAD // (1024 * 1024)}, field="file")
        preview = importing.parse_and_validate(upload, name=upload.name)
        if ser.validated_data["dry_run"]:
            return Response({"dry_run": True, **preview.as_dict()})
        result = importing.org_import_apply(actor=request.user, preview=preview)
        return Response({"dry_run": False, "valid": True, **result.as_dict()})


class _IgnoreFormatNegotiation(DefaultContentNegotiation):
    """``?format=`` chooses the file type of the export here, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class OrgExportApi(APIView):
    """The whole organisation in the import format: ``?format=xlsx`` (default) or ``?format=csv``."""

    content_negotiation_class = _IgnoreFormatNegotiation

    @extend_schema(parameters=[OpenApiParameter("format", enum=["xlsx", "csv"], required=False)],
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request):
        _require_hr(request.user)
        fmt = request.query_params.get("format", importing.XLSX)
        file = importing.org_export(fmt=fmt)
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        response["Cache-Control"] = "no-store"
        return response
