"""The one way the product tells people things: an in-app row plus an e-mail sent after commit."""
from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.validators import single_line

from . import chat
from .links import absolute_url, absolutize_links, is_confidential_link
from .models import (
    AREA_KEYS,
    CalendarFeedToken,
    ChatDelivery,
    ChatWebhook,
    DeliveryStatus,
    Digest,
    Notification,
    NotificationPolicy,
    NotificationPreference,
    area_of,
)


def notification_create(*, recipient, title: str, body: str = "", url: str = "", dedupe_key: str | None = None,
                        send_email: bool = True,
                        attachments: list[tuple[str, str, str]] | None = None,
                        confidential: bool | None = None) -> Notification | None:
    """Record a notification for ``recipient`` and e-mail it once the transaction commits.

    With ``dedupe_key`` the call is idempotent: a second call with the same key creates nothing
    and returns None (reminders use "<what>:<object id>:<day>"). ``attachments`` are files for the
    e-mail as ``(filename, text content, mimetype)``, e.g. an .ics calendar invitation.
    ``send_email`` False keeps the notification in-app (no e-mail, no chat message). ``confidential`` (by
    default: the link points into interviews, appeals, pay or talent) keeps the content out of chat messages.
    """
    if recipient is None:
        return None
    body = absolutize_links(body)  # an href written into a body points at this site from anywhere
    files = [{"filename": str(f), "content": str(c), "mimetype": str(m)} for f, c, m in (attachments or [])]
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(recipient=recipient, title=single_line(title)[:200], body=body, url=url,
                                               dedupe_key=dedupe_key, send_email=send_email,
                                               attachments=files, language=translation.get_language() or "",
                                               confidential=is_confidential_link(url) if confidential is None
                                               else confidential)
    except IntegrityError:  # a concurrent call took the key first
        return None
    if send_email and recipient.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(note.pk))
    if send_email:  # False: in-app only (the demo seed), so no chat message either
        transaction.on_commit(lambda: chat_notification_dispatch(notification_id=note.pk))
    return note


def notification_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notification_email_message(note: Notification) -> EmailMultiAlternatives:
    """The e-mail of one notification: plain text plus an HTML part, every link absolute (SITE_URL)."""
    context = {"note": note, "link": absolute_url(note.url)}
    with translation.override(note.language or None):
        text = render_to_string("notifications/email/notification.txt", context).strip()
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(single_line(note.title), text, None, [note.recipient.email])
    message.attach_alternative(html, "text/html")
    for f in note.attachments or []:
        message.attach(f["filename"], f["content"], f.get("mimetype") or "application/octet-stream")
    return message


def notification_email_send(*, notification_id: int) -> bool:
    """Send the e-mail of one notification; a second call sends nothing (idempotent)."""
    with transaction.atomic():
        note = (Notification.objects.select_for_update().select_related("recipient")
                .filter(pk=notification_id).first())
        if note is None or note.emailed_at is not None or not note.send_email or not note.recipient.email:
            return False
        if note.held_for_digest:
            return False
        pref = notification_preference_get(user=note.recipient)
        if not pref.email or not notification_policy_get().allows(area_of(note.url), "email"):
            note.send_email = False  # by choice: nothing to send, nothing to retry
            note.save(update_fields=["send_email"])
            return False
        if pref.digest == Digest.DAILY:
            note.held_for_digest = True
            note.save(update_fields=["held_for_digest"])
            return False
        notification_email_message(note).send(fail_silently=False)
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
    return True


# --- chat apps -------------------------------------------------------------------------------------------

_ENV_SYNCED: list = []


def chat_webhooks_sync_env() -> None:
    """Robots configured through the environment (settings.CHAT_WEBHOOKS_FROM_ENV) exist as shared robots,
    on for everyone; a variable removed switches its robot off. Runs once per process and configuration."""
    from django.conf import settings

    config = dict(getattr(settings, "CHAT_WEBHOOKS_FROM_ENV", {}) or {})
    if _ENV_SYNCED == [config]:
        return
    for app, (url, secret) in config.items():
        if url:
            ChatWebhook.objects.update_or_create(
                env_key=app, defaults={"name": f"{app} (environment)", "app": app, "url": url, "secret": secret or "",
                                       "is_default": True, "is_active": True, "owner": None})
        else:
            ChatWebhook.objects.filter(env_key=app, is_active=True).update(is_active=False)
    _ENV_SYNCED[:] = [config]


