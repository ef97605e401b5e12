"""Log-in, lock-out, password change and the per-user language."""
import pytest
from django.urls import reverse

from apps.accounts.models import UserPreference

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_and_logout(org, client):
    resp = _login(client, "staff", "pw-Test-1234")
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_account_even_with_the_right_password(org, client):
    for _ in range(4):
        assert _login(client, "staff", "wrong").status_code == 200
    locked = _login(client, "staff", "wrong")
    assert locked.status_code == 429
    right = _login(client, "staff", "pw-Test-1234")
    assert right.status_code == 429
    assert "15" in right.content.decode()
    # another person at the same address is not locked
    assert _login(client, "peer", "pw-Test-1234").status_code == 302


def test_lockout_settings_are_explicit(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours = 15 minutes


def test_language_switch_persists_for_the_user(org, client):
    _login(client, "staff", "pw-Test-1234")
    zh = client.get("/")
    assert "我的工作" in zh.content.decode()
    client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert UserPreference.objects.get(user__username="staff").language == "en"
    # a new browser (no cookie) gets the saved language after log-in
    from django.test import Client

    other = Client()
    _login(other, "staff", "pw-Test-1234")
    assert "My work" in other.get("/").content.decode()


def test_password_change(org, client):
    _login(client, "staff", "pw-Test-1234")
    resp = client.post(reverse("accounts:password_change"), {
        "old_password": "pw-Test-1234", "new_password1": "Ping-Pong-2026!", "new_password2": "Ping-Pong-2026!"})
    assert resp.status_code == 302
    client.post(reverse("accounts:logout"))
    assert _login(client, "staff", "Ping-Pong-2026!").status_code == 302


def test_home_shows_a_helpful_empty_state(org, client_for):
    body = client_for(org.user("staff")).get("/").content.decode()
    assert 'id="empty-worklist"' in body or "worklist" in body


def test_menu_follows_roles(org, client_for):
    staff = client_for(org.user("staff")).get("/").content.decode()
    hr = client_for(org.user("hr")).get("/").content.decode()
    assert 'data-nav="audit"' not in staff
    assert 'data-nav="audit"' in hr
