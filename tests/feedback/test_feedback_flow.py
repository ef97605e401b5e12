"""Feedback from every source: the manager invites peers, subordinates (upward), other managers and
external customers (one-time link with an expiry, no account); answers are facts; the manager and HR
read them, nobody else; upward feedback stays anonymous below the minimum number of answers."""
import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.exceptions import ApplicationError, NotFound
from apps.feedback import services
from apps.feedback.models import FeedbackInvitation, SourceKind
from apps.org import services as org_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def in_two_weeks():
    return timezone.localdate() + dt.timedelta(days=14)


def ask(org, *, actor="manager", subject=None, colleagues=None, externals=None, **kw):
    return services.feedback_request_create(
        actor=org.user(actor), subject=subject or org.lead, period="2026-Q4", closes_on=in_two_weeks(),
        colleagues=colleagues if colleagues is not None else [(SourceKind.SUBORDINATE, org.staff)],
        externals=externals, **kw)


def link_token(message) -> str:
    return re.search(r"/feedback/x/([^/\s]+)/", message.body).group(1)


def test_the_manager_invites_every_source_and_reads_the_facts(org, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = ask(org, colleagues=[(SourceKind.SUBORDINATE, org.staff), (SourceKind.PEER, org.hr),
                                   (SourceKind.MANAGER, org.gm)], externals=[("刘总（客户）", "liu@customer.example")])
    assert req.invitations.count() == 4
    [external_mail] = [m for m in mail.outbox if "liu@customer.example" in m.to]
    token = link_token(external_mail)
    hr_inv = req.invitations.get(respondent=org.hr)
    services.feedback_answer(actor=org.user("hr"), invitation=hr_inv, what_happened="11月协助招聘两名销售",
                             when="2026-11-12", effect="提前补齐编制")
    anon = Client()  # no account
    page = anon.get(reverse("feedback:external", args=[token]))
    assert page.status_code == 200 and "answer-form" in page.content.decode()
    done = anon.post(reverse("feedback:external", args=[token]),
                     {"what_happened": "交付准时，沟通及时", "when": "11月", "effect": "我们续签了合同"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    detail = client_for(org.user("manager")).get(reverse("feedback:detail", args=[req.pk])).content.decode()
    assert "11月协助招聘两名销售" in detail and "交付准时" in detail and "刘总（客户）" in detail
    assert "External customer" in detail and "Peer" in detail


def test_an_external_link_works_once_and_expires(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(org, colleagues=[], externals=[("Customer A", "a@example.com"), ("Customer B", "b@example.com")])
    tokens = {m.to[0]: link_token(m) for m in mail.outbox}
    services.feedback_answer_external(token=tokens["a@example.com"], what_happened="按时交货")
    with pytest.raises(NotFound, match="already been used"):
        services.feedback_answer_external(token=tokens["a@example.com"], what_happened="再来一次")
    inv = FeedbackInvitation.objects.get(external_email="b@example.com")
    FeedbackInvitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ApplicationError, match="expired"):
        services.feedback_answer_external(token=tokens["b@example.com"], what_happened="晚了")
    with pytest.raises(NotFound):
        services.feedback_answer_external(token="made-up-token", what_happened="x")


def test_a_text_of_100000_characters_is_refused_plainly(org, client_for):
    req = ask(org)
    inv = req.invitations.get()
    with pytest.raises(ApplicationError, match="too long: at most 4000 characters"):
        services.feedback_answer(actor=org.user("staff"), invitation=inv, what_happened="字" * 100_000)
    resp = client_for(org.user("staff")).post(reverse("feedback:answer", args=[inv.pk]),
                                              {"what_happened": "字" * 100_000})
    assert resp.status_code == 200 and "answer-form" in resp.content.decode()
    inv.refresh_from_db()
    assert inv.answered_at is None


def test_upward_feedback_is_anonymous_below_the_minimum(org, client_for):
    extra = [org_services.employee_create(
        actor=org.actor, employee_no=f"U{i}", name_zh=f"下属{i}", email=f"u{i}@example.com", department=org.sales_east,
        position=org.pos_staff, supervisor=org.lead, hire_date=dt.date(2025, 1, 1), username=f"u{i}",
        password="pw-Test-1234") for i in range(2)]
    req = ask(org, colleagues=[(SourceKind.SUBORDINATE, e) for e in [org.staff, org.peer, *extra]])
    answers = {"staff": "周会总是准时开始", "peer": "分配任务说明清楚"}
    for who, text in answers.items():
        inv = req.invitations.get(respondent=getattr(org, who))
        services.feedback_answer(actor=org.user(who), invitation=inv, what_happened=text)
    c = client_for(org.user("manager"))
    page = c.get(reverse("feedback:detail", args=[req.pk])).content.decode()
    assert 'id="upward-hidden"' in page and "周会总是准时开始" not in page and "2 answer(s) so far" in page
    assert org.staff.name not in page.split('id="invited"')[1]  # not even in the list of who was asked
    inv = req.invitations.get(respondent=extra[0])
    services.feedback_answer(actor=get_user_model().objects.get(username="u0"), invitation=inv,
                             what_happened="会帮新人")
    page = c.get(reverse("feedback:detail", args=[req.pk])).content.decode()
    assert "周会总是准时开始" in page and "会帮新人" in page and 'id="upward-hidden"' not in page
    upward = page.split('id="upward"')[1].split("</article>")[0]
    assert org.staff.name not in upward and org.peer.name not in upward


def test_only_the_direct_manager_and_hr_see_a_request(org, client_for):
    req = ask(org, colleagues=[(SourceKind.SUBORDINATE, org.staff), (SourceKind.PEER, org.hr)])
    url = reverse("feedback:detail", args=[req.pk])
    assert client_for(org.user("manager")).get(url).status_code == 200
    assert client_for(org.user("hr")).get(url).status_code == 200
    for who in ("lead", "staff", "gm", "accountant"):  # the subject, a respondent, the chain, a stranger
        assert client_for(org.user(who)).get(url).status_code == 404, who
    with pytest.raises(NotFound):  # nor invite on someone else's report
        ask(org, actor="accountant")


def test_bad_invitations_are_refused_with_plain_messages(org):
    with pytest.raises(ApplicationError, match="does not report to"):
        ask(org, colleagues=[(SourceKind.SUBORDINATE, org.hr)])
    with pytest.raises(ApplicationError, match="on themselves"):
        ask(org, colleagues=[(SourceKind.PEER, org.lead)])
    with pytest.raises(ApplicationError, match="not an e-mail address"):
        ask(org, colleagues=[], externals=[("X", "not-an-address")])
    with pytest.raises(ApplicationError, match="at least one"):
        ask(org, colleagues=[])
    with pytest.raises(ApplicationError, match="closing date has passed"):
        services.feedback_request_create(actor=org.user("manager"), subject=org.lead, period="2026-Q4",
                                         closes_on=timezone.localdate() - dt.timedelta(days=1),
                                         colleagues=[(SourceKind.PEER, org.hr)])


def test_the_respondent_finds_the_invitation_in_their_work(org, client_for):
    req = ask(org)
    c = client_for(org.user("staff"))
    page = c.get(reverse("feedback:answer_mine")).content.decode()
    assert reverse("feedback:answer", args=[req.invitations.get().pk]) in page
    c.post(reverse("feedback:answer", args=[req.invitations.get().pk]), {"what_happened": "准时开会"})
    assert "Nothing asked of you now" in c.get(reverse("feedback:answer_mine")).content.decode()
    # somebody else's invitation is not theirs to answer
    other = ask(org, subject=org.lead, colleagues=[(SourceKind.SUBORDINATE, org.peer)])
    assert c.get(reverse("feedback:answer", args=[other.invitations.get().pk])).status_code == 404


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_request_list_costs_a_fixed_number_of_queries(org, client_for):
    ask(org)
    c = client_for(org.user("hr"))
    c.get(reverse("feedback:list"))
    small = _count(c, reverse("feedback:list"))
    for _i in range(6):
        ask(org, colleagues=[(SourceKind.PEER, org.hr)])
    assert _count(c, reverse("feedback:list")) == small == 10


def test_the_feedback_joins_the_performance_file_for_the_manager_only(org, client_for):
    req = ask(org)
    url = reverse("coaching:file", args=[org.lead.pk])
    page = client_for(org.user("manager")).get(url).content.decode()
    assert 'id="feedback-panel"' in page and reverse("feedback:detail", args=[req.pk]) in page
    own = client_for(org.user("lead")).get(url).content.decode()  # the subject reads their file, not this
    assert 'id="feedback-panel"' not in own
