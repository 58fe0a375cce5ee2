"""
The email outbox: a message is written with the change it reports, delivered once after the commit,
retried when sending fails, caught up by the scheduled jobs, and never sent to inactive or retired
accounts.
"""
import sys
import types
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse
from django.utils import timezone
from edx_django_utils.plugins.plugin_settings import add_plugins

from openedx_distinguished import api, notifications, tasks
from openedx_distinguished.exceptions import ValidationError
from openedx_distinguished.models import MessageLog

from .factories import UserFactory
from .review_fixtures import full_justifications, submitted_nomination

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server unreachable")


class RejectingBackend(RefusingBackend):
    """An email backend whose server rejects the message (edx-ace logs this instead of raising it)."""

    def send_messages(self, messages):
        raise SMTPException("550 mailbox unavailable")


@pytest.fixture(autouse=True)
def site(settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def test_the_message_is_written_with_the_change(cycle, users):
    submitted_nomination(users["nominee"], users["nominee"])
    message = MessageLog.objects.get()
    assert message.message_name == "nomination_received" and message.recipient == users["nominee"]
    assert message.key == f"nomination_received:{message.context['nomination_id']}:user:{users['nominee'].pk}"
    assert message.context["track_name"] == "Distinguished Engineer" and message.sent_at is None


def test_a_refused_submission_queues_nothing(cycle, users):
    draft = api.create_nomination(nominator=users["nominee"], cycle_year=2026, track_slug="engineer",
                                  nominee_username="nominee").nomination
    with pytest.raises(ValidationError):
        api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])  # no justifications
    assert not MessageLog.objects.exists()


def test_delivering_twice_sends_once(cycle, users, mailoutbox):
    submitted_nomination(users["nominee"], users["nominee"])
    message = MessageLog.objects.get()
    tasks.deliver_message.delay(message.pk)
    tasks.deliver_message.delay(message.pk)
    assert api.deliver_message(log_id=message.pk) is False
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1 and message.language == "en-us"


def test_the_jobs_deliver_what_no_task_delivered(cycle, users, mailoutbox):
    submitted_nomination(users["nominee"], users["nominee"])  # its after-commit work never ran
    assert "emails: 0 redelivered, 0 failed" in api.run_due_jobs()  # too recent: a task may still come
    assert "emails: 1 redelivered, 0 failed" in api.run_due_jobs(now=later(11))
    assert "emails: 0 redelivered, 0 failed" in api.run_due_jobs(now=later(12))
    assert len(mailoutbox) == 1


def test_a_failed_delivery_is_recorded_retried_and_sent_once(cycle, users, mailoutbox, settings, committed):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with committed():  # the task fails, retries, and gives up; the nomination is submitted all the same
        nomination = submitted_nomination(users["nominee"], users["nominee"])
    assert api.get_nomination(nomination_id=nomination.id).status == "submitted"
    message = MessageLog.objects.get()
    assert message.sent_at is None and message.attempts >= 1
    assert message.last_error == "ConnectionRefusedError: SMTP server unreachable"
    with pytest.raises(api.MessageNotSent):
        api.deliver_message(log_id=message.pk)

    settings.EMAIL_BACKEND = LOCMEM
    assert notifications.redeliver_stale(now=later(11)) == (1, 0)
    assert notifications.redeliver_stale(now=later(12)) == (0, 0)
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.last_error == ""


