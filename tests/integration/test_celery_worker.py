"""
A real Celery worker (a process of its own, Redis as the broker) runs the plugin's tasks: it
delivers the outbox and records what Open edX events imply, against the test's database, as the
LMS's workers do. Eager mode, which the rest of the suite uses, runs tasks inside the request.

An integration test: it needs Redis and a database server that a second process can reach (the
MariaDB run; ``tests/conftest.py`` deselects it elsewhere).
"""
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery, current_app
from django.db import connection
from django.utils import timezone
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED

from openedx_distinguished import api
from openedx_distinguished.models import Activity, MessageLog, Track

from ..factories import UserFactory
from ..membership_fixtures import make_term
from ..review_fixtures import submitted_nomination

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("redis"), pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("DISTINGUISHED_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# How long the worker may take to start, and to run a task (seconds).
START_DEADLINE, TASK_DEADLINE = 60, 30


def wait_for(check, deadline, what):
    """Poll ``check`` until it is true, or fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"The worker did not {what} within {deadline} s")


@pytest.fixture
def worker(tmp_path):
    """A Celery worker process on a queue of this test's own, and this process sending to it."""
    if connection.vendor == "sqlite":
        pytest.fail("A worker process cannot reach SQLite's in-memory test database: run with MariaDB")
    queue = f"distinguished-test-{uuid.uuid4().hex}"
    mail = tmp_path / "mail"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "test_settings",
           "DISTINGUISHED_WORKER_DB_NAME": connection.settings_dict["NAME"], "DISTINGUISHED_WORKER_QUEUE": queue,
           "DISTINGUISHED_WORKER_MAIL_DIR": str(mail)}
    log = tmp_path / "worker.log"
    with open(log, "w", encoding="utf-8") as output:
        # The worker outlives this block (it is stopped after the test): no ``with`` for it.
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "celery", "-A", "tests.integration.worker", "worker", "--pool=solo",
             "--loglevel=INFO", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    # A sending app of its own: Celery keeps the broker connections it opened (eager tasks open
    # one too, on the default broker), so the suite's app would not send to this Redis.
    previous = current_app._get_current_object()  # pylint: disable=protected-access
    sender = Celery("distinguished-test-sender", set_as_current=False)
    sender.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    sender.set_current()
    try:
        wait_for(lambda: "ready." in log.read_text(encoding="utf-8") or process.poll() is not None,
                 START_DEADLINE, "start")
        assert process.poll() is None, log.read_text(encoding="utf-8")
        yield {"mail": mail, "log": log}
    finally:
        previous.set_current()
        sender.close()
        process.terminate()
        process.wait(timeout=30)


def test_the_worker_delivers_the_outbox(worker, cycle, users):
    submitted_nomination(users["nominee"], users["nominee"])
    message = MessageLog.objects.get(message_name="nomination_received")
    wait_for(lambda: MessageLog.objects.filter(pk=message.pk, sent_at__isnull=False).exists(), TASK_DEADLINE,
             f"deliver the message (log: {worker['log'].read_text(encoding='utf-8')[-2000:]})")
    files = list(worker["mail"].glob("*.log"))
    assert len(files) == 1 and "nominee@example.com" in files[0].read_text(encoding="utf-8")
    assert "Task openedx_distinguished.tasks.deliver_message" in worker["log"].read_text(encoding="utf-8")


def test_the_worker_records_what_an_event_implies(worker, cycle):
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    run = "course-v1:OpenedX+Conference+2026"
    api.mark_qualifying_course_run(course_key=run, activity_type="event", title="Open edX Conference")
    COURSE_ENROLLMENT_CREATED.send_event(
        enrollment=CourseEnrollmentData(
            user=UserData(id=member.pk, is_active=True,
                          pii=UserPersonalData(username="member", email="member@example.com", name="Member")),
            course=CourseData(course_key=CourseKey.from_string(run), display_name="Open edX Conference"),
            mode="audit", is_active=True, creation_date=timezone.now() - timedelta(minutes=1)),
    )
    wait_for(lambda: Activity.objects.filter(user=member, course_key=run).exists(), TASK_DEADLINE,
             f"record the activity (log: {worker['log'].read_text(encoding='utf-8')[-2000:]})")
    assert Activity.objects.get(user=member).source == "platform_event"
