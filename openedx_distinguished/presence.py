"""
Rules of the program's public presence: who is listed, the hall of fame, and profile badges.

Only members who chose to be listed appear (organizations: when staff list them), never a retired
user (their terms have no holder), never a revoked term; the learner profile also honours the
platform's ``account_privacy`` preference.
"""
from __future__ import annotations

import datetime
import functools
import uuid
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connections, router, transaction
from django.db.models import DateField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from openedx_distinguished.credentials import url
from openedx_distinguished.data import CURRENT_TERM_STATUSES, TermStatus
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.models import MemberProfile, MembershipTerm, Track

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


# Who may be shown to anyone: listed users (never a retired one) and listed organizations, never a revoked term.
PUBLIC_TERMS = Q(status__in=PUBLIC_STATUSES) & (
    Q(holder_user__distinguished_profile__listed=True, holder_user__is_active=True)
    | Q(holder_organization__listed=True)
)


def _public_terms():
    """Terms that may be shown to anyone, with what their pages show of them."""
    return MembershipTerm.objects.filter(PUBLIC_TERMS).select_related(
        "track", "holder_user__distinguished_profile", "holder_organization", "credential")


def _full_name(first_name, last_name, username):
    """``user.get_full_name() or user.username``, from the columns."""
    return f"{first_name} {last_name}".strip() or username


# What the hall of fame reads of each public term. Plain rows, not models: the page lists every
# member of every year, and five model instances per term cost more than the query and the
# template together.
_HALL_OF_FAME_COLUMNS = (
    "holder_organization_id", "holder_user_id", "holder_kind", "track_id", "track__slug", "track__name", "status",
    "start_day", "end_day", "holder_organization__name", "holder_user__first_name", "holder_user__last_name",
    "holder_user__username", "holder_user__distinguished_profile__slug", "credential__public_id",
    "credential__revoked_at",
)


def hall_of_fame(*, track_slug=None, year=None) -> dict:
    """
    The hall of fame: current members by track, lifetime members, alumni, each with name, track,
    years awarded, badge and member page. Filter by track slug and by a year of membership.
    Two queries, whatever the number of members.
    """
    tracks = list(Track.objects.filter(is_active=True).order_by("sort_order", "id").values_list("slug", "name"))
    terms = MembershipTerm.objects.filter(PUBLIC_TERMS)
    if track_slug:
        terms = terms.filter(track__slug=track_slug)
    base = url("")
    entries = OrderedDict()
    # Only the years show: the days (UTC, as stored) are cheaper to read than aware datetimes.
    rows = terms.order_by("starts_at", "id").annotate(
        start_day=Cast("starts_at", DateField()), end_day=Cast("ends_at", DateField()),
    ).values_list(*_HALL_OF_FAME_COLUMNS)
    for (organization_id, user_id, kind, track_id, track, track_name, status, start_day, end_day, organization_name,
         first_name, last_name, username, member_slug, public_id, revoked_at) in rows:
        key = (("o", organization_id) if organization_id else ("u", user_id), track_id)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = {
                "name": organization_name if organization_id else _full_name(first_name, last_name, username),
                "kind": kind, "track": track, "track_name": track_name,
                "years": set(), "statuses": set(), "member_url": None, "verify_url": None,
                "badge_url": f"{base}badges/art/{track}.svg",
            }
        entry["years"].update(range(start_day.year, (end_day.year if end_day else start_day.year) + 1))
        entry["statuses"].add(status)
        if user_id:
            entry["member_url"] = f"{base}members/{member_slug}/"
        if public_id is not None and revoked_at is None:
            entry["verify_url"] = f"{base}verify/{public_id}/"
    sections = {"current": OrderedDict((slug, []) for slug, _ in tracks), "lifetime": [], "alumni": []}
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
    return {"tracks": tracks, "sections": sections, "track": track_slug, "year": year}


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


