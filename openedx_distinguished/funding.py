"""
Rules of project funding (ADR 0020): a member owed a funding incentive requests support for a
project (what, why, how much); program staff approve an amount or decline; payments are recorded
until the approved amount is paid. The deliverable follows: accepted with the request, cancelled
with a refusal, delivered once paid; its cost is the approved amount (or what was paid, if more), so
that the budget counts it on the funding line.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from openedx_distinguished import parsing
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    DeliverableStatus,
    FundingRequestData,
    FundingStatus,
    IncentiveKind,
    PaymentValues,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.incentives import deliverable_holder_ids
from openedx_distinguished.models import Deliverable, FundingPayment, FundingRequest

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

_CURRENT = {status.value for status in CURRENT_TERM_STATUSES}
# A member may ask while the incentive is planned or offered to them (the request is their yes).
_OPEN = {DeliverableStatus.PLANNED.value, DeliverableStatus.OFFERED.value}


def funding_data(*, request: FundingRequest, paid: Decimal | None = None) -> FundingRequestData:
    """The plain values of a funding request; ``paid`` its payments' total when already known."""
    if paid is None:
        paid = request.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    return FundingRequestData(
        id=request.pk, deliverable_id=request.deliverable_id, project=request.project,
        description=request.description, reasons=request.reasons, amount_requested=request.amount_requested,
        currency=request.currency, status=FundingStatus(request.status), amount_approved=request.amount_approved,
        amount_paid=paid, decision_note=request.decision_note, created=request.created)


def funding_by_deliverable(deliverable_ids: Iterable[int]) -> dict[int, FundingRequestData]:
    """The funding requests of these deliverables with their paid totals, by deliverable id, in two queries."""
    requests = list(FundingRequest.objects.filter(deliverable_id__in=list(deliverable_ids)))
    paid = dict(FundingPayment.objects.filter(funding_request__in=requests).values_list("funding_request_id")
                .annotate(total=Sum("amount")).order_by())
    return {request.deliverable_id: funding_data(request=request, paid=paid.get(request.pk, Decimal(0)))
            for request in requests}


def request_funding(*, deliverable_id: int, user: User | AnonymousUser | None, project: str, description: str,
                    reasons: str, amount: str | Decimal, currency: str) -> FundingRequestData:
    """
    The member (or a contact of the member organization) asks for support of a project on a funding
    incentive owed to a current term of theirs.

    Raises:
        NotFound: no such incentive, or not theirs. ValidationError: a field missing or wrong (every
        one at once), or not a funding incentive. InvalidTransition: already requested, or the
        incentive is no longer open (cancelled, delivered) or the term not current.
    """
    errors: dict[str, list] = {}
    values: dict[str, Any] = {}
    for field, read in (
            ("project", lambda: parsing.text(project, field="project", most=200)),
            ("description", lambda: parsing.text(description, field="description", most=5000, lines=True)),
            ("reasons", lambda: parsing.text(reasons, field="reasons", most=5000, lines=True)),
            ("amount", lambda: parsing.money(amount, field="amount", positive=True)),
            ("currency", lambda: parsing.currency(currency, field="currency"))):
        try:
            values[field] = read()
        except ValidationError as exc:
            errors.update(exc.errors)
            continue
        if values[field] == "":
            errors[field] = [_("This field is required.")]
    with transaction.atomic():
        deliverable = Deliverable.objects.select_for_update().select_related("incentive", "term").filter(
            pk=deliverable_id).first()
        if deliverable is None or user is None or not user.is_authenticated or \
                user.pk not in deliverable_holder_ids(deliverable_id=deliverable_id):
            raise NotFound({"deliverable": ["Not found."]})
        if deliverable.incentive.kind != IncentiveKind.FUNDING.value:
            raise ValidationError({"deliverable": [_("Funding can be requested on a funding incentive only.")]})
        if errors:
            raise ValidationError(errors)
        if FundingRequest.objects.filter(deliverable=deliverable).exists():
            raise InvalidTransition({"deliverable": [_("You have already requested funding for this.")]})
        if deliverable.status not in _OPEN or deliverable.term.status not in _CURRENT:
            raise InvalidTransition({"deliverable": [_("This funding is no longer open to requests.")]})
        request = FundingRequest.objects.create(
            deliverable=deliverable, project=values["project"], description=values["description"],
            reasons=values["reasons"], amount_requested=values["amount"], currency=values["currency"],
            requested_by=user)
        deliverable.status, deliverable.answered_at = DeliverableStatus.ACCEPTED.value, timezone.now()
        deliverable.updated_by = user
        deliverable.save(update_fields=["status", "answered_at", "updated_by", "modified"])
    return funding_data(request=request, paid=Decimal(0))


def _locked(request_id: int) -> FundingRequest:
    request = FundingRequest.objects.select_for_update().select_related("deliverable").filter(pk=request_id).first()
    if request is None:
        raise NotFound({"funding_request": ["Not found."]})
    return request


