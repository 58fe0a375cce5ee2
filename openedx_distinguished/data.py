"""
Plain data of the Distinguished Contributor program: enums and frozen records, no Django.

``api.py`` returns these records so that callers never hold a queryset or a model instance.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
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
    # What the lowest and highest rubric scores mean for this criterion (empty when not written).
    anchor_low: str = ""
    anchor_high: str = ""


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


class NominationStanding(StrEnum):
    """
    What an endorser may know of the nomination they support (ADR 0010): whether it is still
    being considered, and whether the cycle's results are out; never its decision.
    """

    UNDER_CONSIDERATION = "under_consideration"
    NO_LONGER_CONSIDERED = "no_longer_considered"
    ANNOUNCED = "announced"


@attrs.frozen
class EndorsementData:
    """A second voice for a nomination that already existed."""

    id: int
    nomination_id: int
    endorser_username: str | None
    justifications: dict
    evidence_links: tuple[str, ...]
    created: datetime.datetime
    withdrawn_at: datetime.datetime | None = None
    # What the endorser's own listing shows of the nomination (empty where not loaded).
    nominee_display_name: str = ""
    track_name: str = ""
    cycle_year: int | None = None
    standing: NominationStanding | None = None
    endorser_display_name: str = ""


@attrs.frozen
class TransitionData:
    """One step of a nomination's history: from which status to which, when, by whom, why."""

    from_status: NominationStatus | None
    to_status: NominationStatus
    at: datetime.datetime
    actor_username: str | None
    reason: str


class NominateAs(StrEnum):
    """Whom the nomination form is about: the person filling it in, a peer, or a partner organization."""

    SELF = "self"
    PEER = "peer"
    ORGANIZATION = "organization"


class ExistingNomination(StrEnum):
    """What already exists for a nominee, track and cycle, seen from the person about to nominate."""

    NONE = "none"
    OWN_DRAFT = "own_draft"
    OWN = "own"
    ENDORSABLE = "endorsable"
    ENDORSED = "endorsed"


@attrs.frozen
class NomineeCheckData:
    """
    A nominee the nomination form resolved, and what already exists for them in the track and cycle.

    ``existing_id`` is the caller's own draft or nomination (``OWN_DRAFT``, ``OWN``) or their own
    endorsement (``ENDORSED``); never someone else's nomination.
    """

    nominate_as: NominateAs
    kind: NominationKind
    nominee_kind: NomineeKind
    username: str | None
    organization_slug: str | None
    display_name: str
    existing: ExistingNomination
    existing_id: int | None = None


@attrs.frozen
class NominationWindowData:
    """Where nominating stands for one person: the cycle taking nominations (or the next), and their cap."""

    cycle: CycleData | None
    is_open: bool
    cap: int
    used: int

    @property
    def remaining(self) -> int:
        """Nominations the person may still start in the cycle."""
        return max(self.cap - self.used, 0)


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
    decision_feedback: str | None = None
    nominator_display_name: str = ""


@attrs.frozen
class NominationOutcome:
    """
    What asking to nominate produced: a new nomination, or an endorsement of an earlier one.
    """

    nomination: NominationData | None = None
    endorsement: EndorsementData | None = None
    # True when a repeated form post found what its first post had made (nothing new was written).
    replayed: bool = False


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


class PanelRole(StrEnum):
    """What a panel member does: review assigned nominations, or also chair the panel."""

    REVIEWER = "reviewer"
    CHAIR = "chair"


class Recommendation(StrEnum):
    """A reviewer's recommendation, and the outcomes a decision can record."""

    ACCEPT = "accept"
    DECLINE = "decline"
    DEFER = "defer"


class AuditAction(StrEnum):
    """What an audit entry records."""

    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    CONFLICT_DECLARED = "conflict_declared"
    REVIEW_SUBMITTED = "review_submitted"
    REVIEW_UPDATED = "review_updated"
    DECISION_RECORDED = "decision_recorded"
    DECISION_CHANGED = "decision_changed"
    DECISION_REOPENED = "decision_reopened"
    DECISION_SET_ASIDE = "decision_set_aside"
    ANNOUNCEMENT_RELEASED = "announcement_released"


