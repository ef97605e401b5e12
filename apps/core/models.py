"""Base mixins and the append-only audit trail."""
from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_DIGITS = {"max_digits": 9, "decimal_places": 2}
MONEY_DIGITS = {"max_digits": 14, "decimal_places": 2}


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """Optimistic concurrency: every service write bumps ``version``; a stale version is a conflict."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - refuse
        raise RuntimeError("Audit events are append-only.")

    def delete(self):
        raise RuntimeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One change made by a service: who, what, which object, before/after, when, which request."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField(_("time (UTC)"), auto_now_add=True, db_index=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class DocumentJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class DocumentLayout(models.TextChoices):
    MERGED = "merged", _("One PDF with every form")
    ZIP = "zip", _("A zip of one PDF per person")


class DocumentJob(TimeStampedModel):
    """A document built off the web workers (``apps/core/documents.py``): a batch of printed forms, a large
    export. The app that registers the ``kind`` decides what is in it; its items (``parameters["ids"]``)
    are fixed, filtered by the access policy, when the job is created. Only the owner and HR download the
    file, until ``expires_at`` (then the content is dropped)."""

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=dict, encoder=DjangoJSONEncoder)
    layout = models.CharField(_("layout"), max_length=8, choices=DocumentLayout.choices, default=DocumentLayout.MERGED)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
                              related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=DocumentJobStatus.choices,
                              default=DocumentJobStatus.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    parts_total = models.PositiveIntegerField(_("parts"), default=0)
    keep_hours = models.PositiveIntegerField(_("keep the file for (hours)"), default=72)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=80, blank=True)
    content = models.BinaryField(_("file content"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document job")
        verbose_name_plural = _("document jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"]), models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return self.title

    @property
    def percent(self) -> int:
        if self.status == DocumentJobStatus.DONE:
            return 100
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (DocumentJobStatus.DONE, DocumentJobStatus.FAILED, DocumentJobStatus.EXPIRED)


class DocumentPart(models.Model):
    """One chunk of a DocumentJob, built by its own task (several workers build a large job side by side;
    each task stays well under the time limit). ``content`` is a PDF (merged layout) or a zip (zip layout)."""

    job = models.ForeignKey(DocumentJob, verbose_name=_("document job"), on_delete=models.CASCADE,
                            related_name="parts")
    index = models.PositiveIntegerField(_("index"))
    done = models.PositiveIntegerField(_("done"), default=0)
    count = models.PositiveIntegerField(_("documents in it"), default=0)
    finished = models.BooleanField(_("finished"), default=False)
    content = models.BinaryField(_("file content"), null=True, blank=True)

    class Meta:
        verbose_name = _("document part")
        verbose_name_plural = _("document parts")
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="core_one_part_per_index")]

    def __str__(self):
        return f"{self.job_id} · {self.index}"
