"""
Rules of invitations (ADR 0020): program staff invite every eligible member of a track to a
discussion, session or programme (an opportunity or access incentive of the track), at once; each
member answers yes or no on My membership until it starts; the answers come out as a list (CSV)
and the event as an iCalendar file (RFC 5545) for invitees' calendars.
"""
from __future__ import annotations

import io
from datetime import datetime
from datetime import timezone as dt_timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openedx_distinguished import notifications, parsing, platform, signing
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    DeliverableStatus,
    IncentiveKind,
    InvitationAnswer,
    InvitationData,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Deliverable, Incentive, Invitation, InvitationReply, MembershipTerm
from openedx_distinguished.spreadsheet import SafeWriter
from openedx_distinguished.terms import held_by, holder_user_ids

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

_CURRENT = [status.value for status in CURRENT_TERM_STATUSES]
# What members may be invited to.
INVITING_KINDS = (IncentiveKind.OPPORTUNITY.value, IncentiveKind.ACCESS.value)


def _moment(value: str | datetime, field: str) -> datetime:
    """An aware datetime from a datetime or ISO 8601 text (a naive one is in the site's time zone)."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError({field: [_("Give a date and time, such as 2027-03-04T15:00.")]}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def create_invitation(*, incentive_id: int, title: str, starts_at: str | datetime, ends_at: str | datetime,
                      details: str = "", location: str = "", actor: User | None = None) -> Invitation:
    """
    An invitation to an opportunity or access incentive's event (not sent yet).

    Raises:
        ValidationError: a field missing or wrong (every one at once), or an incentive of another kind.
    """
    values = check_invitation(incentive_id=incentive_id, title=title, starts_at=starts_at, ends_at=ends_at,
                              details=details, location=location)
    return Invitation.objects.create(created_by=actor, **values)


def check_invitation(*, incentive_id: int, title: str, starts_at: str | datetime, ends_at: str | datetime,
                     details: str = "", location: str = "") -> dict[str, Any]:
    """
    An invitation's fields, checked (every refused one at once) and normalised.

    Raises:
        ValidationError: a field missing or wrong, or an incentive of another kind than opportunity or access.
    """
    errors: dict[str, list] = {}
    values: dict[str, Any] = {}
    for field, read in (("title", lambda: parsing.text(title, field="title", most=200)),
                        ("details", lambda: parsing.text(details, field="details", most=5000, lines=True)),
                        ("location", lambda: parsing.text(location, field="location", most=300)),
                        ("starts_at", lambda: _moment(starts_at, "starts_at")),
                        ("ends_at", lambda: _moment(ends_at, "ends_at"))):
        try:
            values[field] = read()
        except ValidationError as exc:
            errors.update(exc.errors)
    if "title" in values and not values["title"]:
        errors["title"] = [_("Give the invitation a title.")]
    if "starts_at" in values and "ends_at" in values and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = [_("End after the start.")]
    incentive = values["incentive"] = Incentive.objects.filter(pk=incentive_id).first()
    if incentive is None or incentive.kind not in INVITING_KINDS:
        errors["incentive"] = [_("Choose an opportunity or access incentive.")]
    if errors:
        raise ValidationError(errors)
    return values


def send_invitation(*, invitation_id: int, now: datetime | None = None) -> int:
    """
    Invite every member of the incentive's track with a current term whose incentive is not declined
    or cancelled, by e-mail and on My membership; sending again invites those who became eligible
    since. Returns how many terms were added.

    Raises:
        NotFound: no such invitation. InvalidTransition: it has started already.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("incentive").filter(
            pk=invitation_id).first()
        if invitation is None:
            raise NotFound({"invitation": ["Not found."]})
        if invitation.starts_at <= now:
            raise InvalidTransition({"invitation": [_("It has started already; invite to a later one.")]})
        refused = Deliverable.objects.filter(incentive=invitation.incentive, status__in=[
            DeliverableStatus.DECLINED.value, DeliverableStatus.CANCELLED.value]).values("term_id")
        terms = MembershipTerm.objects.filter(track_id=invitation.incentive.track_id, status__in=_CURRENT).exclude(
            pk__in=refused).exclude(invitation_replies__invitation=invitation)
        term_ids = list(terms.values_list("pk", flat=True))
        InvitationReply.objects.bulk_create(
            [InvitationReply(invitation=invitation, term_id=pk) for pk in term_ids], ignore_conflicts=True)
        invitation.sent_at = now
        invitation.save(update_fields=["sent_at"])
        # The outbox's keys (one a person and invitation) keep a resend from e-mailing anyone twice.
        notifications.invitation_sent(invitation, term_ids=term_ids)
    return len(term_ids)


