"""
Incentive delivery through api.py (ADR 0020): every incentive of a term's track owed as a
deliverable, each kind's flow, members' answers to offers, who sees what, and the jobs' catch-up.
"""
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import DeliverableStatus, IncentiveKind
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    Deliverable,
    Fulfilment,
    Incentive,
    MembershipTerm,
    Program,
    Track,
)

from .factories import UserFactory
from .membership_fixtures import add_term, credentialed_member, make_term

pytestmark = pytest.mark.django_db


def owed(term, slug):
    """The deliverable of ``term`` for the incentive ``slug``."""
    return Deliverable.objects.get(term=term, incentive__slug=slug)


def state():
    """Everything a refused call must leave untouched."""
    return sorted(Deliverable.objects.values_list("pk", "status", "owner_id", "due_on", "cost", "currency", "notes",
                                                  "answered_at"))


@pytest.fixture
def member(cycle, users, panels, settings):
    """Margaret, accepted and released: a Distinguished Engineer with a credential."""
    return credentialed_member(users, panels, settings)


@pytest.fixture
def term(member):
    return MembershipTerm.objects.get(holder_user=member)


def test_a_released_term_owes_every_incentive_of_its_track(term):
    slugs = set(Incentive.objects.filter(track=term.track).values_list("slug", flat=True))
    assert set(Deliverable.objects.filter(term=term).values_list("incentive__slug", flat=True)) == slugs
    statuses = {d.incentive.slug: d.status for d in Deliverable.objects.filter(term=term).select_related("incentive")}
    # The physical badge waits for its shipment; everything else is planned.
    assert statuses == {"conference-recognition": "planned", "lead-sessions": "planned",
                        "engineer-badge": "planned", "architecture-discussions": "planned"}
    # The jobs find nothing more to add.
    assert api.ensure_current_deliverables() == 0


def test_a_digital_badge_is_delivered_by_the_credential(cycle, users, panels, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    person = UserFactory(username="advocate")
    term = add_term(person, "advocate", cycle, "active")
    api.ensure_current_deliverables()
    assert owed(term, "advocate-badge").status == "planned"
    api.issue_credential(term_id=term.pk)
    assert owed(term, "advocate-badge").status == "delivered"
    assert owed(term, "channel-recognition").status == "planned"


def test_a_physical_award_is_delivered_when_its_shipment_arrives(term, users):
    fulfilment = Fulfilment.objects.get(term=term)
    api.update_fulfilment(fulfilment_id=fulfilment.pk, actor=users["staff"], status="shipped")
    assert owed(term, "engineer-badge").status == "planned"
    api.update_fulfilment(fulfilment_id=fulfilment.pk, actor=users["staff"], status="delivered")
    assert owed(term, "engineer-badge").status == "delivered"


def test_a_renewed_term_owes_its_incentives_again(cycle, users):
    track = Track.objects.get(slug="engineer")
    person = UserFactory(username="renewing")
    first = make_term(person, track, cycle, starts_days_ago=360)
    kind = ActivityType.objects.get(slug=Program.objects.get().retention_activity_types[0])
    for number in range(Program.objects.get().retention_min_activities):
        Activity.objects.create(user=person, activity_type=kind, title=f"Talk {number}", source="imported",
                                occurred_on=timezone.now().date() - timedelta(days=30), status="verified")
    api.evaluate_terms(cycle_year=cycle.year)
    api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"], now=first.ends_at + timedelta(hours=1))
    following = MembershipTerm.objects.get(previous=first)
    assert Deliverable.objects.filter(term=following).count() == Incentive.objects.filter(track=track).count()


def test_the_jobs_add_what_current_terms_lack_and_only_for_current_terms(cycle, users):
    active = add_term(UserFactory(username="active"), "innovator", cycle, "active")
    lapsed = add_term(UserFactory(username="lapsed"), "innovator", cycle, "lapsed")
    count = Incentive.objects.filter(track__slug="innovator").count()
    assert api.ensure_current_deliverables() == count
    assert Deliverable.objects.filter(term=lapsed).count() == 0
    # An incentive staff add to the track later is owed to current members by the next run.
    Incentive.objects.create(track=active.track, slug="mentoring", name="Mentoring", kind="opportunity")
    report = api.run_due_jobs()
    assert "incentives: 1 deliverable(s) added" in report
    assert owed(active, "mentoring").status == "planned"


@pytest.mark.parametrize("slug, path", [
    # Given: planned, then delivered.
    ("conference-recognition", ["delivered"]),
    # Offered, accepted by the member, then delivered.
    ("lead-sessions", ["offered", "*accept", "delivered"]),
    ("architecture-discussions", ["offered", "*decline"]),
    # Cancelled, and planned again.
    ("conference-recognition", ["cancelled", "planned", "delivered"]),
    # An offer withdrawn before its answer, then offered again.
    ("lead-sessions", ["offered", "planned", "offered", "*accept", "cancelled"]),
])
def test_each_kind_moves_along_its_flow(term, member, users, slug, path):
    deliverable = owed(term, slug)
    for step in path:
        if step.startswith("*"):
            answered = api.answer_offer(deliverable_id=deliverable.pk, user=member, accept=step == "*accept")
            assert answered.status == ("accepted" if step == "*accept" else "declined")
            assert answered.answered_at is not None and answered.notes is None  # no staff fields for the member
        else:
            moved = api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status=step)
            assert moved.status == step
    deliverable.refresh_from_db()
    assert deliverable.updated_by_id in (users["staff"].pk, member.pk)


