"""Uploading actuals (xlsx or CSV): a preview with row-by-row errors, nothing written unless the file is
valid, and the same file uploaded again changes nothing."""
import io

import openpyxl
import pytest
from appraisal_helpers import line, open_cycle, sign
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.appraisals import services
from apps.appraisals.models import Appraisal, Collection, ScoreLine, UploadStatus
from apps.appraisals.services import uploads
from apps.core.exceptions import ApplicationError
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


def _csv(rows, header="employee_no,indicator_code,actual,evidence"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _preview(org, cycle, data, name="actuals.csv", user="accountant"):
    return uploads.actuals_upload_preview(actor=org.user(user), cycle=cycle, data=data, file_name=name)


def test_every_bad_row_is_reported_and_nothing_is_written(org, cycle):
    data = _csv([
        "S1,SALES-MONTH,1140,台账",
        "S9,SALES-MONTH,1000,",        # unknown employee number
        "S1,NO-SUCH-KPI,1,",           # unknown indicator code
        "S2,PROFIT-MONTH,三百,",        # not a number
        "S1,SALES-MONTH,1150,",        # the same line twice
        "S1,BEH-TEAMWORK,90,",         # scored by the appraiser: no actual
        ",PROFIT-MONTH,1,",            # empty employee number
    ])
    upload, preview = _preview(org, cycle, data)
    assert upload.status == UploadStatus.INVALID and not preview.is_valid
    errors = {r.row: " ".join(r.errors) for r in preview.rows if r.errors}
    assert set(errors) == {3, 4, 5, 6, 7, 8}
    assert "S9" in errors[3] and "NO-SUCH-KPI" in errors[4] and "三百" in errors[5]
    assert "2" in errors[6]
    with pytest.raises(ApplicationError) as info:
        uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload)
    assert "nothing was written" in info.value.message or "未写入" in info.value.message
    assert not ScoreLine.objects.filter(collection=Collection.ENTERED).exists()


def test_a_valid_file_is_written_and_the_same_file_again_changes_nothing(org, cycle):
    data = _csv(["S1,SALES-MONTH,1140,台账", "S1,PROFIT-MONTH,300,利润表", "S2,SALES-MONTH,\"1,200\",",
                 "S2,PROFIT-MONTH,280.5,"])
    upload, preview = _preview(org, cycle, data)
    assert preview.is_valid and preview.counts()["update"] == 4
    assert uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload) == {"updated": 4, "unchanged": 0}
    staff = Appraisal.objects.get(employee=org.staff)
    assert staff.lines_pending == 0
    sales = line(staff, "SALES-MONTH")
    assert (str(sales.actual), sales.evidence, sales.entered_by) == ("1140.0000", "台账", org.user("accountant"))
    versions = dict(ScoreLine.objects.values_list("pk", "version"))
    events = AuditEvent.objects.count()
    upload2, preview2 = _preview(org, cycle, data)
    assert preview2.is_valid and preview2.counts() == {"rows": 4, "update": 0, "unchanged": 4, "error": 0}
    assert uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload2) == {"updated": 0, "unchanged": 4}
    assert dict(ScoreLine.objects.values_list("pk", "version")) == versions
    # only the upload's own two audit rows (check and apply), no line changed
    assert AuditEvent.objects.count() == events + 2
    assert not AuditEvent.objects.filter(pk__gt=0, action="appraisal.line_actual_set").exclude(
        after__upload=upload.pk).exists()
    # applying the first upload again is a no-op
    assert uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload)["updated"] == 0


def test_xlsx_with_chinese_headers(org, cycle):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工号", "指标代码", "实际值", "依据"])
    ws.append(["S1", "SALES-MONTH", 1140, "台账"])
    ws.append(["S1", "PROFIT-MONTH", 330.0, None])
    buf = io.BytesIO()
    wb.save(buf)
    upload, preview = _preview(org, cycle, buf.getvalue(), name="实际值.xlsx")
    assert preview.is_valid, preview.as_dict()
    uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload)
    assert line(Appraisal.objects.get(employee=org.staff), "PROFIT-MONTH").actual == 330


def test_a_file_without_the_columns_is_refused(org, cycle):
    _upload, preview = _preview(org, cycle, _csv(["S1,1140"], header="工号,金额"))
    assert not preview.is_valid and "indicator_code" in preview.file_errors[0]


def test_rows_for_lines_of_another_data_source_are_errors_for_a_data_owner(org, cycle):
    # the employee's lead is not a data source: the rows do not reveal whether the line exists
    _upload, preview = _preview(org, cycle, _csv(["S1,SALES-MONTH,1140,"]), user="lead")
    assert not preview.is_valid and "S1" in preview.rows[0].errors[0]
    _upload, preview = _preview(org, cycle, _csv(["S1,SALES-MONTH,1140,"]), user="hr")
    assert preview.is_valid


def test_after_verification_the_same_values_are_unchanged_and_new_ones_refused(org, cycle):
    data = _csv(["S1,SALES-MONTH,1140,台账", "S1,PROFIT-MONTH,300,"])
    upload, _p = _preview(org, cycle, data)
    uploads.actuals_upload_apply(actor=org.user("accountant"), upload=upload)
    services.appraisal_verify(actor=org.user("hr"), appraisal=Appraisal.objects.get(employee=org.staff))
    _u, preview = _preview(org, cycle, data)
    assert preview.is_valid and preview.counts()["unchanged"] == 2
    _u, preview = _preview(org, cycle, _csv(["S1,SALES-MONTH,1200,台账"]))
    assert not preview.is_valid and "已核实" in preview.rows[0].errors[0]  # verified already


def test_upload_pages_check_then_apply(org, cycle, client_for):
    c = client_for(org.user("accountant"))
    bad = _csv(["S1,SALES-MONTH,abc,"])
    resp = c.post(reverse("appraisals:actuals_upload"), {"cycle": cycle.pk,
                                                         "file": SimpleUploadedFile("a.csv", bad)})
    assert resp.status_code == 302
    page = c.get(resp["Location"]).content.decode()
    assert "upload-invalid" in page and "abc" in page
    good = _csv(["S1,SALES-MONTH,1140,"])
    resp = c.post(reverse("appraisals:actuals_upload"), {"cycle": cycle.pk,
                                                         "file": SimpleUploadedFile("a.csv", good)})
    upload_id = int(resp["Location"].rstrip("/").split("/")[-1])
    resp = c.post(reverse("appraisals:upload_apply", args=[upload_id]))
    assert resp.status_code == 302
    assert line(Appraisal.objects.get(employee=org.staff), "SALES-MONTH").actual == 1140
    # somebody else's upload is not found
    assert client_for(org.user("lead")).get(reverse("appraisals:upload", args=[upload_id])).status_code == 404
