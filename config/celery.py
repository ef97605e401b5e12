"""The Celery application: JSON, late acks, time limits, beat schedule in code."""
import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("perfcycle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each app adds its periodic jobs here; every job is idempotent (safe to run twice).
app.conf.beat_schedule = {
    "notifications-retry-unsent-emails": {
        "task": "apps.notifications.tasks.retry_unsent_emails",
        "schedule": crontab(minute="*/10"),
    },
}
