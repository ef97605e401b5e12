"""HR generates draft contracts from a template in bulk: set-based, a bounded number of queries."""
import datetime as dt

import pytest
from contract_helpers import staff_template
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from apps.contracts import services
from apps.contracts.models import Contract, ContractLine, Status
from apps.core.exceptions import ApplicationError, PermissionDenied
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


def _hire(org, n, prefix):
    for i in range(n):
        org_services.employee_create(
            actor=org.actor, employee_no=f"{prefix}{i:03d}", name_zh=f"员工{prefix}{i}", department=org.sales_east,
            position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2025, 1, 1))


def _generate(org, template, **kw):
    with CaptureQueriesContext(connection) as ctx:
        result = services.contracts_generate(actor=org.user("hr"), template=template, period="2026-11", **kw)
    return result, [q["sql"] for q in ctx.captured_queries]


def _inserts(queries, table):
    return sum(1 for q in queries if q.startswith(f'INSERT INTO "{table}"'))


def test_generation_query_count_does_not_grow_with_headcount(org):
    """Reads and updates are a fixed set; inserts are bulk (one statement per batch). PostgreSQL takes
    every batch whole, so the count is identical; SQLite (999 parameters per statement in Django 5.2)
    splits big inserts, which is the only growth allowed."""
    tpl_small = staff_template(org, code="TPL-A", position=org.pos_staff)
    _hire(org, 3, "A")
    small, small_q = _generate(org, tpl_small)
    assert small["created"] == 5  # staff, peer and the three new hires
    Contract.objects.all().delete()
    _hire(org, 45, "B")
    big, big_q = _generate(org, tpl_small)
    assert big["created"] == 50
    assert ContractLine.objects.filter(contract__period="2026-11").count() == 50 * 4

    def others(queries):
        return [q for q in queries if not q.startswith("INSERT")]

    assert len(others(big_q)) == len(others(small_q)) <= 8
    if connection.vendor == "postgresql":
        assert len(big_q) == len(small_q)
    else:
        ops = connection.ops
        for model, rows in ((Contract, 50), (ContractLine, 200)):
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            batch = min(ops.bulk_batch_size(fields, [None] * rows), 2000)
            assert _inserts(big_q, model._meta.db_table) <= -(-rows // batch)


def test_generated_drafts_have_the_template_lines_and_the_supervisor_as_appraiser(org):
    tpl = staff_template(org)
    result = services.contracts_generate(actor=org.user("hr"), template=tpl, department=org.sales, period="2026-11")
    assert result["created"] == 2  # the accountant (same job level, other department) is left out
    c = Contract.objects.get(employee=org.staff, period="2026-11")
    assert (c.status, c.appraiser, c.template, c.job_level) == (Status.DRAFT, org.lead, tpl, org.level_s)
    assert sorted(c.lines.values_list("indicator__code", flat=True)) == sorted(
        tpl.lines.values_list("indicator__code", flat=True))
    # running it again creates nothing twice
    again = services.contracts_generate(actor=org.user("hr"), template=tpl, department=org.sales, period="2026-11")
    assert again["created"] == 0


def test_generation_is_for_hr_and_checks_the_period(org):
    tpl = staff_template(org)
    with pytest.raises(PermissionDenied):
        services.contracts_generate(actor=org.user("lead"), template=tpl, period="2026-11")
    with override("en"), pytest.raises(ApplicationError) as info:
        services.contracts_generate(actor=org.user("hr"), template=tpl, period="2026-Q4")
    assert "monthly" in info.value.message


def test_generate_api_and_page(org, api_for, client_for):
    tpl = staff_template(org)
    resp = api_for(org.user("hr")).post(reverse("api-contract-template-generate", args=[tpl.pk]),
                                        {"period": "2026-11", "department": org.sales_east.pk}, format="json")
    assert resp.status_code == 201 and resp.json()["created"] == 2
    page = client_for(org.user("hr")).post(reverse("contracts:template", args=[tpl.pk]),
                                           {"generate": "1", "period": "2026-12", "department": ""})
    assert page.status_code == 302
    assert Contract.objects.filter(period="2026-12").count() == 3