@pytest.mark.parametrize("slug, moves, refused", [
    ("conference-recognition", [], "offered"),          # recognition is given, not offered
    ("conference-recognition", ["delivered"], "planned"),  # delivered is final
    ("lead-sessions", [], "delivered"),                 # an opportunity is offered and accepted first
    ("lead-sessions", ["offered"], "accepted"),         # only the member accepts
    ("lead-sessions", ["offered"], "declined"),         # ... or declines
])
def test_staff_cannot_skip_or_answer_for_the_member(term, users, slug, moves, refused):
    deliverable = owed(term, slug)
    for move in moves:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status=move)
    before = state()
    with pytest.raises(InvalidTransition) as caught:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status=refused, notes="Tried.")
    assert "status" in caught.value.errors
    assert state() == before


def test_staff_record_owner_due_date_cost_and_notes(term, users):
    deliverable = owed(term, "lead-sessions")
    done = api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], owner=users["staff"],
                                  due_on="2027-05-01", cost="1250.5", currency="eur", notes="Keynote slot.\nDay 2.")
    assert (done.owner_username, done.due_on, done.cost, done.currency, done.notes) == (
        "staff", date(2027, 5, 1), "1250.50", "EUR", "Keynote slot.\nDay 2.")
    cleared = api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], owner=None, due_on="",
                                     cost="")
    assert (cleared.owner_username, cleared.due_on, cleared.cost) == (None, None, None)


def test_bad_fields_are_refused_together_and_change_nothing(term, users):
    deliverable = owed(term, "lead-sessions")
    before = state()
    with pytest.raises(ValidationError) as caught:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="shipped",
                               due_on="next week", cost="-3", currency="euros", notes="x" * 5001)
    with pytest.raises(ValidationError) as fields:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], due_on="31/12/2027",
                               cost="NaN", currency="ÉÛR", notes="x" * 5001)
    assert set(caught.value.errors) == {"status"}
    assert set(fields.value.errors) == {"due_on", "cost", "currency", "notes"}
    with pytest.raises(NotFound):
        api.update_deliverable(deliverable_id=10 ** 9, actor=users["staff"], status="delivered")
    assert state() == before


@pytest.mark.parametrize("who", ["anonymous", "learner", "other member", "staff"])
def test_only_the_member_answers_their_offer(term, member, users, cycle, who):
    deliverable = owed(term, "lead-sessions")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered")
    other = UserFactory(username="other")
    add_term(other, "advocate", cycle, "active")
    person = {"anonymous": AnonymousUser(), "learner": users["learner"], "other member": other,
              "staff": users["staff"]}[who]
    before = state()
    with pytest.raises(NotFound):
        api.answer_offer(deliverable_id=deliverable.pk, user=person, accept=True)
    assert state() == before


def test_an_organizations_contacts_answer_its_offers(cycle, users, organization):
    term = add_term(organization, "advocate", cycle, "active")
    api.ensure_current_deliverables()
    deliverable = owed(term, "spotlight")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered")
    assert [d.incentive_slug for d in api.list_deliverables(holder=users["nominee"])
            if d.awaits_answer] == ["spotlight"]
    assert api.answer_offer(deliverable_id=deliverable.pk, user=users["nominee"], accept=True).status == "accepted"


@pytest.mark.parametrize("status", ["planned", "accepted", "declined", "cancelled"])
def test_only_an_open_offer_can_be_answered(term, member, users, status):
    deliverable = owed(term, "lead-sessions")
    flow = {"planned": [], "accepted": ["offered"], "declined": ["offered"], "cancelled": ["cancelled"]}[status]
    for move in flow:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status=move)
    if status in ("accepted", "declined"):
        api.answer_offer(deliverable_id=deliverable.pk, user=member, accept=status == "accepted")
    before = state()
    with pytest.raises(InvalidTransition):
        api.answer_offer(deliverable_id=deliverable.pk, user=member, accept=True)
    assert state() == before


def test_an_offer_to_a_term_no_longer_current_cannot_be_answered(term, member, users):
    deliverable = owed(term, "lead-sessions")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], status="offered")
    api.revoke_term(term_id=term.pk, actor=users["staff"], reason="Code of conduct breach.")
    with pytest.raises(InvalidTransition):
        api.answer_offer(deliverable_id=deliverable.pk, user=member, accept=True)


def test_members_see_their_own_without_staff_fields_and_staff_see_all(term, member, users, cycle):
    api.update_deliverable(deliverable_id=owed(term, "lead-sessions").pk, actor=users["staff"], notes="Private.",
                           cost="10")
    other = add_term(UserFactory(username="other"), "advocate", cycle, "active")
    api.ensure_current_deliverables()
    mine = api.list_deliverables(holder=member)
    assert {d.term_id for d in mine} == {term.pk}
    assert all(d.notes is None and d.cost is None and d.owner_username is None for d in mine)
    assert api.list_deliverables(holder=users["learner"]) == []
    board = api.list_all_deliverables(limit=100)
    assert {d.term_id for d in board.items} == {term.pk, other.pk}
    assert {d.notes for d in board.items if d.incentive_slug == "lead-sessions"} == {"Private."}


