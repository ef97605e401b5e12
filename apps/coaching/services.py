"""Every write to coaching records: atomic, checked against the access policy, audited, notified.

Who may do what (apps/org/access.py, kind "coaching"): the direct manager and HR write records;
the employee reads their own, responds, acknowledges and signs; the manager chain reads; anyone
else gets 404. The author corrects within 24 hours; after that only an addendum.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import in_language_of
from apps.contracts.models import ContractLine
from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, NotFound, PermissionDenied, TransitionNotAllowed
from apps.core.periods import MONTHLY, Period
from apps.core.roles import HR_GROUP, is_hr
from apps.notifications.models import Notification
from apps.notifications.services import notification_create
from apps.org import access
from apps.org.models import Employee
from apps.plans.models import Goal, PlanItem

from .models import (
    ALLOWED_ATTACHMENT_TYPES,
    CORRECTION_WINDOW,
    MAX_ATTACHMENT_BYTES,
    REPORT_KINDS,
    Attachment,
    Channel,
    CoachingRecord,
    CoachingSettings,
    Kind,
    NoteKind,
    RecordNote,
    RecordRevision,
    SignDecision,
    Source,
)

#: The fields a correction may change (and a revision keeps).
CONTENT_FIELDS = ("kind", "channel", "source", "occurred_on", "period", "summary", "facts", "evidence",
                  "contract_line", "goal", "plan_item", "follow_up", "follow_up_due", "serious")
SETTINGS_FIELDS = ("cadence_min_records", "cadence_days", "cadence_channel", "signature_deadline_days",
                   "reminder_interval_days")
# Files whose first bytes we know: a file that claims one of these types must start like one.
_MAGIC = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",), "ods": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",), "xls": (b"\xd0\xcf\x11\xe0",), "ppt": (b"\xd0\xcf\x11\xe0",),
}


class CorrectionWindowClosed(TransitionNotAllowed):
    """The 24 hours in which the author may correct a record are over: an addendum is offered."""

    code = "correction_window_closed"


# --- helpers -------------------------------------------------------------------------------------

def record_url(record: CoachingRecord) -> str:
    return reverse("coaching:detail", args=[record.pk])


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.error_dict.items()))
            raise ApplicationError(" ".join(m for e in errors for m in e.messages),
                                   field=None if field == "__all__" else field)
        raise ApplicationError(" ".join(exc.messages))


def _relations(actor, employee: Employee) -> set[str]:
    return access.relations(access.viewer_for(actor), employee)


def _require_read(actor, employee: Employee) -> frozenset[str]:
    perms = access.permissions(actor, "coaching", employee)
    if access.READ not in perms:
        raise NotFound(_("Not found."))
    return perms


def require_writer(actor, employee: Employee) -> None:
    """The direct manager or HR; a record about someone outside the author's chain is 404."""
    perms = _require_read(actor, employee)
    if "self" in _relations(actor, employee):
        raise PermissionDenied(_("You cannot write coaching records about yourself: file a progress report or a "
                                 "request for help instead."))
    if access.WRITE not in perms:
        raise PermissionDenied(_("Only %(name)s's direct manager or HR may write coaching records about them; "
                                 "you may read them.") % {"name": employee.name})


def _require_self(actor, record: CoachingRecord, refusal: str) -> None:
    """Only the employee the record is about; ``refusal`` (with %(name)s) tells anyone else why not."""
    _require_read(actor, record.employee)
    if "self" not in _relations(actor, record.employee):
        raise PermissionDenied(refusal % {"name": record.employee.name})


def _lock(record: CoachingRecord) -> CoachingRecord:
    locked = (CoachingRecord.objects.select_for_update(of=("self",))
              .select_related("employee__user", "employee__supervisor__user", "author")
              .filter(pk=record.pk).first())
    if locked is None:
        raise NotFound(_("Not found."))
    return locked


def _load_employee(employee) -> Employee:
    pk = getattr(employee, "pk", employee)
    emp = (Employee.objects.select_related("position__job_level", "user", "supervisor__user")
           .filter(pk=pk).first())
    if emp is None:
        raise NotFound(_("Not found."))
    return emp


