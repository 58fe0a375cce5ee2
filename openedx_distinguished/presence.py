"""
Rules of the program's public presence: who is listed, the hall of fame, profile badges and the
yearly announcements.

Only members who chose to be listed appear (organizations: when staff list them), never a retired
user (their terms have no holder), never a revoked term, and never someone whose learner profile
is private (the platform's ``account_privacy``, or the site's default visibility: ``platform``).
"""
from __future__ import annotations

import datetime
import functools
import secrets
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import DateField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.utils.text import slugify

from openedx_distinguished import freshness, platform
from openedx_distinguished.conf import get_setting
from openedx_distinguished.credentials import artwork_query, url
from openedx_distinguished.data import CURRENT_TERM_STATUSES, TermStatus
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.models import Credential, Cycle, MemberProfile, MembershipTerm, Track

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

PUBLIC_STATUSES = [s.value for s in (TermStatus.ACTIVE, TermStatus.RENEWAL_DUE, TermStatus.LIFETIME,
                                     TermStatus.RENEWED, TermStatus.LAPSED)]


def set_listing(*, user: User, listed: bool, slug: str | None = None) -> dict[str, Any]:
    """
    Record a member's choice to appear publicly (or not), and optionally their page's slug.

    Raises:
        ValidationError: the slug is taken or not a slug.
    """
    wanted = slugify(slug) if slug else None
    if slug and (not wanted or wanted != slug):
        raise ValidationError({"slug": ["Use lowercase letters, digits and hyphens."]})
    with transaction.atomic():
        # One change of a person's listing at a time: two at once (a double click, two tabs) would
        # otherwise both create the profile, and the loser be told its slug is taken.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        profile = MemberProfile.objects.filter(user=user).first() or MemberProfile(user=user)
        profile.listed = bool(listed)
        for attempt in range(3):
            if wanted or not profile.slug:
                profile.slug = wanted or _free_slug(user, fresh=attempt > 0)
            try:
                with transaction.atomic():
                    profile.save()
                break
            except IntegrityError as exc:
                # A chosen slug is someone else's; a drawn one was just taken by another member: draw again.
                if wanted or attempt == 2:
                    raise ValidationError({"slug": [f"{profile.slug!r} is taken."]}) from exc
                profile.slug = ""
    return {"listed": profile.listed, "slug": profile.slug, "url": url(f"members/{profile.slug}/")}


def _free_slug(user: User, fresh: bool = False) -> str:
    """
    A slug for the member's page from their name, numbered if it is taken. ``fresh``: after a
    collision, a random suffix, as this transaction may not see the row that took the number.
    """
    base = slugify(platform.display_name(user)) or f"member-{user.pk}"
    if fresh:
        return f"{base[:80]}-{secrets.token_hex(3)}"
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


def _public_terms() -> QuerySet[MembershipTerm]:
    """Terms that may be shown to anyone, with what their pages show of them."""
    return MembershipTerm.objects.filter(PUBLIC_TERMS).select_related(
        "track", "holder_user__distinguished_profile", "holder_organization", "credential")


# What the hall of fame reads of each public term. Plain rows, not models: the page lists every
# member of every year, and five model instances per term cost more than the query and the
# template together.
HALL_OF_FAME_COLUMNS = (
    "holder_organization_id", "holder_user_id", "holder_kind", "track_id", "track__slug", "track__name", "status",
    "start_day", "end_day", "holder_organization__name", "holder_user__first_name", "holder_user__last_name",
    "holder_user__username", "holder_user__distinguished_profile__slug", "credential__public_id",
    "credential__revoked_at", "profile_name", "privacy",
)


