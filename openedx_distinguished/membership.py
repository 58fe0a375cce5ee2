"""
Rules of membership: terms, their statuses, the annual evaluation and lifetime status.
"""
from __future__ import annotations

import calendar
import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateField, Field, Model, Q, QuerySet, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast
from django.utils import timezone

from openedx_distinguished import events, freshness, incentives, notifications, platform
from openedx_distinguished.conf import get_setting
from openedx_distinguished.credentials import issue_credential, revoke_for_term
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    ActivityStatus,
    EvaluationData,
    EvaluationOutcome,
    EvaluationOverviewData,
    EvaluationRowData,
    EvaluationState,
    NomineeKind,
    Page,
    TermData,
    TermStatus,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Cycle, MembershipTerm, Nomination, Program, TermEvaluation, Track
from openedx_distinguished.program import get_cycle, get_program
from openedx_distinguished.terms import held_by, term_data

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

T = TermStatus
log = logging.getLogger(__name__)


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """``moment`` plus whole calendar months (the 31st of a short month becomes its last day)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# Terms --------------------------------------------------------------------------------------

def _current_key(term: MembershipTerm) -> str:
    holder = f"u{term.holder_user_id}" if term.holder_kind == NomineeKind.INDIVIDUAL.value \
        else f"o{term.holder_organization_id}"
    return f"{term.track_id}:{holder}"


def _set_status(term: MembershipTerm, status: TermStatus, **fields: object) -> None:
    """Change a term's status, keeping the one-current-term key in step with it."""
    term.status = status.value
    term.current_key = _current_key(term) if status in CURRENT_TERM_STATUSES else None
    for name, value in fields.items():
        setattr(term, name, value)
    term.save()


def _terms() -> QuerySet[MembershipTerm]:
    return MembershipTerm.objects.select_related("holder_organization", "track", "cycle",
                                                 *platform.with_profile("holder_user"))


def start_terms_for_release(*, cycle: Cycle, nominations: Iterable[Nomination], starts_at: datetime.datetime,
                            actor: User | AnonymousUser | None = None) -> list[MembershipTerm]:
    """
    Start a one-year term for each accepted nomination of a released cycle (called by the release).

    Idempotent: a nomination that already has its term is skipped, and so is a holder who already
    holds a current term in the track (a lifetime member, say).
    """
    del actor  # recorded by the release's audit entry
    months = cycle.program.term_length_months
    started: list[MembershipTerm] = []
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
        incentives.ensure_deliverables(term)
        events.membership_granted(term)
        issue_if_possible(term)
    return started


def issue_if_possible(term: MembershipTerm) -> None:
    """Issue a starting term's credential now; without a signing key, the jobs command does it later."""
    try:
        issue_credential(term_id=term.pk)
    except ValidationError as exc:
        log.warning("No credential for term %s yet: %s", term.pk, exc)


def list_terms(*, username: str | None = None, organization_slug: str | None = None,
               statuses: Iterable[str] | None = None, offset: int = 0, limit: int = 50) -> Page:
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


def get_term(*, term_id: int) -> TermData:
    """One term; NotFound if there is none."""
    try:
        return term_data(_terms().get(pk=term_id))
    except (MembershipTerm.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"term": ["Not found."]}) from exc


def revoke_term(*, term_id: int, actor: User | None, reason: str | None) -> TermData:
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
        revoke_for_term(term_id=term.pk, reason=reason[:2000])
        freshness.changed(freshness.PRESENCE)
    return get_term(term_id=term_id)


# Terms ``mark_renewals_due`` flags and writes to per round of queries.
RENEWAL_BATCH_SIZE = 500


