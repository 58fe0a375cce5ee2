"""
Tables of the review: panels and their members, assignments, conflicts, reviews, decisions, the audit log.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from openedx_distinguished.data import RUBRIC_MAX, RUBRIC_MIN, AuditAction, PanelRole, Recommendation

from .nominations import Nomination
from .program import Criterion, Cycle, Program, Track, check_constraint

RECOMMENDATION_CHOICES = [(r.value, r.name.capitalize()) for r in Recommendation]


class Panel(models.Model):
    """
    A review panel (e.g. the Core Product working group) and the tracks it reviews.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="panels")
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    tracks = models.ManyToManyField(Track, related_name="panels", blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "slug"], name="od_panel_unique_slug")]

    def __str__(self):
        return self.name


class PanelMember(models.Model):
    """
    A user who reviews for a panel, or chairs it.

    .. no_pii:
    """

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="distinguished_panel_memberships")
    role = models.CharField(max_length=10, choices=[(r.value, r.name.capitalize()) for r in PanelRole],
                            default=PanelRole.REVIEWER.value)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="od_panel_member_once")]

    def __str__(self):
        return f"{self.user} ({self.role}, {self.panel})"


class ReviewAssignment(models.Model):
    """
    A nomination given to a reviewer to score.

    .. no_pii:
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="distinguished_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer"], name="od_assignment_once")]

    def __str__(self):
        return f"{self.reviewer} → nomination {self.nomination_id}"


class DeclaredConflict(models.Model):
    """
    A conflict of interest a reviewer declared about a nomination.

    .. pii: The reason is free text by the reviewer; the reviewer is a foreign key to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="declared_conflicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="distinguished_declared_conflicts")
    reason = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer"], name="od_conflict_once")]

    def __str__(self):
        return f"{self.reviewer} conflicted on nomination {self.nomination_id}"


class Review(models.Model):
    """
    A reviewer's scores, recommendation and comments for one nomination.

    .. pii: Comments and feedback are free text by the reviewer about the nominee.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                 related_name="distinguished_reviews")
    recommendation = models.CharField(max_length=10, choices=RECOMMENDATION_CHOICES)
    panel_comments = models.TextField(blank=True, help_text="For the panel only.")
    nominee_feedback = models.TextField(blank=True, help_text="May be passed on to the nominee.")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["nomination", "reviewer"], name="od_review_once")]

    def __str__(self):
        return f"Review of nomination {self.nomination_id} by {self.reviewer}"


class CriterionScore(models.Model):
    """
    The score a review gives one criterion, on the rubric's scale.

    .. no_pii:
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="od_score_once"),
            check_constraint(Q(score__gte=RUBRIC_MIN) & Q(score__lte=RUBRIC_MAX), name="od_score_on_rubric"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


class Decision(models.Model):
    """
    The panel's decision on a nomination. It stays confidential (pending) until the cycle's
    announcement is released; only then does the nomination's status show it.

    .. pii: The rationale and feedback are free text about the nominee.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(max_length=10, choices=RECOMMENDATION_CHOICES)
    rationale = models.TextField()
    feedback = models.TextField(blank=True, help_text="Shared with the nominee after the announcement.")
    citation = models.CharField(max_length=300, blank=True,
                                help_text="Public once released: what the announcement says of the new member.")
    quorum_override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.outcome} for nomination {self.nomination_id}"


class AuditEntry(models.Model):
    """
    One recorded act of the review: who did what, when, to which nomination.

    .. pii: ``detail`` may quote reasons written by the actor; the actor is a foreign key to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="audit_entries")
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    action = models.CharField(
        max_length=30, choices=[(a.value, a.name.replace("_", " ").capitalize()) for a in AuditAction],
    )
    detail = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor} {self.action}"