def _actor_employee_id(actor) -> int | None:
    return access.viewer_for(actor).employee_id


def _actor_name(actor) -> str:
    emp_id = _actor_employee_id(actor)
    if emp_id:
        emp = Employee.objects.filter(pk=emp_id).only("name_zh", "name_en").first()
        if emp is not None:
            return emp.name
    return getattr(actor, "username", "")


def _notify_user(user, *, title, body="", url: str = "", dedupe_key: str | None = None, actor=None):
    """Notify ``user`` (not the actor) in the user's own language: ``title`` and ``body`` are callables
    evaluated with that language active (or plain text someone wrote, such as a response)."""
    if user is None or (actor is not None and user.pk == getattr(actor, "pk", None)):
        return None
    with in_language_of(user):
        return notification_create(recipient=user, title=_text(title), body=_text(body), url=url,
                                   dedupe_key=dedupe_key)


def _text(value) -> str:
    return str(value() if callable(value) else value or "")


def default_period(employee: Employee, day: dt.date) -> str:
    """The review period of the employee's job level that contains ``day`` (monthly without a level)."""
    level = employee.job_level
    frequency = level.review_frequency if level is not None else MONTHLY
    return Period.containing(frequency, day).code


def _content(record: CoachingRecord) -> dict:
    return snapshot(record, fields=CONTENT_FIELDS)


