"""A real Celery worker over Redis runs the deadline scan (not eager mode): the beat task's message goes
through the broker, the worker process reads the committed cycle from the test database and writes the
reminders; a second message the same day sends nothing twice.

Runs when REDIS_URL is set and the database is PostgreSQL (CI)."""
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from appraisal_helpers import BASE_DAY, open_cycle, sign
from django.db import connection

from apps.appraisals.models import Appraisal, Stage
from apps.notifications.models import Notification
from apps.notifications.services import notification_create

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
]


@pytest.fixture
def appraisal_worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
           "DATABASE_URL": url,
           "CELERY_TASK_ALWAYS_EAGER": "false", "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(mail_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-l", "info",
         "-Q", "light,heavy", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for(predicate, seconds=45):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_real_worker_runs_the_deadline_scan_once_per_day(org, appraisal_worker, settings):
    from apps.appraisals.tasks import scan_deadlines
    from config.celery import app

    sign(org, org.staff)
    open_cycle(org, policies={Stage.ACTUALS: "escalate"})
    day = (BASE_DAY + dt.timedelta(days=4)).isoformat()  # the day after the actuals deadline
    app.conf.task_always_eager = False
    try:
        app.control.purge()
        scan_deadlines.delay(day)
        assert _wait_for(lambda: Notification.objects.filter(dedupe_key__startswith="appraisals:escalate:").exists()), \
            "the worker did not run the deadline scan within 45 s"
        scan_deadlines.delay(day)  # the beat task again the same day
        # a probe behind it on the same queue: once the probe's e-mail is sent, the second scan has run
        probe = notification_create(recipient=org.user("hr"), title="probe", body="probe")
        assert _wait_for(lambda: Notification.objects.filter(pk=probe.pk, emailed_at__isnull=False).exists())
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert Notification.objects.filter(recipient=org.accountant.user, dedupe_key__startswith="appraisals:").count() == 1
    assert Notification.objects.filter(recipient=org.gm.user, dedupe_key__startswith="appraisals:escalate:").count() == 1
    assert Appraisal.objects.get(employee=org.staff).overdue_stage == Stage.ACTUALS
