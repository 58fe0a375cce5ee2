"""
Endorsements made explicit (ADR 0010) and forms posted twice (ADR 0012), through the public API.

Resolving a nominee on the nomination form (``find_nominee``) and what it reveals, the nominee's
eligibility, one-step create-and-submit, ``form_token`` replays, supporting a nomination and
withdrawing that support, the endorser's own listing, a nomination's history, the nomination
window, saving a draft, retirement of the people an ``endorsement_received`` e-mail names, and the
length of a status change's reason.
"""
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import (
    ExistingNomination,
    NominateAs,
    NominationKind,
    NominationStanding,
    NominationStatus,
    NomineeKind,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import (
    Cycle,
    Endorsement,
    MessageLog,
    Nomination,
    NominationTransition,
    Program,
    Track,
)

from .factories import CycleFactory, UserFactory
from .membership_fixtures import add_term, make_term
from .review_fixtures import full_justifications

pytestmark = pytest.mark.django_db

S = NominationStatus
SUPPORT = {"community-support": "Answers every forum question."}


# Helpers ------------------------------------------------------------------------------------

def find(nominator, nominate_as="peer", track="engineer", year=2026, **kwargs):
    return api.find_nominee(nominator=nominator, cycle_year=year, track_slug=track, nominate_as=nominate_as,
                            **kwargs)


def nominate(nominator, nominee="nominee", track="engineer", **kwargs):
    kwargs.setdefault("justifications", full_justifications(track))
    return api.create_nomination(nominator=nominator, cycle_year=2026, track_slug=track, nominee_username=nominee,
                                 **kwargs)


def endorse(endorser, nominee="nominee", track="engineer", **kwargs):
    kwargs.setdefault("justifications", SUPPORT)
    return api.endorse_nomination(endorser=endorser, cycle_year=2026, track_slug=track, nominee_username=nominee,
                                  **kwargs)


def db_state():
    """Everything a refused call must leave untouched."""
    return (
        list(Nomination.objects.order_by("pk").values()),
        list(Endorsement.objects.order_by("pk").values()),
        list(NominationTransition.objects.order_by("pk").values()),
        list(MessageLog.objects.order_by("pk").values()),
    )


def close_nominations(cycle):
    """Move the cycle's dates so that nominations closed a minute ago (the review phase)."""
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(nominations_open_at=now - timedelta(days=30),
                                             nominations_close_at=now - timedelta(minutes=1))


def pass_review_deadline(cycle):
    """Move the cycle's dates so that its review deadline passed a minute ago (the decisions phase)."""
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(nominations_open_at=now - timedelta(days=60),
                                             nominations_close_at=now - timedelta(days=30),
                                             review_deadline=now - timedelta(minutes=1))


def endorsement_messages():
    return MessageLog.objects.filter(message_name="endorsement_received")


def make_member(case, user, cycle):
    """Give ``user`` the membership that ``case`` (one of ``ELIGIBILITY``) describes."""
    if case == "lifetime member":
        add_term(user, "engineer", cycle, "lifetime")
    elif case == "term ends after the announcement":
        add_term(user, "engineer", cycle, "active")
    elif case == "renewal due after the announcement":
        add_term(user, "engineer", cycle, "renewal_due")
    elif case == "term ends before the announcement":
        last_year = CycleFactory(year=2025, opened_days_ago=400)
        term = make_term(user, Track.objects.get(slug="engineer"), last_year, starts_days_ago=350)
        assert term.ends_at < cycle.announcement_at
    elif case == "member of another track":
        add_term(user, "innovator", cycle, "lifetime")
    else:  # pragma: no cover - a typo in ELIGIBILITY
        raise AssertionError(case)


# The nominee's membership of the engineer track, and whether the 2026 cycle may nominate them for it.
ELIGIBILITY = [
    ("lifetime member", False),
    ("term ends after the announcement", False),
    ("renewal due after the announcement", False),
    ("term ends before the announcement", True),
    ("member of another track", True),
]


@pytest.fixture
def active(cycle, users):
    """The nominator's peer nomination of ``nominee`` in engineer, submitted and awaiting consent."""
    return nominate(users["nominator"], submit=True).nomination


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: the delivery tasks run (eagerly) after it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# find_nominee -------------------------------------------------------------------------------

class TestFindNominee:
    """Resolving whom the nomination form names."""

    def test_self(self, cycle, users):
        found = find(users["learner"], nominate_as="self")
        assert (found.nominate_as, found.kind, found.nominee_kind) == (
            NominateAs.SELF, NominationKind.SELF, NomineeKind.INDIVIDUAL)
        assert (found.username, found.organization_slug, found.display_name) == ("learner", None, "Learner")
        assert (found.existing, found.existing_id) == (ExistingNomination.NONE, None)

    @pytest.mark.parametrize("query", ["nominee", "nominee@example.com", "NOMINEE@Example.COM", "NoMiNeE",
                                       "  nominee  "])
    def test_peer_by_username_or_email(self, cycle, users, query):
        found = find(users["nominator"], nominee=query)
        assert (found.nominate_as, found.kind, found.username) == (NominateAs.PEER, NominationKind.PEER, "nominee")
        assert found.display_name == "Nominee"

    def test_an_address_shared_by_two_accounts_names_nobody(self, cycle, users):
        UserFactory(username="twin1", email="twin@example.com")
        UserFactory(username="twin2", email="TWIN@example.com")
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominee="Twin@Example.com")
        assert list(error.value.errors) == ["nominee"]

    @pytest.mark.parametrize("query", ["ghost", "ghost@example.com", "sleeper", "sleeper@example.com"])
    def test_unknown_and_inactive_accounts_get_the_same_answer(self, cycle, users, query):
        """Resolving an address must not tell an inactive account from a missing one (ADR 0010)."""
        UserFactory(username="sleeper", is_active=False)
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominee=query)
        assert list(error.value.errors) == ["nominee"]
        (message,) = error.value.errors["nominee"]
        assert message.replace(repr(query), "<query>") == \
            "No active account has the username or e-mail address <query>."

    @pytest.mark.parametrize("query", ["nominator", "nominator@example.com", ""])
    def test_peer_must_be_someone_else(self, cycle, users, query):
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominee=query)
        assert list(error.value.errors) == ["nominee"]

    def test_organization(self, cycle, users, organization):
        found = find(users["nominator"], nominate_as="organization", track="advocate", organization_slug="acme")
        assert (found.kind, found.nominee_kind) == (NominationKind.PEER, NomineeKind.ORGANIZATION)
        assert (found.username, found.organization_slug, found.display_name) == (None, "acme", "Acme Learning")
        assert found.existing == ExistingNomination.NONE

    def test_organization_nominated_by_its_own_contact_is_self(self, cycle, users, organization):
        found = find(users["nominee"], nominate_as="organization", track="advocate", organization_slug="acme")
        assert (found.kind, found.nominee_kind) == (NominationKind.SELF, NomineeKind.ORGANIZATION)

    @pytest.mark.parametrize("kwargs, field", [
        ({"nominate_as": "organization", "organization_slug": "no-such-org"}, "organization"),
        ({"nominate_as": "organization"}, "organization"),
        ({"nominate_as": "stranger", "nominee": "nominee"}, "nominate_as"),
        ({"track": "astronaut", "nominee": "nominee"}, "track"),
        ({"year": 1999, "nominee": "nominee"}, "cycle"),
    ])
    def test_bad_choice_is_refused_per_field(self, cycle, users, organization, kwargs, field):
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], **kwargs)
        assert list(error.value.errors) == [field]

    def test_closed_cycle(self, cycle, users):
        close_nominations(cycle)
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominee="nominee")
        assert list(error.value.errors) == ["cycle"]
        assert "review" in error.value.errors["cycle"][0]

    @pytest.mark.parametrize("case, eligible", ELIGIBILITY)
    def test_eligibility(self, cycle, users, case, eligible):
        make_member(case, users["nominee"], cycle)
        if eligible:
            assert find(users["nominator"], nominee="nominee").username == "nominee"
            return
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominee="nominee")
        assert list(error.value.errors) == ["nominee"]

    def test_member_organization_is_refused(self, cycle, users, organization):
        add_term(organization, "advocate", cycle, "active")
        with pytest.raises(ValidationError) as error:
            find(users["nominator"], nominate_as="organization", track="advocate", organization_slug="acme")
        assert list(error.value.errors) == ["nominee"]


