"""
The Celery app of the worker process ``test_celery_worker`` starts: the test settings pointed at
the test's own database (``DISTINGUISHED_WORKER_DB_NAME``), Redis as the broker, one queue of the
test's own (``DISTINGUISHED_WORKER_QUEUE``), e-mails written to ``DISTINGUISHED_WORKER_MAIL_DIR``.
"""
import os

import django
from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "test_settings")
# Settings are read (not yet used) here: point them at the test's database before Django starts.
settings.DATABASES["default"]["NAME"] = os.environ["DISTINGUISHED_WORKER_DB_NAME"]
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["DISTINGUISHED_WORKER_MAIL_DIR"]
django.setup()

app = Celery("distinguished-worker")
app.conf.update(
    broker_url=os.environ.get("DISTINGUISHED_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    task_default_queue=os.environ["DISTINGUISHED_WORKER_QUEUE"],
    task_always_eager=False,
    broker_connection_retry_on_startup=True,
)
# The plugin's tasks are shared tasks: this app runs them once the plugin's module is imported.
import openedx_distinguished.tasks  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
