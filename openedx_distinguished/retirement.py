"""
Rules of user retirement (GDPR): remove or anonymise everything of a retired user, keeping the
program's records coherent (a retired nominator's nomination stays, without their identity).
"""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from openedx_distinguished import freshness
from openedx_distinguished.data import CURRENT_TERM_STATUSES, NominationStatus, TermStatus
from openedx_distinguished.models import (
    Activity,
    AuditEntry,
    Credential,
    Decision,
    DeclaredConflict,
    Deliverable,
    Endorsement,
    Fulfilment,
    FundingRequest,
    Initiative,
    MemberProfile,
    MembershipTerm,
    Nomination,
    NominationTransition,
    Onboarding,
    PanelMember,
    PartnerOrganization,
    ReferralCode,
    Review,
    ReviewAssignment,
)
from openedx_distinguished.notifications import forget_messages

RETIRED = "Account retired."
UNDECIDED = (NominationStatus.DRAFT, NominationStatus.AWAITING_CONSENT, NominationStatus.SUBMITTED,
             NominationStatus.IN_REVIEW)


def retire_user(*, user_id: int) -> None:
    """
    Remove or anonymise every PII-annotated field of the user, in one transaction. Idempotent:
    running it again (a retried retirement) finds nothing left to change.

    * what the user wrote is blanked (endorsements, reviews, conflict reasons, transition reasons,
      audit details) and their identity is cut from the rows that stay (nominations they made,
      decisions they recorded, onboardings they brought in);
    * what is about the user is blanked too: nominations of them are withdrawn and their case
      (justifications, evidence, reviews' comments, the decision's rationale) erased;
    * their memberships end (revoked, with a neutral reason) and their credentials are revoked and
      emptied of the hashed identity; their activities, referral code, panel seats and review
      assignments are deleted; shipping addresses are erased;
    * their emails lose the recipient and what they said, and emails to others about a nomination
      of them, or by them, lose what they said (and so are never sent).
    """
    username = get_user_model().objects.filter(pk=user_id).values_list("username", flat=True).first()
    with transaction.atomic():
        freshness.changed(freshness.PRESENCE, freshness.BADGES)  # their listing goes, their badges are revoked
        about = list(Nomination.objects.filter(nominee_user_id=user_id).values_list("pk", flat=True))
        made = list(Nomination.objects.filter(nominator_id=user_id).values_list("pk", flat=True))
        endorsed = Endorsement.objects.filter(endorser_id=user_id).values_list("pk", flat=True)
        endorsing_them = Endorsement.objects.filter(nomination_id__in=about).values_list("pk", flat=True)
        # Where the person has each role a message may name (notifications.NAMEABLE).
        forget_messages(user_id=user_id, named={
            ("nomination", "nominee"): about, ("nomination", "nominator"): made,
            ("endorsement", "endorser"): list(endorsed), ("endorsement", "nominee"): list(endorsing_them),
        })
        _nominations_about(about)
        Nomination.objects.filter(nominator_id=user_id).update(nominator=None)
        Nomination.objects.filter(nominee_user_id=user_id).update(nominee_user=None)
        Endorsement.objects.filter(endorser_id=user_id).update(endorser=None, justifications={}, evidence_links=[])
        NominationTransition.objects.filter(actor_id=user_id).update(actor=None, reason="")
        DeclaredConflict.objects.filter(reviewer_id=user_id).delete()
        ReviewAssignment.objects.filter(reviewer_id=user_id).delete()
        Review.objects.filter(reviewer_id=user_id).update(reviewer=None, panel_comments="", nominee_feedback="")
        Decision.objects.filter(decided_by_id=user_id).update(decided_by=None)
        AuditEntry.objects.filter(actor_id=user_id).update(actor=None, detail={})
        if username:
            AuditEntry.objects.filter(detail__reviewer=username).update(detail={})
        PanelMember.objects.filter(user_id=user_id).delete()
        _terms_of(user_id)
        Activity.objects.filter(user_id=user_id).delete()
        Onboarding.objects.filter(member_id=user_id).update(member=None)
        Onboarding.objects.filter(referred_user_id=user_id).update(referred_user=None)
        ReferralCode.objects.filter(user_id=user_id).delete()
        MemberProfile.objects.filter(user_id=user_id).delete()
        PartnerOrganization.contacts.through.objects.filter(user_id=user_id).delete()
        Initiative.leads.through.objects.filter(user_id=user_id).delete()


def _nominations_about(nomination_ids: list[int]) -> None:
    """Withdraw open nominations of the retired nominee and erase their case."""
    if not nomination_ids:
        return
    open_ones = Nomination.objects.filter(pk__in=nomination_ids, status__in=[s.value for s in UNDECIDED])
    for nomination in open_ones:
        NominationTransition.objects.create(nomination=nomination, from_status=nomination.status,
                                            to_status=NominationStatus.WITHDRAWN.value, reason=RETIRED)
    open_ones.update(status=NominationStatus.WITHDRAWN.value, active_key=None)
    Nomination.objects.filter(pk__in=nomination_ids).update(justifications={}, evidence_links=[])
    Endorsement.objects.filter(nomination_id__in=nomination_ids).update(justifications={}, evidence_links=[])
    NominationTransition.objects.filter(nomination_id__in=nomination_ids).exclude(reason=RETIRED).update(reason="")
    Review.objects.filter(nomination_id__in=nomination_ids).update(panel_comments="", nominee_feedback="")
    Decision.objects.filter(nomination_id__in=nomination_ids).update(rationale="", feedback="", citation="",
                                                                     quorum_override_reason="")
    DeclaredConflict.objects.filter(nomination_id__in=nomination_ids).update(reason="")
    AuditEntry.objects.filter(nomination_id__in=nomination_ids).update(detail={})


def _terms_of(user_id: int) -> None:
    """
    End the user's memberships, revoke and empty their credentials, erase shipping addresses and
    staff's notes on their incentives, and their funding requests' words.
    """
    terms = MembershipTerm.objects.filter(holder_user_id=user_id)
    term_ids = list(terms.values_list("pk", flat=True))
    terms.filter(status__in=[s.value for s in CURRENT_TERM_STATUSES]).update(
        status=TermStatus.REVOKED.value, current_key=None)
    terms.update(revoked_reason="", holder_user=None)
    Credential.objects.filter(term_id__in=term_ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revocation_reason=RETIRED)
    Credential.objects.filter(term_id__in=term_ids).update(recipient_email_hash="", document={}, jwt="")
    Fulfilment.objects.filter(term_id__in=term_ids).update(shipping_name="", shipping_address="")
    Deliverable.objects.filter(term_id__in=term_ids).update(notes="")
    FundingRequest.objects.filter(deliverable__term_id__in=term_ids).update(
        project="", description="", reasons="", decision_note="")
