"""
The program's emails: who hears about what, written to an outbox and delivered through edx-ace.

The domain rules call the functions below inside the transaction that makes the change a message
reports. They only write ``MessageLog`` rows, the outbox, so a rolled-back change sends nothing and
a rerun finds its rows already there. After the commit each new row is announced with the plain
Django signal ``message_queued``; a receiver hands its id to a Celery task, which calls
``deliver_message``. The scheduled jobs redeliver what a lost task left behind (ADR 0008).
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import attrs
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.dispatch import Signal
from django.utils import timezone
from edx_ace import ace
from edx_ace.message import MessageType
from edx_ace.recipient import Recipient
from edx_ace.signals import ACE_MESSAGE_SENT

from openedx_distinguished import platform
from openedx_distinguished.conf import get_setting
from openedx_distinguished.credentials import credential_for_term, credentials_for_terms, url
from openedx_distinguished.data import (
    ActivityStatus,
    CredentialData,
    DeliverableStatus,
    NominationKind,
    NominationStatus,
    Recommendation,
)
from openedx_distinguished.exceptions import DistinguishedError
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Cycle,
    Decision,
    Deliverable,
    Endorsement,
    Invitation,
    MembershipTerm,
    MessageLog,
    Nomination,
    Review,
    ReviewAssignment,
)
from openedx_distinguished.program import program_name

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import User  # pylint: disable=imported-auth-user

log = logging.getLogger(__name__)

# Sent after the commit that wrote a message to the outbox, with ``log_id`` (the row's id).
# A plain Django signal, not an Open edX event: it never leaves the process.
message_queued = Signal()

# The platform keeps a user's language in this preference (openedx.core.djangoapps.user_api).
LANGUAGE_PREFERENCE = "pref-lang"

# How long a queued message may wait for its Celery task before the scheduled jobs deliver it.
REDELIVER_AFTER = datetime.timedelta(minutes=10)

# The most undelivered messages one run of the scheduled jobs tries again.
REDELIVER_BATCH = 200


class MessageNotSent(DistinguishedError):
    """Delivering a message failed; the attempt is recorded and a retry may succeed."""


# The people a message may name besides its recipient, by what the message is about (its
# ``SUBJECT``, the id in its outbox key) and their role there: what retirement can find and erase.
NAMEABLE = {
    "nomination": frozenset({"nominee", "nominator"}),
    "endorsement": frozenset({"endorser", "nominee"}),
}


class ProgramMessage(MessageType):
    """
    A message of the program: its templates live in this app, and it is transactional.

    Each type says what it is about (``SUBJECT``: what the id in its outbox key is) and whom its
    values name besides the recipient (``NAMES``: roles in the subject, from ``NAMEABLE``).
    Retirement erases the values of the messages that name the retired person (``forget_messages``):
    a type that names someone without declaring it would keep their name in someone else's e-mail
    (tests/test_email_links.py renders every type and checks the declaration).
    """

    APP_LABEL = "openedx_distinguished"
    SUBJECT = ""
    NAMES: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.SUBJECT:
            raise TypeError(f"{cls.__name__} must say what it is about (SUBJECT).")
        if cls.NAMES - NAMEABLE.get(cls.SUBJECT, frozenset()):
            raise TypeError(f"{cls.__name__} names {sorted(cls.NAMES)} of a {cls.SUBJECT}, which retirement cannot "
                            f"find: add the roles to NAMEABLE and to what retirement passes to forget_messages.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Transactional: sent because of something the person did or is part of, not marketing.
        self.options["transactional"] = True


class NominationReceived(ProgramMessage):
    """To the nominator: their nomination was submitted."""

    NAME = "nomination_received"
    SUBJECT = "nomination"
    NAMES = frozenset({"nominee"})


class ConsentRequest(ProgramMessage):
    """To the nominee of a peer nomination (or the nominated organization's contacts): consent, please."""

    NAME = "consent_request"
    SUBJECT = "nomination"
    NAMES = frozenset({"nominator"})


class EndorsementReceived(ProgramMessage):
    """To the nominator: someone supports their nomination."""

    NAME = "endorsement_received"
    SUBJECT = "endorsement"
    NAMES = frozenset({"endorser", "nominee"})


class ReviewAssigned(ProgramMessage):
    """To a reviewer: a nomination was assigned to them."""

    NAME = "review_assigned"
    SUBJECT = "nomination"
    NAMES = frozenset({"nominee"})


class ReviewReminder(ProgramMessage):
    """To a reviewer: the review deadline is near and assigned nominations await their review."""

    NAME = "review_reminder"
    SUBJECT = "cycle"


class NominationAccepted(ProgramMessage):
    """To the nominee, at the announcement: congratulations, with the badge and certificate links."""

    NAME = "nomination_accepted"
    SUBJECT = "nomination"


class NominationDeclined(ProgramMessage):
    """To the nominee, at the announcement: not this time, with the panel's feedback."""

    NAME = "nomination_declined"
    SUBJECT = "nomination"


class NominationDeferred(ProgramMessage):
    """To the nominee, at the announcement: the decision was deferred, with the panel's feedback."""

    NAME = "nomination_deferred"
    SUBJECT = "nomination"


class RenewalDue(ProgramMessage):
    """To a member: the term ends soon; what the retention rule still asks of them."""

    NAME = "renewal_due"
    SUBJECT = "term"


class MembershipRenewed(ProgramMessage):
    """To a member: the annual evaluation renewed their membership."""

    NAME = "membership_renewed"
    SUBJECT = "term"


class MembershipLapsed(ProgramMessage):
    """To a member: the term ended without renewal; they are alumni now."""

    NAME = "membership_lapsed"
    SUBJECT = "term"


class LifetimeGranted(ProgramMessage):
    """To a member: lifetime status after the sustained milestone."""

    NAME = "lifetime_granted"
    SUBJECT = "term"


class InvitationReceived(ProgramMessage):
    """To a member: program staff invite them to a discussion, session or programme; answer on My membership."""

    NAME = "invitation_received"
    SUBJECT = "invitation"


class ActivityVerified(ProgramMessage):
    """To a member: staff verified an activity they reported."""

    NAME = "activity_verified"
    SUBJECT = "activity"


class ActivityRejected(ProgramMessage):
    """To a member: staff rejected an activity they reported."""

    NAME = "activity_rejected"
    SUBJECT = "activity"


MESSAGE_TYPES = {message.NAME: message for message in ProgramMessage.__subclasses__()}


ANNOUNCEMENT = {
    Recommendation.ACCEPT.value: NominationAccepted.NAME,
    Recommendation.DECLINE.value: NominationDeclined.NAME,
    Recommendation.DEFER.value: NominationDeferred.NAME,
}


@attrs.frozen
class _Draft:
    """One message to write to the outbox: its name, what it is about, to whom, and its values."""

    name: str
    subject: int
    recipient: User | None
    context: dict[str, Any]


# Queueing -----------------------------------------------------------------------------------

def message_key(name: str, subject: int | str, user_id: int) -> str:
    """The outbox key of a message: the message, what it is about, and the recipient."""
    return f"{name}:{subject}:user:{user_id}"


def _queue(drafts: Iterable[_Draft]) -> int:
    """
    Write the drafts to the outbox, at most once per key, and announce the new rows after the commit.

    Inactive and retired recipients get nothing. A constant number of queries, however many drafts.
    """
    wanted: dict[str, _Draft] = {}
    for draft in drafts:
        user = draft.recipient
        if user is not None and user.is_active:
            wanted.setdefault(message_key(draft.name, draft.subject, user.pk), draft)
    if not wanted:
        return 0
    existing = set(MessageLog.objects.filter(key__in=list(wanted)).values_list("key", flat=True))
    fresh = {key: draft for key, draft in wanted.items() if key not in existing}
    if not fresh:
        return 0
    common = {"program_name": program_name(), "program_url": url("program/")}
    # ignore_conflicts: a concurrent worker that wrote the same key first wins, without an error
    # that would roll back the change this message reports.
    MessageLog.objects.bulk_create([
        MessageLog(key=key, message_name=draft.name, recipient=draft.recipient,
                   context={**common, "recipient_name": _name(draft.recipient), **draft.context})
        for key, draft in fresh.items()
    ], ignore_conflicts=True)
    ids = list(MessageLog.objects.filter(key__in=list(fresh), sent_at__isnull=True).values_list("pk", flat=True))
    for log_id in ids:
        _announce_after_commit(log_id)
    return len(ids)


def _announce_after_commit(log_id: int) -> None:
    # robust: the change is committed whatever happens here (a broker down, say); a failure is
    # logged and the scheduled jobs deliver the message later.
    transaction.on_commit(lambda: message_queued.send(sender=MessageLog, log_id=log_id), robust=True)


def _name(user: User | None) -> str:
    return platform.display_name(user)


def _nominee_name(nomination: Nomination) -> str:
    if nomination.nominee_organization is not None:
        return nomination.nominee_organization.name
    return _name(nomination.nominee_user)


def _nominee_users(nomination: Nomination) -> list[User]:
    """Who speaks for a nominee: the user, or the contacts of the organization."""
    if nomination.nominee_organization is not None:
        return list(nomination.nominee_organization.contacts.all())
    return [nomination.nominee_user] if nomination.nominee_user is not None else []


def _holders(term: MembershipTerm) -> list[User]:
    """Who hears about a term: its holder, or the contacts of the holding organization."""
    if term.holder_organization is not None:
        return list(term.holder_organization.contacts.all())
    return [term.holder_user] if term.holder_user is not None else []


def _date(moment: datetime.date | None) -> str:
    """A date as the messages show it (ISO 8601 reads the same in every language)."""
    return moment.date().isoformat() if isinstance(moment, datetime.datetime) else (
        moment.isoformat() if moment else "")


def _nomination_url(nomination_id: int) -> str:
    """The page of one nomination (``DISTINGUISHED_NOMINATIONS_URL`` may point elsewhere, ``{id}`` filled in)."""
    target = get_setting("DISTINGUISHED_NOMINATIONS_URL")
    if target:
        return urljoin(url(""), target.replace("{id}", str(nomination_id)))
    return url(f"nominations/{nomination_id}/")


def _membership_url(anchor: str = "") -> str:
    """My membership: terms, renewal progress, activities, badges, awards (``anchor`` picks a section)."""
    return url("membership/") + (f"#{anchor}" if anchor else "")


def _moment(moment: datetime.datetime) -> str:
    """A date and time as the messages show it: ISO 8601 in UTC, which reads the same everywhere."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _incentives_of(term_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Per term: what it is owed (each incentive's name, and whether an offer awaits the member's answer)."""
    owed: dict[int, list[dict[str, Any]]] = {}
    for term_id, name, status in Deliverable.objects.filter(term_id__in=list(term_ids)).exclude(
            status=DeliverableStatus.CANCELLED.value).order_by(
            "term_id", "incentive__sort_order", "incentive_id").values_list("term_id", "incentive__name", "status"):
        owed.setdefault(term_id, []).append({"name": name, "awaits_answer": status == DeliverableStatus.OFFERED.value})
    return owed


def _credential_links(credential: CredentialData | None) -> dict[str, str]:
    """The badge, certificate and LinkedIn links of a term's credential (empty until it is issued)."""
    if credential is None:
        return {"verify_url": "", "certificate_url": "", "linkedin_url": ""}
    return {"verify_url": credential.links["verify"], "certificate_url": credential.links["certificate_pdf"],
            "linkedin_url": credential.links["linkedin"]}


# What the domain rules report ---------------------------------------------------------------

def nomination_submitted(nomination: Nomination) -> int:
    """
    A draft was submitted: the nominator hears that it arrived; a peer nomination that now
    awaits consent asks the nominee (or the nominated organization's contacts) for it.
    """
    cycle, track = nomination.cycle, nomination.track
    about = {"nomination_id": nomination.pk, "track_name": track.name, "cycle_name": cycle.name,
             "cycle_year": cycle.year, "nomination_url": _nomination_url(nomination.pk)}
    awaiting = nomination.status == NominationStatus.AWAITING_CONSENT.value
    drafts = [_Draft(NominationReceived.NAME, nomination.pk, nomination.nominator, {
        **about, "nominee_name": _nominee_name(nomination),
        "is_self": nomination.kind == NominationKind.SELF.value, "awaiting_consent": awaiting,
    })]
    if awaiting:
        organization = nomination.nominee_organization
        drafts += [_Draft(ConsentRequest.NAME, nomination.pk, user, {
            **about, "nominator_name": _name(nomination.nominator),
            "organization_name": organization.name if organization else "",
            "consent_deadline": _date(cycle.review_deadline),
        }) for user in _nominee_users(nomination)]
    return _queue(drafts)


def endorsement_received(endorsement: Endorsement) -> int:
    """
    Someone supports a nomination: its nominator hears who (once per endorsement, even when the
    support is withdrawn and given again). Load the endorsement with its nomination.
    """
    nomination = endorsement.nomination
    if nomination.nominator is None or endorsement.endorser is None:
        return 0
    return _queue([_Draft(EndorsementReceived.NAME, endorsement.pk, nomination.nominator, {
        "nomination_id": nomination.pk, "endorser_name": _name(endorsement.endorser),
        "nominee_name": _nominee_name(nomination), "track_name": nomination.track.name,
        "cycle_name": nomination.cycle.name, "nomination_url": _nomination_url(nomination.pk),
    })])


def review_assigned(nomination: Nomination, reviewer: User) -> int:
    """A reviewer was given a nomination (manually, from CSV or automatically)."""
    cycle = nomination.cycle
    return _queue([_Draft(ReviewAssigned.NAME, nomination.pk, reviewer, {
        "nomination_id": nomination.pk, "nominee_name": _nominee_name(nomination),
        "track_name": nomination.track.name, "cycle_name": cycle.name, "cycle_year": cycle.year,
        "review_deadline": _date(cycle.review_deadline), "review_url": url(f"review/nominations/{nomination.pk}/"),
    })])


def announcement_released(*, cycle: Cycle, decisions: Iterable[Decision]) -> int:
    """
    The cycle's decisions were released: each nominee hears their outcome. Called by the release
    only, after the terms (and, with a signing key, the credentials) have started.
    """
    outcome_of = {d.nomination_id: d for d in decisions}
    nominations = list(Nomination.objects.filter(pk__in=list(outcome_of)).select_related(
        "track", "nominee_organization", "term", *platform.with_profile("nominee_user"),
    ).prefetch_related(Prefetch("nominee_organization__contacts", queryset=platform.users_with_profiles())))
    term_ids = [n.term.pk for n in nominations if getattr(n, "term", None)]
    issued = credentials_for_terms(term_ids=term_ids)
    owed = _incentives_of(term_ids)
    drafts: list[_Draft] = []
    for nomination in nominations:
        decision = outcome_of[nomination.pk]
        organization = nomination.nominee_organization
        context = {"nomination_id": nomination.pk, "track_name": nomination.track.name,
                   "badge_name": nomination.track.badge_name or nomination.track.name,
                   "cycle_name": cycle.name, "cycle_year": cycle.year,
                   "organization_name": organization.name if organization else ""}
        if decision.outcome == Recommendation.ACCEPT.value:
            term = getattr(nomination, "term", None)
            incentives = owed.get(term.pk, []) if term else []
            context.update(_credential_links(issued.get(term.pk) if term else None),
                           membership_url=_membership_url(), term_ends=_date(term.ends_at) if term else "",
                           citation=decision.citation, share_url=_membership_url("share"),
                           incentives=incentives, incentives_url=_membership_url("awards"),
                           awaiting=sum(1 for item in incentives if item["awaits_answer"]))
        else:
            context.update(feedback=decision.feedback, nomination_url=_nomination_url(nomination.pk))
        drafts += [_Draft(ANNOUNCEMENT[decision.outcome], nomination.pk, user, context)
                   for user in _nominee_users(nomination)]
    return _queue(drafts)


def renewal_due(*, term_ids: Iterable[int], progress: Mapping[int, Mapping[str, Any]]) -> int:
    """
    Terms became "renewal due": each holder hears when the term ends and what the retention rule
    still asks of them. ``progress`` maps a term id to ``membership.retention_progress``'s values.
    """
    terms = list(MembershipTerm.objects.filter(pk__in=list(term_ids)).select_related(
        "track", "holder_organization", *platform.with_profile("holder_user")).prefetch_related(
        Prefetch("holder_organization__contacts", queryset=platform.users_with_profiles())))
    slugs = {slug for values in progress.values() for slug in values["types"]}
    names = dict(ActivityType.objects.filter(slug__in=slugs).values_list("slug", "name")) if slugs else {}
    drafts: list[_Draft] = []
    for term in terms:
        values = progress.get(term.pk)
        if values is None:
            continue
        context = {"term_id": term.pk, "track_name": term.track.name, "term_ends": _date(term.ends_at),
                   "needed": values["needed"], "verified": values["verified"], "pending": values["pending"],
                   "still_needed": max(values["needed"] - values["verified"], 0),
                   "activity_types": ", ".join(names.get(slug, slug) for slug in values["types"]),
                   "organization_name": term.holder_organization.name if term.holder_organization else "",
                   "membership_url": _membership_url("renewal")}
        drafts += [_Draft(RenewalDue.NAME, term.pk, user, context) for user in _holders(term)]
    return _queue(drafts)


def _term_message(name: str, term: MembershipTerm, **extra: object) -> int:
    """Queue message ``name`` about ``term`` to its holders, with ``extra`` values."""
    context = {"term_id": term.pk, "track_name": term.track.name, "term_ends": _date(term.ends_at),
               "sequence": term.sequence,
               "organization_name": term.holder_organization.name if term.holder_organization else "",
               "membership_url": _membership_url(), **extra}
    return _queue([_Draft(name, term.pk, user, context) for user in _holders(term)])


def membership_renewed(term: MembershipTerm) -> int:
    """The evaluation renewed a term; ``term`` is the new one."""
    return _term_message(MembershipRenewed.NAME, term, **_credential_links(credential_for_term(term_id=term.pk)))


def lifetime_granted(term: MembershipTerm) -> int:
    """The evaluation granted lifetime status; ``term`` is the lifetime term."""
    return _term_message(LifetimeGranted.NAME, term, **_credential_links(credential_for_term(term_id=term.pk)))


def membership_lapsed(term: MembershipTerm) -> int:
    """A term lapsed: the holder is alumni."""
    return _term_message(MembershipLapsed.NAME, term)


def invitation_sent(invitation: Invitation, *, term_ids: Iterable[int]) -> int:
    """
    Staff sent ``invitation`` (loaded with its incentive) to the terms ``term_ids`` (the newly
    invited): each holder hears what, when and where, and answers on My membership.
    """
    terms = list(MembershipTerm.objects.filter(pk__in=list(term_ids)).select_related(
        "track", "holder_organization", *platform.with_profile("holder_user")).prefetch_related(
        Prefetch("holder_organization__contacts", queryset=platform.users_with_profiles())))
    common = {"invitation_id": invitation.pk, "title": invitation.title, "details": invitation.details,
              "location": invitation.location, "starts_at": _moment(invitation.starts_at),
              "ends_at": _moment(invitation.ends_at), "incentive_name": invitation.incentive.name,
              "membership_url": _membership_url("awards"), "ics_url": url(f"invitations/{invitation.pk}.ics")}
    return _queue([_Draft(InvitationReceived.NAME, invitation.pk, user, {
        **common, "track_name": term.track.name,
        "organization_name": term.holder_organization.name if term.holder_organization else ""})
        for term in terms for user in _holders(term)])


def activity_reviewed(activity: Activity) -> int:
    """Staff verified or rejected an activity a member reported."""
    name = ActivityVerified.NAME if activity.status == ActivityStatus.VERIFIED.value else ActivityRejected.NAME
    return _queue([_Draft(name, activity.pk, activity.user, {
        "activity_id": activity.pk, "activity_title": activity.title, "activity_type": activity.activity_type.name,
        "occurred_on": _date(activity.occurred_on), "review_note": activity.review_note,
        "membership_url": _membership_url("activities"),
    })])


def queue_review_reminders(*, now: datetime.datetime | None = None) -> int:
    """
    Remind each reviewer, once per cycle, of the assigned nominations they have not reviewed when
    the cycle's review deadline is ``DISTINGUISHED_REVIEW_REMINDER_DAYS`` away or nearer.
    """
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=get_setting("DISTINGUISHED_REVIEW_REMINDER_DAYS"))
    cycles = {c.pk: c for c in Cycle.objects.filter(
        program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG"), announcement_released_at__isnull=True,
        review_deadline__gt=now, review_deadline__lte=horizon)}
    if not cycles:
        return 0
    reviewed = Review.objects.filter(nomination_id=OuterRef("nomination_id"), reviewer_id=OuterRef("reviewer_id"))
    pending = list(ReviewAssignment.objects.filter(
        nomination__cycle_id__in=list(cycles), nomination__status=NominationStatus.IN_REVIEW.value,
    ).filter(~Exists(reviewed)).order_by().values("nomination__cycle_id", "reviewer_id").annotate(count=Count("pk")))
    reviewers = get_user_model().objects.in_bulk({row["reviewer_id"] for row in pending})
    drafts: list[_Draft] = []
    for row in pending:
        cycle = cycles[row["nomination__cycle_id"]]
        drafts.append(_Draft(ReviewReminder.NAME, cycle.year, reviewers[row["reviewer_id"]], {
            "cycle_name": cycle.name, "cycle_year": cycle.year, "pending_count": row["count"],
            "review_deadline": _date(cycle.review_deadline), "review_url": url("review/"),
        }))
    with transaction.atomic():
        return _queue(drafts)


