"""
Rules of nominations: who may nominate whom and when, consent, endorsements, and every status change.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openedx_distinguished import events, notifications, parsing, platform
from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import (
    ACTIVE_NOMINATION_STATUSES,
    CAPPED_NOMINATION_STATUSES,
    CURRENT_TERM_STATUSES,
    ConsentDecision,
    CyclePhase,
    EndorsementData,
    ExistingNomination,
    NominateAs,
    NominationData,
    NominationKind,
    NominationOutcome,
    NominationStanding,
    NominationStatus,
    NominationWindowData,
    NomineeCheckData,
    NomineeKind,
    Page,
    TransitionData,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.filters import NominationSubmissionRequested
from openedx_distinguished.models import (
    Cycle,
    Decision,
    Endorsement,
    MembershipTerm,
    Nomination,
    NominationTransition,
    PartnerOrganization,
    Track,
)
from openedx_distinguished.program import cycle_phase, get_cycle, get_program, get_track, is_program_staff, list_cycles

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

# Messages by field name, as ``ValidationError`` carries them.
_Errors = dict[str, list[str]]

S = NominationStatus

# The only moves a nomination's status can make. Decisions (in review → accepted, declined,
# deferred) belong to the review panel and are recorded by the review rules.
TRANSITIONS = {
    S.DRAFT: {S.AWAITING_CONSENT, S.SUBMITTED, S.WITHDRAWN},
    S.AWAITING_CONSENT: {S.SUBMITTED, S.CONSENT_REFUSED, S.WITHDRAWN},
    S.SUBMITTED: {S.IN_REVIEW, S.WITHDRAWN},
    S.IN_REVIEW: {S.ACCEPTED, S.DECLINED, S.DEFERRED, S.WITHDRAWN},
    S.ACCEPTED: set(),
    S.DECLINED: set(),
    S.DEFERRED: set(),
    S.WITHDRAWN: set(),
    S.CONSENT_REFUSED: set(),
}

# Consent may still be given after nominations close, so that a last-day peer nomination is not
# lost; it closes with the review deadline.
CONSENT_PHASES = {CyclePhase.NOMINATIONS, CyclePhase.REVIEW}

ROLE_NOMINATOR = "nominator"
ROLE_NOMINEE = "nominee"
ROLE_STAFF = "staff"

_http_url = URLValidator(schemes=["http", "https"])


# Reading ------------------------------------------------------------------------------------

# Endorsements that still count: withdrawn ones stay in the table for the record only.
STANDING_ENDORSEMENT = Q(withdrawn_at__isnull=True)


def _base_queryset() -> QuerySet[Nomination]:
    return Nomination.objects.select_related(
        "cycle", "track", "nominee_organization", "decision", *platform.with_profile("nominator", "nominee_user"),
    ).annotate(endorsement_total=Count("endorsements", filter=Q(endorsements__withdrawn_at__isnull=True),
                                       distinct=True))


def _visible_filter(user: User | AnonymousUser | None) -> Q:
    """
    Rows a non-staff ``user`` may see: what they nominated, and what names them once submitted.
    """
    return Q(nominator=user) | (
        ~Q(status=S.DRAFT.value) & (Q(nominee_user=user) | Q(nominee_organization__contacts=user))
    )


def decision_of(nomination: Nomination) -> Decision | None:
    """The nomination's decision row, or None (select_related("decision") makes this free)."""
    try:
        return nomination.decision
    except ObjectDoesNotExist:
        return None


def nomination_data(nomination: Nomination) -> NominationData:
    """
    The plain record of ``nomination`` (load it through a listing queryset to avoid queries).
    """
    nominee_user = nomination.nominee_user
    organization = nomination.nominee_organization
    display_name = organization.name if organization is not None else platform.display_name(nominee_user)
    endorsements = getattr(nomination, "endorsement_total", None)
    if endorsements is None:
        endorsements = nomination.endorsements.filter(STANDING_ENDORSEMENT).count()
    return NominationData(
        id=nomination.pk,
        cycle_year=nomination.cycle.year,
        track_slug=nomination.track.slug,
        track_name=nomination.track.name,
        kind=NominationKind(nomination.kind),
        nominee_kind=NomineeKind(nomination.nominee_kind),
        nominee_username=nominee_user.username if nominee_user else None,
        nominee_organization_slug=organization.slug if organization else None,
        nominee_display_name=display_name,
        nominator_username=nomination.nominator.username if nomination.nominator else None,
        nominator_display_name=_display_name(nomination.nominator),
        status=NominationStatus(nomination.status),
        justifications=dict(nomination.justifications),
        evidence_links=tuple(nomination.evidence_links),
        endorsement_count=endorsements,
        created=nomination.created,
        submitted_at=nomination.submitted_at,
        decision_feedback=_released_feedback(nomination),
    )


def _released_feedback(nomination: Nomination) -> str | None:
    """The decision's feedback for the nominee, once (and only once) the decision is released."""
    decision = decision_of(nomination)
    if decision is None or decision.released_at is None:
        return None
    return decision.feedback


def _display_name(user: User | None) -> str:
    return platform.display_name(user)


def _nominee_display_name(nomination: Nomination) -> str:
    if nomination.nominee_organization is not None:
        return nomination.nominee_organization.name
    return _display_name(nomination.nominee_user)


def _standing(nomination: Nomination) -> NominationStanding:
    """What an endorser may know of ``nomination`` (loaded with its cycle): never its decision."""
    if nomination.status in (S.WITHDRAWN.value, S.CONSENT_REFUSED.value):
        return NominationStanding.NO_LONGER_CONSIDERED
    if nomination.cycle.announcement_released_at is not None:
        return NominationStanding.ANNOUNCED
    return NominationStanding.UNDER_CONSIDERATION


