"""`make run`'s last step: the web server, a Celery worker and beat together; Ctrl-C stops all three."""
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the development web server with a Celery worker and beat; Ctrl-C stops every process."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        from django.db import connection

        python = sys.executable
        # one worker process on SQLite (one writer at a time), two on PostgreSQL
        concurrency = "1" if connection.vendor == "sqlite" else "2"
        commands = [
            [python, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", concurrency,
             "-Q", settings.CELERY_WORKER_QUEUES],
            [python, "-m", "celery", "-A", "config", "beat", "-l", "warning"],
            [python, "manage.py", "runserver", addrport],
        ]
        children = [subprocess.Popen(cmd, start_new_session=True) for cmd in commands]

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    os.killpg(child.pid, signal.SIGTERM)
            deadline = time.time() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
            self.stdout.write("Stopped the web server, the worker and beat.")

        signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            self.stderr.write("A process stopped by itself; stopping the others.")
        except KeyboardInterrupt:
            pass
        finally:
            stop()
