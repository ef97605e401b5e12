"""The pages, as people use them: the manager schedules (a past time is refused next to its field), both
prepare, the manager writes the record with actions (a bad one refused, nothing saved), the employee signs with
a disagreement noted, the PDF renders in the reader's language with both signatures."""
import datetime as dt
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from interview_helpers import future

from apps.interviews.models import Action, Interview, Status

pytestmark = pytest.mark.django_db


def _dt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_the_flow_through_the_pages(org, due_interview, client_for):
    lead, staff = client_for(org.user("lead")), client_for(org.user("staff"))
    pk = due_interview.pk
    page = lead.get(reverse("interviews:to_hold")).content.decode()
    assert f'data-schedule="{pk}"' in page and "孙娜" in page
    r = lead.post(reverse("interviews:schedule", args=[pk]), {
        "scheduled_at": _dt(timezone.now() - dt.timedelta(days=1)), "duration_minutes": 60, "location": "会议室",
        "version": due_interview.version})
    assert r.status_code == 200 and "过去" in r.content.decode()  # "in the past", next to the field
    r = lead.post(reverse("interviews:schedule", args=[pk]), {
        "scheduled_at": _dt(future(2)), "duration_minutes": 45, "location": "3楼会议室", "version": due_interview.version})
    assert r.status_code == 302
    ics = staff.get(reverse("interviews:ics", args=[pk]))
    assert ics["Content-Type"].startswith("text/calendar") and b"3" in ics.content

    # preparations
    r = lead.post(reverse("interviews:manager_prep", args=[pk]), {"checklist": ["trust", "two_way"],
                                                                 "private_notes": "只给经理看的备注"})
    assert r.status_code == 302
    line = due_interview.appraisal.lines.order_by("pk").first()
    r = staff.post(reverse("interviews:employee_prep", args=[pk]), {
        f"view_{line.pk}": "disagree", f"because_{line.pk}": "", "strengths": "客户关系"})
    assert r.status_code == 200 and "请说明" in r.content.decode()  # say why you disagree
    r = staff.post(reverse("interviews:employee_prep", args=[pk]), {
        f"view_{line.pk}": "disagree", f"because_{line.pk}": "数据口径不同", "strengths": "客户关系",
        "proposal_indicator_0": "大客户新增数", "proposal_target_0": "3", "share": "1"})
    assert r.status_code == 302
    shared = lead.get(reverse("interviews:employee_prep", args=[pk])).content.decode()
    assert "数据口径不同" in shared and "大客户新增数" in shared
    assert "只给经理看的备注" not in client_for(org.user("hr")).get(reverse("interviews:manager_prep", args=[pk])).content.decode()

    # the record: a bad action refuses the whole save
    i = Interview.objects.get(pk=pk)
    day = timezone.localdate()
    base = {"version": i.version, "held_at": _dt(timezone.now() - dt.timedelta(minutes=10)), "agreement": "partly",
            "gaps": "大客户开发不足", "gap_causes": ["ability"], "action-count": "2", "revision-count": "1",
            "action-0-kind": "improvement", "action-0-what": "每周拜访两家大客户", "action-0-owner": "employee",
            "action-0-due_date": (day + dt.timedelta(days=30)).isoformat(),
            "action-1-kind": "development", "action-1-what": "谈判培训", "action-1-owner": "",
            "action-1-due_date": (day + dt.timedelta(days=10)).isoformat(),
            "revision-0-title": "大客户新增数", "revision-0-target": "3", "revision-0-unit": "家"}
    r = lead.post(reverse("interviews:record", args=[pk]), {**base, "save": "1"})
    assert r.status_code == 200 and "负责人" in r.content.decode()  # no owner
    assert Action.objects.count() == 0 and Interview.objects.get(pk=pk).gaps == ""
    r = lead.post(reverse("interviews:record", args=[pk]), {**base, "action-1-owner": "manager", "submit": "1"})
    assert r.status_code == 302
    i = Interview.objects.get(pk=pk)
    assert i.status == Status.SUBMITTED and Action.objects.filter(interview=i).count() == 2

    # the employee signs with a disagreement noted
    page = staff.get(reverse("interviews:record", args=[pk])).content.decode()
    assert 'id="sign-box"' in page and "大客户开发不足" in page
    r = staff.post(reverse("interviews:record_sign", args=[pk]), {"decision": "disagree", "note": "",
                                                                  "version": i.version})
    assert r.status_code == 200 and Interview.objects.get(pk=pk).status == Status.SUBMITTED
    r = staff.post(reverse("interviews:record_sign", args=[pk]), {"decision": "disagree", "note": "销售额口径有异议",
                                                                  "version": i.version})
    assert r.status_code == 302
    page = staff.get(reverse("interviews:record", args=[pk])).content.decode()
    assert 'id="locked"' in page and "销售额口径有异议" in page and 'id="sign-box"' not in page
    # the signed record cannot be edited through the page either
    assert lead.post(reverse("interviews:record", args=[pk]), {**base, "save": "1"}).status_code == 404
    assert "每周拜访两家大客户" in staff.get(reverse("interviews:actions")).content.decode()


@pytest.mark.parametrize("language,words", [("zh-hans", ["绩效面谈记录", "孙娜", "签字"]),
                                            ("en", ["Feedback interview record", "Sun Na", "signed on"])])
def test_the_pdf_of_the_signed_record_in_the_readers_language(org, signed_interview, client_for, language, words,
                                                               tmp_path):
    client = client_for(org.user("staff"))
    client.cookies["django_language"] = language
    from apps.accounts.services import user_language_set

    user_language_set(user=org.user("staff"), language=language)
    r = client.get(reverse("interviews:pdf", args=[signed_interview.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for word in words:
        assert word in text, (word, text[:800])
    assert text.count(timezone.localtime(signed_interview.signed_at).strftime("%Y-%m-%d")) >= 1


@pytest.mark.parametrize("url_name", ["interviews:to_hold", "interviews:mine", "interviews:actions",
                                      "interviews:goal_talks"])
def test_empty_lists_say_what_will_appear(org, client_for, url_name):
    page = client_for(org.user("peer")).get(reverse(url_name)).content.decode()
    assert 'class="empty"' in page