def endorsement_data(endorsement: Endorsement, *, with_nomination: bool = False) -> EndorsementData:
    """
    The plain record of ``endorsement``; ``with_nomination`` adds what its endorser's own listing
    shows of the nomination (load the endorsement with its nomination's cycle, track and nominee).
    """
    extra: dict[str, Any] = {}
    if with_nomination:
        nomination = endorsement.nomination
        extra = {"nominee_display_name": _nominee_display_name(nomination), "track_name": nomination.track.name,
                 "cycle_year": nomination.cycle.year, "standing": _standing(nomination)}
    return EndorsementData(
        id=endorsement.pk,
        nomination_id=endorsement.nomination_id,
        endorser_username=endorsement.endorser.username if endorsement.endorser else None,
        justifications=dict(endorsement.justifications),
        evidence_links=tuple(endorsement.evidence_links),
        created=endorsement.created,
        withdrawn_at=endorsement.withdrawn_at,
        endorser_display_name=_display_name(endorsement.endorser),
        **extra,
    )


def nomination_roles(*, user: User | AnonymousUser | None, nomination_id: int) -> frozenset[str]:
    """
    The roles ``user`` holds on a nomination: nominator, nominee (not while it is a draft), staff.

    An empty set means the user may not know the nomination exists.
    """
    roles: set[str] = set()
    if user is None or not user.is_authenticated:
        return frozenset()
    if is_program_staff(user=user):
        roles.add(ROLE_STAFF)
    row = Nomination.objects.filter(pk=nomination_id).values(
        "nominator_id", "nominee_user_id", "nominee_organization_id", "status").first()
    if row is None:
        return frozenset()
    if row["nominator_id"] == user.pk:
        roles.add(ROLE_NOMINATOR)
    if row["status"] != S.DRAFT.value and (
        row["nominee_user_id"] == user.pk
        or (row["nominee_organization_id"] is not None and PartnerOrganization.contacts.through.objects.filter(
            partnerorganization_id=row["nominee_organization_id"], user_id=user.pk).exists())
    ):
        roles.add(ROLE_NOMINEE)
    return frozenset(roles)


def get_nomination(*, nomination_id: int) -> NominationData:
    """
    The record of one nomination; NotFound if it does not exist.
    """
    try:
        return nomination_data(_base_queryset().get(pk=nomination_id))
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"nomination": ["Not found."]}) from exc


def list_nominations(*, user: User | AnonymousUser | None, include_all: bool = False, cycle_year: int | None = None,
                     status: str | None = None, offset: int = 0, limit: int = 50) -> Page:
    """
    One page of the nominations ``user`` may see (everything when ``include_all`` is asked by staff).
    """
    queryset = _base_queryset()
    if not (include_all and is_program_staff(user=user)):
        visible_ids = Nomination.objects.filter(_visible_filter(user)).values("pk")
        queryset = queryset.filter(pk__in=visible_ids)
    if cycle_year is not None:
        queryset = queryset.filter(cycle__year=cycle_year)
    if status is not None:
        queryset = queryset.filter(status=status)
    total = queryset.count()
    rows = queryset.order_by("-created", "-id")[offset:offset + limit]
    return Page(items=tuple(nomination_data(row) for row in rows), total=total)


def list_endorsements(*, user: User, offset: int = 0, limit: int = 50) -> Page:
    """
    One page of the endorsements ``user`` made, withdrawn ones included, newest first, each with
    the nominee, track, cycle and standing of the nomination it supports.
    """
    queryset = Endorsement.objects.select_related(
        "nomination__cycle", "nomination__track", "nomination__nominee_organization",
        *platform.with_profile("endorser", "nomination__nominee_user")).filter(endorser=user)
    total = queryset.count()
    rows = queryset.order_by("-created", "-id")[offset:offset + limit]
    return Page(items=tuple(endorsement_data(row, with_nomination=True) for row in rows), total=total)


def get_endorsement(*, endorsement_id: int) -> EndorsementData:
    """
    One endorsement, with the nomination it supports.

    Raises:
        NotFound: there is no such endorsement.
    """
    try:
        row = Endorsement.objects.select_related(
            "nomination__cycle", "nomination__track", "nomination__nominee_organization",
            *platform.with_profile("endorser", "nomination__nominee_user")).get(pk=endorsement_id)
    except (Endorsement.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"endorsement": ["Not found."]}) from exc
    return endorsement_data(row, with_nomination=True)


def nomination_endorsements(*, nomination_id: int) -> tuple[EndorsementData, ...]:
    """The endorsements that still support a nomination, oldest first."""
    rows = Endorsement.objects.select_related(*platform.with_profile("endorser")).filter(
        STANDING_ENDORSEMENT, nomination_id=nomination_id)
    return tuple(endorsement_data(row) for row in rows.order_by("created", "id"))


def nomination_history(*, nomination_ids: Iterable[int]) -> dict[int, tuple[TransitionData, ...]]:
    """
    The recorded status changes of each nomination of ``nomination_ids``, oldest first, in one
    query whatever their number.
    """
    history: dict[int, list[TransitionData]] = {nomination_id: [] for nomination_id in nomination_ids}
    rows = NominationTransition.objects.filter(nomination_id__in=list(history)).select_related("actor") \
        .order_by("created", "id")
    for row in rows:
        history[row.nomination_id].append(TransitionData(
            from_status=S(row.from_status) if row.from_status else None, to_status=S(row.to_status),
            at=row.created, actor_username=row.actor.username if row.actor else None, reason=row.reason,
        ))
    return {nomination_id: tuple(items) for nomination_id, items in history.items()}