def content_hash(record: CoachingRecord) -> str:
    data = {**_content(record), "id": record.pk, "employee": record.employee_id, "revision": record.revision}
    raw = json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def validate_upload(upload) -> str:
    """Refuse a file that is too large or of a refused type; return its (lower-case) extension."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    size = getattr(upload, "size", None) or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ApplicationError(
            _("“%(name)s” is %(size)s: attachments may be at most %(limit)s.")
            % {"name": name, "size": _human_size(size), "limit": _human_size(MAX_ATTACHMENT_BYTES)}, field="files")
    if size == 0:
        raise ApplicationError(_("“%(name)s” is empty.") % {"name": name}, field="files")
    if ext not in ALLOWED_ATTACHMENT_TYPES:
        raise ApplicationError(
            _("“%(name)s”: files of this type are not accepted. Accepted types: %(types)s.")
            % {"name": name, "types": ", ".join(sorted(ALLOWED_ATTACHMENT_TYPES))}, field="files")
    magic = _MAGIC.get(ext)
    if magic:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(m) for m in magic):
            raise ApplicationError(
                _("“%(name)s” does not look like a .%(ext)s file: its content does not match its type.")
                % {"name": name, "ext": ext}, field="files")
    return ext


def _validate_uploads(files: Iterable | None) -> list[tuple[object, str]]:
    files = [f for f in (files or []) if f]
    if len(files) > 10:
        raise ApplicationError(_("Attach at most 10 files at a time."), field="files")
    return [(f, validate_upload(f)) for f in files]


def _store_uploads(actor, record: CoachingRecord, checked: list[tuple[object, str]],
                   note: RecordNote | None = None) -> list[Attachment]:
    out = []
    for upload, ext in checked:
        att = Attachment(record=record, note=note, original_name=os.path.basename(upload.name)[:255],
                         extension=ext, size=upload.size, uploaded_by=actor)
        att.file.save(upload.name, upload, save=False)
        att.save()
        out.append(att)
    return out


def _check_links(employee: Employee, *, contract_line: ContractLine | None, goal: Goal | None,
                 plan_item: PlanItem | None) -> None:
    if contract_line is not None and contract_line.contract.employee_id != employee.pk:
        raise ApplicationError(_("This contract line belongs to another employee's contract."),
                               field="contract_line")
    if plan_item is not None and plan_item.plan.employee_id != employee.pk:
        raise ApplicationError(_("This plan item belongs to another employee's work plan."), field="plan_item")
    if goal is not None and goal.employee_id is not None and goal.employee_id != employee.pk:
        raise ApplicationError(_("This goal is another employee's individual goal."), field="goal")


def _check_content(record: CoachingRecord) -> None:
    today = timezone.localdate()
    if record.occurred_on and record.occurred_on > today:
        raise ApplicationError(_("A coaching record is about something that happened: the date cannot be in the "
                                 "future."), field="occurred_on")
    if not (record.summary or "").strip():
        raise ApplicationError(_("Give the record a short summary."), field="summary")
    if not (record.facts or "").strip():
        raise ApplicationError(_("Describe what happened: the facts are the record."), field="facts")
    if record.follow_up_due and not (record.follow_up or "").strip():
        raise ApplicationError(_("Describe the follow-up agreed, or leave its due date empty."),
                               field="follow_up")
    for field, choices in (("kind", Kind), ("channel", Channel), ("source", Source)):
        if getattr(record, field) not in choices.values:
            raise ApplicationError(_("Choose a valid %(field)s.")
                                   % {"field": CoachingRecord._meta.get_field(field).verbose_name}, field=field)
    _check_links(record.employee, contract_line=record.contract_line, goal=record.goal, plan_item=record.plan_item)
    if record.contract_line is not None and not record.period:
        record.period = record.contract_line.contract.period
    if not record.period:
        record.period = default_period(record.employee, record.occurred_on or today)
    else:
        record.period = Period.parse(record.period).code


def _save_revision(actor, record: CoachingRecord, reason: str = "") -> RecordRevision:
    return RecordRevision.objects.create(record=record, number=record.revision, data=_content(record),
                                         reason=reason, created_by=actor)


# --- records -------------------------------------------------------------------------------------

@transaction.atomic
def record_create(*, actor, employee: Employee, kind: str, channel: str, source: str = Source.MANAGER,
                  occurred_on: dt.date | None = None, summary: str, facts: str, evidence: str = "",
                  period: str | None = None, contract_line: ContractLine | None = None, goal: Goal | None = None,
                  plan_item: PlanItem | None = None, follow_up: str = "", follow_up_due: dt.date | None = None,
                  serious: bool = False, files: Iterable | None = None) -> CoachingRecord:
    """A manager (or HR) records a coaching fact about an employee; the employee is notified."""
    emp = _load_employee(employee)
    require_writer(actor, emp)
    if not emp.is_active:
        raise ApplicationError(_("%(name)s has left the company.") % {"name": emp.name}, field="employee")
    checked = _validate_uploads(files)
    record = CoachingRecord(
        employee=emp, kind=kind, channel=channel, source=source or Source.MANAGER,
        occurred_on=occurred_on or timezone.localdate(), summary=(summary or "").strip(), facts=facts or "",
        evidence=evidence or "", period=period or "", contract_line=contract_line, goal=goal, plan_item=plan_item,
        follow_up=follow_up or "", follow_up_due=follow_up_due, serious=bool(serious), author=actor,
        author_employee_id=_actor_employee_id(actor))
    _check_content(record)
    _full_clean(record)
    record.save()
    _save_revision(actor, record)
    attachments = _store_uploads(actor, record, checked)
    audit_record(actor=actor, action="coaching.record_create", obj=record,
                 after={**snapshot(record), "attachments": [a.original_name for a in attachments]})
    if emp.user_id:
        def title() -> str:
            if record.serious:
                return _("A serious coaching record about you needs your signature: %(summary)s") % {
                    "summary": record.summary}
            return _("New coaching record: %(summary)s") % {"summary": record.summary}

        def body() -> str:
            if record.serious:
                return _("%(who)s recorded it. Read it, respond if you wish, and sign it (“seen, agree” or “seen, "
                         "disagree”).") % {"who": _actor_name(actor)}
            return _("%(who)s recorded it. Read it, respond if you wish, and acknowledge it.") % {
                "who": _actor_name(actor)}

        _notify_user(emp.user, title=title, body=body, url=record_url(record), actor=actor)
    return record


@transaction.atomic
def record_correct(*, actor, record: CoachingRecord, expected_version: int | None = None, reason: str = "",
                   files: Iterable | None = None, **changes) -> CoachingRecord:
    """The author corrects a record within 24 hours of writing it. Both versions are kept."""
    r = _lock(record)
    _require_read(actor, r.employee)
    if r.author_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the author may correct a record. You can add an addendum instead."),
                               extra={"addendum": True})
    if timezone.now() > r.created_at + CORRECTION_WINDOW:
        raise CorrectionWindowClosed(
            _("This record was written more than 24 hours ago and can no longer be corrected. Add an addendum "
              "instead: it is kept beside the record."),
            extra={"addendum": True, "addendum_url": reverse("coaching:addendum", args=[r.pk])})
    if r.signed_at is not None:
        raise TransitionNotAllowed(
            _("%(name)s has already signed this record, so it can no longer be corrected. Add an addendum instead.")
            % {"name": r.employee.name}, extra={"addendum": True})
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if r.is_employee_report and changes.get("serious"):
        raise ApplicationError(_("Your own report cannot be marked serious."), field="serious")
    check_version(r, expected_version)
    checked = _validate_uploads(files)
    before = _content(r)
    for key, value in changes.items():
        setattr(r, key, value.strip() if key == "summary" and isinstance(value, str) else value)
    if "contract_line" in changes and "period" not in changes and r.contract_line is not None:
        r.period = r.contract_line.contract.period
    _check_content(r)
    _full_clean(r)
    after = _content(r)
    if after == before and not checked:
        return r  # nothing changed: a no-op
    if not (reason or "").strip():
        raise ApplicationError(_("Say briefly why the record is corrected (e.g. “wrong date”)."), field="reason")
    r.revision += 1
    r.corrected_at = timezone.now()
    was_acknowledged = r.acknowledged_at is not None and not r.is_employee_report
    if was_acknowledged:
        r.acknowledged_at = None  # the employee acknowledges the corrected version again
    bump(r)
    r.save()
    _save_revision(actor, r, reason=reason.strip())
    attachments = _store_uploads(actor, r, checked)
    audit_record(actor=actor, action="coaching.record_correct", obj=r, before={**before, "revision": r.revision - 1},
                 after={**after, "revision": r.revision, "reason": reason.strip(),
                        "attachments": [a.original_name for a in attachments],
                        "acknowledgement_cleared": was_acknowledged})
    def title() -> str:
        return _("A coaching record was corrected: %(summary)s") % {"summary": r.summary}

    def body() -> str:
        return _("Reason: %(reason)s. Both versions are kept on the record.") % {"reason": reason.strip()}

    if r.is_employee_report:
        sup = r.employee.supervisor
        _notify_user(sup.user if sup and sup.user_id else None, title=title, body=body, url=record_url(r),
                     actor=actor)
    elif r.employee.user_id:
        _notify_user(r.employee.user, title=title, body=body, url=record_url(r), actor=actor)
    return r


def may_add_addendum(actor, record: CoachingRecord) -> bool:
    perms = access.permissions(actor, "coaching", record.employee)
    if access.READ not in perms:
        return False
    return record.author_id == getattr(actor, "pk", None) or (
        access.WRITE in perms and "self" not in _relations(actor, record.employee))


@transaction.atomic
def record_addendum_add(*, actor, record: CoachingRecord, text: str, files: Iterable | None = None) -> RecordNote:
    """Add to a record without changing it: the author, the direct manager or HR."""
    r = _lock(record)
    _require_read(actor, r.employee)
    if not may_add_addendum(actor, r):
        raise PermissionDenied(_("Only the author, the direct manager or HR may add an addendum; you can respond "
                                 "to the record instead."))
    if not (text or "").strip():
        raise ApplicationError(_("Write the addendum."), field="text")
    checked = _validate_uploads(files)
    note = RecordNote.objects.create(record=r, kind=NoteKind.ADDENDUM, text=text.strip(), author=actor,
                                     author_employee_id=_actor_employee_id(actor))
    attachments = _store_uploads(actor, r, checked, note=note)
    bump(r)
    r.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="coaching.addendum_add", obj=r,
                 after={"note": note.pk, "text": note.text, "attachments": [a.original_name for a in attachments]})
    if r.employee.user_id:
        _notify_user(r.employee.user, title=lambda: _("An addendum was added to a coaching record: %(summary)s") % {
            "summary": r.summary}, body=note.text, url=record_url(r), actor=actor)
    return note


@transaction.atomic
def record_attachments_add(*, actor, record: CoachingRecord, files: Iterable) -> list[Attachment]:
    """More evidence on the record itself: the author, within the correction window (else an addendum)."""
    r = _lock(record)
    _require_read(actor, r.employee)
    if r.author_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the author may attach files to the record itself. Attach them to an "
                                 "addendum or a response instead."))
    if timezone.now() > r.created_at + CORRECTION_WINDOW:
        raise CorrectionWindowClosed(
            _("This record was written more than 24 hours ago: attach the files to an addendum instead."),
            extra={"addendum": True, "addendum_url": reverse("coaching:addendum", args=[r.pk])})
    checked = _validate_uploads(files)
    if not checked:
        raise ApplicationError(_("Choose at least one file."), field="files")
    attachments = _store_uploads(actor, r, checked)
    bump(r)
    r.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="coaching.attachments_add", obj=r,
                 after={"attachments": [a.original_name for a in attachments]})
    return attachments


# --- the employee's side ---------------------------------------------------------------------------

@transaction.atomic
def record_respond(*, actor, record: CoachingRecord, text: str, files: Iterable | None = None) -> RecordNote:
    """The employee responds in writing; the author (or, for their own report, nobody else) is told."""
    r = _lock(record)
    _require_self(actor, r, _("Only %(name)s responds to this record: it is about them. You can add an "
                               "addendum instead."))
    if not (text or "").strip():
        raise ApplicationError(_("Write your response."), field="text")
    checked = _validate_uploads(files)
    note = RecordNote.objects.create(record=r, kind=NoteKind.RESPONSE, text=text.strip(), author=actor,
                                     author_employee_id=r.employee_id)
    attachments = _store_uploads(actor, r, checked, note=note)
    bump(r)
    r.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="coaching.respond", obj=r,
                 after={"note": note.pk, "text": note.text, "attachments": [a.original_name for a in attachments]})
    _notify_user(r.author, title=lambda: _("%(name)s responded to a coaching record: %(summary)s")
                 % {"name": r.employee.name, "summary": r.summary}, body=note.text, url=record_url(r), actor=actor)
    return note


@transaction.atomic
def record_acknowledge(*, actor, record: CoachingRecord) -> CoachingRecord:
    """The employee confirms they have read the record (a no-op when already acknowledged)."""
    r = _lock(record)
    _require_self(actor, r, _("Only %(name)s acknowledges this record: it is about them."))
    if r.is_employee_report:
        raise TransitionNotAllowed(_("This is your own report: there is nothing to acknowledge."))
    if r.acknowledged_at is not None:
        return r
    r.acknowledged_at = timezone.now()
    bump(r)
    r.save(update_fields=["acknowledged_at", "version", "updated_at"])
    audit_record(actor=actor, action="coaching.acknowledge", obj=r,
                 after={"acknowledged_at": r.acknowledged_at.isoformat(), "revision": r.revision})
    return r


@transaction.atomic
def record_sign(*, actor, record: CoachingRecord, decision: str, response: str = "",
                expected_version: int | None = None) -> CoachingRecord:
    """The employee signs a serious record: "seen, agree", or "seen, disagree" with a response.

    The signature is the acknowledgement with its time and the SHA-256 of the version signed.
    Signing again with the same decision is a no-op; changing one's mind afterwards is refused.
    """
    r = _lock(record)
    _require_self(actor, r, _("Only %(name)s signs this record: nobody signs someone else's record."))
    if decision not in SignDecision.values:
        raise ApplicationError(_("Choose “seen, agree” or “seen, disagree”."), field="decision")
    if not r.serious:
        raise TransitionNotAllowed(_("This record is not marked serious and needs no signature: acknowledge it "
                                     "instead."))
    if r.signed_at is not None:
        if r.sign_decision == decision and not (response or "").strip():
            return r
        raise TransitionNotAllowed(
            _("You signed this record on %(when)s (%(decision)s); a signature cannot be changed. Add a response "
              "if you want to say more.")
            % {"when": timezone.localtime(r.signed_at).strftime("%Y-%m-%d %H:%M"),
               "decision": r.get_sign_decision_display()})
    text = (response or "").strip()
    if decision == SignDecision.DISAGREE and not text:
        raise ApplicationError(_("Say why you disagree: “seen, disagree” is signed with a response."),
                               field="response")
    check_version(r, expected_version)
    now = timezone.now()
    r.signed_at, r.signed_by, r.sign_decision = now, actor, decision
    r.signed_hash = content_hash(r)
    if r.acknowledged_at is None:
        r.acknowledged_at = now
    note = None
    if text:
        note = RecordNote.objects.create(record=r, kind=NoteKind.RESPONSE, text=text, with_signature=decision,
                                         author=actor, author_employee_id=r.employee_id)
    bump(r)
    _full_clean(r)
    r.save()
    audit_record(actor=actor, action="coaching.sign", obj=r,
                 after={"decision": decision, "signed_at": now.isoformat(), "signed_hash": r.signed_hash,
                        "revision": r.revision, "response": text, "note": note.pk if note else None})
    _notify_user(r.author, title=lambda: _("%(name)s signed a serious coaching record (%(decision)s): %(summary)s")
                 % {"name": r.employee.name, "decision": r.get_sign_decision_display(), "summary": r.summary}, body=text, url=record_url(r), actor=actor)
    return r


# --- progress reports and requests for help --------------------------------------------------------

@transaction.atomic
def progress_report_file(*, actor, kind: str, summary: str, facts: str, contract_line: ContractLine | None = None,
                         plan_item: PlanItem | None = None, goal: Goal | None = None,
                         occurred_on: dt.date | None = None, evidence: str = "",
                         files: Iterable | None = None) -> CoachingRecord:
    """The employee reports progress or asks for help on a contract line or plan item; the direct
    manager is told and answers. It becomes part of the employee's file."""
    emp_id = _actor_employee_id(actor)
    if not emp_id:
        raise PermissionDenied(_("Only employees file progress reports."))
    emp = _load_employee(emp_id)
    if kind not in REPORT_KINDS:
        raise ApplicationError(_("Choose a progress report or a request for help."), field="kind")
    if contract_line is None and plan_item is None:
        raise ApplicationError(_("Choose the contract line or the plan item this report is about."),
                               field="contract_line")
    checked = _validate_uploads(files)
    record = CoachingRecord(
        employee=emp, kind=kind, channel=Channel.WRITTEN_REPORT, source=Source.SELF_REPORT,
        occurred_on=occurred_on or timezone.localdate(), summary=(summary or "").strip(), facts=facts or "",
        evidence=evidence or "", contract_line=contract_line, plan_item=plan_item,
        goal=goal or (plan_item.goal if plan_item is not None and plan_item.goal_id else None),
        author=actor, author_employee=emp, is_employee_report=True, acknowledged_at=timezone.now())
    if plan_item is not None and contract_line is None:
        record.period = default_period(emp, plan_item.due_date or record.occurred_on)
    _check_content(record)
    _full_clean(record)
    record.save()
    _save_revision(actor, record)
    attachments = _store_uploads(actor, record, checked)
    audit_record(actor=actor, action="coaching.report_file", obj=record,
                 after={**snapshot(record), "attachments": [a.original_name for a in attachments]})
    sup = emp.supervisor
    if sup is not None and sup.user_id:
        def title() -> str:
            return (_("%(name)s asks for help: %(summary)s") if kind == Kind.HELP_REQUESTED
                    else _("%(name)s reported progress: %(summary)s")) % {"name": emp.name, "summary": record.summary}

        _notify_user(sup.user, title=title, body=record.facts[:500], url=record_url(record), actor=actor)
    return record


