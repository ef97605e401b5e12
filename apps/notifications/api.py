"""``/api/v1/notifications/``: a person's notification settings and HR's defaults. Every write carries the
version it edited (required): a stale one answers 409."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.exceptions import NotFound
from apps.core.roles import is_hr

from .models import AREA_KEYS, Digest
from .services import (
    notification_policy_get,
    notification_policy_update,
    notification_preference_get,
    notification_preference_update,
)


class NotificationSettingsApi(APIView):
    class NotificationSettingsSerializer(serializers.Serializer):
        email = serializers.BooleanField()
        chat = serializers.BooleanField()
        chat_webhooks = serializers.ListField(child=serializers.IntegerField(), allow_empty=True,
                                              help_text="Ids of shared chat robots (see the settings page).")
        quiet_start = serializers.TimeField(allow_null=True, required=False)
        quiet_end = serializers.TimeField(allow_null=True, required=False)
        digest = serializers.ChoiceField(choices=Digest.choices)
        version = serializers.IntegerField(min_value=0, help_text="The version you edited (0 before the first "
                                                                  "save); stale = 409.")

    def _out(self, pref):
        return {"email": pref.email, "chat": pref.chat, "digest": pref.digest, "version": pref.version,
                "quiet_start": pref.quiet_start, "quiet_end": pref.quiet_end,
                "chat_webhooks": sorted(h.pk for h in pref.chat_webhooks.all()) if pref.pk else []}

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request):
        pref = notification_preference_get(user=request.user)
        return Response(self.NotificationSettingsSerializer(self._out(pref)).data)

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def put(self, request):
        ser = self.NotificationSettingsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        pref = notification_preference_update(
            actor=request.user, email=d["email"], chat=d["chat"], chat_webhook_ids=d["chat_webhooks"],
            quiet_start=d.get("quiet_start"), quiet_end=d.get("quiet_end"), digest=d["digest"],
            expected_version=d["version"])
        return Response(self.NotificationSettingsSerializer(self._out(pref)).data)


class NotificationDefaultsApi(APIView):
    """HR only (404 for everyone else)."""

    class NotificationDefaultsSerializer(serializers.Serializer):
        rules = serializers.DictField(child=serializers.DictField(child=serializers.BooleanField()),
                                      help_text=f"Per area ({', '.join(AREA_KEYS)}): {{'email': bool, 'chat': bool}}.")
        default_digest = serializers.ChoiceField(choices=Digest.choices)
        version = serializers.IntegerField(min_value=1, help_text="The version you edited; stale = 409.")

    def _check(self, request):
        if not is_hr(request.user):
            raise NotFound(_("Not found."))

    def _out(self, policy):
        return {"rules": {a: {"email": policy.allows(a, "email"), "chat": policy.allows(a, "chat")} for a in AREA_KEYS},
                "default_digest": policy.default_digest, "version": policy.version}

    @extend_schema(responses=NotificationDefaultsSerializer)
    def get(self, request):
        self._check(request)
        return Response(self._out(notification_policy_get()))

    @extend_schema(request=NotificationDefaultsSerializer, responses=NotificationDefaultsSerializer)
    def put(self, request):
        self._check(request)
        ser = self.NotificationDefaultsSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        policy = notification_policy_update(actor=request.user, rules=d["rules"], default_digest=d["default_digest"],
                                            expected_version=d["version"])
        return Response(self._out(policy))
