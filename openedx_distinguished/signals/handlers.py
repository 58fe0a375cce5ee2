"""
Receivers of Open edX events. They stay thin: pull ids out of the event and hand them to a Celery
task once the surrounding transaction has committed.
"""
import datetime
import logging

from crum import get_current_request
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from openedx_events.learning.signals import (
    CERTIFICATE_CREATED,
    COURSE_ENROLLMENT_CREATED,
    COURSE_PASSING_STATUS_UPDATED,
    STUDENT_REGISTRATION_COMPLETED,
)

from openedx_distinguished import api, tasks
from openedx_distinguished.conf import REFERRAL_COOKIE
from openedx_distinguished.models import Criterion, MemberProfile, PartnerOrganization, QualifyingCourseRun, Track
from openedx_distinguished.notifications import message_queued

log = logging.getLogger(__name__)


def _later(task, **kwargs):
    transaction.on_commit(lambda: task.delay(**kwargs))


def _course_event(user, course, event, metadata):
    """
    Hand an event in a course run to a worker, if the run is qualifying: the test is made here, in
    the LMS process, from the cached set of qualifying runs (no query), so that the events of every
    other run queue nothing.
    """
    course_key = str(course.course_key)
    if api.is_qualifying_course(course_key=course_key):
        _later(tasks.record_platform_activity, user_id=user.id, course_key=course_key, event=event,
               occurred_at=metadata.time.isoformat())


@receiver(COURSE_ENROLLMENT_CREATED, dispatch_uid="openedx_distinguished.enrollment_created")
def enrollment_created(signal, sender, enrollment, metadata, **kwargs):  # pylint: disable=unused-argument
    """Someone enrolled in a course run: in a qualifying event or working group, it may be a member's activity."""
    _course_event(enrollment.user, enrollment.course, "enrolled", metadata)


@receiver(COURSE_PASSING_STATUS_UPDATED, dispatch_uid="openedx_distinguished.passing_status_updated")
def passing_status_updated(signal, sender, course_passing_status, metadata,  # pylint: disable=unused-argument
                           **kwargs):
    """Someone passed a course run (failing is not an activity)."""
    if course_passing_status.is_passing:
        _course_event(course_passing_status.user, course_passing_status.course, "passed", metadata)


@receiver(CERTIFICATE_CREATED, dispatch_uid="openedx_distinguished.certificate_created")
def certificate_created(signal, sender, certificate, metadata, **kwargs):  # pylint: disable=unused-argument
    """Someone earned a certificate in a course run."""
    _course_event(certificate.user, certificate.course, "certified", metadata)


def public_documents_changed(sender, **kwargs):
    """Staff edited what the public documents show (a track, its criteria, a listing, an organization)."""
    api.public_documents_changed(artwork=sender is Track)  # a track holds its badge artwork


for _model in (Track, Criterion, MemberProfile, PartnerOrganization):
    post_save.connect(public_documents_changed, sender=_model,
                      dispatch_uid=f"openedx_distinguished.documents_changed.{_model.__name__}.save")
    post_delete.connect(public_documents_changed, sender=_model,
                        dispatch_uid=f"openedx_distinguished.documents_changed.{_model.__name__}.delete")


@receiver(post_save, sender=QualifyingCourseRun, dispatch_uid="openedx_distinguished.qualifying_run_saved")
@receiver(post_delete, sender=QualifyingCourseRun, dispatch_uid="openedx_distinguished.qualifying_run_deleted")
def qualifying_runs_changed(sender, **kwargs):  # pylint: disable=unused-argument
    """Staff marked, changed or removed a qualifying run: every process sees it from its next event."""
    api.publish_qualifying_course_runs()


# How recent an account must be for its first sign-in to count as its registration.
REGISTRATION_WINDOW = datetime.timedelta(hours=1)


@receiver(STUDENT_REGISTRATION_COMPLETED, dispatch_uid="openedx_distinguished.registration_completed")
def registration_completed(signal, sender, user, metadata, **kwargs):  # pylint: disable=unused-argument
    """
    A visitor who came through a member's referral link registered: attribute them to the member.
    The request is django-crum's, which the platform's eager tasks may already have cleared: the
    sign-in that follows registration (``signed_in``) catches what this cannot.
    """
    request = get_current_request()
    code = request.COOKIES.get(REFERRAL_COOKIE) if request is not None else None
    if code:
        _later(tasks.attribute_registration, user_id=user.id, code=code)


@receiver(user_logged_in, dispatch_uid="openedx_distinguished.signed_in")
def signed_in(sender, request, user, **kwargs):  # pylint: disable=unused-argument
    """
    The LMS signs a new account in as part of its registration, with the request in hand (not
    through django-crum): a referral cookie on that request attributes the new account. Only an
    account registered in the last hour counts, so that a member's old contact who follows a
    referral link and signs in is not taken for a newcomer. Attribution is once per account.
    """
    code = request.COOKIES.get(REFERRAL_COOKIE) if request is not None else None
    joined = getattr(user, "date_joined", None)
    if code and joined is not None and timezone.now() - joined <= REGISTRATION_WINDOW:
        _later(tasks.attribute_registration, user_id=user.pk, code=code)


@receiver(message_queued, dispatch_uid="openedx_distinguished.message_queued")
def message_written(sender, log_id, **kwargs):  # pylint: disable=unused-argument
    """
    A message reached the outbox and its transaction committed (``message_queued`` is sent after
    the commit): a worker delivers it.
    """
    tasks.deliver_message.delay(log_id=log_id)


def on_user_retired(sender, user, **kwargs):  # pylint: disable=unused-argument
    """
    The platform retires a learner (USER_RETIRE_LMS_CRITICAL / USER_RETIRE_LMS_MISC): remove or
    anonymise their data now, synchronously, so the retirement pipeline knows it is done. It is
    idempotent; an exception here fails (and later retries) the learner's retirement, as it should.
    """
    api.retire_user(user_id=user.pk)


def connect_retirement_receivers():
    """
    Listen to the platform's retirement signals. They exist only inside edx-platform, so they are
    imported defensively: elsewhere (tests, the demo) there is nothing to connect.
    """
    try:
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.user_api.accounts import signals as platform
    except ImportError:
        return False
    platform.USER_RETIRE_LMS_CRITICAL.connect(on_user_retired,
                                              dispatch_uid="openedx_distinguished.retire_critical")
    platform.USER_RETIRE_LMS_MISC.connect(on_user_retired, dispatch_uid="openedx_distinguished.retire_misc")
    return True
