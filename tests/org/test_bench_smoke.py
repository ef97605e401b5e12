"""The bench builder at a tiny size: right counts, consistent materialised paths, reuse and rebuild."""
import pytest

from apps.core.models import AuditEvent
from apps.org.models import Department, Employee, JobLevel, Position
from bench import build_org as bench

pytestmark = pytest.mark.django_db


def test_bench_builder_makes_a_consistent_organisation(org):
    result = bench.build_org(employees=300, batch_size=64, log=lambda *a: None)
    assert not result.reused
    fanout = bench.fanout_for(300)
    n_depts = bench.department_count(fanout)
    assert (result.employees, result.departments) == (300, n_depts)
    emps = {e.pk: e for e in Employee.objects.filter(employee_no__startswith=bench.PREFIX)}
    depts = {d.pk: d for d in Department.objects.filter(code__startswith=bench.PREFIX)}
    assert len(emps) == 300 and len(depts) == n_depts
    assert Position.objects.filter(code__startswith=bench.PREFIX).count() == result.positions
    assert JobLevel.objects.filter(code__startswith=bench.PREFIX).count() == 5
    assert max(d.depth for d in depts.values()) == bench.LEVELS - 1
    for d in depts.values():
        parent = depts.get(d.parent_id)
        assert d.path == f"{parent.path if parent else '/'}{d.pk}/"
        assert d.head_id in emps and emps[d.head_id].department_id == d.pk
    for e in emps.values():
        sup = emps.get(e.supervisor_id)
        assert e.report_path == f"{sup.report_path if sup else '/'}{e.pk}/"
        if sup:
            assert e.report_path.startswith(sup.report_path)
        assert e.position.department_id == e.department_id
    root = Department.objects.get(code=bench.ROOT_CODE)
    assert Employee.objects.under_department(root).count() == 300
    gm = emps[root.head_id]
    assert Employee.objects.under_manager(gm).count() == 299
    # one audit row per created row, and the demo/test organisation is untouched
    assert AuditEvent.objects.filter(action="employee.create", object_repr__startswith=bench.PREFIX).count() == 300
    assert Employee.objects.filter(employee_no="S1").exists()


def test_bench_builder_reuses_the_same_size_and_rebuilds_another(org):
    bench.build_org(employees=300, log=lambda *a: None)
    again = bench.build_org(employees=300, log=lambda *a: None)
    assert again.reused and again.employees == 300
    other = bench.build_org(employees=400, audit=False, log=lambda *a: None)
    assert not other.reused
    assert Employee.objects.filter(employee_no__startswith=bench.PREFIX).count() == 400
    assert bench.existing_size() == 400
