"""The feedback API: the same rules as the pages (manager and HR only, upward anonymity, bounded
texts), pinned query counts on the lists."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def create(api, org, **extra):
    body = {"subject": org.lead.pk, "period": "2026-Q4",
            "closes_on": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "subordinates": [org.staff.pk, org.peer.pk], "managers": [org.gm.pk],
            "externals": [{"name": "客户甲", "email": "a@customer.example"}], **extra}
    return api.post(reverse("api-feedback-requests"), body, format="json")


def test_the_manager_invites_and_reads_through_the_api(org, api_for):
    api = api_for(org.user("manager"))
    resp = create(api, org)
    assert resp.status_code == 201 and resp.json()["invited"] == 4
    pk = resp.json()["id"]
    staff = api_for(org.user("staff"))
    [asked] = staff.get(reverse("api-feedback-asked")).json()["results"]
    assert asked["kind"] == "subordinate" and asked["period"] == "2026-Q4"
    too_long = staff.post(reverse("api-feedback-answer", args=[asked["id"]]), {"what_happened": "x" * 100_000},
                          format="json")
    assert too_long.status_code == 400
    ok = staff.post(reverse("api-feedback-answer", args=[asked["id"]]), {"what_happened": "例会准时"}, format="json")
    assert ok.status_code == 201
    again = staff.post(reverse("api-feedback-answer", args=[asked["id"]]), {"what_happened": "再一次"}, format="json")
    assert again.status_code == 404  # no longer open for them
    gm = api_for(org.user("gm"))
    [gm_asked] = gm.get(reverse("api-feedback-asked")).json()["results"]
    gm.post(reverse("api-feedback-answer", args=[gm_asked["id"]]), {"what_happened": "季度复盘主动汇报风险"},
            format="json")
    detail = api.get(reverse("api-feedback-request", args=[pk])).json()
    assert detail["upward"] == {"count": 1, "minimum": 3, "shown": False, "facts": []}
    assert detail["groups"][0]["answers"][0]["what_happened"] == "季度复盘主动汇报风险"
    for who in ("lead", "staff", "accountant"):
        assert api_for(org.user(who)).get(reverse("api-feedback-request", args=[pk])).status_code == 404
    assert api_for(org.user("lead")).get(reverse("api-feedback-requests")).json()["results"] == []


def test_bad_input_is_a_plain_400(org, api_for):
    api = api_for(org.user("manager"))
    resp = create(api, org, externals=[{"name": "X", "email": "nope"}])
    message = resp.json()["error"]["message"]
    assert resp.status_code == 400 and ("e-mail" in message or "邮箱" in message)
    assert create(api_for(org.user("accountant")), org).status_code == 404


def test_the_api_lists_cost_a_pinned_number_of_queries(org, api_for):
    """Each measured request is a cold one: a fresh user object, as in production."""
    def count(who, name):
        api = api_for(org.user(who))
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    create(api_for(org.user("hr")), org)
    small = (count("hr", "api-feedback-requests"), count("staff", "api-feedback-asked"))
    for _i in range(5):
        create(api_for(org.user("hr")), org)
    assert (count("hr", "api-feedback-requests"), count("staff", "api-feedback-asked")) == small == (3, 4)
