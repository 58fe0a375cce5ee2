"""
Rules of physical awards (the fulfilment of a track's physical incentives): a shipment is owed to
each term whose track has one, when its credential is issued; the holder gives the address (only
they and program staff see it); staff record its status, tracking number and cost, and the
incentive is delivered when the shipment arrives.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from openedx_distinguished import incentives, parsing
from openedx_distinguished.data import FulfilmentStatus, Page
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Fulfilment, Incentive, MembershipTerm
from openedx_distinguished.terms import held_by, holder_user_ids

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user


def fulfilment_data(fulfilment: Fulfilment, *, with_address: bool) -> dict[str, Any]:
    """The plain values of a fulfilment (loaded with its incentive); the address only when ``with_address``."""
    return {
        "id": fulfilment.pk, "term": fulfilment.term_id, "incentive": fulfilment.incentive.slug,
        "incentive_name": fulfilment.incentive.name, "status": fulfilment.status,
        "tracking_number": fulfilment.tracking_number,
        "cost": str(fulfilment.cost) if fulfilment.cost is not None else None, "currency": fulfilment.currency,
        "has_address": bool(fulfilment.shipping_address),
        **({"shipping_name": fulfilment.shipping_name, "shipping_address": fulfilment.shipping_address}
           if with_address else {}),
    }


def ensure_fulfilments(*terms: MembershipTerm) -> None:
    """A pending fulfilment for each physical incentive of each term's track (once per term: the constraint)."""
    physical: dict = {}
    for incentive in Incentive.objects.filter(track_id__in={term.track_id for term in terms}, is_physical=True):
        physical.setdefault(incentive.track_id, []).append(incentive)
    Fulfilment.objects.bulk_create([Fulfilment(term=term, incentive=incentive) for term in terms
                                    for incentive in physical.get(term.track_id, ())], ignore_conflicts=True)


def list_fulfilments(*, holder: User | AnonymousUser | None = None, status: str | None = None, offset: int = 0,
                     limit: int = 50, with_address: bool = False) -> Page:
    """One page of fulfilments (a holder's own, or all); addresses only when ``with_address``."""
    fulfilments = Fulfilment.objects.select_related("incentive").order_by("-modified", "-id")
    if holder is not None:
        fulfilments = fulfilments.filter(held_by(holder, "term__"))
    if status:
        fulfilments = fulfilments.filter(status=FulfilmentStatus(status).value)
    total = fulfilments.count()
    return Page(items=tuple(fulfilment_data(f, with_address=with_address) for f in fulfilments[offset:offset + limit]),
                total=total)


def fulfilment_holder_ids(*, fulfilment_id: int) -> set[int]:
    """The users who may give the shipping address of a fulfilment (the holder, or the organization's contacts)."""
    fulfilment = Fulfilment.objects.select_related("term__holder_organization").filter(pk=fulfilment_id).first()
    return set() if fulfilment is None else holder_user_ids(fulfilment.term)


def _locked_fulfilment(fulfilment_id: int) -> Fulfilment:
    """The fulfilment row, locked for the rest of the transaction; NotFound if there is none."""
    fulfilment = Fulfilment.objects.select_for_update().select_related("incentive").filter(pk=fulfilment_id).first()
    if fulfilment is None:
        raise NotFound({"fulfilment": ["Not found."]})
    return fulfilment


def set_shipping_address(*, fulfilment_id: int, name: str, address: str) -> dict[str, Any]:
    """
    Record where to ship a physical award (the holder, through an authenticated endpoint).

    Raises:
        ValidationError: missing name or address. InvalidTransition: already shipped.
    """
    errors = {}
    values = {}
    for field, value, most, lines, missing in (
            ("name", name, 200, False, _("Give the recipient's name (at most 200 characters).")),
            ("address", address, 1000, True, _("Give the full postal address (at most 1000 characters)."))):
        try:
            values[field] = parsing.text(value, field=field, most=most, lines=lines)
        except ValidationError as exc:
            errors.update(exc.errors)
            continue
        if not values[field]:
            errors[field] = [missing]
    if errors:
        raise ValidationError(errors)
    name, address = values["name"], values["address"]
    with transaction.atomic():
        fulfilment = _locked_fulfilment(fulfilment_id)
        if fulfilment.status != FulfilmentStatus.PENDING.value:
            raise InvalidTransition({"fulfilment": [_("Already {status}; contact the program staff.").format(
                status=fulfilment.status)]})
        fulfilment.shipping_name, fulfilment.shipping_address = name, address
        fulfilment.save(update_fields=["shipping_name", "shipping_address", "modified"])
    return fulfilment_data(fulfilment, with_address=True)


def update_fulfilment(*, fulfilment_id: int, actor: User | None, status: str | None = None,
                      tracking_number: str | None = None, cost: str | Decimal | None = None,
                      currency: str | None = None) -> dict[str, Any]:
    """
    Staff update a fulfilment: its status, tracking number and cost.

    Raises:
        ValidationError: unknown status, negative cost.
    """
    errors: dict[str, list] = {}
    chosen = None
    if status is not None:
        try:
            chosen = FulfilmentStatus(status)
        except ValueError:
            errors["status"] = [f"Choose one of {', '.join(s.value for s in FulfilmentStatus)}."]
    if cost is not None:
        try:
            cost = Decimal(str(cost))
            if cost < 0:
                raise ArithmeticError
        except (ArithmeticError, ValueError):
            errors["cost"] = ["Give a non-negative amount."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        fulfilment = _locked_fulfilment(fulfilment_id)
        if chosen is not None:
            fulfilment.status = chosen.value
            if chosen == FulfilmentStatus.DELIVERED:
                incentives.award_delivered(term_id=fulfilment.term_id, incentive_id=fulfilment.incentive_id)
        if tracking_number is not None:
            fulfilment.tracking_number = tracking_number.strip()[:100]
        if cost is not None:
            fulfilment.cost = cost
        if currency:
            fulfilment.currency = currency.strip().upper()[:3]
        fulfilment.updated_by = actor if actor and actor.is_authenticated else None
        fulfilment.save()
    return fulfilment_data(fulfilment, with_address=True)