def hall_of_fame(*, track_slug: str | None = None, year: int | None = None) -> dict[str, Any]:
    """
    The hall of fame: current members by track, lifetime members, alumni, each with name, track,
    years awarded, badge and member page. Filter by track slug and by a year of membership.
    Two queries, whatever the number of members.
    """
    tracks = list(Track.objects.filter(is_active=True).order_by("sort_order", "id").values_list("slug", "name"))
    terms = MembershipTerm.objects.filter(PUBLIC_TERMS)
    if track_slug:
        terms = terms.filter(track__slug=track_slug)
    base, art = url(""), artwork_query()
    entries: OrderedDict = OrderedDict()
    # Only the years show: the days (UTC, as stored) are cheaper to read than aware datetimes.
    rows = terms.order_by("starts_at", "id").annotate(
        start_day=Cast("starts_at", DateField()), end_day=Cast("ends_at", DateField()),
        profile_name=platform.profile_name_of("holder_user_id"), privacy=platform.privacy_of("holder_user_id"),
    ).values_list(*HALL_OF_FAME_COLUMNS)
    for (organization_id, user_id, kind, track_id, track, track_name, status, start_day, end_day, organization_name,
         first_name, last_name, username, member_slug, public_id, revoked_at, profile_name, privacy) in rows:
        if user_id and platform.is_private(privacy):
            continue
        key = (("o", organization_id) if organization_id else ("u", user_id), track_id)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = {
                "name": organization_name if organization_id else platform.compose_name(
                    profile_name, first_name, last_name, username),
                "kind": kind, "track": track, "track_name": track_name,
                "years": set(), "statuses": set(), "member_url": None, "verify_url": None,
                "badge_url": f"{base}badges/art/{track}.svg{art}",
            }
        entry["years"].update(range(start_day.year, (end_day.year if end_day else start_day.year) + 1))
        entry["statuses"].add(status)
        if user_id:
            entry["member_url"] = f"{base}members/{member_slug}/"
        if public_id is not None and revoked_at is None:
            entry["verify_url"] = f"{base}verify/{public_id}/"
    sections: dict[str, Any] = {"current": OrderedDict((slug, []) for slug, _ in tracks), "lifetime": [],
                                "alumni": []}
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


# The hall of fame's first view shows this many entries of each list (each track's current
# members, lifetime members, alumni), each list then links to all of it; a list on its own shows
# this many per page. At 1,000 members the first view stays under 100 KiB of HTML (ADR 0018).
FIRST_VIEW_ENTRIES, PAGE_ENTRIES = 12, 60
SECTIONS = ("current", "lifetime", "alumni")


def hall_of_fame_page(*, track_slug: str | None = None, year: int | None = None, section: str | None = None,
                      page: int = 1) -> dict[str, Any]:
    """
    What one view of the hall of fame shows: without ``section``, the first ``FIRST_VIEW_ENTRIES``
    of each list with its size; with one (``current``, ``lifetime`` or ``alumni``), that list alone,
    ``PAGE_ENTRIES`` a page. Made from ``hall_of_fame`` once per version of the public lists (and
    filters) and kept in the site's cache, so that a visit reads no database while nothing changed.

    Raises:
        ValidationError: an unknown section, or a page that does not exist.
    """
    if section is not None and section not in SECTIONS:
        raise ValidationError({"section": [f"Choose one of {', '.join(SECTIONS)}."]})
    key = "openedx_distinguished:hall_of_fame:" + ":".join(
        str(part) for part in (freshness.presence_version(), track_slug or "", year or "", section or "", page))
    context = cache.get(key)
    if context is None:
        context = _page_of(hall_of_fame(track_slug=track_slug, year=year), section, page)
        cache.set(key, context, timeout=freshness.PRESENCE_SECONDS)
    return context