@transaction.atomic
def progress_report_answer(*, actor, record: CoachingRecord, text: str, files: Iterable | None = None) -> RecordNote:
    """The direct manager (or HR) answers an employee's progress report or request for help."""
    r = _lock(record)
    require_writer(actor, r.employee)
    if not r.is_employee_report:
        raise TransitionNotAllowed(_("Only an employee's progress report or request for help is answered; add an "
                                     "addendum to this record instead."))
    if not (text or "").strip():
        raise ApplicationError(_("Write your answer."), field="text")
    checked = _validate_uploads(files)
    note = RecordNote.objects.create(record=r, kind=NoteKind.ANSWER, text=text.strip(), author=actor,
                                     author_employee_id=_actor_employee_id(actor))
    attachments = _store_uploads(actor, r, checked, note=note)
    if r.answered_at is None:
        r.answered_at, r.answered_by = timezone.now(), actor
    bump(r)
    r.save(update_fields=["answered_at", "answered_by", "version", "updated_at"])
    audit_record(actor=actor, action="coaching.report_answer", obj=r,
                 after={"note": note.pk, "text": note.text, "attachments": [a.original_name for a in attachments]})
    if r.employee.user_id:
        _notify_user(r.employee.user, title=lambda: _("Your report was answered: %(summary)s") % {"summary": r.summary},
                     body=note.text, url=record_url(r), actor=actor)
    return note


