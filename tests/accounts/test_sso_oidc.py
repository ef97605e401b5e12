"""Single sign-on with OpenID Connect: the real mozilla-django-oidc code flow against a provider running in
the test (token, userinfo and JWKS endpoints, RS256 ID tokens). Off by default; people matched by e-mail or
employee number; nobody unknown or switched off gets in; a broken provider ends on the login page with a
reason, and the break-glass admin can still use a password."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from oidc_provider import OIDCProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    p = OIDCProvider()
    with override_settings(**p.settings()):
        yield p
    p.close()


def sso(client, provider, claims, next_url=None):
    start = client.get("/accounts/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302 and start.url.startswith(f"{provider.url}/authorize?")
    assert "code_challenge=" in start.url  # PKCE
    code, state = provider.authorize(start.url, claims)
    return client.get(f"/accounts/oidc/callback/?code={code}&state={state}")


def signed_in_as(client):
    from django.contrib.auth import SESSION_KEY

    pk = client.session.get(SESSION_KEY)
    return get_user_model().objects.get(pk=pk).username if pk else None


def test_off_by_default(org):
    c = Client()
    assert c.get("/accounts/oidc/login/").status_code == 404
    assert c.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    assert "sso-login" not in c.get("/accounts/login/").content.decode()


def test_sign_in_by_email_claim(org, provider):
    c = Client()
    page = c.get("/accounts/login/").content.decode()
    assert 'id="sso-login"' in page and "使用公司账号登录" in page
    r = sso(c, provider, {"sub": "u-1", "email": "STAFF@example.com", "email_verified": True}, next_url="/plans/")
    assert r.status_code == 302 and r.url == "/plans/"
    assert signed_in_as(c) == "staff"
    assert c.get("/notifications/").status_code == 200
    assert provider.token_requests[0]["code_verifier"]  # the real library runs PKCE


@override_settings(OIDC_MATCH="employee_number", OIDC_EMPLOYEE_NUMBER_CLAIM="employeeNumber")
def test_sign_in_by_employee_number_claim(org, provider):
    c = Client()
    sso(c, provider, {"sub": "u-2", "employeeNumber": "L1", "email": "someone-else@example.com"})
    assert signed_in_as(c) == "lead"


def test_unknown_people_get_no_account(org, provider):
    c = Client()
    r = sso(c, provider, {"sub": "u-3", "email": "stranger@example.com", "email_verified": True})
    assert r.url == "/accounts/login/?sso=unknown" and signed_in_as(c) is None
    assert not get_user_model().objects.filter(email="stranger@example.com").exists()
    assert "没有关联" in c.get(r.url).content.decode()


def test_a_switched_off_account_cannot_sign_in(org, provider):
    user = org.user("peer")
    user.is_active = False
    user.save()
    c = Client()
    sso(c, provider, {"sub": "u-4", "email": "peer@example.com", "email_verified": True})
    assert signed_in_as(c) is None


def test_a_token_from_the_wrong_issuer_is_refused_with_a_reason(org, provider, caplog):
    provider.issuer_override = "https://evil.example.com"
    c = Client()
    r = sso(c, provider, {"sub": "u-5", "email": "staff@example.com", "email_verified": True})
    assert r.url == "/accounts/login/?sso=error" and signed_in_as(c) is None
    assert "wrong issuer" in caplog.text
    assert "单点登录未成功" in c.get(r.url).content.decode()


def test_an_unreachable_provider_shows_a_clear_error_and_the_admin_password_still_works(org, provider, caplog):
    c = Client()
    start = c.get("/accounts/oidc/login/")
    code, state = provider.authorize(start.url, {"email": "staff@example.com"})
    with override_settings(OIDC_OP_TOKEN_ENDPOINT="http://127.0.0.1:9/token"):
        r = c.get(f"/accounts/oidc/callback/?code={code}&state={state}")
    assert r.status_code == 302 and r.url == "/accounts/login/?sso=error"
    assert "SSO sign-in failed" in caplog.text
    get_user_model().objects.create_superuser("admin", "admin@example.com", "Admin-pw-123")
    with override_settings(SSO_REQUIRED=True, SSO_BREAK_GLASS_USERS=["admin"]):
        assert c.post("/accounts/login/", {"username": "admin", "password": "Admin-pw-123"}).status_code == 302
        assert signed_in_as(c) == "admin"


@override_settings(SSO_REQUIRED=True, SSO_BREAK_GLASS_USERS=["admin"])
def test_when_sso_is_required_passwords_work_only_for_the_break_glass_admin(org, provider):
    c = Client()
    r = c.post("/accounts/login/", {"username": "staff", "password": "pw-Test-1234"})
    assert r.status_code == 200 and signed_in_as(c) is None
    assert "单点登录" in r.content.decode()
    sso(c, provider, {"sub": "u-1", "email": "staff@example.com", "email_verified": True})
    assert signed_in_as(c) == "staff"


def test_a_replayed_callback_signs_nobody_in(org, provider):
    c = Client()
    start = c.get("/accounts/oidc/login/")
    code, state = provider.authorize(start.url, {"email": "staff@example.com"})
    c.get(f"/accounts/oidc/callback/?code={code}&state={state}")
    other = Client()
    r = other.get(f"/accounts/oidc/callback/?code={code}&state={state}")
    assert r.status_code == 302 and signed_in_as(other) is None


@override_settings(SSO_REQUIRED=True, SSO_BREAK_GLASS_USERS=["admin"])
def test_when_sso_is_required_no_api_token_for_a_password(org, provider):
    r = Client().post("/api/v1/auth/token/", {"username": "staff", "password": "pw-Test-1234"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "sso_required"