# Delivering ---------------------------------------------------------------------------------

def preferred_language(user: User) -> str:
    """
    The user's language: their ``pref-lang`` preference inside the platform, else the site's.
    """
    try:
        # pylint: disable=import-outside-toplevel
        from openedx.core.djangoapps.user_api.preferences.api import get_user_preference
    except ImportError:
        return settings.LANGUAGE_CODE
    return get_user_preference(user, LANGUAGE_PREFERENCE) or settings.LANGUAGE_CODE


def _why_not(message: MessageLog, user: User | None) -> str | None:
    """Why a queued message can never be sent (None when it can)."""
    if user is None:
        return "Not sent: the recipient's account was retired."
    if not user.is_active:
        return "Not sent: the recipient's account is inactive."
    if not user.email:
        return "Not sent: the recipient has no email address."
    if not message.context:
        return "Not sent: withdrawn when an account it names was retired."
    if message.message_name not in MESSAGE_TYPES:
        return f"Not sent: no such message {message.message_name!r}."
    return None


def _send(message: MessageLog, user: User, language: str) -> bool:
    """Render and send one message with edx-ace; whether a channel reported it delivered."""
    ace_message = MESSAGE_TYPES[message.message_name]().personalize(
        recipient=Recipient(lms_user_id=user.pk, email_address=user.email), language=language,
        user_context=message.context,
    )
    delivered: list[object] = []

    # edx-ace logs channel errors instead of raising them; its "sent" signal is the proof of delivery.
    def on_sent(sender: object, message: Mapping[str, Any], **kwargs: object) -> None:
        if message.get("uuid") == str(ace_message.uuid):
            delivered.append(sender)

    uid = f"openedx_distinguished.delivery.{ace_message.uuid}"
    ACE_MESSAGE_SENT.connect(on_sent, weak=False, dispatch_uid=uid)
    try:
        ace.send(ace_message)
    finally:
        ACE_MESSAGE_SENT.disconnect(dispatch_uid=uid)
    return bool(delivered)