def _used_slots(cycle: Cycle, nominator: User) -> int:
    """How many of the cycle's nominations count against ``nominator``'s cap."""
    return Nomination.objects.filter(cycle=cycle, nominator=nominator,
                                     status__in=[s.value for s in CAPPED_NOMINATION_STATUSES]).count()


def nomination_window(*, user: User | AnonymousUser | None) -> NominationWindowData:
    """
    Where nominating stands for ``user``: the cycle taking nominations (the one closing first, if
    several do), else the next to open, else none; and how much of their cap they have used.
    """
    cycles = list_cycles()
    taking = sorted((c for c in cycles if c.phase == CyclePhase.NOMINATIONS), key=lambda c: c.nominations_close_at)
    upcoming = sorted((c for c in cycles if c.phase == CyclePhase.UPCOMING), key=lambda c: c.nominations_open_at)
    chosen = taking[0] if taking else (upcoming[0] if upcoming else None)
    try:
        cap = get_program().max_nominations_per_nominator
    except NotFound:
        return NominationWindowData(cycle=None, is_open=False, cap=0, used=0)
    used = 0
    if chosen is not None and user is not None and user.is_authenticated:
        used = _used_slots(get_cycle(chosen.year), user)
    return NominationWindowData(cycle=chosen, is_open=bool(taking), cap=cap, used=used)


# Validation ---------------------------------------------------------------------------------

def _check_justifications(justifications: object, track: Track | None, errors: _Errors) -> dict[str, str]:
    """
    Validate justifications against the track's criteria; add messages to ``errors`` (under
    ``justifications.<criterion slug>`` for one criterion's text), return the clean dict.
    """
    if justifications is None:
        return {}
    if not isinstance(justifications, dict):
        errors["justifications"] = ["Give an object that maps criterion slugs to text."]
        return {}
    known = {criterion.slug for criterion in track.criteria.all()} if track else None
    limit = get_setting("DISTINGUISHED_MAX_JUSTIFICATION_LENGTH")
    unknown: list[str] = []
    cleaned: dict[str, str] = {}
    for slug, text in justifications.items():
        if known is not None and slug not in known:
            unknown.append(f"{slug!r} is not a criterion of this track (expected one of {sorted(known)}).")
        elif not isinstance(text, str):
            errors[f"justifications.{slug}"] = ["Give the justification as text."]
        else:
            # Browsers send a textarea's lines with CR LF: store plain line breaks, and count them once.
            text = text.replace("\r\n", "\n").strip()
            if parsing.has_hidden_characters(text, lines=True):
                errors[f"justifications.{slug}"] = [_("Remove the control or text-direction characters.")]
            elif len(text) > limit:
                errors[f"justifications.{slug}"] = [_("Write at most {limit} characters (this has {length}).")
                                                    .format(limit=limit, length=len(text))]
            else:
                cleaned[slug] = text
    if unknown:
        errors["justifications"] = unknown
    return cleaned


def _check_evidence(links: object, errors: _Errors) -> list[str]:
    """Validate evidence links (http/https, count, length); add messages to ``errors``, return the clean list."""
    if links is None:
        return []
    if not isinstance(links, (list, tuple)):
        errors["evidence_links"] = ["Give a list of http or https URLs."]
        return []
    most = get_setting("DISTINGUISHED_MAX_EVIDENCE_LINKS")
    longest = get_setting("DISTINGUISHED_MAX_URL_LENGTH")
    messages: list[str] = []
    if len(links) > most:
        messages.append(_("At most {most} evidence links are accepted.").format(most=most))
    cleaned: list[str] = []
    for link in links:
        if not isinstance(link, str):
            messages.append("Each evidence link must be a URL string.")
            continue
        link = link.strip()
        if parsing.has_hidden_characters(link):
            messages.append(_("Evidence links may not carry control or text-direction characters."))
            continue
        if len(link) > longest:
            messages.append(_("Evidence links may not be longer than {longest} characters.").format(longest=longest))
            continue
        try:
            _http_url(link)
        except DjangoValidationError:
            messages.append(_("{link} is not a valid http or https URL.").format(link=repr(link[:80])))
            continue
        if urlsplit(link).scheme not in ("http", "https"):  # pragma: no cover - URLValidator enforces it
            messages.append(f"{link[:80]!r} is not a valid http or https URL.")
            continue
        if link not in cleaned:
            cleaned.append(link)
    if messages:
        errors["evidence_links"] = messages
    return cleaned


