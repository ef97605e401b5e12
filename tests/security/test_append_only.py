"""Append-only records beyond the audit table (issue 17): on PostgreSQL the database itself refuses to
change or remove what the product promises never changes once written or signed: the revisions of
coaching records, and the signatures of an agreed contract. (SQLite has no such triggers: skipped.)"""
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contracts"))

from contract_helpers import draft, signed  # noqa: E402

from apps.contracts import services as contract_services  # noqa: E402
from apps.contracts.models import ContractSignature  # noqa: E402

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")]


def _refused(sql, params):
    with pytest.raises(DatabaseError, match="append-only|are kept"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_coaching_record_revisions_cannot_be_changed_or_deleted(org):
    from apps.coaching import services
    from apps.coaching.models import Channel, Kind, RecordRevision

    record = services.record_create(actor=org.user("lead"), employee=org.staff, kind=Kind.PROGRESS,
                                    channel=Channel.ONE_TO_ONE, summary="月中回顾", facts="销售额完成 46%。",
                                    serious=True)
    rev = RecordRevision.objects.get(record=record)
    table = RecordRevision._meta.db_table  # noqa: SLF001 - Django's documented Model._meta API
    _refused(f"UPDATE {table} SET number = 9 WHERE id = %s", [rev.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE id = %s", [rev.pk])  # noqa: S608
    assert RecordRevision.objects.filter(pk=rev.pk, number=1).exists()


def test_signatures_of_an_agreed_contract_stay_as_signed(org):
    c = signed(org, draft(org))
    assert c.status == "agreed"
    sig = ContractSignature.objects.filter(contract=c).first()
    table = ContractSignature._meta.db_table  # noqa: SLF001
    _refused(f"UPDATE {table} SET content_hash = 'forged' WHERE id = %s", [sig.pk])  # noqa: S608
    _refused(f"DELETE FROM {table} WHERE contract_id = %s", [c.pk])  # noqa: S608
    assert ContractSignature.objects.filter(contract=c).count() == 2


def test_a_contract_still_negotiated_may_lose_its_first_signature(org):
    """Returning a proposed contract clears the signature given so far: the workflow still works."""
    c = contract_services.contract_propose(actor=org.user("lead"), contract=draft(org))
    c = contract_services.contract_sign(actor=org.user("staff"), contract=c)
    assert ContractSignature.objects.filter(contract=c).count() == 1
    contract_services.contract_return(actor=org.user("staff"), contract=c, reason="目标再议")
    assert not ContractSignature.objects.filter(contract=c).exists()
