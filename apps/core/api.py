"""The audit trail API (read-only for HR)."""
from rest_framework import generics, serializers

from .filters import clean_query, text_field
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
