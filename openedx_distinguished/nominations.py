"""
Rules of nominations: who may nominate whom and when, consent, endorsements, and every status change.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from openedx_distinguished import events, notifications
from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import (
    ACTIVE_NOMINATION_STATUSES,
    CAPPED_NOMINATION_STATUSES,
    ConsentDecision,
    CyclePhase,
    EndorsementData,
    NominationData,
    NominationKind,
    NominationOutcome,
    NominationStatus,
    NomineeKind,
    Page,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.filters import NominationSubmissionRequested
from openedx_distinguished.models import Endorsement, Nomination, NominationTransition, PartnerOrganization
from openedx_distinguished.program import cycle_phase, get_cycle, get_track, is_program_staff

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

def _base_queryset():
    return Nomination.objects.select_related(
        "cycle", "track", "nominator", "nominee_user", "nominee_organization", "decision",
    ).annotate(endorsement_total=Count("endorsements", distinct=True))


def _visible_filter(user):
    """
    Rows a non-staff ``user`` may see: what they nominated, and what names them once submitted.
    """
    return Q(nominator=user) | (
        ~Q(status=S.DRAFT.value) & (Q(nominee_user=user) | Q(nominee_organization__contacts=user))
    )


def decision_of(nomination):
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
    if organization is not None:
        display_name = organization.name
    elif nominee_user is not None:
        display_name = nominee_user.get_full_name() or nominee_user.username
    else:
        display_name = ""
    endorsements = getattr(nomination, "endorsement_total", None)
    if endorsements is None:
        endorsements = nomination.endorsements.count()
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
        status=NominationStatus(nomination.status),
        justifications=dict(nomination.justifications),
        evidence_links=tuple(nomination.evidence_links),
        endorsement_count=endorsements,
        created=nomination.created,
        submitted_at=nomination.submitted_at,
        decision_feedback=_released_feedback(nomination),
    )


def _released_feedback(nomination):
    """The decision's feedback for the nominee, once (and only once) the decision is released."""
    decision = decision_of(nomination)
    if decision is None or decision.released_at is None:
        return None
    return decision.feedback


def endorsement_data(endorsement: Endorsement) -> EndorsementData:
    """
    The plain record of ``endorsement``.
    """
    return EndorsementData(
        id=endorsement.pk,
        nomination_id=endorsement.nomination_id,
        endorser_username=endorsement.endorser.username if endorsement.endorser else None,
        justifications=dict(endorsement.justifications),
        evidence_links=tuple(endorsement.evidence_links),
        created=endorsement.created,
    )


def nomination_roles(user, nomination_id) -> frozenset[str]:
    """
    The roles ``user`` holds on a nomination: nominator, nominee (not while it is a draft), staff.

    An empty set means the user may not know the nomination exists.
    """
    roles = set()
    if user is None or not user.is_authenticated:
        return frozenset()
    if is_program_staff(user):
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


def get_nomination(nomination_id) -> NominationData:
    """
    The record of one nomination; NotFound if it does not exist.
    """
    try:
        return nomination_data(_base_queryset().get(pk=nomination_id))
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"nomination": ["Not found."]}) from exc


def list_nominations(*, user, include_all=False, cycle_year=None, status=None, offset=0, limit=50) -> Page:
    """
    One page of the nominations ``user`` may see (everything when ``include_all`` is asked by staff).
    """
    queryset = _base_queryset()
    if not (include_all and is_program_staff(user)):
        visible_ids = Nomination.objects.filter(_visible_filter(user)).values("pk")
        queryset = queryset.filter(pk__in=visible_ids)
    if cycle_year is not None:
        queryset = queryset.filter(cycle__year=cycle_year)
    if status is not None:
        queryset = queryset.filter(status=status)
    total = queryset.count()
    rows = queryset.order_by("-created", "-id")[offset:offset + limit]
    return Page(items=tuple(nomination_data(row) for row in rows), total=total)


def list_endorsements(*, user, offset=0, limit=50) -> Page:
    """
    One page of the endorsements ``user`` made.
    """
    queryset = Endorsement.objects.select_related("endorser").filter(endorser=user)
    total = queryset.count()
    rows = queryset.order_by("-created", "-id")[offset:offset + limit]
    return Page(items=tuple(endorsement_data(row) for row in rows), total=total)


# Validation ---------------------------------------------------------------------------------

def _check_justifications(justifications, track, errors):
    """Validate justifications against the track's criteria; add messages to ``errors``, return the clean dict."""
    if justifications is None:
        return {}
    if not isinstance(justifications, dict):
        errors["justifications"] = ["Give an object that maps criterion slugs to text."]
        return {}
    known = {criterion.slug for criterion in track.criteria.all()} if track else None
    limit = get_setting("DISTINGUISHED_MAX_JUSTIFICATION_LENGTH")
    messages = []
    cleaned = {}
    for slug, text in justifications.items():
        if known is not None and slug not in known:
            messages.append(f"{slug!r} is not a criterion of this track (expected one of {sorted(known)}).")
        elif not isinstance(text, str):
            messages.append(f"The justification for {slug!r} must be text.")
        elif len(text) > limit:
            messages.append(f"The justification for {slug!r} is longer than {limit} characters.")
        else:
            cleaned[slug] = text.strip()
    if messages:
        errors["justifications"] = messages
    return cleaned


