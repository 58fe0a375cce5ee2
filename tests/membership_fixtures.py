"""
Helpers for the membership tests: members made the way the program makes them.
"""
from datetime import timedelta

from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Cycle, MembershipTerm

from .factories import CycleFactory
from .review_fixtures import score_all, submitted_nomination


def released_cycle(users, panels, members, outcome="accept", year=2026):
    """Take nominations of ``members`` through review and release the cycle; return the cycle."""
    cycle = Cycle.objects.filter(year=year).first() or CycleFactory(year=year)
    for member in members:
        nomination = submitted_nomination(member, member)
        for reviewer in ("rev1", "rev2"):
            api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
            api.submit_review(nomination_id=nomination.id, reviewer=panels[reviewer],
                              scores=score_all("engineer", 4), recommendation=outcome)
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome, rationale="Yes.")
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        nominations_open_at=now - timedelta(days=90), nominations_close_at=now - timedelta(days=60),
        review_deadline=now - timedelta(days=20), decision_date=now - timedelta(days=10),
        announcement_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=400))
    api.release_announcement(cycle_year=year)
    return Cycle.objects.get(pk=cycle.pk)


def make_term(user, track, cycle, *, starts_days_ago, sequence=1, status="active", length_days=365):
    """A term row made directly, for evaluation and status tests that need a past."""
    start = timezone.now() - timedelta(days=starts_days_ago)
    term = MembershipTerm(track=track, cycle=cycle, holder_kind="individual", holder_user=user, sequence=sequence,
                          status=status, starts_at=start, ends_at=start + timedelta(days=length_days))
    if status in ("active", "renewal_due", "lifetime"):
        term.current_key = f"{track.pk}:u{user.pk}"
    term.save()
    return term
