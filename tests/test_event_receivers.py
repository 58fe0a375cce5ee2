"""
The platform's events cost nothing outside the qualifying runs: the receivers decide in the LMS
process from the cached set of qualifying runs, so an event in any other run makes no query and
queues no task, and a run staff mark (or remove) is honoured from the very next event.
"""
import pytest
from django.core.cache import cache
from django.db import transaction
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CertificateData, CourseData, CoursePassingStatusData
from openedx_events.learning.signals import CERTIFICATE_CREATED, COURSE_PASSING_STATUS_UPDATED

from openedx_distinguished import api
from openedx_distinguished.activities import QUALIFYING_RUNS_CACHE_KEY
from openedx_distinguished.models import QualifyingCourseRun

from .factories import UserFactory
from .test_events import RUN, enrol, user_data

pytestmark = pytest.mark.django_db
OTHER = "course-v1:SomeOrg+Python101+2026"


def events_in(run, user):
    """An enrolment, a passing status and a certificate of ``user`` in ``run``."""
    course = CourseData(course_key=CourseKey.from_string(run))
    enrol(user, run)
    COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
        is_passing=True, course=course, user=user_data(user)))
    CERTIFICATE_CREATED.send_event(certificate=CertificateData(
        user=user_data(user), course=course, mode="honor", grade="0.9", current_status="downloadable",
        download_url="https://lms.example/cert", name="Learner"))


@pytest.fixture
def learner(program, django_capture_on_commit_callbacks):
    """A learner, on a site where the conference run is qualifying (marked, and committed)."""
    with django_capture_on_commit_callbacks(execute=True):
        api.mark_qualifying_course_run(course_key=RUN, activity_type="event", title="Conference")
    return UserFactory(username="learner")


def test_a_process_does_not_share_the_runs_its_own_open_transaction_changed(program):
    """Until the change commits, the process that made it reads the database and caches nothing."""
    api.mark_qualifying_course_run(course_key=RUN, activity_type="event", title="Conference")  # not committed
    assert api.is_qualifying_course(course_key=RUN)
    assert cache.get(QUALIFYING_RUNS_CACHE_KEY) is None


def test_events_in_other_runs_make_no_query_and_queue_nothing(learner, django_capture_on_commit_callbacks,
                                                              django_assert_num_queries):
    with django_capture_on_commit_callbacks() as callbacks:
        events_in(OTHER, learner)  # the first event of the process reads the runs once
    assert callbacks == []
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        for _ in range(3):
            events_in(OTHER, learner)
    assert callbacks == []


def test_each_event_in_a_qualifying_run_queues_one_task(learner, django_capture_on_commit_callbacks,
                                                        django_assert_num_queries):
    api.is_qualifying_course(course_key=RUN)
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        events_in(RUN, learner)
    assert len(callbacks) == 3


def test_a_run_marked_or_removed_is_honoured_by_the_next_event(learner, django_capture_on_commit_callbacks):
    assert not api.is_qualifying_course(course_key=OTHER)  # cached now
    with django_capture_on_commit_callbacks(execute=True):
        api.mark_qualifying_course_run(course_key=OTHER, activity_type="event", title="Python 101")
    with django_capture_on_commit_callbacks() as callbacks:
        enrol(learner, OTHER)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        QualifyingCourseRun.objects.filter(course_key=OTHER).delete()
    with django_capture_on_commit_callbacks() as callbacks:
        enrol(learner, OTHER)
    assert callbacks == []


def test_a_change_that_rolls_back_leaves_the_committed_runs(learner):
    assert api.is_qualifying_course(course_key=RUN)
    with pytest.raises(RuntimeError), transaction.atomic():
        QualifyingCourseRun.objects.filter(course_key=RUN).delete()
        assert not api.is_qualifying_course(course_key=RUN)  # what this transaction sees
        raise RuntimeError("rolled back")
    assert api.is_qualifying_course(course_key=RUN)


def test_an_evicted_cache_is_read_again_from_the_database(learner, django_assert_num_queries):
    assert api.is_qualifying_course(course_key=RUN)
    cache.delete(QUALIFYING_RUNS_CACHE_KEY)
    with django_assert_num_queries(1):
        assert api.is_qualifying_course(course_key=RUN) and not api.is_qualifying_course(course_key=OTHER)
