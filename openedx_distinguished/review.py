"""
Rules of the review: panels, assignment, conflicts of interest, scoring, aggregation, decisions, release.
"""
from __future__ import annotations

import csv
import io
import statistics
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

import attrs
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from openedx_distinguished import events, freshness, notifications, parsing, platform
from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import (
    RUBRIC_MAX,
    RUBRIC_MIN,
    AggregateData,
    AssignmentData,
    AuditAction,
    AutoAssignReport,
    ConflictData,
    DecisionData,
    ImportReport,
    NominationReviewers,
    NominationStatus,
    Page,
    PanelRole,
    Recommendation,
    ReleasePreviewData,
    ReleaseReport,
    ReviewData,
    ReviewerChoice,
    ReviewSheetData,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.membership import start_terms_for_release
from openedx_distinguished.models import (
    AuditEntry,
    Criterion,
    CriterionScore,
    Cycle,
    Decision,
    DeclaredConflict,
    Endorsement,
    Nomination,
    PanelMember,
    PartnerOrganization,
    Review,
    ReviewAssignment,
    Track,
)
from openedx_distinguished.nominations import (
    ROLE_STAFF,
    decision_of,
    endorsement_data,
    nomination_data,
    record_transition,
)
from openedx_distinguished.program import get_cycle, is_program_staff, track_data
from openedx_distinguished.spreadsheet import SafeWriter

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

S = NominationStatus

# Who acts, as the adapters pass them (anonymous or absent for the scheduled jobs).
_Actor: TypeAlias = "User | AnonymousUser | None"
# Messages by field name, as ``ValidationError`` carries them.
_Errors = dict[str, list[str]]
# For each nomination, the users who may not review it and why (``_conflict_map``).
_Conflicts = Mapping[int, Mapping[int, list[str]]]

# Nominations the panel works on: assignable ones, and those under review or decided.
REVIEWABLE = (S.SUBMITTED.value, S.IN_REVIEW.value)
SCORED = (S.IN_REVIEW.value, S.ACCEPTED.value, S.DECLINED.value, S.DEFERRED.value)
# On the scoreboard: the scored nominations and those submitted that still wait for their first reviewer.
BOARD = (S.SUBMITTED.value, *SCORED)
OUTCOME_STATUS = {
    Recommendation.ACCEPT: S.ACCEPTED,
    Recommendation.DECLINE: S.DECLINED,
    Recommendation.DEFER: S.DEFERRED,
}

ROLE_ASSIGNED = "assigned"
ROLE_PANEL = "panel"
ROLE_CHAIR = "chair"
ROLE_CONFLICTED = "conflicted"

REASON_NOMINEE = "is the nominee"
REASON_NOMINATOR = "nominated them"
REASON_ENDORSER = "endorsed the nomination"
REASON_ORGANIZATION = "belongs to the nominated organization"
REASON_SHARED_ORGANIZATION = "shares an organization with the nominee"


def _audit(cycle: Cycle, action: AuditAction, *, actor: _Actor = None, nomination: Nomination | None = None,
           **detail: object) -> None:
    """Record one act of the review in the audit log."""
    AuditEntry.objects.create(
        cycle=cycle, nomination=nomination, action=action.value, detail=detail,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


# The longest free text of the review (comments, feedback, rationale, reasons).
MAX_REVIEW_TEXT = 10_000


def _texts(errors: _Errors, **values: object) -> dict[str, str]:
    """Each value as plain multi-line text (``parsing.text``); problems added to ``errors`` by field."""
    cleaned: dict[str, str] = {}
    for field, value in values.items():
        try:
            cleaned[field] = parsing.text(value, field=field, most=MAX_REVIEW_TEXT, lines=True)
        except ValidationError as exc:
            errors.update(exc.errors)
            cleaned[field] = ""
    return cleaned


def _user(username: str, field: str = "reviewer") -> User:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: [f"There is no active user {username!r}."]})
    return user


def _locked_nomination(nomination_id: int) -> Nomination:
    """
    Lock the nomination's cycle, then the nomination: the order in which the release locks them, so
    a review act and the release queue behind each other instead of deadlocking, and the act sees
    whether the release came first. (A join would lock the rows in the other order.)
    """
    try:
        cycle_id = Nomination.objects.values_list("cycle_id", flat=True).get(pk=nomination_id)
        cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
        nomination = Nomination.objects.select_for_update().get(pk=nomination_id)
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"nomination": ["Not found."]}) from exc
    nomination.cycle = cycle
    return nomination


# Panels and roles ---------------------------------------------------------------------------