# Lowest and highest score of the review rubric.
RUBRIC_MIN = 1
RUBRIC_MAX = 5


@attrs.frozen
class ReviewData:
    """One reviewer's scores and recommendation for a nomination."""

    reviewer_username: str | None
    scores: dict
    weighted_score: float
    recommendation: Recommendation
    panel_comments: str
    nominee_feedback: str
    submitted_at: datetime.datetime
    modified: datetime.datetime


@attrs.frozen
class AssignmentData:
    """A nomination assigned to a reviewer, as the reviewer's work list shows it."""

    nomination_id: int
    cycle_year: int
    track_slug: str
    track_name: str
    nominee_display_name: str
    reviewer_username: str
    reviewed: bool
    review_deadline: datetime.datetime
    assigned_at: datetime.datetime


@attrs.frozen
class ConflictData:
    """Why a reviewer may not review a nomination."""

    nomination_id: int
    reviewer_username: str
    reasons: tuple[str, ...]


@attrs.frozen
class AggregateData:
    """The panel's combined view of one nomination's reviews."""

    nomination_id: int
    track_slug: str
    nominee_display_name: str
    review_count: int
    weighted_mean: float | None
    median: float | None
    normalised_score: float | None
    quorum_reached: bool
    recommendations: dict
    decision: Recommendation | None
    rank: int | None = None


@attrs.frozen
class DecisionData:
    """A decision about a nomination, pending until the cycle's announcement is released."""

    nomination_id: int
    outcome: Recommendation
    rationale: str
    feedback: str
    decided_by_username: str | None
    decided_at: datetime.datetime
    quorum_override_reason: str
    released_at: datetime.datetime | None
    citation: str = ""


@attrs.frozen
class AutoAssignReport:
    """What automatic assignment did: new assignments, and nominations left short of reviewers."""

    assigned: tuple[tuple[int, str], ...] = ()
    short: tuple[tuple[int, int], ...] = ()


@attrs.frozen
class ReleaseReport:
    """What releasing a cycle's announcement did."""

    cycle_year: int
    already_released: bool
    released_at: datetime.datetime | None
    outcomes: dict = attrs.field(factory=dict)
    # Decisions left unpublished because their nomination left the review (withdrawn) before the release.
    set_aside: tuple[int, ...] = ()


@attrs.frozen
class ReleasePreviewData:
    """
    What releasing a cycle's announcement would do now, and what still stands in its way, for the
    page people read before they press Release.
    """

    cycle_year: int
    cycle_name: str
    announcement_at: datetime.datetime
    released_at: datetime.datetime | None
    due: bool
    # Nominations in review without a decision: (nomination id, nominee, track name).
    undecided: tuple[tuple[int, str, str], ...] = ()
    # The pending decisions the release would publish, by outcome; and the names it would accept.
    outcomes: dict = attrs.field(factory=dict)
    accepted: tuple[str, ...] = ()
    # Nominations withdrawn after their decision: the release sets their decisions aside (ADR 0013).
    set_aside: tuple[int, ...] = ()

    @property
    def blocked(self) -> bool:
        """Whether the release would be refused now."""
        return self.released_at is None and (not self.due or bool(self.undecided))


@attrs.frozen
class ReviewerChoice:
    """A panel member as the scoreboard offers them for one nomination."""

    username: str
    display_name: str
    # Assigned: whether they have reviewed it. Not offered: why not (a conflict of interest).
    reviewed: bool = False
    reason: str = ""


@attrs.frozen
class NominationReviewers:
    """Who reviews a nomination, who else could, and who may not and why."""

    nomination_id: int
    assigned: tuple[ReviewerChoice, ...] = ()
    offered: tuple[ReviewerChoice, ...] = ()
    not_offered: tuple[ReviewerChoice, ...] = ()


