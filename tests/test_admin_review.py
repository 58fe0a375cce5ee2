"""
Admin actions and pages of the review, and the release command.
"""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from openedx_distinguished import api
from openedx_distinguished.models import AuditEntry, Cycle, ReviewAssignment

from .factories import UserFactory
from .review_fixtures import at_announcement, reviewed_nomination, submitted_nomination

pytestmark = pytest.mark.django_db
CYCLES = reverse("admin:openedx_distinguished_cycle_changelist")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def decided(cycle, users, panels):
    """A reviewed nomination with a pending accept."""
    return reviewed_nomination(users["nominator"], users["nominee"], panels, decide="accept")


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
    at_announcement(cycle)
    response = client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]}, follow=True)
    assert any("released (1 accept)" in str(m) for m in response.context["messages"])
    response = client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]}, follow=True)
    assert any("already released" in str(m) for m in response.context["messages"])
    assert AuditEntry.objects.filter(action="announcement_released").count() == 1
    assert api.get_nomination(nomination_id=decided.id).status == "accepted"


@pytest.mark.parametrize("role", ["learner", "nominee", "nominator"])
def test_non_staff_cannot_release_through_the_admin(client, users, decided, cycle, role):
    at_announcement(cycle)
    client.force_login(users[role])
    client.post(CYCLES, {"action": "release_announcement", "_selected_action": [cycle.pk]})
    assert Cycle.objects.get(pk=cycle.pk).announcement_released_at is None


def test_release_command(decided, cycle):
    with pytest.raises(CommandError, match="cannot be released earlier"):
        call_command("release_distinguished_announcement", "--cycle", "2026")
    at_announcement(cycle)
    out = StringIO()
    call_command("release_distinguished_announcement", "--cycle", "2026", stdout=out)
    assert "Released the 2026 announcement: 1 accept." in out.getvalue()
    out = StringIO()
    call_command("release_distinguished_announcement", "--cycle", "2026", stdout=out)
    assert "already released" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("release_distinguished_announcement", "--cycle", "1990")