def _settle_cost(request: FundingRequest, paid: Decimal) -> list[str]:
    """The deliverable's cost: what was approved, or what was paid if more; in the request's currency."""
    deliverable = request.deliverable
    deliverable.cost = max(request.amount_approved or Decimal(0), paid)
    deliverable.currency = request.currency
    return ["cost", "currency"]


def approved_amount(*, request: FundingRequest, amount: str | Decimal | None) -> Decimal:
    """
    What approving ``request`` with ``amount`` grants: the whole request when ``amount`` is empty.

    Raises:
        ValidationError: not an amount above zero, or more than was requested.
    """
    if amount in (None, ""):
        return request.amount_requested
    approved = parsing.money(amount, field="amount", positive=True)
    if approved > request.amount_requested:
        raise ValidationError({"amount": [_("Approve at most the {amount} {currency} requested.").format(
            amount=request.amount_requested, currency=request.currency)]})
    return approved


def payment_values(*, request: FundingRequest, amount: str | Decimal, paid_on: str | date,
                   reference: str) -> PaymentValues:
    """
    A payment on ``request`` checked (every field at once) against what is left to pay.

    Raises:
        ValidationError: a bad amount, date or reference, or more than is left to pay.
    """
    errors: dict[str, list] = {}
    values: dict[str, Any] = {}
    for field, read in (("amount", lambda: parsing.money(amount, field="amount", positive=True)),
                        ("paid_on", lambda: parsing.day(paid_on, field="paid_on")),
                        ("reference", lambda: parsing.text(reference, field="reference", most=100))):
        try:
            values[field] = read()
        except ValidationError as exc:
            errors.update(exc.errors)
    if "amount" in values and request.amount_approved is not None:
        left = request.amount_approved - (request.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0))
        if values["amount"] > left:
            errors["amount"] = [_("Only {left} {currency} is left to pay.").format(
                left=left, currency=request.currency)]
    if errors:
        raise ValidationError(errors)
    return PaymentValues(amount=values["amount"], paid_on=values["paid_on"], reference=values["reference"])


def decide_funding(*, request_id: int, actor: User | None, approve: bool, amount: str | Decimal | None = None,
                   note: str = "") -> FundingRequestData:
    """
    Program staff approve an amount (at most what was requested; the whole request when ``amount``
    is empty) or decline, with a note for the member.

    Raises:
        ValidationError: a bad amount or note. InvalidTransition: already decided. NotFound.
    """
    note = parsing.text(note, field="note", most=2000, lines=True)
    with transaction.atomic():
        request = _locked(request_id)
        if request.status != FundingStatus.REQUESTED.value:
            raise InvalidTransition({"funding_request": [_("This request is decided already.")]})
        deliverable = request.deliverable
        fields = ["status"]
        if approve:
            request.status = FundingStatus.APPROVED.value
            request.amount_approved = approved_amount(request=request, amount=amount)
            fields += _settle_cost(request, Decimal(0))
        else:
            request.status = FundingStatus.DECLINED.value
            deliverable.status = DeliverableStatus.CANCELLED.value
        request.decision_note, request.decided_at, request.decided_by = note, timezone.now(), actor
        request.save(update_fields=["status", "amount_approved", "decision_note", "decided_at", "decided_by",
                                    "modified"])
        deliverable.updated_by = actor
        deliverable.save(update_fields=[*fields, "updated_by", "modified"])
    return funding_data(request=request)


def record_payment(*, request_id: int, actor: User | None, amount: str | Decimal, paid_on: str | date,
                   reference: str = "") -> FundingRequestData:
    """
    Program staff record a payment on an approved request. Once the approved amount is paid the
    request is paid and its incentive delivered.

    Raises:
        ValidationError: a bad amount, date or reference, or more than is left to pay.
        InvalidTransition: the request is not approved (or already paid). NotFound.
    """
    with transaction.atomic():
        request = _locked(request_id)
        if request.status != FundingStatus.APPROVED.value:
            raise InvalidTransition({"funding_request": [_("Payments are recorded on approved requests only.")]})
        values = payment_values(request=request, amount=amount, paid_on=paid_on, reference=reference)
        paid = request.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        FundingPayment.objects.create(funding_request=request, amount=values.amount, paid_on=values.paid_on,
                                      reference=values.reference, recorded_by=actor)
        paid += values.amount
        deliverable = request.deliverable
        fields = _settle_cost(request, paid)
        if paid == request.amount_approved:
            request.status = FundingStatus.PAID.value
            request.save(update_fields=["status", "modified"])
            deliverable.status = DeliverableStatus.DELIVERED.value
            fields.append("status")
        deliverable.updated_by = actor
        deliverable.save(update_fields=[*fields, "updated_by", "modified"])
    return funding_data(request=request, paid=paid)