@attrs.frozen
class ReviewSheetData:
    """What a reviewer sees to review a nomination: the case, their review, and the others' (when allowed)."""

    nomination: NominationData
    criteria: tuple[CriterionData, ...]
    endorsements: tuple[EndorsementData, ...]
    own_review: ReviewData | None
    other_reviews: tuple[ReviewData, ...] | None
    review_deadline: datetime.datetime
    editable: bool


class TermStatus(StrEnum):
    """Where a membership term stands."""

    ACTIVE = "active"
    RENEWAL_DUE = "renewal_due"
    RENEWED = "renewed"
    LAPSED = "lapsed"
    LIFETIME = "lifetime"
    REVOKED = "revoked"


# The statuses of a holder's current term for a track (at most one, guaranteed by the database).
CURRENT_TERM_STATUSES = frozenset({TermStatus.ACTIVE, TermStatus.RENEWAL_DUE, TermStatus.LIFETIME})


class EvaluationOutcome(StrEnum):
    """What the annual evaluation recommends for a term."""

    RENEW = "renew"
    LAPSE = "lapse"
    LIFETIME = "lifetime"


class ActivitySource(StrEnum):
    """Where an activity record came from."""

    SELF_REPORTED = "self_reported"
    IMPORTED = "imported"
    PLATFORM_EVENT = "platform_event"


class ActivityStatus(StrEnum):
    """Whether staff (or the platform) vouched for an activity."""

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class InitiativeStatus(StrEnum):
    """The life of a community initiative or proposal."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    DROPPED = "dropped"


@attrs.frozen
class TermData:
    """A membership term of a user or an organization in a track."""

    id: int
    holder_kind: NomineeKind
    holder_username: str | None
    holder_organization_slug: str | None
    holder_display_name: str
    track_slug: str
    track_name: str
    status: TermStatus
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    sequence: int
    cycle_year: int
    revoked_reason: str


@attrs.frozen
class ActivityData:
    """Something a member did, with where the record came from and whether it is verified."""

    id: int
    username: str | None
    activity_type: str
    title: str
    description: str
    evidence_url: str
    occurred_on: datetime.date
    source: ActivitySource
    status: ActivityStatus
    course_key: str
    review_note: str = ""


@attrs.frozen
class EvaluationData:
    """The annual evaluation's recommendation for one term, and whether staff confirmed it."""

    term_id: int
    recommendation: EvaluationOutcome
    reasons: tuple[str, ...]
    qualifying_activities: int
    confirmed: bool


class EvaluationState(StrEnum):
    """Where one recommendation of the annual evaluation stands (ADR 0016)."""

    CONFIRMED = "confirmed"
    # The term has not ended: nothing is applied before its end date.
    NOT_ENDED = "not_ended"
    # A lapse while qualifying activities of the term await verification: verify or reject them first.
    BLOCKED = "blocked"
    READY = "ready"


@attrs.frozen
class EvaluationRowData:
    """One term of a cycle's evaluation as staff review it before confirming."""

    term_id: int
    holder_display_name: str
    track_name: str
    ends_at: datetime.datetime | None
    recommendation: EvaluationOutcome
    reasons: tuple[str, ...]
    qualifying_activities: int
    pending_activities: int
    state: EvaluationState


@attrs.frozen
class EvaluationOverviewData:
    """
    A cycle's annual evaluation: which terms it covers and from when, how far it has gone, and
    one page of its recommendations with their state.
    """

    cycle_year: int
    cycle_name: str
    covers_running_on: datetime.datetime
    covers_ending_before: datetime.datetime
    due_from: datetime.datetime
    not_evaluated: int
    states: dict
    rows: tuple[EvaluationRowData, ...]
    total: int


@attrs.frozen
class ImportRowData:
    """One row of an activity import as the preview shows it."""

    number: int
    external_id: str
    person: str  # the matched person's name ("" when no one matched)
    username: str
    activity_type: str
    title: str
    occurred_on: datetime.date | None
    outcome: str  # new, already imported, or error
    errors: tuple[str, ...] = ()


