"""The one way the product tells people things: an in-app row plus an e-mail sent after commit."""
from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import chat
from .links import absolute_url, absolutize_links, is_confidential_link
from .models import ChatDelivery, ChatWebhook, DeliveryStatus, Notification


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
            note = Notification.objects.create(recipient=recipient, title=title[:200], body=body, url=url,
                                               dedupe_key=dedupe_key, send_email=send_email,
                                               attachments=files, language=translation.get_language() or "",
                                               confidential=is_confidential_link(url) if confidential is None
                                               else confidential)
    except IntegrityError:  # a concurrent call took the key first
        return None
    if send_email and recipient.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(note.pk))
    if send_email:
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
    message = EmailMultiAlternatives(note.title, text, None, [note.recipient.email])
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
    """The robots a user's notifications go to: the user's own robots and the shared robots on by default."""
    from django.db.models import Q

    return list(ChatWebhook.objects.filter(is_active=True)
                .filter(Q(owner=user) | Q(owner__isnull=True, is_default=True)).order_by("pk"))


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
    if note is None or not note.send_email or not note.recipient.is_active:
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
        if d is None or d.status != DeliveryStatus.PENDING:
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
