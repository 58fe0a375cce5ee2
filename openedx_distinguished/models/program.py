"""
Tables of the program definition: the program's policy, tracks, criteria, incentives, partners, cycles.
"""
from decimal import Decimal

import django
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from openedx_distinguished.data import IncentiveKind


def check_constraint(condition, name):
    """
    Build a named CheckConstraint on Django 4.2 (``check=``) and 5.1+ (``condition=``) alike.
    """
    keyword = "condition" if django.VERSION >= (5, 1) else "check"
    return models.CheckConstraint(**{keyword: condition}, name=name)


class LoadedFromDefinition(models.Model):
    """
    A row that the program definition file may create and later refresh.

    ``definition_fingerprint`` is the hash of the values the file last wrote. When the row's
    current values no longer hash to it, staff edited the row and the loader leaves it alone.
    """

    definition_fingerprint = models.CharField(
        max_length=64, blank=True, default="", editable=False,
        help_text="Hash of the values last loaded from the program definition file.",
    )

    class Meta:
        abstract = True


class Program(LoadedFromDefinition):
    """
    The recognition program and the policy numbers its rules read.

    .. no_pii:
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_length_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1)],
        help_text="Length of one membership term.",
    )
    lifetime_after_years = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1)],
        help_text="Sustained years of membership after which lifetime status is granted.",
    )
    retention_min_activities = models.PositiveSmallIntegerField(
        default=1, help_text="Qualifying verified activities a member needs in each term year.",
    )
    retention_activity_types = models.JSONField(
        default=list, blank=True,
        help_text="Activity types that satisfy the retention rule (e.g. event, working_group).",
    )
    max_nominations_per_nominator = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)],
        help_text="How many nominations one person may make in one cycle (drafts included).",
    )
    target_active_members_first_year = models.PositiveIntegerField(default=10)
    target_retention_rate = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.800"),
        help_text="Year-over-year retention target, as a fraction (0.8 = 80%).",
    )
    target_initiatives_per_year = models.PositiveIntegerField(default=3)
    target_onboarded_per_year = models.PositiveIntegerField(
        null=True, blank=True, help_text="Members and partners onboarded by members per year, if set.",
    )

    class Meta:
        permissions = [
            ("manage_program", "Can run the Distinguished Contributor program"),
        ]
        constraints = [
            check_constraint(
                Q(target_retention_rate__gte=0) & Q(target_retention_rate__lte=1),
                name="od_program_retention_rate_fraction",
            ),
        ]

    def __str__(self):
        return self.name


class Track(LoadedFromDefinition):
    """
    A recognition track (e.g. Distinguished Engineer), with its own criteria and incentives.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tracks")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    who_qualifies = models.TextField(blank=True)
    badge_name = models.CharField(max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Inactive tracks take no nominations.")
    retention_activity_types = models.JSONField(
        default=list, blank=True,
        help_text="Activity types that satisfy the retention rule in this track; empty: the program's list.",
    )
    badge_png = models.FileField(upload_to="distinguished/badges/", blank=True,
                                 help_text="Badge artwork (PNG); empty: the artwork shipped with the plugin.")
    badge_svg = models.FileField(upload_to="distinguished/badges/", blank=True,
                                 help_text="Badge artwork (SVG); empty: the artwork shipped with the plugin.")

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "slug"], name="od_track_unique_slug"),
        ]

    def __str__(self):
        return self.name


class Criterion(LoadedFromDefinition):
    """
    One thing the review panel scores in a track (the proposal's "parameters").

    .. no_pii:
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="criteria")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=1,
        help_text="Relative weight of this criterion in the track's aggregated score.",
    )
    anchor_low = models.CharField(max_length=300, blank=True,
                                  help_text="What the lowest score of the rubric means for this criterion.")
    anchor_high = models.CharField(max_length=300, blank=True,
                                   help_text="What the highest score of the rubric means for this criterion.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["track", "slug"], name="od_criterion_unique_slug"),
            check_constraint(
                Q(weight__gt=0),
                name="od_criterion_weight_positive",
            ),
        ]

    def __str__(self):
        return self.name


class Incentive(LoadedFromDefinition):
    """
    One benefit members of a track receive.

    .. no_pii:
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="incentives")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=[(kind.value, kind.name.title()) for kind in IncentiveKind],
        default=IncentiveKind.RECOGNITION.value,
    )
    is_physical = models.BooleanField(default=False, help_text="Needs shipping to the member.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["track", "slug"], name="od_incentive_unique_slug"),
        ]

    def __str__(self):
        return self.name


class PartnerOrganization(models.Model):
    """
    An implementation partner that can be nominated; its contact users act for it.

    ``short_name`` may match an ``edx-organizations`` short name; nothing requires that app.

    .. no_pii:
    """

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=255)
    short_name = models.CharField(max_length=255, blank=True, db_index=True)
    website = models.URLField(blank=True)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="distinguished_organizations",
        help_text="Users who may consent and act for the organization.",
    )
    listed = models.BooleanField(default=False, help_text="Shown in the hall of fame when it is a member.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def _ordered(earlier, later):
    return Q(**{f"{later}__gte": F(earlier)})


class Cycle(models.Model):
    """
    One yearly recognition cycle. Its phase is never stored: it follows from these dates.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cycles")
    year = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200, blank=True)
    nominations_open_at = models.DateTimeField()
    nominations_close_at = models.DateTimeField()
    review_deadline = models.DateTimeField()
    decision_date = models.DateTimeField()
    announcement_at = models.DateTimeField(help_text="When the results are announced (the conference).")
    ends_at = models.DateTimeField(help_text="When the cycle closes for good.")
    announcement_released_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the cycle's decisions were released; set once, by the release.",
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="od_cycle_unique_year"),
            check_constraint(
                Q(nominations_close_at__gt=F("nominations_open_at"))
                & _ordered("nominations_close_at", "review_deadline")
                & _ordered("review_deadline", "decision_date")
                & _ordered("decision_date", "announcement_at")
                & _ordered("announcement_at", "ends_at"),
                name="od_cycle_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.name or str(self.year)
