"""
Plain data of the Distinguished Contributor program: enums and frozen records, no Django.

``api.py`` returns these records so that callers never hold a queryset or a model instance.
"""
from __future__ import annotations

import datetime
from enum import StrEnum

import attrs


class CyclePhase(StrEnum):
    """Where a yearly cycle stands; it follows from the cycle's dates and the clock."""

    UPCOMING = "upcoming"
    NOMINATIONS = "nominations"
    REVIEW = "review"
    DECISIONS = "decisions"
    ANNOUNCED = "announced"
    CLOSED = "closed"


class NomineeKind(StrEnum):
    """Who can be nominated: a platform user or a partner organization."""

    INDIVIDUAL = "individual"
    ORGANIZATION = "organization"


class NominationKind(StrEnum):
    """A self-nomination needs no consent; a peer nomination waits for the nominee's."""

    SELF = "self"
    PEER = "peer"


class NominationStatus(StrEnum):
    """The life of a nomination (see ``nominations.TRANSITIONS`` for the allowed moves)."""

    DRAFT = "draft"
    AWAITING_CONSENT = "awaiting_consent"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"
    CONSENT_REFUSED = "consent_refused"


# Statuses in which a nomination is "the" nomination of its nominee for a track and cycle:
# a later one for the same nominee becomes an endorsement of it.
ACTIVE_NOMINATION_STATUSES = frozenset({
    NominationStatus.AWAITING_CONSENT,
    NominationStatus.SUBMITTED,
    NominationStatus.IN_REVIEW,
    NominationStatus.ACCEPTED,
    NominationStatus.DECLINED,
    NominationStatus.DEFERRED,
})

# Statuses that count against the nominator's cap for a cycle.
CAPPED_NOMINATION_STATUSES = ACTIVE_NOMINATION_STATUSES | {NominationStatus.DRAFT}


class ConsentDecision(StrEnum):
    """The nominee's answer to a peer nomination."""

    ACCEPT = "accept"
    DECLINE = "decline"


class IncentiveKind(StrEnum):
    """What sort of benefit a track's incentive is."""

    RECOGNITION = "recognition"
    BADGE = "badge"
    OPPORTUNITY = "opportunity"
    ACCESS = "access"
    FUNDING = "funding"


@attrs.frozen
class CriterionData:
    """One thing a track's reviewers score, with its weight in the aggregate."""

    slug: str
    name: str
    description: str
    weight: str


@attrs.frozen
class IncentiveData:
    """One benefit a member of a track receives."""

    slug: str
    name: str
    description: str
    kind: IncentiveKind
    is_physical: bool


@attrs.frozen
class TrackData:
    """A recognition track with its criteria and incentives."""

    slug: str
    name: str
    description: str
    who_qualifies: str
    badge_name: str
    criteria: tuple[CriterionData, ...] = ()
    incentives: tuple[IncentiveData, ...] = ()


@attrs.frozen
class CycleData:
    """A yearly cycle, its dates and the phase they put it in now."""

    year: int
    name: str
    nominations_open_at: datetime.datetime
    nominations_close_at: datetime.datetime
    review_deadline: datetime.datetime
    decision_date: datetime.datetime
    announcement_at: datetime.datetime
    ends_at: datetime.datetime
    phase: CyclePhase


@attrs.frozen
class OrganizationData:
    """A partner organization that can be nominated."""

    slug: str
    name: str
    website: str


@attrs.frozen
class EndorsementData:
    """A second voice for a nomination that already existed."""

    id: int
    nomination_id: int
    endorser_username: str | None
    justifications: dict
    evidence_links: tuple[str, ...]
    created: datetime.datetime


@attrs.frozen
class NominationData:
    """A nomination as its nominator, nominee and program staff may see it."""

    id: int
    cycle_year: int
    track_slug: str
    track_name: str
    kind: NominationKind
    nominee_kind: NomineeKind
    nominee_username: str | None
    nominee_organization_slug: str | None
    nominee_display_name: str
    nominator_username: str | None
    status: NominationStatus
    justifications: dict
    evidence_links: tuple[str, ...]
    endorsement_count: int
    created: datetime.datetime
    submitted_at: datetime.datetime | None


@attrs.frozen
class NominationOutcome:
    """
    What asking to nominate produced: a new nomination, or an endorsement of an earlier one.
    """

    nomination: NominationData | None = None
    endorsement: EndorsementData | None = None


@attrs.frozen
class Page:
    """One page of a listing, with the total number of rows."""

    items: tuple
    total: int


@attrs.frozen
class LoadReport:
    """What loading a program definition did, row by row (labels such as ``track:engineer``)."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
