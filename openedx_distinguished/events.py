"""
Sending the plugin's own Open edX events, always after the database transaction commits.

This module sits below the models (``.importlinter``), so it names what it reads of a nomination,
a cycle and a term by the protocols below, which the models meet, rather than by the models.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Protocol

from django.db import transaction
from openedx_events.tooling import OpenEdxPublicSignal

from openedx_distinguished.signals import signals


class _Slugged(Protocol):
    """A track or a partner organization."""

    @property
    def slug(self) -> str: ...  # pragma: no cover


class _Person(Protocol):
    """A user."""

    @property
    def username(self) -> str: ...  # pragma: no cover


class _Year(Protocol):
    """A cycle, as a nomination knows it."""

    @property
    def year(self) -> int: ...  # pragma: no cover


class SubmittedNomination(Protocol):
    """What the event reads of a nomination (``models.Nomination``)."""

    @property
    def pk(self) -> int: ...  # pragma: no cover

    @property
    def cycle(self) -> _Year: ...  # pragma: no cover

    @property
    def track(self) -> _Slugged: ...  # pragma: no cover

    @property
    def kind(self) -> str: ...  # pragma: no cover

    @property
    def nominee_kind(self) -> str: ...  # pragma: no cover

    @property
    def nominee_user(self) -> _Person | None: ...  # pragma: no cover

    @property
    def nominee_organization(self) -> _Slugged | None: ...  # pragma: no cover

    @property
    def submitted_at(self) -> datetime | None: ...  # pragma: no cover


class ReleasedCycle(Protocol):
    """What the event reads of a cycle (``models.Cycle``)."""

    @property
    def year(self) -> int: ...  # pragma: no cover

    @property
    def announcement_released_at(self) -> datetime | None: ...  # pragma: no cover


class Term(Protocol):
    """What the events read of a membership term (``models.MembershipTerm``)."""

    @property
    def pk(self) -> int: ...  # pragma: no cover

    @property
    def track(self) -> _Slugged: ...  # pragma: no cover

    @property
    def status(self) -> str: ...  # pragma: no cover

    @property
    def holder_kind(self) -> str: ...  # pragma: no cover

    @property
    def holder_user(self) -> _Person | None: ...  # pragma: no cover

    @property
    def holder_organization(self) -> _Slugged | None: ...  # pragma: no cover

    @property
    def sequence(self) -> int: ...  # pragma: no cover

    @property
    def starts_at(self) -> datetime: ...  # pragma: no cover

    @property
    def ends_at(self) -> datetime | None: ...  # pragma: no cover


def _after_commit(signal: OpenEdxPublicSignal, **data: object) -> None:
    transaction.on_commit(lambda: signal.send_event(**data))


def nomination_submitted(nomination: SubmittedNomination) -> None:
    """NOMINATION_SUBMITTED: the nomination is in the review queue (its submission time is saved)."""
    submitted_at = nomination.submitted_at
    if submitted_at is None:  # pragma: no cover  (submitting sets it before the event)
        raise ValueError(f"The nomination {nomination.pk} has no submission time.")
    _after_commit(signals.NOMINATION_SUBMITTED, nomination=signals.NominationEventData(
        id=nomination.pk, cycle_year=nomination.cycle.year, track=nomination.track.slug, kind=nomination.kind,
        nominee_kind=nomination.nominee_kind,
        nominee_username=nomination.nominee_user.username if nomination.nominee_user else "",
        nominee_organization=nomination.nominee_organization.slug if nomination.nominee_organization else "",
        submitted_at=submitted_at,
    ))


def announcement_released(cycle: ReleasedCycle, outcomes: Mapping[str, int]) -> None:
    """ANNOUNCEMENT_RELEASED: the cycle's decisions are public now (its release is saved)."""
    released_at = cycle.announcement_released_at
    if released_at is None:  # pragma: no cover  (the release sets it before it sends the event)
        raise ValueError(f"The announcement of {cycle.year} is not released.")
    _after_commit(signals.ANNOUNCEMENT_RELEASED, announcement=signals.AnnouncementEventData(
        cycle_year=cycle.year, released_at=released_at, accepted=outcomes.get("accept", 0),
        declined=outcomes.get("decline", 0), deferred=outcomes.get("defer", 0),
    ))


def _membership(term: Term) -> signals.MembershipEventData:
    return signals.MembershipEventData(
        term_id=term.pk, track=term.track.slug, status=term.status, holder_kind=term.holder_kind,
        holder_username=term.holder_user.username if term.holder_user else "",
        holder_organization=term.holder_organization.slug if term.holder_organization else "",
        sequence=term.sequence, starts_at=term.starts_at, ends_at=term.ends_at.isoformat() if term.ends_at else "",
    )


def membership_granted(term: Term) -> None:
    """MEMBERSHIP_GRANTED: a first term started."""
    _after_commit(signals.MEMBERSHIP_GRANTED, membership=_membership(term))


def membership_renewed(term: Term) -> None:
    """MEMBERSHIP_RENEWED: ``term`` is the new term that continues a renewed one."""
    _after_commit(signals.MEMBERSHIP_RENEWED, membership=_membership(term))


def membership_lapsed(term: Term) -> None:
    """MEMBERSHIP_LAPSED: the holder is alumni."""
    _after_commit(signals.MEMBERSHIP_LAPSED, membership=_membership(term))


def lifetime_granted(term: Term) -> None:
    """LIFETIME_GRANTED: ``term`` is the lifetime term."""
    _after_commit(signals.LIFETIME_GRANTED, membership=_membership(term))


def _credential(term: Term, public_id: str, verification_url: str, *, revoked: bool) -> signals.CredentialEventData:
    return signals.CredentialEventData(
        public_id=public_id, term_id=term.pk, track=term.track.slug,
        holder_username=term.holder_user.username if term.holder_user else "",
        verification_url=verification_url, revoked=revoked)


def credentials_issued(issued: Iterable[tuple[Term, str, str]]) -> None:
    """
    CREDENTIAL_ISSUED for each of ``issued``, (term, public id, verification URL) triples: one
    after-commit callback for a whole batch.
    """
    data = [_credential(term, public_id, verification_url, revoked=False)
            for term, public_id, verification_url in issued]

    def send() -> None:
        for credential in data:
            signals.CREDENTIAL_ISSUED.send_event(credential=credential)
    transaction.on_commit(send)


def credential_revoked(term: Term, public_id: str, verification_url: str) -> None:
    """CREDENTIAL_REVOKED."""
    _after_commit(signals.CREDENTIAL_REVOKED,
                  credential=_credential(term, public_id, verification_url, revoked=True))
