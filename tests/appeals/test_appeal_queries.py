"""Pinned query counts: HR's queue (page and API) and the concern list cost the same for 3 and 12 appeals."""
import pytest
from appeal_helpers import appraisal_of, line, open_cycle, publish, sign
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.appeals import services

pytestmark = pytest.mark.django_db


def _people(org, n):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
    from appraisal_helpers import add_staff

    return add_staff(org, "Q", n)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_queue_costs_the_same_for_3_and_12(org, client_for, api_for):
    staff = _people(org, 12)
    for e in staff:
        sign(org, e)
    cycle = open_cycle(org)
    appeals = []
    for i, e in enumerate(staff):
        a = publish(org, appraisal_of(e, cycle))
        user = e.user
        appeals.append(services.appeal_file(actor=user, appraisal=a, reasons=f"理由{i}",
                                            lines=[line(a, "SALES-MONTH").pk]))
        if i == 2:
            page3 = _count(client_for(org.user("hr")), reverse("appeals:queue"))
            api3 = _count(api_for(org.user("hr")), reverse("api-appeals"))
            mine3 = _count(client_for(user), reverse("appeals:mine"))
    hr_page = client_for(org.user("hr"))
    page12 = _count(hr_page, reverse("appeals:queue"))
    api12 = _count(api_for(org.user("hr")), reverse("api-appeals"))
    assert (page3, api3) == (page12, api12)
    assert page12 == 12 and api12 == 3
    assert mine3 == _count(client_for(staff[-1].user), reverse("appeals:mine"))
    html = hr_page.get(reverse("appeals:queue") + "?q=QQ999").content.decode()
    assert 'id="empty"' in html