def _find_user(query: str | None) -> User | None:
    """
    The one active user ``query`` names: their username, else their e-mail address or a username
    written in other letter case when exactly one account matches.
    """
    text = (query or "").strip()
    if not text:
        return None
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=text).first()
    if user is not None:
        return user
    lookups = [{"email__iexact": text}] if "@" in text else []
    for lookup in lookups + [{"username__iexact": text}]:
        matches = list(users.filter(**lookup)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def _eligibility_errors(cycle: Cycle, track: Track, nominee_user: User | None, organization: PartnerOrganization | None,
                        errors: _Errors) -> None:
    """
    Refuse a nominee who will still be a member of the track when the cycle's results come out:
    a lifetime member, or a holder of a term ending after the announcement. (The release would
    start no term for them; their renewal is the annual evaluation's business.)
    """
    holder = Q(holder_organization=organization) if organization is not None else Q(holder_user=nominee_user)
    term = MembershipTerm.objects.filter(holder, track=track, status__in=[s.value for s in CURRENT_TERM_STATUSES]) \
        .order_by("-starts_at").first()
    if term is None:
        return
    name = organization.name if organization is not None else _display_name(nominee_user)
    if term.ends_at is None:
        errors["nominee"] = [_("{name} is already a lifetime member of {track}.").format(name=name, track=track.name)]
    elif term.ends_at > cycle.announcement_at:
        errors["nominee"] = [_("{name} is already a member of {track} until {date}; members renew through the annual "
                               "evaluation, not a new nomination.").format(name=name, track=track.name,
                                                                           date=term.ends_at.date().isoformat())]


# What a closed cycle refuses, in words (the ``action`` of ``_require_phase``).
ACTIONS = {
    "nominate": gettext_lazy("Nominating"),
    "endorse": gettext_lazy("Endorsing"),
    "edit": gettext_lazy("Editing a nomination"),
    "submit": gettext_lazy("Submitting a nomination"),
    "answer": gettext_lazy("Answering a nomination"),
    "withdraw_support": gettext_lazy("Withdrawing support"),
}


def _require_phase(cycle: Cycle, phases: Collection[CyclePhase], errors: _Errors, action: str) -> None:
    """Add an error on ``cycle`` unless the cycle is in one of ``phases`` now; ``action`` names what is refused."""
    phase = cycle_phase(cycle=cycle)
    if phase not in phases:
        errors.setdefault("cycle", []).append(
            _("{action} is not possible for the {year} cycle now (it is in its {phase} phase).").format(
                action=ACTIONS[action], year=cycle.year, phase=phase.value)
        )


def _active_key(cycle_id: int, track_id: int, nominee_kind: NomineeKind, nominee_id: int | None) -> str:
    prefix = "u" if nominee_kind == NomineeKind.INDIVIDUAL else "o"
    return f"{cycle_id}:{track_id}:{prefix}{nominee_id}"


def _key_of(nomination: Nomination) -> str:
    if nomination.nominee_kind == NomineeKind.ORGANIZATION.value:
        return _active_key(nomination.cycle_id, nomination.track_id, NomineeKind.ORGANIZATION,
                           nomination.nominee_organization_id)
    return _active_key(nomination.cycle_id, nomination.track_id, NomineeKind.INDIVIDUAL, nomination.nominee_user_id)


# Changing -----------------------------------------------------------------------------------

def record_transition(nomination: Nomination, to_status: NominationStatus, actor: User | AnonymousUser | None,
                      reason: str = "") -> None:
    """Move ``nomination`` to ``to_status`` if ``TRANSITIONS`` allows it, and record who did it and why."""
    from_status = nomination.status
    if to_status not in TRANSITIONS[S(from_status)]:
        raise InvalidTransition(
            {"status": [f"A {S(from_status).value} nomination cannot become {to_status.value}."]}
        )
    nomination.status = to_status.value
    nomination.active_key = _key_of(nomination) if to_status in ACTIVE_NOMINATION_STATUSES else None
    nomination.save(update_fields=["status", "active_key", "submitted_at", "modified"])
    NominationTransition.objects.create(
        nomination=nomination, actor=actor if actor and actor.is_authenticated else None,
        from_status=from_status, to_status=to_status.value, reason=reason or "",
    )
    if to_status == S.SUBMITTED:
        events.nomination_submitted(nomination)


def _endorse(active: Nomination, *, endorser: User, justifications: dict[str, str], evidence_links: list[str],
             form_token: str | None = None) -> Endorsement:
    """
    Attach ``endorser``'s support to the active nomination ``active``, at most once per endorser:
    support withdrawn earlier is given again on the same row. The nominator hears about it.
    """
    if active.nominator_id == endorser.pk:
        raise ValidationError({"nominee": [_("You have already nominated this nominee for this track.")]})
    endorsement = Endorsement.objects.select_for_update().filter(nomination=active, endorser=endorser).first()
    if endorsement is None:
        endorsement = Endorsement.objects.create(nomination=active, endorser=endorser, justifications=justifications,
                                                 evidence_links=evidence_links, form_token=form_token)
    elif endorsement.withdrawn_at is None:
        raise ValidationError({"nominee": [_("You have already endorsed this nomination.")]})
    else:
        endorsement.justifications, endorsement.evidence_links = justifications, evidence_links
        endorsement.withdrawn_at, endorsement.form_token = None, form_token
        endorsement.save(update_fields=["justifications", "evidence_links", "withdrawn_at", "form_token"])
    endorsement.nomination = active
    notifications.endorsement_received(endorsement)
    return endorsement


def _replayed(user: User, form_token: str | None) -> NominationOutcome | None:
    """What an earlier post of the same form made for ``user``, if anything (a double click, the back button)."""
    if not form_token:
        return None
    nomination_id = Nomination.objects.filter(nominator=user, form_token=form_token).values_list("pk", flat=True) \
        .first()
    if nomination_id is not None:
        return NominationOutcome(nomination=get_nomination(nomination_id=nomination_id), replayed=True)
    endorsement = Endorsement.objects.select_related("endorser").filter(
        STANDING_ENDORSEMENT, endorser=user, form_token=form_token).first()
    if endorsement is not None:
        return NominationOutcome(endorsement=endorsement_data(endorsement), replayed=True)
    return None


def _resolve_nominee(nominee_username: str | None, nominee_organization_slug: str | None,
                     errors: _Errors) -> tuple[User | None, PartnerOrganization | None]:
    """Find the one nominee named (user or organization); add messages to ``errors`` otherwise."""
    if bool(nominee_username) == bool(nominee_organization_slug):
        errors["nominee"] = ["Name exactly one nominee: a username or a partner organization slug."]
        return None, None
    if nominee_username:
        user = get_user_model().objects.filter(username=nominee_username, is_active=True).first()
        if user is None:
            errors["nominee_username"] = [f"There is no active user {nominee_username!r}."]
        return user, None
    organization = PartnerOrganization.objects.filter(slug=nominee_organization_slug).first()
    if organization is None:
        errors["nominee_organization"] = [f"There is no partner organization {nominee_organization_slug!r}."]
    return None, organization


def _missing_criteria(track: Track, justifications: Mapping[str, str], errors: _Errors) -> None:
    """
    Add an error for each criterion of ``track`` whose justification is empty (and has no error
    yet): a submission needs them all.
    """
    for criterion in track.criteria.all():
        if f"justifications.{criterion.slug}" not in errors and not (justifications.get(criterion.slug) or "").strip():
            errors.setdefault(f"justifications.{criterion.slug}", []).append(
                _("Write the case for this criterion before submitting: every criterion needs one."))


def _read_request(*, cycle_year: int, track_slug: str, nominee_username: str | None,
                  nominee_organization_slug: str | None, justifications: object, evidence_links: object, action: str,
                  complete: bool = False
                  ) -> tuple[Cycle, Track, User | None, PartnerOrganization | None, dict[str, str], list[str]]:
    """
    Resolve and check what a nominating request names: the cycle (open for nominations), the
    track, the nominee (eligible) and the case (every criterion justified when ``complete``).
    Returns them, or raises one ValidationError with a message for every field that is wrong.
    """
    errors: _Errors = {}
    cycle: Cycle | None = None
    track: Track | None = None
    try:
        cycle = get_cycle(cycle_year)
    except NotFound as exc:
        errors.update(exc.errors)
    try:
        track = get_track(track_slug)
    except NotFound as exc:
        errors.update(exc.errors)
    if cycle is not None:
        _require_phase(cycle, {CyclePhase.NOMINATIONS}, errors, action)
    nominee_user, organization = _resolve_nominee(nominee_username, nominee_organization_slug, errors)
    cleaned = _check_justifications(justifications, track, errors)
    if complete and track is not None:
        _missing_criteria(track, cleaned, errors)
    links = _check_evidence(evidence_links, errors)
    if cycle is not None and track is not None and (nominee_user or organization) and "nominee" not in errors:
        _eligibility_errors(cycle, track, nominee_user, organization, errors)
    if errors or cycle is None or track is None:  # no cycle or track: ``errors`` says why
        raise ValidationError(errors)
    return cycle, track, nominee_user, organization, cleaned, links


def _nominee_key(cycle: Cycle, track: Track, nominee_user: User | None,
                 organization: PartnerOrganization | None) -> str:
    """The active-nomination key of the nominee (a user or an organization) in the cycle and track."""
    if organization is not None:
        return _active_key(cycle.pk, track.pk, NomineeKind.ORGANIZATION, organization.pk)
    if nominee_user is None:  # pragma: no cover  (the request was checked to name one nominee)
        raise ValidationError({"nominee": ["Name exactly one nominee: a username or a partner organization slug."]})
    return _active_key(cycle.pk, track.pk, NomineeKind.INDIVIDUAL, nominee_user.pk)


def create_nomination(
    *,
    nominator: User,
    cycle_year: int,
    track_slug: str,
    nominee_username: str | None = None,
    nominee_organization_slug: str | None = None,
    justifications: dict | None = None,
    evidence_links: list | None = None,
    submit: bool = False,
    form_token: str | None = None,
) -> NominationOutcome:
    """
    Start a nomination as a draft (and, with ``submit``, submit it in the same transaction), or
    endorse the nominee's existing nomination.

    If the nominee already has an active nomination for the same track and cycle, the request
    becomes an endorsement of it (keeping this nominator's justifications and evidence).
    ``form_token`` identifies one posting of a page's form: posting it again returns what the first
    post made (``replayed``) instead of making anything new.

    Raises:
        ValidationError: a field is invalid, the nominee is not eligible, nominations are closed,
            the nominator's cap is reached, or (``submit``) the case is incomplete. Nothing is written.
    """
    cycle, track, nominee_user, organization, justifications, evidence_links = _read_request(
        cycle_year=cycle_year, track_slug=track_slug, nominee_username=nominee_username,
        nominee_organization_slug=nominee_organization_slug, justifications=justifications,
        evidence_links=evidence_links, action="nominate", complete=submit)
    if organization is not None:
        nominee_kind = NomineeKind.ORGANIZATION
        is_self = organization.contacts.filter(pk=nominator.pk).exists()
    else:
        nominee_kind = NomineeKind.INDIVIDUAL
        is_self = nominee_user is not None and nominee_user.pk == nominator.pk
    key = _nominee_key(cycle, track, nominee_user, organization)

    with transaction.atomic():
        # Lock the nominator's row: their concurrent requests queue here, so the cap holds and a
        # form posted twice finds what its first post made.
        get_user_model().objects.select_for_update().filter(pk=nominator.pk).first()
        replayed = _replayed(nominator, form_token)
        if replayed is not None:
            return replayed
        active = Nomination.objects.filter(active_key=key).first()
        if active is not None:
            endorsement = _endorse(active, endorser=nominator, justifications=justifications,
                                   evidence_links=evidence_links, form_token=form_token)
            return NominationOutcome(endorsement=endorsement_data(endorsement))
        same_nominee = Q(nominee_organization=organization) if organization else Q(nominee_user=nominee_user)
        if Nomination.objects.filter(same_nominee, cycle=cycle, track=track, nominator=nominator,
                                     status=S.DRAFT.value).exists():
            raise ValidationError({"nominee": [_("You already have a draft nomination of this nominee for "
                                                 "this track; edit and submit it.")]})
        cap = cycle.program.max_nominations_per_nominator
        if _used_slots(cycle, nominator) >= cap:
            raise ValidationError({"non_field_errors": [
                _("You have reached the limit of {cap} nominations for the {year} cycle.").format(cap=cap,
                                                                                                  year=cycle.year)]})
        nomination = Nomination.objects.create(
            cycle=cycle, track=track, nominator=nominator,
            kind=(NominationKind.SELF if is_self else NominationKind.PEER).value,
            nominee_kind=nominee_kind.value, nominee_user=nominee_user, nominee_organization=organization,
            justifications=justifications, evidence_links=evidence_links, form_token=form_token,
        )
        NominationTransition.objects.create(nomination=nomination, actor=nominator, from_status="",
                                            to_status=S.DRAFT.value, reason="Created.")
        if submit:
            return submit_nomination(nomination_id=nomination.pk, actor=nominator)
    return NominationOutcome(nomination=get_nomination(nomination_id=nomination.pk))


def endorse_nomination(
    *,
    endorser: User,
    cycle_year: int,
    track_slug: str,
    nominee_username: str | None = None,
    nominee_organization_slug: str | None = None,
    justifications: dict | None = None,
    evidence_links: list | None = None,
    form_token: str | None = None,
) -> NominationOutcome:
    """
    Support the nominee's existing nomination for the track and cycle, saying why (at least one
    criterion) with optional evidence. Unlike ``create_nomination`` it never starts a nomination.

    Raises:
        ValidationError: nominations are closed, there is no nomination to support, it is the
            endorser's own, they already support it, or nothing is said. Nothing is written.
    """
    cycle, track, nominee_user, organization, justifications, evidence_links = _read_request(
        cycle_year=cycle_year, track_slug=track_slug, nominee_username=nominee_username,
        nominee_organization_slug=nominee_organization_slug, justifications=justifications,
        evidence_links=evidence_links, action="endorse")
    justifications = {slug: text for slug, text in justifications.items() if text}
    if not justifications:
        raise ValidationError({"justifications": [_("Say, for at least one criterion, why you support this "
                                                    "nomination.")]})
    key = _nominee_key(cycle, track, nominee_user, organization)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=endorser.pk).first()
        replayed = _replayed(endorser, form_token)
        if replayed is not None:
            return replayed
        active = Nomination.objects.filter(active_key=key).first()
        if active is None:
            name = organization.name if organization is not None else _display_name(nominee_user)
            raise ValidationError({"nominee": [_("{name} has no nomination in {track} to support; nominate them "
                                                 "instead.").format(name=name, track=track.name)]})
        endorsement = _endorse(active, endorser=endorser, justifications=justifications,
                               evidence_links=evidence_links, form_token=form_token)
    return NominationOutcome(endorsement=endorsement_data(endorsement))


