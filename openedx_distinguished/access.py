"""
Who may do what: the one rule book that the pages and the REST API both consult.

Each action names the roles that may take it. The adapters ask here before they call ``api``
and turn a refusal into their own answer: the REST API into its JSON 404 or 403, the pages into
the 404 page or 403. A nomination or review that someone may not know about answers as if it did
not exist (``Hidden``); someone who sees it but may not do this is ``Forbidden`` (ADR 0012).
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from openedx_distinguished import api
from openedx_distinguished.data import EndorsementData
from openedx_distinguished.exceptions import NotFound

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user


class Refused(Exception):
    """The caller may not do what they asked; ``message`` says why, for a 403 answer."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class Hidden(Refused):
    """The object does not exist for the caller: answer as for an unknown id (404)."""


class Forbidden(Refused):
    """The caller may see the object but not do this (403)."""


class NominationAction(StrEnum):
    """What people do with a nomination (roles from ``api.nomination_roles``)."""

    VIEW = "view"
    EDIT = "edit"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    CONSENT = "consent"


NOMINATION_RULES = {
    NominationAction.VIEW: frozenset({api.ROLE_NOMINATOR, api.ROLE_NOMINEE, api.ROLE_STAFF}),
    NominationAction.EDIT: frozenset({api.ROLE_NOMINATOR}),
    NominationAction.SUBMIT: frozenset({api.ROLE_NOMINATOR}),
    NominationAction.WITHDRAW: frozenset({api.ROLE_NOMINATOR, api.ROLE_NOMINEE, api.ROLE_STAFF}),
    NominationAction.CONSENT: frozenset({api.ROLE_NOMINEE}),
}


class ReviewAction(StrEnum):
    """What the review panel does with a nomination (roles from ``api.review_roles``)."""

    READ = "read"
    REVIEW = "review"
    DECLARE_CONFLICT = "declare_conflict"
    ASSIGN = "assign"
    DECIDE = "decide"
    REOPEN = "reopen"


RUNS_REVIEW = frozenset({api.ROLE_CHAIR, api.ROLE_STAFF})

REVIEW_RULES = {
    ReviewAction.READ: frozenset({api.ROLE_ASSIGNED}) | RUNS_REVIEW,
    ReviewAction.REVIEW: frozenset({api.ROLE_ASSIGNED}),
    ReviewAction.DECLARE_CONFLICT: frozenset({api.ROLE_ASSIGNED, api.ROLE_PANEL, api.ROLE_CHAIR}),
    ReviewAction.ASSIGN: RUNS_REVIEW,
    ReviewAction.DECIDE: RUNS_REVIEW,
    # Taking back a recorded decision is program staff's, and audited (ADR 0013).
    ReviewAction.REOPEN: frozenset({api.ROLE_STAFF}),
}

_ROLE_NAMES = {
    api.ROLE_NOMINATOR: "the nominator", api.ROLE_NOMINEE: "the nominee", api.ROLE_STAFF: "program staff",
    api.ROLE_ASSIGNED: "assigned reviewers", api.ROLE_PANEL: "panel members", api.ROLE_CHAIR: "panel chairs",
}


def _only(roles: Iterable[str]) -> str:
    """The refusal naming who may."""
    return "Only " + " or ".join(sorted(_ROLE_NAMES.get(role, role) for role in roles)) + " may do this."


def check_nomination(*, user: User | AnonymousUser | None, nomination_id: int,
                     action: NominationAction) -> frozenset[str]:
    """
    The caller's roles on a nomination when they may take ``action``.

    Raises:
        Hidden: they may not know it exists. Forbidden: they see it but may not do this.
    """
    roles = api.nomination_roles(user=user, nomination_id=nomination_id)
    if not roles:
        raise Hidden("No such nomination.")
    allowed = NOMINATION_RULES[NominationAction(action)]
    if not roles & allowed:
        raise Forbidden(_only(allowed))
    return roles


def check_review(*, user: User | AnonymousUser | None, nomination_id: int, action: ReviewAction) -> frozenset[str]:
    """
    The caller's review roles on a nomination when they may take ``action``. A conflicted
    reviewer, like anyone outside the panel, does not see the nomination at all.

    Raises:
        Hidden, Forbidden
    """
    roles = api.review_roles(user=user, nomination_id=nomination_id)
    if not roles or api.ROLE_CONFLICTED in roles:
        raise Hidden("No such nomination.")
    allowed = REVIEW_RULES[ReviewAction(action)]
    if not roles & allowed:
        raise Forbidden(_only(allowed))
    return roles