def _memberships(user: _Actor) -> list[PanelMember]:
    """The user's panel memberships in the site's program, with the tracks each panel covers."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        PanelMember.objects.filter(user=user, panel__program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG"))
        .prefetch_related("panel__tracks")
    )


def chaired_track_ids(*, user: _Actor) -> set[int]:
    """Ids of the tracks covered by panels ``user`` chairs."""
    return {track.pk for m in _memberships(user) if m.role == PanelRole.CHAIR.value for track in m.panel.tracks.all()}


def reviewer_track_ids(user: _Actor) -> set[int]:
    """Ids of the tracks covered by panels ``user`` belongs to, in any role."""
    return {track.pk for m in _memberships(user) for track in m.panel.tracks.all()}


def is_panel_member(*, user: _Actor) -> bool:
    """Whether ``user`` sits on any review panel of the site's program, in any role."""
    if user is None or not user.is_authenticated:
        return False
    return PanelMember.objects.filter(user=user, panel__program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG")) \
        .exists()


def is_chair(*, user: _Actor) -> bool:
    """Whether ``user`` chairs any panel of the site's program."""
    return any(m.role == PanelRole.CHAIR.value for m in _memberships(user))


def review_roles(*, user: _Actor, nomination_id: int) -> frozenset[str]:
    """
    The user's roles in the review of a nomination: assigned, panel, chair, staff, and conflicted.

    ``conflicted`` overrides every other role: the adapters treat the nomination as invisible.
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    nomination = Nomination.objects.filter(pk=nomination_id).select_related("track").first()
    if nomination is None:
        return frozenset()
    roles: set[str] = set()
    if is_program_staff(user=user):
        roles.add(ROLE_STAFF)
    for membership in _memberships(user):
        if any(track.pk == nomination.track_id for track in membership.panel.tracks.all()):
            roles.add(ROLE_PANEL)
            if membership.role == PanelRole.CHAIR.value:
                roles.add(ROLE_CHAIR)
    if ReviewAssignment.objects.filter(nomination_id=nomination_id, reviewer=user).exists():
        roles.add(ROLE_ASSIGNED)
    if roles and conflict_reasons(nomination_id=nomination_id, user=user):
        roles.add(ROLE_CONFLICTED)
    return frozenset(roles)


# Conflicts of interest ----------------------------------------------------------------------

def _conflict_map(nominations: Sequence[Nomination]) -> _Conflicts:
    """
    For each nomination, the users who may not review it and why, in a fixed number of queries.
    """
    result: defaultdict[int, defaultdict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    ids = [n.pk for n in nominations]
    contacts = PartnerOrganization.contacts.through.objects
    nominee_users = {n.nominee_user_id for n in nominations if n.nominee_user_id}
    orgs_of_nominee: defaultdict[int, set[int]] = defaultdict(set)
    for user_id, org_id in contacts.filter(user_id__in=nominee_users).values_list("user_id", "partnerorganization_id"):
        orgs_of_nominee[user_id].add(org_id)
    org_ids = {n.nominee_organization_id for n in nominations if n.nominee_organization_id}
    org_ids |= {org for orgs in orgs_of_nominee.values() for org in orgs}
    members_of: defaultdict[int, set[int]] = defaultdict(set)
    for org_id, user_id in contacts.filter(partnerorganization_id__in=org_ids).values_list(
            "partnerorganization_id", "user_id"):
        members_of[org_id].add(user_id)
    for nomination in nominations:
        reasons = result[nomination.pk]
        if nomination.nominee_user_id:
            reasons[nomination.nominee_user_id].append(REASON_NOMINEE)
            for org_id in orgs_of_nominee.get(nomination.nominee_user_id, ()):
                for user_id in members_of[org_id] - {nomination.nominee_user_id}:
                    reasons[user_id].append(REASON_SHARED_ORGANIZATION)
        if nomination.nominee_organization_id:
            for user_id in members_of[nomination.nominee_organization_id]:
                reasons[user_id].append(REASON_ORGANIZATION)
        if nomination.nominator_id:
            reasons[nomination.nominator_id].append(REASON_NOMINATOR)
    for nomination_id, user_id in Endorsement.objects.filter(nomination_id__in=ids, endorser__isnull=False) \
            .values_list("nomination_id", "endorser_id"):
        result[nomination_id][user_id].append(REASON_ENDORSER)
    for nomination_id, user_id, reason in DeclaredConflict.objects.filter(nomination_id__in=ids) \
            .values_list("nomination_id", "reviewer_id", "reason"):
        result[nomination_id][user_id].append(f"declared: {reason}")
    return result


def conflict_reasons(*, nomination_id: int, user: User | AnonymousUser) -> tuple[str, ...]:
    """Why ``user`` may not review the nomination (empty when they may)."""
    nomination = Nomination.objects.filter(pk=nomination_id).first()
    if nomination is None:
        return ()
    if user.pk is None:  # the anonymous user is nobody the conflicts name
        return ()
    return tuple(_conflict_map([nomination])[nomination.pk].get(user.pk, ()))


def list_conflicts(*, cycle_year: int, track_ids: Collection[int] | None = None,
                   hide_for: User | None = None) -> list[ConflictData]:
    """
    Every conflict between a panel member and a nomination they could otherwise review, minus the
    nominations ``hide_for`` is conflicted on (they do not exist for them, as everywhere else).
    """
    cycle = get_cycle(cycle_year)
    nominations = list(Nomination.objects.filter(cycle=cycle, status__in=REVIEWABLE + SCORED[1:]))
    if track_ids is not None:
        nominations = [n for n in nominations if n.track_id in track_ids]
    members_by_track: defaultdict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for member in PanelMember.objects.filter(panel__program=cycle.program).select_related("user") \
            .prefetch_related("panel__tracks"):
        names[member.user_id] = member.user.username
        for track in member.panel.tracks.all():
            members_by_track[track.pk].add(member.user_id)
    conflicts = _conflict_map(nominations)
    found: list[ConflictData] = []
    for nomination in nominations:
        if _conflicted(conflicts, nomination, hide_for):
            continue
        for user_id in sorted(members_by_track[nomination.track_id]):
            reasons = conflicts[nomination.pk].get(user_id)
            if reasons:
                found.append(ConflictData(nomination_id=nomination.pk, reviewer_username=names[user_id],
                                          reasons=tuple(reasons)))
    return found


def declare_conflict(*, nomination_id: int, reviewer: User, reason: str) -> ConflictData:
    """
    Record a reviewer's own conflict of interest. Their assignment (if any) is removed and their
    review, if they wrote one, stops counting.

    Raises:
        ValidationError: no reason given, or the announcement is already released.
    """
    reason = parsing.text(reason, field="reason", most=2000, lines=True)
    if not reason:
        raise ValidationError({"reason": ["Say briefly why you are conflicted."]})
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        if nomination.cycle.announcement_released_at:
            raise ValidationError({"cycle": ["The announcement has been released; the review is closed."]})
        _, created = DeclaredConflict.objects.get_or_create(nomination=nomination, reviewer=reviewer,
                                                            defaults={"reason": reason[:2000]})
        if not created:
            raise InvalidTransition({"reason": ["You have already declared a conflict on this nomination."]})
        ReviewAssignment.objects.filter(nomination=nomination, reviewer=reviewer).delete()
        _audit(nomination.cycle, AuditAction.CONFLICT_DECLARED, actor=reviewer, nomination=nomination,
               reviewer=reviewer.username, reason=reason[:2000])
    return ConflictData(nomination_id=nomination.pk, reviewer_username=reviewer.username,
                        reasons=conflict_reasons(nomination_id=nomination.pk, user=reviewer))


# Assignment ---------------------------------------------------------------------------------

def _check_assignable(nomination: Nomination, reviewer: User, conflicts: Sequence[str] | None) -> _Errors:
    """Why ``reviewer`` cannot be assigned ``nomination`` now, as field errors (empty when they can)."""
    errors: _Errors = {}
    if nomination.status not in REVIEWABLE:
        errors["nomination"] = [f"A {nomination.status} nomination cannot be assigned for review."]
    if nomination.cycle.announcement_released_at or timezone.now() >= nomination.cycle.review_deadline:
        errors.setdefault("nomination", []).append("The review deadline of this cycle has passed.")
    if nomination.track_id not in reviewer_track_ids(reviewer):
        errors["reviewer"] = [f"{reviewer.username} is on no panel that reviews {nomination.track.name}."]
    elif conflicts:
        errors["reviewer"] = [f"{reviewer.username} has a conflict of interest: {'; '.join(conflicts)}."]
    return errors


def _assign(nomination: Nomination, reviewer: User, actor: _Actor, *, source: str) -> ReviewAssignment:
    """Create one assignment and start the review of a submitted nomination."""
    assignment = ReviewAssignment.objects.create(nomination=nomination, reviewer=reviewer,
                                                 assigned_by=actor if actor and actor.is_authenticated else None)
    if nomination.status == S.SUBMITTED.value:
        record_transition(nomination, S.IN_REVIEW, actor, "Assigned for review.")
    _audit(nomination.cycle, AuditAction.ASSIGNED, actor=actor, nomination=nomination,
           reviewer=reviewer.username, source=source)
    notifications.review_assigned(nomination, reviewer)
    return assignment


def assign_reviewer(*, nomination_id: int, reviewer_username: str, actor: _Actor) -> AssignmentData:
    """
    Assign a panel member to review a nomination.

    Raises:
        ValidationError: unknown reviewer, not on a panel for the track, conflicted, or too late.
        InvalidTransition: the reviewer is already assigned.
    """
    reviewer = _user(reviewer_username)
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        errors = _check_assignable(nomination, reviewer,
                                   conflict_reasons(nomination_id=nomination.pk, user=reviewer))
        if errors:
            raise ValidationError(errors)
        if ReviewAssignment.objects.filter(nomination=nomination, reviewer=reviewer).exists():
            raise InvalidTransition({"reviewer": [f"{reviewer.username} is already assigned."]})
        assignment = _assign(nomination, reviewer, actor, source="manual")
    return _assignment_data(ReviewAssignment.objects.select_related(
        "nomination__cycle", "nomination__track", "nomination__nominee_user", "nomination__nominee_organization",
        "reviewer").get(pk=assignment.pk), reviewed=False)


def unassign_reviewer(*, nomination_id: int, reviewer_username: str, actor: _Actor) -> None:
    """
    Take a nomination back from a reviewer who has not reviewed it yet.

    Raises:
        NotFound: no such assignment.
        InvalidTransition: the reviewer already submitted a review.
    """
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        assignment = ReviewAssignment.objects.filter(nomination=nomination,
                                                     reviewer__username=reviewer_username).first()
        if assignment is None:
            raise NotFound({"reviewer": [f"{reviewer_username} is not assigned to this nomination."]})
        if Review.objects.filter(nomination=nomination, reviewer_id=assignment.reviewer_id).exists():
            raise InvalidTransition({"reviewer": ["This reviewer has already reviewed the nomination."]})
        assignment.delete()
        _audit(nomination.cycle, AuditAction.UNASSIGNED, actor=actor, nomination=nomination,
               reviewer=reviewer_username)


def auto_assign(*, cycle_year: int, actor: _Actor, per_nomination: int | None = None,
                track_ids: Collection[int] | None = None) -> AutoAssignReport:
    """
    Give every submitted or in-review nomination of the cycle up to N reviewers.

    Candidates are the members of the panels covering the nomination's track who are not
    conflicted and not yet assigned; the least-loaded (by assignments in this cycle) go first,
    ties broken by user id, so the result is deterministic. Runs under a lock on the cycle, so two
    concurrent runs do not over-assign.
    """
    per_nomination = per_nomination or get_setting("DISTINGUISHED_REVIEWERS_PER_NOMINATION")
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=get_cycle(cycle_year).pk)
        if cycle.announcement_released_at or timezone.now() >= cycle.review_deadline:
            raise ValidationError({"cycle": ["The review deadline of this cycle has passed."]})
        nominations = list(Nomination.objects.select_for_update().filter(cycle=cycle, status__in=REVIEWABLE)
                           .select_related("track", "cycle").order_by("submitted_at", "id"))
        if track_ids is not None:
            nominations = [n for n in nominations if n.track_id in track_ids]
        candidates: defaultdict[int, set[int]] = defaultdict(set)
        users: dict[int, User] = {}
        for member in PanelMember.objects.filter(panel__program=cycle.program, user__is_active=True) \
                .select_related(*platform.with_profile("user")).prefetch_related("panel__tracks"):
            users[member.user_id] = member.user
            for track in member.panel.tracks.all():
                candidates[track.pk].add(member.user_id)
        assigned: defaultdict[int, set[int]] = defaultdict(set)
        load: defaultdict[int, int] = defaultdict(int)
        for nomination_id, reviewer_id in ReviewAssignment.objects.filter(nomination__cycle=cycle) \
                .values_list("nomination_id", "reviewer_id"):
            assigned[nomination_id].add(reviewer_id)
            load[reviewer_id] += 1
        conflicts = _conflict_map(nominations)
        # A chair (or staff member) conflicted on a nomination does not pick its reviewers either.
        nominations = [n for n in nominations if not _conflicted(conflicts, n, actor)]
        made: list[tuple[int, str]] = []
        short: list[tuple[int, int]] = []
        for nomination in nominations:
            needed = per_nomination - len(assigned[nomination.pk])
            if needed <= 0:
                continue
            pool = sorted(
                (uid for uid in candidates[nomination.track_id]
                 if uid not in assigned[nomination.pk] and not conflicts[nomination.pk].get(uid)),
                key=lambda uid: (load[uid], uid),
            )
            for reviewer_id in pool[:needed]:
                _assign(nomination, users[reviewer_id], actor, source="automatic")
                assigned[nomination.pk].add(reviewer_id)
                load[reviewer_id] += 1
                made.append((nomination.pk, users[reviewer_id].username))
            if len(pool) < needed:
                short.append((nomination.pk, needed - len(pool)))
    return AutoAssignReport(assigned=tuple(made), short=tuple(short))


def nomination_reviewers(*, cycle_year: int, track_ids: Collection[int] | None = None,
                         hide_for: User | None = None) -> dict[int, NominationReviewers]:
    """
    For each nomination under review in the cycle (in ``track_ids`` when given; minus those
    ``hide_for`` is conflicted on): its reviewers and whether they reviewed, the panel members
    who could still be assigned, and those who may not be, with the conflict that stops them.
    A fixed number of queries, whatever the number of nominations and reviewers.
    """
    cycle = get_cycle(cycle_year)
    nominations = [n for n in Nomination.objects.filter(cycle=cycle, status__in=REVIEWABLE)
                   if track_ids is None or n.track_id in track_ids]
    conflicts = _conflict_map(nominations)
    if hide_for is not None:
        nominations = [n for n in nominations if not conflicts[n.pk].get(hide_for.pk)]
    panel: defaultdict[int, dict[int, User]] = defaultdict(dict)
    for member in PanelMember.objects.filter(panel__program=cycle.program, user__is_active=True) \
            .select_related(*platform.with_profile("user")).prefetch_related("panel__tracks"):
        for track in member.panel.tracks.all():
            panel[track.pk][member.user_id] = member.user
    assigned: defaultdict[int, dict[int, User]] = defaultdict(dict)
    for assignment in ReviewAssignment.objects.filter(nomination__in=nominations).select_related(
            *platform.with_profile("reviewer")):
        assigned[assignment.nomination_id][assignment.reviewer_id] = assignment.reviewer
    reviewed = set(Review.objects.filter(nomination__in=nominations, reviewer__isnull=False)
                   .values_list("nomination_id", "reviewer_id"))
    board: dict[int, NominationReviewers] = {}
    for nomination in nominations:
        mine = assigned[nomination.pk]
        candidates = sorted((u for uid, u in panel[nomination.track_id].items() if uid not in mine),
                            key=lambda u: (platform.display_name(u).lower(), u.pk))
        board[nomination.pk] = NominationReviewers(
            nomination_id=nomination.pk,
            assigned=tuple(ReviewerChoice(username=u.username, display_name=platform.display_name(u),
                                          reviewed=(nomination.pk, uid) in reviewed)
                           for uid, u in sorted(mine.items(),
                                                key=lambda item: platform.display_name(item[1]).lower())),
            offered=tuple(ReviewerChoice(username=u.username, display_name=platform.display_name(u))
                          for u in candidates if not conflicts[nomination.pk].get(u.pk)),
            not_offered=tuple(ReviewerChoice(username=u.username, display_name=platform.display_name(u),
                                             reason="; ".join(conflicts[nomination.pk][u.pk]))
                              for u in candidates if conflicts[nomination.pk].get(u.pk)),
        )
    return board


def _assignment_data(assignment: ReviewAssignment, reviewed: bool) -> AssignmentData:
    nomination = assignment.nomination
    return AssignmentData(
        nomination_id=nomination.pk, cycle_year=nomination.cycle.year, track_slug=nomination.track.slug,
        track_name=nomination.track.name, nominee_display_name=nomination_data_name(nomination),
        reviewer_username=assignment.reviewer.username, reviewed=reviewed,
        review_deadline=nomination.cycle.review_deadline, assigned_at=assignment.created,
    )


def nomination_data_name(nomination: Nomination) -> str:
    """The nominee's display name: the organization's name, or the user's full name or username."""
    if nomination.nominee_organization is not None:
        return nomination.nominee_organization.name
    return platform.display_name(nomination.nominee_user)


def list_assignments(*, reviewer: User) -> list[AssignmentData]:
    """The reviewer's assignments, newest cycle first, minus nominations they are conflicted on."""
    assignments = list(
        ReviewAssignment.objects.filter(reviewer=reviewer)
        .select_related("nomination__cycle", "nomination__track", "nomination__nominee_organization", "reviewer",
                        *platform.with_profile("nomination__nominee_user"))
        .order_by("-nomination__cycle__year", "created", "id")
    )
    conflicts = _conflict_map([a.nomination for a in assignments])
    reviewed = set(Review.objects.filter(reviewer=reviewer, nomination_id__in=[a.nomination_id for a in assignments])
                   .values_list("nomination_id", flat=True))
    return [_assignment_data(a, a.nomination_id in reviewed) for a in assignments
            if not conflicts[a.nomination_id].get(reviewer.pk)]


def _conflicted(conflicts: _Conflicts, nomination: Nomination, user: _Actor) -> bool:
    """Whether ``user`` is conflicted on ``nomination`` (``conflicts`` from ``_conflict_map``)."""
    user_id = getattr(user, "pk", None)
    return user_id is not None and bool(conflicts[nomination.pk].get(user_id))


def export_assignments_csv(*, cycle_year: int, track_ids: Collection[int] | None = None,
                           hide_for: User | None = None) -> str:
    """
    The cycle's assignments as CSV: nomination_id, track, nominee, reviewer. Nominations
    ``hide_for`` is conflicted on are left out, as everywhere else in the review.
    """
    cycle = get_cycle(cycle_year)
    rows = list(ReviewAssignment.objects.filter(nomination__cycle=cycle).select_related(
        "nomination__track", "nomination__nominee_organization", "reviewer",
        *platform.with_profile("nomination__nominee_user"),
    ).order_by("nomination_id", "reviewer__username"))
    conflicts = _conflict_map(list({a.nomination_id: a.nomination for a in rows}.values())) if hide_for else None
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["nomination_id", "track", "nominee", "reviewer"])
    for assignment in rows:
        if track_ids is not None and assignment.nomination.track_id not in track_ids:
            continue
        if conflicts is not None and _conflicted(conflicts, assignment.nomination, hide_for):
            continue
        writer.writerow([assignment.nomination_id, assignment.nomination.track.slug,
                         nomination_data_name(assignment.nomination), assignment.reviewer.username])
    return out.getvalue()


