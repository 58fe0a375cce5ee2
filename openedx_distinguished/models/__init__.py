"""
The plugin's database tables, one module per program concept.
"""
from .budget import BudgetLine, Expense
from .communications import MessageLog
from .credentials import Credential, SigningKey
from .fulfilment import Fulfilment
from .incentives import Deliverable, FundingPayment, FundingRequest, Invitation, InvitationReply
from .membership import (
    Activity,
    ActivityType,
    Initiative,
    MemberProfile,
    MembershipTerm,
    Onboarding,
    QualifyingCourseRun,
    ReferralCode,
    TermEvaluation,
)
from .nominations import Endorsement, Nomination, NominationTransition
from .program import Criterion, Cycle, Incentive, PartnerOrganization, Program, Track
from .review import AuditEntry, CriterionScore, Decision, DeclaredConflict, Panel, PanelMember, Review, ReviewAssignment

__all__ = [
    "BudgetLine",
    "Expense",
    "MessageLog",
    "Credential",
    "Fulfilment",
    "Deliverable",
    "FundingPayment",
    "FundingRequest",
    "Invitation",
    "InvitationReply",
    "SigningKey",
    "Activity",
    "ActivityType",
    "Initiative",
    "MemberProfile",
    "MembershipTerm",
    "Onboarding",
    "QualifyingCourseRun",
    "ReferralCode",
    "TermEvaluation",
    "AuditEntry",
    "CriterionScore",
    "Decision",
    "DeclaredConflict",
    "Panel",
    "PanelMember",
    "Review",
    "ReviewAssignment",
    "Criterion",
    "Cycle",
    "Endorsement",
    "Incentive",
    "Nomination",
    "NominationTransition",
    "PartnerOrganization",
    "Program",
    "Track",
]