def withdraw_endorsement(*, endorsement_id: int, actor: User | AnonymousUser | None) -> EndorsementData:
    """
    Withdraw support given to a nomination, while the panel can still take it into account (until
    the review deadline). The endorser may support it again while nominations are open.

    Raises:
        NotFound: no such endorsement.
        InvalidTransition: it was already withdrawn.
        ValidationError: the review is over.
    """
    del actor  # only its endorser (or staff) may, which the adapters check
    with transaction.atomic():
        endorsement = Endorsement.objects.select_for_update().filter(pk=endorsement_id).first()
        if endorsement is None:
            raise NotFound({"endorsement": ["Not found."]})
        if endorsement.withdrawn_at is not None:
            raise InvalidTransition({"endorsement": [_("This support was already withdrawn.")]})
        errors: _Errors = {}
        _require_phase(endorsement.nomination.cycle, CONSENT_PHASES, errors, "withdraw_support")
        if errors:
            raise ValidationError(errors)
        endorsement.withdrawn_at = timezone.now()
        endorsement.save(update_fields=["withdrawn_at"])
    return get_endorsement(endorsement_id=endorsement_id)


def _existing_for(nominator: User, cycle: Cycle, track: Track, nominee_user: User | None,
                  organization: PartnerOrganization | None) -> tuple[ExistingNomination, int | None]:
    """What already exists for the nominee in the track and cycle, seen from ``nominator`` (and the id they may see)."""
    same_nominee = Q(nominee_organization=organization) if organization is not None else Q(nominee_user=nominee_user)
    active = Nomination.objects.filter(active_key=_nominee_key(cycle, track, nominee_user, organization)) \
        .values("pk", "nominator_id").first()
    if active is not None and active["nominator_id"] == nominator.pk:
        return ExistingNomination.OWN, active["pk"]
    if active is not None:
        endorsement_id = Endorsement.objects.filter(STANDING_ENDORSEMENT, nomination_id=active["pk"],
                                                    endorser=nominator).values_list("pk", flat=True).first()
        if endorsement_id:
            return ExistingNomination.ENDORSED, endorsement_id
        return ExistingNomination.ENDORSABLE, None
    draft_id = Nomination.objects.filter(same_nominee, cycle=cycle, track=track, nominator=nominator,
                                         status=S.DRAFT.value).values_list("pk", flat=True).first()
    if draft_id is not None:
        return ExistingNomination.OWN_DRAFT, draft_id
    return ExistingNomination.NONE, None


