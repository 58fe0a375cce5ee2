"""
The program's key indicators per year and per track, against the targets staff set on the program.

Every indicator is computed from a fixed number of queries whatever the number of members: rows
are fetched once as plain tuples and counted in Python. The definitions (who is an active member
of a year, what retention means) are argued in docs/decisions/0009-kpi-definitions.rst.
"""
import io
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from openedx_distinguished.data import (
    KPI_COLUMNS,
    InitiativeStatus,
    KpiRow,
    NominationStatus,
    Recommendation,
    TermStatus,
)
from openedx_distinguished.models import (
    Cycle,
    Decision,
    Initiative,
    MembershipTerm,
    Nomination,
    Onboarding,
    Program,
    Review,
    ReviewAssignment,
    Track,
)
from openedx_distinguished.program import get_program
from openedx_distinguished.spreadsheet import SafeWriter

# Nomination statuses that mean the nomination reached the panel (or went past it).
_REVIEWED_STATUSES = (NominationStatus.IN_REVIEW, NominationStatus.ACCEPTED, NominationStatus.DECLINED,
                      NominationStatus.DEFERRED)


def _members_by_year(program: Program, years: Iterable[int]) -> dict[int, defaultdict]:
    """
    ``{year: {track_id: set(holder)}}``: who held a term of each track in each program year.

    A term belongs to the year of the cycle that started it (the announcement of a first term, the
    evaluation of a renewal). A lifetime term counts in its year and every later year. Revoked terms
    never count.
    """
    members: dict[int, defaultdict] = {year: defaultdict(set) for year in years}
    rows = (MembershipTerm.objects.filter(track__program=program).exclude(status=TermStatus.REVOKED.value)
            .values_list("holder_kind", "holder_user_id", "holder_organization_id", "track_id", "status",
                         "cycle__year"))
    for holder_kind, user_id, organization_id, track_id, status, year in rows:
        holder = (holder_kind, user_id or organization_id)
        if status == TermStatus.LIFETIME.value:
            for later in years:
                if later >= year:
                    members[later][track_id].add(holder)
        elif year in members:
            members[year][track_id].add(holder)
    return members


def _count_by(queryset: QuerySet, field: str) -> dict:
    """How many rows of ``queryset`` have each value of ``field``."""
    return dict(queryset.values_list(field).annotate(total=Count("pk")).order_by())


def _funnel(program: Program) -> defaultdict[tuple, list[int]]:
    """``{(year, track_id): (submitted, in_review, accepted)}`` of the program's nominations."""
    funnel: defaultdict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    submitted = (Nomination.objects.filter(cycle__program=program, submitted_at__isnull=False)
                 .values_list("cycle__year", "track_id")
                 .annotate(total=Count("pk"),
                           reviewed=Count("pk", filter=Q(status__in=[s.value for s in _REVIEWED_STATUSES])))
                 .order_by())
    for year, track_id, total, reviewed in submitted:
        funnel[(year, track_id)][0] = total
        funnel[(year, track_id)][1] = reviewed
    # Staff see decisions before the announcement: "accepted" counts recorded decisions to accept.
    accepted = (Decision.objects.filter(nomination__cycle__program=program, outcome=Recommendation.ACCEPT.value)
                .values_list("nomination__cycle__year", "nomination__track_id").annotate(total=Count("pk")).order_by())
    for year, track_id, total in accepted:
        funnel[(year, track_id)][2] = total
    return funnel


def _review_progress(program: Program) -> defaultdict[tuple, list[int]]:
    """``{(year, track_id): (assigned, submitted)}``: review assignments and the reviews done."""
    progress: defaultdict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    assigned = (ReviewAssignment.objects.filter(nomination__cycle__program=program)
                .values_list("nomination__cycle__year", "nomination__track_id").annotate(total=Count("pk")).order_by())
    for year, track_id, total in assigned:
        progress[(year, track_id)][0] = total
    done = (Review.objects.filter(nomination__cycle__program=program)
            .values_list("nomination__cycle__year", "nomination__track_id").annotate(total=Count("pk")).order_by())
    for year, track_id, total in done:
        progress[(year, track_id)][1] = total
    return progress


