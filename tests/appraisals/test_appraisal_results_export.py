"""A cycle's results as XLSX and CSV: the numbers equal the appraisal data row for row, a second sheet of
every line, the page's filters, formula injection neutralised, HR everything, a department head their
subtree, anyone else 404, and a clear message when nothing is published."""
import csv
import io

import openpyxl
import pytest
from appraisal_helpers import appraisal_of, open_cycle, sign
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from test_appraisal_form_pdf import publish

from apps.appraisals.models import Appraisal
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    publish(org, appraisal_of(org.staff, cycle))
    publish(org, appraisal_of(org.peer, cycle))
    return cycle


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_equals_the_appraisals_row_for_row(org, client_for, published_cycle):
    r = client_for(org.user("hr")).get(reverse("appraisals:results_export", args=[published_cycle.pk, "csv"]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    header, *rows = rows_of(r.content)
    assert len(header) == 15 and len(rows) == 2
    for row in rows:
        a = Appraisal.objects.select_related("employee", "department", "appraiser").get(employee__employee_no=row[0])
        assert row[1] == a.employee.name and row[2] == a.department.name and row[3] == "销售代表"
        assert row[5:10] == [str(a.results_score), str(a.behaviour_score), str(a.plan_score or ""),
                             str(a.total_score), a.grade]
        assert row[12] == a.final_grade and row[13] == a.appraiser.name


def test_the_workbook_has_the_results_and_every_line(org, client_for, published_cycle):
    r = client_for(org.user("hr")).get(reverse("appraisals:results_export", args=[published_cycle.pk, "xlsx"]))
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    results, lines = wb.worksheets
    assert results.max_row == 3 and lines.max_row == 1 + 8
    staff = appraisal_of(org.staff, published_cycle)
    row = next(r for r in results.iter_rows(min_row=2, values_only=True) if r[0] == "S1")
    assert float(row[8]) == float(staff.total_score)
    line_rows = [r for r in lines.iter_rows(min_row=2, values_only=True) if r[0] == "S1"]
    assert [float(r[9]) for r in line_rows] == [float(ln.score) for ln in staff.lines.order_by("section", "order", "pk")]
    assert all(r[10] for r in line_rows)  # each line's explanation


def test_formula_like_text_is_neutralised(org, client_for, published_cycle):
    a = appraisal_of(org.staff, published_cycle)
    Appraisal.objects.filter(pk=a.pk).update(calibration_reason='=HYPERLINK("http://evil","x")', calibrated_grade="A")
    r = client_for(org.user("hr")).get(reverse("appraisals:results_export", args=[published_cycle.pk, "csv"]))
    row = next(r for r in rows_of(r.content)[1:] if r[0] == "S1")
    assert row[11] == "'=HYPERLINK(\"http://evil\",\"x\")" and row[12] == "A"
    wb = openpyxl.load_workbook(io.BytesIO(client_for(org.user("hr")).get(
        reverse("appraisals:results_export", args=[published_cycle.pk, "xlsx"])).content))
    cell = next(r for r in wb.worksheets[0].iter_rows(min_row=2) if r[0].value == "S1")[11]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_filters_as_on_the_page(org, client_for, published_cycle):
    url = reverse("appraisals:results_export", args=[published_cycle.pk, "csv"])
    rows = rows_of(client_for(org.user("hr")).get(url, {"q": "S2"}).content)[1:]
    assert [r[0] for r in rows] == ["S2"]
    lines = rows_of(client_for(org.user("hr")).get(url, {"lines": "1", "q": "S2"}).content)[1:]
    assert len(lines) == 4 and {r[0] for r in lines} == {"S2"}


def test_a_department_head_exports_their_subtree_others_get_404(org, client_for, api_for, published_cycle):
    org_services.department_update(actor=org.actor, department=org.sales, head=org.manager)
    org_services.department_update(actor=org.actor, department=org.finance, head=org.accountant)
    url = reverse("appraisals:results_export", args=[published_cycle.pk, "csv"])
    assert len(rows_of(client_for(org.user("manager")).get(url).content)) == 3
    # the finance head: nothing published in their subtree -> a message, no file
    r = client_for(org.user("accountant")).get(url)
    assert r.status_code == 302 and reverse("appraisals:calibration", args=[published_cycle.pk]) in r["Location"]
    for who in ("staff", "lead", "peer"):
        assert client_for(org.user(who)).get(url).status_code == 404
        assert api_for(org.user(who)).get(reverse("api-appraisals-cycle-results-export", args=[published_cycle.pk]),
                                          {"file": "csv"}).status_code == 404


def test_the_api_exports_and_says_when_nothing_is_published(org, api_for):
    sign(org, org.staff)
    cycle = open_cycle(org)
    api = api_for(org.user("hr"))
    url = reverse("api-appraisals-cycle-results-export", args=[cycle.pk])
    r = api.get(url, {"file": "csv"})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and ("no published results" in message or "没有已发布" in message)
    publish(org, appraisal_of(org.staff, cycle))
    r = api.get(url, {"file": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert api.get(url, {"file": "pdf"}).status_code == 400


def test_the_export_costs_the_same_for_2_and_6_people(org, client_for):
    from appraisal_helpers import add_staff

    extra = add_staff(org, "X", 4)
    for emp in (org.staff, org.peer, *extra):
        sign(org, emp)
    cycle = open_cycle(org)
    for emp in (org.staff, org.peer):
        publish(org, appraisal_of(emp, cycle))
    hr_id = org.hr.user.pk

    def count():
        c = client_for(get_user_model().objects.get(pk=hr_id))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("appraisals:results_export", args=[cycle.pk, "xlsx"])).status_code == 200
        return len(ctx.captured_queries)

    two = count()
    for emp in extra:
        publish(org, appraisal_of(emp, cycle))
    assert two == count() == PINNED


PINNED = 8
