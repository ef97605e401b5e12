from .models import ChatDelivery, ChatWebhook, DeliveryStatus, Notification


def notification_list(*, user):
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def shared_chat_webhooks(*, include_inactive: bool = False):
    qs = ChatWebhook.objects.filter(owner__isnull=True).order_by("name", "id")
    return qs if include_inactive else qs.filter(is_active=True)


def chat_delivery_failures():
    """The dead-letter list HR sees: deliveries given up, newest first, with the chat app's answer."""
    return (ChatDelivery.objects.filter(status=DeliveryStatus.DEAD)
            .select_related("webhook", "notification__recipient").order_by("-updated_at", "-id"))