def find_nominee(*, nominator: User, cycle_year: int, track_slug: str, nominate_as: NominateAs | str,
                 nominee: str = "", organization_slug: str = "") -> NomineeCheckData:
    """
    Resolve whom a nomination form names (oneself, a peer by username or e-mail address, or a
    partner organization by slug) and say what already exists for them in the track and cycle:
    nothing, the caller's own draft or nomination, someone else's nomination the caller may
    support, or the caller's support of it (ADR 0010: nothing more of someone else's nomination).

    Raises:
        ValidationError: per field: the choice, the track, the nominee (unknown, oneself as a
            peer, not eligible) or the cycle (not open for nominations).
    """
    errors: _Errors = {}
    try:
        nominate_as = NominateAs(nominate_as)
    except ValueError:
        errors["nominate_as"] = [_("Choose whom you nominate: yourself, a peer or a partner organization.")]
    cycle: Cycle | None = None
    track: Track | None = None
    try:
        cycle = get_cycle(cycle_year)
        _require_phase(cycle, {CyclePhase.NOMINATIONS}, errors, "nominate")
    except NotFound as exc:
        errors.update(exc.errors)
    try:
        track = get_track(track_slug)
    except NotFound:
        errors["track"] = [_("Choose one of the tracks.")]
    nominee_user: User | None = None
    organization: PartnerOrganization | None = None
    if nominate_as == NominateAs.SELF:
        nominee_user = nominator
    elif nominate_as == NominateAs.PEER:
        nominee_user = _find_user(nominee)
        if not (nominee or "").strip():
            errors["nominee"] = [_("Give the username or e-mail address of the person you nominate.")]
        elif nominee_user is None:
            errors["nominee"] = [_("No active account has the username or e-mail address {query}.")
                                 .format(query=repr(nominee.strip()[:100]))]
        elif nominee_user.pk == nominator.pk:
            errors["nominee"] = [_("That is your own account: choose “Myself” to nominate yourself.")]
            nominee_user = None
    elif nominate_as == NominateAs.ORGANIZATION:
        organization = PartnerOrganization.objects.filter(slug=organization_slug or "").first()
        if organization is None:
            errors["organization"] = [_("Choose one of the partner organizations.")]
    if cycle is not None and track is not None and (nominee_user or organization) and not errors:
        _eligibility_errors(cycle, track, nominee_user, organization, errors)
    if errors or cycle is None or track is None:  # no cycle or track: ``errors`` says why
        raise ValidationError(errors)

    if organization is not None:
        is_self = organization.contacts.filter(pk=nominator.pk).exists()
    else:
        is_self = nominee_user is not None and nominee_user.pk == nominator.pk
    existing, existing_id = _existing_for(nominator, cycle, track, nominee_user, organization)
    return NomineeCheckData(
        nominate_as=NominateAs(nominate_as), kind=NominationKind.SELF if is_self else NominationKind.PEER,
        nominee_kind=NomineeKind.ORGANIZATION if organization is not None else NomineeKind.INDIVIDUAL,
        username=nominee_user.username if nominee_user is not None else None,
        organization_slug=organization.slug if organization is not None else None,
        display_name=organization.name if organization is not None else _display_name(nominee_user),
        existing=existing, existing_id=existing_id,
    )


