"""
Helpers for the membership tests: members made the way the program makes them.
"""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Cycle, MemberProfile, MembershipTerm, Track

from .factories import CycleFactory, UserFactory
from .review_fixtures import at_announcement, reviewed_nomination


def released_cycle(users, panels, members, outcome="accept", year=2026):
    """Take nominations of ``members`` through review and release the cycle; return the cycle."""
    cycle = Cycle.objects.filter(year=year).first() or CycleFactory(year=year)
    for member in members:
        reviewed_nomination(member, member, panels, recommendation=outcome, decide=outcome)
    api.release_announcement(cycle_year=at_announcement(cycle).year)
    return Cycle.objects.get(pk=cycle.pk)


def credentialed_member(users, panels, settings):
    """
    Margaret Hamilton, accepted and released: a member of Distinguished Engineer with a credential
    (signed with a fresh key, verifiable at lms.example.org) and a physical award waiting for an address.
    """
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    person = UserFactory(username="member", first_name="Margaret", last_name="Hamilton")
    released_cycle(users, panels, [person])
    return person


def make_term(user, track, cycle, *, starts_days_ago, sequence=1, status="active", length_days=365):
    """A term row made directly, for evaluation and status tests that need a past."""
    start = timezone.now() - timedelta(days=starts_days_ago)
    term = MembershipTerm(track=track, cycle=cycle, holder_kind="individual", holder_user=user, sequence=sequence,
                          status=status, starts_at=start, ends_at=start + timedelta(days=length_days))
    if status in ("active", "renewal_due", "lifetime"):
        term.current_key = f"{track.pk}:u{user.pk}"
    term.save()
    return term


def add_term(holder, track_slug, cycle, status):
    """A term of ``holder`` (a user or an organization) started by ``cycle``, in ``status``."""
    track = Track.objects.get(slug=track_slug)
    start = cycle.announcement_at
    organization = not hasattr(holder, "username")
    term = MembershipTerm(
        track=track, cycle=cycle, status=status, starts_at=start,
        ends_at=None if status == "lifetime" else start + timedelta(days=365),
        holder_kind="organization" if organization else "individual",
        holder_user=None if organization else holder, holder_organization=holder if organization else None,
    )
    if status in ("active", "renewal_due", "lifetime"):
        term.current_key = f"{track.pk}:{'o' if organization else 'u'}{holder.pk}"
    term.save()
    return term


def many_members(cycle, count, *, track_slug="engineer", listed=True, prefix="many"):
    """
    ``count`` people holding first terms of ``track_slug`` that ``cycle`` started (listed in public
    unless ``listed`` is false), with the deliverables their terms owe: made in bulk, for query
    counts at a thousand members. Returns the users.
    """
    track = Track.objects.get(slug=track_slug)
    User = get_user_model()
    User.objects.bulk_create([User(username=f"{prefix}{number}", first_name="Member", last_name=f"N{number:04d}",
                                   email=f"{prefix}{number}@example.org") for number in range(count)])
    people = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    MemberProfile.objects.bulk_create([MemberProfile(user=person, listed=listed, slug=f"{prefix}-{person.pk}")
                                       for person in people])
    start = max(cycle.nominations_open_at, timezone.now() - timedelta(days=1))
    MembershipTerm.objects.bulk_create([MembershipTerm(
        track=track, cycle=cycle, holder_kind="individual", holder_user=person, status="active", starts_at=start,
        ends_at=start + timedelta(days=365), current_key=f"{track.pk}:u{person.pk}") for person in people])
    api.ensure_current_deliverables()
    return people