def chat_webhooks_for(user) -> list[ChatWebhook]:
    """The robots a user's notifications go to: the user's own robots, and the shared robots the user chose
    (or, without a saved choice, the shared robots HR switched on for everyone). None when chat is off."""
    from django.db.models import Q

    pref = notification_preference_get(user=user)
    if not pref.chat:
        return []
    active = ChatWebhook.objects.filter(is_active=True)
    if pref.pk:
        shared = Q(owner__isnull=True, pk__in=pref.chat_webhooks.values("pk"))
    else:
        shared = Q(owner__isnull=True, is_default=True)
    return list(active.filter(Q(owner=user) | shared).order_by("pk"))


def chat_notification_dispatch(*, notification_id: int) -> int:
    """After commit: queue the chat deliveries of one notification (nothing when no robot is set up)."""
    chat_webhooks_sync_env()
    if not ChatWebhook.objects.filter(is_active=True).exists():
        return 0
    from .tasks import send_notification_chat

    send_notification_chat.delay(notification_id)
    return 1


def chat_deliveries_create(*, notification_id: int) -> list[int]:
    """One pending delivery per robot of the recipient; existing ones are kept (idempotent)."""
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or not note.recipient.is_active or not notification_policy_get().allows(area_of(note.url), "chat"):
        return []
    ids = []
    for hook in chat_webhooks_for(note.recipient):
        delivery, _created = ChatDelivery.objects.get_or_create(notification=note, webhook=hook)
        if delivery.status == DeliveryStatus.PENDING:
            ids.append(delivery.pk)
    return ids


def chat_message(note: Notification) -> chat.ChatMessage:
    """What a chat app shows: the title, a short text and the absolute link, in the recipient's language.
    A confidential event shows neither its title nor its text, only that there is news and the link."""
    from django.utils.translation import gettext

    with translation.override(note.language or None):
        label = gettext("Open in PerfCycle")
        if note.confidential:
            return chat.ChatMessage(title=gettext("PerfCycle: you have a new confidential notification"),
                                    text=gettext("The content is confidential: open the link to see it."),
                                    link=absolute_url(note.url), link_label=label)
    text = note.body if len(note.body) <= 500 else note.body[:497] + "..."
    return chat.ChatMessage(title=note.title, text=text, link=absolute_url(note.url), link_label=label)


def chat_delivery_attempt(*, delivery_id: int) -> str:
    """Post one delivery once. Returns "sent", "retry" (failed, will be tried again), "dead" (failed for the
    last time) or "skip" (already sent or given up: a retried task posts nothing twice)."""
    from django.conf import settings

    with transaction.atomic():
        d = (ChatDelivery.objects.select_for_update(of=("self",))
             .select_related("webhook", "notification").filter(pk=delivery_id).first())
        if d is None or d.status != DeliveryStatus.PENDING or (d.not_before and d.not_before > timezone.now()):
            return "skip"
        hook = d.webhook
        url, payload = chat.build_request(hook.app, hook.url, hook.secret, chat_message(d.notification))
        d.attempts += 1
        d.payload = payload
        try:
            answer = chat.post(hook.app, url, payload)
        except chat.ChatError as e:
            d.error, d.response_status, d.response_body = str(e)[:300], e.status, e.answer[:4000]
            dead = d.attempts >= getattr(settings, "CHAT_MAX_ATTEMPTS", 6) or not hook.is_active
            if dead:
                d.status = DeliveryStatus.DEAD
            d.save()
            return "dead" if dead else "retry"
        d.status, d.sent_at, d.response_status, d.response_body, d.error = (
            DeliveryStatus.SENT, timezone.now(), 200, answer[:4000], "")
        d.save()
    return "sent"


def chat_delivery_requeue(*, actor, delivery_id: int) -> ChatDelivery:
    """HR sends a given-up delivery again (after fixing the robot): back to waiting, attempts from zero."""
    from apps.core.audit import audit_record

    with transaction.atomic():
        d = ChatDelivery.objects.select_for_update().get(pk=delivery_id)
        if d.status != DeliveryStatus.DEAD:
            return d
        d.status, d.attempts = DeliveryStatus.PENDING, 0
        d.save(update_fields=["status", "attempts", "updated_at"])
        audit_record(actor=actor, action="notifications.chat_requeue", obj=d, before={"status": "dead"},
                     after={"status": "pending"})
        from .tasks import deliver_chat

        transaction.on_commit(lambda: deliver_chat.delay(d.pk))
    return d