def mark_renewals_due(*, now: datetime.datetime | None = None) -> int:
    """
    Flag active terms that end within ``DISTINGUISHED_RENEWAL_NOTICE_DAYS`` as renewal due, and
    tell their holders what the retention rule still asks. Running it again changes nothing.
    """
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=get_setting("DISTINGUISHED_RENEWAL_NOTICE_DAYS"))
    due = MembershipTerm.objects.filter(status=T.ACTIVE.value, ends_at__isnull=False, ends_at__lte=horizon)
    flagged = 0
    with transaction.atomic():
        term_ids = list(due.order_by("pk").values_list("pk", flat=True))
        # A cycle's terms all end on the same day: in chunks, so that no query lists them all.
        for start in range(0, len(term_ids), RENEWAL_BATCH_SIZE):
            chunk = term_ids[start:start + RENEWAL_BATCH_SIZE]
            flagged += due.filter(pk__in=chunk).update(status=T.RENEWAL_DUE.value, modified=now)
            notifications.renewal_due(term_ids=chunk, progress=retention_progress(chunk))
        if flagged:
            freshness.changed(freshness.PRESENCE)
    return flagged


def retention_progress(term_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """
    For each term, what the retention rule asks and what counts so far: the qualifying activity
    types, how many verified activities are needed, and the verified and pending ones in the term,
    counted as the annual evaluation counts them (``_counted_terms``).
    """
    ids = list(term_ids)
    tracks = {track.pk: track for track in Track.objects.filter(terms__pk__in=ids).select_related(
        "program").distinct()}
    types_by_track = {track_id: list(track.retention_activity_types) or list(track.program.retention_activity_types)
                      for track_id, track in tracks.items()}
    return {
        term_id: {"types": types_by_track[track_id], "needed": tracks[track_id].program.retention_min_activities,
                  "verified": verified, "pending": pending}
        for term_id, track_id, _, verified, pending in _counted_terms(ids, types_by_track)
    }


# The annual evaluation ------------------------------------------------------------------------

def _counted_terms(term_ids: Collection[int], types_by_track: Mapping[int, list[str]]
                   ) -> Iterator[tuple[int, int, int, int, int]]:
    """
    (id, track id, sequence, verified, pending) of each term of ``term_ids``: how many of its
    holder's activities (an organization's: its contacts') of the types its track counts are
    verified, and pending, within the term. One aggregate over a join per kind of holder, not
    subqueries per term.
    """
    tracks_by_types: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
    for track_id, types in types_by_track.items():
        if types:
            tracks_by_types[tuple(types)].append(track_id)

    def counted(path: str, status: str) -> Value | Count:
        qualifying = Q()
        for types, track_ids in tracks_by_types.items():
            qualifying |= Q(track_id__in=track_ids, **{f"{path}__activity_type__slug__in": types})
        if not qualifying:
            return Value(0)  # no activity type counts
        return Count(path, filter=qualifying & Q(**{
            f"{path}__status": status,
            f"{path}__occurred_on__gte": Cast("starts_at", DateField()),
            f"{path}__occurred_on__lt": Cast("ends_at", DateField()),
        }))

    terms = MembershipTerm.objects.filter(pk__in=term_ids).order_by()
    # A term has one holder (database constraint): a user, or an organization acting through its contacts.
    for of_organizations, path in ((False, "holder_user__distinguished_activities"),
                                   (True, "holder_organization__contacts__distinguished_activities")):
        holder_terms = terms.filter(holder_organization__isnull=not of_organizations)
        yield from holder_terms.values("pk", "track_id", "sequence").annotate(
            verified=counted(path, ActivityStatus.VERIFIED.value), pending=counted(path, ActivityStatus.PENDING.value),
        ).values_list("pk", "track_id", "sequence", "verified", "pending")


def _covered(cycle: Cycle) -> QuerySet[MembershipTerm]:
    """
    The current terms a cycle's evaluation covers: running when the cycle opened for nominations
    and ending before the cycle ends (ADR 0006).
    """
    return MembershipTerm.objects.filter(
        track__program=cycle.program, status__in=[T.ACTIVE.value, T.RENEWAL_DUE.value],
        starts_at__lt=cycle.nominations_open_at, ends_at__gte=cycle.nominations_open_at, ends_at__lt=cycle.ends_at)


def _types_by_track(program: Program) -> dict[int, list[str]]:
    """The activity types each track of ``program`` counts for retention (its own list, else the program's)."""
    default_types = list(program.retention_activity_types)
    return {track.pk: list(track.retention_activity_types) or default_types for track in program.tracks.all()}


def evaluate_terms(*, cycle_year: int, chunk_size: int = 2000,
                   progress: Callable[[int], object] | None = None) -> dict[str, int]:
    """
    Evaluate, against the retention rule, every current term that ends within the cycle: it was
    running when the cycle opened for nominations and ends before the cycle ends (so the terms
    the cycle's own release starts wait for the next cycle). Record a recommendation with its
    reasons. Lifetime terms are never evaluated.

    Reads the candidates' ids in one query, then works through them in chunks of ``chunk_size``:
    a few queries per chunk, whatever the number of activities, and never more than one chunk of
    rows in memory. Idempotent: a term has at most one evaluation (database constraint), so a
    rerun only adds what is new.

    Returns:
        counts per recommendation.
    """
    cycle = get_cycle(cycle_year)
    program = cycle.program
    needed = program.retention_min_activities
    candidates = _covered(cycle).filter(evaluation__isnull=True).order_by("pk")
    types_by_track = _types_by_track(program)
    counts = {outcome.value: 0 for outcome in EvaluationOutcome}
    done = 0
    now = timezone.now()
    # One query for every id: asking for the next chunk each time re-reads (and re-sorts, when
    # the database walks the ``ends_at`` index) all the candidates left, every time.
    term_ids = list(candidates.values_list("pk", flat=True))
    for start in range(0, len(term_ids), chunk_size):
        chunk = term_ids[start:start + chunk_size]
        evaluations: list[tuple[int, str, list[str], int]] = []
        for term_id, track_id, sequence, verified, pending in _counted_terms(chunk, types_by_track):
            outcome, reasons = _recommend(verified=verified, pending=pending, needed=needed,
                                          types=types_by_track[track_id], sequence=sequence, program=program)
            counts[outcome.value] += 1
            evaluations.append((term_id, outcome.value, reasons, verified))
        _insert_evaluations(evaluations, cycle=cycle, evaluated_at=now)
        done += len(chunk)
        if progress:
            progress(done)
    return counts


def _concrete(model: type[Model], name: str) -> Field:
    """A concrete field of ``model`` (a column of its table)."""
    field = model._meta.get_field(name)
    if not (isinstance(field, Field) and field.concrete):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _insert_evaluations(evaluations: Iterable[tuple[int, str, list[str], int]], *, cycle: Cycle,
                        evaluated_at: datetime.datetime) -> None:
    """
    Write (term id, recommendation, reasons, qualifying activities) as evaluations of ``cycle``,
    skipping a term that has one already (a concurrent run), as
    ``bulk_create(ignore_conflicts=True)`` would, in one transaction.

    One ``executemany`` with the values each field prepares for this database: ``bulk_create``
    prepares every field of every row one value at a time, which took most of the evaluation's
    time for a hundred thousand terms (see docs/performance.rst).
    """
    fields = [_concrete(TermEvaluation, name) for name in (
        "term", "cycle", "recommendation", "reasons", "qualifying_activities", "evaluated_at")]
    reasons_field = fields[3]
    quote = connection.ops.quote_name
    sql = (f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
           f"{quote(TermEvaluation._meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) "
           f"{connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)}").rstrip()
    stamp = fields[5].get_db_prep_save(evaluated_at, connection)
    rows = [(term_id, cycle.pk, recommendation, reasons_field.get_db_prep_save(reasons, connection), verified, stamp)
            for term_id, recommendation, reasons, verified in evaluations]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _recommend(*, verified: int, pending: int, needed: int, types: Sequence[str], sequence: int,
               program: Program) -> tuple[EvaluationOutcome, list[str]]:
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


def list_evaluations(*, cycle_year: int, pending_only: bool = False, offset: int = 0, limit: int = 50) -> Page:
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


@attrs.frozen
class _Plan:
    """What confirming one evaluation would do now, counted afresh (ADR 0016)."""

    state: EvaluationState
    outcome: EvaluationOutcome
    reasons: tuple[str, ...]
    verified: int
    pending: int


def _plans(evaluations: Sequence[TermEvaluation], *, program: Program,
           now: datetime.datetime) -> dict[int, tuple[_Plan, bool]]:
    """
    For each evaluation (loaded with its term), the plan of its confirmation now and whether the
    fresh count changed its recommendation. A term that has not ended is never applied; a lapse
    with qualifying activities awaiting verification is blocked; a recommendation the activities
    verified or rejected since have changed is evaluated again rather than applied.
    """
    types_by_track = _types_by_track(program)
    needed = program.retention_min_activities
    terms = {e.term_id: e.term for e in evaluations}
    counted = {term_id: (track_id, sequence, verified, pending)
               for term_id, track_id, sequence, verified, pending in _counted_terms(list(terms), types_by_track)}
    plans: dict[int, tuple[_Plan, bool]] = {}
    for evaluation in evaluations:
        term = evaluation.term
        track_id, sequence, verified, pending = counted[term.pk]
        outcome, reasons = _recommend(verified=verified, pending=pending, needed=needed,
                                      types=types_by_track[track_id], sequence=sequence, program=program)
        if evaluation.confirmed_at is not None:
            state = EvaluationState.CONFIRMED
        elif term.ends_at is not None and term.ends_at > now:
            state = EvaluationState.NOT_ENDED
        elif outcome == EvaluationOutcome.LAPSE and pending:
            state = EvaluationState.BLOCKED
        else:
            state = EvaluationState.READY
        plans[evaluation.pk] = (_Plan(state=state, outcome=outcome, reasons=tuple(reasons), verified=verified,
                                      pending=pending), outcome.value != evaluation.recommendation)
    return plans


def _holder_name(term: MembershipTerm) -> str:
    organization = term.holder_organization if term.holder_organization_id else None
    return organization.name if organization is not None else platform.display_name(term.holder_user)


def evaluation_overview(*, cycle_year: int, states: Collection[str] | None = None, offset: int = 0, limit: int = 100,
                        now: datetime.datetime | None = None) -> EvaluationOverviewData:
    """
    A cycle's evaluation as staff review it: which terms it covers and from when, how many are not
    evaluated yet, its recommendations counted by state (confirmed, not ended, blocked, ready), and
    one page of them (in ``states`` when given) with their reasons, counted afresh. A fixed number
    of queries per page.
    """
    now = now or timezone.now()
    cycle = get_cycle(cycle_year)
    evaluations = list(TermEvaluation.objects.filter(cycle=cycle).select_related(
        "term__track", "term__holder_organization", *platform.with_profile("term__holder_user")).order_by("term_id"))
    plans = _plans(evaluations, program=cycle.program, now=now)
    by_state: defaultdict[str, int] = defaultdict(int)
    for plan, _changed in plans.values():
        by_state[plan.state.value] += 1
    chosen = [e for e in evaluations if states is None or plans[e.pk][0].state.value in states]
    rows: list[EvaluationRowData] = []
    for evaluation in chosen[offset:offset + limit]:
        plan, changed = plans[evaluation.pk]
        term = evaluation.term
        recorded = EvaluationOutcome(evaluation.recommendation)
        rows.append(EvaluationRowData(
            term_id=term.pk, holder_display_name=_holder_name(term), track_name=term.track.name,
            ends_at=term.ends_at, recommendation=recorded if plan.state == EvaluationState.CONFIRMED else plan.outcome,
            reasons=tuple(evaluation.reasons) if plan.state == EvaluationState.CONFIRMED or not changed
            else plan.reasons,
            qualifying_activities=plan.verified, pending_activities=plan.pending, state=plan.state))
    return EvaluationOverviewData(
        cycle_year=cycle.year, cycle_name=cycle.name, covers_running_on=cycle.nominations_open_at,
        covers_ending_before=cycle.ends_at, due_from=cycle.decision_date,
        not_evaluated=_covered(cycle).filter(evaluation__isnull=True).count(),
        states={state.value: by_state.get(state.value, 0) for state in EvaluationState},
        rows=tuple(rows), total=len(chosen))


# A recommendation the activities changed since it was recorded: recorded anew, to confirm again.
RE_EVALUATED = "re_evaluated"


def _hold(plan: _Plan, changed: bool, term: MembershipTerm) -> dict[str, Any] | None:
    """Why confirming now would not apply ``plan`` to ``term`` ({term, state, reason}), or None."""
    if plan.state == EvaluationState.NOT_ENDED:
        return {"term": term.pk, "state": plan.state.value,
                "reason": f"The term ends on {term.ends_at:%Y-%m-%d}; nothing is applied before its end."}
    if plan.state == EvaluationState.BLOCKED:
        return {"term": term.pk, "state": plan.state.value,
                "reason": f"{plan.pending} qualifying activit{'y awaits' if plan.pending == 1 else 'ies await'} "
                          "verification: verify or reject before the lapse."}
    if changed:
        return {"term": term.pk, "state": RE_EVALUATED,
                "reason": f"The activities changed since the evaluation: it now recommends {plan.outcome.value}; "
                          "confirm again."}
    return None


def confirmation_preview(*, cycle_year: int, term_ids: Iterable[int] | None = None,
                         now: datetime.datetime | None = None) -> dict[str, Any]:
    """
    What ``confirm_evaluations`` would do now, without doing it: the holders it would renew,
    lapse and make lifetime members, by name, and those it would hold, with why. Same rules, same
    fresh count; writes nothing.
    """
    now = now or timezone.now()
    cycle = get_cycle(cycle_year)
    query = TermEvaluation.objects.filter(cycle=cycle, confirmed_at__isnull=True).select_related(
        "term__track", "term__holder_organization", *platform.with_profile("term__holder_user"))
    if term_ids is not None:
        query = query.filter(term_id__in=list(term_ids))
    evaluations = [e for e in query.order_by("term_id") if T(e.term.status) in (T.ACTIVE, T.RENEWAL_DUE)]
    plans = _plans(evaluations, program=cycle.program, now=now)
    preview: dict[str, list[Any]] = {outcome.value: [] for outcome in EvaluationOutcome}
    preview["held"] = []
    for evaluation in evaluations:
        plan, changed = plans[evaluation.pk]
        name = f"{_holder_name(evaluation.term)} ({evaluation.term.track.name})"
        hold = _hold(plan, changed, evaluation.term)
        if hold:
            preview["held"].append({**hold, "name": name})
        else:
            preview[plan.outcome.value].append(name)
    return preview


def confirm_evaluations(*, cycle_year: int, actor: User | AnonymousUser | None, term_ids: Iterable[int] | None = None,
                        now: datetime.datetime | None = None) -> dict[str, Any]:
    """
    Apply the cycle's unconfirmed recommendations (all, or those of ``term_ids``): renewal starts
    the next term, lifetime starts a term without end, lapse makes the holder alumni and expires
    the term's credential in the same transaction.

    Each is counted afresh first (ADR 0016): a term that has not ended is left for later, a lapse
    while qualifying activities of the term await verification is refused until they are verified
    or rejected, and a recommendation the activities changed since is recorded anew and left for
    staff to confirm. Those are reported under ``held``, with the reason, and change nothing.

    Idempotent: confirmed evaluations are skipped; rows are locked while they change.

    Returns:
        the count applied per recommendation, and ``held``: a list of {term, state, reason}.
    """
    now = now or timezone.now()
    cycle = get_cycle(cycle_year)
    applied = {outcome.value: 0 for outcome in EvaluationOutcome}
    held: list[dict[str, Any]] = []
    with transaction.atomic():
        query = TermEvaluation.objects.select_for_update().select_related("term").filter(
            cycle=cycle, confirmed_at__isnull=True)
        if term_ids is not None:
            query = query.filter(term_id__in=list(term_ids))
        evaluations = list(query.order_by("term_id"))
        confirmed_by = actor if actor is not None and actor.is_authenticated else None
        months = cycle.program.term_length_months
        plans = _plans(evaluations, program=cycle.program, now=now)
        for evaluation in evaluations:
            term = evaluation.term
            if T(term.status) not in (T.ACTIVE, T.RENEWAL_DUE):
                evaluation.confirmed_at, evaluation.confirmed_by = now, confirmed_by
                evaluation.save(update_fields=["confirmed_at", "confirmed_by"])
                continue  # revoked meanwhile: nothing to apply
            plan, changed = plans[evaluation.pk]
            hold = _hold(plan, changed, term)
            if hold:
                held.append(hold)
                if hold["state"] == RE_EVALUATED:
                    evaluation.recommendation, evaluation.reasons = plan.outcome.value, list(plan.reasons)
                    evaluation.qualifying_activities, evaluation.evaluated_at = plan.verified, now
                    evaluation.save(update_fields=["recommendation", "reasons", "qualifying_activities",
                                                   "evaluated_at"])
                continue
            _apply(evaluation, plan.outcome, cycle=cycle, months=months)
            evaluation.confirmed_at, evaluation.confirmed_by = now, confirmed_by
            evaluation.save(update_fields=["confirmed_at", "confirmed_by"])
            applied[plan.outcome.value] += 1
    freshness.changed(freshness.PRESENCE)
    return {**applied, "held": held}


def _apply(evaluation: TermEvaluation, outcome: EvaluationOutcome, *, cycle: Cycle, months: int) -> None:
    """Apply one confirmed recommendation to its term."""
    term = evaluation.term
    if outcome == EvaluationOutcome.LAPSE:
        _set_status(term, T.LAPSED)
        events.membership_lapsed(term)
        notifications.membership_lapsed(term)
        return
    ends_at = term.ends_at
    if ends_at is None:  # pragma: no cover  (only terms that end are evaluated)
        raise InvalidTransition({"term": ["A term without end is not renewed."]})
    _set_status(term, T.RENEWED)
    following = MembershipTerm(
        track_id=term.track_id, cycle=cycle, holder_kind=term.holder_kind,
        holder_user_id=term.holder_user_id, holder_organization_id=term.holder_organization_id,
        previous=term, sequence=term.sequence + 1, starts_at=ends_at,
        ends_at=None if outcome == EvaluationOutcome.LIFETIME else add_months(ends_at, months),
        status=(T.LIFETIME if outcome == EvaluationOutcome.LIFETIME else T.ACTIVE).value,
    )
    following.current_key = _current_key(following)
    following.save()
    incentives.ensure_deliverables(following)
    if outcome == EvaluationOutcome.LIFETIME:
        events.lifetime_granted(following)
    else:
        events.membership_renewed(following)
    issue_if_possible(following)
    if outcome == EvaluationOutcome.LIFETIME:
        notifications.lifetime_granted(following)
    else:
        notifications.membership_renewed(following)


def is_member(*, user: User | AnonymousUser | None) -> bool:
    """Whether ``user`` holds, or held, a term (individually or for their organization)."""
    return bool(user and user.is_authenticated) and MembershipTerm.objects.filter(held_by(user)).exists()


def cycles_due_for_release(now: datetime.datetime | None = None) -> list[int]:
    """Years of the cycles whose announcement time has come and that are not released yet."""
    now = now or timezone.now()
    return list(Cycle.objects.filter(program=get_program(), announcement_at__lte=now,
                                     announcement_released_at__isnull=True).values_list("year", flat=True))


def cycles_due_for_evaluation(now: datetime.datetime | None = None) -> list[int]:
    """
    Years of the cycles whose annual evaluation is due: from the decision date (members have had
    the year to take part) until the cycle ends.
    """
    now = now or timezone.now()
    return list(Cycle.objects.filter(program=get_program(), decision_date__lte=now, ends_at__gt=now)
                .values_list("year", flat=True))