class TestWhatExists:
    """What ``find_nominee`` says already exists, and how little it reveals of others' nominations."""

    def test_own_draft(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        found = find(users["nominator"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.OWN_DRAFT, draft.id)

    def test_someone_elses_draft_is_not_revealed(self, cycle, users):
        nominate(users["nominator"])
        found = find(users["endorser"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.NONE, None)

    def test_own_nomination(self, active, users):
        found = find(users["nominator"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.OWN, active.id)

    def test_someone_elses_nomination_is_endorsable_and_nothing_more(self, active, users):
        found = find(users["endorser"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.ENDORSABLE, None)

    def test_endorsed_then_withdrawn(self, active, users):
        endorsement = endorse(users["endorser"]).endorsement
        found = find(users["endorser"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.ENDORSED, endorsement.id)
        api.withdraw_endorsement(endorsement_id=endorsement.id, actor=users["endorser"])
        found = find(users["endorser"], nominee="nominee")
        assert (found.existing, found.existing_id) == (ExistingNomination.ENDORSABLE, None)

    def test_a_withdrawn_nomination_leaves_nothing(self, active, users):
        api.withdraw_nomination(nomination_id=active.id, actor=users["nominator"])
        assert find(users["endorser"], nominee="nominee").existing == ExistingNomination.NONE

    def test_other_track_is_separate(self, active, users):
        assert find(users["endorser"], nominee="nominee", track="innovator").existing == ExistingNomination.NONE


# create_nomination --------------------------------------------------------------------------

class TestCreateNomination:
    """Eligibility, and creating and submitting in one transaction."""

    @pytest.mark.parametrize("case, eligible", ELIGIBILITY)
    def test_eligibility(self, cycle, users, case, eligible):
        make_member(case, users["nominee"], cycle)
        before = db_state()
        if eligible:
            assert nominate(users["nominator"]).nomination.status == NominationStatus.DRAFT
            return
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"])
        assert list(error.value.errors) == ["nominee"]
        assert db_state() == before

    @pytest.mark.parametrize("nominator, status", [("nominee", NominationStatus.SUBMITTED),
                                                   ("nominator", NominationStatus.AWAITING_CONSENT)])
    def test_submit_in_the_same_call(self, cycle, users, nominator, status):
        nomination = nominate(users[nominator], submit=True).nomination
        assert nomination.status == status
        assert api.get_nomination(nomination_id=nomination.id).status == status

    def test_incomplete_case_is_refused_and_writes_nothing(self, cycle, users):
        justifications = full_justifications()
        missing = sorted(justifications)[0]
        justifications[missing] = "  "
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"], justifications=justifications, submit=True)
        assert [key for key in error.value.errors if key.startswith("justifications")] == [
            f"justifications.{missing}"]
        assert not Nomination.objects.exists()
        assert not NominationTransition.objects.exists()
        assert not MessageLog.objects.exists()


# form_token ---------------------------------------------------------------------------------

class TestFormToken:
    """A form posted twice makes one thing (ADR 0012)."""

    @pytest.mark.parametrize("submit", [False, True])
    def test_nomination_posted_twice(self, cycle, users, submit):
        first = nominate(users["nominator"], submit=submit, form_token="tok-1")
        again = nominate(users["nominator"], submit=submit, form_token="tok-1")
        assert first.replayed is False
        assert again.replayed is True
        assert again.nomination.id == first.nomination.id
        assert Nomination.objects.count() == 1
        assert NominationTransition.objects.filter(nomination_id=first.nomination.id).count() == (2 if submit else 1)

    @pytest.mark.parametrize("submit", [False, True])
    def test_nomination_with_another_token_is_already_there(self, cycle, users, submit):
        nominate(users["nominator"], submit=submit, form_token="tok-1")
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"], submit=submit, form_token="tok-2")
        assert list(error.value.errors) == ["nominee"]
        assert Nomination.objects.count() == 1
        assert not Endorsement.objects.exists()

    def test_endorsement_posted_twice(self, active, users):
        first = endorse(users["endorser"], form_token="tok-1")
        again = endorse(users["endorser"], form_token="tok-1")
        assert (first.replayed, again.replayed) == (False, True)
        assert again.endorsement.id == first.endorsement.id
        assert again.nomination is None
        assert Endorsement.objects.count() == 1

    def test_endorsement_with_another_token_is_already_there(self, active, users):
        endorse(users["endorser"], form_token="tok-1")
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"], form_token="tok-2")
        assert list(error.value.errors) == ["nominee"]
        assert Endorsement.objects.count() == 1

    def test_a_token_belongs_to_its_user(self, cycle, users):
        """Another person's post with the same token makes their own row, not a replay of the first."""
        mine = nominate(users["nominator"], form_token="same")
        theirs = nominate(users["learner"], form_token="same")
        assert theirs.replayed is False
        assert theirs.nomination.id != mine.nomination.id
        assert theirs.nomination.nominator_username == "learner"
        api.submit_nomination(nomination_id=mine.nomination.id, actor=users["nominator"])
        first = endorse(users["endorser"], form_token="again")
        second = endorse(users["staff"], form_token="again")
        assert second.replayed is False
        assert second.endorsement.id != first.endorsement.id
        assert sorted(Endorsement.objects.values_list("endorser__username", flat=True)) == ["endorser", "staff"]


# endorse_nomination -------------------------------------------------------------------------

class TestEndorse:
    """Supporting someone else's nomination."""

    def test_support_is_attached_to_the_active_nomination(self, active, users):
        outcome = endorse(users["endorser"], evidence_links=["https://discuss.openedx.org/u/nominee"])
        assert outcome.nomination is None and outcome.replayed is False
        endorsement = outcome.endorsement
        assert (endorsement.nomination_id, endorsement.endorser_username) == (active.id, "endorser")
        assert endorsement.justifications == SUPPORT
        assert endorsement.evidence_links == ("https://discuss.openedx.org/u/nominee",)
        assert api.get_nomination(nomination_id=active.id).endorsement_count == 1

    def test_only_what_is_said_is_kept(self, active, users):
        outcome = endorse(users["endorser"], justifications={"community-support": "  Helps everyone.  ",
                                                             "core-processes": "   ", "technical-mentorship": ""})
        assert outcome.endorsement.justifications == {"community-support": "Helps everyone."}
        assert Endorsement.objects.get().justifications == {"community-support": "Helps everyone."}

    @pytest.mark.parametrize("justifications", [None, {}, {"community-support": "   ", "core-processes": ""}])
    def test_something_must_be_said(self, active, users, justifications):
        before = db_state()
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"], justifications=justifications)
        assert list(error.value.errors) == ["justifications"]
        assert db_state() == before

    def test_nothing_to_support(self, cycle, users):
        before = db_state()
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"])
        assert list(error.value.errors) == ["nominee"]
        assert db_state() == before

    def test_a_draft_or_withdrawn_nomination_cannot_be_supported(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"])
        assert list(error.value.errors) == ["nominee"]
        api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        api.withdraw_nomination(nomination_id=draft.id, actor=users["nominator"])
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"])
        assert list(error.value.errors) == ["nominee"]
        assert not Endorsement.objects.exists()

    def test_not_ones_own_nomination(self, active, users):
        before = db_state()
        with pytest.raises(ValidationError) as error:
            endorse(users["nominator"])
        assert list(error.value.errors) == ["nominee"]
        assert db_state() == before

    def test_not_after_nominations_close(self, active, users, cycle):
        close_nominations(cycle)
        before = db_state()
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"])
        assert list(error.value.errors) == ["cycle"]
        assert db_state() == before

    def test_an_organizations_nomination(self, cycle, users, organization):
        nomination = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="advocate",
                                           nominee_organization_slug="acme",
                                           justifications=full_justifications("advocate"), submit=True).nomination
        outcome = api.endorse_nomination(endorser=users["endorser"], cycle_year=2026, track_slug="advocate",
                                         nominee_organization_slug="acme",
                                         justifications={"events-organised": "Ran the meetup."})
        assert outcome.endorsement.nomination_id == nomination.id

    def test_does_not_count_against_the_cap(self, active, users):
        Program.objects.update(max_nominations_per_nominator=1)
        UserFactory(username="peer")
        nominate(users["endorser"], nominee="peer")
        with pytest.raises(ValidationError):  # the cap is full…
            nominate(users["endorser"], nominee="learner")
        outcome = endorse(users["endorser"])  # …and supporting someone else's nomination still works
        assert outcome.endorsement.nomination_id == active.id
        window = api.nomination_window(user=users["endorser"])
        assert (window.cap, window.used) == (1, 1)

    def test_the_nominator_hears_once(self, active, users, committed, mailoutbox, settings):
        """One e-mail naming the endorser; withdrawing and supporting again does not send another."""
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        users["endorser"].first_name, users["endorser"].last_name = "Grace", "Hopper"
        users["endorser"].save()
        mailoutbox.clear()
        with committed():
            endorsement = endorse(users["endorser"]).endorsement
        (message,) = endorsement_messages()
        assert message.recipient == users["nominator"]
        assert message.context["endorser_name"] == "Grace Hopper"
        assert message.context["nomination_id"] == active.id
        (mail,) = mailoutbox
        assert mail.to == [users["nominator"].email]
        assert mail.subject == "Grace Hopper supports your nomination of Nominee"

        with committed():
            api.withdraw_endorsement(endorsement_id=endorsement.id, actor=users["endorser"])
        with committed():
            again = endorse(users["endorser"], justifications={"core-processes": "Triages weekly."}).endorsement
        assert again.id == endorsement.id
        assert endorsement_messages().count() == 1
        assert len(mailoutbox) == 1


# withdraw_endorsement -----------------------------------------------------------------------

class TestWithdrawEndorsement:
    """Withdrawing support, and where withdrawn support no longer shows."""

    @pytest.fixture
    def supported(self, active, users):
        """The active nomination, supported by ``endorser`` and by ``learner``; returns their endorsements."""
        return {name: endorse(users[name]).endorsement for name in ("endorser", "learner")}

    def test_withdraw(self, supported, users):
        withdrawn = api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        assert withdrawn.withdrawn_at is not None
        assert Endorsement.objects.get(pk=supported["endorser"].id).withdrawn_at == withdrawn.withdrawn_at
        assert Endorsement.objects.get(pk=supported["learner"].id).withdrawn_at is None

    def test_twice(self, supported, users):
        first = api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        with pytest.raises(InvalidTransition):
            api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        assert Endorsement.objects.get(pk=supported["endorser"].id).withdrawn_at == first.withdrawn_at

    def test_unknown_endorsement(self, cycle, users):
        with pytest.raises(NotFound) as error:
            api.withdraw_endorsement(endorsement_id=999999, actor=users["endorser"])
        assert list(error.value.errors) == ["endorsement"]
        with pytest.raises(NotFound):
            api.get_endorsement(endorsement_id=999999)

    def test_still_possible_during_review(self, supported, users, cycle):
        close_nominations(cycle)
        withdrawn = api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        assert withdrawn.withdrawn_at is not None

    def test_not_after_the_review_deadline(self, supported, users, cycle):
        pass_review_deadline(cycle)
        before = db_state()
        with pytest.raises(ValidationError) as error:
            api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        assert list(error.value.errors) == ["cycle"]
        assert db_state() == before

    def test_withdrawn_support_is_not_counted_or_shown(self, supported, users, active):
        assert api.get_nomination(nomination_id=active.id).endorsement_count == 2
        api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        assert api.get_nomination(nomination_id=active.id).endorsement_count == 1
        listed = api.list_nominations(user=users["nominator"]).items
        assert [n.endorsement_count for n in listed] == [1]
        assert [e.endorser_username for e in api.nomination_endorsements(nomination_id=active.id)] == ["learner"]
        sheet = api.get_review_sheet(nomination_id=active.id, user=users["staff"], sees_all=True)
        assert sheet.nomination.endorsement_count == 1
        assert [e.endorser_username for e in sheet.endorsements] == ["learner"]

    def test_supporting_again_reuses_the_row(self, supported, users, active):
        first = supported["endorser"]
        api.withdraw_endorsement(endorsement_id=first.id, actor=users["endorser"])
        again = endorse(users["endorser"], justifications={"core-processes": "Triages weekly."},
                        evidence_links=["https://example.org/triage"]).endorsement
        assert again.id == first.id
        assert again.withdrawn_at is None
        assert again.justifications == {"core-processes": "Triages weekly."}
        assert again.evidence_links == ("https://example.org/triage",)
        row = Endorsement.objects.get(pk=first.id)
        assert (row.withdrawn_at, row.justifications) == (None, {"core-processes": "Triages weekly."})
        assert Endorsement.objects.filter(endorser=users["endorser"]).count() == 1
        assert api.get_nomination(nomination_id=active.id).endorsement_count == 2

    def test_supporting_again_only_while_nominations_are_open(self, supported, users, cycle):
        api.withdraw_endorsement(endorsement_id=supported["endorser"].id, actor=users["endorser"])
        close_nominations(cycle)
        with pytest.raises(ValidationError) as error:
            endorse(users["endorser"])
        assert list(error.value.errors) == ["cycle"]
        assert Endorsement.objects.get(pk=supported["endorser"].id).withdrawn_at is not None


# list_endorsements --------------------------------------------------------------------------

class TestListEndorsements:
    """The endorser's own listing: the nomination's standing, never its decision."""

    def test_what_the_endorser_sees(self, active, users):
        users["nominee"].first_name, users["nominee"].last_name = "Ada", "Lovelace"
        users["nominee"].save()
        endorsement = endorse(users["endorser"]).endorsement
        page = api.list_endorsements(user=users["endorser"])
        assert page.total == 1
        (item,) = page.items
        assert item.id == endorsement.id
        assert (item.nominee_display_name, item.track_name, item.cycle_year) == (
            "Ada Lovelace", "Distinguished Engineer", 2026)
        assert item.standing == NominationStanding.UNDER_CONSIDERATION
        assert item.justifications == SUPPORT
        assert api.get_endorsement(endorsement_id=endorsement.id) == item
        assert api.list_endorsements(user=users["learner"]).total == 0

    def test_withdrawn_support_stays_in_the_endorsers_listing(self, active, users):
        endorsement = endorse(users["endorser"]).endorsement
        api.withdraw_endorsement(endorsement_id=endorsement.id, actor=users["endorser"])
        (item,) = api.list_endorsements(user=users["endorser"]).items
        assert item.withdrawn_at is not None

    @pytest.mark.parametrize("how", ["withdrawn", "consent refused"])
    def test_no_longer_considered(self, active, users, how):
        endorse(users["endorser"])
        if how == "withdrawn":
            api.withdraw_nomination(nomination_id=active.id, actor=users["nominator"])
        else:
            api.respond_to_nomination(nomination_id=active.id, actor=users["nominee"], decision="decline")
        (item,) = api.list_endorsements(user=users["endorser"]).items
        assert item.standing == NominationStanding.NO_LONGER_CONSIDERED

    def test_announced(self, active, users, cycle):
        endorse(users["endorser"])
        api.respond_to_nomination(nomination_id=active.id, actor=users["nominee"], decision="accept")
        Cycle.objects.filter(pk=cycle.pk).update(announcement_released_at=timezone.now())
        (item,) = api.list_endorsements(user=users["endorser"]).items
        assert item.standing == NominationStanding.ANNOUNCED


# nomination_history -------------------------------------------------------------------------

def test_nomination_history_in_one_query(cycle, users, django_assert_num_queries):
    peer = nominate(users["nominator"], submit=True).nomination
    api.respond_to_nomination(nomination_id=peer.id, actor=users["nominee"], decision="accept")
    own = nominate(users["learner"], nominee="learner", submit=True).nomination
    with django_assert_num_queries(1):
        history = api.nomination_history(nomination_ids=[peer.id, own.id, 999999])

    assert [(t.from_status, t.to_status, t.actor_username) for t in history[peer.id]] == [
        (None, S.DRAFT, "nominator"), (S.DRAFT, S.AWAITING_CONSENT, "nominator"),
        (S.AWAITING_CONSENT, S.SUBMITTED, "nominee")]
    assert [(t.from_status, t.to_status, t.actor_username) for t in history[own.id]] == [
        (None, S.DRAFT, "learner"), (S.DRAFT, S.SUBMITTED, "learner")]
    assert history[999999] == ()


# nomination_window --------------------------------------------------------------------------

class TestNominationWindow:
    """Where nominating stands for one person."""

    def test_open_cycle(self, cycle, users):
        Program.objects.update(max_nominations_per_nominator=5)
        nominate(users["nominator"])  # a draft
        UserFactory(username="peer")
        nominate(users["nominator"], nominee="peer", submit=True)  # active
        withdrawn = nominate(users["nominator"], nominee="learner").nomination
        api.withdraw_nomination(nomination_id=withdrawn.id, actor=users["nominator"])  # frees its slot
        nominate(users["endorser"], nominee="endorser", submit=True)  # someone else's
        endorse(users["nominator"], nominee="endorser")  # support is not a nomination
        window = api.nomination_window(user=users["nominator"])
        assert window.is_open is True
        assert window.cycle.year == 2026
        assert (window.cap, window.used, window.remaining) == (5, 2, 3)
        assert api.nomination_window(user=users["learner"]).used == 0
        assert api.nomination_window(user=AnonymousUser()).used == 0

    def test_only_an_upcoming_cycle(self, program, users):
        CycleFactory(year=2025, opened_days_ago=40)  # in review: not taking nominations
        CycleFactory(year=2027, opened_days_ago=-30)
        CycleFactory(year=2028, opened_days_ago=-10)  # opens first
        window = api.nomination_window(user=users["nominator"])
        assert window.is_open is False
        assert window.cycle.year == 2028
        assert window.used == 0

    def test_no_cycle(self, program, users):
        window = api.nomination_window(user=users["nominator"])
        assert (window.cycle, window.is_open, window.used) == (None, False, 0)


# save_draft ---------------------------------------------------------------------------------

class TestSaveDraft:
    """Saving a draft's case and, optionally, submitting it in the same transaction."""

    def test_save_keeps_a_draft(self, cycle, users):
        draft = nominate(users["nominator"], justifications=SUPPORT).nomination
        saved = api.save_draft(nomination_id=draft.id, actor=users["nominator"],
                               justifications={"core-processes": "Triages weekly."})
        assert saved.nomination.status == NominationStatus.DRAFT
        assert api.get_nomination(nomination_id=draft.id).justifications == {"core-processes": "Triages weekly."}

    def test_refused_submission_keeps_nothing_of_the_edit(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        incomplete = full_justifications()
        missing = sorted(incomplete)[-1]
        del incomplete[missing]
        incomplete[sorted(incomplete)[0]] = "A new text that must not be kept."
        before = db_state()
        with pytest.raises(ValidationError) as error:
            api.save_draft(nomination_id=draft.id, actor=users["nominator"], justifications=incomplete,
                           evidence_links=["https://example.org/new"], submit=True)
        assert [key for key in error.value.errors if key.startswith("justifications")] == [
            f"justifications.{missing}"]
        assert db_state() == before
        unchanged = api.get_nomination(nomination_id=draft.id)
        assert unchanged.justifications == draft.justifications
        assert (unchanged.status, unchanged.evidence_links) == (NominationStatus.DRAFT, ())

    def test_save_and_submit(self, cycle, users):
        draft = nominate(users["nominator"], justifications=SUPPORT).nomination
        outcome = api.save_draft(nomination_id=draft.id, actor=users["nominator"],
                                 justifications=full_justifications(), submit=True)
        assert outcome.nomination.status == NominationStatus.AWAITING_CONSENT


# Retirement ---------------------------------------------------------------------------------

class TestRetirement:
    """Retiring someone an ``endorsement_received`` e-mail names erases what it says (ADR 0010)."""

    @pytest.fixture
    def messages(self, active, users):
        """
        Two endorsement e-mails to the nominator about the nominee (from ``endorser`` and ``staff``)
        and one to ``learner`` about ``learner``'s self-nomination (from ``endorser``); a function
        that reads one's context again, by (recipient, endorser).
        """
        nominate(users["learner"], nominee="learner", submit=True)
        ids = {}
        for recipient, endorser, nominee in [("nominator", "endorser", "nominee"), ("nominator", "staff", "nominee"),
                                             ("learner", "endorser", "learner")]:
            endorsement = endorse(users[endorser], nominee=nominee).endorsement
            message = endorsement_messages().get(key__startswith=f"endorsement_received:{endorsement.id}:")
            assert message.recipient == users[recipient]
            assert message.context["endorser_name"] == endorser.capitalize()
            ids[recipient, endorser] = message.pk
        return lambda recipient, endorser: MessageLog.objects.get(pk=ids[recipient, endorser]).context

    def test_retiring_the_endorser(self, messages, users):
        api.retire_user(user_id=users["endorser"].pk)
        assert messages("nominator", "endorser") == {}
        assert messages("learner", "endorser") == {}
        assert messages("nominator", "staff")["endorser_name"] == "Staff"

    def test_retiring_the_nominee(self, messages, users):
        api.retire_user(user_id=users["nominee"].pk)
        assert messages("nominator", "endorser") == {}
        assert messages("nominator", "staff") == {}
        assert messages("learner", "endorser")["endorser_name"] == "Endorser"


# Reasons ------------------------------------------------------------------------------------

class TestReasonLength:
    """The reason given with consent or a withdrawal is at most 2000 characters."""

    def test_consent_reason(self, active, users):
        before = db_state()
        with pytest.raises(ValidationError) as error:
            api.respond_to_nomination(nomination_id=active.id, actor=users["nominee"], decision="decline",
                                      reason="x" * 2001)
        assert list(error.value.errors) == ["reason"]
        assert db_state() == before
        assert api.get_nomination(nomination_id=active.id).status == NominationStatus.AWAITING_CONSENT

    def test_withdrawal_reason(self, active, users):
        before = db_state()
        with pytest.raises(ValidationError) as error:
            api.withdraw_nomination(nomination_id=active.id, actor=users["nominator"], reason="x" * 2001)
        assert list(error.value.errors) == ["reason"]
        assert db_state() == before
        assert api.get_nomination(nomination_id=active.id).status == NominationStatus.AWAITING_CONSENT

    def test_two_thousand_characters_are_accepted(self, active, users):
        withdrawn = api.withdraw_nomination(nomination_id=active.id, actor=users["nominator"], reason="x" * 2000)
        assert withdrawn.status == NominationStatus.WITHDRAWN
        assert NominationTransition.objects.filter(nomination_id=active.id).last().reason == "x" * 2000