# --- settings: HR's defaults and each person's choices ------------------------------------------------------

def notification_policy_get() -> NotificationPolicy:
    obj = NotificationPolicy.objects.filter(pk=1).first()
    if obj is None:
        obj, _created = NotificationPolicy.objects.get_or_create(pk=1)
    return obj


def notification_preference_get(*, user) -> NotificationPreference:
    """The saved choices, or (unsaved) the defaults: e-mail and chat on, HR's default digest."""
    pref = NotificationPreference.objects.filter(user=user).first()
    if pref is None:
        pref = NotificationPreference(user=user, version=0, digest=notification_policy_get().default_digest)
    return pref


def quiet_until(pref: NotificationPreference, now=None):
    """The end of the quiet hours when ``now`` (local time) falls inside them, else None. Windows may cross
    midnight (22:00-07:00)."""
    import datetime as dt

    if pref.quiet_start is None or pref.quiet_end is None:
        return None
    now = timezone.localtime(now)
    t, start, end = now.time(), pref.quiet_start, pref.quiet_end
    inside = start <= t < end if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = now.date() if t < end else now.date() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, end), now.tzinfo)


@transaction.atomic
def notification_preference_update(*, actor, email: bool, chat: bool, chat_webhook_ids: list[int],
                                   quiet_start, quiet_end, digest: str,
                                   expected_version: int | None) -> NotificationPreference:
    """A person saves their own choices (nobody else's). Chat robots: only active shared ones."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from apps.core.audit import audit_record
    from apps.core.concurrency import bump, check_version
    from apps.core.exceptions import ApplicationError

    NotificationPreference.objects.get_or_create(user=actor, defaults={
        "digest": notification_policy_get().default_digest, "version": 0})
    pref = NotificationPreference.objects.select_for_update().get(user=actor)
    check_version(pref, expected_version)
    hooks = list(ChatWebhook.objects.filter(pk__in=chat_webhook_ids, owner__isnull=True, is_active=True))
    if len(hooks) != len(set(chat_webhook_ids)):
        raise ApplicationError(_("Choose among the chat robots offered."), field="chat_webhooks")
    before = {"email": pref.email, "chat": pref.chat, "digest": pref.digest,
              "quiet": [str(pref.quiet_start or ""), str(pref.quiet_end or "")]}
    pref.email, pref.chat, pref.quiet_start, pref.quiet_end, pref.digest = email, chat, quiet_start, quiet_end, digest
    try:
        pref.full_clean()
    except DjangoValidationError as e:
        raise ApplicationError(" ".join(e.messages)) from e
    bump(pref)
    pref.save()
    pref.chat_webhooks.set(hooks)
    audit_record(actor=actor, action="notifications.preference_update", obj=pref, before=before,
                 after={"email": email, "chat": chat, "digest": digest, "chat_webhooks": sorted(h.pk for h in hooks),
                        "quiet": [str(quiet_start or ""), str(quiet_end or "")]})
    return pref


@transaction.atomic
def notification_policy_update(*, actor, rules: dict, default_digest: str,
                               expected_version: int | None) -> NotificationPolicy:
    """HR decides which areas may go out by e-mail and by chat, and the digest for people who chose nothing."""
    from apps.core.audit import audit_record
    from apps.core.concurrency import bump, check_version
    from apps.core.exceptions import ApplicationError, PermissionDenied
    from apps.core.roles import is_hr

    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the notification defaults."))
    if default_digest not in Digest.values:
        raise ApplicationError(_("Choose how often."), field="default_digest")
    clean = {}
    for area, channels in (rules or {}).items():
        if area not in AREA_KEYS or not isinstance(channels, dict):
            raise ApplicationError(_("Unknown area: %(area)s") % {"area": area})
        clean[area] = {c: bool(channels.get(c, True)) for c in ("email", "chat")}
    notification_policy_get()
    obj = NotificationPolicy.objects.select_for_update().get(pk=1)
    check_version(obj, expected_version)
    before = {"rules": obj.rules, "default_digest": obj.default_digest}
    obj.rules, obj.default_digest = clean, default_digest
    bump(obj)
    obj.save()
    audit_record(actor=actor, action="notifications.policy_update", obj=obj, before=before,
                 after={"rules": clean, "default_digest": default_digest})
    return obj


def notification_digest_send(*, recipient_id: int) -> int:
    """One e-mail with every notification held for a person's digest; each goes out once."""
    from django.contrib.auth import get_user_model
    from django.utils.translation import ngettext

    user = get_user_model().objects.filter(pk=recipient_id, is_active=True).first()
    if user is None or not user.email:
        return 0
    with transaction.atomic():
        notes = list(Notification.objects.select_for_update().filter(
            recipient=user, held_for_digest=True, emailed_at__isnull=True, send_email=True).order_by("created_at", "id"))
        if not notes:
            return 0
        language = notes[-1].language or None
        context = {"notes": [(n, absolute_url(n.url)) for n in notes],
                   "inbox": absolute_url("/notifications/"), "settings_link": absolute_url("/notifications/settings/")}
        with translation.override(language):
            subject = ngettext("PerfCycle: %(n)s notification", "PerfCycle: %(n)s notifications",
                               len(notes)) % {"n": len(notes)}
            text = render_to_string("notifications/email/digest.txt", context).strip()
            html = render_to_string("notifications/email/digest.html", context)
        message = EmailMultiAlternatives(subject, text, None, [user.email])
        message.attach_alternative(html, "text/html")
        message.send(fail_silently=False)
        Notification.objects.filter(pk__in=[n.pk for n in notes]).update(emailed_at=timezone.now())
    return len(notes)


