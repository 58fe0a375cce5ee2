"""
The plugin's own Open Edx events (OEP-41): what other services may react to, through Django signals
or the event bus.

Payloads never carry embargoed data: decisions appear only in ``ANNOUNCEMENT_RELEASED`` and the
membership events, which are sent once the cycle's announcement is released. Everything here is
importable before Django apps are ready (``apps.py`` imports it at module level), so operators can
name these events in ``EVENT_BUS_PRODUCER_CONFIG``.

Payload fields use plain types the event bus (Avro) can carry; an absent value is an empty string.
"""
from datetime import datetime

import attr
from openedx_events.tooling import OpenEdxPublicSignal


@attr.s(frozen=True)
class NominationEventData:
    """A nomination that entered the review queue (its nominee consented, for a peer nomination)."""

    id = attr.ib(type=int)
    cycle_year = attr.ib(type=int)
    track = attr.ib(type=str)
    kind = attr.ib(type=str)
    nominee_kind = attr.ib(type=str)
    nominee_username = attr.ib(type=str)
    nominee_organization = attr.ib(type=str)
    submitted_at = attr.ib(type=datetime)


@attr.s(frozen=True)
class AnnouncementEventData:
    """A cycle's released announcement: how many nominations got each outcome."""

    cycle_year = attr.ib(type=int)
    released_at = attr.ib(type=datetime)
    accepted = attr.ib(type=int)
    declined = attr.ib(type=int)
    deferred = attr.ib(type=int)


@attr.s(frozen=True)
class MembershipEventData:
    """A membership term (``ends_at`` is empty for lifetime status)."""

    term_id = attr.ib(type=int)
    track = attr.ib(type=str)
    status = attr.ib(type=str)
    holder_kind = attr.ib(type=str)
    holder_username = attr.ib(type=str)
    holder_organization = attr.ib(type=str)
    sequence = attr.ib(type=int)
    starts_at = attr.ib(type=datetime)
    ends_at = attr.ib(type=str)


@attr.s(frozen=True)
class CredentialEventData:
    """An issued or revoked Open Badges credential."""

    public_id = attr.ib(type=str)
    term_id = attr.ib(type=int)
    track = attr.ib(type=str)
    holder_username = attr.ib(type=str)
    verification_url = attr.ib(type=str)
    revoked = attr.ib(type=bool)


# .. event_type: org.openedx.distinguished.nomination.submitted.v1
# .. event_name: NOMINATION_SUBMITTED
# .. event_description: a nomination entered review (self-nomination submitted, or consent given)
# .. event_data: NominationEventData
NOMINATION_SUBMITTED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.nomination.submitted.v1", data={"nomination": NominationEventData})

# .. event_type: org.openedx.distinguished.announcement.released.v1
# .. event_name: ANNOUNCEMENT_RELEASED
# .. event_description: a cycle's decisions were published, all at once
# .. event_data: AnnouncementEventData
ANNOUNCEMENT_RELEASED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.announcement.released.v1", data={"announcement": AnnouncementEventData})

# .. event_type: org.openedx.distinguished.membership.granted.v1
# .. event_name: MEMBERSHIP_GRANTED
# .. event_description: a first term started with a released announcement
# .. event_data: MembershipEventData
MEMBERSHIP_GRANTED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.membership.granted.v1", data={"membership": MembershipEventData})

# .. event_type: org.openedx.distinguished.membership.renewed.v1
# .. event_name: MEMBERSHIP_RENEWED
# .. event_description: the annual evaluation renewed a term; the payload is the new term
# .. event_data: MembershipEventData
MEMBERSHIP_RENEWED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.membership.renewed.v1", data={"membership": MembershipEventData})

# .. event_type: org.openedx.distinguished.membership.lapsed.v1
# .. event_name: MEMBERSHIP_LAPSED
# .. event_description: a term lapsed after the annual evaluation; the holder is alumni
# .. event_data: MembershipEventData
MEMBERSHIP_LAPSED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.membership.lapsed.v1", data={"membership": MembershipEventData})

# .. event_type: org.openedx.distinguished.membership.lifetime.granted.v1
# .. event_name: LIFETIME_GRANTED
# .. event_description: lifetime status was granted after the sustained milestone
# .. event_data: MembershipEventData
LIFETIME_GRANTED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.membership.lifetime.granted.v1", data={"membership": MembershipEventData})

# .. event_type: org.openedx.distinguished.credential.issued.v1
# .. event_name: CREDENTIAL_ISSUED
# .. event_description: an Open Badges credential was issued for a term
# .. event_data: CredentialEventData
CREDENTIAL_ISSUED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.credential.issued.v1", data={"credential": CredentialEventData})

# .. event_type: org.openedx.distinguished.credential.revoked.v1
# .. event_name: CREDENTIAL_REVOKED
# .. event_description: an Open Badges credential was revoked
# .. event_data: CredentialEventData
CREDENTIAL_REVOKED = OpenEdxPublicSignal(
    event_type="org.openedx.distinguished.credential.revoked.v1", data={"credential": CredentialEventData})
