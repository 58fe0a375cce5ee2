"""
Tables of incentive delivery: each incentive of a term's track, owed to that term, with where its
delivery stands (ADR 0020).
"""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from openedx_distinguished.data import DeliverableStatus, FundingStatus, InvitationAnswer

from .membership import MembershipTerm
from .program import Incentive


class Deliverable(models.Model):
    """
    One incentive of a track owed to one membership term: its status (which moves along the flow of
    its incentive's kind), the staff member who owns it, when it is due, what it cost and notes.

    .. pii: The notes are program staff's, and may mention the member; emptied on retirement.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    term = models.ForeignKey(MembershipTerm, on_delete=models.CASCADE, related_name="deliverables")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="deliverables")
    status = models.CharField(max_length=20, default=DeliverableStatus.PLANNED.value,
                              choices=[(s.value, s.name.capitalize()) for s in DeliverableStatus])
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="The staff member who sees to it.")
    due_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Program staff's notes; the member does not see them.")
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="USD")
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When the member answered the offer.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["term", "incentive"], name="od_deliverable_once")]
        indexes = [models.Index(fields=["status", "due_on"], name="od_deliverable_status_due")]

    def __str__(self):
        return f"{self.incentive} for term {self.term_id}: {self.status}"


class FundingRequest(models.Model):
    """
    A member's request for support of a project, made on a funding incentive owed to them: what the
    project is, why, how much; then staff's decision and the amount approved (ADR 0020).

    .. pii: The project's description and reasons are the member's words; the staff note may
       mention the member. Emptied on retirement.
    .. pii_types: other
    .. pii_retirement: local_api
    """

    deliverable = models.OneToOneField(Deliverable, on_delete=models.CASCADE, related_name="funding_request")
    project = models.CharField(max_length=200)
    description = models.TextField(help_text="What the project is and what the money pays for.")
    reasons = models.TextField(help_text="Why it matters for Open edX.")
    amount_requested = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="USD")
    status = models.CharField(max_length=20, default=FundingStatus.REQUESTED.value,
                              choices=[(s.value, s.name.capitalize()) for s in FundingStatus])
    amount_approved = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True,
                                          validators=[MinValueValidator(0)])
    decision_note = models.TextField(blank=True, help_text="What the member is told with the decision.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"{self.project} ({self.amount_requested} {self.currency}): {self.status}"


class FundingPayment(models.Model):
    """
    A payment made on an approved funding request.

    .. no_pii:
    """

    funding_request = models.ForeignKey(FundingRequest, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="The transfer's or invoice's reference.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]

    def __str__(self):
        return f"{self.amount} on {self.paid_on}"


class Invitation(models.Model):
    """
    A discussion, session or programme members of a track are invited to, through one of its
    incentives (an opportunity or an access): when and where, sent to every eligible member at once,
    their answers collected (ADR 0020).

    .. no_pii:
    """

    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="invitations")
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True, help_text="A place, or the link to join.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent to eligible members.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"


class InvitationReply(models.Model):
    """
    One invited term's answer to an invitation: waiting, yes or no.

    .. no_pii:
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="replies")
    term = models.ForeignKey(MembershipTerm, on_delete=models.CASCADE, related_name="invitation_replies")
    answer = models.CharField(max_length=10, default=InvitationAnswer.WAITING.value,
                              choices=[(a.value, a.name.capitalize()) for a in InvitationAnswer])
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["invitation", "term"], name="od_invitation_reply_once")]

    def __str__(self):
        return f"{self.invitation_id} / term {self.term_id}: {self.answer}"