def _assignment_rows(text: str) -> tuple[int, list[tuple[int, list[str]]]]:
    """
    The column of the reviewer and the rows that are not blank, with their line numbers, of an
    assignments CSV (a header row is allowed: it may place the reviewer column).

    Raises:
        ValidationError: unreadable CSV, or no row.
    """
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValidationError({"file": [f"Not readable as CSV: {exc}"]}) from exc
    if rows and rows[0] and rows[0][0].strip().lower() == "nomination_id":
        header = [cell.strip().lower() for cell in rows[0]]
        reviewer_column = header.index("reviewer") if "reviewer" in header else 1
        body = list(enumerate(rows[1:], start=2))
    else:
        reviewer_column = 1
        body = list(enumerate(rows, start=1))
    body = [(line, row) for line, row in body if any(cell.strip() for cell in row)]
    if not body:
        raise ValidationError({"file": ["The file has no assignment rows."]})
    return reviewer_column, body


def import_assignments_csv(*, cycle_year: int, text: str, actor: _Actor,
                           track_ids: Collection[int] | None = None) -> ImportReport:
    """
    Assign reviewers from CSV rows ``nomination_id,reviewer`` (a header row is allowed; extra
    columns, such as those of the export, are ignored).

    All or nothing: every bad row is reported and, if there is one, nothing is written. Rows that
    repeat an existing assignment are skipped, so re-importing an export changes nothing.

    Raises:
        ValidationError: ``rows`` lists each bad row with its line number.
    """
    cycle = get_cycle(cycle_year)
    reviewer_column, body = _assignment_rows(text)
    errors: list[str] = []
    wanted: list[tuple[Nomination, User]] = []
    seen: set[tuple[int, str]] = set()
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)  # the cycle first, as the release locks
        nominations = {n.pk: n for n in Nomination.objects.select_for_update().filter(cycle=cycle)
                       .select_related("track", "cycle")}
        usernames = {row[reviewer_column].strip() for _, row in body if len(row) > reviewer_column}
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames, is_active=True)}
        conflicts = _conflict_map(list(nominations.values()))
        existing = set(ReviewAssignment.objects.filter(nomination__cycle=cycle).values_list(
            "nomination_id", "reviewer__username"))
        for line, row in body:
            if len(row) <= reviewer_column:
                errors.append(f"Line {line}: expected a nomination id and a reviewer username.")
                continue
            raw_id, username = row[0].strip(), row[reviewer_column].strip()
            nomination = nominations.get(int(raw_id)) if raw_id.isascii() and raw_id.isdigit() \
                and len(raw_id) <= parsing.MAX_DIGITS else None
            reviewer = users.get(username)
            if nomination is None or _conflicted(conflicts, nomination, actor):
                # A nomination the importer is conflicted on does not exist for them.
                errors.append(f"Line {line}: {raw_id!r} is not a nomination of the {cycle.year} cycle.")
                continue
            if track_ids is not None and nomination.track_id not in track_ids:
                errors.append(f"Line {line}: you do not chair a panel for {nomination.track.name}.")
                continue
            if reviewer is None:
                errors.append(f"Line {line}: there is no active user {username!r}.")
                continue
            if (nomination.pk, username) in existing or (nomination.pk, username) in seen:
                continue
            problems = _check_assignable(nomination, reviewer, conflicts[nomination.pk].get(reviewer.pk))
            if problems:
                errors.append(f"Line {line}: " + " ".join(m for msgs in problems.values() for m in msgs))
                continue
            seen.add((nomination.pk, username))
            wanted.append((nomination, reviewer))
        if errors:
            raise ValidationError({"rows": errors})
        for nomination, reviewer in wanted:
            _assign(nomination, reviewer, actor, source="csv")
    return ImportReport(created=len(wanted), skipped=len(body) - len(wanted))