def runs_review(roles: Iterable[str]) -> bool:
    """Whether review ``roles`` include running the review (chairs, program staff)."""
    return bool(frozenset(roles) & RUNS_REVIEW)


def review_scope(*, user: User | AnonymousUser | None) -> set[int] | None:
    """
    The tracks the caller may run the review of: None (all) for program staff, the tracks of the
    panels they chair for chairs.

    Raises:
        Forbidden: anyone else.
    """
    if api.is_program_staff(user=user):
        return None
    tracks = api.chaired_track_ids(user=user)
    if not tracks:
        raise Forbidden("Only panel chairs and program staff may do this.")
    return tracks


def check_release(*, user: User | AnonymousUser | None, cycle_year: int) -> None:
    """
    Refuse anyone who may not release the cycle's announcement (Forbidden): program staff and
    chairs whose panels cover every track of the cycle may (ADR 0015).
    """
    if not api.may_release(user=user, cycle_year=cycle_year):
        raise Forbidden("Only program staff, or a chair of every track of the cycle, may release its announcement.")


def check_staff(*, user: User | AnonymousUser | None) -> None:
    """Refuse anyone but program staff (Forbidden)."""
    if not api.is_program_staff(user=user):
        raise Forbidden("Only program staff may do this.")


def check_member(*, user: User | AnonymousUser | None) -> None:
    """Refuse anyone who holds no current membership term (Forbidden)."""
    if not api.is_member(user=user):
        raise Forbidden("Only Distinguished Contributors may do this.")


def check_fulfilment_holder(*, user: User | AnonymousUser | None, fulfilment_id: int) -> None:
    """Refuse anyone but the award's holder (or the holding organization's contacts): Hidden."""
    if user is None or not user.is_authenticated \
            or user.pk not in api.fulfilment_holder_ids(fulfilment_id=fulfilment_id):
        raise Hidden("No such award.")


def check_deliverable_holder(*, user: User | AnonymousUser | None, deliverable_id: int) -> None:
    """Refuse anyone but the incentive's member (or the member organization's contacts): Hidden."""
    if user is None or not user.is_authenticated \
            or user.pk not in api.deliverable_holder_ids(deliverable_id=deliverable_id):
        raise Hidden("No such incentive.")


def check_invitation_reply(*, user: User | AnonymousUser | None, reply_id: int) -> None:
    """Refuse anyone but the invited member (or the member organization's contacts): Hidden."""
    if user is None or not user.is_authenticated or user.pk not in api.invitation_reply_holders(reply_id=reply_id):
        raise Hidden("No such invitation.")


def check_invitee(*, user: User | AnonymousUser | None, invitation_id: int) -> None:
    """Refuse anyone but the invited members and program staff: Hidden, as for an unknown invitation."""
    if user is None or not user.is_authenticated:
        raise Hidden("No such invitation.")
    if not api.is_program_staff(user=user) and not api.is_invitee(invitation_id=invitation_id, user=user):
        raise Hidden("No such invitation.")


def check_credential_holder(*, user: User | AnonymousUser | None, public_id: str) -> None:
    """
    Refuse anyone but a credential's holder (or the holding organization's contacts) and program
    staff: Hidden, as for an unknown credential.
    """
    try:
        holders = api.credential_holder_ids(public_id=public_id)
    except NotFound as exc:
        raise Hidden("No such credential.") from exc
    if user is None or not user.is_authenticated or not (user.pk in holders or api.is_program_staff(user=user)):
        raise Hidden("No such credential.")


def check_endorser(*, user: User | AnonymousUser | None, endorsement_id: int) -> EndorsementData:
    """
    The endorsement when the caller is its endorser or program staff.

    Raises:
        Hidden: anyone else, or no such endorsement.
    """
    try:
        endorsement = api.get_endorsement(endorsement_id=endorsement_id)
    except NotFound as exc:
        raise Hidden("No such endorsement.") from exc
    mine = user is not None and user.is_authenticated and endorsement.endorser_username == user.get_username()
    if not (mine or api.is_program_staff(user=user)):
        raise Hidden("No such endorsement.")
    return endorsement