def test_a_channel_error_edx_ace_swallows_is_still_a_failure(cycle, users, mailoutbox, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RejectingBackend"
    submitted_nomination(users["nominee"], users["nominee"])
    message = MessageLog.objects.get()
    with pytest.raises(api.MessageNotSent):
        api.deliver_message(log_id=message.pk)
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert message.last_error.startswith("No channel delivered the message")


def test_the_jobs_give_up_after_the_last_attempt(cycle, users, mailoutbox, settings):
    settings.DISTINGUISHED_EMAIL_MAX_ATTEMPTS = 2
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    submitted_nomination(users["nominee"], users["nominee"])
    assert notifications.redeliver_stale(now=later(11)) == (0, 1)
    assert notifications.redeliver_stale(now=later(11)) == (0, 1)
    settings.EMAIL_BACKEND = LOCMEM
    assert notifications.redeliver_stale(now=later(11)) == (0, 0)
    assert MessageLog.objects.get().attempts == 2 and not mailoutbox


def test_inactive_accounts_get_nothing(cycle, users, panels, mailoutbox, committed):
    users["nominator"].is_active = False
    users["nominator"].save()
    draft = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                  nominee_username="nominee", justifications=full_justifications()).nomination
    with committed():
        api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
    assert list(MessageLog.objects.values_list("message_name", flat=True)) == ["consent_request"]
    # Deactivated after the message was queued: it is not sent, and not tried again.
    api.respond_to_nomination(nomination_id=draft.id, actor=users["nominee"], decision="accept")
    api.assign_reviewer(nomination_id=draft.id, reviewer_username="rev1", actor=None)
    panels["rev1"].is_active = False
    panels["rev1"].save()
    message = MessageLog.objects.get(message_name="review_assigned")
    assert api.deliver_message(log_id=message.pk) is False
    message.refresh_from_db()
    assert message.last_error == "Not sent: the recipient's account is inactive." and message.sent_at is None
    assert notifications.redeliver_stale(now=later(11)) == (0, 0)
    assert [m.to for m in mailoutbox] == [["nominee@example.com"]]


def test_retirement_erases_the_messages_and_stops_them(cycle, users, mailoutbox):
    alice = UserFactory(username="alice", email="alice@private.example", first_name="Alice", last_name="Liddell")
    draft = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                  nominee_username="alice", justifications=full_justifications()).nomination
    api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
    to_her = MessageLog.objects.get(message_name="consent_request")
    about_her = MessageLog.objects.get(message_name="nomination_received")
    assert about_her.context["nominee_name"] == "Alice Liddell"
    unrelated = submitted_nomination(users["learner"], users["learner"])

    api.retire_user(user_id=alice.pk)
    to_her.refresh_from_db()
    about_her.refresh_from_db()
    assert to_her.recipient is None and to_her.context == {}
    assert about_her.recipient == users["nominator"] and about_her.context == {}
    assert MessageLog.objects.get(key__startswith=f"nomination_received:{unrelated.id}:").context
    assert api.deliver_message(log_id=to_her.pk) is False
    assert api.deliver_message(log_id=about_her.pk) is False
    about_her.refresh_from_db()
    assert about_her.last_error.startswith("Not sent: withdrawn")
    notifications.redeliver_stale(now=later(11))
    assert [m.to for m in mailoutbox] == [["learner@example.com"]]


def test_outside_the_platform_the_site_language_is_used(users, settings):
    """Inside it, the ``pref-lang`` preference wins: see test_notifications."""
    settings.LANGUAGE_CODE = "es"
    assert notifications.preferred_language(users["nominee"]) == "es"


@pytest.mark.parametrize("settings_type", ["common", "production", "test"])
def test_edx_ace_settings_are_defaults_only(settings_type, monkeypatch):
    name = f"lms_like_settings_{settings_type}"
    module = types.ModuleType(name)
    vars(module)["ACE_CHANNEL_DEFAULT_EMAIL"] = "braze_email"  # the site's own choice
    monkeypatch.setitem(sys.modules, name, module)
    add_plugins(name, "lms.djangoapp", settings_type)
    values = vars(module)
    assert values["ACE_CHANNEL_DEFAULT_EMAIL"] == "braze_email"
    assert values["ACE_CHANNEL_TRANSACTIONAL_EMAIL"] == "django_email"
    assert values["ACE_ENABLED_CHANNELS"] == ["django_email"] and values["ACE_ENABLED_POLICIES"] == []


def test_staff_read_the_outbox_in_the_admin(client, cycle, users):
    submitted_nomination(users["nominee"], users["nominee"])
    message = MessageLog.objects.get()
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:openedx_distinguished_messagelog_changelist"), {"q": "nominee"})
    assert listing.status_code == 200 and message.key in listing.content.decode()
    detail = client.get(reverse("admin:openedx_distinguished_messagelog_change", args=[message.pk]))
    assert detail.status_code == 200 and "Distinguished Engineer" in detail.content.decode()
    model_admin = admin_site._registry[MessageLog]  # pylint: disable=protected-access
    request = listing.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, message)
    assert not model_admin.has_delete_permission(request, message)
