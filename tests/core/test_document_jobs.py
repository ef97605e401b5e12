"""Batch printing through the generic DocumentJob: the forms of a department or a cycle built by the
Celery task (eager here; a real worker in test_document_worker.py), progress, one PDF or a zip, the
scope fixed by the access policy when the batch is requested, owner-and-HR-only download, expiry."""
import io
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import appraisal_of, open_cycle, sign  # noqa: E402

from apps.appraisals import services  # noqa: E402
from apps.core.documents import document_jobs_expire  # noqa: E402
from apps.core.exceptions import ApplicationError  # noqa: E402
from apps.core.models import DocumentJob, DocumentJobStatus  # noqa: E402
from apps.core.pdf import pdf_text  # noqa: E402
from apps.notifications.models import Notification  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


def batch(org, who, cycle, capture, **kw):
    with capture(execute=True):
        job = services.appraisal_forms_batch(actor=org.user(who), cycle=cycle, **kw)
    job.refresh_from_db()
    return job


def test_hr_prints_a_department_as_one_pdf_with_every_form(org, cycle, django_capture_on_commit_callbacks):
    job = batch(org, "hr", cycle, django_capture_on_commit_callbacks, department=org.sales)
    assert (job.status, job.done, job.total, job.percent) == (DocumentJobStatus.DONE, 2, 2, 100)
    assert job.content_type == "application/pdf" and job.file_name == "appraisal-forms-2026-11-SAL.pdf"
    text = pdf_text(bytes(job.content))
    assert "孙娜" in text and "李四" in text and text.count("考核表") >= 2
    assert job.expires_at == job.finished_at + timedelta(hours=72)
    note = Notification.objects.get(recipient=org.hr.user)
    assert reverse("core:document", args=[job.pk]) in note.url


def test_a_zip_holds_one_pdf_per_person(org, cycle, django_capture_on_commit_callbacks):
    job = batch(org, "hr", cycle, django_capture_on_commit_callbacks, layout="zip", keep_hours=5)
    with zipfile.ZipFile(io.BytesIO(bytes(job.content))) as zf:
        names = sorted(zf.namelist())
        assert names == ["appraisal-S1-2026-11.pdf", "appraisal-S2-2026-11.pdf"]
        assert "李四" in pdf_text(zf.read("appraisal-S2-2026-11.pdf"))
    assert job.expires_at == job.finished_at + timedelta(hours=5)


def test_the_scope_is_what_the_requester_may_see(org, cycle, django_capture_on_commit_callbacks):
    job = batch(org, "peer", cycle, django_capture_on_commit_callbacks)  # an employee: their own form only
    assert job.total == 1
    text = pdf_text(bytes(job.content))
    assert "李四" in text and "孙娜" not in text
    assert job.parameters["ids"] == [appraisal_of(org.peer, cycle).pk]


def test_an_empty_department_is_refused_with_a_message_and_no_job(org, cycle, client_for):
    with pytest.raises(ApplicationError, match="财务部|Finance"):
        services.appraisal_forms_batch(actor=org.user("hr"), cycle=cycle, department=org.finance)
    r = client_for(org.user("hr")).post(reverse("appraisals:cycle_print", args=[cycle.pk]),
                                        {"department": org.finance.pk, "layout": "merged", "keep_hours": 24})
    body = r.content.decode()
    assert r.status_code == 200 and ("There is no appraisal to print in" in body or "没有可打印的考核表" in body)
    assert not DocumentJob.objects.exists()


def test_only_the_owner_and_hr_see_and_download(org, cycle, client_for, api_for, django_capture_on_commit_callbacks):
    job = batch(org, "lead", cycle, django_capture_on_commit_callbacks)
    for who, code in (("lead", 200), ("hr", 200), ("staff", 404), ("manager", 404)):
        assert client_for(org.user(who)).get(reverse("core:document_download", args=[job.pk])).status_code == code
        assert client_for(org.user(who)).get(reverse("core:document", args=[job.pk])).status_code == code
        assert api_for(org.user(who)).get(reverse("api-document-download", args=[job.pk])).status_code == code
        assert api_for(org.user(who)).get(reverse("api-document", args=[job.pk])).status_code == code
    r = client_for(org.user("lead")).get(reverse("core:document_download", args=[job.pk]))
    assert r.content.startswith(b"%PDF") and "attachment" in r["Content-Disposition"]


