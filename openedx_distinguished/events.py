"""
Sending the plugin's own Open edX events, always after the database transaction commits.
"""
from django.db import transaction

from openedx_distinguished.signals import signals


def _after_commit(signal, **data):
    transaction.on_commit(lambda: signal.send_event(**data))


def nomination_submitted(nomination):
    """NOMINATION_SUBMITTED: the nomination is in the review queue."""
    _after_commit(signals.NOMINATION_SUBMITTED, nomination=signals.NominationEventData(
        id=nomination.pk, cycle_year=nomination.cycle.year, track=nomination.track.slug, kind=nomination.kind,
        nominee_kind=nomination.nominee_kind,
        nominee_username=nomination.nominee_user.username if nomination.nominee_user else "",
        nominee_organization=nomination.nominee_organization.slug if nomination.nominee_organization else "",
        submitted_at=nomination.submitted_at,
    ))


def announcement_released(cycle, outcomes):
    """ANNOUNCEMENT_RELEASED: the cycle's decisions are public now."""
    _after_commit(signals.ANNOUNCEMENT_RELEASED, announcement=signals.AnnouncementEventData(
        cycle_year=cycle.year, released_at=cycle.announcement_released_at, accepted=outcomes.get("accept", 0),
        declined=outcomes.get("decline", 0), deferred=outcomes.get("defer", 0),
    ))


def _membership(term):
    return signals.MembershipEventData(
        term_id=term.pk, track=term.track.slug, status=term.status, holder_kind=term.holder_kind,
        holder_username=term.holder_user.username if term.holder_user else "",
        holder_organization=term.holder_organization.slug if term.holder_organization else "",
        sequence=term.sequence, starts_at=term.starts_at, ends_at=term.ends_at.isoformat() if term.ends_at else "",
    )


def membership_granted(term):
    """MEMBERSHIP_GRANTED: a first term started."""
    _after_commit(signals.MEMBERSHIP_GRANTED, membership=_membership(term))


def membership_renewed(term):
    """MEMBERSHIP_RENEWED: ``term`` is the new term that continues a renewed one."""
    _after_commit(signals.MEMBERSHIP_RENEWED, membership=_membership(term))


def membership_lapsed(term):
    """MEMBERSHIP_LAPSED: the holder is alumni."""
    _after_commit(signals.MEMBERSHIP_LAPSED, membership=_membership(term))


def lifetime_granted(term):
    """LIFETIME_GRANTED: ``term`` is the lifetime term."""
    _after_commit(signals.LIFETIME_GRANTED, membership=_membership(term))


def _credential(term, public_id, verification_url, *, revoked):
    return signals.CredentialEventData(
        public_id=public_id, term_id=term.pk, track=term.track.slug,
        holder_username=term.holder_user.username if term.holder_user else "",
        verification_url=verification_url, revoked=revoked)


def credentials_issued(issued):
    """
    CREDENTIAL_ISSUED for each of ``issued``, (term, public id, verification URL) triples: one
    after-commit callback for a whole batch.
    """
    data = [_credential(term, public_id, verification_url, revoked=False)
            for term, public_id, verification_url in issued]

    def send():
        for credential in data:
            signals.CREDENTIAL_ISSUED.send_event(credential=credential)
    transaction.on_commit(send)


def credential_revoked(term, public_id, verification_url):
    """CREDENTIAL_REVOKED."""
    _after_commit(signals.CREDENTIAL_REVOKED,
                  credential=_credential(term, public_id, verification_url, revoked=True))