def _check_evidence(links, errors):
    """Validate evidence links (http/https, count, length); add messages to ``errors``, return the clean list."""
    if links is None:
        return []
    if not isinstance(links, (list, tuple)):
        errors["evidence_links"] = ["Give a list of http or https URLs."]
        return []
    most = get_setting("DISTINGUISHED_MAX_EVIDENCE_LINKS")
    longest = get_setting("DISTINGUISHED_MAX_URL_LENGTH")
    messages = []
    if len(links) > most:
        messages.append(f"At most {most} evidence links are accepted.")
    cleaned = []
    for link in links:
        if not isinstance(link, str):
            messages.append("Each evidence link must be a URL string.")
            continue
        link = link.strip()
        if len(link) > longest:
            messages.append(f"Evidence links may not be longer than {longest} characters.")
            continue
        try:
            _http_url(link)
        except DjangoValidationError:
            messages.append(f"{link[:80]!r} is not a valid http or https URL.")
            continue
        if urlsplit(link).scheme not in ("http", "https"):  # pragma: no cover - URLValidator enforces it
            messages.append(f"{link[:80]!r} is not a valid http or https URL.")
            continue
        if link not in cleaned:
            cleaned.append(link)
    if messages:
        errors["evidence_links"] = messages
    return cleaned


def _require_phase(cycle, phases, errors, action):
    phase = cycle_phase(cycle)
    if phase not in phases:
        errors.setdefault("cycle", []).append(
            f"{action} is not possible for the {cycle.year} cycle now (it is in its {phase.value} phase)."
        )


def _active_key(cycle_id, track_id, nominee_kind, nominee_id):
    prefix = "u" if nominee_kind == NomineeKind.INDIVIDUAL else "o"
    return f"{cycle_id}:{track_id}:{prefix}{nominee_id}"


def _key_of(nomination):
    if nomination.nominee_kind == NomineeKind.ORGANIZATION.value:
        return _active_key(nomination.cycle_id, nomination.track_id, NomineeKind.ORGANIZATION,
                           nomination.nominee_organization_id)
    return _active_key(nomination.cycle_id, nomination.track_id, NomineeKind.INDIVIDUAL, nomination.nominee_user_id)


# Changing -----------------------------------------------------------------------------------

def record_transition(nomination, to_status, actor, reason=""):
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


def _endorse(active, *, endorser, justifications, evidence_links):
    """Attach an endorsement by ``endorser`` to the active nomination ``active``, at most once per endorser."""
    if active.nominator_id == endorser.pk:
        raise ValidationError({"nominee": ["You have already nominated this nominee for this track."]})
    endorsement, created = Endorsement.objects.get_or_create(
        nomination=active, endorser=endorser,
        defaults={"justifications": justifications, "evidence_links": evidence_links},
    )
    if not created:
        raise ValidationError({"nominee": ["You have already endorsed this nomination."]})
    return endorsement


def _resolve_nominee(nominee_username, nominee_organization_slug, errors):
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


def create_nomination(
    *,
    nominator,
    cycle_year: int,
    track_slug: str,
    nominee_username: str | None = None,
    nominee_organization_slug: str | None = None,
    justifications: dict | None = None,
    evidence_links: list | None = None,
) -> NominationOutcome:
    """
    Start a nomination as a draft, or endorse the nominee's existing nomination.

    If the nominee already has an active nomination for the same track and cycle, the request
    becomes an endorsement of it (keeping this nominator's justifications and evidence).

    Raises:
        ValidationError: a field is invalid, nominations are closed, or the nominator's cap is reached.
    """
    errors = {}
    cycle = track = None
    try:
        cycle = get_cycle(cycle_year)
    except NotFound as exc:
        errors.update(exc.errors)
    try:
        track = get_track(track_slug)
    except NotFound as exc:
        errors.update(exc.errors)
    if cycle is not None:
        _require_phase(cycle, {CyclePhase.NOMINATIONS}, errors, "Nominating")
    nominee_user, organization = _resolve_nominee(nominee_username, nominee_organization_slug, errors)
    justifications = _check_justifications(justifications, track, errors)
    evidence_links = _check_evidence(evidence_links, errors)
    if errors:
        raise ValidationError(errors)

    if organization is not None:
        nominee_kind = NomineeKind.ORGANIZATION
        is_self = organization.contacts.filter(pk=nominator.pk).exists()
        key = _active_key(cycle.pk, track.pk, nominee_kind, organization.pk)
    else:
        nominee_kind = NomineeKind.INDIVIDUAL
        is_self = nominee_user.pk == nominator.pk
        key = _active_key(cycle.pk, track.pk, nominee_kind, nominee_user.pk)

    with transaction.atomic():
        # Lock the nominator's row: their concurrent requests queue here, so the cap holds.
        get_user_model().objects.select_for_update().filter(pk=nominator.pk).first()
        active = Nomination.objects.filter(active_key=key).first()
        if active is not None:
            endorsement = _endorse(active, endorser=nominator, justifications=justifications,
                                   evidence_links=evidence_links)
            return NominationOutcome(endorsement=endorsement_data(endorsement))
        same_nominee = Q(nominee_organization=organization) if organization else Q(nominee_user=nominee_user)
        if Nomination.objects.filter(same_nominee, cycle=cycle, track=track, nominator=nominator,
                                     status=S.DRAFT.value).exists():
            raise ValidationError({"nominee": ["You already have a draft nomination of this nominee for "
                                               "this track; edit and submit it."]})
        used = Nomination.objects.filter(cycle=cycle, nominator=nominator,
                                         status__in=[s.value for s in CAPPED_NOMINATION_STATUSES]).count()
        cap = cycle.program.max_nominations_per_nominator
        if used >= cap:
            raise ValidationError({"non_field_errors": [
                f"You have reached the limit of {cap} nominations for the {cycle.year} cycle."]})
        nomination = Nomination.objects.create(
            cycle=cycle, track=track, nominator=nominator,
            kind=(NominationKind.SELF if is_self else NominationKind.PEER).value,
            nominee_kind=nominee_kind.value, nominee_user=nominee_user, nominee_organization=organization,
            justifications=justifications, evidence_links=evidence_links,
        )
        NominationTransition.objects.create(nomination=nomination, actor=nominator, from_status="",
                                            to_status=S.DRAFT.value, reason="Created.")
    return NominationOutcome(nomination=get_nomination(nomination.pk))


