"""The performance policy (绩效管理制度): generated from the live configuration, published and frozen
as numbered versions, out of date when the configuration changes (a grade band), acknowledged by
employees (work list) with HR seeing who has not; page and PDF in both languages; access."""
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "appraisals"))
from appraisal_helpers import open_cycle, sign  # noqa: E402

from apps.accounts.services import user_language_set  # noqa: E402
from apps.appraisals import services as appraisal_services  # noqa: E402
from apps.core.exceptions import Conflict, PermissionDenied  # noqa: E402
from apps.core.pdf import pdf_text  # noqa: E402
from apps.core.worklist import items_for  # noqa: E402
from apps.policy import selectors, services  # noqa: E402
from apps.policy.models import PolicyAcknowledgement, PolicySection  # noqa: E402

pytestmark = pytest.mark.django_db


def publish(org, expected=0, note=""):
    return services.policy_publish(actor=org.user("hr"), expected_number=expected, note=note)


def flat(data: bytes) -> str:
    return "".join(pdf_text(data).split())


def test_the_policy_states_the_configuration(org, client_for):
    from apps.pay import services as pay_services

    sign(org, org.staff)
    cycle = open_cycle(org)
    pay_services.coefficients_set(actor=org.user("hr"), cycle=cycle,
                                  coefficients={"S": "1.5", "A": "1.2", "B": "1.0", "C": "0.8", "D": "0"})
    v = publish(org)
    page = client_for(org.user("staff")).get(reverse("policy:home")).content.decode()
    for text in ("绩效管理制度", "目的", "员工", "月度", "年度", "季度", "≥ 120", "实际值", "销售代表模板", "70%", "30%",
                 "2026年11月", "2026-12-04", "提出申诉", "7 个自然日内",
                 "九格图", "淘汰出局", "各等级的绩效工资系数", "S 1.5"):
        assert text in page, text
    assert v.number == 1 and v.snapshot["config"]["levels"][0]["code"] == "GM"


def test_changing_a_grade_band_marks_the_policy_out_of_date_and_publishing_freezes_it(org, client_for):
    v1 = publish(org)
    assert not selectors.is_out_of_date()
    appraisal_services.schedule_update(
        actor=org.user("hr"), frequency="monthly", is_active=False,
        grade_bands=[{"grade": "S", "min": 130}, {"grade": "A", "min": 110}, {"grade": "B", "min": 90},
                     {"grade": "C", "min": 70}, {"grade": "D", "min": None}])
    assert selectors.is_out_of_date()
    hr_items = [i.title for i in items_for(org.user("hr"))]
    assert any("制度" in t or "policy" in t for t in hr_items), hr_items
    # the published version stays as it was: frozen
    v1.refresh_from_db()
    assert "≥ 130" not in client_for(org.user("staff")).get(reverse("policy:home")).content.decode()
    with pytest.raises(Conflict):
        publish(org, expected=0)  # someone else's view of "no version yet" is stale
    v2 = publish(org, expected=1, note="新的等级")
    assert v2.number == 2 and not selectors.is_out_of_date()
    assert "≥ 130" in client_for(org.user("staff")).get(reverse("policy:home")).content.decode()
    with pytest.raises(RuntimeError):
        v1.save()