def _data(reply: InvitationReply, now: datetime) -> InvitationData:
    invitation = reply.invitation
    return InvitationData(
        id=invitation.pk, reply_id=reply.pk, incentive_slug=invitation.incentive.slug, title=invitation.title,
        details=invitation.details, starts_at=invitation.starts_at, ends_at=invitation.ends_at,
        location=invitation.location, answer=InvitationAnswer(reply.answer), term_id=reply.term_id,
        is_open=invitation.starts_at > now)


def list_invitations(*, holder: User | AnonymousUser | None, now: datetime | None = None) -> list[InvitationData]:
    """The invitations of ``holder``'s current terms (and their organizations'), soonest first."""
    now = now or timezone.now()
    replies = InvitationReply.objects.filter(
        held_by(holder, "term__"), term__status__in=_CURRENT,
    ).select_related("invitation__incentive").distinct().order_by("invitation__starts_at", "id")
    return [_data(reply, now) for reply in replies]


def answer_invitation(*, reply_id: int, user: User | AnonymousUser | None, attend: bool,
                      now: datetime | None = None) -> InvitationData:
    """
    The invitee answers (and may change their answer) until the event starts.

    Raises:
        NotFound: no such invitation, or not theirs. InvalidTransition: it has started, or the term
        is no longer current.
    """
    now = now or timezone.now()
    with transaction.atomic():
        reply = InvitationReply.objects.select_for_update().select_related(
            "invitation__incentive", "term__holder_organization").filter(pk=reply_id).first()
        if reply is None or user is None or not user.is_authenticated or \
                user.pk not in holder_user_ids(reply.term):
            raise NotFound({"invitation": ["Not found."]})
        if reply.invitation.starts_at <= now or reply.term.status not in _CURRENT:
            raise InvalidTransition({"invitation": [_("This invitation can no longer be answered.")]})
        reply.answer = (InvitationAnswer.YES if attend else InvitationAnswer.NO).value
        reply.answered_at = now
        reply.save(update_fields=["answer", "answered_at"])
    return _data(reply, now)


def invitation_reply_holders(*, reply_id: int) -> set[int]:
    """The users who may answer a reply (its term's holder or organization contacts)."""
    reply = InvitationReply.objects.select_related("term__holder_organization").filter(pk=reply_id).first()
    return set() if reply is None else holder_user_ids(reply.term)


def is_invitee(*, invitation_id: int, user: User | AnonymousUser | None) -> bool:
    """Whether ``user`` was invited (themself or through their organization): one query."""
    return InvitationReply.objects.filter(held_by(user, "term__"), invitation_id=invitation_id).exists()


ANSWER_COLUMNS = ("Member", "Username", "Email", "Track", "Answer", "Answered at")


def answers_csv(*, invitation_id: int) -> str:
    """Who was invited and what they answered, as CSV (for the organisers)."""
    invitation = Invitation.objects.select_related("incentive__track").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound({"invitation": ["Not found."]})
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(ANSWER_COLUMNS)
    replies = invitation.replies.select_related(
        "term__holder_organization", *platform.with_profile("term__holder_user")).order_by("term_id")
    for reply in replies:
        term = reply.term
        user = term.holder_user
        organization = term.holder_organization
        name = organization.name if organization is not None else (platform.display_name(user) if user else "")
        writer.writerow((name, user.username if user else "", user.email if user else "",
                         invitation.incentive.track.name, reply.answer,
                         reply.answered_at.isoformat() if reply.answered_at else ""))
    return out.getvalue()


def _ics_text(value: str) -> str:
    """A TEXT value of RFC 5545 (backslash, semicolon, comma and line breaks escaped)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, continuation lines starting with a space (RFC 5545, 3.1)."""
    data, parts, limit = line.encode("utf-8"), [], 75
    while len(data) > limit:
        cut = limit
        while cut and (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        parts.append(data[:cut])
        data, limit = data[cut:], 74
    parts.append(data)
    return b"\r\n ".join(parts).decode("utf-8")


def _utc(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def invitation_ics(*, invitation_id: int, now: datetime | None = None) -> str:
    """
    The invitation as an iCalendar file with one event (UTC times), for invitees' calendars.

    Raises:
        NotFound: no such invitation.
    """
    invitation = Invitation.objects.select_related("incentive").filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound({"invitation": ["Not found."]})
    host = urlsplit(signing.base_url()).hostname or "openedx-distinguished"
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//openedx-distinguished//Invitations//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:invitation-{invitation.pk}@{host}",
        f"DTSTAMP:{_utc(now or timezone.now())}", f"DTSTART:{_utc(invitation.starts_at)}",
        f"DTEND:{_utc(invitation.ends_at)}", f"SUMMARY:{_ics_text(invitation.title)}",
    ]
    if invitation.details:
        lines.append(f"DESCRIPTION:{_ics_text(invitation.details)}")
    if invitation.location:
        lines.append(f"LOCATION:{_ics_text(invitation.location)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{_fold(line)}\r\n" for line in lines)
