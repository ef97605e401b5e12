"""Writes of the policy: HR edits a section (versioned), publishes a version (frozen), an employee
acknowledges the current version. Audited; publication tells every employee on commit."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.audit import audit_record, snapshot
from apps.core.concurrency import bump, check_version
from apps.core.exceptions import ApplicationError, Conflict, PermissionDenied
from apps.core.roles import is_hr

from . import content
from .models import PolicyAcknowledgement, PolicySection, PolicyVersion

SECTION_FIELDS = ("title_zh", "title_en", "body_zh", "body_en")


def _require_hr(user):
    if not is_hr(user):
        raise PermissionDenied(_("Only HR may do this."))


@transaction.atomic
def section_update(*, actor, section: PolicySection, expected_version: int | None, **fields) -> PolicySection:
    _require_hr(actor)
    locked = PolicySection.objects.select_for_update().filter(key=section.key).first()
    if locked is None:  # a default section saved for the first time
        locked = content.default_section(section.key)
        if locked is None:
            raise ApplicationError(_("Unknown section."))
        locked.save()
    section = locked
    check_version(section, expected_version)
    before = snapshot(section, SECTION_FIELDS)
    for name in SECTION_FIELDS:
        if name in fields:
            setattr(section, name, (fields[name] or "").strip())
    if not section.title_zh and not section.title_en:
        raise ApplicationError(_("Give the section a title."), field="title_zh")
    section.full_clean()
    bump(section)
    section.save()
    audit_record(actor=actor, action="policy.section_updated", obj=section, before=before,
                 after=snapshot(section, SECTION_FIELDS))
    return section


@transaction.atomic
def policy_publish(*, actor, expected_number: int, note: str = "") -> PolicyVersion:
    """Freeze the live configuration and texts as the next version. ``expected_number`` is the current
    version the publisher saw (0: none yet); a different one answers 409."""
    _require_hr(actor)
    PolicySection.objects.select_for_update().all().exists()  # no section edit slips between read and freeze
    current = PolicyVersion.objects.aggregate(n=Max("number"))["n"]
    if int(expected_number or 0) != (current or 0):
        raise Conflict(_("Someone published version %(n)s in the meantime: look at it first.") % {"n": current})
    snap = content.live_snapshot()
    try:
        with transaction.atomic():
            version = PolicyVersion.objects.create(number=(current or 0) + 1, snapshot=snap,
                                                   fingerprint=snap["fingerprint"], note=(note or "").strip()[:300],
                                                   published_at=timezone.now(), published_by=actor)
    except IntegrityError:
        raise Conflict(_("Someone published a version in the meantime: look at it first.")) from None
    audit_record(actor=actor, action="policy.published", obj=version,
                 after={"number": version.number, "fingerprint": version.fingerprint, "note": version.note})
    transaction.on_commit(lambda: _queue_announcement(version.pk))
    return version


def _queue_announcement(version_id: int) -> None:
    from .tasks import announce_version

    announce_version.delay(version_id)


def policy_announce(*, version_id: int) -> int:
    """Tell every active employee with a login, in their language, that a version was published (once
    per person and version). Returns how many were told."""
    from apps.accounts.models import UserPreference
    from apps.notifications.services import notification_create

    version = PolicyVersion.objects.get(pk=version_id)
    User = get_user_model()
    users = list(User.objects.filter(is_active=True, employee__is_active=True))
    langs = dict(UserPreference.objects.filter(user__in=users).exclude(language="").values_list("user_id", "language"))
    told = 0
    for user in users:
        with translation.override(langs.get(user.pk) or "zh-hans"):
            told += notification_create(recipient=user, title=_("The performance policy was updated (version %(n)s)") % {
                "n": version.number}, body=_("Please read it and acknowledge it."), url=reverse("policy:home"),
                dedupe_key=f"policy:published:{version.pk}:{user.pk}") is not None
    return told


@transaction.atomic
def policy_acknowledge(*, actor, version: PolicyVersion) -> PolicyAcknowledgement:
    """The user acknowledges ``version`` (it must be the current one). Twice is once."""
    latest = PolicyVersion.objects.order_by("-number").first()
    if latest is None or latest.pk != version.pk:
        raise Conflict(_("A newer version of the policy was published: read that one."))
    ack, created = PolicyAcknowledgement.objects.get_or_create(
        version=version, user=actor, defaults={"acknowledged_at": timezone.now()})
    if created:
        audit_record(actor=actor, action="policy.acknowledged", obj=ack, after={"version": version.number})
    return ack
