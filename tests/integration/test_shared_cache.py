"""
Two LMS processes and one shared cache (Redis, as a site's memcached or Redis would be): a course
run staff mark qualifying in one process is honoured by the very next event in the other, which
reads no database to decide.

An integration test: it needs Redis (``DISTINGUISHED_TEST_REDIS_URL``, by default
redis://127.0.0.1:6379/0).
"""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

from openedx_distinguished import api

from ..factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("redis"), pytest.mark.django_db]

REDIS_URL = os.environ.get("DISTINGUISHED_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROOT = Path(__file__).resolve().parents[2]
QUALIFYING, OTHER = "course-v1:OpenedX+Conf+2026", "course-v1:OpenedX+Sprint+2026"

# The other process: an LMS worker with the same settings and the shared cache. For each course
# key it reads on its standard input it sends COURSE_ENROLLMENT_CREATED, and answers with how many
# tasks it has queued so far and how many queries that event made.
OTHER_PROCESS = """
import json, sys
from datetime import datetime, timezone
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED
from openedx_distinguished import tasks
queued = []
tasks.record_platform_activity.delay = lambda **kwargs: queued.append(kwargs)
print("ready", flush=True)
for line in sys.stdin:
    with CaptureQueriesContext(connection) as queries:
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=CourseEnrollmentData(
            user=UserData(id=7, is_active=True, pii=UserPersonalData(username="u", email="u@example.org", name="U")),
            course=CourseData(course_key=CourseKey.from_string(line.strip())), mode="audit", is_active=True,
            creation_date=datetime(2026, 6, 1, tzinfo=timezone.utc)))
    print(json.dumps({"queued": len(queued), "queries": len(queries.captured_queries)}), flush=True)
"""


@pytest.fixture
def shared_cache(settings):
    """The default cache is Redis, under a prefix of this test's own; both processes use it."""
    prefix = f"distinguished-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    yield prefix
    caches["default"].clear()


def test_a_run_marked_in_one_process_is_honoured_by_the_next_event_in_another(
        program, shared_cache, django_capture_on_commit_callbacks):
    UserFactory(username="u")
    with django_capture_on_commit_callbacks(execute=True):  # marked, and committed: shared with every process
        api.mark_qualifying_course_run(course_key=QUALIFYING, activity_type="event", title="Conference")
    # The other process shares the cache only: it reads no table, so it needs no database of this run
    # (on SQLite, whichever run this is; the MariaDB run's test database is this process's alone).
    env = {**{name: value for name, value in os.environ.items() if name != "DISTINGUISHED_TEST_DB"},
           "DJANGO_SETTINGS_MODULE": "test_settings", "PYTHONPATH": str(ROOT),
           "DISTINGUISHED_TEST_CACHE_REDIS": REDIS_URL, "DISTINGUISHED_TEST_CACHE_PREFIX": shared_cache}
    with subprocess.Popen([sys.executable, "-c", OTHER_PROCESS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True, env=env, cwd=ROOT) as worker:
        def event_in(course_key):
            worker.stdin.write(course_key + "\n")
            worker.stdin.flush()
            return json.loads(worker.stdout.readline())

        try:
            assert worker.stdout.readline().strip() == "ready"
            assert event_in(QUALIFYING) == {"queued": 1, "queries": 0}
            assert event_in(OTHER) == {"queued": 1, "queries": 0}
            with django_capture_on_commit_callbacks(execute=True):  # staff mark the sprint, and commit
                api.mark_qualifying_course_run(course_key=OTHER, activity_type="event", title="Sprint")
            assert event_in(OTHER) == {"queued": 2, "queries": 0}
        finally:
            worker.stdin.close()
            worker.wait(timeout=30)