# Reviews ------------------------------------------------------------------------------------

def _weighted(scores_by_criterion: Mapping[int, int], weights: Mapping[int, Decimal]) -> float | None:
    """The weighted mean of one review's scores (criteria without a weight count once)."""
    total = sum(weights.get(cid, Decimal(1)) for cid in scores_by_criterion)
    if not total:
        return None
    return float(sum(weights.get(cid, Decimal(1)) * score for cid, score in scores_by_criterion.items()) / total)


def _review_data(review: Review, criteria_by_id: Mapping[int, Criterion]) -> ReviewData:
    scores = {criteria_by_id[s.criterion_id].slug: s.score for s in review.scores.all()
              if s.criterion_id in criteria_by_id}
    weights = {cid: c.weight for cid, c in criteria_by_id.items()}
    return ReviewData(
        reviewer_username=review.reviewer.username if review.reviewer else None,
        scores=scores,
        weighted_score=round(_weighted({s.criterion_id: s.score for s in review.scores.all()}, weights) or 0, 3),
        recommendation=Recommendation(review.recommendation),
        panel_comments=review.panel_comments,
        nominee_feedback=review.nominee_feedback,
        submitted_at=review.created,
        modified=review.modified,
    )


def submit_review(*, nomination_id: int, reviewer: User, scores: object, recommendation: Recommendation | str,
                  panel_comments: str = "", nominee_feedback: str = "") -> ReviewData:
    """
    Create or update the reviewer's review: a 1–5 score for every criterion of the track and a
    recommendation. Editable until the cycle's review deadline.

    Raises:
        ValidationError: a missing or out-of-range score, an unknown criterion or recommendation,
            or the deadline has passed.
        InvalidTransition: the nomination is not in review.
    """
    errors: _Errors = {}
    chosen: Recommendation | None = None
    try:
        chosen = Recommendation(recommendation)
    except ValueError:
        errors["recommendation"] = [f"Choose one of {', '.join(r.value for r in Recommendation)}."]
    texts = _texts(errors, panel_comments=panel_comments, nominee_feedback=nominee_feedback)
    panel_comments, nominee_feedback = texts["panel_comments"], texts["nominee_feedback"]
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        if nomination.status != S.IN_REVIEW.value:
            raise InvalidTransition({"nomination": ["Only a nomination in review can be reviewed."]})
        if timezone.now() >= nomination.cycle.review_deadline or nomination.cycle.announcement_released_at:
            errors["nomination"] = ["The review deadline of this cycle has passed; reviews can no longer change."]
        criteria = {c.slug: c for c in nomination.track.criteria.all()}
        if not isinstance(scores, dict):
            errors["scores"] = ["Give an object that maps each criterion slug to a score."]
            scores = {}
        messages = [f"{slug!r} is not a criterion of this track." for slug in scores if slug not in criteria]
        messages += [f"Score {slug!r}." for slug in criteria if slug not in scores]
        for slug, score in scores.items():
            if slug in criteria and (isinstance(score, bool) or not isinstance(score, int)
                                     or not RUBRIC_MIN <= score <= RUBRIC_MAX):
                messages.append(f"The score for {slug!r} must be a whole number from {RUBRIC_MIN} to {RUBRIC_MAX}.")
        if messages:
            errors.setdefault("scores", []).extend(messages)
        if errors or chosen is None:  # no recommendation: ``errors`` says why
            raise ValidationError(errors)
        review, created = Review.objects.update_or_create(
            nomination=nomination, reviewer=reviewer,
            defaults={"recommendation": chosen.value, "panel_comments": panel_comments or "",
                      "nominee_feedback": nominee_feedback or ""},
        )
        review.scores.all().delete()
        CriterionScore.objects.bulk_create([
            CriterionScore(review=review, criterion=criteria[slug], score=score) for slug, score in scores.items()
        ])
        _audit(nomination.cycle, AuditAction.REVIEW_SUBMITTED if created else AuditAction.REVIEW_UPDATED,
               actor=reviewer, nomination=nomination, scores=scores, recommendation=chosen.value)
    review = Review.objects.select_related("reviewer").prefetch_related("scores").get(pk=review.pk)
    return _review_data(review, {c.pk: c for c in criteria.values()})