# --- the personal calendar feed ------------------------------------------------------------------------

def calendar_feed_current(*, user) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_feed_rotate(*, actor, enable: bool = True) -> CalendarFeedToken | None:
    """A new private feed address for ``actor`` (the old one stops working), or none at all."""
    import secrets

    from apps.core.audit import audit_record

    list(CalendarFeedToken.objects.select_for_update().filter(user=actor, revoked_at__isnull=True))
    revoked = CalendarFeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = CalendarFeedToken.objects.create(user=actor, token=secrets.token_urlsafe(32)) if enable else None
    audit_record(actor=actor, action="notifications.calendar_feed", obj=token, object_type="calendar_feed",
                 before={"active": bool(revoked)}, after={"active": enable})
    return token


def calendar_feed_user(*, token: str):
    """The person a feed token belongs to, or None (unknown, revoked, or the person left)."""
    row = (CalendarFeedToken.objects.select_related("user")
           .filter(token=token, revoked_at__isnull=True, user__is_active=True).first()) if token else None
    return row.user if row else None


# --- HR: the shared chat robots --------------------------------------------------------------------------

def _require_hr(actor):
    from apps.core.exceptions import PermissionDenied
    from apps.core.roles import is_hr

    if not is_hr(actor):
        raise PermissionDenied(_("Only HR may change the chat robots."))


@transaction.atomic
def chat_webhook_create(*, actor, name: str, app: str, url: str, secret: str = "",
                        is_default: bool = False) -> ChatWebhook:
    """HR adds a shared robot (webhook addresses only on the chat apps' own hosts)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from apps.core.audit import audit_record
    from apps.core.exceptions import ApplicationError

    _require_hr(actor)
    hook = ChatWebhook(name=name.strip(), app=app, url=url.strip(), secret=secret.strip(), is_default=is_default)
    try:
        hook.full_clean()
    except DjangoValidationError as e:
        field = next(iter(e.message_dict), None) if hasattr(e, "message_dict") else None
        raise ApplicationError(" ".join(e.messages), field=field) from e
    hook.save()
    audit_record(actor=actor, action="notifications.chat_webhook_create", obj=hook,
                 after={"name": hook.name, "app": hook.app, "is_default": is_default})  # never the URL key or secret
    return hook


@transaction.atomic
def chat_webhook_update(*, actor, webhook_id: int, is_active: bool, is_default: bool,
                        expected_version: int | None) -> ChatWebhook:
    """HR switches a shared robot on or off, or on for everyone."""
    from apps.core.audit import audit_record
    from apps.core.concurrency import bump, check_version

    _require_hr(actor)
    hook = ChatWebhook.objects.select_for_update().get(pk=webhook_id, owner__isnull=True)
    check_version(hook, expected_version)
    before = {"is_active": hook.is_active, "is_default": hook.is_default}
    hook.is_active, hook.is_default = is_active, is_default
    bump(hook)
    hook.save()
    audit_record(actor=actor, action="notifications.chat_webhook_update", obj=hook, before=before,
                 after={"is_active": is_active, "is_default": is_default})
    return hook