def test_editing_a_section_is_versioned_and_marks_the_policy_out_of_date(org, client_for):
    publish(org)
    section = selectors.section_get(user=org.user("hr"), key="purpose")  # saved, or the default not saved yet
    client = client_for(org.user("hr"))
    url = reverse("policy:section_edit", args=["purpose"])
    r = client.post(url, {"title_zh": "目的", "title_en": "Purpose", "body_zh": "新的目的", "body_en": "New purpose",
                          "version": section.version})
    assert r.status_code == 302 and selectors.is_out_of_date()
    stale = client.post(url, {"title_zh": "目的", "title_en": "Purpose", "body_zh": "别的", "body_en": "",
                              "version": section.version})
    body = stale.content.decode()
    assert stale.status_code == 200 and ("Someone else changed" in body or "其他人" in body or "他人" in body)
    assert PolicySection.objects.get(key="purpose").body_zh == "新的目的"
    for who in ("staff", "lead"):
        assert client_for(org.user(who)).get(url).status_code == 404
        assert client_for(org.user(who)).get(reverse("policy:draft")).status_code == 404
        assert client_for(org.user(who)).get(reverse("policy:acknowledgements")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.policy_publish(actor=org.user("lead"), expected_number=1)


def test_acknowledgements_are_tracked(org, client_for, api_for):
    v = publish(org)
    staff_items = [i.title for i in items_for(org.user("staff"))]
    assert any("制度" in t or "policy" in t for t in staff_items)
    client = client_for(org.user("staff"))
    assert client.post(reverse("policy:acknowledge"), {"version": v.number}).status_code == 302
    assert client.post(reverse("policy:acknowledge"), {"version": v.number}).status_code == 302  # twice is once
    assert PolicyAcknowledgement.objects.filter(version=v).count() == 1
    assert not any("制度" in i.title or "policy" in i.title for i in items_for(org.user("staff")))
    r = api_for(org.user("peer")).post(reverse("api-policy-acknowledge"), {"version": v.number}, format="json")
    assert r.status_code == 200 and r.json()["acknowledged"] is True
    assert api_for(org.user("peer")).post(reverse("api-policy-acknowledge"), {}, format="json").status_code == 400
    page = client_for(org.user("hr")).get(reverse("policy:acknowledgements")).content.decode()
    assert "7 名员工中 2 人已确认" in page
    assert "周主管" in page and "孙娜" not in page and "李四" not in page
    # a new version: the old acknowledgement does not count, and acknowledging the old one is refused
    v2 = publish(org, expected=1)
    assert api_for(org.user("peer")).post(reverse("api-policy-acknowledge"), {"version": v.number},
                                          format="json").status_code == 409
    assert not selectors.has_acknowledged(org.user("staff"), v2)


@pytest.mark.parametrize("language,words", [("zh-hans", ["绩效管理制度", "第1版", "目的", "计分", "等级与比例"]),
                                            ("en", ["Performancemanagementpolicy", "Version1", "Purpose",
                                                    "Gradesandquotas"])])
def test_the_pdf_in_each_language(org, client_for, language, words):
    v = publish(org)
    user = org.user("staff")
    user_language_set(user=user, language=language)
    r = client_for(user).get(reverse("policy:version_pdf", args=[v.number]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = flat(r.content)
    for w in words:
        assert w in text, (w, text[:500])


def test_the_draft_pdf_is_hrs(org, client_for):
    assert client_for(org.user("staff")).get(reverse("policy:draft_pdf")).status_code == 404
    r = client_for(org.user("hr")).get(reverse("policy:draft_pdf"))
    assert r.status_code == 200 and "草稿" in pdf_text(r.content)
    assert client_for(org.user("staff")).get(reverse("policy:version_pdf", args=[9])).status_code == 404


def test_publication_tells_every_employee(org, django_capture_on_commit_callbacks):
    from apps.notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        v = publish(org)
    assert Notification.objects.filter(url=reverse("policy:home")).count() == get_user_model().objects.filter(
        employee__is_active=True, is_active=True).count() == 7
    services.policy_announce(version_id=v.pk)  # again: nobody is told twice
    assert Notification.objects.filter(url=reverse("policy:home")).count() == 7


def test_the_pages_cost_a_fixed_number_of_queries(org, client_for):
    sign(org, org.staff)
    open_cycle(org)
    publish(org)

    def count(url, who="hr"):
        c = client_for(get_user_model().objects.get(pk=getattr(org, who).user.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = (count(reverse("policy:home")), count(reverse("policy:acknowledgements")), count(reverse("policy:draft")))
    from appraisal_helpers import add_staff

    people = add_staff(org, "P", 6)
    for emp in (org.staff, *people):
        sign(org, emp, period="2026-12")
    open_cycle(org, period="2026-12")
    after = (count(reverse("policy:home")), count(reverse("policy:acknowledgements")), count(reverse("policy:draft")))
    assert before == after == PINNED


PINNED = (23, 13, 21)


def test_without_saved_sections_the_defaults_stand_in_and_the_first_edit_saves_one(org, client_for):
    PolicySection.objects.all().delete()
    client = client_for(org.user("hr"))
    assert "为建立以绩效为导向的企业文化" in client.get(reverse("policy:draft")).content.decode()
    r = client.post(reverse("policy:section_edit", args=["roles"]),
                    {"title_zh": "职责", "title_en": "Roles", "body_zh": "新的职责", "body_en": "", "version": 1})
    assert r.status_code == 302 and PolicySection.objects.get(key="roles").body_zh == "新的职责"
    assert client.get(reverse("policy:section_edit", args=["nope"])).status_code == 404


def test_the_demo_publishes_version_1_once(org):
    from apps.policy.demo import seed_demo_policy

    assert seed_demo_policy(org.user("hr")) == {"version": 1, "published": True}
    assert seed_demo_policy(org.user("hr")) == {"version": 1, "published": False}
