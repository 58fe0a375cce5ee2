"""
Tables of nominations: the nomination itself, endorsements of it, and its recorded state changes.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q

from openedx_distinguished.data import NominationKind, NominationStatus, NomineeKind

from .program import Cycle, PartnerOrganization, Track, check_constraint

STATUS_CHOICES = [(status.value, status.name.replace("_", " ").capitalize()) for status in NominationStatus]


class Nomination(models.Model):
    """
    One person's case for recognising a nominee (a user or a partner organization) in one track.

    ``active_key`` holds "<cycle>:<track>:<nominee>" while the nomination is active and NULL
    otherwise; its unique index is the database's guarantee that a nominee has at most one active
    nomination per track and cycle, on every backend (MySQL has no partial unique indexes).

    .. pii: The nominator's justifications and evidence describe the nominee and may name people.
       The nominator and nominee are foreign keys to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="nominations")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="nominations")
    kind = models.CharField(max_length=10, choices=[(k.value, k.name.title()) for k in NominationKind])
    nominee_kind = models.CharField(max_length=20, choices=[(k.value, k.name.title()) for k in NomineeKind])
    nominator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="distinguished_nominations_made",
    )
    nominee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="distinguished_nominations_received",
    )
    nominee_organization = models.ForeignKey(
        PartnerOrganization, null=True, blank=True, on_delete=models.PROTECT, related_name="nominations",
    )
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=NominationStatus.DRAFT.value,
                              db_index=True)
    justifications = models.JSONField(default=dict, blank=True,
                                      help_text="Justification text per criterion slug.")
    evidence_links = models.JSONField(default=list, blank=True)
    active_key = models.CharField(max_length=100, null=True, blank=True, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The token of the page form that created it: a form posted twice (a double click, the back
    # button) finds its nomination instead of making a second one.
    form_token = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["cycle", "nominator"], name="od_nomination_by_nominator"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["nominator", "form_token"], name="od_nomination_form_once"),
            # A nomination names exactly one nominee, of the kind it says. The nominee user may
            # become NULL only through account retirement, so the check allows that.
            check_constraint(
                (Q(nominee_kind=NomineeKind.INDIVIDUAL.value) & Q(nominee_organization__isnull=True))
                | (Q(nominee_kind=NomineeKind.ORGANIZATION.value) & Q(nominee_user__isnull=True)
                   & Q(nominee_organization__isnull=False)),
                name="od_nomination_one_nominee",
            ),
        ]

    def __str__(self):
        return f"Nomination {self.pk} ({self.track_id}/{self.status})"


class Endorsement(models.Model):
    """
    Someone's support for a nomination that already existed, with their own statement and evidence.

    A withdrawn endorsement keeps its row (``withdrawn_at`` set) so that supporting again reuses it;
    nobody but the endorser and program staff sees it any more.

    .. pii: The endorser's justifications and evidence; the endorser is a foreign key to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="endorsements")
    endorser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="distinguished_endorsements",
    )
    justifications = models.JSONField(default=dict, blank=True)
    evidence_links = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    form_token = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "endorser"], name="od_endorsement_once_per_endorser"),
        ]

    def __str__(self):
        return f"Endorsement {self.pk} of nomination {self.nomination_id}"


class NominationTransition(models.Model):
    """
    One recorded change of a nomination's status: who, when, from, to and why.

    .. pii: The reason is free text written by the actor; the actor is a foreign key to the user.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"
