"""The audit trail API (read-only for HR)."""
from rest_framework import generics

from .selectors import audit_event_list
from .serializers import AuditEventSerializer


class AuditEventListApi(generics.ListAPIView):
    """HR browses the audit trail. There is no write endpoint: the trail is append-only."""

    serializer_class = AuditEventSerializer
    filter_backends = []

    def get_queryset(self):
        return audit_event_list(user=self.request.user, filters=self.request.query_params.dict())
