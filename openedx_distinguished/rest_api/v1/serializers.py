"""
Shapes of the v1 REST API: input validation of request bodies and the output of the API's records.
"""
from rest_framework import serializers

from openedx_distinguished.data import ConsentDecision, CyclePhase, IncentiveKind, NominationKind, NominationStatus
from openedx_distinguished.data import NomineeKind


class CriterionSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """A criterion the review panel scores."""

    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)


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


class EndorsementSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """An endorsement of an existing nomination."""

    id = serializers.IntegerField()
    nomination = serializers.IntegerField(source="nomination_id")
    endorser_username = serializers.CharField(allow_null=True)
    justifications = serializers.DictField(child=serializers.CharField(allow_blank=True))
    evidence_links = serializers.ListField(child=serializers.CharField())
    created = serializers.DateTimeField()


class NominationOutcomeSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """
    The result of a create or submit: ``outcome`` says whether it made a nomination or endorsed one.
    """

    outcome = serializers.ChoiceField(choices=["nomination", "endorsement"])
    nomination = NominationSerializer(allow_null=True)
    endorsement = EndorsementSerializer(allow_null=True)


class _TextDictField(serializers.DictField):
    child = serializers.CharField(allow_blank=True, trim_whitespace=False)


class NominationCreateSerializer(serializers.Serializer):  # pylint: disable=abstract-method
    """Request body to start a nomination (or endorse an existing one)."""

    cycle = serializers.IntegerField(help_text="Year of the cycle.")
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

    cycle = serializers.IntegerField(required=False, min_value=1, max_value=9999)
    status = serializers.ChoiceField(choices=[st.value for st in NominationStatus], required=False)
    scope = serializers.ChoiceField(choices=["mine", "all"], required=False, default="mine")