def test_the_page_shows_progress_and_the_download_when_done(org, cycle, client_for,
                                                            django_capture_on_commit_callbacks):
    client = client_for(org.user("hr"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.post(reverse("appraisals:cycle_print", args=[cycle.pk]),
                        {"department": "", "layout": "merged", "keep_hours": 48})
    job = DocumentJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("core:document", args=[job.pk])
    page = client.get(reverse("core:document", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="0" max="2"' in page and 'id="download"' not in page
    for cb in callbacks:  # the worker runs the job
        cb()
    part = client.get(reverse("core:document_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in part and 'value="2" max="2"' in part and 'id="download"' in part


def test_expired_files_are_deleted_and_answer_410(org, cycle, client_for, api_for,
                                                  django_capture_on_commit_callbacks):
    job = batch(org, "hr", cycle, django_capture_on_commit_callbacks, keep_hours=1)
    assert document_jobs_expire(now=timezone.now() + timedelta(minutes=30)) == 0
    assert document_jobs_expire(now=timezone.now() + timedelta(hours=2)) == 1
    job.refresh_from_db()
    assert job.status == DocumentJobStatus.EXPIRED and job.content is None
    assert client_for(org.user("hr")).get(reverse("core:document_download", args=[job.pk])).status_code == 410
    assert api_for(org.user("hr")).get(reverse("api-document-download", args=[job.pk])).status_code == 410


def test_the_api_queues_a_batch_and_reports_progress(org, cycle, api_for, django_capture_on_commit_callbacks):
    api = api_for(org.user("hr"))
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(reverse("api-appraisals-cycle-print", args=[cycle.pk]), {"layout": "zip"}, format="json")
    assert r.status_code == 202 and r.json()["total"] == 2
    body = api.get(reverse("api-document", args=[r.json()["id"]])).json()
    assert body["status"] == "done" and body["done"] == 2 and body["percent"] == 100 and body["download_url"]
    bad = api.post(reverse("api-appraisals-cycle-print", args=[cycle.pk]), {"department": org.finance.pk},
                   format="json")
    assert bad.status_code == 400 and bad.json()["error"]["message"]
    assert api_for(org.user("staff")).post(reverse("api-appraisals-cycle-print", args=[cycle.pk]),
                                           {"department": org.finance.pk}, format="json").status_code == 400


def _count(make, user, url):
    client = make(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200
    return len(ctx.captured_queries)


def test_the_document_lists_cost_the_same_for_1_and_6_jobs(org, cycle, client_for, api_for,
                                                           django_capture_on_commit_callbacks):
    batch(org, "hr", cycle, django_capture_on_commit_callbacks)
    hr = org.user("hr")
    one = (_count(client_for, hr, reverse("core:documents")), _count(api_for, hr, reverse("api-documents")))
    for _ in range(5):
        batch(org, "hr", cycle, django_capture_on_commit_callbacks)
    six = (_count(client_for, hr, reverse("core:documents")), _count(api_for, hr, reverse("api-documents")))
    assert one == six == (PINNED_PAGE, PINNED_API)


PINNED_PAGE, PINNED_API = 10, 3


@pytest.mark.parametrize("layout", ["merged", "zip"])
def test_a_large_job_is_built_in_parts_and_combined_in_order(org, cycle, monkeypatch, layout,
                                                            django_capture_on_commit_callbacks):
    from apps.core import documents
    from apps.core.models import DocumentPart

    monkeypatch.setattr(documents, "CHUNK_SIZE", 1)
    job = batch(org, "hr", cycle, django_capture_on_commit_callbacks, layout=layout)
    assert (job.status, job.parts_total, job.done, job.total) == (DocumentJobStatus.DONE, 2, 2, 2)
    assert not DocumentPart.objects.filter(job=job).exists()  # the parts are dropped once combined
    if layout == "zip":
        with zipfile.ZipFile(io.BytesIO(bytes(job.content))) as zf:
            assert sorted(zf.namelist()) == ["appraisal-S1-2026-11.pdf", "appraisal-S2-2026-11.pdf"]
    else:
        text = pdf_text(bytes(job.content))
        assert text.index("孙娜") < text.index("李四")
    assert Notification.objects.filter(recipient=org.hr.user).count() == 1
