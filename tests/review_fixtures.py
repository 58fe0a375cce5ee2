"""
Fixtures for the review tests: panels, reviewers, a chair, and nominations in review.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Panel, PanelMember, Track

from .factories import UserFactory


def full_justifications(track_slug="engineer"):
    """A justification for every criterion of a track."""
    return {c.slug: f"Because of {c.name}." for c in api.get_track_data(slug=track_slug).criteria}


def score_all(track_slug, value):
    """A score of ``value`` for every criterion of a track."""
    return {c.slug: value for c in api.get_track_data(slug=track_slug).criteria}


@pytest.fixture
def panels(cycle):
    """Core Product reviews engineer and innovator; Biz Dev reviews advocate."""
    core = Panel.objects.create(program=cycle.program, slug="core-product", name="Core Product Working Group")
    core.tracks.set(Track.objects.filter(slug__in=["engineer", "innovator"]))
    bizdev = Panel.objects.create(program=cycle.program, slug="biz-dev", name="Biz Dev Working Group")
    bizdev.tracks.set(Track.objects.filter(slug="advocate"))
    people = {name: UserFactory(username=name) for name in ("rev1", "rev2", "rev3", "rev4", "chair", "bizrev")}
    for name in ("rev1", "rev2", "rev3", "rev4"):
        PanelMember.objects.create(panel=core, user=people[name], role="reviewer")
    PanelMember.objects.create(panel=core, user=people["chair"], role="chair")
    PanelMember.objects.create(panel=bizdev, user=people["bizrev"], role="reviewer")
    return people


def submitted_nomination(nominator, nominee, track="engineer", year=2026):
    """A self- or peer-nomination taken to the submitted state (consent given)."""
    outcome = api.create_nomination(nominator=nominator, cycle_year=year, track_slug=track,
                                    nominee_username=nominee.username, justifications=full_justifications(track))
    nomination = api.submit_nomination(nomination_id=outcome.nomination.id, actor=nominator).nomination
    if nomination.status == "awaiting_consent":
        nomination = api.respond_to_nomination(nomination_id=nomination.id, actor=nominee, decision="accept")
    return nomination


def assigned_nomination(users, panels):
    """A nomination assigned to rev1 and rev2, endorsed (so conflicted) by rev3, a panel member."""
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=None)
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev2", actor=None)
    api.create_nomination(nominator=panels["rev3"], cycle_year=2026, track_slug="engineer", nominee_username="nominee")
    return nomination


def reviewed_nomination(nominator, nominee, panels, *, value=4, recommendation="accept", decide=None):
    """
    A nomination reviewed by rev1 and rev2 (quorum reached), decided by the chair when ``decide``
    names an outcome.
    """
    nomination = submitted_nomination(nominator, nominee)
    for reviewer in ("rev1", "rev2"):
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
        api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer],
                          scores=score_all(nomination.track_slug, value), recommendation=recommendation)
    if decide:
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=decide, rationale="Yes.")
    return nomination


def at_announcement(cycle):
    """Move a cycle's dates so that its announcement fell due a minute ago."""
    now = timezone.now()
    cycle.nominations_open_at, cycle.nominations_close_at = now - timedelta(days=90), now - timedelta(days=60)
    cycle.review_deadline, cycle.decision_date = now - timedelta(days=20), now - timedelta(days=10)
    cycle.announcement_at = now - timedelta(minutes=1)
    cycle.ends_at = max(cycle.ends_at, now + timedelta(days=365))
    cycle.save()
    return cycle