# --- follow-ups ----------------------------------------------------------------------------------

@transaction.atomic
def follow_up_complete(*, actor, record: CoachingRecord) -> CoachingRecord:
    """Mark the follow-up agreed on a record as done (a no-op when it already is)."""
    r = _lock(record)
    require_writer(actor, r.employee)
    if not r.follow_up:
        raise TransitionNotAllowed(_("No follow-up was agreed on this record."))
    if r.follow_up_done_at is not None:
        return r
    r.follow_up_done_at, r.follow_up_done_by = timezone.now(), actor
    bump(r)
    r.save(update_fields=["follow_up_done_at", "follow_up_done_by", "version", "updated_at"])
    audit_record(actor=actor, action="coaching.follow_up_done", obj=r,
                 after={"follow_up_done_at": r.follow_up_done_at.isoformat()})
    return r


# --- HR's settings -------------------------------------------------------------------------------

@transaction.atomic
def settings_update(*, actor, expected_version: int | None = None, **changes) -> CoachingSettings:
    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the coaching settings."))
    current = CoachingSettings.current()
    s = CoachingSettings.objects.select_for_update().get(pk=current.pk)
    check_version(s, expected_version)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(s)
    for key, value in changes.items():
        setattr(s, key, value if value is not None else "")
    _full_clean(s)
    if snapshot(s) == before:
        return s
    bump(s)
    s.save()
    audit_record(actor=actor, action="coaching.settings_update", obj=s, before=before, after=snapshot(s))
    return s


