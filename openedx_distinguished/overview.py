"""
What a person sees of their own membership, gathered from the rules that own each part.

Terms and the retention rule belong to ``membership``, activities to ``activities``, badges and
awards to ``credentials``, the public listing to ``presence`` and referral links to ``community``;
this module only reads them together, in a fixed number of queries whatever the rows.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q

from openedx_distinguished import platform
from openedx_distinguished.activities import activity_data
from openedx_distinguished.community import referral_code
from openedx_distinguished.credentials import list_credentials, url
from openedx_distinguished.data import (
    CURRENT_TERM_STATUSES,
    ActivityTypeChoice,
    FulfilmentStatus,
    IncentiveDeliveryData,
    ListingData,
    MembershipOverviewData,
    ReferralData,
    RetentionProgressData,
    TermStatus,
)
from openedx_distinguished.fulfilment import fulfilment_data
from openedx_distinguished.funding import funding_by_deliverable
from openedx_distinguished.incentives import deliverable_data
from openedx_distinguished.membership import retention_progress
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Deliverable,
    Fulfilment,
    MemberProfile,
    MembershipTerm,
    Onboarding,
    Program,
    Track,
)
from openedx_distinguished.nominations import nomination_window
from openedx_distinguished.program import get_program, incentive_data
from openedx_distinguished.terms import held_by, term_data

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import User  # pylint: disable=imported-auth-user

# How many of a person's activities the overview lists (the newest); the total is always given.
ACTIVITY_LIMIT = 200

_CURRENT = [status.value for status in CURRENT_TERM_STATUSES]


def _terms(user: User) -> list[MembershipTerm]:
    """The person's terms, current ones first, then the newest."""
    rows = list(MembershipTerm.objects.filter(held_by(user)).select_related(
        "holder_organization", "track", "cycle", *platform.with_profile("holder_user")).distinct()
        .order_by("-starts_at", "-id"))
    rows.sort(key=lambda term: term.status not in _CURRENT)  # stable: keeps the newest first within each group
    return rows


def _progress(terms: Sequence[MembershipTerm]) -> tuple[tuple[RetentionProgressData, ...], set[str]]:
    """Renewal progress of the current terms that can end (not lifetime), as the annual evaluation counts."""
    renewable = [term for term in terms if term.status in (TermStatus.ACTIVE.value, TermStatus.RENEWAL_DUE.value)]
    if not renewable:
        return (), set()
    counted = retention_progress([term.pk for term in renewable])
    slugs = {slug for values in counted.values() for slug in values["types"]}
    names = dict(ActivityType.objects.filter(slug__in=slugs).values_list("slug", "name")) if slugs else {}
    progress = tuple(
        RetentionProgressData(
            term_id=term.pk, needed=counted[term.pk]["needed"], verified=counted[term.pk]["verified"],
            pending=counted[term.pk]["pending"],
            activity_types=tuple(names.get(slug, slug) for slug in counted[term.pk]["types"]),
            deadline=term.ends_at,
        )
        for term in renewable if term.pk in counted
    )
    return progress, slugs


def _activity_types(counting_slugs: set[str], program: Program) -> tuple[ActivityTypeChoice, ...]:
    """Every kind of activity, those that count towards the person's renewal first."""
    if not counting_slugs:
        counting_slugs = set(program.retention_activity_types or ())
    types = ActivityType.objects.filter(program=program).order_by("name")
    choices = [ActivityTypeChoice(slug=t.slug, name=t.name, counts=t.slug in counting_slugs) for t in types]
    return tuple(sorted(choices, key=lambda choice: not choice.counts))


def _incentives(terms: Sequence[MembershipTerm]) -> tuple[IncentiveDeliveryData, ...]:
    """
    The incentives of each current term's track, with where their delivery stands and the
    fulfilment of the physical ones.
    """
    current = [term for term in terms if term.status in _CURRENT]
    if not current:
        return ()
    tracks = {track.pk: track for track in Track.objects.filter(pk__in={t.track_id for t in current})
              .prefetch_related("incentives")}
    fulfilments = {(f.term_id, f.incentive_id): f for f in Fulfilment.objects.select_related("incentive")
                   .filter(term_id__in=[t.pk for t in current])}
    deliverables = {(d.term_id, d.incentive_id): d for d in Deliverable.objects.select_related("incentive")
                    .filter(term_id__in=[t.pk for t in current])}
    requests = funding_by_deliverable(d.pk for d in deliverables.values() if d.incentive.kind == "funding")
    deliveries = []
    for term in current:
        for incentive in tracks[term.track_id].incentives.all():
            fulfilment = fulfilments.get((term.pk, incentive.pk))
            deliverable = deliverables.get((term.pk, incentive.pk))
            funding = requests.get(deliverable.pk) if deliverable else None
            deliveries.append(IncentiveDeliveryData(
                term_id=term.pk, incentive=incentive_data(incentive),
                fulfilment=fulfilment_data(fulfilment, with_address=True) if fulfilment else None,
                fulfilment_status=FulfilmentStatus(fulfilment.status) if fulfilment else None,
                deliverable=deliverable_data(deliverable, for_staff=False, funding=funding) if deliverable else None))
    return tuple(deliveries)


