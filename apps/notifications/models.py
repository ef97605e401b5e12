from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import VersionedModel


class Notification(models.Model):
    """An in-app notification; ``emailed_at`` is set once its e-mail has gone out."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(
        _("de-duplication key"), max_length=200, null=True, blank=True, unique=True,
        help_text=_("Two notifications with the same key are one: reminders use it to go out once."),
    )
    send_email = models.BooleanField(_("send e-mail"), default=True)
    attachments = models.JSONField(
        _("e-mail attachments"), default=list, blank=True,
        help_text=_("Files sent with the e-mail: a list of {filename, content, mimetype} (text content)."))
    held_for_digest = models.BooleanField(
        _("held for the digest"), default=False,
        help_text=_("The recipient reads a daily digest: this goes out with it, not on its own."))
    confidential = models.BooleanField(
        _("confidential"), default=False,
        help_text=_("Chat messages of a confidential event carry no content, only the link."))
    language = models.CharField(_("language"), max_length=10, blank=True,
                                help_text=_("The language the message was written in (the recipient's)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title


class ChatApp(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信) group robot")
    DINGTALK = "dingtalk", _("DingTalk (钉钉) robot")
    FEISHU = "feishu", _("Feishu / Lark (飞书) bot")


class ChatWebhook(VersionedModel):
    """A chat-app robot messages are posted to. Shared ones are set up by HR (or from the environment) and
    users may choose them; a personal one belongs to one user (a robot in their own chat)."""

    name = models.CharField(_("name"), max_length=100)
    app = models.CharField(_("chat app"), max_length=20, choices=ChatApp.choices)
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True,
                              help_text=_("DingTalk and Feishu robots with signature verification need it."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              null=True, blank=True, related_name="chat_webhooks",
                              help_text=_("Empty for a shared robot set up by HR."))
    is_default = models.BooleanField(_("on for everyone by default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    env_key = models.CharField(_("from the environment"), max_length=40, blank=True, default="",
                               help_text=_("Set for robots configured through environment variables."))

    class Meta:
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.get_app_display()})"

    def clean(self):
        from .chat import host_allowed

        if self.url and not host_allowed(self.url):
            raise ValidationError({"url": _("Only the chat apps' own webhook addresses are allowed (HTTPS on %(hosts)s).")
                                   % {"hosts": ", ".join(getattr(settings, "CHAT_WEBHOOK_ALLOWED_HOSTS", []))}})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("sent")
    DEAD = "dead", _("failed (gave up)")


class ChatDelivery(models.Model):
    """One notification to one robot: at most one per (event, recipient, channel), so a retried task never
    posts twice. A delivery that keeps failing is given up ("dead") with the last answer kept for HR."""

    notification = models.ForeignKey(Notification, verbose_name=_("notification"), on_delete=models.CASCADE,
                                     related_name="chat_deliveries")
    webhook = models.ForeignKey(ChatWebhook, verbose_name=_("chat robot"), on_delete=models.CASCADE,
                                related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    payload = models.JSONField(_("payload sent"), default=dict, blank=True)
    response_status = models.PositiveSmallIntegerField(_("HTTP status of the answer"), null=True, blank=True)
    response_body = models.TextField(_("answer"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    not_before = models.DateTimeField(_("held until"), null=True, blank=True,
                                      help_text=_("The recipient's quiet hours: not sent before this time."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat delivery")
        verbose_name_plural = _("chat deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["notification", "webhook"], name="chat_delivery_once")]

    def __str__(self):
        return f"{self.notification_id} → {self.webhook_id}: {self.status}"


# What a notification is about: the first part of its link ("/contracts/2/" -> contracts). HR decides per area
# which channels may carry it; anything else counts as "other".
AREAS = [
    ("plans", _("Monthly plans and goals")),
    ("contracts", _("KPI contracts")),
    ("appraisals", _("Appraisals")),
    ("interviews", _("Performance interviews")),
    ("coaching", _("Coaching and records")),
    ("appeals", _("Appeals")),
    ("results", _("Talent reviews and development")),
    ("pay", _("Pay")),
    ("other", _("Everything else")),
]
AREA_KEYS = [a for a, _label in AREAS]


def area_of(url: str) -> str:
    from urllib.parse import urlsplit

    key = urlsplit(url or "").path.strip("/").split("/")[0]
    return key if key in AREA_KEYS else "other"


class Digest(models.TextChoices):
    OFF = "off", _("Each message when it happens")
    DAILY = "daily", _("One e-mail a day with everything (08:00)")


class NotificationPolicy(VersionedModel):
    """HR's defaults (one row): which areas may go out by e-mail and by chat, and the default digest."""

    rules = models.JSONField(_("channels per area"), default=dict, blank=True,
                             help_text=_('{"contracts": {"email": true, "chat": false}, ...}; missing means allowed.'))
    default_digest = models.CharField(_("default for people who chose nothing"), max_length=10,
                                      choices=Digest.choices, default=Digest.OFF)

    class Meta:
        verbose_name = _("notification defaults")
        verbose_name_plural = _("notification defaults")

    def allows(self, area: str, channel: str) -> bool:
        return bool((self.rules or {}).get(area, {}).get(channel, True))


class NotificationPreference(VersionedModel):
    """One person's choices: e-mail and chat on or off, which shared robots, quiet hours, digest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.BooleanField(_("by e-mail"), default=True)
    chat = models.BooleanField(_("in chat apps"), default=True)
    chat_webhooks = models.ManyToManyField(ChatWebhook, verbose_name=_("shared chat robots"), blank=True,
                                           related_name="+")
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.CharField(_("how often"), max_length=10, choices=Digest.choices, default=Digest.OFF)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    def clean(self):
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValidationError(_("Give both ends of the quiet hours, or neither."))
        if self.quiet_start is not None and self.quiet_start == self.quiet_end:
            raise ValidationError(_("The quiet hours must not start and end at the same time."))


class CalendarFeedToken(models.Model):
    """The secret in a person's calendar-feed URL. A new address revokes the old one; revoked answers 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="calendar_feed_tokens")
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")
        ordering = ["-created_at", "-id"]

    def __str__(self):  # never the token itself (audit rows, admin)
        return f"calendar feed #{self.pk} of {self.user_id}"
