"""
The plain record of a membership term, shared by the membership and credential rules.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from openedx_distinguished import platform
from openedx_distinguished.data import NomineeKind, TermData, TermStatus

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

    from openedx_distinguished.models import MembershipTerm


def term_data(term: MembershipTerm) -> TermData:
    """The plain record of a term (select_related holder_user, holder_organization, track, cycle)."""
    if term.holder_organization is not None:
        name = term.holder_organization.name
    else:
        name = platform.display_name(term.holder_user)
    return TermData(
        id=term.pk, holder_kind=NomineeKind(term.holder_kind),
        holder_username=term.holder_user.username if term.holder_user else None,
        holder_organization_slug=term.holder_organization.slug if term.holder_organization else None,
        holder_display_name=name, track_slug=term.track.slug, track_name=term.track.name,
        status=TermStatus(term.status), starts_at=term.starts_at, ends_at=term.ends_at, sequence=term.sequence,
        cycle_year=term.cycle.year, revoked_reason=term.revoked_reason,
    )


def holder_user_ids(term: MembershipTerm) -> set[int]:
    """
    The users a term belongs to: its holder, or the contacts of the holding organization (none once
    the holder's account is retired).
    """
    if term.holder_user_id:
        return {term.holder_user_id}
    return set(term.holder_organization.contacts.values_list("pk", flat=True)) if term.holder_organization else set()


def held_by(user: User | AnonymousUser | None, path: str = "") -> Q:
    """
    Rows whose term (at ``path``, such as ``"term__"``; empty for terms themselves) ``user`` holds,
    themself or as a contact of the holding organization.
    """
    return Q(**{f"{path}holder_user": user}) | Q(**{f"{path}holder_organization__contacts": user})
