"""The feedback interview through the services: due at publication with HR's window in working days,
scheduled with an .ics invitation and a kept history, both preparations, the record, the signature
(with a disagreement noted: the appeals app is told), the lock and dated addenda, and every refused move."""
import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from interview_helpers import appraisal_of, future, held_record, interview_of, open_cycle, publish, sign

from apps.appraisals.signals import interview_signed
from apps.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.models import AuditEvent
from apps.interviews import services, workdays
from apps.interviews.models import Addendum, Holiday, Interview, ScheduleEntry, Status
from apps.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(org):
    sign(org, org.staff)
    sign(org, org.peer)
    return open_cycle(org)


@pytest.fixture
def interview(org, cycle):
    publish(org, appraisal_of(org.staff, cycle))
    return interview_of(org.staff)


def test_working_days_skip_weekends_and_hr_holidays():
    friday = dt.date(2026, 12, 4)
    assert workdays.add_working_days(friday, 1, holidays=[]) == dt.date(2026, 12, 7)  # Monday
    assert workdays.add_working_days(friday, 10, holidays=[]) == dt.date(2026, 12, 18)
    assert workdays.add_working_days(friday, 1, holidays=[dt.date(2026, 12, 7)]) == dt.date(2026, 12, 8)
    assert workdays.working_days_between(friday, dt.date(2026, 12, 18), holidays=[]) == 10


def test_publication_makes_the_interview_due_with_the_appraiser_within_the_window(org, cycle, django_capture_on_commit_callbacks):
    Holiday.objects.create(date=workdays.add_working_days(timezone.localdate(), 3, holidays=[]), name="假日")
    a = appraisal_of(org.staff, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        publish(org, a)
    i = interview_of(org.staff)
    assert (i.status, i.manager, i.employee, i.period, i.department) == (Status.DUE, org.lead, org.staff,
                                                                         a.period, org.sales_east)
    today = timezone.localdate()
    assert i.due_date == workdays.add_working_days(today, 10)
    assert workdays.working_days_between(today, i.due_date) == 10
    assert i.due_date > workdays.add_working_days(today, 10, holidays=[])  # the holiday does not count
    # both are told; the e-mails carry no content of the interview, only an absolute link
    lead_note = Notification.objects.get(recipient=org.lead.user, url=f"/interviews/{i.pk}/")
    assert "孙娜" in lead_note.title
    staff_mail = [m for m in mail.outbox if m.to == ["staff@example.com"] and f"/interviews/{i.pk}/" in m.body][0]
    assert f"http://127.0.0.1:8000/interviews/{i.pk}/" in staff_mail.body
    assert "表现良好" not in staff_mail.body and "孙娜" not in staff_mail.body
    # publication again makes nothing twice
    assert services.interview_make_due(appraisal=a) is None
    assert Interview.objects.count() == 1


def test_hr_window_and_policy_per_cycle_move_the_dates_of_interviews_not_held(org, cycle, interview):
    hr = org.user("hr")
    p = services.cycle_policy_set(actor=hr, cycle=cycle, window_days=5, policy="remind")
    interview.refresh_from_db()
    assert interview.due_date == workdays.add_working_days(interview.published_on, 5)
    with pytest.raises(ApplicationError):
        services.cycle_policy_set(actor=hr, cycle=cycle, window_days=0, policy="remind", expected_version=p.version)
    with pytest.raises(Conflict):
        services.cycle_policy_set(actor=hr, cycle=cycle, window_days=7, policy="remind", expected_version=p.version - 1)
    with pytest.raises(PermissionDenied):
        services.cycle_policy_set(actor=org.user("lead"), cycle=cycle, window_days=7, policy="remind")


def test_schedule_sends_an_ics_to_both_and_rescheduling_keeps_the_history(org, interview, django_capture_on_commit_callbacks):
    lead = org.user("lead")
    with django_capture_on_commit_callbacks(execute=True):
        i = services.interview_schedule(actor=lead, interview=interview, scheduled_at=future(2),
                                        location="3楼小会议室", expected_version=interview.version)
    assert i.status == Status.SCHEDULED
    invites = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invites) == ["lead@example.com", "staff@example.com"]
    name, content, mimetype = invites[0].attachments[0]
    assert name == "interview.ics" and mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content and f"UID:interview-{i.pk}@" in content and "SEQUENCE:0" in content
    assert "3楼小会议室" in content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        i = services.interview_schedule(actor=lead, interview=i, scheduled_at=future(3, 15), video_link="https://meet.example.com/x",
                                        reason="客户拜访冲突", expected_version=i.version)
    assert [e.reason for e in ScheduleEntry.objects.filter(interview=i)] == ["", "客户拜访冲突"]
    assert "SEQUENCE:1" in [m for m in mail.outbox if m.attachments][0].attachments[0][1]
    assert AuditEvent.objects.filter(action="interview.reschedule", object_id=str(i.pk)).exists()


