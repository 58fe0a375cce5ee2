"""
Celery tasks: each takes primitive arguments, calls ``api.py`` and is safe to run twice.
"""
import datetime
import logging

from celery import shared_task
from django.db import OperationalError

from openedx_distinguished import api

log = logging.getLogger(__name__)

# Database hiccups (deadlocks, lost connections) are retried a few times with backoff.
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}

# A failed email is tried again after about 30 s, 1 min and 2 min; after that the scheduled jobs
# try it on each run until DISTINGUISHED_EMAIL_MAX_ATTEMPTS is reached.
EMAIL_RETRY = {**RETRY, "autoretry_for": (OperationalError, api.MessageNotSent), "retry_backoff": 30}


@shared_task(**RETRY)
def record_platform_activity(user_id, course_key, event, occurred_at=None):
    """Record the activity an Open edX event implies, if the run qualifies and the user is a member."""
    moment = datetime.datetime.fromisoformat(occurred_at) if occurred_at else None
    activity = api.record_platform_activity(user_id=user_id, course_key=course_key, event=event, occurred_at=moment)
    return activity.id if activity else None


@shared_task(**RETRY)
def attribute_registration(user_id, code):
    """Attribute a new user to the member whose referral code brought them."""
    return api.attribute_registration(user_id=user_id, code=code)


@shared_task(**RETRY)
def run_jobs():
    """Do whatever is due (see ``api.run_due_jobs``); the cron command does the same."""
    return api.run_due_jobs()


@shared_task(**RETRY)
def release_announcement(cycle_year):
    """Release a cycle's announcement (idempotent)."""
    return api.release_announcement(cycle_year=cycle_year).already_released


@shared_task(**RETRY)
def evaluate_terms(cycle_year):
    """Evaluate the terms ending in a cycle (idempotent)."""
    return api.evaluate_terms(cycle_year=cycle_year)


@shared_task(**EMAIL_RETRY)
def deliver_message(log_id):
    """Send one message of the outbox (see ``api.deliver_message``); it is never sent twice."""
    return api.deliver_message(log_id=log_id)
