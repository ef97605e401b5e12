"""Sign-in protection beside django-axes: the client address behind a trusted proxy, a limit per
address across user names (password spraying), API token expiry and revocation, the idle timeout.

- Axes locks one user name at one address after ``AXES_FAILURE_LIMIT`` failures for
  ``AXES_COOLOFF_TIME``; the lock does not slide (attempts during the lock, even with the right
  password, do not renew it), and other people at the same (shared, NAT) address are not locked.
- Spraying (one try for each of many user names) is limited per address: more than
  ``SIGNIN_ADDRESS_FAILURE_LIMIT`` failures from one address within a fixed window of
  ``SIGNIN_ADDRESS_WINDOW_MINUTES`` refuses every sign-in from that address until the window ends.
- The client address is ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies stand in front
  (production behind a load balancer): then it is the address the first trusted proxy saw, taken
  from ``X-Forwarded-For`` counted from the right, so a client cannot forge it.
"""
from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def client_ip(request) -> str | None:
    """The caller's address (``AXES_CLIENT_IP_CALLABLE``); see the module notes."""
    meta = getattr(request, "META", {})
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return meta.get("REMOTE_ADDR")


def _window() -> tuple[int, int]:
    """(window number, seconds until it ends) of the fixed address window."""
    length = int(settings.SIGNIN_ADDRESS_WINDOW_MINUTES) * 60
    now = int(time.time())
    return now // length, length - now % length


def _address_key(ip: str | None) -> str:
    return f"signin-failures:{ip or '-'}:{_window()[0]}"


def address_failure_record(ip: str | None) -> int:
    key = _address_key(ip)
    if cache.add(key, 1, timeout=_window()[1] + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_window()[1] + 5)
        return 1


def address_blocked_for(ip: str | None) -> int:
    """Seconds until sign-ins from this address are accepted again (0: not blocked)."""
    failures = cache.get(_address_key(ip)) or 0
    return _window()[1] if failures >= int(settings.SIGNIN_ADDRESS_FAILURE_LIMIT) else 0


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None:
        address_failure_record(client_ip(request))


# --- API tokens ---------------------------------------------------------------------------------------

def token_expires_at(token) -> dt.datetime:
    return token.created + dt.timedelta(hours=int(settings.API_TOKEN_TTL_HOURS))


def token_is_expired(token) -> bool:
    return timezone.now() >= token_expires_at(token)


def revoke_on_credential_change(sender, instance, raw=False, **kwargs) -> None:
    """Delete a user's API tokens when their password changes or they are deactivated (a leaver)."""
    if raw or not instance.pk:
        return
    from rest_framework.authtoken.models import Token

    old = type(instance).objects.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    if old["password"] != instance.password or (old["is_active"] and not instance.is_active):
        Token.objects.filter(user_id=instance.pk).delete()