def test_refused_scheduling_moves(org, interview):
    lead = org.user("lead")
    with pytest.raises(ApplicationError) as past:
        services.interview_schedule(actor=lead, interview=interview, scheduled_at=timezone.now() - dt.timedelta(hours=1),
                                    location="A")
    assert past.value.field == "scheduled_at"
    with pytest.raises(ApplicationError):
        services.interview_schedule(actor=lead, interview=interview, scheduled_at=future(), location="", video_link="")
    with pytest.raises(PermissionDenied):
        services.interview_schedule(actor=org.user("staff"), interview=interview, scheduled_at=future(), location="A")
    with pytest.raises(NotFound):
        services.interview_schedule(actor=org.user("manager"), interview=interview, scheduled_at=future(), location="A")
    assert ScheduleEntry.objects.count() == 0


def test_no_interview_before_publication_and_never_two_for_one_appraisal(org, cycle, interview):
    not_published = appraisal_of(org.peer, cycle)
    with pytest.raises(TransitionNotAllowed) as info:
        services.interview_create(actor=org.user("hr"), appraisal=not_published)
    assert info.value.field == "appraisal"
    with pytest.raises(ApplicationError) as second:
        services.interview_create(actor=org.user("hr"), appraisal=interview.appraisal)
    assert "already" in second.value.message or "已有" in second.value.message
    assert Interview.objects.count() == 1


def _scheduled(org, interview):
    return services.interview_schedule(actor=org.user("lead"), interview=interview, scheduled_at=future(1),
                                       location="会议室", expected_version=interview.version)


def _recorded(org, interview, **extra):
    i = _scheduled(org, interview)
    day = timezone.localdate()
    return services.record_save(
        actor=org.user("lead"), interview=i, expected_version=i.version, **held_record(**extra),
        actions=[{"kind": "improvement", "what": "每周拜访两家大客户", "success_measure": "季度新增大客户3家",
                  "owner": "employee", "support_needed": "经理陪访", "due_date": day + dt.timedelta(days=30)},
                 {"kind": "development", "what": "参加谈判技巧培训", "success_measure": "完成课程",
                  "owner": "manager", "due_date": day + dt.timedelta(days=20)}],
        revisions=[{"title": "大客户新增数", "target": "3", "unit": "家", "note": "面谈约定"}])


def test_both_prepare_the_manager_notes_stay_private(org, interview):
    lead, staff = org.user("lead"), org.user("staff")
    prep = services.manager_prep_save(actor=lead, interview=interview, checklist=["trust", "facts"],
                                      private_notes="先肯定利润指标")
    assert prep.checklist == ["trust", "facts"]
    with pytest.raises(PermissionDenied):
        services.manager_prep_save(actor=org.user("hr"), interview=interview, private_notes="x")
    line = interview.appraisal.lines.order_by("pk").first()
    e = services.employee_prep_save(actor=staff, interview=interview, line_views=[
        {"line": line.pk, "view": "disagree", "because": "数据口径不同"}], strengths="客户关系好",
        next_plan_proposals=[{"indicator": "大客户新增数", "target": "3", "note": ""}])
    assert e.shared_at is None
    with pytest.raises(ApplicationError):
        services.employee_prep_save(actor=staff, interview=interview, expected_version=e.version,
                                    line_views=[{"line": line.pk, "view": "disagree", "because": ""}])
    e = services.employee_prep_share(actor=staff, interview=interview, expected_version=e.version)
    assert e.shared_at is not None
    # the audit row of the private notes does not repeat them
    assert "先肯定" not in str(AuditEvent.objects.filter(action="interview.manager_prep").values_list("after", flat=True))