def deliver_message(*, log_id: int) -> bool:
    """
    Send one message of the outbox, unless it was sent already. The row is locked while it is
    sent, so two workers (a retried task, the scheduled jobs) never both send it.

    Returns:
        True if this call sent it; False if it was sent before, or can never be sent (the reason
        is recorded in ``last_error``).

    Raises:
        MessageNotSent: sending failed; the attempt and the error are recorded (a retry may work).
    """
    most = get_setting("DISTINGUISHED_EMAIL_MAX_ATTEMPTS")
    with transaction.atomic():
        message = MessageLog.objects.select_for_update().filter(pk=log_id).first()
        if message is None or message.sent_at is not None:
            return False
        user = message.recipient
        reason = _why_not(message, user)
        if reason:
            message.last_error, message.attempts = reason, max(message.attempts, most)
            message.save(update_fields=["last_error", "attempts"])
            return False
        if user is None:  # pragma: no cover  (``_why_not`` refuses a retired recipient)
            return False
        language = preferred_language(user)
        try:
            delivered = _send(message, user, language)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Whatever broke (SMTP, a template), record it; the task retries, the jobs try again later.
            log.exception("Could not send message %s", message.key)
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = "" if delivered else "No channel delivered the message (see the edx-ace logs)."
        message.attempts += 1
        message.language = language
        message.last_error = error[:2000]
        if not error:
            message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "language", "last_error", "sent_at"])
    if error:
        raise MessageNotSent({"message": [f"{message.key} not sent (attempt {message.attempts}): {error}"]})
    return True


