"""
Tables of membership: terms, activities, the annual evaluation, initiatives and onboarding.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from openedx_distinguished.data import (
    ActivitySource,
    ActivityStatus,
    EvaluationOutcome,
    InitiativeStatus,
    NomineeKind,
    TermStatus,
)

from .nominations import Nomination
from .program import Cycle, PartnerOrganization, Program, Track, check_constraint


def _choices(enum):
    return [(member.value, member.name.replace("_", " ").capitalize()) for member in enum]


class MembershipTerm(models.Model):
    """
    One term of Distinguished Contributor status in a track, held by a user or an organization.

    ``current_key`` is "<track>:<holder>" while the term is current (active, renewal due or
    lifetime) and NULL otherwise; its unique index is the database's guarantee of at most one
    current term per holder and track.

    .. pii: The revocation reason is free text about the holder; the holder is a foreign key to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="terms")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="terms",
                              help_text="The cycle whose announcement (or evaluation) started this term.")
    holder_kind = models.CharField(max_length=20, choices=_choices(NomineeKind))
    holder_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="distinguished_terms")
    holder_organization = models.ForeignKey(PartnerOrganization, null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="terms")
    nomination = models.OneToOneField(Nomination, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="term")
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next")
    sequence = models.PositiveSmallIntegerField(default=1, help_text="1 for a first term, 2 for its renewal, …")
    status = models.CharField(max_length=20, choices=_choices(TermStatus), default=TermStatus.ACTIVE.value,
                              db_index=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="None for lifetime status.")
    revoked_reason = models.TextField(blank=True)
    current_key = models.CharField(max_length=60, null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            check_constraint(Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                             name="od_term_ends_after_start"),
            check_constraint(
                Q(holder_kind=NomineeKind.INDIVIDUAL.value, holder_organization__isnull=True)
                | Q(holder_kind=NomineeKind.ORGANIZATION.value, holder_user__isnull=True,
                    holder_organization__isnull=False),
                name="od_term_one_holder",
            ),
        ]

    def __str__(self):
        holder = self.holder_organization or self.holder_user or "—"
        return f"{holder} · {self.track_id} · {self.status}"


class TermEvaluation(models.Model):
    """
    The annual evaluation of one term against the retention rule, and staff's confirmation.

    .. no_pii:
    """

    term = models.OneToOneField(MembershipTerm, on_delete=models.CASCADE, related_name="evaluation")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="evaluations")
    recommendation = models.CharField(max_length=10, choices=_choices(EvaluationOutcome))
    reasons = models.JSONField(default=list)
    qualifying_activities = models.PositiveIntegerField(default=0)
    evaluated_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    def __str__(self):
        return f"{self.recommendation} for term {self.term_id}"


class ActivityType(models.Model):
    """
    A kind of member activity (event, working group, mentorship, …). Which kinds satisfy the
    retention rule is the program's ``retention_activity_types``.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="activity_types")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    definition_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "slug"], name="od_activity_type_unique_slug")]

    def __str__(self):
        return self.name


class QualifyingCourseRun(models.Model):
    """
    A course run staff marked as a qualifying event or working group: enrolling in it, passing it
    or earning its certificate records a verified activity for a member.

    .. no_pii:
    """

    course_key = models.CharField(max_length=255, unique=True, help_text="e.g. course-v1:OpenedX+Conf+2026")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="course_runs")
    title = models.CharField(max_length=255)

    def __str__(self):
        return f"{self.title} ({self.course_key})"


class Activity(models.Model):
    """
    Something a member did. ``external_id`` makes imports and platform events idempotent.

    .. pii: Title, description, evidence and the review note are written by the member or staff about the member.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="distinguished_activities")
    activity_type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    occurred_on = models.DateField()
    source = models.CharField(max_length=20, choices=_choices(ActivitySource))
    status = models.CharField(max_length=10, choices=_choices(ActivityStatus), default=ActivityStatus.PENDING.value)
    course_key = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, help_text="Why staff rejected it, shown to the member.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["user", "status", "occurred_on"], name="od_activity_user_status_day")]

    def __str__(self):
        return f"{self.title} ({self.occurred_on})"


class Initiative(models.Model):
    """
    A community-driven initiative or proposal (e.g. an OEP) led by members.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=255)
    link = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=_choices(InitiativeStatus),
                              default=InitiativeStatus.PROPOSED.value)
    year = models.PositiveSmallIntegerField(db_index=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="distinguished_initiatives", blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "title"]

    def __str__(self):
        return self.title


class ReferralCode(models.Model):
    """
    A member's referral code for the ``/distinguished/join/<code>/`` link.

    .. no_pii:
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="distinguished_referral_code")
    code = models.CharField(max_length=32, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.code


class Onboarding(models.Model):
    """
    A new community member or partner organization brought in by a member.

    .. pii: The referred user is a foreign key to the user; ``organization_name`` names a company.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="distinguished_onboardings")
    referred_user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="distinguished_referred_by")
    organization = models.ForeignKey(PartnerOrganization, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="onboardings")
    organization_name = models.CharField(max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.referred_user or self.organization or self.organization_name} via {self.member}"


class MemberProfile(models.Model):
    """
    A member's choices about their public presence: whether the hall of fame, member page, feed
    and learner-profile badges may show them (off until they say so), and their page's slug.

    .. pii: The slug may be derived from the username; the row belongs to the user.
    .. pii_types: username
    .. pii_retirement: local_api
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="distinguished_profile")
    listed = models.BooleanField(default=False, help_text="Shown in the hall of fame and on the learner profile.")
    slug = models.SlugField(max_length=100, unique=True)
    modified = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user} ({'listed' if self.listed else 'not listed'})"
