from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError, OperationalError), retry_backoff=True,
             retry_backoff_max=600, max_retries=8)
def send_notification_email(self, notification_id: int) -> bool:
    from .services import notification_email_send

    return notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True)
def retry_unsent_emails() -> int:
    """Beat job: e-mails whose first attempt was lost (broker down, worker killed) are tried again."""
    from .models import Notification

    cutoff = timezone.now() - timedelta(minutes=5)
    ids = list(Notification.objects.filter(send_email=True, emailed_at__isnull=True, created_at__lt=cutoff,
                                           held_for_digest=False,
                                           created_at__gt=timezone.now() - timedelta(days=2),
                                           recipient__email__gt="").values_list("pk", flat=True)[:500])
    for pk in ids:
        send_notification_email.delay(pk)
    return len(ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_notification_chat(notification_id: int) -> int:
    """One delivery per robot of the recipient, each posted by its own task (a slow robot delays no other)."""
    from .models import ChatDelivery, Notification
    from .services import chat_deliveries_create, notification_preference_get, quiet_until

    ids = chat_deliveries_create(notification_id=notification_id)
    note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    until = quiet_until(notification_preference_get(user=note.recipient)) if ids and note else None
    if until is not None:
        # the recipient's quiet hours: the deliveries wait in the database (not as hours-long ETA tasks in the
        # broker) and the beat job below sends them once the hours are over
        ChatDelivery.objects.filter(pk__in=ids).update(not_before=until)
        return 0
    for pk in ids:
        deliver_chat.delay(pk)
    return len(ids)


def chat_backoff(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min, 8 min ... (CHAT_RETRY_BASE_SECONDS doubling), at most 15 minutes: under the
    broker's visibility timeout, so a waiting retry is never delivered twice by the broker."""
    from django.conf import settings

    return min(getattr(settings, "CHAT_RETRY_BASE_SECONDS", 30) * 2 ** retries, 900)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_chat(self, delivery_id: int) -> str:
    """Post one chat delivery; on failure try again with backoff until CHAT_MAX_ATTEMPTS, then give up and
    keep the answer for HR (the delivery counts its attempts, so the limit holds across lost tasks too)."""
    from .services import chat_delivery_attempt

    outcome = chat_delivery_attempt(delivery_id=delivery_id)
    while outcome == "retry" and self.request.is_eager:  # tests and CELERY_TASK_ALWAYS_EAGER: no broker to wait in
        outcome = chat_delivery_attempt(delivery_id=delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=chat_backoff(self.request.retries))
    return outcome


@shared_task(acks_late=True)
def retry_stuck_chat_deliveries() -> int:
    """Beat job: deliveries held for quiet hours that are now over, and deliveries still waiting long after
    their last try (task lost), are queued. Sending is idempotent, so queuing one twice posts it once."""
    from django.db.models import Q

    from .models import ChatDelivery, DeliveryStatus

    now = timezone.now()
    due = Q(not_before__isnull=False, not_before__lte=now) | Q(not_before__isnull=True,
                                                                updated_at__lt=now - timedelta(hours=2))
    ids = list(ChatDelivery.objects.filter(due, status=DeliveryStatus.PENDING, created_at__gt=now - timedelta(days=2))
               .values_list("pk", flat=True)[:500])
    for pk in ids:
        deliver_chat.delay(pk)
    return len(ids)


@shared_task(acks_late=True)
def send_digests() -> int:
    """Beat job (daily, 08:00): each person on a daily digest gets one e-mail with what was held for it."""
    from .models import Notification
    from .services import notification_digest_send

    recipients = set(Notification.objects.filter(held_for_digest=True, emailed_at__isnull=True, send_email=True)
                     .values_list("recipient_id", flat=True))
    return sum(notification_digest_send(recipient_id=uid) for uid in sorted(recipients))
