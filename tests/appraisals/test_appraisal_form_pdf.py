"""The appraisal form (考核表) PDF: the lines, the explanations, totals and grade in the reader's language,
what the reader may see of an unpublished appraisal, and 404 for whoever may not see the appraisal."""
import pytest
from appraisal_helpers import appraisal_of, direct_entries, enter_actuals, open_cycle, sign
from django.urls import reverse

from apps.accounts.services import user_language_set
from apps.appraisals import services
from apps.core.pdf import pdf_text

pytestmark = pytest.mark.django_db


def publish(org, appraisal):
    enter_actuals(org, appraisal)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=appraisal)
    emp_user = a.employee.user
    for attr in ("_org_viewer", "_role_groups"):
        if hasattr(emp_user, attr):
            delattr(emp_user, attr)
    a = services.appraisal_self_assess(actor=emp_user, appraisal=a, comment="本月完成主要工作",
                                       lines=direct_entries(a, ["85", "90"]), submit=True)
    a = services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="表现良好，继续保持",
                                         lines=direct_entries(a, ["80", "90"]), submit=True)
    return services.appraisal_publish(actor=org.user("hr"), appraisal=a)


def flat(data: bytes) -> str:
    return "".join(pdf_text(data).split())  # table cells wrap: compare without whitespace


@pytest.fixture
def published(org):
    sign(org, org.staff)
    sign(org, org.peer)
    cycle = open_cycle(org)
    return publish(org, appraisal_of(org.staff, cycle))


def test_the_form_in_chinese_has_every_line_its_explanation_total_and_grade(org, client_for, published):
    user = org.user("staff")
    user_language_set(user=user, language="zh-hans")
    r = client_for(user).get(reverse("appraisals:form_pdf", args=[published.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = flat(r.content)
    a = published
    a.refresh_from_db()
    for word in ("考核表", "孙娜", "华东销售处", "销售代表", "周主管", "公司", "2026-11-01", "2026-11-30",
                 "业绩", "1200", "1140", "本月完成主要工作", "表现良好，继续保持", str(a.total_score), a.final_grade,
                 "签字"):
        assert word.replace(" ", "") in text, word
    for ln in a.lines.all():
        assert "".join(ln.explanation_zh.split())[:30] in text, ln.explanation_zh
        assert str(ln.score) in text
    assert str(a.results_score) in text and str(a.behaviour_score) in text


def test_the_form_in_english_for_an_english_reader(org, client_for, published):
    user = org.user("lead")
    user_language_set(user=user, language="en")
    text = flat(client_for(user).get(reverse("appraisals:form_pdf", args=[published.pk])).content)
    assert "Appraisalform" in text and "SunNa" in text and "Howthescorewasreached" in text
    line = published.lines.filter(rule_kind="linear").first()
    assert "".join(line.explanation_en.split())[:30] in text


def test_before_publication_the_employee_sees_no_manager_scores(org, client_for):
    sign(org, org.staff)
    cycle = open_cycle(org)
    a = appraisal_of(org.staff, cycle)
    enter_actuals(org, a)
    a = services.appraisal_verify(actor=org.user("hr"), appraisal=a)
    a = services.appraisal_self_assess(actor=org.user("staff"), appraisal=a, comment="自评", submit=True,
                                       lines=direct_entries(a, ["85", "90"]))
    a = services.appraisal_manager_score(actor=org.user("lead"), appraisal=a, comment="经理的秘密评语", submit=True,
                                         lines=direct_entries(a, ["61", "62"]))
    staff_text = flat(client_for(org.user("staff")).get(reverse("appraisals:form_pdf", args=[a.pk])).content)
    lead_text = flat(client_for(org.user("lead")).get(reverse("appraisals:form_pdf", args=[a.pk])).content)
    assert "经理的秘密评语" in lead_text and str(a.total_score) in lead_text
    assert "经理的秘密评语" not in staff_text and str(a.total_score) not in staff_text


@pytest.mark.parametrize("who", ["peer", "accountant"])
def test_whoever_may_not_see_the_appraisal_gets_404(org, client_for, api_for, published, who):
    assert client_for(org.user(who)).get(reverse("appraisals:form_pdf", args=[published.pk])).status_code == 404
    assert api_for(org.user(who)).get(reverse("api-appraisal-pdf", args=[published.pk])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "lead", "manager", "hr"])
def test_whoever_may_see_the_appraisal_gets_the_form_in_the_api(org, api_for, published, who):
    r = api_for(org.user(who)).get(reverse("api-appraisal-pdf", args=[published.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert "孙娜" in pdf_text(r.content) or "Sun Na" in pdf_text(r.content)


def test_the_appraisal_page_links_to_the_form(org, client_for, published):
    page = client_for(org.user("staff")).get(reverse("appraisals:detail", args=[published.pk])).content.decode()
    assert reverse("appraisals:form_pdf", args=[published.pk]) in page


def test_a_correction_after_appeal_is_on_the_form(org, client_for, published):
    line = published.lines.filter(rule_kind="direct").order_by("pk").first()
    services.appraisal_result_correct(actor=org.user("hr"), appraisal=published, reason="申诉成立：团队合作评分偏低",
                                      reference="appeal:1", lines=[{"id": line.pk, "score": "100"}])
    published.refresh_from_db()
    text = flat(client_for(org.user("staff")).get(reverse("appraisals:form_pdf", args=[published.pk])).content)
    assert "申诉成立：团队合作评分偏低" in text and str(published.total_score) in text
