"""
Rules of the program's public presence: who is listed, the hall of fame, and profile badges.

Only members who chose to be listed appear (organizations: when staff list them), never a retired
user (their terms have no holder), never a revoked term; the learner profile also honours the
platform's ``account_privacy`` preference.
"""
from __future__ import annotations

from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from openedx_distinguished.credentials import url
from openedx_distinguished.data import CURRENT_TERM_STATUSES, TermStatus
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.models import Credential, MemberProfile, MembershipTerm, Track

PUBLIC_STATUSES = [s.value for s in (TermStatus.ACTIVE, TermStatus.RENEWAL_DUE, TermStatus.LIFETIME,
                                     TermStatus.RENEWED, TermStatus.LAPSED)]


def set_listing(*, user, listed: bool, slug: str | None = None) -> dict:
    """
    Record a member's choice to appear publicly (or not), and optionally their page's slug.

    Raises:
        ValidationError: the slug is taken or not a slug.
    """
    wanted = slugify(slug) if slug else None
    if slug and (not wanted or wanted != slug):
        raise ValidationError({"slug": ["Use lowercase letters, digits and hyphens."]})
    try:
        with transaction.atomic():
            profile, _ = MemberProfile.objects.get_or_create(user=user, defaults={"slug": wanted or _free_slug(user)})
            profile.listed = bool(listed)
            if wanted:
                profile.slug = wanted
            profile.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": [f"{wanted!r} is taken."]}) from exc
    return {"listed": profile.listed, "slug": profile.slug, "url": url(f"members/{profile.slug}/")}


def _free_slug(user):
    """A slug for the member's page from their name, numbered if it is taken."""
    base = slugify(user.get_full_name() or user.username) or f"member-{user.pk}"
    candidate, number = base, 1
    while MemberProfile.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _public_terms():
    """Terms that may be shown to anyone: of listed users or listed organizations, never revoked."""
    return MembershipTerm.objects.filter(status__in=PUBLIC_STATUSES).filter(
        Q(holder_user__distinguished_profile__listed=True, holder_user__is_active=True)
        | Q(holder_organization__listed=True)
    ).select_related("track", "holder_user__distinguished_profile", "holder_organization", "credential")


def _entry_key(term):
    return ("o", term.holder_organization_id) if term.holder_organization_id else ("u", term.holder_user_id)


def hall_of_fame(*, track_slug=None, year=None) -> dict:
    """
    The hall of fame: current members by track, lifetime members, alumni, each with name, track,
    years awarded, badge and member page. Filter by track slug and by a year of membership.
    Two queries, whatever the number of members.
    """
    tracks = list(Track.objects.filter(is_active=True).order_by("sort_order", "id"))
    terms = _public_terms()
    if track_slug:
        terms = terms.filter(track__slug=track_slug)
    entries = OrderedDict()
    for term in terms.order_by("starts_at", "id"):
        key = (_entry_key(term), term.track_id)
        entry = entries.setdefault(key, {
            "name": term.holder_organization.name if term.holder_organization else (
                term.holder_user.get_full_name() or term.holder_user.username),
            "kind": term.holder_kind, "track": term.track.slug, "track_name": term.track.name,
            "years": set(), "statuses": set(), "member_url": None, "verify_url": None,
            "badge_url": url(f"badges/art/{term.track.slug}.svg"),
        })
        last = term.ends_at.year if term.ends_at else None
        entry["years"].update(range(term.starts_at.year, (last or term.starts_at.year) + 1))
        entry["statuses"].add(term.status)
        if term.holder_user_id:
            entry["member_url"] = url(f"members/{term.holder_user.distinguished_profile.slug}/")
        credential = _credential_of(term)
        if credential is not None and credential.revoked_at is None:
            entry["verify_url"] = url(f"verify/{credential.public_id}/")
    sections = {"current": OrderedDict((t.slug, []) for t in tracks), "lifetime": [], "alumni": []}
    for entry in entries.values():
        if year and year not in entry["years"]:
            continue
        statuses = entry.pop("statuses")
        entry["years"] = sorted(entry["years"])
        if TermStatus.LIFETIME.value in statuses:
            sections["lifetime"].append(entry)
        elif statuses & {TermStatus.ACTIVE.value, TermStatus.RENEWAL_DUE.value}:
            sections["current"].setdefault(entry["track"], []).append(entry)
        else:
            sections["alumni"].append(entry)
    return {"tracks": [(t.slug, t.name) for t in tracks], "sections": sections,
            "track": track_slug, "year": year}