# Stands for the username while the profile-badges query is compiled.
_USERNAME = "\x00username\x00"
_CURRENT = frozenset(status.value for status in CURRENT_TERM_STATUSES)


@functools.lru_cache(maxsize=None)
def _profile_badge_query(alias):
    """
    The SQL behind profile badges on database ``alias``, and where the username goes in its
    parameters: one row per term of an active user (one row without a term if they hold none)
    with the user's profile, the term's track and its credential.

    The ORM builds it, once per process: building this five-table query took longer than
    running it, on the endpoint every learner profile calls (docs/performance.rst).
    """
    queryset = get_user_model().objects.filter(is_active=True, username=_USERNAME).values_list(
        "pk", "distinguished_profile__listed", "distinguished_profile__slug", "distinguished_terms__status",
        "distinguished_terms__ends_at", "distinguished_terms__track__slug", "distinguished_terms__track__name",
        "distinguished_terms__track__badge_name", "distinguished_terms__credential__public_id",
        "distinguished_terms__credential__revoked_at",
    )
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), params.index(_USERNAME)


def _profile_badge_rows(username):
    """The rows of the profile-badges query for ``username``, ``ends_at`` and ``public_id`` as the ORM gives them."""
    alias = router.db_for_read(get_user_model())
    sql, params, position = _profile_badge_query(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params[:position] + (username,) + params[position + 1:])
        rows = cursor.fetchall()
    return [(*row[:4], _aware(row[4], connection), *row[5:8], None if row[8] is None else uuid.UUID(str(row[8])),
             row[9]) for row in rows]


def _aware(value, connection):
    """A datetime column's value as the ORM gives it: parsed (SQLite has text) and aware (when USE_TZ)."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = parse_datetime(value)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


def profile_badges(*, username, viewer, viewer_is_staff=False) -> dict:
    """
    The badges the learner profile shows for ``username``: current and lifetime credentials, for
    a listed member whose profile is visible to ``viewer`` (a private profile: only the user and
    staff). One query (the platform's ``account_privacy`` lookup aside), whatever the site's size.

    Raises:
        NotFound: no such user, or nothing ``viewer`` may see.
    """
    rows = _profile_badge_rows(username)
    if not rows:
        raise NotFound({"username": ["Not found."]})
    user_id, listed, slug = rows[0][:3]
    own = viewer is not None and viewer.is_authenticated and viewer.pk == user_id
    if not (own or viewer_is_staff):
        # ``slug`` is None when the user has no profile: never listed.
        if slug is None or not listed or _account_privacy(_profile_owner(user_id, username)) == "private":
            return {"username": username, "badges": []}
    base = url("")
    # The profile's owner is also shown the way to their own membership page.
    return {"username": username, "member_url": f"{base}members/{slug}/" if listed else None,
            "membership_url": f"{base}membership/" if own else None,
            "badges": [{"track": track, "name": badge_name or track_name,
                        "lifetime": status == TermStatus.LIFETIME.value,
                        "valid_until": ends_at, "image_url": f"{base}badges/art/{track}.svg",
                        "verify_url": f"{base}verify/{public_id}/"}
                       for _, _, _, status, ends_at, track, track_name, badge_name, public_id, revoked_at in rows
                       if status in _CURRENT and public_id is not None and revoked_at is None]}


def _profile_owner(user_id, username):
    """The profile's owner as the platform's preference API takes it (it reads the id and username only)."""
    return get_user_model()(pk=user_id, username=username)


@functools.lru_cache(maxsize=None)
def _preference_getter():
    """The platform's ``get_user_preference``, or None outside it (looked up once: a failed import is slow)."""
    try:
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.user_api.preferences.api import get_user_preference
    except ImportError:
        return None
    return get_user_preference


def _account_privacy(user):
    """The platform's ``account_privacy`` preference ("private" or "all_users"), when the platform has one."""
    get_user_preference = _preference_getter()
    if get_user_preference is None:
        return None
    return get_user_preference(user, "account_privacy")
