"""The performance policy (绩效管理制度): HR's text sections (versioned) and the published versions.

The policy is generated from the live configuration (``content.live_snapshot``: review frequency by
job level, the schedules and open cycles with their stages and deadlines, grade bands and quotas,
section weights of the templates, the scoring rule kinds with worked examples, interview windows) plus
the sections HR writes. Publishing freezes the snapshot and the texts as version N; employees
acknowledge the current version. When the live snapshot's fingerprint differs from the current
version's, the policy is out of date and HR is told (work list, banner).
"""
from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel, VersionedModel


def pick(zh: str, en: str) -> str:
    return (en or zh) if (get_language() or "zh-hans").lower().startswith("en") else (zh or en)


class PolicySection(VersionedModel):
    """One text section HR maintains in both languages (purpose, principles, roles, use of results...)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        verbose_name = _("policy section")
        verbose_name_plural = _("policy sections")
        ordering = ["order", "key"]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_zh, self.title_en)

    @property
    def body(self) -> str:
        return pick(self.body_zh, self.body_en)


class PolicyVersion(TimeStampedModel):
    """A published, frozen version: the configuration snapshot and the sections' texts at publication."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    snapshot = models.JSONField(_("snapshot"), encoder=DjangoJSONEncoder)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-number"]

    def __str__(self):
        return f"v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("A published policy version is frozen.")
        super().save(*args, **kwargs)


class PolicyAcknowledgement(TimeStampedModel):
    """An employee read and acknowledged one version."""

    version = models.ForeignKey(PolicyVersion, verbose_name=_("version"), on_delete=models.PROTECT,
                                related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="policy_one_ack_per_version")]
