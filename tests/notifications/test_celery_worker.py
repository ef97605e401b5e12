"""A real Celery worker over Redis delivers a notification e-mail (not eager mode).

Runs when REDIS_URL is set and the database is PostgreSQL (CI); the worker is a separate process
that reads the committed notification from the test database and writes the e-mail to a folder.
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from apps.notifications.services import notification_create

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
]


@pytest.fixture
def real_worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
           "CELERY_TASK_ALWAYS_EAGER": "false", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(mail_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-l", "info",
         "-Q", "light", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield mail_dir
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_real_worker_delivers_notification_email(org, real_worker, settings):
    from config.celery import app

    app.conf.task_always_eager = False
    try:
        # purge anything a previous run left on the test queue
        app.control.purge()
        note = notification_create(recipient=org.user("staff"), title="真实队列测试 real worker",
                                   body="worker body")
        deadline = time.time() + 45
        files = []
        while time.time() < deadline:
            files = list(real_worker.glob("*.log"))
            if files:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert files, "the worker did not deliver the e-mail within 45 s"
    text = files[0].read_text()
    assert "staff@example.com" in text
    assert "worker body" in text
    note.refresh_from_db()
    assert note.emailed_at is not None