@attrs.frozen
class ImportPreviewData:
    """What an activity import would do: every row, and how many are new, known or wrong."""

    rows: tuple[ImportRowData, ...]
    new: int
    already_imported: int
    errors: int


@attrs.frozen
class ImportReport:
    """
    What an all-or-nothing import wrote: the rows it created, and those it skipped because an
    earlier import (or assignment) made them already.
    """

    created: int
    skipped: int


@attrs.frozen
class InitiativeData:
    """A community-driven initiative or proposal led by members."""

    id: int
    title: str
    link: str
    description: str
    status: InitiativeStatus
    year: int
    leads: tuple[str, ...]


class FulfilmentStatus(StrEnum):
    """Where the delivery of a physical award or incentive stands."""

    PENDING = "pending"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"


class DeliverableStatus(StrEnum):
    """Where the delivery of one incentive to one term stands (ADR 0020)."""

    PLANNED = "planned"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


_GIVEN = {DeliverableStatus.PLANNED: frozenset({DeliverableStatus.DELIVERED, DeliverableStatus.CANCELLED}),
          DeliverableStatus.CANCELLED: frozenset({DeliverableStatus.PLANNED})}
_OFFERED = {DeliverableStatus.PLANNED: frozenset({DeliverableStatus.OFFERED, DeliverableStatus.CANCELLED}),
            DeliverableStatus.OFFERED: frozenset({DeliverableStatus.PLANNED, DeliverableStatus.CANCELLED}),
            DeliverableStatus.ACCEPTED: frozenset({DeliverableStatus.DELIVERED, DeliverableStatus.CANCELLED}),
            DeliverableStatus.DECLINED: frozenset({DeliverableStatus.OFFERED}),
            DeliverableStatus.CANCELLED: frozenset({DeliverableStatus.PLANNED})}
# Where program staff may move a deliverable, from each status, by the kind of its incentive:
# recognition and badges are given (planned, then delivered); opportunities, access and funding
# are offered first, and the member accepts or declines before delivery.
DELIVERABLE_FLOW = {
    IncentiveKind.RECOGNITION: _GIVEN,
    IncentiveKind.BADGE: _GIVEN,
    IncentiveKind.OPPORTUNITY: _OFFERED,
    IncentiveKind.ACCESS: _OFFERED,
    IncentiveKind.FUNDING: _OFFERED,
}


class FundingStatus(StrEnum):
    """Where a member's funding request stands: staff approve an amount, then payments settle it."""

    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    PAID = "paid"


class InvitationAnswer(StrEnum):
    """A member's answer to an invitation."""

    WAITING = "waiting"
    YES = "yes"
    NO = "no"


@attrs.frozen
class InvitationData:
    """An invitation as an invitee sees it, with their answer."""

    id: int
    reply_id: int
    incentive_slug: str
    title: str
    details: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    location: str
    answer: InvitationAnswer
    term_id: int
    # Whether it can still be answered (it has not started).
    is_open: bool


@attrs.frozen
class FundingRequestData:
    """A funding request as its member and program staff see it."""

    id: int
    deliverable_id: int
    project: str
    description: str
    reasons: str
    amount_requested: Decimal
    currency: str
    status: FundingStatus
    amount_approved: Decimal | None
    amount_paid: Decimal
    decision_note: str
    created: datetime.datetime


@attrs.frozen
class PaymentValues:
    """A payment on a funding request, checked and normalised (``funding.payment_values``)."""

    amount: Decimal
    paid_on: datetime.date
    reference: str


@attrs.frozen
class DeliverableData:
    """One incentive owed to one term, as its holder and program staff see it."""

    id: int
    term_id: int
    incentive_slug: str
    incentive_name: str
    kind: IncentiveKind
    status: DeliverableStatus
    due_on: datetime.date | None
    answered_at: datetime.datetime | None
    # Staff only: what it cost, who owns it, their notes (None for the holder).
    cost: str | None = None
    currency: str | None = None
    owner_username: str | None = None
    notes: str | None = None
    # Funding incentives: the member's request, if they made one.
    funding: FundingRequestData | None = None

    @property
    def awaits_answer(self) -> bool:
        """An offer the member has not answered yet."""
        return self.status == DeliverableStatus.OFFERED


