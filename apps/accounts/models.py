from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import VersionedModel


class UserPreference(models.Model):
    """Per-user settings that follow the person from browser to browser (the interface language)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user} ({self.language or '-'})"


class SecuritySettings(VersionedModel):
    """Company-wide sign-in settings HR may change (one row)."""

    idle_timeout_minutes = models.PositiveIntegerField(
        _("sign out after this many minutes without activity"), default=480,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    class Meta:
        verbose_name = _("security settings")
        verbose_name_plural = _("security settings")

    def __str__(self):
        return f"idle timeout {self.idle_timeout_minutes} min"
