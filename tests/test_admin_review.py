"""
Admin actions and pages of the review, and the release command.
"""
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import AuditEntry, Cycle, ReviewAssignment

from .factories import UserFactory
from .review_fixtures import score_all, submitted_nomination

pytestmark = pytest.mark.django_db
CYCLES = reverse("admin:openedx_distinguished_cycle_changelist")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def decided(cycle, users, panels):
    """A reviewed nomination with a pending accept."""
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    for reviewer in ("rev1", "rev2"):
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer], scores=score_all("engineer", 4),
                          recommendation="accept")
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.")
    return nomination


def announce_now(cycle):
    """Move the cycle's dates so that its announcement is due now."""
    now = timezone.now()
    cycle.nominations_open_at, cycle.nominations_close_at = now - timedelta(days=90), now - timedelta(days=60)
    cycle.review_deadline, cycle.decision_date = now - timedelta(days=20), now - timedelta(days=10)
    cycle.announcement_at = now - timedelta(minutes=1)
    cycle.save()


def test_review_admin_pages_render(client, superuser, decided):
    client.force_login(superuser)
    for name in ("panel", "reviewassignment", "review", "decision", "auditentry", "declaredconflict"):
        assert client.get(reverse(f"admin:openedx_distinguished_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:openedx_distinguished_panel_add")).status_code == 200
    assert client.get(reverse("admin:openedx_distinguished_review_add")).status_code == 403


def test_auto_assign_action(client, superuser, cycle, users, panels):
    nominee = UserFactory(username="auto")
    submitted_nomination(nominee, nominee)
    client.force_login(superuser)
    response = client.post(CYCLES, {"action": "auto_assign_reviewers", "_selected_action": [cycle.pk]}, follow=True)
    assert ReviewAssignment.objects.count() == 3
    assert any("3 assignment(s) made" in str(m) for m in response.context["messages"])


def test_release_action_is_idempotent_and_reports(client, superuser, decided, cycle):
    client.force_login(superuser)
    response = client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]}, follow=True)
    assert any("cannot be released earlier" in str(m) for m in response.context["messages"])
    announce_now(cycle)
    response = client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]}, follow=True)
    assert any("released (1 accept)" in str(m) for m in response.context["messages"])
    response = client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]}, follow=True)
    assert any("already released" in str(m) for m in response.context["messages"])
    assert AuditEntry.objects.filter(action="announcement_released").count() == 1
    assert api.get_nomination(decided.id).status == "accepted"


@pytest.mark.parametrize("role", ["learner", "nominee", "nominator"])
def test_non_staff_cannot_release_through_the_admin(client, users, decided, cycle, role):
    announce_now(cycle)
    client.force_login(users[role])
    client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]})
    assert Cycle.objects.get(pk=cycle.pk).announcement_released_at is None


def test_release_command(decided, cycle):
    with pytest.raises(CommandError, match="cannot be released earlier"):
        call_command("release_distinguished_announcement", "--cycle", "2026")
    announce_now(cycle)
    out = StringIO()
    call_command("release_distinguished_announcement", "--cycle", "2026", stdout=out)
    assert "Released the 2026 announcement: 1 accept." in out.getvalue()
    out = StringIO()
    call_command("release_distinguished_announcement", "--cycle", "2026", stdout=out)
    assert "already released" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("release_distinguished_announcement", "--cycle", "1990")
