"""A real Celery worker over Redis posts a chat message (not eager mode): the robot answers 500 first, the
worker retries after its backoff and posts once more; queuing the same delivery again posts nothing.

Runs when REDIS_URL is set and the database is PostgreSQL; the robot is a local HTTP server in this process."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chat_server import ChatServer
from django.db import connection
from django.test import override_settings

from apps.notifications.models import ChatDelivery, ChatWebhook
from apps.notifications.services import notification_create

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
]


@pytest.fixture
def chat_worker():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
           "CELERY_TASK_ALWAYS_EAGER": "false", "CHAT_RETRY_BASE_SECONDS": "1",
           "CHAT_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1", "CHAT_WEBHOOK_ALLOW_HTTP": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-l", "info",
         "-Q", "light", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for(check, seconds=45):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def test_real_worker_retries_a_failing_robot_and_posts_once(org, chat_worker, settings):
    from config.celery import app

    server = ChatServer()
    server.script = [(500, {"errcode": -1, "errmsg": "system busy"})]
    app.conf.task_always_eager = False
    try:
        app.control.purge()
        with override_settings(CHAT_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"], CHAT_WEBHOOK_ALLOW_HTTP=True,
                               CHAT_WEBHOOKS_FROM_ENV={}):
            ChatWebhook.objects.create(name="企微", app="wecom", is_default=True,
                                       url=f"{server.url}/cgi-bin/webhook/send?key=k")
            note = notification_create(recipient=org.user("staff"), title="真实队列 chat", url="/plans/",
                                       send_email=False)
            # send_email=False keeps it in-app: queue the chat fan-out by hand, as the commit hook would
            from apps.notifications.tasks import deliver_chat, send_notification_chat

            send_notification_chat.delay(note.pk)
            assert wait_for(lambda: ChatDelivery.objects.filter(notification=note, status="sent").exists()), \
                f"not delivered: {list(ChatDelivery.objects.values('status', 'attempts', 'error'))}"
            d = ChatDelivery.objects.get(notification=note)
            assert d.attempts == 2 and len(server.requests) == 2
            deliver_chat.delay(d.pk)  # the same delivery queued again (a lost ack, the beat job)
            send_notification_chat.delay(note.pk)
            time.sleep(3)
            assert len(server.requests) == 2 and ChatDelivery.objects.filter(notification=note).count() == 1
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        server.close()