def get_review_sheet(*, nomination_id: int, user: User | AnonymousUser, sees_all: bool = False) -> ReviewSheetData:
    """
    The nomination as a reviewer works on it. Other reviewers' reviews are included once ``user``
    has submitted their own, or when ``sees_all`` (chairs and staff); otherwise ``other_reviews``
    is None.
    """
    try:
        nomination = Nomination.objects.select_related(
            "cycle", "track", "nominee_organization", "decision", *platform.with_profile("nominator", "nominee_user"),
        ).annotate(endorsement_total=Count("endorsements", filter=Q(endorsements__withdrawn_at__isnull=True),
                                           distinct=True)).get(pk=nomination_id)
    except (Nomination.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"nomination": ["Not found."]}) from exc
    track = nomination.track
    criteria = {c.pk: c for c in Criterion.objects.filter(track=track)}
    conflicted = set(_conflict_map([nomination])[nomination.pk])
    reviews = [r for r in Review.objects.filter(nomination=nomination).select_related("reviewer")
               .prefetch_related("scores") if r.reviewer_id not in conflicted or r.reviewer_id == user.pk]
    own = next((r for r in reviews if r.reviewer_id == user.pk), None)
    others = None
    if own is not None or sees_all:
        others = tuple(_review_data(r, criteria) for r in reviews if r.reviewer_id != user.pk)
    return ReviewSheetData(
        nomination=nomination_data(nomination),
        criteria=track_data(Track.objects.prefetch_related("criteria", "incentives").get(pk=track.pk)).criteria,
        endorsements=tuple(endorsement_data(e) for e in nomination.endorsements.select_related(
            *platform.with_profile("endorser"))
                           .filter(withdrawn_at__isnull=True)),
        own_review=_review_data(own, criteria) if own else None,
        other_reviews=others,
        review_deadline=nomination.cycle.review_deadline,
        editable=(nomination.status == S.IN_REVIEW.value and timezone.now() < nomination.cycle.review_deadline
                  and not nomination.cycle.announcement_released_at),
    )