def _retention(previous: set, current: set) -> tuple[int, float | None]:
    """How many of ``previous`` are in ``current``, and what share of ``previous`` that is."""
    retained = len(previous & current)
    return retained, (retained / len(previous) if previous else None)


def compute_kpis(*, years: Iterable[int] | None = None) -> tuple[KpiRow, ...]:
    """
    The indicators of the site's program for each of ``years`` (default: every cycle's year), one row
    for the whole program followed by one per track, years in ascending order.

    The first-year target for active members applies to the program's first cycle year and is kept
    as the floor for the years after it (a program is not meant to shrink below it).
    """
    program = get_program()
    cycle_years = sorted(Cycle.objects.filter(program=program).values_list("year", flat=True))
    years = sorted(set(years)) if years else cycle_years
    if not years:
        return ()
    tracks = list(Track.objects.filter(program=program).order_by("sort_order", "pk").values_list("pk", "slug", "name"))
    wanted = set(years) | {year - 1 for year in years}
    members = _members_by_year(program, sorted(wanted))
    initiatives = _count_by(Initiative.objects.filter(program=program, year__in=years)
                            .exclude(status=InitiativeStatus.DROPPED.value), "year")
    onboardings = (Onboarding.objects.filter(year__in=years).values_list("year")
                   .annotate(users=Count("pk", filter=Q(referred_user__isnull=False)),
                             partners=Count("pk", filter=Q(referred_user__isnull=True))).order_by())
    onboarded = {year: (users, partners) for year, users, partners in onboardings}
    funnel = _funnel(program)
    progress = _review_progress(program)

    active_target = program.target_active_members_first_year
    retention_target = float(program.target_retention_rate) if program.target_retention_rate is not None else None
    rows = []
    for year in years:
        per_track = members[year]
        before = members[year - 1]
        everyone = set().union(*per_track.values())
        everyone_before = set().union(*before.values())
        retained, rate = _retention(everyone_before, everyone)
        users, partners = onboarded.get(year, (0, 0))
        totals = [sum(values) for values in zip(*(funnel[(year, pk)] for pk, _, _ in tracks))] or [0, 0, 0]
        reviews = [sum(values) for values in zip(*(progress[(year, pk)] for pk, _, _ in tracks))] or [0, 0]
        rows.append(KpiRow(
            year=year, track_slug="", track_name="All tracks",
            active_members=len(everyone), active_members_target=active_target,
            previous_members=len(everyone_before), retained_members=retained, retention_rate=rate,
            retention_target=retention_target,
            initiatives=initiatives.get(year, 0), initiatives_target=program.target_initiatives_per_year,
            onboarded_members=users, onboarded_partners=partners, onboarded_target=program.target_onboarded_per_year,
            nominations_submitted=totals[0], nominations_in_review=totals[1], nominations_accepted=totals[2],
            reviews_assigned=reviews[0], reviews_submitted=reviews[1],
        ))
        for pk, slug, name in tracks:
            retained, rate = _retention(before[pk], per_track[pk])
            submitted, in_review, accepted = funnel[(year, pk)]
            assigned, done = progress[(year, pk)]
            rows.append(KpiRow(
                year=year, track_slug=slug, track_name=name,
                active_members=len(per_track[pk]), active_members_target=None,
                previous_members=len(before[pk]), retained_members=retained, retention_rate=rate,
                retention_target=retention_target,
                initiatives=None, initiatives_target=None,
                onboarded_members=None, onboarded_partners=None, onboarded_target=None,
                nominations_submitted=submitted, nominations_in_review=in_review, nominations_accepted=accepted,
                reviews_assigned=assigned, reviews_submitted=done,
            ))
    return tuple(rows)


def _cell(value: object) -> object:
    """A CSV cell: empty for "does not apply", rates to four decimals."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def kpis_csv(*, rows: Iterable[KpiRow]) -> str:
    """The KPI rows as CSV, one column per ``data.KPI_COLUMNS`` (empty cells where nothing applies)."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(KPI_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, column)) for column in KPI_COLUMNS])
    return out.getvalue()
