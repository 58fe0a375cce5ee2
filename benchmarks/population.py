"""
Data the benchmarks measure against, written with raw ``executemany`` inserts so that a million
rows take seconds, not the ORM's minutes.

Rows are made the way the program would leave them (term chains with ``previous`` links and
``current_key``, one credential per term, listed profiles); only the credentials are copies of a
really issued one, because signing thousands of them is what the issuance benchmark measures.
"""
from __future__ import annotations

import datetime
import json
import random
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Credential,
    Criterion,
    Cycle,
    Incentive,
    Initiative,
    MemberProfile,
    MembershipTerm,
    PartnerOrganization,
    Program,
    SigningKey,
    Track,
)

DAY = datetime.timedelta(days=1)
YEAR = 365 * DAY
# The default program's tracks, in their order.
TRACKS = ("engineer", "advocate", "innovator")
FEATURED = "featured"


def insert(model, fields, rows) -> int:
    """
    INSERT ``rows`` (tuples in the order of ``fields``) into ``model``'s table with one executemany.

    Every other concrete column gets its field's default (``""`` for a text field without one), so
    a field added to the model later is filled as the ORM would fill it instead of failing NOT NULL.
    """
    if not rows:
        return 0
    named = [model._meta.get_field(name) for name in fields]
    given = {field.attname for field in named}
    rest = [field for field in model._meta.concrete_fields
            if field.attname not in given and not field.primary_key]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in named + rest)
    marks = ", ".join(["%s"] * (len(named) + len(rest)))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})",
                           [tuple(row) + defaults for row in rows])
    return len(rows)


