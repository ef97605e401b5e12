"""``POST /api/v1/auth/token/``: a token for username and password, with the same lock-out as the
sign-in page (axes), the per-address limit and a throttle; an expired token is replaced."""
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.core.drf import error_response

from .security import address_blocked_for, client_ip, token_expires_at, token_is_expired


class TokenObtainApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=4096, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={
        200: OutputSerializer, 400: OpenApiResponse(description="Wrong username or password"),
        429: OpenApiResponse(description="Locked out (too many failures) or throttled")}, auth=[])
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        from .sso import password_login_allowed

        if not password_login_allowed(data.validated_data["username"]):
            return error_response(status=400, code="sso_required", message=_(
                "Your company signs in with single sign-on: passwords cannot be used here."))
        wait = address_blocked_for(client_ip(request))
        if wait:
            return _locked(_("Too many failed sign-ins from your network. Try again in %(minutes)s minutes.")
                           % {"minutes": max(1, round(wait / 60))}, wait)
        user = authenticate(request=request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if getattr(request, "axes_locked_out", False):
            return _locked(_("This account is locked after too many failed sign-ins. Try again in "
                             "15 minutes."), 15 * 60)
        if user is None or not user.is_active:
            return error_response(status=400, code="invalid_credentials",
                                  message=_("The username or password is not correct."))
        token, _created = Token.objects.get_or_create(user=user)
        if token_is_expired(token):
            token.delete()
            token = Token.objects.create(user=user)
        return Response(self.OutputSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data)


def _locked(message: str, seconds: int):
    resp = error_response(status=429, code="locked_out", message=message)
    resp["Retry-After"] = str(int(seconds))
    return resp
