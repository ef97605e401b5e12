"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless ``OIDC_ENABLED`` is set.

People are matched to existing accounts, never guessed: by the e-mail claim, or by the employee-number claim
(``OIDC_MATCH=employee_number``, claim name in ``OIDC_EMPLOYEE_NUMBER_CLAIM``) looked up in the employee
directory named by ``SSO_EMPLOYEE_MODEL`` (a model setting like AUTH_USER_MODEL: this app does not import the
directory's app). Nobody unknown gets an account unless ``OIDC_CREATE_USERS`` allows it. The ID token is checked
beyond what the library does: audience (our client id) and, when set, the issuer. A provider that fails
(unreachable, wrong issuer, bad signature) sends the person back to the login page with a clear message and a
log line; local passwords keep working (and, with ``SSO_REQUIRED``, only for the break-glass accounts).
"""
from __future__ import annotations

import logging

import jwt
import requests
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseRedirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

logger = logging.getLogger("perfcycle.sso")


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_ENABLED", False))


def password_login_allowed(username: str) -> bool:
    """With SSO_REQUIRED only the break-glass accounts may use a local password."""
    if not (sso_enabled() and getattr(settings, "SSO_REQUIRED", False)):
        return True
    allowed = {u.lower() for u in getattr(settings, "SSO_BREAK_GLASS_USERS", [])}
    return (username or "").strip().lower() in allowed


class EmployeeOIDCBackend(OIDCAuthenticationBackend):
    """The library's code flow, with our matching rule and stricter ID-token checks."""

    def get_payload_data(self, token, key):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as e:
            raise SuspiciousOperation(f"unreadable ID token: {e}") from e
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {header.get('alg')!r}, expected {self.OIDC_RP_SIGN_ALGO!r}")
        issuer = getattr(settings, "OIDC_OP_ISSUER", "") or None
        try:
            return jwt.decode(token, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                              issuer=issuer, options={"require": ["exp", "iat"] + (["iss"] if issuer else [])})
        except jwt.InvalidIssuerError as e:
            raise SuspiciousOperation(f"wrong issuer in the ID token (expected {issuer})") from e
        except jwt.PyJWTError as e:
            raise SuspiciousOperation(f"ID token refused: {e}") from e

    def filter_users_by_claims(self, claims):
        User = get_user_model()
        how = getattr(settings, "OIDC_MATCH", "email")
        if how == "employee_number":
            number = str(claims.get(getattr(settings, "OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")) or "").strip()
            if not number:
                return User.objects.none()
            Employee = apps.get_model(settings.SSO_EMPLOYEE_MODEL)
            ids = Employee.objects.filter(employee_no=number, user__isnull=False).values("user_id")
            return User.objects.filter(pk__in=ids, is_active=True)
        email = (claims.get("email") or "").strip()
        if not email or (getattr(settings, "OIDC_REQUIRE_VERIFIED_EMAIL", True)
                         and claims.get("email_verified") is False):
            return User.objects.none()
        return User.objects.filter(email__iexact=email, is_active=True)

    def verify_claims(self, claims):
        if getattr(settings, "OIDC_MATCH", "email") == "employee_number":
            return bool(claims.get(getattr(settings, "OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")))
        return super().verify_claims(claims)


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """The library's callback; a provider that fails ends on the login page with a reason, not a 500."""

    def get(self, request):
        try:
            response = super().get(request)
        except (requests.RequestException, SuspiciousOperation, ValueError) as e:
            logger.warning("SSO sign-in failed: %s", e)
            return HttpResponseRedirect(reverse("accounts:login") + "?sso=error")
        if not request.user.is_authenticated:
            logger.info("SSO sign-in refused: no active account matches the identity")
        return response