# Aggregation --------------------------------------------------------------------------------

def _z_scores(review_values: Sequence[tuple[int, int, float]]
              ) -> tuple[dict[int, float], float | None, float | None]:
    """
    Per-review z-scores that take out each reviewer's leniency (see ADR 0004).

    ``review_values`` is a list of (review_id, reviewer_id, weighted score). Returns
    ({review_id: z}, global mean, global standard deviation).
    """
    values = [value for _, _, value in review_values]
    if not values:
        return {}, None, None
    global_mean = statistics.fmean(values)
    global_sd = statistics.pstdev(values)
    by_reviewer: defaultdict[int, list[float]] = defaultdict(list)
    for _, reviewer_id, value in review_values:
        by_reviewer[reviewer_id].append(value)
    stats = {rid: (statistics.fmean(vals), statistics.pstdev(vals), len(vals)) for rid, vals in by_reviewer.items()}
    z: dict[int, float] = {}
    for review_id, reviewer_id, value in review_values:
        mean, sd, count = stats[reviewer_id]
        if count >= 2:
            z[review_id] = (value - mean) / sd if sd > 0 else 0.0
        else:
            # One review says nothing about a reviewer's habits: judge it against the whole panel.
            z[review_id] = (value - global_mean) / global_sd if global_sd > 0 else 0.0
    return z, global_mean, global_sd