def _page_of(data: dict[str, Any], section: str | None, page: int) -> dict[str, Any]:
    """Trim the hall of fame's lists to one view (see ``hall_of_fame_page``)."""
    sections = data["sections"]
    lists = {("current", slug): entries for slug, entries in sections["current"].items()}
    lists.update({("lifetime", None): sections["lifetime"], ("alumni", None): sections["alumni"]})
    sizes = {key: len(entries) for key, entries in lists.items()}
    if section is None:
        shown = {key: entries[:FIRST_VIEW_ENTRIES] for key, entries in lists.items()}
        pages = None
    else:
        chosen = [entries for (name, _), entries in lists.items() if name == section]
        entries = [entry for group in chosen for entry in group]
        count = max(1, -(-len(entries) // PAGE_ENTRIES))
        if not 1 <= page <= count:
            raise ValidationError({"page": [f"There are {count} page(s)."]})
        shown = {(section, None): entries[(page - 1) * PAGE_ENTRIES:page * PAGE_ENTRIES]}
        pages = {"number": page, "count": count, "total": len(entries)}
    return {
        "tracks": data["tracks"], "track": data["track"], "year": data["year"], "section": section, "pages": pages,
        "sections": {
            "current": OrderedDict((slug, shown.get(("current", slug), [])) for slug in sections["current"]),
            "lifetime": shown.get(("lifetime", None), []), "alumni": shown.get(("alumni", None), []),
        } if section is None else {section: shown[(section, None)]},
        "sizes": {"current": {slug: sizes[("current", slug)] for slug in sections["current"]},
                  "lifetime": sizes[("lifetime", None)], "alumni": sizes[("alumni", None)]},
    }


def _credential_of(term: MembershipTerm) -> Credential | None:
    try:
        return term.credential
    except ObjectDoesNotExist:
        return None


def member_page(*, slug: str) -> dict[str, Any]:
    """
    A listed member's public page: their terms, badges with verification links, public (verified)
    activities and the initiatives they lead.

    Raises:
        NotFound: no listed member with this slug.
    """
    profile = MemberProfile.objects.select_related(*platform.with_profile("user")).filter(
        slug=slug, listed=True, user__is_active=True).first()
    if profile is None or platform.is_private(platform.saved_privacy(profile.user_id)):
        raise NotFound({"member": ["Not found."]})
    user = profile.user
    terms = list(_public_terms().filter(holder_user=user).order_by("-starts_at"))
    if not terms:
        raise NotFound({"member": ["Not found."]})
    activities = user.distinguished_activities.filter(status="verified").select_related("activity_type") \
        .order_by("-occurred_on")[:50]
    art = artwork_query()
    return {
        "name": platform.display_name(user),
        "terms": [{"track_name": t.track.name, "status": t.status, "starts_at": t.starts_at, "ends_at": t.ends_at,
                   "verify_url": url(f"verify/{c.public_id}/") if (c := _credential_of(t)) and not c.revoked_at
                   else None, "badge_url": url(f"badges/art/{t.track.slug}.svg{art}")} for t in terms],
        "activities": [{"title": a.title, "type": a.activity_type.name, "occurred_on": a.occurred_on,
                        "evidence_url": a.evidence_url} for a in activities],
        "initiatives": [{"title": i.title, "status": i.status, "year": i.year, "link": i.link}
                        for i in user.distinguished_initiatives.order_by("-year", "title")],
    }


# Stands for the username while the profile-badges query is compiled.
_USERNAME = "\x00username\x00"
# What the profile-badges query selects, in its rows' order (a shortcut, ADR 0022: the rows are
# read by position; ``_profile_badge_rows`` finds the two it converts by name).
PROFILE_BADGE_COLUMNS = (
    "pk", "distinguished_profile__listed", "distinguished_profile__slug", "distinguished_terms__status",
    "distinguished_terms__ends_at", "distinguished_terms__track__slug", "distinguished_terms__track__name",
    "distinguished_terms__track__badge_name", "distinguished_terms__credential__public_id",
    "distinguished_terms__credential__revoked_at", "privacy",
)
_ENDS_AT = PROFILE_BADGE_COLUMNS.index("distinguished_terms__ends_at")
_PUBLIC_ID = PROFILE_BADGE_COLUMNS.index("distinguished_terms__credential__public_id")
_CURRENT = frozenset(status.value for status in CURRENT_TERM_STATUSES)


@functools.lru_cache(maxsize=None)
def _profile_badge_query(alias: str, with_preferences: bool) -> tuple[str, tuple[Any, ...], int]:
    """
    The SQL behind profile badges on database ``alias``, and where the username goes in its
    parameters: one row per term of an active user (one row without a term if they hold none)
    with the user's profile, the term's track, its credential and (inside the platform:
    ``with_preferences``) the ``account_privacy`` the user saved.

    The ORM builds it, once per process: building this five-table query took longer than
    running it, on the endpoint every learner profile calls (docs/performance.rst).
    """
    del with_preferences  # part of the cache key: the query differs inside the platform
    queryset = get_user_model().objects.filter(is_active=True, username=_USERNAME).annotate(
        privacy=platform.privacy_of("pk")).values_list(*PROFILE_BADGE_COLUMNS)
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    return sql, tuple(params), params.index(_USERNAME)


def _profile_badge_rows(username: str) -> list[tuple[Any, ...]]:
    """
    The rows of the profile-badges query for ``username`` (``PROFILE_BADGE_COLUMNS``), ``ends_at``
    and ``public_id`` as the ORM gives them.
    """
    alias = router.db_for_read(get_user_model())
    sql, params, position = _profile_badge_query(alias, platform.preference_model() is not None)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params[:position] + (username,) + params[position + 1:])
        rows = cursor.fetchall()
    return [(*row[:_ENDS_AT], _aware(row[_ENDS_AT], connection), *row[_ENDS_AT + 1:_PUBLIC_ID],
             None if row[_PUBLIC_ID] is None else uuid.UUID(str(row[_PUBLIC_ID])), *row[_PUBLIC_ID + 1:])
            for row in rows]


def _aware(value: datetime.datetime | str | None, connection: BaseDatabaseWrapper) -> datetime.datetime | None:
    """A datetime column's value as the ORM gives it: parsed (SQLite has text) and aware (when USE_TZ)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime.datetime) else parse_datetime(value)
    if moment is not None and settings.USE_TZ and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, connection.timezone)
    return moment


def profile_badges(*, username: str, viewer: User | AnonymousUser | None,
                   viewer_is_staff: bool = False) -> dict[str, Any]:
    """
    The badges the learner profile shows for ``username``: current and lifetime credentials, for
    a listed member whose profile is visible to ``viewer`` (a private profile: only the user and
    staff). One query, whatever the site's size. An unknown username answers like a person with
    nothing to show, so that the endpoint cannot tell which usernames exist.
    """
    rows = _profile_badge_rows(username)
    nothing: dict[str, Any] = {"username": username, "member_url": None, "membership_url": None, "badges": []}
    if not rows:
        return nothing
    user_id, listed, slug = rows[0][:3]
    own = viewer is not None and viewer.is_authenticated and viewer.pk == user_id
    if not (own or viewer_is_staff):
        # ``slug`` is None when the user has no profile: never listed.
        if slug is None or not listed or platform.is_private(rows[0][10]):
            return nothing
    base, art = url(""), artwork_query()
    # The profile's owner is also shown the way to their own membership page.
    return {"username": username, "member_url": f"{base}members/{slug}/" if listed else None,
            "membership_url": f"{base}membership/" if own else None,
            "badges": [{"track": track, "name": badge_name or track_name,
                        "lifetime": status == TermStatus.LIFETIME.value,
                        "valid_until": ends_at, "image_url": f"{base}badges/art/{track}.svg{art}",
                        "verify_url": f"{base}verify/{public_id}/"}
                       for _, _, _, status, ends_at, track, track_name, badge_name, public_id, revoked_at, _ in rows
                       if status in _CURRENT and public_id is not None and revoked_at is None]}


# The announcement ---------------------------------------------------------------------------

ANNOUNCEMENT_COLUMNS = (
    "holder_organization_id", "holder_user_id", "holder_kind", "track__slug", "track__name", "track__sort_order",
    "holder_organization__name", "holder_user__first_name", "holder_user__last_name", "holder_user__username",
    "holder_user__distinguished_profile__slug", "credential__public_id", "credential__revoked_at",
    "nomination__decision__citation", "profile_name", "privacy",
)


def released_cycles() -> list[dict[str, Any]]:
    """The cycles whose announcement is released, newest first: year, name and release time."""
    return [{"year": cycle.year, "name": str(cycle), "released_at": cycle.announcement_released_at}
            for cycle in Cycle.objects.filter(announcement_released_at__isnull=False).order_by("-year")]


def announcement(*, cycle_year: int) -> dict[str, Any]:
    """
    The released announcement of the cycle of ``cycle_year``: its new members by track (the first
    terms it started, not renewals), each with name, badge, the panel's public citation and links, listed
    only if they chose to be (as in the hall of fame). Three queries, whatever the number of members.

    Raises:
        NotFound: no such cycle, or its announcement is not released (the embargo: nothing shows).
    """
    cycle = Cycle.objects.filter(year=cycle_year, announcement_released_at__isnull=False).first()
    if cycle is None:
        raise NotFound({"cycle": ["No released announcement for this year."]})
    names = Track.objects.filter(program_id=cycle.program_id, is_active=True).order_by(
        "sort_order", "id").values_list("slug", "name")
    tracks: OrderedDict[str, dict[str, Any]] = OrderedDict(
        (slug, {"slug": slug, "name": name, "members": []}) for slug, name in names)
    base, art = url(""), artwork_query()
    # New members: first terms (not renewals) that the cycle started, which cannot begin before it opened.
    rows = MembershipTerm.objects.filter(PUBLIC_TERMS, cycle=cycle, previous__isnull=True,
                                         starts_at__gte=cycle.nominations_open_at).annotate(
        profile_name=platform.profile_name_of("holder_user_id"), privacy=platform.privacy_of("holder_user_id"),
    ).order_by("track__sort_order", "holder_organization__name", "holder_user__last_name", "id").values_list(
        *ANNOUNCEMENT_COLUMNS)
    for (organization_id, user_id, kind, track, track_name, _order, organization_name, first_name, last_name,
         username, member_slug, public_id, revoked_at, citation, profile_name, privacy) in rows:
        if user_id and platform.is_private(privacy):
            continue
        section = tracks.setdefault(track, {"slug": track, "name": track_name, "members": []})
        section["members"].append({
            "name": organization_name if organization_id else platform.compose_name(
                profile_name, first_name, last_name, username),
            "kind": kind, "citation": citation or "",
            "badge_url": f"{base}badges/art/{track}.svg{art}",
            "badge_png_url": f"{base}badges/art/{track}.png{art}",
            "member_url": f"{base}members/{member_slug}/" if user_id and member_slug else None,
            "verify_url": f"{base}verify/{public_id}/" if public_id is not None and revoked_at is None else None,
        })
    return {"year": cycle.year, "name": str(cycle), "released_at": cycle.announcement_released_at,
            "url": f"{base}announcements/{cycle.year}/",
            "tracks": [section for section in tracks.values() if section["members"]],
            "count": sum(len(section["members"]) for section in tracks.values())}


def _member_html(member: dict[str, Any]) -> str:
    """One new member of an announcement as HTML: the name (a link to their page) and the citation."""
    name = format_html('<a href="{}">{}</a>', member["member_url"], member["name"]) if member["member_url"] \
        else format_html("{}", member["name"])
    return format_html("{}: {}", name, member["citation"]) if member["citation"] else name


def _announcement_html(details: dict[str, Any]) -> str:
    """An announcement as HTML for a feed entry: each track's new members, with their citations."""
    return "".join(format_html("<h2>{}</h2><ul>{}</ul>", section["name"], format_html_join(
        "", "<li>{}</li>", ((_member_html(member),) for member in section["members"])))
        for section in details["tracks"])


def announcements_atom(*, feed_url: str) -> str:
    """
    The released announcements as an Atom 1.0 feed (RFC 4287), newest first: one entry a cycle,
    with its new members and their citations as HTML content.
    """
    issuer = get_setting("DISTINGUISHED_ISSUER")
    cycles = released_cycles()
    feed = Atom1Feed(
        title=f"{issuer.get('name') or 'Open edX'}: Distinguished Contributors", link=url(""),
        description="The yearly announcements of the Distinguished Contributor program.", feed_url=feed_url,
        feed_guid=feed_url, author_name=issuer.get("name") or "Open edX", language=settings.LANGUAGE_CODE,
    )
    for cycle in cycles:
        details = announcement(cycle_year=cycle["year"])
        feed.add_item(
            title=f"{details['name']}: {details['count']} new Distinguished Contributor(s)",
            link=details["url"], unique_id=details["url"], description=_announcement_html(details),
            pubdate=details["released_at"], updateddate=details["released_at"],
        )
    return feed.writeString("utf-8")
