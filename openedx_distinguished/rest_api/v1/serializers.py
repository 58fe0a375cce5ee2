"""
Shapes of the v1 REST API: input validation of request bodies and the output of the API's records.
"""
import re

from rest_framework import serializers

from openedx_distinguished.data import (
    ActivitySource,
    ActivityStatus,
    ConsentDecision,
    CyclePhase,
    EvaluationOutcome,
    IncentiveKind,
    InitiativeStatus,
    NominationKind,
    NominationStatus,
    NomineeKind,
    Recommendation,
    TermStatus,
)
from openedx_distinguished.parsing import FIRST_YEAR, LAST_YEAR


class CriterionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A criterion the review panel scores."""

    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    anchor_low = serializers.CharField(help_text="What the lowest rubric score means for this criterion.")
    anchor_high = serializers.CharField(help_text="What the highest rubric score means for this criterion.")


class IncentiveSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A benefit of membership in a track."""

    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k.value for k in IncentiveKind])
    is_physical = serializers.BooleanField()


class TrackSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A recognition track with its criteria and incentives."""

    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    who_qualifies = serializers.CharField()
    badge_name = serializers.CharField()
    criteria = CriterionSerializer(many=True)
    incentives = IncentiveSerializer(many=True)


class CycleSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A yearly cycle with its dates and current phase."""

    year = serializers.IntegerField()
    name = serializers.CharField()
    phase = serializers.ChoiceField(choices=[p.value for p in CyclePhase])
    nominations_open_at = serializers.DateTimeField()
    nominations_close_at = serializers.DateTimeField()
    review_deadline = serializers.DateTimeField()
    decision_date = serializers.DateTimeField()
    announcement_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class OrganizationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A partner organization that can be nominated."""

    slug = serializers.CharField()
    name = serializers.CharField()
    website = serializers.CharField()


class NominationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A nomination as its nominator, nominee or program staff see it."""

    id = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_year")
    track = serializers.CharField(source="track_slug")
    track_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[k.value for k in NominationKind])
    nominee_kind = serializers.ChoiceField(choices=[k.value for k in NomineeKind])
    nominee_username = serializers.CharField(allow_null=True)
    nominee_organization = serializers.CharField(source="nominee_organization_slug", allow_null=True)
    nominee_display_name = serializers.CharField()
    nominator_username = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=[s.value for s in NominationStatus])
    justifications = serializers.DictField(child=serializers.CharField(allow_blank=True))
    evidence_links = serializers.ListField(child=serializers.CharField())
    endorsement_count = serializers.IntegerField()
    created = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_feedback = serializers.CharField(
        allow_null=True, help_text="The panel's feedback, once the cycle's announcement is released.")


class EndorsementSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An endorsement of an existing nomination."""

    id = serializers.IntegerField()
    nomination = serializers.IntegerField(source="nomination_id")
    endorser_username = serializers.CharField(allow_null=True)
    justifications = serializers.DictField(child=serializers.CharField(allow_blank=True))
    evidence_links = serializers.ListField(child=serializers.CharField())
    created = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True, help_text="Set once the endorser withdrew it.")


class NominationOutcomeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """
    The result of a create or submit: ``outcome`` says whether it made a nomination or endorsed one.
    """

    outcome = serializers.ChoiceField(choices=["nomination", "endorsement"])
    nomination = NominationSerializer(allow_null=True)
    endorsement = EndorsementSerializer(allow_null=True)


class _TextDictField(serializers.DictField):
    """Text per criterion slug. Keys are checked first: a key that is not a slug is never echoed back."""

    child = serializers.CharField(allow_blank=True, trim_whitespace=False)
    key_pattern = re.compile(r"^[A-Za-z0-9_-]{1,100}$")

    def to_internal_value(self, data):
        if isinstance(data, dict) and not all(isinstance(key, str) and self.key_pattern.match(key) for key in data):
            raise serializers.ValidationError("Each key must be a criterion slug (letters, digits, - and _).")
        return super().to_internal_value(data)


class NominationCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body to start a nomination (or endorse an existing one)."""

    cycle = serializers.IntegerField(help_text="Year of the cycle.", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    track = serializers.SlugField(help_text="Slug of the track.")
    nominee_username = serializers.CharField(required=False, allow_blank=False, max_length=150)
    nominee_organization = serializers.SlugField(required=False, max_length=100)
    justifications = _TextDictField(required=False, help_text="Text per criterion slug of the track.")
    evidence_links = serializers.ListField(child=serializers.CharField(), required=False)


class NominationUpdateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body to edit a draft; the fields given replace the stored ones."""

    justifications = _TextDictField(required=False)
    evidence_links = serializers.ListField(child=serializers.CharField(), required=False)


class ReasonSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body carrying an optional reason."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ConsentSerializer(ReasonSerializer):  # pylint: disable=abstract-method
    """Request body of the nominee's answer to a peer nomination."""

    decision = serializers.ChoiceField(choices=[d.value for d in ConsentDecision])


class NominationFilterSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Query parameters of the nomination listing."""

    cycle = serializers.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    status = serializers.ChoiceField(choices=[st.value for st in NominationStatus], required=False)
    scope = serializers.ChoiceField(choices=["mine", "all"], required=False, default="mine")


# Review -------------------------------------------------------------------------------------

RECOMMENDATIONS = [r.value for r in Recommendation]


class ReviewSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One reviewer's review."""

    reviewer_username = serializers.CharField(allow_null=True)
    scores = serializers.DictField(child=serializers.IntegerField())
    weighted_score = serializers.FloatField()
    recommendation = serializers.ChoiceField(choices=RECOMMENDATIONS)
    panel_comments = serializers.CharField()
    nominee_feedback = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    modified = serializers.DateTimeField()


class ReviewInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a review: a score per criterion slug, a recommendation, comments."""

    scores = serializers.DictField(child=serializers.JSONField(), help_text="criterion slug → score from 1 to 5")
    recommendation = serializers.CharField(max_length=20, help_text="accept, decline or defer")
    panel_comments = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    nominee_feedback = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")


class AssignmentSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A nomination on a reviewer's work list."""

    nomination = serializers.IntegerField(source="nomination_id")
    cycle = serializers.IntegerField(source="cycle_year")
    track = serializers.CharField(source="track_slug")
    track_name = serializers.CharField()
    nominee_display_name = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer_username")
    reviewed = serializers.BooleanField()
    review_deadline = serializers.DateTimeField()
    assigned_at = serializers.DateTimeField()


class AssignInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body naming a reviewer to assign."""

    reviewer = serializers.CharField(max_length=150)


class ConflictSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A conflict of interest between a panel member and a nomination."""

    nomination = serializers.IntegerField(source="nomination_id")
    reviewer = serializers.CharField(source="reviewer_username")
    reasons = serializers.ListField(child=serializers.CharField())


class ConflictInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a declared conflict."""

    reason = serializers.CharField(max_length=2000)


class ReviewSheetSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A nomination as a reviewer works on it; ``other_reviews`` is null until they have reviewed."""

    nomination = NominationSerializer()
    criteria = CriterionSerializer(many=True)
    endorsements = EndorsementSerializer(many=True)
    own_review = ReviewSerializer(allow_null=True)
    other_reviews = ReviewSerializer(many=True, allow_null=True)
    review_deadline = serializers.DateTimeField()
    editable = serializers.BooleanField()


class AggregateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One row of the scoreboard."""

    rank = serializers.IntegerField(allow_null=True)
    nomination = serializers.IntegerField(source="nomination_id")
    track = serializers.CharField(source="track_slug")
    nominee_display_name = serializers.CharField()
    review_count = serializers.IntegerField()
    weighted_mean = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    normalised_score = serializers.FloatField(allow_null=True)
    quorum_reached = serializers.BooleanField()
    recommendations = serializers.DictField(child=serializers.IntegerField())
    decision = serializers.ChoiceField(choices=RECOMMENDATIONS, allow_null=True)


class DecisionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A decision, pending until the cycle's announcement is released."""

    nomination = serializers.IntegerField(source="nomination_id")
    outcome = serializers.ChoiceField(choices=RECOMMENDATIONS)
    rationale = serializers.CharField()
    feedback = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by_username", allow_null=True)
    decided_at = serializers.DateTimeField()
    quorum_override_reason = serializers.CharField()
    released_at = serializers.DateTimeField(allow_null=True)
    citation = serializers.CharField(help_text="Public once released: the announcement's words on the new member.")


class DecisionInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a decision."""

    outcome = serializers.ChoiceField(choices=RECOMMENDATIONS)
    rationale = serializers.CharField(max_length=10000)
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=10000, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    citation = serializers.CharField(required=False, allow_blank=True, max_length=300, default="",
                                     help_text="For an accept decision: what the announcement says of the new member.")


class AutoAssignInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of automatic assignment."""

    per_nomination = serializers.IntegerField(required=False, min_value=1, max_value=20)


class AutoAssignReportSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What automatic assignment did."""

    assigned = serializers.SerializerMethodField()
    short = serializers.SerializerMethodField()

    def get_assigned(self, report) -> list[dict]:
        return [{"nomination": n, "reviewer": r} for n, r in report.assigned]

    def get_short(self, report) -> list[dict]:
        return [{"nomination": n, "missing_reviewers": missing} for n, missing in report.short]


class CsvImportInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of an assignment import: the CSV text, or an uploaded file."""

    csv = serializers.CharField(required=False, max_length=1_000_000, trim_whitespace=False)
    file = serializers.FileField(required=False)

    def validate(self, attrs):
        if bool(attrs.get("csv")) == bool(attrs.get("file")):
            raise serializers.ValidationError({"csv": ["Send the CSV as 'csv' text or as a 'file' upload."]})
        return attrs


class ImportReportSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What an import wrote: the rows it created, and those it skipped (imported before)."""

    created = serializers.IntegerField()
    skipped = serializers.IntegerField()


class ReleaseReportSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """What releasing the announcement did."""

    cycle = serializers.IntegerField(source="cycle_year")
    already_released = serializers.BooleanField()
    released_at = serializers.DateTimeField(allow_null=True)
    outcomes = serializers.DictField(child=serializers.IntegerField())
    set_aside = serializers.ListField(child=serializers.IntegerField(), help_text=(
        "Nominations withdrawn after their decision was recorded: their decisions stay unpublished."))


class AuditEntrySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One entry of the review's audit log."""

    created = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    nomination_id = serializers.IntegerField(allow_null=True)
    detail = serializers.DictField()


# Membership ---------------------------------------------------------------------------------

class TermSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A membership term."""

    id = serializers.IntegerField()
    holder_kind = serializers.CharField()
    holder_username = serializers.CharField(allow_null=True)
    holder_organization = serializers.CharField(source="holder_organization_slug", allow_null=True)
    holder_display_name = serializers.CharField()
    track = serializers.CharField(source="track_slug")
    track_name = serializers.CharField()
    status = serializers.ChoiceField(choices=[s.value for s in TermStatus])
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    sequence = serializers.IntegerField()
    cycle = serializers.IntegerField(source="cycle_year")


class RevokeInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a revocation."""

    reason = serializers.CharField(max_length=2000, help_text="Why, for program staff only.")
    public_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                          help_text="What verifiers are told (a generic text when empty).")


class ActivitySerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An activity of a member."""

    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    activity_type = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    evidence_url = serializers.CharField()
    occurred_on = serializers.DateField()
    source = serializers.ChoiceField(choices=[s.value for s in ActivitySource])
    status = serializers.ChoiceField(choices=[s.value for s in ActivityStatus])
    course_key = serializers.CharField()
    review_note = serializers.CharField(help_text="Why staff rejected it, when they said.")


class ActivityReviewInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Verifying or rejecting an activity: an optional note the member sees."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ActivityInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a reported activity."""

    activity_type = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=255)
    occurred_on = serializers.DateField()
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ActivityImportSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of an activity import: JSON rows, CSV text, or an uploaded CSV file."""

    rows = serializers.ListField(child=serializers.DictField(), required=False, max_length=50000)
    csv = serializers.CharField(required=False, max_length=10_000_000, trim_whitespace=False)
    file = serializers.FileField(required=False)

    def validate(self, attrs):
        if sum(bool(attrs.get(name)) for name in ("rows", "csv", "file")) != 1:
            raise serializers.ValidationError({"rows": ["Send one of 'rows' (a list), 'csv' (text) or 'file' "
                                                        "(a CSV upload)."]})
        return attrs


class QualifyingRunSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body marking a course run as a qualifying event or working group."""

    course_key = serializers.CharField(max_length=255)
    activity_type = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class EvaluationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """The evaluation of one term."""

    term = serializers.IntegerField(source="term_id")
    recommendation = serializers.ChoiceField(choices=[o.value for o in EvaluationOutcome])
    reasons = serializers.ListField(child=serializers.CharField())
    qualifying_activities = serializers.IntegerField()
    confirmed = serializers.BooleanField()


class ConfirmInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a bulk confirmation (all pending evaluations when ``terms`` is absent)."""

    terms = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=100000)


class InitiativeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A community initiative."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=255)
    link = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=[s.value for s in InitiativeStatus], default="proposed")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    leads = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list)


class OnboardingInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body recording a partner organization onboarded by a member."""

    member = serializers.CharField(max_length=150)
    organization = serializers.SlugField(required=False, allow_blank=True, default="")
    organization_name = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    year = serializers.IntegerField(min_value=2000, max_value=2100)


# Credentials --------------------------------------------------------------------------------

class CredentialSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A credential with the links its holder needs."""

    public_id = serializers.CharField()
    term = serializers.IntegerField(source="term_id")
    holder_display_name = serializers.CharField()
    track = serializers.CharField(source="track_slug")
    track_name = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField(allow_null=True)
    lifetime = serializers.BooleanField()
    public_reason = serializers.CharField(help_text="What verifiers are told of a revocation (empty when valid).")
    links = serializers.DictField(child=serializers.CharField())


class AddressInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a shipping address."""

    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=1000)


class FulfilmentUpdateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a staff update to a fulfilment."""

    status = serializers.ChoiceField(choices=["pending", "shipped", "delivered", "returned"], required=False)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    cost = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)
    currency = serializers.CharField(max_length=3, required=False)


class DeliverableSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An incentive owed to a term; cost, currency, owner and notes are program staff's (null for the member)."""

    id = serializers.IntegerField()
    term = serializers.IntegerField(source="term_id")
    incentive = serializers.CharField(source="incentive_slug")
    incentive_name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    awaits_answer = serializers.BooleanField(help_text="An offer the member has not answered yet.")
    due_on = serializers.DateField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    cost = serializers.CharField(allow_null=True)
    currency = serializers.CharField(allow_null=True)
    owner = serializers.CharField(source="owner_username", allow_null=True)
    notes = serializers.CharField(allow_null=True)


class DeliverableUpdateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a staff update to a deliverable; ``owner`` is a staff username, null to clear it."""

    status = serializers.CharField(max_length=20, required=False)
    owner = serializers.CharField(max_length=150, required=False, allow_null=True)
    due_on = serializers.CharField(max_length=10, required=False, allow_blank=True)
    cost = serializers.CharField(max_length=20, required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, trim_whitespace=False)


class OfferAnswerSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a member's answer to an offer."""

    answer = serializers.ChoiceField(choices=["accept", "decline"])


class FundingRequestInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a member's funding request (the domain checks each field and says what is wrong)."""

    project = serializers.CharField(max_length=200, allow_blank=True)
    description = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)
    reasons = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)
    amount = serializers.CharField(max_length=20, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")


class FundingRequestSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A funding request as its member and program staff see it; amounts are decimal strings."""

    id = serializers.IntegerField()
    deliverable = serializers.IntegerField(source="deliverable_id")
    project = serializers.CharField()
    description = serializers.CharField()
    reasons = serializers.CharField()
    amount_requested = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField()
    amount_approved = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    amount_paid = serializers.DecimalField(max_digits=10, decimal_places=2)
    decision_note = serializers.CharField()
    created = serializers.DateTimeField()


class FundingDecisionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of staff's decision: approve (``amount`` empty for all that was asked) or decline."""

    approve = serializers.BooleanField()
    amount = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", trim_whitespace=False)


class FundingPaymentSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a payment staff record on an approved request."""

    amount = serializers.CharField(max_length=20)
    paid_on = serializers.CharField(max_length=10)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class InvitationSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An invitation as an invitee sees it, with their answer (waiting, yes or no) and whether it is still open."""

    id = serializers.IntegerField()
    reply = serializers.IntegerField(source="reply_id")
    incentive = serializers.CharField(source="incentive_slug")
    title = serializers.CharField()
    details = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    answer = serializers.CharField()
    term = serializers.IntegerField(source="term_id")
    is_open = serializers.BooleanField()


class InvitationAnswerSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of an invitee's answer."""

    answer = serializers.ChoiceField(choices=["yes", "no"])


class ListingInputSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body of a member's public-presence choice."""

    listed = serializers.BooleanField()
    slug = serializers.CharField(max_length=100, required=False, allow_blank=False)


class KpiRowSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One year's indicators, for all tracks (``track`` empty) or one track, with targets and whether met."""

    year = serializers.IntegerField()
    track = serializers.CharField(source="track_slug")
    track_name = serializers.CharField()
    active_members = serializers.IntegerField()
    active_members_target = serializers.IntegerField(allow_null=True)
    active_members_met = serializers.BooleanField(allow_null=True)
    previous_members = serializers.IntegerField()
    retained_members = serializers.IntegerField()
    retention_rate = serializers.FloatField(allow_null=True)
    retention_target = serializers.FloatField(allow_null=True)
    retention_met = serializers.BooleanField(allow_null=True)
    initiatives = serializers.IntegerField(allow_null=True)
    initiatives_target = serializers.IntegerField(allow_null=True)
    initiatives_met = serializers.BooleanField(allow_null=True)
    onboarded_members = serializers.IntegerField(allow_null=True)
    onboarded_partners = serializers.IntegerField(allow_null=True)
    onboarded_target = serializers.IntegerField(allow_null=True)
    onboarded_met = serializers.BooleanField(allow_null=True)
    nominations_submitted = serializers.IntegerField()
    nominations_in_review = serializers.IntegerField()
    nominations_accepted = serializers.IntegerField()
    reviews_assigned = serializers.IntegerField()
    reviews_submitted = serializers.IntegerField()


class BudgetLineSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """One budget row: estimate, actual cost and variance (estimate minus actual)."""

    deliverable = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    currency = serializers.CharField()
    estimated = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    variance = serializers.DecimalField(max_digits=14, decimal_places=2)


class BudgetReportSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A cycle's budget: its lines and one TOTAL per currency."""

    cycle_year = serializers.IntegerField()
    from_default_estimate = serializers.BooleanField()
    lines = BudgetLineSerializer(many=True)
    totals = BudgetLineSerializer(many=True)