def test_the_board_filters(term, users, cycle):
    other = add_term(UserFactory(username="other"), "advocate", cycle, "active")
    api.ensure_current_deliverables()
    late = owed(term, "lead-sessions")
    api.update_deliverable(deliverable_id=late.pk, actor=users["staff"], owner=users["staff"], due_on="2020-01-01")
    api.update_deliverable(deliverable_id=owed(other, "advocate-badge").pk, actor=users["staff"], due_on="2020-01-01",
                           status="delivered")
    assert {d.incentive_slug for d in api.list_all_deliverables(track="advocate").items} == set(
        Incentive.objects.filter(track__slug="advocate").values_list("slug", flat=True))
    assert {d.kind for d in api.list_all_deliverables(kind="access").items} == {IncentiveKind.ACCESS}
    assert [d.id for d in api.list_all_deliverables(owner="staff").items] == [late.pk]
    # Overdue: past due and not settled; the delivered badge is not.
    assert [d.id for d in api.list_all_deliverables(overdue=True).items] == [late.pk]
    assert api.list_all_deliverables(status="delivered").total == 1
    assert api.list_all_deliverables(cycle_year=cycle.year + 5).total == 0


def test_retirement_erases_staff_notes_on_the_members_incentives(term, member, users):
    deliverable = owed(term, "lead-sessions")
    api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], notes="Margaret prefers day 2.")
    api.retire_user(user_id=member.pk)
    assert Deliverable.objects.get(pk=deliverable.pk).notes == ""
    assert api.list_deliverables(holder=member) == []


def test_the_flows_cover_every_kind():
    for kind in IncentiveKind:
        flow = api.allowed_next(kind=kind, status=DeliverableStatus.PLANNED)
        assert DeliverableStatus.CANCELLED in flow
        assert (DeliverableStatus.DELIVERED in flow) != (DeliverableStatus.OFFERED in flow)


# Costs and delivery in the program's figures ------------------------------------------------------

def test_incentive_costs_land_on_the_line_of_their_kind(term, users, cycle):
    api.start_cycle_budget(cycle_year=cycle.year)
    staff = users["staff"]
    for slug, cost, currency in (("conference-recognition", "1200", "USD"), ("lead-sessions", "300", "USD"),
                                 ("architecture-discussions", "80", "EUR")):
        api.update_deliverable(deliverable_id=owed(term, slug).pk, actor=staff, cost=cost, currency=currency)
    innovator = add_term(UserFactory(username="innovator"), "innovator", cycle, "active")
    api.ensure_current_deliverables()
    funding = Deliverable.objects.get(term=innovator, incentive__kind="funding")
    api.update_deliverable(deliverable_id=funding.pk, actor=staff, cost="2500")
    lines = {(line.deliverable, line.currency): line.actual for line in api.budget_report(cycle_year=cycle.year).lines}
    assert lines[("Recognition at the conference", "USD")] == 1500
    assert lines[("Project funding", "USD")] == 2500
    # Money in another currency than its line's is shown, as unbudgeted.
    assert lines[("Unbudgeted", "EUR")] == 80


def test_a_physical_awards_cost_is_its_shipments(term, users):
    deliverable = owed(term, "engineer-badge")
    before = state()
    with pytest.raises(ValidationError) as caught:
        api.update_deliverable(deliverable_id=deliverable.pk, actor=users["staff"], cost="150")
    assert "shipment" in caught.value.errors["cost"][0]
    assert state() == before


def test_the_delivery_summary_per_track(term, users, cycle):
    other = add_term(UserFactory(username="advocate"), "advocate", cycle, "active")
    api.ensure_current_deliverables()
    staff = users["staff"]
    api.update_deliverable(deliverable_id=owed(term, "conference-recognition").pk, actor=staff, status="delivered")
    api.update_deliverable(deliverable_id=owed(term, "lead-sessions").pk, actor=staff, status="cancelled")
    api.update_deliverable(deliverable_id=owed(term, "architecture-discussions").pk, actor=staff,
                           due_on="2020-01-01")
    api.update_deliverable(deliverable_id=owed(other, "spotlight").pk, actor=staff, due_on="2020-01-01",
                           status="cancelled")
    rows = {row.track_slug: row for row in api.delivery_summary(cycle_year=cycle.year)}
    engineer, advocate = rows["engineer"], rows["advocate"]
    assert (engineer.owed, engineer.delivered, engineer.cancelled, engineer.overdue) == (4, 1, 1, 1)
    assert engineer.delivered_share == pytest.approx(1 / 3)
    # A cancelled incentive past its date is not overdue.
    assert (advocate.owed, advocate.cancelled, advocate.overdue) == (4, 1, 0)
    assert api.delivery_summary(cycle_year=cycle.year + 1) == []