def _listing(user: User) -> ListingData:
    """Whether ``user`` chose to appear in public, and their member page."""
    profile = MemberProfile.objects.filter(user=user).values("listed", "slug").first()
    if profile is None:
        return ListingData(listed=False, slug=None, url=None)
    return ListingData(listed=profile["listed"], slug=profile["slug"], url=url(f"members/{profile['slug']}/"),
                       profile_private=profile["listed"] and platform.is_private(platform.saved_privacy(user.pk)))


def _referral(user: User) -> ReferralData:
    """The member's referral link, and the people and partners recorded as brought in through them."""
    code = referral_code(user=user)
    counts = Onboarding.objects.filter(member=user).aggregate(
        people=Count("pk", filter=Q(referred_user__isnull=False)),
        partners=Count("pk", filter=Q(referred_user__isnull=True)))
    return ReferralData(code=code, url=url(f"join/{code}/"), people=counts["people"], partners=counts["partners"])


def membership_overview(*, user: User, activity_limit: int = ACTIVITY_LIMIT) -> MembershipOverviewData:
    """
    Everything ``user`` sees of their own membership: their terms (and their organizations'),
    renewal progress against the retention rule, their activities (the newest ``activity_limit``)
    and the kinds they can report, their credentials, the incentives of their current terms with
    award fulfilment, their public listing and, for members, their referral link and what it brought.
    """
    terms = _terms(user)
    is_member = any(term.status in _CURRENT for term in terms)
    progress, counting_slugs = _progress(terms)
    activities = Activity.objects.select_related("user", "activity_type").filter(user=user)
    return MembershipOverviewData(
        is_member=is_member,
        terms=tuple(term_data(term) for term in terms),
        progress=progress,
        activities=tuple(activity_data(a) for a in activities[:activity_limit]),
        activity_total=activities.count(),
        activity_types=_activity_types(counting_slugs, get_program()),
        credentials=tuple(list_credentials(holder=user)),
        incentives=_incentives(terms),
        listing=_listing(user),
        referral=_referral(user) if is_member else None,
    )


def dashboard_card(*, user: User) -> dict[str, Any]:
    """
    What the learner dashboard's sidebar shows ``user`` (one small request per visit):

    * ``kind`` "member": their current terms (their own and their organizations'), each with its
      renewal progress against the retention rule (``None`` for lifetime terms), and the link to
      their membership page;
    * ``kind`` "call": while nominations are open and they are not a member, the open call: the
      cycle, when it closes, how many nominations they may still start, and the links to the form,
      to their nominations and to the program;
    * ``kind`` "none": nothing to show.
    """
    terms = list(MembershipTerm.objects.filter(held_by(user), status__in=_CURRENT)
                 .select_related("track").distinct().order_by("track__sort_order", "track_id", "-starts_at"))
    if terms:
        progress, _ = _progress(terms)
        by_term = {item.term_id: item for item in progress}
        return {"kind": "member", "membership_url": url("membership/"), "terms": [
            {"track": term.track.slug, "track_name": term.track.name, "status": term.status,
             "ends_at": term.ends_at,
             "renewal": {"needed": p.needed, "verified": p.verified, "pending": p.pending, "met": p.met}
             if (p := by_term.get(term.pk)) else None}
            for term in terms]}
    window = nomination_window(user=user)
    if window.is_open and window.cycle is not None:
        return {"kind": "call", "cycle_name": window.cycle.name, "closes_at": window.cycle.nominations_close_at,
                "remaining": window.remaining, "nominate_url": url("nominate/"),
                "nominations_url": url("nominations/"), "program_url": url("program/")}
    return {"kind": "none"}
