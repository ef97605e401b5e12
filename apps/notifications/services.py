"""The one way the product tells people things: an in-app row plus an e-mail sent after commit."""
from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .links import absolute_url, absolutize_links
from .models import Notification


def notification_create(*, recipient, title: str, body: str = "", url: str = "", dedupe_key: str | None = None,
                        send_email: bool = True,
                        attachments: list[tuple[str, str, str]] | None = None) -> Notification | None:
    """Record a notification for ``recipient`` and e-mail it once the transaction commits.

    With ``dedupe_key`` the call is idempotent: a second call with the same key creates nothing
    and returns None (reminders use "<what>:<object id>:<day>"). ``attachments`` are files for the
    e-mail as ``(filename, text content, mimetype)``, e.g. an .ics calendar invitation.
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
                                               attachments=files, language=translation.get_language() or "")
    except IntegrityError:  # a concurrent call took the key first
        return None
    if send_email and recipient.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(note.pk))
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