def _locked(nomination_id):
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
    with transaction.atomic():
        nomination = _locked(nomination_id)
        if nomination.status != S.DRAFT.value:
            raise InvalidTransition({"status": ["Only a draft nomination can be edited."]})
        errors = {}
        _require_phase(nomination.cycle, {CyclePhase.NOMINATIONS}, errors, "Editing a nomination")
        track = get_track(nomination.track.slug) if nomination.track.is_active else nomination.track
        new_justifications = _check_justifications(justifications, track, errors)
        new_links = _check_evidence(evidence_links, errors)
        if errors:
            raise ValidationError(errors)
        if justifications is not None:
            nomination.justifications = new_justifications
        if evidence_links is not None:
            nomination.evidence_links = new_links
        nomination.save(update_fields=["justifications", "evidence_links", "modified"])
    return get_nomination(nomination_id)


def submit_nomination(*, nomination_id: int, actor) -> NominationOutcome:
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
        errors = {}
        _require_phase(nomination.cycle, {CyclePhase.NOMINATIONS}, errors, "Submitting a nomination")
        if not nomination.track.is_active:
            errors["track"] = ["This track no longer takes nominations."]
        missing = [criterion.slug for criterion in nomination.track.criteria.all()
                   if not (nomination.justifications.get(criterion.slug) or "").strip()]
        if missing:
            errors["justifications"] = [f"Justify every criterion of the track; missing: {', '.join(missing)}."]
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
                return NominationOutcome(nomination=get_nomination(nomination.pk))
        endorsement = _endorse(active, endorser=nomination.nominator, justifications=nomination.justifications,
                               evidence_links=nomination.evidence_links)
        nomination.delete()
    return NominationOutcome(endorsement=endorsement_data(endorsement))


def respond_to_nomination(*, nomination_id: int, actor, decision: ConsentDecision | str,
                          reason: str = "") -> NominationData:
    """
    Record the nominee's consent to a peer nomination, or their refusal.

    Raises:
        NotFound: no such nomination.
        InvalidTransition: the nomination is not waiting for consent.
        ValidationError: the decision is unknown, or consent has closed for the cycle.
    """
    try:
        decision = ConsentDecision(decision)
    except ValueError as exc:
        raise ValidationError({"decision": [f"Answer {ConsentDecision.ACCEPT.value!r} or "
                                            f"{ConsentDecision.DECLINE.value!r}."]}) from exc
    with transaction.atomic():
        nomination = _locked(nomination_id)
        if nomination.status != S.AWAITING_CONSENT.value:
            raise InvalidTransition({"status": ["This nomination is not waiting for the nominee's consent."]})
        errors = {}
        _require_phase(nomination.cycle, CONSENT_PHASES, errors, "Answering a nomination")
        if errors:
            raise ValidationError(errors)
        target = S.SUBMITTED if decision == ConsentDecision.ACCEPT else S.CONSENT_REFUSED
        record_transition(nomination, target, actor, reason)
    return get_nomination(nomination_id)


def withdraw_nomination(*, nomination_id: int, actor, reason: str = "") -> NominationData:
    """
    Withdraw a nomination that has no decision yet.

    Raises:
        NotFound: no such nomination.
        InvalidTransition: it was already decided, withdrawn or refused.
    """
    with transaction.atomic():
        nomination = _locked(nomination_id)
        record_transition(nomination, S.WITHDRAWN, actor, reason)
    return get_nomination(nomination_id)
