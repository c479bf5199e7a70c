"""The Celery application: `celery -A config worker` and `celery -A config beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("verdicts")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks that code queues live in each app's tasks.py, what beat runs in beat.py.
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="beat")