def _locked(nomination_id: int) -> Nomination:
    """
    The nomination, its row locked; not its cycle and track (a join would lock them too), which
    would queue every submission of the cycle and deadlock with new nominations, whose inserts
    take shared locks on those rows. They are read afterwards, unlocked.
    """
    try:
        return Nomination.objects.select_for_update().get(pk=nomination_id)
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"nomination": ["Not found."]}) from exc


def update_draft(*, nomination_id: int, justifications: dict | None = None,
                 evidence_links: list | None = None) -> NominationData:
    """
    Replace the justifications and/or evidence links of a draft while nominations are open.

    Raises:
        NotFound: no such nomination.
        InvalidTransition: it is no longer a draft.
        ValidationError: a field is invalid or nominations are closed.
    """
    return _update_draft(nomination_id, justifications, evidence_links, complete=False)


def _update_draft(nomination_id: int, justifications: object, evidence_links: object, *,
                  complete: bool) -> NominationData:
    """``update_draft``; with ``complete`` every criterion must be justified too (before a submission)."""
    with transaction.atomic():
        nomination = _locked(nomination_id)
        if nomination.status != S.DRAFT.value:
            raise InvalidTransition({"status": ["Only a draft nomination can be edited."]})
        errors: _Errors = {}
        _require_phase(nomination.cycle, {CyclePhase.NOMINATIONS}, errors, "edit")
        track = get_track(nomination.track.slug) if nomination.track.is_active else nomination.track
        new_justifications = _check_justifications(justifications, track, errors)
        if complete:
            _missing_criteria(track, new_justifications if justifications is not None else nomination.justifications,
                              errors)
        new_links = _check_evidence(evidence_links, errors)
        if errors:
            raise ValidationError(errors)
        if justifications is not None:
            nomination.justifications = new_justifications
        if evidence_links is not None:
            nomination.evidence_links = new_links
        nomination.save(update_fields=["justifications", "evidence_links", "modified"])
    return get_nomination(nomination_id=nomination_id)


