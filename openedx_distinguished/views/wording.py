"""
How the pages put the program's states into words: statuses, history and what happens next.
The pages never show a raw status code.
"""
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openedx_distinguished.data import (
    ActivitySource,
    ActivityStatus,
    CredentialStatus,
    DeliverableStatus,
    FulfilmentStatus,
    FundingStatus,
    NominationStanding,
    NominationStatus,
    Recommendation,
    TermStatus,
)

S = NominationStatus

NOMINATION_STATUS = {
    S.DRAFT: gettext_lazy("Draft"),
    S.AWAITING_CONSENT: gettext_lazy("Waiting for the nominee's consent"),
    S.SUBMITTED: gettext_lazy("Submitted"),
    S.IN_REVIEW: gettext_lazy("With the review panel"),
    S.ACCEPTED: gettext_lazy("Accepted"),
    S.DECLINED: gettext_lazy("Not selected this time"),
    S.DEFERRED: gettext_lazy("Deferred"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
    S.CONSENT_REFUSED: gettext_lazy("Declined by the nominee"),
}

# The tone of a status badge: waiting on someone, a good outcome, or over.
STATUS_TONE = {
    S.DRAFT: "waiting", S.AWAITING_CONSENT: "waiting", S.ACCEPTED: "good",
    S.DECLINED: "ended", S.DEFERRED: "ended", S.WITHDRAWN: "ended", S.CONSENT_REFUSED: "ended",
}

HISTORY = {
    S.DRAFT: gettext_lazy("Started as a draft"),
    S.AWAITING_CONSENT: gettext_lazy("Submitted; the nominee was asked to consent"),
    S.SUBMITTED: gettext_lazy("Submitted to the review panel"),
    S.IN_REVIEW: gettext_lazy("The review panel started its review"),
    S.ACCEPTED: gettext_lazy("Accepted at the announcement"),
    S.DECLINED: gettext_lazy("Not selected at the announcement"),
    S.DEFERRED: gettext_lazy("Deferred at the announcement"),
    S.WITHDRAWN: gettext_lazy("Withdrawn"),
    S.CONSENT_REFUSED: gettext_lazy("The nominee declined to be nominated"),
}

TERM_STATUS = {
    TermStatus.ACTIVE: gettext_lazy("Member"),
    TermStatus.RENEWAL_DUE: gettext_lazy("Member, renewal due"),
    TermStatus.RENEWED: gettext_lazy("Renewed"),
    TermStatus.LAPSED: gettext_lazy("Ended (alumni)"),
    TermStatus.LIFETIME: gettext_lazy("Lifetime member"),
    TermStatus.REVOKED: gettext_lazy("Revoked"),
}

ACTIVITY_STATUS = {
    ActivityStatus.PENDING: gettext_lazy("Waiting for verification"),
    ActivityStatus.VERIFIED: gettext_lazy("Verified"),
    ActivityStatus.REJECTED: gettext_lazy("Not verified"),
}

ACTIVITY_SOURCE = {
    ActivitySource.SELF_REPORTED: gettext_lazy("Reported by you"),
    ActivitySource.IMPORTED: gettext_lazy("Recorded by program staff"),
    ActivitySource.PLATFORM_EVENT: gettext_lazy("Recorded from a course"),
}

# A decision's outcome (and a reviewer's recommendation).
OUTCOME = {
    Recommendation.ACCEPT: gettext_lazy("Accept"),
    Recommendation.DECLINE: gettext_lazy("Decline"),
    Recommendation.DEFER: gettext_lazy("Defer to a later cycle"),
}

FULFILMENT_STATUS = {
    FulfilmentStatus.PENDING: gettext_lazy("Being prepared"),
    FulfilmentStatus.SHIPPED: gettext_lazy("Shipped"),
    FulfilmentStatus.DELIVERED: gettext_lazy("Delivered"),
    FulfilmentStatus.RETURNED: gettext_lazy("Returned to sender"),
}

# Where an incentive's delivery stands, as its member reads it.
DELIVERABLE_STATUS = {
    DeliverableStatus.PLANNED: gettext_lazy("Planned"),
    DeliverableStatus.OFFERED: gettext_lazy("Offered to you: waiting for your answer"),
    DeliverableStatus.ACCEPTED: gettext_lazy("You accepted"),
    DeliverableStatus.DECLINED: gettext_lazy("You declined"),
    DeliverableStatus.DELIVERED: gettext_lazy("Delivered"),
    DeliverableStatus.CANCELLED: gettext_lazy("Cancelled"),
}

FUNDING_STATUS = {
    FundingStatus.REQUESTED: gettext_lazy("waiting for the program staff's decision"),
    FundingStatus.APPROVED: gettext_lazy("approved"),
    FundingStatus.DECLINED: gettext_lazy("declined"),
    FundingStatus.PAID: gettext_lazy("paid"),
}

CREDENTIAL_STATUS = {
    CredentialStatus.VALID: gettext_lazy("Valid"),
    CredentialStatus.EXPIRED: gettext_lazy("Expired"),
    CredentialStatus.REVOKED: gettext_lazy("Revoked"),
}

STANDING = {
    NominationStanding.UNDER_CONSIDERATION: gettext_lazy("Under consideration"),
    NominationStanding.NO_LONGER_CONSIDERED: gettext_lazy("No longer under consideration"),
    NominationStanding.ANNOUNCED: gettext_lazy("The cycle's results are announced"),
}


def _day(moment):
    return date_format(moment, "DATE_FORMAT") if moment else ""


def next_step(nomination, *, as_nominee: bool, cycle) -> str:
    """
    What happens next to ``nomination``, said to its nominee (``as_nominee``) or its nominator;
    ``cycle`` is its cycle's record (for the dates). Nothing here reveals a pending decision: a
    decided nomination keeps its review status until the announcement.
    """
    status = nomination.status
    name = nomination.nominee_display_name
    dates = {"closes": _day(cycle.nominations_close_at), "deadline": _day(cycle.review_deadline),
             "announced": _day(cycle.announcement_at), "name": name}
    if status == S.DRAFT:
        return _("Only you can see this draft. Finish the case and submit it before nominations close on "
                 "%(closes)s.") % dates
    if status == S.AWAITING_CONSENT:
        if as_nominee:
            return _("You were nominated. The review panel sees the nomination only if you accept it; please "
                     "answer by %(deadline)s.") % dates
        return _("We have asked %(name)s to consent. They can answer until %(deadline)s; if they accept, the "
                 "nomination goes to the review panel.") % dates
    if status == S.SUBMITTED:
        return _("The review panel starts once nominations close on %(closes)s. Decisions are announced "
                 "together on %(announced)s.") % dates
    if status == S.IN_REVIEW:
        return _("The review panel is reviewing it. Its decisions stay confidential until the announcement on "
                 "%(announced)s.") % dates
    if status == S.ACCEPTED:
        if as_nominee:
            return _("Congratulations! Your membership, badge and certificate are on your membership page.")
        return _("Congratulations: %(name)s was selected. Thank you for nominating them.") % dates
    if status in (S.DECLINED, S.DEFERRED):
        return _("The panel's feedback is below. A new nomination is welcome in a later cycle.")
    if status == S.CONSENT_REFUSED:
        return _("Nothing more happens with this nomination.")
    return _("This nomination was withdrawn; nothing more happens with it.")


# What the ``words`` template filter looks up, by the type of the value.
WORDS = (
    (NominationStatus, NOMINATION_STATUS),
    (TermStatus, TERM_STATUS),
    (ActivityStatus, ACTIVITY_STATUS),
    (ActivitySource, ACTIVITY_SOURCE),
    (FulfilmentStatus, FULFILMENT_STATUS),
    (DeliverableStatus, DELIVERABLE_STATUS),
    (FundingStatus, FUNDING_STATUS),
    (CredentialStatus, CREDENTIAL_STATUS),
    (NominationStanding, STANDING),
    (Recommendation, OUTCOME),
)
