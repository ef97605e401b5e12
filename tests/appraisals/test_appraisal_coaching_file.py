"""The performance file on the appraisal pages: coaching records beside the lines they concern on the
manager's scoring page and the employee's appraisal page, never for a peer, at a constant query cost."""
import pytest
from appraisal_helpers import PERIOD, appraisal_of, direct_entries, enter_actuals, line, open_cycle, sign
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.appraisals import services
from apps.coaching import services as coaching_services

pytestmark = pytest.mark.django_db

SUMMARY = "未经审批给予客户超额折扣"


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


def _self_assessed(org, cycle):
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    return services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="本月完成主要工作",
                                          lines=direct_entries(a, ["85", "90"]), submit=True)


def _record(org, contract_line, summary=SUMMARY, serious=True):
    return coaching_services.record_create(
        actor=org.user("lead"), employee=org.staff, kind="criticism", channel="one_to_one", summary=summary,
        facts="给予经销商 18% 折扣，超出权限。", period=PERIOD, contract_line=contract_line, serious=serious)


def _row(html: str, score_line_pk: int) -> str:
    start = html.index(f'data-line="{score_line_pk}"')
    return html[start:html.index("</tr>", start)]


def test_a_record_linked_to_a_line_shows_beside_that_line_for_the_manager_and_the_employee(org, cycle,
                                                                                          client_for):
    a = _self_assessed(org, cycle)
    profit, sales = line(a, "PROFIT-MONTH"), line(a, "SALES-MONTH")
    _record(org, profit.contract_line)

    manager_page = client_for(org.user("lead")).get(reverse("appraisals:detail", args=[a.pk]))
    html = manager_page.content.decode()
    assert 'id="manager-scoring"' in html  # the manager's scoring page
    assert SUMMARY in _row(html, profit.pk)
    assert SUMMARY not in _row(html, sales.pk)
    assert f'{reverse("coaching:file", args=[org.staff.pk])}?period={PERIOD}' in html
    assert f'{reverse("coaching:file_pdf", args=[org.staff.pk])}?period={PERIOD}' in html

    own = client_for(org.user("staff")).get(reverse("appraisals:my")).content.decode()
    assert SUMMARY in _row(own, profit.pk)
    assert SUMMARY not in _row(own, sales.pk)
    assert "performance-file-link" in own


def test_a_peer_never_sees_the_record(org, cycle, client_for):
    a = appraisal_of(org.staff, cycle)
    _record(org, line(a, "PROFIT-MONTH").contract_line)
    peer = client_for(org.user("peer"))
    assert peer.get(reverse("appraisals:detail", args=[a.pk])).status_code == 404
    own = peer.get(reverse("appraisals:my")).content.decode()
    assert appraisal_of(org.peer, cycle).pk and SUMMARY not in own
    from apps.coaching.selectors import records_by_contract_line

    ids = list(a.lines.values_list("contract_line_id", flat=True))
    assert records_by_contract_line(user=org.user("peer"), line_ids=ids) == {}


def test_the_scoring_page_costs_the_same_with_0_and_many_records(org, cycle, client_for):
    a = _self_assessed(org, cycle)
    url = reverse("appraisals:detail", args=[a.pk])

    def count(username):
        client = client_for(get_user_model().objects.get(username=username))
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        return len(ctx.captured_queries)

    before = {u: count(u) for u in ("lead", "staff", "hr")}
    for i, code in enumerate(["PROFIT-MONTH", "SALES-MONTH", "BEH-TEAMWORK"] * 4):
        _record(org, line(a, code).contract_line, summary=f"记录 {i}", serious=i % 2 == 0)
    after = {u: count(u) for u in ("lead", "staff", "hr")}
    assert after == before
