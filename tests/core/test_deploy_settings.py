"""Production settings: no secret has a default, and `check --deploy` is clean with real secrets."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(extra_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **extra_env})
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"DJANGO_ALLOWED_HOSTS": "perf.example.com", "DATABASE_URL": "postgres://u@db/perf"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_has_no_warnings_with_real_secrets():
    result = _check({"DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "DJANGO_ALLOWED_HOSTS": "perf.example.com",
                     "DATABASE_URL": "postgres://u@db/perf"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
