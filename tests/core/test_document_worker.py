"""A real Celery worker over Redis builds a batch of appraisal forms (not eager mode): the request queues
the job on commit, the worker process renders the forms, reports progress in the job row and saves
the merged PDF; the owner is notified.

Runs when REDIS_URL is set and the database is PostgreSQL (CI)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import add_staff, open_cycle, sign  # noqa: E402

from apps.appraisals import services  # noqa: E402
from apps.core.models import DocumentJob, DocumentJobStatus  # noqa: E402
from apps.core.pdf import pdf_text  # noqa: E402
from apps.notifications.models import Notification  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
]


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test"),
           "DATABASE_URL": url, "CELERY_TASK_ALWAYS_EAGER": "false",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
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


def test_a_real_worker_builds_the_batch_and_reports_progress(org, worker, settings):
    from config.celery import app

    staff = [org.staff, org.peer, *add_staff(org, "W", 10)]
    for emp in staff:
        sign(org, emp)
    cycle = open_cycle(org)
    app.conf.task_always_eager = False
    try:
        app.control.purge()
        with translation.override("zh-hans"):  # the job is built in the language of the request that asked
            job = services.appraisal_forms_batch(actor=org.user("hr"), cycle=cycle, department=org.sales_east)
        seen = set()
        deadline = time.time() + 120
        while time.time() < deadline:
            job.refresh_from_db()
            seen.add((job.status, job.done))
            if job.is_finished:
                break
            time.sleep(0.2)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert job.status == DocumentJobStatus.DONE, (job.status, job.error)
    assert job.done == job.total == 12
    assert any(status == DocumentJobStatus.RUNNING and 0 < done < 12 for status, done in seen), seen
    text = pdf_text(bytes(DocumentJob.objects.get(pk=job.pk).content))
    assert text.count("考核表") >= 12 and "孙娜" in text
    assert Notification.objects.filter(recipient=org.hr.user, url__endswith=f"/core/documents/{job.pk}/").exists()
