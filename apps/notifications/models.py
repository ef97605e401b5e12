from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
