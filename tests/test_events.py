"""
Open edX events in: enrolment, passing and certificates in qualifying runs, and referred registrations.
"""
from datetime import datetime, timezone

import pytest
from crum import CurrentRequestUserMiddleware
from django.test import RequestFactory
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import (
    CertificateData,
    CourseData,
    CourseEnrollmentData,
    CoursePassingStatusData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    CERTIFICATE_CREATED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_PASSING_STATUS_UPDATED,
    STUDENT_REGISTRATION_COMPLETED,
)

from openedx_distinguished import api
from openedx_distinguished.conf import REFERRAL_COOKIE
from openedx_distinguished.models import Activity, Onboarding

from .factories import UserFactory
from .membership_fixtures import released_cycle

pytestmark = pytest.mark.django_db
RUN = "course-v1:OpenedX+Conf+2026"


def user_data(user):
    """The event payload's picture of a user."""
    return UserData(id=user.pk, is_active=True,
                    pii=UserPersonalData(username=user.username, email=user.email, name=user.get_full_name()))


def course():
    """The qualifying course run, as events carry it."""
    return CourseData(course_key=CourseKey.from_string(RUN), display_name="Open edX Conference 2026")


@pytest.fixture
def member(cycle, users, panels):
    """A member (released engineer term) and a qualifying conference run."""
    person = UserFactory(username="member")
    released_cycle(users, panels, [person])
    api.mark_qualifying_course_run(course_key=RUN, activity_type="event", title="Open edX Conference 2026")
    return person


def enrol(user, run=RUN):
    """Send COURSE_ENROLLMENT_CREATED for ``user`` in ``run`` (the qualifying run by default)."""
    COURSE_ENROLLMENT_CREATED.send_event(enrollment=CourseEnrollmentData(
        user=user_data(user), course=CourseData(course_key=CourseKey.from_string(run)), mode="audit", is_active=True,
        creation_date=datetime(2026, 6, 1, tzinfo=timezone.utc)))


def test_enrolment_in_a_qualifying_run_is_a_verified_activity(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrol(member)
    assert len(callbacks) == 1
    activity = Activity.objects.get()
    assert (activity.user, activity.source, activity.status, activity.course_key) == (
        member, "platform_event", "verified", RUN)
    assert activity.activity_type.slug == "event"
    # The same event again (a retry, a replay from the event bus) adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        enrol(member)
    assert Activity.objects.count() == 1


def test_passing_and_certificate(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
            is_passing=False, course=course(), user=user_data(member)))
    assert not Activity.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        COURSE_PASSING_STATUS_UPDATED.send_event(course_passing_status=CoursePassingStatusData(
            is_passing=True, course=course(), user=user_data(member)))
        CERTIFICATE_CREATED.send_event(certificate=CertificateData(
            user=user_data(member), course=course(), mode="honor", grade="0.9", current_status="downloadable",
            download_url="https://lms.example/cert", name="Member"))
    assert sorted(Activity.objects.values_list("external_id", flat=True)) == [
        f"platform:certified:{RUN}:{member.pk}", f"platform:passed:{RUN}:{member.pk}"]


def test_nothing_for_other_runs_or_non_members(member, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enrol(users["learner"])
        COURSE_ENROLLMENT_CREATED.send_event(enrollment=CourseEnrollmentData(
            user=user_data(member), course=CourseData(course_key=CourseKey.from_string("course-v1:X+Y+Z")),
            mode="audit", is_active=True, creation_date=datetime(2026, 6, 1, tzinfo=timezone.utc)))
    assert not Activity.objects.exists()


def test_nothing_happens_if_the_transaction_rolls_back(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrol(member)
    assert len(callbacks) == 1 and not Activity.objects.exists()


def test_referral_link_and_registration(member, client, django_capture_on_commit_callbacks, settings):
    settings.DISTINGUISHED_REGISTRATION_URL = "/register?next=/dashboard"
    code = api.referral_code(user=member)
    response = client.get(f"/distinguished/join/{code}/")
    assert response.status_code == 302 and response["Location"] == "/register?next=/dashboard"
    assert response.cookies[REFERRAL_COOKIE].value == code
    assert client.get("/distinguished/join/not-a-code/").status_code == 404

    newcomer = UserFactory(username="newcomer")
    request = RequestFactory().post("/register")
    request.COOKIES[REFERRAL_COOKIE] = code
    request.user = newcomer
    middleware = CurrentRequestUserMiddleware(lambda req: None)
    middleware.process_request(request)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            STUDENT_REGISTRATION_COMPLETED.send_event(user=user_data(newcomer))
    finally:
        middleware.process_response(request, None)
    onboarding = Onboarding.objects.get()
    assert (onboarding.member, onboarding.referred_user) == (member, newcomer)


def test_registration_without_a_referral(member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        STUDENT_REGISTRATION_COMPLETED.send_event(user=user_data(UserFactory(username="plain")))
    assert not callbacks and not Onboarding.objects.exists()
