"""HR's statistics: appeal rate by department and manager, outcomes, time to decision; HR only."""
import datetime as dt

import pytest
from appeal_helpers import line
from django.urls import reverse

from apps.appeals import services
from apps.appeals.models import Appeal

pytestmark = pytest.mark.django_db


def test_rates_outcomes_and_time_to_decision(org, published, client_for, api_for):
    staff, peer = published
    hr = org.user("hr")
    for who, a, outcome, lines in (("staff", staff, "partly", [{"actual": "1200"}]), ("peer", peer, "rejected", [])):
        sales = line(a, "SALES-MONTH")
        appeal = services.appeal_file(actor=org.user(who), appraisal=a, reasons="理由", lines=[sales.pk])
        appeal = services.appeal_triage(actor=hr, appeal=appeal, accept=True)
        services.appeal_decide(actor=hr, appeal=appeal, outcome=outcome, reasons="决定",
                               lines=[{"id": sales.pk, **x} for x in lines])
    first = Appeal.objects.order_by("pk").first()
    Appeal.objects.filter(pk=first.pk).update(filed_at=first.decided_at - dt.timedelta(days=4))
    s = api_for(hr).get(reverse("api-appeals-stats")).json()
    assert (s["total"], s["published"], s["rate"]) == (2, 2, 100.0)
    assert {o["outcome"]: o["n"] for o in s["outcomes"]} == {"upheld": 0, "partly": 1, "rejected": 1}
    assert 1.9 < s["avg_days_to_decision"] < 2.1  # (4 + 0) / 2 days
    dept = s["by_department"][0]
    assert (dept["id"], dept["appeals"], dept["published"], dept["rate"]) == (org.sales_east.pk, 2, 2, 100.0)
    mgr = s["by_manager"][0]
    assert (mgr["id"], mgr["decided"], mgr["upheld"], mgr["upheld_share"]) == (org.lead.pk, 2, 1, 50.0)
    html = client_for(hr).get(reverse("appeals:stats")).content.decode()
    assert 'id="by-manager"' in html and org.lead.name in html
    for who in ("staff", "lead", "gm", "manager"):
        assert client_for(org.user(who)).get(reverse("appeals:stats")).status_code == 404
        assert api_for(org.user(who)).get(reverse("api-appeals-stats")).status_code == 404
