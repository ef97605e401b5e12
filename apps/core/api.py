"""The audit trail API (read-only for HR); the documents built off the web workers (owner and HR)."""
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .documents import DocumentExpired, document_job_get, document_job_list
from .exceptions import Conflict
from .filters import clean_query, text_field
from .models import DocumentJob, DocumentJobStatus
from .selectors import audit_event_list
from .serializers import AuditEventSerializer


class AuditEventListApi(generics.ListAPIView):
    """HR browses the audit trail. There is no write endpoint: the trail is append-only."""

    serializer_class = AuditEventSerializer
    filter_backends = []

    def get_queryset(self):
        return audit_event_list(user=self.request.user, filters=clean_query(self.request.query_params, {
            "action": text_field(), "object_type": text_field(), "object_id": text_field(), "actor": text_field(),
            "q": text_field(), "since": serializers.DateField(required=False),
            "until": serializers.DateField(required=False)}))


# --- documents built off the web workers ---------------------------------------------------------------------

class DocumentJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentJob
        fields = ["id", "kind", "title", "layout", "status", "done", "total", "percent", "file_name", "size",
                  "error", "created_at", "finished_at", "expires_at", "download_url"]

    def get_download_url(self, obj) -> str:
        return reverse("api-document-download", args=[obj.pk]) if obj.status == DocumentJobStatus.DONE else ""


class DocumentJobListApi(generics.ListAPIView):
    """The user's documents (HR: everyone's), newest first."""

    serializer_class = DocumentJobSerializer
    filter_backends = []

    def get_queryset(self):
        return document_job_list(user=self.request.user)


class DocumentJobDetailApi(APIView):
    """One document's status and progress (owner and HR; 404 for anyone else)."""

    @extend_schema(responses=DocumentJobSerializer)
    def get(self, request, pk):
        return Response(DocumentJobSerializer(document_job_get(user=request.user, pk=pk)).data)


class DocumentJobDownloadApi(APIView):
    """The finished file (owner and HR); 409 while it is being built, 410 once it expired."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        job = document_job_get(user=request.user, pk=pk, with_content=True)
        if job.status == DocumentJobStatus.EXPIRED:
            raise DocumentExpired(_("The file was deleted when its time was up."))
        if job.status != DocumentJobStatus.DONE or job.content is None:
            raise Conflict(_("The file is not ready yet."))
        response = HttpResponse(bytes(job.content), content_type=job.content_type)
        response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
        return response