def _credential_of(term):
    try:
        return term.credential
    except ObjectDoesNotExist:
        return None


def member_page(*, slug) -> dict:
    """
    A listed member's public page: their terms, badges with verification links, public (verified)
    activities and the initiatives they lead.

    Raises:
        NotFound: no listed member with this slug.
    """
    profile = MemberProfile.objects.select_related("user").filter(slug=slug, listed=True, user__is_active=True).first()
    if profile is None:
        raise NotFound({"member": ["Not found."]})
    user = profile.user
    terms = list(_public_terms().filter(holder_user=user).order_by("-starts_at"))
    if not terms:
        raise NotFound({"member": ["Not found."]})
    activities = user.distinguished_activities.filter(status="verified").select_related("activity_type") \
        .order_by("-occurred_on")[:50]
    return {
        "name": user.get_full_name() or user.username,
        "terms": [{"track_name": t.track.name, "status": t.status, "starts_at": t.starts_at, "ends_at": t.ends_at,
                   "verify_url": url(f"verify/{c.public_id}/") if (c := _credential_of(t)) and not c.revoked_at
                   else None, "badge_url": url(f"badges/art/{t.track.slug}.svg")} for t in terms],
        "activities": [{"title": a.title, "type": a.activity_type.name, "occurred_on": a.occurred_on,
                        "evidence_url": a.evidence_url} for a in activities],
        "initiatives": [{"title": i.title, "status": i.status, "year": i.year, "link": i.link}
                        for i in user.distinguished_initiatives.order_by("-year", "title")],
    }


def profile_badges(*, username, viewer, viewer_is_staff=False) -> dict:
    """
    The badges the learner profile shows for ``username``: current and lifetime credentials, for
    a listed member whose profile is visible to ``viewer`` (a private profile: only the user and
    staff). A constant number of queries.

    Raises:
        NotFound: no such user, or nothing ``viewer`` may see.
    """
    user = get_user_model().objects.filter(username=username, is_active=True).select_related(
        "distinguished_profile").first()
    if user is None:
        raise NotFound({"username": ["Not found."]})
    own = viewer is not None and viewer.is_authenticated and viewer.pk == user.pk
    profile = getattr(user, "distinguished_profile", None) if _has_profile(user) else None
    if not (own or viewer_is_staff):
        if profile is None or not profile.listed or _account_privacy(user) == "private":
            return {"username": username, "badges": []}
    credentials = Credential.objects.filter(
        term__holder_user=user, revoked_at__isnull=True,
        term__status__in=[s.value for s in CURRENT_TERM_STATUSES]).select_related("term__track")
    return {"username": username, "member_url": url(f"members/{profile.slug}/") if profile and profile.listed else None,
            "badges": [{"track": c.term.track.slug, "name": c.term.track.badge_name or c.term.track.name,
                        "lifetime": c.term.status == TermStatus.LIFETIME.value,
                        "valid_until": c.term.ends_at, "image_url": url(f"badges/art/{c.term.track.slug}.svg"),
                        "verify_url": url(f"verify/{c.public_id}/")} for c in credentials]}


def _has_profile(user):
    try:
        return user.distinguished_profile is not None
    except ObjectDoesNotExist:
        return False


def _account_privacy(user):
    """The platform's ``account_privacy`` preference ("private" or "all_users"), when the platform has one."""
    try:
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.user_api.preferences.api import get_user_preference
    except ImportError:
        return None
    return get_user_preference(user, "account_privacy")
