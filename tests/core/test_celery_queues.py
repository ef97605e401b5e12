"""Heavy jobs and light ones go to separate queues, and every queue has a worker in every set-up."""
import pytest
import yaml
from django.conf import settings

from config.celery import app
from tests.core.test_compose import ROOT

HEAVY = ["apps.appraisals.tasks.populate_cycle", "apps.appraisals.tasks.verify_appraisals",
         "apps.dashboards.tasks.rollup_cycle", "apps.dashboards.tasks.rollup_changed"]
LIGHT = ["apps.notifications.tasks.send_notification_email", "apps.appraisals.tasks.scan_deadlines",
         "apps.plans.tasks.send_plan_reminders", "apps.interviews.tasks.scan_deadlines"]


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize("name", HEAVY)
def test_heavy_jobs_go_to_the_heavy_queue(name):
    assert queue_of(name) == "heavy"


@pytest.mark.parametrize("name", LIGHT)
def test_reminders_and_notifications_go_to_the_light_queue(name):
    assert queue_of(name) == "light"


def test_every_registered_task_has_a_queue_that_a_worker_consumes():
    app.loader.import_default_modules()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    consumed = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if "worker" in command:
            consumed.update(command[command.index("-Q") + 1].split(","))
    assert consumed == {"light", "heavy"}
    assert set(settings.CELERY_WORKER_QUEUES.split(",")) == consumed  # `make run`'s one worker takes both
    names = [n for n in app.tasks if n.startswith("apps.")]
    assert names and all(queue_of(n) in consumed for n in names)


def test_a_dead_workers_message_comes_back_within_minutes_not_an_hour():
    if not settings.REDIS_URL:
        pytest.skip("the visibility timeout is a Redis broker setting")
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < timeout <= 30 * 60
