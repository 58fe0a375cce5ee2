"""
Rules of incentive delivery (ADR 0020): every incentive of a term's track is owed to the term as a
deliverable, which program staff move along the flow of its kind (``DELIVERABLE_FLOW``) and whose
offers the member accepts or declines.

Badges are delivered by the issuance of the term's credential, physical awards by their shipment
(``Fulfilment``) reaching the member; everything else is recorded here by staff.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openedx_distinguished import parsing
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    DELIVERABLE_FLOW,
    DeliverableData,
    DeliverableStatus,
    DeliverySummaryData,
    FundingRequestData,
    IncentiveKind,
    Page,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Credential, Deliverable, Incentive, MembershipTerm
from openedx_distinguished.program import is_program_staff
from openedx_distinguished.terms import held_by, holder_user_ids

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

_CURRENT = [status.value for status in CURRENT_TERM_STATUSES]


def deliverable_data(deliverable: Deliverable, *, for_staff: bool,
                     funding: FundingRequestData | None = None) -> DeliverableData:
    """
    The plain values of a deliverable (loaded with its incentive, and its owner for staff), with its
    funding request's (``funding``) when it has one.
    """
    staff: dict[str, Any] = {}
    if for_staff:
        staff = {"cost": str(deliverable.cost) if deliverable.cost is not None else None,
                 "currency": deliverable.currency, "notes": deliverable.notes,
                 "owner_username": deliverable.owner.username if deliverable.owner is not None else None}
    return DeliverableData(
        id=deliverable.pk, term_id=deliverable.term_id, incentive_slug=deliverable.incentive.slug,
        incentive_name=deliverable.incentive.name, kind=IncentiveKind(deliverable.incentive.kind),
        status=DeliverableStatus(deliverable.status), due_on=deliverable.due_on,
        answered_at=deliverable.answered_at, funding=funding, **staff)


def ensure_deliverables(*terms: MembershipTerm) -> int:
    """
    A planned deliverable for each incentive of each term's track (once per term and incentive: the
    constraint), the badge ones delivered at once when the term already has its credential.
    Returns how many were added.
    """
    if not terms:
        return 0
    by_track: dict = {}
    for incentive in Incentive.objects.filter(track_id__in={term.track_id for term in terms}):
        by_track.setdefault(incentive.track_id, []).append(incentive)
    existing = set(Deliverable.objects.filter(term_id__in=[term.pk for term in terms])
                   .values_list("term_id", "incentive_id"))
    missing = [Deliverable(term=term, incentive=incentive) for term in terms
               for incentive in by_track.get(term.track_id, ()) if (term.pk, incentive.pk) not in existing]
    Deliverable.objects.bulk_create(missing, ignore_conflicts=True)
    badges_delivered(*Credential.objects.filter(term_id__in=[term.pk for term in terms])
                     .values_list("term_id", flat=True).distinct())
    return len(missing)


def ensure_current_deliverables() -> int:
    """
    What the scheduled jobs run: deliverables for every current term (terms started before this
    table existed, or incentives staff added to a track since). Returns how many were added.
    """
    terms = list(MembershipTerm.objects.filter(status__in=_CURRENT).only("pk", "track_id").order_by("pk"))
    added = 0
    for start in range(0, len(terms), 500):
        added += ensure_deliverables(*terms[start:start + 500])
    return added


def badges_delivered(*term_ids: int) -> None:
    """The badge incentives (digital only) of terms whose credential is issued: delivered."""
    if term_ids:
        Deliverable.objects.filter(
            term_id__in=term_ids, incentive__kind=IncentiveKind.BADGE.value, incentive__is_physical=False,
            status=DeliverableStatus.PLANNED.value,
        ).update(status=DeliverableStatus.DELIVERED.value, modified=timezone.now())


def award_delivered(*, term_id: int, incentive_id: int) -> None:
    """A physical award reached its member: its deliverable is delivered."""
    Deliverable.objects.filter(term_id=term_id, incentive_id=incentive_id).exclude(
        status=DeliverableStatus.DELIVERED.value).update(status=DeliverableStatus.DELIVERED.value,
                                                         modified=timezone.now())


def _rows() -> QuerySet[Deliverable]:
    return Deliverable.objects.select_related("incentive", "owner")


def list_deliverables(*, holder: User | AnonymousUser | None) -> list[DeliverableData]:
    """The deliverables of ``holder``'s current terms (their own and their organizations'), without staff fields."""
    rows = _rows().filter(held_by(holder, "term__"), term__status__in=_CURRENT).distinct() \
        .order_by("term_id", "incentive__sort_order", "incentive_id")
    return [deliverable_data(row, for_staff=False) for row in rows]


def list_all_deliverables(*, cycle_year: int | None = None, track: str | None = None, kind: str | None = None,
                          status: str | None = None, owner: str | None = None, overdue: bool = False,
                          today: date | None = None, offset: int = 0, limit: int = 50) -> Page:
    """
    One page of every deliverable (program staff), filtered as the board filters them.

    Raises:
        ValidationError: an unknown kind or status.
    """
    errors = {}
    for field, value, enum in (("kind", kind, IncentiveKind), ("status", status, DeliverableStatus)):
        if value and value not in {member.value for member in enum}:
            errors[field] = [_("Choose one of {choices}.").format(choices=", ".join(m.value for m in enum))]
    if errors:
        raise ValidationError(errors)
    rows = _rows().order_by("due_on", "id")
    if cycle_year is not None:
        rows = rows.filter(term__cycle__year=cycle_year)
    if track:
        rows = rows.filter(incentive__track__slug=track)
    if kind:
        rows = rows.filter(incentive__kind=kind)
    if status:
        rows = rows.filter(status=status)
    if owner:
        rows = rows.filter(owner__username=owner)
    if overdue:
        rows = rows.filter(overdue_filter(today=today))
    total = rows.count()
    return Page(items=tuple(deliverable_data(row, for_staff=True) for row in rows[offset:offset + limit]),
                total=total)


PHYSICAL_COST = gettext_lazy(
    "Record the cost of a physical award on its shipment (the fulfilment), where the budget counts it.")

FUNDED_COST = gettext_lazy("The cost of funding is what was approved or paid on its request.")

# Nothing more to do for these.
SETTLED = frozenset({DeliverableStatus.DELIVERED, DeliverableStatus.DECLINED, DeliverableStatus.CANCELLED})


def overdue_filter(*, today: date | None = None) -> Q:
    """Deliverables past their due date and not settled."""
    return Q(due_on__lt=today or timezone.localdate()) & ~Q(status__in=[status.value for status in SETTLED])


def is_overdue(*, deliverable: Deliverable, today: date | None = None) -> bool:
    """Whether a deliverable row is past its due date and not settled (what ``overdue_filter`` selects)."""
    due = deliverable.due_on
    return due is not None and due < (today or timezone.localdate()) and \
        DeliverableStatus(deliverable.status) not in SETTLED


def delivery_summary(*, cycle_year: int) -> list[DeliverySummaryData]:
    """
    Per track, how the incentives owed to the terms the cycle of ``cycle_year`` started are
    delivered: owed, delivered, declined, cancelled and overdue counts, in one query.
    """
    today = timezone.localdate()
    rows = Deliverable.objects.filter(term__cycle__year=cycle_year).values(
        "incentive__track__slug", "incentive__track__name", "incentive__track__sort_order").annotate(
        owed=Count("id"),
        delivered=Count("id", filter=Q(status=DeliverableStatus.DELIVERED.value)),
        declined=Count("id", filter=Q(status=DeliverableStatus.DECLINED.value)),
        cancelled=Count("id", filter=Q(status=DeliverableStatus.CANCELLED.value)),
        overdue=Count("id", filter=overdue_filter(today=today)),
    ).order_by("incentive__track__sort_order", "incentive__track__slug")
    return [DeliverySummaryData(track_slug=row["incentive__track__slug"], track_name=row["incentive__track__name"],
                                owed=row["owed"], delivered=row["delivered"], declined=row["declined"],
                                cancelled=row["cancelled"], overdue=row["overdue"]) for row in rows]


def deliverable_holder_ids(*, deliverable_id: int) -> set[int]:
    """The users who may answer a deliverable's offer: the holder, or the holding organization's contacts."""
    deliverable = Deliverable.objects.select_related("term__holder_organization").filter(pk=deliverable_id).first()
    return set() if deliverable is None else holder_user_ids(deliverable.term)


def _locked(deliverable_id: int) -> Deliverable:
    """The deliverable row, locked for the rest of the transaction; NotFound if there is none."""
    deliverable = Deliverable.objects.select_for_update().select_related("incentive", "owner", "term") \
        .filter(pk=deliverable_id).first()
    if deliverable is None:
        raise NotFound({"deliverable": ["Not found."]})
    return deliverable


def _status(value: str | DeliverableStatus, field: str = "status") -> DeliverableStatus:
    try:
        return DeliverableStatus(value)
    except ValueError:
        raise ValidationError({field: [_("Choose one of {choices}.").format(
            choices=", ".join(s.value for s in DeliverableStatus))]}) from None


def allowed_next(*, kind: str | IncentiveKind, status: str | DeliverableStatus) -> frozenset:
    """The statuses staff may move a deliverable of ``kind`` to from ``status``."""
    return DELIVERABLE_FLOW[IncentiveKind(kind)].get(DeliverableStatus(status), frozenset())


def checked_changes(*, deliverable: Deliverable | None = None, owner: Any = ..., due_on: str | date | None = None,
                    cost: str | Decimal | None = None, currency: str | None = None,
                    notes: str | None = None) -> dict[str, Any]:
    """
    The staff fields of an update of ``deliverable``, checked (every refused field at once) and
    normalised; ``None`` (``...`` for the owner) leaves a field out. A physical award's cost is its
    shipment's, and funded work's is its request's: neither takes a cost typed here.

    Raises:
        ValidationError: an owner who is not program staff, a bad field, or such a cost.
    """
    errors, values = {}, {}
    if owner is not ...:
        if owner is not None and not is_program_staff(user=owner):
            errors["owner"] = [_("Choose a member of the program staff.")]
        values["owner"] = owner
    readers = (("due_on", due_on, lambda value: None if value == "" else parsing.day(value, field="due_on")),
               ("cost", cost, lambda value: None if value == "" else parsing.money(value, field="cost")),
               ("currency", currency, lambda value: parsing.currency(value, field="currency")),
               ("notes", notes, lambda value: parsing.text(value, field="notes", most=5000, lines=True)))
    for field, value, read in readers:
        if value is None:
            continue
        try:
            values[field] = read(value)
        except ValidationError as exc:
            errors.update(exc.errors)
    if deliverable is not None and "cost" in values and values["cost"] != deliverable.cost:
        if deliverable.incentive.is_physical:
            errors["cost"] = [str(PHYSICAL_COST)]
        elif Deliverable.objects.filter(pk=deliverable.pk, funding_request__isnull=False).exists():
            errors["cost"] = [str(FUNDED_COST)]
    if errors:
        raise ValidationError(errors)
    return values


def update_deliverable(*, deliverable_id: int, actor: User | None, status: str | None = None, owner: Any = ...,
                       due_on: str | date | None = None, cost: str | Decimal | None = None,
                       currency: str | None = None, notes: str | None = None) -> DeliverableData:
    """
    Program staff move a deliverable along its kind's flow and record its owner, due date, cost and
    notes (``None`` leaves a field as it is; ``owner=None`` clears the owner).

    Raises:
        ValidationError: an unknown status, an owner who is not program staff, or a bad field.
        InvalidTransition: a move its kind's flow does not allow (an offer the member has not
        answered cannot be marked accepted by staff).
        NotFound: no such deliverable.
    """
    target = _status(status) if status is not None else None
    with transaction.atomic():
        deliverable = _locked(deliverable_id)
        values = checked_changes(deliverable=deliverable, owner=owner, due_on=due_on, cost=cost, currency=currency,
                                 notes=notes)
        if target is not None and target.value != deliverable.status:
            if target not in allowed_next(kind=deliverable.incentive.kind, status=deliverable.status):
                raise InvalidTransition({"status": [_("A {kind} incentive cannot go from {old} to {new}.").format(
                    kind=deliverable.incentive.kind, old=deliverable.status, new=target.value)]})
            deliverable.status = target.value
            if target == DeliverableStatus.OFFERED:
                deliverable.answered_at = None
        for name, value in values.items():
            setattr(deliverable, name, value)
        deliverable.updated_by = actor if actor is not None and actor.is_authenticated else None
        deliverable.save()
    return deliverable_data(deliverable, for_staff=True)


def answer_offer(*, deliverable_id: int, user: User | AnonymousUser | None, accept: bool) -> DeliverableData:
    """
    The member (or a contact of the member organization) accepts or declines an offer.

    Raises:
        NotFound: no such deliverable, or not theirs. InvalidTransition: not an open offer (not
        offered yet, already answered, cancelled) or the term is no longer current.
    """
    answer = DeliverableStatus.ACCEPTED if accept else DeliverableStatus.DECLINED
    with transaction.atomic():
        deliverable = _locked(deliverable_id)
        if user is None or not user.is_authenticated \
                or user.pk not in deliverable_holder_ids(deliverable_id=deliverable_id):
            raise NotFound({"deliverable": ["Not found."]})
        if deliverable.status != DeliverableStatus.OFFERED.value or deliverable.term.status not in _CURRENT:
            raise InvalidTransition({"deliverable": [_("This offer is no longer open.")]})
        deliverable.status = answer.value
        deliverable.answered_at = timezone.now()
        deliverable.updated_by = user
        deliverable.save(update_fields=["status", "answered_at", "updated_by", "modified"])
    return deliverable_data(deliverable, for_staff=False)