class BudgetCategory(StrEnum):
    """What a budget line pays for; fulfilment costs count against the physical-awards line."""

    BADGES = "badges"
    CERTIFICATES = "certificates"
    PHYSICAL_AWARDS = "physical_awards"
    EVENTS = "events"
    FUNDING = "funding"
    OTHER = "other"


# The budget line (by category) a deliverable's cost counts against, by its incentive's kind. A
# physical award's cost is its shipment's (``Fulfilment.cost``, on the physical-awards line).
INCENTIVE_BUDGET_CATEGORY = {
    IncentiveKind.RECOGNITION: BudgetCategory.EVENTS,
    IncentiveKind.OPPORTUNITY: BudgetCategory.EVENTS,
    IncentiveKind.ACCESS: BudgetCategory.EVENTS,
    IncentiveKind.BADGE: BudgetCategory.BADGES,
    IncentiveKind.FUNDING: BudgetCategory.FUNDING,
}


@attrs.frozen
class DeliverySummaryData:
    """How far a track's incentives owed to a cycle's terms are delivered."""

    track_slug: str
    track_name: str
    owed: int
    delivered: int
    declined: int
    cancelled: int
    overdue: int

    @property
    def delivered_share(self) -> float | None:
        """Delivered, of what is still to be delivered or was (declined and cancelled left out)."""
        due = self.owed - self.declined - self.cancelled
        return self.delivered / due if due else None


class CredentialStatus(StrEnum):
    """What a verifier learns about a credential."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@attrs.frozen
class CredentialData:
    """An issued credential, as its holder and verifiers see it."""

    public_id: str
    term_id: int
    holder_display_name: str
    holder_username: str | None
    track_slug: str
    track_name: str
    status: CredentialStatus
    issued_at: datetime.datetime
    valid_from: datetime.datetime
    valid_until: datetime.datetime | None
    revoked_at: datetime.datetime | None
    revocation_reason: str
    lifetime: bool
    links: dict = attrs.field(factory=dict)
    # What the public is told of a revocation; ``revocation_reason`` is the internal note (staff only).
    public_reason: str = ""


@attrs.frozen
class RetentionProgressData:
    """How far a term is towards renewal under the retention rule, counted as the annual evaluation counts."""

    term_id: int
    needed: int
    verified: int
    pending: int
    activity_types: tuple[str, ...]
    deadline: datetime.datetime | None

    @property
    def still_needed(self) -> int:
        """Verified activities the term still lacks."""
        return max(self.needed - self.verified, 0)

    @property
    def met(self) -> bool:
        """Whether the verified activities already satisfy the rule."""
        return self.verified >= self.needed


@attrs.frozen
class ActivityTypeChoice:
    """A kind of activity a member can report, and whether it counts towards their renewal."""

    slug: str
    name: str
    counts: bool


@attrs.frozen
class ListingData:
    """A member's choice to appear in public (hall of fame, member page, feed, profile badges)."""

    listed: bool
    slug: str | None
    url: str | None
    # Listed, yet hidden: the learner profile is private (the platform's account_privacy, ADR 0014).
    profile_private: bool = False


@attrs.frozen
class ReferralData:
    """A member's referral link and what it brought: people who registered, partners recorded."""

    code: str
    url: str
    people: int
    partners: int


@attrs.frozen
class IncentiveDeliveryData:
    """An incentive of a term's track, with its fulfilment when it is a physical award."""

    term_id: int
    incentive: IncentiveData
    fulfilment: dict | None = None
    fulfilment_status: FulfilmentStatus | None = None
    deliverable: DeliverableData | None = None