def save_draft(*, nomination_id: int, actor: User | AnonymousUser | None, justifications: dict | None = None,
               evidence_links: list | None = None, submit: bool = False) -> NominationOutcome:
    """
    Save the draft's new case and, with ``submit``, submit it, in one transaction: if the
    submission is refused, the edits are not kept either.

    Raises:
        NotFound, InvalidTransition, ValidationError: as ``update_draft`` and ``submit_nomination``.
    """
    with transaction.atomic():
        nomination = _update_draft(nomination_id, justifications, evidence_links, complete=submit)
        if not submit:
            return NominationOutcome(nomination=nomination)
        return submit_nomination(nomination_id=nomination_id, actor=actor)


def submit_nomination(*, nomination_id: int, actor: User | AnonymousUser | None) -> NominationOutcome:
    """
    Submit a draft: a self-nomination is submitted, a peer nomination waits for the nominee's consent.

    If someone else's nomination of the same nominee was submitted first, this draft becomes an
    endorsement of it instead (and the draft row goes away).

    Raises:
        NotFound: no such nomination.
        InvalidTransition: it is not a draft.
        ValidationError: a criterion lacks its justification, or nominations are closed.
    """
    with transaction.atomic():
        nomination = _locked(nomination_id)
        if nomination.status != S.DRAFT.value:
            raise InvalidTransition({"status": ["Only a draft nomination can be submitted."]})
        errors: _Errors = {}
        _require_phase(nomination.cycle, {CyclePhase.NOMINATIONS}, errors, "submit")
        if not nomination.track.is_active:
            errors["track"] = ["This track no longer takes nominations."]
        _missing_criteria(nomination.track, nomination.justifications, errors)
        if nomination.nominee_kind == NomineeKind.INDIVIDUAL.value and nomination.nominee_user_id is None:
            errors["nominee"] = ["The nominee's account no longer exists."]
        if errors:
            raise ValidationError(errors)
        try:
            NominationSubmissionRequested.run_filter(nomination=nomination_data(nomination))
        except NominationSubmissionRequested.PreventNominationSubmission as exc:
            raise ValidationError({"non_field_errors": [str(exc) or "This nomination cannot be submitted."]}) from exc

        active = Nomination.objects.filter(active_key=_key_of(nomination)).first()
        if active is None:
            nomination.submitted_at = timezone.now()
            target = S.SUBMITTED if nomination.kind == NominationKind.SELF.value else S.AWAITING_CONSENT
            try:
                with transaction.atomic():
                    record_transition(nomination, target, actor)
                    notifications.nomination_submitted(nomination)
            except IntegrityError:
                # Another worker made its nomination of this nominee active a moment ago.
                active = Nomination.objects.get(active_key=_key_of(nomination))
            else:
                return NominationOutcome(nomination=get_nomination(nomination_id=nomination.pk))
        nominator = nomination.nominator
        if nominator is None:  # pragma: no cover  (retirement withdraws a retired nominator's drafts)
            raise InvalidTransition({"status": ["Only a draft nomination can be submitted."]})
        endorsement = _endorse(active, endorser=nominator, justifications=nomination.justifications,
                               evidence_links=nomination.evidence_links, form_token=nomination.form_token)
        nomination.delete()
    return NominationOutcome(endorsement=endorsement_data(endorsement))


# The longest reason recorded with a status change (consent, withdrawal).
MAX_REASON_LENGTH = 2000


def _check_reason(reason: object) -> str:
    """The reason given with a status change, as plain text (ValidationError: too long, or not plain text)."""
    return parsing.text(reason, field="reason", most=MAX_REASON_LENGTH, lines=True)


def respond_to_nomination(*, nomination_id: int, actor: User | AnonymousUser | None, decision: ConsentDecision | str,
                          reason: str = "") -> NominationData:
    """
    Record the nominee's consent to a peer nomination, or their refusal, with an optional reason.

    Raises:
        NotFound: no such nomination.
        InvalidTransition: the nomination is not waiting for consent.
        ValidationError: the decision is unknown, the reason too long, or consent has closed for the cycle.
    """
    try:
        decision = ConsentDecision(decision)
    except ValueError as exc:
        raise ValidationError({"decision": [f"Answer {ConsentDecision.ACCEPT.value!r} or "
                                            f"{ConsentDecision.DECLINE.value!r}."]}) from exc
    reason = _check_reason(reason)
    with transaction.atomic():
        nomination = _locked(nomination_id)
        if nomination.status != S.AWAITING_CONSENT.value:
            raise InvalidTransition({"status": [_("This nomination is not waiting for the nominee's consent.")]})
        errors: _Errors = {}
        _require_phase(nomination.cycle, CONSENT_PHASES, errors, "answer")
        if errors:
            raise ValidationError(errors)
        target = S.SUBMITTED if decision == ConsentDecision.ACCEPT else S.CONSENT_REFUSED
        record_transition(nomination, target, actor, reason)
    return get_nomination(nomination_id=nomination_id)


def withdraw_nomination(*, nomination_id: int, actor: User | AnonymousUser | None, reason: str = "") -> NominationData:
    """
    Withdraw a nomination until its decision is released. A decision the panel already recorded
    stays unpublished: the release sets it aside (ADR 0013), so a withdrawal never blocks it.

    Raises:
        NotFound: no such nomination.
        InvalidTransition: it was already decided, withdrawn or refused.
        ValidationError: the reason is too long.
    """
    reason = _check_reason(reason)
    with transaction.atomic():
        nomination = _locked(nomination_id)
        record_transition(nomination, S.WITHDRAWN, actor, reason)
    return get_nomination(nomination_id=nomination_id)
