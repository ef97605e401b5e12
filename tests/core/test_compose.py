"""docker-compose.yml describes the production topology: one image, exactly one beat, secrets from env."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_of_the_production_topology(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    images = {services[s]["image"] for s in ("web", "worker", "beat")}
    assert len(images) == 1, "web, worker and beat run one image"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]


def test_no_secret_has_a_default(compose):
    env = compose["services"]["web"]["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert env["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert ":?" in env["DATABASE_URL"]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_compose_config_validates():
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True,
                            env={"DJANGO_SECRET_KEY": "x", "POSTGRES_PASSWORD": "y", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