def next_id(model) -> int:
    """The first primary key above every row of ``model`` (the inserts give explicit ids)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
        top = cursor.fetchone()[0]
    return (top or 0) + 1


def stamp(moment: datetime.datetime) -> str:
    """A datetime as the SQLite backend stores it."""
    return connection.ops.adapt_datetimefield_value(moment)


def reset(private_key_pem: str) -> None:
    """
    Empty the database, load the default program and install ``private_key_pem`` as the RSA
    signing key, with a new Ed25519 key for the Data Integrity proofs.
    """
    call_command("flush", interactive=False, verbosity=0)
    api.load_program_definition()
    api.add_signing_key(private_key_pem=private_key_pem)
    api.add_missing_signing_keys()


def ensure_cycles(years) -> dict[int, int]:
    """A cycle for each of ``years`` (closed ones in the past); returns their ids by year."""
    program = Program.objects.get(slug="distinguished-contributors")
    existing = dict(Cycle.objects.values_list("year", "id"))
    new = []
    for year in sorted(set(years) - set(existing)):
        start = datetime.datetime(year, 1, 15, tzinfo=datetime.timezone.utc)
        new.append(Cycle(program=program, year=year, name=f"Cycle {year}", nominations_open_at=start,
                         nominations_close_at=start + 30 * DAY, review_deadline=start + 60 * DAY,
                         decision_date=start + 75 * DAY, announcement_at=start + 90 * DAY,
                         ends_at=start + 90 * DAY + YEAR))
    Cycle.objects.bulk_create(new, batch_size=500)
    return dict(Cycle.objects.values_list("year", "id"))


def users(count, prefix) -> list[int]:
    """``count`` active users named ``<prefix><n>``; returns their ids."""
    first = next_id(get_user_model())
    joined = stamp(timezone.now())
    insert(get_user_model(), ("id", "password", "is_superuser", "username", "first_name", "last_name", "email",
                              "is_staff", "is_active", "date_joined"),
           [(first + n, "!", False, f"{prefix}{n}", prefix.capitalize(), str(n), f"{prefix}{n}@example.com",
             False, True, joined) for n in range(count)])
    return list(range(first, first + count))


def profiles(user_ids, prefix) -> None:
    """A listed member profile (``<prefix>-<n>``) for each user."""
    modified = stamp(timezone.now())
    insert(MemberProfile, ("user_id", "listed", "slug", "modified"),
           [(user_id, True, f"{prefix}-{n}", modified) for n, user_id in enumerate(user_ids)])


@dataclass
class Chain:
    """The terms one holder held in one track, oldest first, and how the last one ended."""

    track_id: int
    user_id: int | None = None
    organization_id: int | None = None
    length: int = 1
    last_status: str = "active"


def chains(specs, *, current_start=None) -> list[list[int]]:
    """
    Write each chain of yearly terms (renewed, …, then ``last_status``), the last one starting at
    ``current_start`` (default: 30 days ago); returns the term ids of each chain, oldest first.
    """
    current_start = (current_start or timezone.now() - 30 * DAY).replace(microsecond=0)
    lengths = {spec.length for spec in specs}
    starts = {(length, k): current_start - (length - 1 - k) * YEAR for length in lengths for k in range(length)}
    cycle_ids = ensure_cycles({start.year for start in starts.values()})
    now = stamp(timezone.now())
    term_id = next_id(MembershipTerm)
    rows, ids = [], []
    for spec in specs:
        chain_ids = []
        holder_kind, holder = ("organization", f"o{spec.organization_id}") if spec.organization_id \
            else ("individual", f"u{spec.user_id}")
        for k in range(spec.length):
            last = k == spec.length - 1
            status = spec.last_status if last else "renewed"
            start = starts[(spec.length, k)]
            ends = None if status == "lifetime" else stamp(start + YEAR)
            current_key = f"{spec.track_id}:{holder}" if status in ("active", "renewal_due", "lifetime") else None
            rows.append((term_id, spec.track_id, cycle_ids[start.year], holder_kind, spec.user_id,
                         spec.organization_id, chain_ids[-1] if chain_ids else None, k + 1, status, stamp(start),
                         ends, "", current_key, now, now))
            chain_ids.append(term_id)
            term_id += 1
        ids.append(chain_ids)
    insert(MembershipTerm, ("id", "track_id", "cycle_id", "holder_kind", "holder_user_id", "holder_organization_id",
                            "previous_id", "sequence", "status", "starts_at", "ends_at", "revoked_reason",
                            "current_key", "created", "modified"), rows)
    return ids


def copy_credentials(term_ids, template: Credential, *, revoked=()) -> None:
    """A credential for each term, a copy of ``template`` (same size of document and JWT); ``revoked`` ids revoked."""
    revoked = set(revoked)
    index = (Credential.objects.order_by("-status_index").values_list("status_index", flat=True).first() or 0) + 1
    document = json.dumps(template.document)
    issued = stamp(template.issued_at)
    rows = []
    for offset, term_id in enumerate(term_ids):
        rows.append((term_id, uuid.uuid4().hex, index + offset, template.signing_key_id, document, template.jwt,
                     template.recipient_salt, template.recipient_email_hash, issued,
                     issued if term_id in revoked else None, "Bench revocation." if term_id in revoked else ""))
    insert(Credential, ("term_id", "public_id", "status_index", "signing_key_id", "document", "jwt", "recipient_salt",
                        "recipient_email_hash", "issued_at", "revoked_at", "revocation_reason"), rows)


@dataclass
class Site:
    """What a population holds that the cases ask for by name."""

    featured: str
    featured_slug: str
    credential: str
    track: str
    member_count: int


def site(*, members, years, private_key_pem, rows=0) -> Site:
    """
    A public site after ``years`` cycles: ``members`` listed members (one in ten lapsed, one in ten
    lifetime, the rest current), one listed organization per twenty members, and a featured member
    holding a real credential in every track.

    With ``rows``, every listing a public endpoint reads also holds ``rows`` rows: tracks (with
    criteria and incentives), cycles, organizations, initiatives, signing keys, revoked
    credentials, and the featured member's activities, initiatives and renewals.
    """
    reset(private_key_pem)
    with transaction.atomic():
        track_ids = dict(Track.objects.filter(slug__in=TRACKS).values_list("slug", "id"))
        featured_id = users(1, FEATURED)[0]
        get_user_model().objects.filter(pk=featured_id).update(username=FEATURED, first_name="Featured",
                                                               last_name="Member")
        insert(MemberProfile, ("user_id", "listed", "slug", "modified"),
               [(featured_id, True, FEATURED, stamp(timezone.now()))])
        featured_chains = chains([Chain(track_ids[slug], user_id=featured_id,
                                        length=max(rows, years) if slug == TRACKS[0] else 1) for slug in TRACKS])
    issued = [api.issue_credential(term_id=chain[-1]) for chain in featured_chains]
    template = Credential.objects.get(public_id=issued[0].public_id)
    with transaction.atomic():
        copy_credentials(featured_chains[0][:-1], template)
        member_ids = users(members, "member")
        profiles(member_ids, "member")
        organization_ids = _organizations(max(members // 20, rows), contacts=member_ids)
        specs = [Chain(track_ids[TRACKS[n % len(TRACKS)]], user_id=user_id, length=years,
                       last_status=("lapsed", "lifetime")[n % 10] if n % 10 < 2 else "active")
                 for n, user_id in enumerate(member_ids)]
        specs += [Chain(track_ids[TRACKS[0]], organization_id=org_id, length=years)
                  for org_id in organization_ids[:max(members // 20, 1)]]
        term_chains = chains(specs)
        every_term = [term_id for chain in term_chains for term_id in chain]
        # With ``rows``: the first term of ``rows`` chains is revoked (the status list grows with them).
        copy_credentials(every_term, template, revoked=[chain[0] for chain in term_chains[:rows]])
        if rows:
            _listings(rows, featured_id, member_ids)
    return Site(featured=FEATURED, featured_slug=FEATURED, credential=issued[0].public_id, track=TRACKS[0],
                member_count=members)


def _organizations(count, contacts) -> list[int]:
    """``count`` listed partner organizations, each with one of ``contacts`` as its contact."""
    first = next_id(PartnerOrganization)
    insert(PartnerOrganization, ("id", "slug", "name", "short_name", "website", "listed"),
           [(first + n, f"partner-{n}", f"Partner {n}", f"P{n}", "https://partner.example.com", True)
            for n in range(count)])
    if contacts:
        insert(PartnerOrganization.contacts.through, ("partnerorganization_id", "user_id"),
               [(first + n, contacts[n % len(contacts)]) for n in range(count)])
    return list(range(first, first + count))


def _listings(rows, featured_id, member_ids) -> None:
    """Grow every public listing to ``rows`` rows (see ``site``)."""
    program = Program.objects.get(slug="distinguished-contributors")
    extra = rows - Track.objects.count()
    if extra > 0:
        first = next_id(Track)
        insert(Track, ("id", "definition_fingerprint", "program_id", "slug", "name", "description", "who_qualifies",
                       "badge_name", "sort_order", "is_active", "retention_activity_types", "badge_png", "badge_svg"),
               [(first + n, "", program.pk, f"track-{n}", f"Track {n}", "A benchmark track.", "", "", 100 + n, True,
                 "[]", "", "") for n in range(extra)])
        insert(Criterion, ("definition_fingerprint", "track_id", "slug", "name", "description", "weight",
                           "sort_order"),
               [("", first + n, slug, slug.title(), "", "1", order) for n in range(extra)
                for order, slug in enumerate(("impact", "reach"))])
        insert(Incentive, ("definition_fingerprint", "track_id", "slug", "name", "description", "kind", "is_physical",
                           "sort_order"),
               [("", first + n, "badge", "Badge", "", "recognition", False, 0) for n in range(extra)])
    this_year = timezone.now().year
    ensure_cycles(range(this_year - rows + 1, this_year + 1))
    first_initiative = next_id(Initiative)
    created = stamp(timezone.now())
    insert(Initiative, ("id", "program_id", "title", "link", "description", "status", "year", "created"),
           [(first_initiative + n, program.pk, f"Initiative {n}", "https://example.com/oep", "", "proposed",
             this_year - n % 5, created) for n in range(rows)])
    insert(Initiative.leads.through, ("initiative_id", "user_id"),
           [(first_initiative + n, lead) for n in range(rows)
            for lead in (featured_id, member_ids[n % len(member_ids)] if member_ids else featured_id)
            if lead is not None])
    event = ActivityType.objects.get(program=program, slug="event")
    today = timezone.now().date()
    insert(Activity, ("user_id", "activity_type_id", "title", "description", "evidence_url", "occurred_on", "source",
                      "status", "course_key", "created"),
           [(featured_id, event.pk, f"Talk {n}", "", "https://example.com/talk", (today - n * DAY).isoformat(),
             "self_reported", "verified", "", created) for n in range(rows)])
    key = SigningKey.objects.first()
    insert(SigningKey, ("kid", "public_jwk", "private_key_encrypted", "created", "retired_at"),
           [(f"retired-{n}", json.dumps({**key.public_jwk, "kid": f"retired-{n}"}), "", created, created)
            for n in range(rows - 1)])


def activities(user_ids, per_user, *, type_ids, start, days, seed=8) -> int:
    """
    ``per_user`` activities for each user on random days in ``days`` days from ``start``: random
    types, 60 % verified, 25 % pending, 15 % rejected. Written in batches of 100,000 rows.
    """
    rng = random.Random(seed)
    statuses = ["verified"] * 12 + ["pending"] * 5 + ["rejected"] * 3
    dates = [(start + n * DAY).isoformat() for n in range(days)]
    created = stamp(timezone.now())
    written, batch = 0, []
    fields = ("user_id", "activity_type_id", "title", "description", "evidence_url", "occurred_on", "source", "status",
              "course_key", "created")
    for user_id in user_ids:
        for _ in range(per_user):
            batch.append((user_id, rng.choice(type_ids), "Community call", "", "", rng.choice(dates), "imported",
                          rng.choice(statuses), "", created))
        if len(batch) >= 100_000:
            written += insert(Activity, fields, batch)
            batch = []
    return written + insert(Activity, fields, batch)
