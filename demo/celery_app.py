"""
The demo host's Celery app: configured from the Django settings (``CELERY_*``), like the LMS's.
"""
from celery import Celery

app = Celery("demo")
app.config_from_object("django.conf:settings", namespace="CELERY")