# --- scheduled jobs (called by tasks.py; idempotent) ----------------------------------------------

def _hr_users() -> list:
    User = get_user_model()
    return list(User.objects.filter(is_active=True, groups__name=HR_GROUP).distinct())


def serious_records_remind(*, now: dt.datetime | None = None) -> dict:
    """Remind employees of unsigned serious records, and escalate those past HR's deadline to HR.

    Reminders go out once per interval slot, escalation once per record: running the job twice
    sends nothing twice (de-duplication keys on the notifications, ``escalated_at`` on the record).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    conf = CoachingSettings.current()
    pending = list(CoachingRecord.objects.filter(serious=True, signed_at__isnull=True, escalated_at__isnull=True)
                   .select_related("employee__user", "author").order_by("pk"))
    reminded = escalated = 0
    hr_users = None
    for r in pending:
        days = (today - timezone.localtime(r.created_at).date()).days
        if days >= conf.signature_deadline_days:
            if hr_users is None:
                hr_users = _hr_users()
            if _escalate(r, now=now, hr_users=hr_users, deadline=conf.signature_deadline_days):
                escalated += 1
            continue
        slot = days // conf.reminder_interval_days
        if slot < 1 or r.employee.user_id is None:
            continue  # slot 0: the employee was notified when the record was shared
        left = conf.signature_deadline_days - days
        note = _notify_user(
            r.employee.user, dedupe_key=f"coaching-sign-reminder:{r.pk}:{slot}",
            title=lambda r=r: _("Reminder: please sign the serious coaching record “%(summary)s”") % {
                "summary": r.summary},
            body=lambda r=r, left=left: _("It is unsigned since %(date)s. If it is still unsigned in %(days)s days, "
                                          "HR is told.") % {
                "date": timezone.localtime(r.created_at).date().isoformat(), "days": left},
            url=record_url(r))
        if note is not None:
            reminded += 1
    return {"reminded": reminded, "escalated": escalated}


@transaction.atomic
def _escalate(record: CoachingRecord, *, now, hr_users: list, deadline: int) -> bool:
    r = (CoachingRecord.objects.select_for_update(of=("self",)).select_related("employee__user", "author")
         .filter(pk=record.pk).first())
    if r is None or r.escalated_at is not None or r.signed_at is not None:
        return False
    r.escalated_at = now
    bump(r)
    r.save(update_fields=["escalated_at", "version", "updated_at"])
    audit_record(actor=None, action="coaching.escalate", obj=r,
                 after={"escalated_at": now.isoformat(), "deadline_days": deadline})
    def title() -> str:
        return _("Unsigned serious coaching record escalated: %(name)s, “%(summary)s”") % {
            "name": r.employee.name, "summary": r.summary}

    def body() -> str:
        return _("%(name)s has not signed this serious record within %(days)s days.") % {
            "name": r.employee.name, "days": deadline}

    for user in [*hr_users, r.author]:
        _notify_user(user, title=title, body=body, url=record_url(r), dedupe_key=f"coaching-escalated:{r.pk}:{user.pk}")
    return True


def cadence_queryset(*, today: dt.date, conf: CoachingSettings):
    """Active employees annotated with their coaching within the cadence window: ``cadence_count``
    (manager-led records on the counted channels) and ``last_coached`` (the latest such date)."""
    since = today - dt.timedelta(days=conf.cadence_days)
    counted = Q(coaching_records__is_employee_report=False,
                coaching_records__channel__in=sorted(conf.cadence_channels))
    return Employee.objects.filter(is_active=True).annotate(
        cadence_count=Count("coaching_records", filter=counted & Q(coaching_records__occurred_on__gt=since)),
        last_coached=Max("coaching_records__occurred_on", filter=counted),
    )


def cadence_digest_send(*, today: dt.date | None = None) -> int:
    """Tell each line manager which direct reports are due for coaching under HR's cadence.

    One notification per manager per ISO week, however often the job runs (the de-duplication key
    carries the week). The due list is one aggregate query for the whole company.
    """
    today = today or timezone.localdate()
    conf = CoachingSettings.current()
    if not conf.cadence_enabled:
        return 0
    year, week, _day = today.isocalendar()
    due = (cadence_queryset(today=today, conf=conf)
           .filter(supervisor__isnull=False, supervisor__is_active=True, supervisor__user__isnull=False,
                   cadence_count__lt=conf.cadence_min_records)
           .select_related("supervisor__user").order_by("supervisor_id", "employee_no"))
    by_manager: dict[int, list[Employee]] = {}
    managers: dict[int, Employee] = {}
    for emp in due:
        by_manager.setdefault(emp.supervisor_id, []).append(emp)
        managers[emp.supervisor_id] = emp.supervisor
    keys = {mid: f"coaching-digest:{mid}:{year}-W{week:02d}" for mid in by_manager}
    sent_already = set(Notification.objects.filter(dedupe_key__in=list(keys.values()))
                       .values_list("dedupe_key", flat=True))
    url = reverse("coaching:team")
    sent = 0
    for mid, people in by_manager.items():
        if keys[mid] in sent_already:
            continue
        with in_language_of(managers[mid].user):  # the manager's language, names included
            lines = []
            for emp in people:
                last = emp.last_coached.isoformat() if emp.last_coached else _("never")
                lines.append(_("%(name)s (%(no)s): last coached %(last)s") % {
                    "name": emp.name, "no": emp.employee_no, "last": last})
            title = _("Coaching due this week: %(count)s of your reports") % {"count": len(people)}
            body = _("Expected: at least %(n)s coaching record(s) in %(days)s days. Due:") % {
                "n": conf.cadence_min_records, "days": conf.cadence_days} + "\n" + "\n".join(lines)
            if notification_create(recipient=managers[mid].user, title=title, body=body, url=url,
                                   dedupe_key=keys[mid]) is not None:
                sent += 1
    return sent
