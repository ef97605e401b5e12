"""API token authentication with an expiry (``API_TOKEN_TTL_HOURS``); tokens are revoked when the
password changes or the user is deactivated (``apps.accounts.security``)."""
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .security import token_is_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("This API token has expired: ask for a new one at "
                                                    "/api/v1/auth/token/."))
        return user, token