def scoreboard(*, cycle_year: int, track_slug: str | None = None, track_ids: Collection[int] | None = None,
               hide_for: User | None = None) -> list[AggregateData]:
    """
    Aggregated reviews of every nomination under review (or decided) in the cycle, ranked by
    normalised score within each track; nominations without reviews (among them those submitted
    and waiting for their first reviewer) come last, unranked.

    Reviews by conflicted reviewers never count. ``hide_for`` (a user) leaves out the
    nominations that user is conflicted on. Normalisation uses every counted review of the cycle.
    """
    cycle = get_cycle(cycle_year)
    quorum = get_setting("DISTINGUISHED_REVIEW_QUORUM")
    nominations = list(Nomination.objects.filter(cycle=cycle, status__in=BOARD).select_related(
        "track", "nominee_organization", "decision", *platform.with_profile("nominee_user")))
    conflicts = _conflict_map(nominations)
    weights = {c.pk: c.weight for c in Criterion.objects.filter(track__program=cycle.program)}
    reviews = Review.objects.filter(nomination__cycle=cycle, nomination__status__in=SCORED) \
        .prefetch_related("scores").only("id", "nomination_id", "reviewer_id", "recommendation")
    recommendations: defaultdict[int, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    review_values: list[tuple[int, int, float]] = []
    per_nomination: defaultdict[int, list[tuple[int, float]]] = defaultdict(list)
    for review in reviews:
        if review.reviewer_id is not None and conflicts[review.nomination_id].get(review.reviewer_id):
            continue
        value = _weighted({s.criterion_id: s.score for s in review.scores.all()}, weights)
        if value is None:
            continue
        review_values.append((review.pk, review.reviewer_id or -review.pk, value))
        per_nomination[review.nomination_id].append((review.pk, value))
        recommendations[review.nomination_id][review.recommendation] += 1
    z, global_mean, global_sd = _z_scores(review_values)
    rows: list[AggregateData] = []
    for nomination in nominations:
        if track_slug and nomination.track.slug != track_slug:
            continue
        if track_ids is not None and nomination.track_id not in track_ids:
            continue
        if hide_for is not None and conflicts[nomination.pk].get(hide_for.pk):
            continue
        values = per_nomination.get(nomination.pk, [])
        decision = decision_of(nomination)
        normalised = None
        if values and global_mean is not None and global_sd is not None:  # a counted review: both are known
            mean_z = statistics.fmean(z[rid] for rid, _ in values)
            normalised = round(global_mean + global_sd * mean_z, 3)
        rows.append(AggregateData(
            nomination_id=nomination.pk, track_slug=nomination.track.slug,
            nominee_display_name=nomination_data_name(nomination),
            review_count=len(values),
            weighted_mean=round(statistics.fmean(v for _, v in values), 3) if values else None,
            median=round(statistics.median(v for _, v in values), 3) if values else None,
            normalised_score=normalised,
            quorum_reached=len(values) >= quorum,
            recommendations=dict(recommendations.get(nomination.pk, {})),
            decision=Recommendation(decision.outcome) if decision else None,
        ))
    rows.sort(key=lambda r: (r.track_slug, r.normalised_score is None, -(r.normalised_score or 0),
                             -(r.weighted_mean or 0), r.nomination_id))
    ranked: list[AggregateData] = []
    rank, current_track = 0, None
    for row in rows:
        if row.track_slug != current_track:
            current_track, rank = row.track_slug, 0
        if row.normalised_score is None:
            ranked.append(row)
            continue
        rank += 1
        ranked.append(attrs.evolve(row, rank=rank))
    return ranked


# Decisions and the release ------------------------------------------------------------------

def _decision_data(decision: Decision) -> DecisionData:
    return DecisionData(
        nomination_id=decision.nomination_id, outcome=Recommendation(decision.outcome),
        rationale=decision.rationale, feedback=decision.feedback,
        decided_by_username=decision.decided_by.username if decision.decided_by else None,
        decided_at=decision.decided_at, quorum_override_reason=decision.quorum_override_reason,
        released_at=decision.released_at, citation=decision.citation,
    )


def get_decision(*, nomination_id: int) -> DecisionData | None:
    """The decision on a nomination, pending or released, or None."""
    decision = Decision.objects.select_related("decided_by").filter(nomination_id=nomination_id).first()
    return _decision_data(decision) if decision else None


# A citation is a line or two of the announcement.
MAX_CITATION = 300


def record_decision(*, nomination_id: int, actor: _Actor, outcome: Recommendation | str, rationale: str,
                    feedback: str = "", override_reason: str = "", citation: str = "") -> DecisionData:
    """
    Record (or, until the release, change) the decision on a nomination in review.

    The decision stays pending and confidential until the cycle's announcement is released.
    It needs the review quorum (``DISTINGUISHED_REVIEW_QUORUM`` counted reviews) unless an
    override reason is given. An accept decision may carry the public ``citation`` the
    announcement shows with the new member (kept for accept decisions only).

    Raises:
        ValidationError: unknown outcome, no rationale, quorum not reached without an override,
            or the announcement was already released.
        InvalidTransition: the nomination is not in review.
    """
    errors: _Errors = {}
    chosen: Recommendation | None = None
    try:
        chosen = Recommendation(outcome)
    except ValueError:
        errors["outcome"] = [f"Choose one of {', '.join(r.value for r in Recommendation)}."]
    texts = _texts(errors, rationale=rationale, feedback=feedback, override_reason=override_reason)
    rationale, feedback, override_reason = texts["rationale"], texts["feedback"], texts["override_reason"]
    try:
        citation = parsing.text(citation, field="citation", most=MAX_CITATION)
    except ValidationError as exc:
        errors.update(exc.errors)
        citation = ""
    if not rationale and "rationale" not in errors:
        errors["rationale"] = ["Explain the decision for the record."]
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        if nomination.status != S.IN_REVIEW.value:
            raise InvalidTransition({"nomination": ["Only a nomination in review can be decided."]})
        if nomination.cycle.announcement_released_at:
            errors["nomination"] = ["The announcement has been released; decisions are final."]
        conflicted = _conflict_map([nomination])[nomination.pk]
        counted = Review.objects.filter(nomination=nomination).exclude(reviewer_id__in=list(conflicted)).count()
        quorum = get_setting("DISTINGUISHED_REVIEW_QUORUM")
        if counted < quorum and not override_reason:
            errors["quorum_override_reason"] = [
                f"Only {counted} of the {quorum} reviews needed; give a reason to decide anyway."]
        if errors or chosen is None:  # no outcome: ``errors`` says why
            raise ValidationError(errors)
        decision, created = Decision.objects.update_or_create(nomination=nomination, defaults={
            "outcome": chosen.value, "rationale": rationale, "feedback": feedback,
            "citation": citation if chosen == Recommendation.ACCEPT else "",
            "quorum_override_reason": override_reason if counted < quorum else "",
            "decided_by": actor if actor and actor.is_authenticated else None, "decided_at": timezone.now(),
        })
        _audit(nomination.cycle, AuditAction.DECISION_RECORDED if created else AuditAction.DECISION_CHANGED,
               actor=actor, nomination=nomination, outcome=chosen.value, reviews=counted,
               override=bool(override_reason and counted < quorum))
    return _decision_data(Decision.objects.select_related("decided_by").get(pk=decision.pk))


def may_release(*, user: _Actor, cycle_year: int) -> bool:
    """
    Whether ``user`` may release the cycle's announcement: program staff, or a chair whose panels
    together cover every active track of the cycle's program (ADR 0015). The release publishes
    every decision of the cycle, so a chair of one track may not publish the others'.
    """
    if is_program_staff(user=user):
        return True
    chaired = chaired_track_ids(user=user)
    if not chaired:
        return False
    cycle = get_cycle(cycle_year)
    return set(Track.objects.filter(program=cycle.program, is_active=True).values_list("pk", flat=True)) <= chaired


def release_preview(*, cycle_year: int, now: datetime | None = None) -> ReleasePreviewData:
    """
    What ``release_announcement`` would do now: the decisions it would publish, the nominations
    it would accept, the decisions it would set aside, and what blocks it (the date, undecided
    nominations). Changes nothing.
    """
    now = now or timezone.now()
    cycle = get_cycle(cycle_year)
    in_review = list(Nomination.objects.filter(cycle=cycle, status=S.IN_REVIEW.value).select_related(
        "track", "decision", "nominee_organization", *platform.with_profile("nominee_user"),
    ).order_by("track__sort_order", "id"))
    outcomes: defaultdict[str, int] = defaultdict(int)
    undecided: list[tuple[int, str, str]] = []
    accepted: list[str] = []
    for nomination in in_review:
        decision = decision_of(nomination)
        if decision is None:
            undecided.append((nomination.pk, nomination_data_name(nomination), nomination.track.name))
        elif decision.released_at is None:
            outcomes[decision.outcome] += 1
            if decision.outcome == Recommendation.ACCEPT.value:
                accepted.append(nomination_data_name(nomination))
    set_aside = tuple(sorted(Decision.objects.filter(nomination__cycle=cycle, released_at__isnull=True)
                             .exclude(nomination__status=S.IN_REVIEW.value).values_list("nomination_id", flat=True)))
    return ReleasePreviewData(
        cycle_year=cycle.year, cycle_name=cycle.name, announcement_at=cycle.announcement_at,
        released_at=cycle.announcement_released_at, due=now >= cycle.announcement_at,
        undecided=tuple(undecided), outcomes=dict(outcomes), accepted=tuple(accepted), set_aside=set_aside,
    )


def release_announcement(*, cycle_year: int, actor: _Actor = None, now: datetime | None = None) -> ReleaseReport:
    """
    Publish every pending decision of the cycle at once, at or after its announcement date.

    Idempotent and safe under concurrent workers: the cycle row is locked, and a cycle already
    released is reported as such without any change. This is the one place where a decision
    becomes visible outside the panel; later features (terms, credentials, emails) hook in here.

    Raises:
        ValidationError: before the announcement date, or nominations in review are undecided.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().get(pk=get_cycle(cycle_year).pk)
        if cycle.announcement_released_at:
            return ReleaseReport(cycle_year=cycle.year, already_released=True,
                                 released_at=cycle.announcement_released_at)
        if now < cycle.announcement_at:
            raise ValidationError({"cycle": [
                f"The {cycle.year} announcement is due at {cycle.announcement_at:%Y-%m-%d %H:%M %Z}; "
                "it cannot be released earlier."]})
        undecided = list(Nomination.objects.filter(cycle=cycle, status=S.IN_REVIEW.value, decision__isnull=True)
                         .values_list("pk", flat=True))
        if undecided:
            raise ValidationError({"nominations": [
                f"Record a decision (accept, decline or defer) for nominations {undecided} first."]})
        pending = list(Decision.objects.select_for_update().select_related("nomination", "nomination__cycle")
                       .filter(nomination__cycle=cycle, released_at__isnull=True))
        # A nomination withdrawn after its decision was recorded (by its nominator, its nominee, staff
        # or a retirement) has nothing to announce: its decision stays unpublished (ADR 0013).
        decisions = [d for d in pending if d.nomination.status == S.IN_REVIEW.value]
        set_aside = tuple(sorted(d.nomination_id for d in pending if d.nomination.status != S.IN_REVIEW.value))
        for decision in pending:
            if decision.nomination_id in set_aside:
                _audit(cycle, AuditAction.DECISION_SET_ASIDE, actor=actor, nomination=decision.nomination,
                       outcome=decision.outcome, status=decision.nomination.status)
        outcomes: defaultdict[str, int] = defaultdict(int)
        for decision in decisions:
            record_transition(decision.nomination, OUTCOME_STATUS[Recommendation(decision.outcome)], actor,
                              "Announced.")
            decision.released_at = now
            outcomes[decision.outcome] += 1
        Decision.objects.bulk_update(decisions, ["released_at"])
        start_terms_for_release(
            cycle=cycle, starts_at=now, actor=actor,
            nominations=[d.nomination for d in decisions if d.outcome == Recommendation.ACCEPT.value],
        )
        notifications.announcement_released(cycle=cycle, decisions=decisions)
        cycle.announcement_released_at = now
        cycle.save(update_fields=["announcement_released_at"])
        _audit(cycle, AuditAction.ANNOUNCEMENT_RELEASED, actor=actor, outcomes=dict(outcomes),
               set_aside=list(set_aside))
        events.announcement_released(cycle, outcomes)
        freshness.changed(freshness.PRESENCE, freshness.BADGES)
    return ReleaseReport(cycle_year=cycle.year, already_released=False, released_at=now, outcomes=dict(outcomes),
                         set_aside=set_aside)


def reopen_decision(*, nomination_id: int, actor: _Actor, reason: str) -> None:
    """
    Take back the pending decision on a nomination (program staff), so that the panel decides it
    again; recorded in the audit log with the reason and the outcome taken back.

    Raises:
        ValidationError: no reason given, or the announcement was already released.
        InvalidTransition: the nomination is no longer in review (withdrawn meanwhile).
        NotFound: no such nomination, or it has no decision.
    """
    reason = parsing.text(reason, field="reason", most=2000, lines=True)
    if not reason:
        raise ValidationError({"reason": ["Say why the decision is reopened, for the record."]})
    with transaction.atomic():
        nomination = _locked_nomination(nomination_id)
        decision = Decision.objects.select_for_update().filter(nomination=nomination).first()
        if decision is None:
            raise NotFound({"decision": ["This nomination has no decision to reopen."]})
        if nomination.status != S.IN_REVIEW.value:
            # Withdrawn meanwhile: its decision is set aside at the release, and nobody decides it again.
            raise InvalidTransition(
                {"decision": ["The nomination is no longer in review; its decision stays aside."]})
        if decision.released_at is not None or nomination.cycle.announcement_released_at:
            raise ValidationError({"decision": ["The announcement has been released; decisions are final."]})
        _audit(nomination.cycle, AuditAction.DECISION_REOPENED, actor=actor, nomination=nomination,
               outcome=decision.outcome, reason=reason[:2000])
        decision.delete()


def list_audit(*, cycle_year: int, offset: int = 0, limit: int = 50) -> Page:
    """One page of the cycle's audit log, newest first."""
    cycle = get_cycle(cycle_year)
    entries = AuditEntry.objects.filter(cycle=cycle).select_related("actor")
    total = entries.count()
    return Page(items=tuple(
        {"created": e.created, "actor": e.actor.username if e.actor else None, "action": e.action,
         "nomination_id": e.nomination_id, "detail": e.detail}
        for e in entries[offset:offset + limit]
    ), total=total)