def redeliver_stale(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """
    Deliver queued messages whose task never ran or gave up: those older than ``REDELIVER_AFTER``
    still unsent and under ``DISTINGUISHED_EMAIL_MAX_ATTEMPTS``, oldest first, a batch at a time.

    Returns:
        (how many were sent, how many failed again).
    """
    now = now or timezone.now()
    stale = list(MessageLog.objects.filter(
        sent_at__isnull=True, created__lte=now - REDELIVER_AFTER,
        attempts__lt=get_setting("DISTINGUISHED_EMAIL_MAX_ATTEMPTS"),
    ).order_by("pk").values_list("pk", flat=True)[:REDELIVER_BATCH])
    sent = failed = 0
    for log_id in stale:
        try:
            if deliver_message(log_id=log_id):
                sent += 1
        except MessageNotSent:
            failed += 1
    return sent, failed


# Retirement ---------------------------------------------------------------------------------

def forget_messages(*, user_id: int, named: Mapping[tuple[str, str], Iterable[int]]) -> None:
    """
    Erase a retired user from the outbox: their messages lose the recipient, the values and any
    error text; messages to others that name them lose their values, which also keeps them from
    being sent. ``named`` gives, for every (subject, role) of ``NAMEABLE``, the ids of the subjects
    in which the user has that role (the nominations they made, say): the messages whose type
    declares that role (``NAMES``) about those subjects are the ones that name them.

    Raises:
        KeyError: ``named`` misses a (subject, role) that a message type declares.
    """
    MessageLog.objects.filter(recipient_id=user_id).update(recipient=None, context={}, last_error="")
    prefixes = [Q(key__startswith=f"{message.NAME}:{subject_id}:")
                for message in MESSAGE_TYPES.values() for role in sorted(message.NAMES)
                for subject_id in named[(message.SUBJECT, role)]]
    if prefixes:
        MessageLog.objects.filter(reduce(or_, prefixes)).update(context={})
