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
                                           created_at__gt=timezone.now() - timedelta(days=2),
                                           recipient__email__gt="").values_list("pk", flat=True)[:500])
    for pk in ids:
        send_notification_email.delay(pk)
    return len(ids)