def test_record_submit_sign_with_disagreement_locks_and_tells_appeals(org, interview):
    received = []

    def listener(sender, appraisal, signed_at, disagreement, **kw):
        received.append((appraisal.pk, disagreement))

    interview_signed.connect(listener)
    try:
        i = _recorded(org, interview)
        assert i.actions.count() == 2 and i.revisions.count() == 1
        with pytest.raises(TransitionNotAllowed):
            services.record_sign(actor=org.user("staff"), interview=i)  # not submitted yet
        i = services.record_submit(actor=org.user("lead"), interview=i, expected_version=i.version)
        with pytest.raises(ApplicationError):
            services.record_sign(actor=org.user("staff"), interview=i, disagreement=True, note="",
                                 expected_version=i.version)
        i = services.record_sign(actor=org.user("staff"), interview=i, disagreement=True,
                                 note="销售额口径有异议", expected_version=i.version)
    finally:
        interview_signed.disconnect(listener)
    assert (i.status, i.disagreement) == (Status.SIGNED, True)
    assert received == [(i.appraisal_id, True)]
    with pytest.raises(TransitionNotAllowed) as twice:
        services.record_sign(actor=org.user("staff"), interview=i)
    assert "twice" in twice.value.message or "两次" in twice.value.message or "已" in twice.value.message
    with pytest.raises(TransitionNotAllowed):
        services.record_save(actor=org.user("lead"), interview=i, gaps="改一下")
    add = services.addendum_add(actor=org.user("lead"), interview=i, text="补充：已安排陪访")
    assert Addendum.objects.filter(interview=i).count() == 1 and add.author_role == "manager"
    with pytest.raises(RuntimeError):
        Addendum.objects.filter(pk=add.pk).update(text="x")
    i.refresh_from_db()
    assert i.gaps == "大客户开发不足"


def test_two_people_editing_the_record_at_once_the_second_gets_a_conflict(org, interview):
    i = _scheduled(org, interview)
    v = i.version
    services.record_save(actor=org.user("lead"), interview=i, expected_version=v, gaps="第一次")
    with pytest.raises(Conflict):
        services.record_save(actor=org.user("lead"), interview=i, expected_version=v, gaps="第二次")
    i.refresh_from_db()
    assert i.gaps == "第一次"


def test_bad_actions_are_refused_and_nothing_is_half_written(org, interview):
    i = _scheduled(org, interview)
    lead = org.user("lead")
    day = timezone.localdate()
    cases = [
        ({"what": "无负责人", "due_date": day + dt.timedelta(days=9)}, "owner"),
        ({"what": "无期限", "owner": "employee"}, "due"),
        ({"what": "早于面谈", "owner": "employee", "due_date": day - dt.timedelta(days=3)}, "before"),
    ]
    for row, _word in cases:
        with pytest.raises(ApplicationError) as info:
            services.record_save(actor=lead, interview=i, expected_version=i.version, gaps="不应保存",
                                 actions=[row], held_at=timezone.now())
        assert info.value.field == "actions"
    i.refresh_from_db()
    assert i.gaps == "" and i.actions.count() == 0


def test_only_the_employee_signs_and_outsiders_get_404(org, interview):
    i = _recorded(org, interview)
    i = services.record_submit(actor=org.user("lead"), interview=i, expected_version=i.version)
    with pytest.raises(PermissionDenied):
        services.record_sign(actor=org.user("lead"), interview=i)
    for outsider in ("manager", "gm", "peer", "accountant"):
        with pytest.raises(NotFound):
            services.record_sign(actor=org.user(outsider), interview=i)
    i = services.record_sign(actor=org.user("staff"), interview=i, expected_version=i.version)
    assert i.status == Status.SIGNED and not i.disagreement


def test_hr_names_another_manager_when_the_appraiser_left(org, interview):
    hr = org.user("hr")
    i = services.interview_reassign(actor=hr, interview=interview, manager=org.manager, expected_version=interview.version)
    assert i.manager == org.manager
    with pytest.raises(PermissionDenied):
        services.interview_reassign(actor=org.user("manager"), interview=i, manager=org.gm)
    with pytest.raises(ApplicationError):
        services.interview_reassign(actor=hr, interview=i, manager=org.staff)