@attrs.frozen
class MembershipOverviewData:
    """
    Everything a person sees of their own membership: terms, renewal progress, activities,
    credentials, incentives and awards, their public listing and their referral link.
    """

    is_member: bool
    terms: tuple[TermData, ...]
    progress: tuple[RetentionProgressData, ...]
    activities: tuple[ActivityData, ...]
    activity_total: int
    activity_types: tuple[ActivityTypeChoice, ...]
    credentials: tuple[CredentialData, ...]
    incentives: tuple[IncentiveDeliveryData, ...]
    listing: ListingData
    referral: ReferralData | None


@attrs.frozen
class ShareKitData:
    """What a member can share of one valid credential: a post ready to paste, and what to attach."""

    public_id: str
    track_name: str
    post: str
    linkedin_share_url: str
    badge_image_url: str
    certificate_url: str
    verify_url: str


@attrs.frozen
class KpiRow:
    """
    The program's indicators for one year, for all tracks (``track_slug`` empty) or one track.

    Definitions are in docs/decisions/0009. A ``None`` actual means the indicator does not apply
    (retention with no members the year before; initiatives and onboarding are program-wide).
    A ``None`` target means none is set.
    """

    year: int
    track_slug: str
    track_name: str
    active_members: int
    active_members_target: int | None
    previous_members: int
    retained_members: int
    retention_rate: float | None
    retention_target: float | None
    initiatives: int | None
    initiatives_target: int | None
    onboarded_members: int | None
    onboarded_partners: int | None
    onboarded_target: int | None
    nominations_submitted: int
    nominations_in_review: int
    nominations_accepted: int
    reviews_assigned: int
    reviews_submitted: int

    @property
    def active_members_met(self) -> bool | None:
        return None if self.active_members_target is None else self.active_members >= self.active_members_target

    @property
    def retention_met(self) -> bool | None:
        if self.retention_target is None or self.retention_rate is None:
            return None
        return self.retention_rate >= self.retention_target

    @property
    def initiatives_met(self) -> bool | None:
        if self.initiatives_target is None or self.initiatives is None:
            return None
        return self.initiatives >= self.initiatives_target

    @property
    def onboarded_met(self) -> bool | None:
        if self.onboarded_target is None or self.onboarded_members is None:
            return None
        return self.onboarded_members + (self.onboarded_partners or 0) >= self.onboarded_target


# The columns of the KPI table (CSV, the command, the REST endpoint), in order.
KPI_COLUMNS = (
    "year", "track_slug", "active_members", "active_members_target", "previous_members", "retained_members",
    "retention_rate", "retention_target", "initiatives", "initiatives_target", "onboarded_members",
    "onboarded_partners", "onboarded_target", "nominations_submitted", "nominations_in_review",
    "nominations_accepted", "reviews_assigned", "reviews_submitted",
)


@attrs.frozen
class BudgetReportLine:
    """One row of a budget report: a deliverable's estimate, what it actually cost, the difference."""

    deliverable: str
    description: str
    category: str
    currency: str
    estimated: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        """Estimate minus actual: positive is under budget, negative over."""
        return self.estimated - self.actual


@attrs.frozen
class BudgetReport:
    """
    A cycle's budget: its lines (or the program's default estimate when the cycle has none yet),
    an unbudgeted line when money was spent outside them, and the totals per currency.
    """

    cycle_year: int
    from_default_estimate: bool
    lines: tuple[BudgetReportLine, ...]

    @property
    def totals(self) -> tuple[BudgetReportLine, ...]:
        """One TOTAL line per currency used, in the order the currencies first appear."""
        sums: dict = {}
        for line in self.lines:
            estimated, actual = sums.get(line.currency, (Decimal(0), Decimal(0)))
            sums[line.currency] = (estimated + line.estimated, actual + line.actual)
        return tuple(BudgetReportLine(deliverable="TOTAL", description="", category="", currency=currency,
                                      estimated=estimated, actual=actual)
                     for currency, (estimated, actual) in sums.items())
