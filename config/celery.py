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
    "notifications-daily-digest": {  # one e-mail a day for people who chose the digest
        "task": "apps.notifications.tasks.send_digests",
        "schedule": crontab(minute=0, hour=8),
    },
    "notifications-retry-stuck-chat": {  # chat messages after quiet hours, and ones whose task was lost
        "task": "apps.notifications.tasks.retry_stuck_chat_deliveries",
        "schedule": crontab(minute="*/10"),
    },
    "plans-deadline-reminders": {  # hourly in office hours; each reminder goes out once per plan per day
        "task": "apps.plans.tasks.send_plan_reminders",
        "schedule": crontab(minute=7, hour="8-20"),
    },
    "plans-rollup-goal-trees": {  # nightly safety net; progress already rolls up as it is reported
        "task": "apps.plans.tasks.rollup_all_goal_trees",
        "schedule": crontab(minute=30, hour=2),
    },
    "coaching-signature-reminders": {  # daily; one reminder per record per interval, escalation once
        "task": "apps.coaching.tasks.remind_unsigned_serious_records",
        "schedule": crontab(minute=15, hour=9),
    },
    "coaching-cadence-digest": {  # Monday morning; at most one digest per manager per ISO week
        "task": "apps.coaching.tasks.send_cadence_digest",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "appraisals-scan-deadlines": {  # hourly; reminders go out once per person, stage and day
        "task": "apps.appraisals.tasks.scan_deadlines",
        "schedule": crontab(minute=5),
    },
    "appraisals-open-scheduled-cycles": {  # daily; a cycle that exists already is left alone
        "task": "apps.appraisals.tasks.open_scheduled_cycles",
        "schedule": crontab(minute=20, hour=0),
    },
    "interviews-scan-deadlines": {  # hourly in office hours; each reminder once per interview (or action) and day
        "task": "apps.interviews.tasks.scan_deadlines",
        "schedule": crontab(minute=25, hour="8-20"),
    },
    "appeals-scan-deadlines": {  # hourly in office hours; each reminder once per appeal, stage and day
        "task": "apps.appeals.tasks.scan_deadlines",
        "schedule": crontab(minute=35, hour="8-20"),
    },
    "results-remind-actions": {  # daily: released talent actions due within 7 days, once per action and day
        "task": "apps.results.tasks.remind_actions",
        "schedule": crontab(minute=40, hour=9),
    },
    "dashboards-rollup-changed": {  # every minute: one roll-up per cycle / goal year whose rows changed
        "task": "apps.dashboards.tasks.rollup_changed",
        "schedule": crontab(),
    },
    "core-expire-documents": {  # hourly: batch files past the time HR chose are dropped
        "task": "apps.core.tasks.expire_documents",
        "schedule": crontab(minute=50),
    },
    "dashboards-rollup-everything-changed": {  # nightly safety net over every cycle, old ones included
        "task": "apps.dashboards.tasks.rollup_everything_changed",
        "schedule": crontab(minute=45, hour=2),
    },
}
