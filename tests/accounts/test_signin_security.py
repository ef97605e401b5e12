"""Sign-in and tokens as tested (issue 17): a lock that does not slide, a shared address that does not
lock the real user, a limit on spraying, the token endpoint's lock answer, throttles, token expiry and
revocation, the idle timeout HR sets, and the API schema for signed-in users only."""
import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts import services as account_services
from apps.org import services as org_services

pytestmark = pytest.mark.django_db
RIGHT = "pw-Test-1234"


def _login(client, username, password, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def _age_attempts(minutes):
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - dt.timedelta(minutes=minutes))


def test_the_lock_does_not_slide_tries_during_it_do_not_renew_it(org, client):
    for _ in range(5):
        _login(client, "staff", "wrong")
    assert _login(client, "staff", RIGHT).status_code == 429
    _age_attempts(14)  # 14 minutes later: still locked, and this try must not renew the lock
    assert _login(client, "staff", RIGHT).status_code == 429
    assert _login(client, "staff", "wrong").status_code == 429
    _age_attempts(2)  # 16 minutes after the fifth failure
    assert _login(client, "staff", RIGHT).status_code == 302


def test_behind_a_trusted_proxy_the_lock_is_per_client_address_and_cannot_be_forged(org, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        _login(client, "staff", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert _login(client, "staff", RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code == 429
    # the real user at her own address is not locked out by someone else's failures behind the same proxy
    assert _login(client, "staff", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 302
    client.post(reverse("accounts:logout"))
    # a client-supplied left part of X-Forwarded-For does not change the address the proxy saw
    assert _login(client, "staff", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
                  **proxy).status_code == 429


def test_password_spraying_from_one_address_is_blocked_for_the_window(org, client, settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 4
    for username in ("gm", "manager", "lead", "peer"):  # one try each: no single user name is locked
        assert _login(client, username, "Summer2026!", REMOTE_ADDR="192.0.2.50").status_code == 200
    blocked = _login(client, "staff", RIGHT, REMOTE_ADDR="192.0.2.50")
    assert blocked.status_code == 429
    assert "network" in blocked.content.decode() or "网络" in blocked.content.decode()
    assert _login(client, "staff", RIGHT, REMOTE_ADDR="192.0.2.51").status_code == 302


def test_the_token_endpoint_says_when_an_account_is_locked(org):
    api = APIClient()
    url = reverse("api-token")
    wrong = api.post(url, {"username": "staff", "password": "wrong"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_credentials"
    for _ in range(4):
        api.post(url, {"username": "staff", "password": "wrong"}, format="json")
    locked = api.post(url, {"username": "staff", "password": RIGHT}, format="json")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out" and int(locked["Retry-After"]) > 0


def test_the_token_endpoint_and_the_api_are_throttled(org, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token": "3/min", "user": "5/min", "anon": "100/min"})
    api = APIClient()
    answers = [api.post(reverse("api-token"), {"username": "staff", "password": RIGHT}, format="json").status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    api.force_authenticate(org.user("staff"))
    answers = [api.get(reverse("api-org-employees")).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]


def test_tokens_expire_and_a_new_one_replaces_an_expired_one(org, settings):
    api = APIClient()
    first = api.post(reverse("api-token"), {"username": "staff", "password": RIGHT}, format="json").json()
    assert "expires_at" in first
    api.credentials(HTTP_AUTHORIZATION=f"Token {first['token']}")
    assert api.get(reverse("api-org-employees")).status_code == 200
    Token.objects.filter(key=first["token"]).update(
        created=timezone.now() - dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS, seconds=1))
    expired = api.get(reverse("api-org-employees"))
    message = expired.json()["error"]["message"]
    assert expired.status_code == 401 and ("expired" in message or "过期" in message)
    api.credentials()
    second = api.post(reverse("api-token"), {"username": "staff", "password": RIGHT}, format="json").json()
    assert second["token"] != first["token"]


def test_a_password_change_revokes_the_api_tokens(org, client):
    api = APIClient()
    token = api.post(reverse("api-token"), {"username": "staff", "password": RIGHT}, format="json").json()["token"]
    _login(client, "staff", RIGHT)
    client.post(reverse("accounts:password_change"), {
        "old_password": RIGHT, "new_password1": "An0ther-Secret-2026", "new_password2": "An0ther-Secret-2026"})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api-org-employees")).status_code == 401


def test_a_leaver_loses_the_session_and_the_tokens(org, client):
    api = APIClient()
    token = api.post(reverse("api-token"), {"username": "staff", "password": RIGHT}, format="json").json()["token"]
    _login(client, "staff", RIGHT)
    assert client.get("/").status_code == 200
    org_services.employee_update(actor=org.user("hr"), employee=org.staff, is_active=False,
                                 left_date=dt.date(2026, 11, 30))
    assert client.get("/").status_code == 302
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(reverse("api-org-employees")).status_code == 401
    assert _login(client, "staff", RIGHT).status_code == 200  # the form refuses an inactive account


def test_an_idle_browser_session_is_signed_out_after_the_time_hr_sets(org, client, client_for):
    _login(client, "staff", RIGHT)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_activity"] = int(timezone.now().timestamp()) - 481 * 60
    session.save()
    gone = client.get("/")
    assert gone.status_code == 302 and reverse("accounts:login") in gone["Location"]

    hr = client_for(org.user("hr"))
    page = hr.get(reverse("accounts:security"))
    assert page.status_code == 200 and b"480" in page.content
    too_short = hr.post(reverse("accounts:security"), {"idle_timeout_minutes": 1, "version": 1})
    assert too_short.status_code == 200 and account_services.security_settings_get().idle_timeout_minutes == 480
    assert hr.post(reverse("accounts:security"), {"idle_timeout_minutes": 30, "version": 1}).status_code == 302
    stale = hr.post(reverse("accounts:security"), {"idle_timeout_minutes": 60, "version": 1})
    assert stale.status_code == 200 and account_services.security_settings_get().idle_timeout_minutes == 30

    _login(client, "staff", RIGHT)
    session = client.session
    session["last_activity"] = int(timezone.now().timestamp()) - 31 * 60
    session.save()
    assert client.get("/").status_code == 302
    assert client_for(org.user("staff")).get(reverse("accounts:security")).status_code == 404


def test_the_api_schema_and_its_page_are_for_signed_in_users_only(org, client, client_for):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and reverse("accounts:login") in docs["Location"]
    assert client_for(org.user("staff")).get("/api/schema/").status_code == 200


def test_a_request_without_credentials_answers_401_with_www_authenticate(client):
    resp = client.get(reverse("api-org-employees"))
    assert resp.status_code == 401
    assert resp["WWW-Authenticate"].startswith("Token")
