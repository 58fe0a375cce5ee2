"""
Rules of membership: terms, activities, the annual evaluation, lifetime status, initiatives, onboarding.
"""
from __future__ import annotations

import calendar
import csv
import datetime
import io
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    ActivityData,
    ActivitySource,
    ActivityStatus,
    EvaluationData,
    EvaluationOutcome,
    InitiativeData,
    InitiativeStatus,
    NomineeKind,
    Page,
    TermData,
    TermStatus,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Cycle,
    Initiative,
    MembershipTerm,
    Onboarding,
    PartnerOrganization,
    QualifyingCourseRun,
    ReferralCode,
    TermEvaluation,
)
from openedx_distinguished.program import get_cycle, get_program

T = TermStatus
_http_url = URLValidator(schemes=["http", "https"])


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` plus whole calendar months (the 31st of a short month becomes its last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# Terms --------------------------------------------------------------------------------------

def _current_key(term):
    holder = f"u{term.holder_user_id}" if term.holder_kind == NomineeKind.INDIVIDUAL.value \
        else f"o{term.holder_organization_id}"
    return f"{term.track_id}:{holder}"


def _set_status(term, status, **fields):
    """Change a term's status, keeping the one-current-term key in step with it."""
    term.status = status.value
    term.current_key = _current_key(term) if status in CURRENT_TERM_STATUSES else None
    for name, value in fields.items():
        setattr(term, name, value)
    term.save()


def term_data(term) -> TermData:
    """The plain record of a term (select_related holder_user, holder_organization, track, cycle)."""
    if term.holder_organization is not None:
        name = term.holder_organization.name
    elif term.holder_user is not None:
        name = term.holder_user.get_full_name() or term.holder_user.username
    else:
        name = ""
    return TermData(
        id=term.pk, holder_kind=NomineeKind(term.holder_kind),
        holder_username=term.holder_user.username if term.holder_user else None,
        holder_organization_slug=term.holder_organization.slug if term.holder_organization else None,
        holder_display_name=name, track_slug=term.track.slug, track_name=term.track.name,
        status=TermStatus(term.status), starts_at=term.starts_at, ends_at=term.ends_at, sequence=term.sequence,
        cycle_year=term.cycle.year, revoked_reason=term.revoked_reason,
    )


def _terms():
    return MembershipTerm.objects.select_related("holder_user", "holder_organization", "track", "cycle")


def start_terms_for_release(*, cycle, nominations, starts_at, actor=None) -> list[MembershipTerm]:
    """
    Start a one-year term for each accepted nomination of a released cycle (called by the release).

    Idempotent: a nomination that already has its term is skipped, and so is a holder who already
    holds a current term in the track (a lifetime member, say).
    """
    del actor  # recorded by the release's audit entry
    months = cycle.program.term_length_months
    started = []
    for nomination in nominations:
        if MembershipTerm.objects.filter(nomination=nomination).exists():
            continue
        term = MembershipTerm(
            track_id=nomination.track_id, cycle=cycle, holder_kind=nomination.nominee_kind,
            holder_user_id=nomination.nominee_user_id, holder_organization_id=nomination.nominee_organization_id,
            nomination=nomination, starts_at=starts_at, ends_at=add_months(starts_at, months),
            status=T.ACTIVE.value,
        )
        if term.holder_kind == NomineeKind.INDIVIDUAL.value and term.holder_user_id is None:
            continue  # the nominee's account was retired meanwhile
        term.current_key = _current_key(term)
        try:
            with transaction.atomic():
                term.save()
        except IntegrityError:
            continue  # already a current member of this track
        started.append(term)
    return started


def list_terms(*, username=None, organization_slug=None, statuses=None, offset=0, limit=50) -> Page:
    """One page of terms, newest first, optionally of one holder and in some statuses."""
    terms = _terms()
    if username is not None:
        terms = terms.filter(holder_user__username=username)
    if organization_slug is not None:
        terms = terms.filter(holder_organization__slug=organization_slug)
    if statuses:
        terms = terms.filter(status__in=[T(s).value for s in statuses])
    total = terms.count()
    return Page(items=tuple(term_data(t) for t in terms[offset:offset + limit]), total=total)


def get_term(term_id) -> TermData:
    """One term; NotFound if there is none."""
    try:
        return term_data(_terms().get(pk=term_id))
    except (MembershipTerm.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"term": ["Not found."]}) from exc


def revoke_term(*, term_id, actor, reason) -> TermData:
    """
    Revoke a term (e.g. a code-of-conduct case). The holder stops being a member at once.

    Raises:
        ValidationError: no reason given.
        InvalidTransition: the term already ended (lapsed, renewed or revoked).
    """
    del actor
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason for the record."]})
    with transaction.atomic():
        term = MembershipTerm.objects.select_for_update().filter(pk=term_id).first()
        if term is None:
            raise NotFound({"term": ["Not found."]})
        if T(term.status) not in CURRENT_TERM_STATUSES:
            raise InvalidTransition({"status": [f"A {term.status} term cannot be revoked."]})
        _set_status(term, T.REVOKED, revoked_reason=reason[:2000])
    return get_term(term_id)


def mark_renewals_due(*, now=None) -> int:
    """
    Flag active terms that end within ``DISTINGUISHED_RENEWAL_NOTICE_DAYS`` as renewal due.
    One UPDATE; running it again changes nothing.
    """
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=get_setting("DISTINGUISHED_RENEWAL_NOTICE_DAYS"))
    return MembershipTerm.objects.filter(status=T.ACTIVE.value, ends_at__isnull=False, ends_at__lte=horizon) \
        .update(status=T.RENEWAL_DUE.value, modified=now)


# The annual evaluation ------------------------------------------------------------------------

def _qualifying_count(types, status, holder_field):
    """A subquery counting a term holder's activities of ``types`` in ``status`` within the term."""
    activities = Activity.objects.filter(
        status=status, activity_type__slug__in=types,
        occurred_on__gte=Cast(OuterRef("starts_at"), DateField()),
        occurred_on__lt=Cast(OuterRef("ends_at"), DateField()),
    )
    if holder_field == "user":
        activities = activities.filter(user_id=OuterRef("holder_user_id"))
    else:
        activities = activities.filter(user__distinguished_organizations=OuterRef("holder_organization_id"))
    counted = activities.order_by().annotate(one=Value(1)).values("one").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def evaluate_terms(*, cycle_year, chunk_size=2000, progress=None) -> dict:
    """
    Evaluate, against the retention rule, every current term that ends within the cycle: it was
    running when the cycle opened for nominations and ends before the cycle ends (so the terms
    the cycle's own release starts wait for the next cycle). Record a recommendation with its
    reasons. Lifetime terms are never evaluated.

    Works through the terms in chunks of ``chunk_size`` ids: a few queries per chunk, whatever
    the number of activities, and never more than one chunk in memory. Idempotent: a term has at
    most one evaluation (database constraint), so a rerun only adds what is new.

    Returns:
        counts per recommendation.
    """
    cycle = get_cycle(cycle_year)
    program = cycle.program
    default_types = list(program.retention_activity_types)
    needed = program.retention_min_activities
    candidates = MembershipTerm.objects.filter(
        track__program=program, status__in=[T.ACTIVE.value, T.RENEWAL_DUE.value],
        starts_at__lt=cycle.nominations_open_at, ends_at__gte=cycle.nominations_open_at,
        ends_at__lt=cycle.ends_at, evaluation__isnull=True,
    ).order_by("pk")
    tracks = {track.pk: track for track in program.tracks.all()}
    counts = {outcome.value: 0 for outcome in EvaluationOutcome}
    last_id = 0
    done = 0
    now = timezone.now()
    while True:
        chunk = list(candidates.filter(pk__gt=last_id).values_list("pk", flat=True)[:chunk_size])
        if not chunk:
            break
        last_id = chunk[-1]
        evaluations = []
        for track_id, track in tracks.items():
            types = list(track.retention_activity_types) or default_types
            rows = MembershipTerm.objects.filter(pk__in=chunk, track_id=track_id).annotate(
                verified=_qualifying_count(types, ActivityStatus.VERIFIED.value, "user")
                + _qualifying_count(types, ActivityStatus.VERIFIED.value, "organization"),
                pending=_qualifying_count(types, ActivityStatus.PENDING.value, "user")
                + _qualifying_count(types, ActivityStatus.PENDING.value, "organization"),
            ).values_list("pk", "sequence", "verified", "pending")
            for term_id, sequence, verified, pending in rows:
                outcome, reasons = _recommend(verified=verified, pending=pending, needed=needed, types=types,
                                              sequence=sequence, program=program)
                counts[outcome.value] += 1
                evaluations.append(TermEvaluation(
                    term_id=term_id, cycle=cycle, recommendation=outcome.value, reasons=reasons,
                    qualifying_activities=verified, evaluated_at=now,
                ))
        TermEvaluation.objects.bulk_create(evaluations, ignore_conflicts=True)
        done += len(chunk)
        if progress:
            progress(done)
    return counts


def _recommend(*, verified, pending, needed, types, sequence, program):
    """The recommendation for one term and the reasons a person can read."""
    kinds = ", ".join(types) or "none configured"
    if verified >= needed:
        reasons = [f"{verified} verified qualifying activit{'y' if verified == 1 else 'ies'} in the term "
                   f"({kinds}); {needed} needed."]
        if sequence >= program.lifetime_after_years:
            reasons.append(f"{sequence} consecutive years of membership: the lifetime milestone "
                           f"({program.lifetime_after_years}) is reached.")
            return EvaluationOutcome.LIFETIME, reasons
        return EvaluationOutcome.RENEW, reasons
    reasons = [f"{verified} verified qualifying activit{'y' if verified == 1 else 'ies'} in the term "
               f"({kinds}); {needed} needed."]
    if pending:
        reasons.append(f"{pending} qualifying activit{'y awaits' if pending == 1 else 'ies await'} staff "
                       "verification.")
    return EvaluationOutcome.LAPSE, reasons


def list_evaluations(*, cycle_year, pending_only=False, offset=0, limit=50) -> Page:
    """One page of the cycle's evaluations."""
    evaluations = TermEvaluation.objects.filter(cycle=get_cycle(cycle_year)).order_by("term_id")
    if pending_only:
        evaluations = evaluations.filter(confirmed_at__isnull=True)
    total = evaluations.count()
    return Page(items=tuple(
        EvaluationData(term_id=e.term_id, recommendation=EvaluationOutcome(e.recommendation),
                       reasons=tuple(e.reasons), qualifying_activities=e.qualifying_activities,
                       confirmed=e.confirmed_at is not None)
        for e in evaluations[offset:offset + limit]
    ), total=total)


def confirm_evaluations(*, cycle_year, actor, term_ids=None) -> dict:
    """
    Apply the cycle's unconfirmed recommendations (all, or those of ``term_ids``): renewal starts
    the next term, lifetime starts a term without end, lapse makes the holder alumni.

    Idempotent: confirmed evaluations are skipped; rows are locked while they change.
    """
    cycle = get_cycle(cycle_year)
    applied = {outcome.value: 0 for outcome in EvaluationOutcome}
    with transaction.atomic():
        evaluations = TermEvaluation.objects.select_for_update().select_related("term").filter(
            cycle=cycle, confirmed_at__isnull=True)
        if term_ids is not None:
            evaluations = evaluations.filter(term_id__in=list(term_ids))
        now = timezone.now()
        months = cycle.program.term_length_months
        for evaluation in evaluations:
            term = evaluation.term
            if T(term.status) not in (T.ACTIVE, T.RENEWAL_DUE):
                evaluation.confirmed_at, evaluation.confirmed_by = now, actor
                evaluation.save(update_fields=["confirmed_at", "confirmed_by"])
                continue  # revoked meanwhile: nothing to apply
            outcome = EvaluationOutcome(evaluation.recommendation)
            if outcome == EvaluationOutcome.LAPSE:
                _set_status(term, T.LAPSED)
            else:
                _set_status(term, T.RENEWED)
                following = MembershipTerm(
                    track_id=term.track_id, cycle=cycle, holder_kind=term.holder_kind,
                    holder_user_id=term.holder_user_id, holder_organization_id=term.holder_organization_id,
                    previous=term, sequence=term.sequence + 1, starts_at=term.ends_at,
                    ends_at=None if outcome == EvaluationOutcome.LIFETIME else add_months(term.ends_at, months),
                    status=(T.LIFETIME if outcome == EvaluationOutcome.LIFETIME else T.ACTIVE).value,
                )
                following.current_key = _current_key(following)
                following.save()
            evaluation.confirmed_at, evaluation.confirmed_by = now, actor if actor and actor.is_authenticated else None
            evaluation.save(update_fields=["confirmed_at", "confirmed_by"])
            applied[outcome.value] += 1
    return applied


# Activities ---------------------------------------------------------------------------------

def activity_data(activity) -> ActivityData:
    """The plain record of an activity (select_related user and activity_type)."""
    return ActivityData(
        id=activity.pk, username=activity.user.username if activity.user else None,
        activity_type=activity.activity_type.slug, title=activity.title, description=activity.description,
        evidence_url=activity.evidence_url, occurred_on=activity.occurred_on,
        source=ActivitySource(activity.source), status=ActivityStatus(activity.status),
        course_key=activity.course_key,
    )


def _activity_types():
    return {t.slug: t for t in ActivityType.objects.filter(program=get_program())}


def _check_activity(fields, types, errors, prefix=""):
    """Validate one activity's fields; add messages to ``errors``; return the cleaned values."""
    cleaned = {}
    slug = (fields.get("activity_type") or "").strip()
    if slug not in types:
        errors.setdefault(f"{prefix}activity_type", []).append(
            f"{slug!r} is not an activity type (expected one of {sorted(types)}).")
    else:
        cleaned["activity_type"] = types[slug]
    title = (fields.get("title") or "").strip()
    if not title or len(title) > 255:
        errors.setdefault(f"{prefix}title", []).append("Give a title of at most 255 characters.")
    cleaned["title"] = title
    occurred = fields.get("occurred_on")
    if isinstance(occurred, str):
        try:
            occurred = datetime.date.fromisoformat(occurred.strip())
        except ValueError:
            occurred = None
    if not isinstance(occurred, datetime.date) or occurred > timezone.now().date():
        errors.setdefault(f"{prefix}occurred_on", []).append(
            "Give the date it happened (YYYY-MM-DD), not in the future.")
    cleaned["occurred_on"] = occurred
    url = (fields.get("evidence_url") or "").strip()
    if url:
        try:
            if len(url) > 500:
                raise ValueError
            _http_url(url)
        except Exception:  # pylint: disable=broad-except
            errors.setdefault(f"{prefix}evidence_url", []).append(
                "Give an http or https URL of at most 500 characters.")
    cleaned["evidence_url"] = url
    cleaned["description"] = (fields.get("description") or "").strip()[:5000]
    return cleaned


def list_activity_types() -> list[tuple[str, str]]:
    """(slug, name) of every activity type, by name."""
    return [(t.slug, t.name) for t in sorted(_activity_types().values(), key=lambda t: t.name)]


def report_activity(*, user, activity_type, title, occurred_on, evidence_url="", description="") -> ActivityData:
    """
    Record an activity a member reports about themself; it waits for staff verification.

    Raises:
        ValidationError: a field is invalid.
    """
    errors = {}
    cleaned = _check_activity({"activity_type": activity_type, "title": title, "occurred_on": occurred_on,
                               "evidence_url": evidence_url, "description": description}, _activity_types(), errors)
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(user=user, source=ActivitySource.SELF_REPORTED.value,
                                       status=ActivityStatus.PENDING.value, **cleaned)
    return activity_data(Activity.objects.select_related("user", "activity_type").get(pk=activity.pk))


def review_activity(*, activity_id, actor, verified: bool) -> ActivityData:
    """
    Verify or reject a reported activity (staff). Only pending activities change.

    Raises:
        NotFound, InvalidTransition
    """
    with transaction.atomic():
        activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
        if activity is None:
            raise NotFound({"activity": ["Not found."]})
        if activity.status != ActivityStatus.PENDING.value:
            raise InvalidTransition({"status": [f"This activity is already {activity.status}."]})
        activity.status = (ActivityStatus.VERIFIED if verified else ActivityStatus.REJECTED).value
        activity.reviewed_by, activity.reviewed_at = actor, timezone.now()
        activity.save()
    return activity_data(Activity.objects.select_related("user", "activity_type").get(pk=activity_id))


def list_activities(*, username=None, status=None, offset=0, limit=50) -> Page:
    """One page of activities, newest first."""
    activities = Activity.objects.select_related("user", "activity_type")
    if username is not None:
        activities = activities.filter(user__username=username)
    if status is not None:
        activities = activities.filter(status=ActivityStatus(status).value)
    total = activities.count()
    return Page(items=tuple(activity_data(a) for a in activities[offset:offset + limit]), total=total)


IMPORT_COLUMNS = ("external_id", "username", "activity_type", "title", "occurred_on", "evidence_url", "description")


def import_activities(*, rows, actor=None) -> dict:
    """
    Import verified activities (staff): each row needs ``external_id``, ``username``,
    ``activity_type``, ``title``, ``occurred_on``; ``evidence_url`` and ``description`` are optional.

    All or nothing: every bad row is reported and then nothing is written. Rows whose external id
    was imported before are skipped, so importing the same file twice adds nothing.

    Raises:
        ValidationError: ``rows`` lists each bad row.
    """
    types = _activity_types()
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": ["There is nothing to import."]})
    usernames = {str(row.get("username", "")).strip() for row in rows if isinstance(row, dict)}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    external_ids = [str(row.get("external_id", "")).strip() for row in rows if isinstance(row, dict)]
    known = set(Activity.objects.filter(external_id__in=external_ids).values_list("external_id", flat=True))
    problems, wanted, seen = [], [], set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"Row {number}: expected an object with the columns {', '.join(IMPORT_COLUMNS)}.")
            continue
        errors = {}
        external_id = str(row.get("external_id", "")).strip()
        if not external_id or len(external_id) > 255:
            errors["external_id"] = ["required (at most 255 characters)"]
        elif external_id in seen:
            errors["external_id"] = ["appears twice in this import"]
        user = users.get(str(row.get("username", "")).strip())
        if user is None:
            errors["username"] = [f"no user {row.get('username')!r}"]
        cleaned = _check_activity(row, types, errors)
        if errors:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
            problems.append(f"Row {number}: {details}")
            continue
        seen.add(external_id)
        if external_id not in known:
            wanted.append(Activity(user=user, source=ActivitySource.IMPORTED.value,
                                   status=ActivityStatus.VERIFIED.value, external_id=external_id,
                                   reviewed_by=actor, reviewed_at=timezone.now(), **cleaned))
    if problems:
        raise ValidationError({"rows": problems})
    with transaction.atomic():
        created = Activity.objects.bulk_create(wanted, ignore_conflicts=True)
    return {"created": len(created), "skipped": len(rows) - len(wanted)}


def import_activities_csv(*, text, actor=None) -> dict:
    """
    Import activities from CSV text whose header names the columns (see ``import_activities``).

    Raises:
        ValidationError: unreadable CSV, missing columns, or bad rows (nothing is written).
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in (reader.fieldnames or [])]
        rows = [{(key or "").strip(): (value or "") for key, value in row.items()} for row in reader]
    except csv.Error as exc:
        raise ValidationError({"file": [f"Not readable as CSV: {exc}"]}) from exc
    missing = [column for column in IMPORT_COLUMNS[:5] if column not in header]
    if missing:
        raise ValidationError({"file": [f"Missing columns: {', '.join(missing)}."]})
    return import_activities(rows=rows, actor=actor)


def mark_qualifying_course_run(*, course_key, activity_type, title) -> None:
    """
    Mark a course run (by its course key) as a qualifying event or working group.

    Raises:
        ValidationError: the course key is not a valid Open edX course key, or the type is unknown.
    """
    errors = {}
    try:
        key = CourseKey.from_string(str(course_key).strip())
    except InvalidKeyError:
        errors["course_key"] = [f"{course_key!r} is not a valid course key (e.g. course-v1:Org+Course+Run)."]
        key = None
    types = _activity_types()
    if activity_type not in types:
        errors["activity_type"] = [f"{activity_type!r} is not an activity type."]
    if errors:
        raise ValidationError(errors)
    QualifyingCourseRun.objects.update_or_create(course_key=str(key), defaults={
        "activity_type": types[activity_type], "title": (title or str(key))[:255]})


def record_platform_activity(*, user_id, course_key, event, occurred_at=None) -> ActivityData | None:
    """
    Record a verified activity when a member (anyone who holds or held a term) enrols in, passes
    or is certified in a qualifying course run. Idempotent per user, run and event.

    Returns:
        the activity, or None when the run does not qualify or the user is not a member.
    """
    run = QualifyingCourseRun.objects.select_related("activity_type").filter(course_key=str(course_key)).first()
    if run is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not MembershipTerm.objects.filter(
            Q(holder_user=user) | Q(holder_organization__contacts=user)).exists():
        return None
    occurred = (occurred_at or timezone.now()).date()
    activity, _ = Activity.objects.get_or_create(external_id=f"platform:{event}:{run.course_key}:{user.pk}", defaults={
        "user": user, "activity_type": run.activity_type, "title": run.title, "occurred_on": occurred,
        "source": ActivitySource.PLATFORM_EVENT.value, "status": ActivityStatus.VERIFIED.value,
        "course_key": run.course_key,
    })
    return activity_data(activity)


# Initiatives --------------------------------------------------------------------------------

def initiative_data(initiative) -> InitiativeData:
    """The plain record of an initiative (prefetch its leads)."""
    return InitiativeData(
        id=initiative.pk, title=initiative.title, link=initiative.link, description=initiative.description,
        status=InitiativeStatus(initiative.status), year=initiative.year,
        leads=tuple(sorted(user.username for user in initiative.leads.all())),
    )


def save_initiative(*, initiative_id=None, title, year, status=InitiativeStatus.PROPOSED.value, link="",
                    description="", lead_usernames=()) -> InitiativeData:
    """
    Create or update a community initiative.

    Raises:
        ValidationError: a field is invalid or a lead is unknown.
    """
    errors = {}
    title = (title or "").strip()
    if not title or len(title) > 255:
        errors["title"] = ["Give a title of at most 255 characters."]
    try:
        status = InitiativeStatus(status)
    except ValueError:
        errors["status"] = [f"Choose one of {', '.join(s.value for s in InitiativeStatus)}."]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["Give a year between 2000 and 2100."]
    if link:
        try:
            _http_url(link)
        except Exception:  # pylint: disable=broad-except
            errors["link"] = ["Give an http or https URL."]
    leads = list(get_user_model().objects.filter(username__in=list(lead_usernames)))
    missing = sorted(set(lead_usernames) - {u.username for u in leads})
    if missing:
        errors["leads"] = [f"Unknown users: {', '.join(missing)}."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if initiative_id is None:
            initiative = Initiative(program=get_program())
        else:
            initiative = Initiative.objects.select_for_update().filter(pk=initiative_id).first()
            if initiative is None:
                raise NotFound({"initiative": ["Not found."]})
        initiative.title, initiative.year, initiative.status = title, year, status.value
        initiative.link, initiative.description = link, (description or "").strip()
        initiative.save()
        initiative.leads.set(leads)
    return initiative_data(Initiative.objects.prefetch_related("leads").get(pk=initiative.pk))


def list_initiatives(*, year=None, offset=0, limit=50) -> Page:
    """One page of initiatives, newest year first."""
    initiatives = Initiative.objects.prefetch_related("leads")
    if year is not None:
        initiatives = initiatives.filter(year=year)
    total = initiatives.count()
    return Page(items=tuple(initiative_data(i) for i in initiatives[offset:offset + limit]), total=total)


# Onboarding ---------------------------------------------------------------------------------

def is_member(user) -> bool:
    """Whether ``user`` holds, or held, a term (individually or for their organization)."""
    return bool(user and user.is_authenticated) and MembershipTerm.objects.filter(
        Q(holder_user=user) | Q(holder_organization__contacts=user)).exists()


def referral_code(*, user) -> str:
    """The member's referral code, created on first use.

    Raises:
        ValidationError: ``user`` is not a member.
    """
    if not is_member(user):
        raise ValidationError({"user": ["Referral links are for Distinguished Contributors."]})
    try:
        return user.distinguished_referral_code.code
    except ObjectDoesNotExist:
        pass
    for _ in range(5):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(user=user, code=secrets.token_urlsafe(9)).code
        except IntegrityError:
            existing = ReferralCode.objects.filter(user=user).first()
            if existing:
                return existing.code
    raise RuntimeError("Could not draw a unique referral code.")  # pragma: no cover


def is_referral_code(code) -> bool:
    """Whether ``code`` belongs to a member."""
    return ReferralCode.objects.filter(code=str(code)[:32]).exists()


def attribute_registration(*, user_id, code) -> bool:
    """
    Attribute a newly registered user to the member whose referral code brought them.
    Idempotent: a user is attributed at most once (database constraint).
    """
    referral = ReferralCode.objects.select_related("user").filter(code=str(code)[:32]).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if referral is None or user is None or referral.user_id == user.pk:
        return False
    try:
        with transaction.atomic():
            Onboarding.objects.create(member=referral.user, referred_user=user, year=timezone.now().year)
    except IntegrityError:
        return False
    return True


def record_onboarded_organization(*, member_username, organization_slug=None, organization_name="", year,
                                  actor) -> None:
    """
    Record (staff) that a member brought a partner organization into the community.

    Raises:
        ValidationError: unknown member or organization, or neither organization nor name given.
    """
    errors = {}
    member = get_user_model().objects.filter(username=member_username).first()
    if member is None or not is_member(member):
        errors["member"] = [f"{member_username!r} is not a Distinguished Contributor."]
    organization = None
    if organization_slug:
        organization = PartnerOrganization.objects.filter(slug=organization_slug).first()
        if organization is None:
            errors["organization"] = [f"There is no partner organization {organization_slug!r}."]
    elif not (organization_name or "").strip():
        errors["organization"] = ["Name the organization (a partner slug or a name)."]
    if errors:
        raise ValidationError(errors)
    Onboarding.objects.create(member=member, organization=organization, organization_name=organization_name.strip(),
                              year=year, recorded_by=actor)


def cycles_due_for_release(now=None) -> list[int]:
    """Years of the cycles whose announcement time has come and that are not released yet."""
    now = now or timezone.now()
    return list(Cycle.objects.filter(program=get_program(), announcement_at__lte=now,
                                     announcement_released_at__isnull=True).values_list("year", flat=True))


def cycles_due_for_evaluation(now=None) -> list[int]:
    """
    Years of the cycles whose annual evaluation is due: from the decision date (members have had
    the year to take part) until the cycle ends.
    """
    now = now or timezone.now()
    return list(Cycle.objects.filter(program=get_program(), decision_date__lte=now, ends_at__gt=now)
                .values_list("year", flat=True))
