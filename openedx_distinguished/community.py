"""
Rules of the community members grow: their initiatives, and the people and partners they bring in.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from openedx_distinguished import parsing, platform
from openedx_distinguished.data import InitiativeData, InitiativeStatus, Page
from openedx_distinguished.exceptions import NotFound, ValidationError
from openedx_distinguished.membership import is_member
from openedx_distinguished.models import Initiative, Onboarding, PartnerOrganization, ReferralCode
from openedx_distinguished.program import get_program

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import User  # pylint: disable=imported-auth-user

_http_url = URLValidator(schemes=["http", "https"])


def initiative_data(initiative: Initiative, *, visible: Callable[[User], bool] | None = None) -> InitiativeData:
    """The plain record of an initiative (prefetch its leads); ``visible`` keeps only the leads it accepts."""
    return InitiativeData(
        id=initiative.pk, title=initiative.title, link=initiative.link, description=initiative.description,
        status=InitiativeStatus(initiative.status), year=initiative.year,
        leads=tuple(sorted(user.username for user in initiative.leads.all() if visible is None or visible(user))),
    )


def save_initiative(*, initiative_id: int | None = None, title: str, year: int,
                    status: str = InitiativeStatus.PROPOSED.value, link: str = "", description: str = "",
                    lead_usernames: Iterable[str] = ()) -> InitiativeData:
    """
    Create or update a community initiative.

    Raises:
        ValidationError: a field is invalid or a lead is unknown.
    """
    errors: dict[str, list[str]] = {}
    title = title.strip() if isinstance(title, str) else ""
    if not title or len(title) > 255 or parsing.has_hidden_characters(title):
        errors["title"] = ["Give a title of at most 255 characters (no control or text-direction characters)."]
    chosen = InitiativeStatus.PROPOSED
    try:
        chosen = InitiativeStatus(status)
    except ValueError:
        errors["status"] = [f"Choose one of {', '.join(s.value for s in InitiativeStatus)}."]
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = ["Give a year between 2000 and 2100."]
    if link:
        try:
            if not isinstance(link, str) or parsing.has_hidden_characters(link):
                raise ValueError
            _http_url(link)
        except Exception:  # pylint: disable=broad-except
            errors["link"] = ["Give an http or https URL."]
    try:
        description = parsing.text(description, field="description", most=5000, lines=True)
    except ValidationError as exc:
        errors.update(exc.errors)
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
            locked = Initiative.objects.select_for_update().filter(pk=initiative_id).first()
            if locked is None:
                raise NotFound({"initiative": ["Not found."]})
            initiative = locked
        initiative.title, initiative.year, initiative.status = title, year, chosen.value
        initiative.link, initiative.description = link, description
        initiative.save()
        initiative.leads.set(leads)
    return initiative_data(Initiative.objects.prefetch_related("leads").get(pk=initiative.pk))


def list_initiatives(*, year: int | None = None, offset: int = 0, limit: int = 50, public: bool = False) -> Page:
    """
    One page of initiatives, newest year first. ``public``: as anyone may see them, naming only the
    leads who chose to appear in public and whose profile is not private (ADR 0014).
    """
    leads = get_user_model().objects.all()
    if public:
        leads = leads.filter(is_active=True, distinguished_profile__listed=True).annotate(
            privacy=platform.privacy_of("pk"))
    initiatives = Initiative.objects.prefetch_related(Prefetch("leads", queryset=leads))
    if year is not None:
        initiatives = initiatives.filter(year=year)
    total = initiatives.count()

    def shown(user: User) -> bool:
        """A lead who appears in public (the query annotated their profile's privacy)."""
        return not platform.is_private(getattr(user, "privacy", None))

    page = [initiative_data(i, visible=shown if public else None) for i in initiatives[offset:offset + limit]]
    return Page(items=tuple(page), total=total)


def referral_code(*, user: User) -> str:
    """The member's referral code, created on first use.

    Raises:
        ValidationError: ``user`` is not a member.
    """
    if not is_member(user=user):
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


def is_referral_code(*, code: object) -> bool:
    """Whether ``code`` belongs to a member."""
    return ReferralCode.objects.filter(code=str(code)[:32]).exists()


def attribute_registration(*, user_id: int, code: object) -> bool:
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


def record_onboarded_organization(*, member_username: str, organization_slug: str | None = None,
                                  organization_name: str = "", year: int, actor: User | None) -> None:
    """
    Record (staff) that a member brought a partner organization into the community.

    Raises:
        ValidationError: unknown member or organization, or neither organization nor name given.
    """
    errors = {}
    member = get_user_model().objects.filter(username=member_username).first()
    if member is None or not is_member(user=member):
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
