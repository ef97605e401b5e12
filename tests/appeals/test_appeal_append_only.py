"""Append-only on PostgreSQL (issue 17): a result correction and an appeal's decision, once written, are
kept by the database itself; the rest of the appeal may still move. (SQLite has no triggers: skipped.)"""
import pytest
from appeal_helpers import line, pdf_file
from django.db import DatabaseError, connection, transaction

from apps.appeals import services
from apps.appeals.models import Appeal
from apps.appraisals.models import ResultCorrection

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")]


def _refused(sql, params):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def _decided(org, staff):
    sales = line(staff, "SALES-MONTH")
    hr = org.user("hr")
    appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons="漏记订单", outcome_asked="重新计分",
                                  lines=[sales.pk], files=[pdf_file()])
    appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True, expected_version=appeal.version)
    return services.appeal_decide(actor=hr, appeal=appeal, outcome="partly", reasons="订单属实",
                                  lines=[{"id": sales.pk, "actual": "1200"}], expected_version=appeal.version)


def test_a_decision_and_its_correction_are_kept_as_made(org, published):
    staff, _peer = published
    appeal = _decided(org, staff)
    table = Appeal._meta.db_table  # noqa: SLF001 - Django's documented Model._meta API
    _refused(f"UPDATE {table} SET outcome = 'upheld' WHERE id = %s", [appeal.pk])  # noqa: S608
    _refused(f"UPDATE {table} SET decision_reasons = 'changed' WHERE id = %s", [appeal.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE id = %s", [appeal.pk])  # noqa: S608
    corrections = ResultCorrection._meta.db_table  # noqa: SLF001
    _refused(f"UPDATE {corrections} SET reason = 'forged' WHERE id = %s", [appeal.correction_id])  # noqa: S608
    _refused(f"DELETE FROM {corrections} WHERE id = %s", [appeal.correction_id])  # noqa: S608
    appeal.refresh_from_db()
    assert appeal.outcome == "partly" and appeal.decision_reasons == "订单属实"
    # what is not the decision still moves (e.g. the version on a later save)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET version = version + 1 WHERE id = %s", [appeal.pk])  # noqa: S608


def test_an_undecided_appeal_may_still_change_and_be_withdrawn(org, published):
    staff, _peer = published
    sales = line(staff, "SALES-MONTH")
    appeal = services.appeal_file(actor=org.user("staff"), appraisal=staff, reasons="漏记订单", outcome_asked="",
                                  lines=[sales.pk], files=[pdf_file()])
    services.appeal_withdraw(actor=org.user("staff"), appeal=appeal, expected_version=appeal.version)
    assert Appeal.objects.get(pk=appeal.pk).withdrawn_at is not None
