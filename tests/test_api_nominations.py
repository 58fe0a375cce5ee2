"""
The nomination rules, through the public API.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import NominationKind, NominationStatus, NomineeKind
from openedx_distinguished.exceptions import InvalidTransition, ValidationError
from openedx_distinguished.models import Endorsement, Nomination, NominationTransition

from .factories import CycleFactory, UserFactory
from .review_fixtures import full_justifications

pytestmark = pytest.mark.django_db


def nominate(nominator, nominee="nominee", track="engineer", year=2026, **kwargs):
    kwargs.setdefault("justifications", full_justifications(track))
    return api.create_nomination(nominator=nominator, cycle_year=year, track_slug=track,
                                 nominee_username=nominee, **kwargs)


def db_state():
    """Everything a failed call must leave untouched."""
    return (
        list(Nomination.objects.order_by("pk").values()),
        list(Endorsement.objects.order_by("pk").values()),
        NominationTransition.objects.count(),
    )


class TestCreate:
    """Starting a nomination, and what bad input does."""
    def test_peer_nomination_starts_as_a_draft(self, cycle, users):
        outcome = nominate(users["nominator"], evidence_links=["https://github.com/openedx/pull/1"])
        nomination = outcome.nomination
        assert outcome.endorsement is None
        assert nomination.status == NominationStatus.DRAFT
        assert nomination.kind == NominationKind.PEER
        assert nomination.nominee_kind == NomineeKind.INDIVIDUAL
        assert nomination.nominee_username == "nominee"
        assert nomination.nominator_username == "nominator"
        assert nomination.evidence_links == ("https://github.com/openedx/pull/1",)
        transition = NominationTransition.objects.get(nomination_id=nomination.id)
        assert (transition.from_status, transition.to_status, transition.actor) == ("", "draft", users["nominator"])

    def test_self_nomination(self, cycle, users):
        nomination = nominate(users["nominee"], nominee="nominee").nomination
        assert nomination.kind == NominationKind.SELF

    def test_organization_nomination_by_outsider_is_peer(self, cycle, users, organization):
        nomination = api.create_nomination(
            nominator=users["nominator"], cycle_year=2026, track_slug="advocate",
            nominee_organization_slug="acme", justifications=full_justifications("advocate"),
        ).nomination
        assert nomination.nominee_kind == NomineeKind.ORGANIZATION
        assert nomination.kind == NominationKind.PEER
        assert nomination.nominee_display_name == "Acme Learning"

    def test_organization_nominated_by_its_contact_is_self(self, cycle, users, organization):
        nomination = api.create_nomination(
            nominator=users["nominee"], cycle_year=2026, track_slug="advocate", nominee_organization_slug="acme",
        ).nomination
        assert nomination.kind == NominationKind.SELF

    @pytest.mark.parametrize("kwargs, field", [
        ({"nominee_username": None}, "nominee"),
        ({"nominee_username": "nobody-here"}, "nominee_username"),
        ({"nominee_username": "nominee", "nominee_organization_slug": "acme"}, "nominee"),
        ({"nominee_username": None, "nominee_organization_slug": "no-such-org"}, "nominee_organization"),
        ({"track_slug": "astronaut"}, "track"),
        ({"cycle_year": 1999}, "cycle"),
        ({"justifications": {"not-a-criterion": "x"}}, "justifications"),
        ({"justifications": {"community-support": 42}}, "justifications"),
        ({"justifications": ["a list"]}, "justifications"),
        ({"justifications": {"community-support": "x" * 5001}}, "justifications"),
        ({"evidence_links": ["javascript:alert(1)"]}, "evidence_links"),
        ({"evidence_links": ["ftp://example.com/file"]}, "evidence_links"),
        ({"evidence_links": ["https://example.com/" + "a" * 500]}, "evidence_links"),
        ({"evidence_links": [f"https://example.com/{i}" for i in range(11)]}, "evidence_links"),
        ({"evidence_links": "https://example.com"}, "evidence_links"),
    ])
    def test_bad_input_is_refused_per_field_and_writes_nothing(self, cycle, users, organization, kwargs, field):
        before = db_state()
        arguments = {"nominator": users["nominator"], "cycle_year": 2026, "track_slug": "engineer",
                     "nominee_username": "nominee"}
        arguments.update(kwargs)
        with pytest.raises(ValidationError) as error:
            api.create_nomination(**arguments)
        # One criterion's text is reported under "justifications.<criterion>", next to its field.
        keys = [key for key in error.value.errors if key == field or key.startswith(f"{field}.")]
        assert keys and all(error.value.errors[key] for key in keys)
        assert db_state() == before

    def test_inactive_user_cannot_be_nominated(self, cycle, users):
        users["nominee"].is_active = False
        users["nominee"].save()
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"])
        assert "nominee_username" in error.value.errors

    def test_duplicate_links_are_kept_once(self, cycle, users):
        nomination = nominate(users["nominator"], evidence_links=["https://a.example", "https://a.example"]).nomination
        assert nomination.evidence_links == ("https://a.example",)

    def test_second_draft_of_same_nominee_by_same_nominator_is_refused(self, cycle, users):
        nominate(users["nominator"])
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"])
        assert "nominee" in error.value.errors
        assert Nomination.objects.count() == 1


class TestPhaseWindow:
    """Nominations happen only in the nomination phase."""
    @pytest.mark.parametrize("opened_days_ago, expected_phase", [
        (-3, "upcoming"),       # opens in three days
        (40, "review"),         # closed twelve days ago
        (70, "decisions"),
        (100, "announced"),
        (500, "closed"),
    ])
    def test_nominating_outside_the_nomination_phase_is_refused(
            self, program, users, opened_days_ago, expected_phase):
        CycleFactory(year=2026, opened_days_ago=opened_days_ago)
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"])
        assert expected_phase in error.value.errors["cycle"][0]
        assert not Nomination.objects.exists()

    def test_draft_cannot_be_submitted_or_edited_after_close(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        cycle.nominations_open_at -= timedelta(days=60)
        cycle.nominations_close_at = timezone.now() - timedelta(minutes=1)
        cycle.save()
        with pytest.raises(ValidationError) as error:
            api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        assert "cycle" in error.value.errors
        with pytest.raises(ValidationError):
            api.update_draft(nomination_id=draft.id, evidence_links=["https://x.example"])
        assert Nomination.objects.get(pk=draft.id).status == "draft"

    def test_consent_is_still_possible_during_review(self, cycle, users):
        nomination = nominate(users["nominator"]).nomination
        api.submit_nomination(nomination_id=nomination.id, actor=users["nominator"])
        cycle.nominations_open_at -= timedelta(days=60)
        cycle.nominations_close_at = timezone.now() - timedelta(minutes=1)
        cycle.save()
        result = api.respond_to_nomination(nomination_id=nomination.id, actor=users["nominee"], decision="accept")
        assert result.status == NominationStatus.SUBMITTED


class TestSubmitAndConsent:
    """Submitting drafts and the consent that peer nominations wait for."""
    def test_self_nomination_is_submitted_directly(self, cycle, users):
        draft = nominate(users["nominee"]).nomination
        outcome = api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])
        assert outcome.nomination.status == NominationStatus.SUBMITTED
        assert outcome.nomination.submitted_at is not None

    def test_peer_nomination_waits_for_consent_then_accept(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        waiting = api.submit_nomination(nomination_id=draft.id, actor=users["nominator"]).nomination
        assert waiting.status == NominationStatus.AWAITING_CONSENT
        accepted = api.respond_to_nomination(nomination_id=draft.id, actor=users["nominee"], decision="accept")
        assert accepted.status == NominationStatus.SUBMITTED
        history = list(NominationTransition.objects.filter(nomination_id=draft.id)
                       .values_list("from_status", "to_status", "actor__username"))
        assert history == [("", "draft", "nominator"), ("draft", "awaiting_consent", "nominator"),
                           ("awaiting_consent", "submitted", "nominee")]

    def test_nominee_declines(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        refused = api.respond_to_nomination(nomination_id=draft.id, actor=users["nominee"], decision="decline",
                                            reason="Not this year.")
        assert refused.status == NominationStatus.CONSENT_REFUSED
        assert NominationTransition.objects.filter(nomination_id=draft.id).last().reason == "Not this year."
        # The nominee is free to be nominated again by someone else.
        again = nominate(users["endorser"]).nomination
        assert again.status == NominationStatus.DRAFT

    def test_unknown_consent_answer(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        with pytest.raises(ValidationError) as error:
            api.respond_to_nomination(nomination_id=draft.id, actor=users["nominee"], decision="maybe")
        assert "decision" in error.value.errors

    def test_consent_only_while_awaiting(self, cycle, users):
        draft = nominate(users["nominee"]).nomination
        api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])
        with pytest.raises(InvalidTransition):
            api.respond_to_nomination(nomination_id=draft.id, actor=users["nominee"], decision="accept")

    def test_submit_needs_every_criterion_justified(self, cycle, users):
        partial = full_justifications()
        missing = sorted(partial)[0]
        partial[missing] = "   "
        draft = nominate(users["nominator"], justifications=partial).nomination
        with pytest.raises(ValidationError) as error:
            api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        # The error names the one criterion that lacks its case, and only that one.
        assert [key for key in error.value.errors if key.startswith("justifications")] == [f"justifications.{missing}"]
        assert Nomination.objects.get(pk=draft.id).status == "draft"

    def test_submit_twice_is_refused(self, cycle, users):
        draft = nominate(users["nominee"]).nomination
        api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])
        with pytest.raises(InvalidTransition):
            api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])

    def test_update_draft_replaces_given_fields_only(self, cycle, users):
        draft = nominate(users["nominator"], evidence_links=["https://a.example"]).nomination
        updated = api.update_draft(nomination_id=draft.id, evidence_links=["https://b.example"])
        assert updated.evidence_links == ("https://b.example",)
        assert updated.justifications == draft.justifications

    def test_update_after_submit_is_refused(self, cycle, users):
        draft = nominate(users["nominee"]).nomination
        api.submit_nomination(nomination_id=draft.id, actor=users["nominee"])
        with pytest.raises(InvalidTransition):
            api.update_draft(nomination_id=draft.id, evidence_links=[])


class TestWithdraw:
    """Withdrawing a nomination."""
    @pytest.mark.parametrize("submit", [False, True])
    def test_withdraw_before_decision(self, cycle, users, submit):
        draft = nominate(users["nominator"]).nomination
        if submit:
            api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        withdrawn = api.withdraw_nomination(nomination_id=draft.id, actor=users["nominator"], reason="Changed my mind")
        assert withdrawn.status == NominationStatus.WITHDRAWN
        assert Nomination.objects.get(pk=draft.id).active_key is None

    @pytest.mark.parametrize("decided", ["accepted", "declined", "deferred", "withdrawn", "consent_refused"])
    def test_withdraw_after_an_end_state_is_refused(self, cycle, users, decided):
        draft = nominate(users["nominator"]).nomination
        Nomination.objects.filter(pk=draft.id).update(status=decided)
        with pytest.raises(InvalidTransition):
            api.withdraw_nomination(nomination_id=draft.id, actor=users["nominator"])
        assert Nomination.objects.get(pk=draft.id).status == decided


class TestEndorsements:
    """A second nomination of the same nominee becomes an endorsement."""
    def submitted(self, users):
        draft = nominate(users["nominator"]).nomination
        return api.submit_nomination(nomination_id=draft.id, actor=users["nominator"]).nomination

    def test_second_nomination_becomes_an_endorsement(self, cycle, users):
        first = self.submitted(users)
        justification = {"community-support": "Answers every forum question."}
        outcome = nominate(users["endorser"], justifications=justification,
                           evidence_links=["https://discuss.openedx.org/u/nominee"])
        assert outcome.nomination is None
        assert outcome.endorsement.nomination_id == first.id
        assert outcome.endorsement.justifications == justification
        assert outcome.endorsement.evidence_links == ("https://discuss.openedx.org/u/nominee",)
        assert Nomination.objects.count() == 1
        assert api.get_nomination(nomination_id=first.id).endorsement_count == 1

    def test_nominee_self_nomination_after_a_peer_one_endorses_it(self, cycle, users):
        first = self.submitted(users)
        outcome = nominate(users["nominee"])
        assert outcome.endorsement.nomination_id == first.id

    def test_endorsing_twice_is_refused(self, cycle, users):
        self.submitted(users)
        nominate(users["endorser"])
        with pytest.raises(ValidationError):
            nominate(users["endorser"])
        assert Endorsement.objects.count() == 1

    def test_nominator_cannot_endorse_their_own(self, cycle, users):
        self.submitted(users)
        with pytest.raises(ValidationError):
            nominate(users["nominator"])
        assert Endorsement.objects.count() == 0

    def test_other_track_is_a_separate_nomination(self, cycle, users):
        self.submitted(users)
        outcome = nominate(users["endorser"], track="innovator")
        assert outcome.nomination is not None

    def test_draft_submitted_after_anothers_submission_becomes_an_endorsement(self, cycle, users):
        late_draft = nominate(users["endorser"]).nomination
        first = self.submitted(users)
        outcome = api.submit_nomination(nomination_id=late_draft.id, actor=users["endorser"])
        assert outcome.endorsement.nomination_id == first.id
        assert outcome.endorsement.justifications == late_draft.justifications
        assert not Nomination.objects.filter(pk=late_draft.id).exists()
        assert Nomination.objects.count() == 1

    def test_endorsements_do_not_count_against_the_cap(self, cycle, users):
        self.submitted(users)
        nominate(users["endorser"])
        for index in range(3):
            UserFactory(username=f"other{index}")
            nominate(users["endorser"], nominee=f"other{index}")
        assert Nomination.objects.filter(nominator=users["endorser"]).count() == 3

    def test_database_allows_one_active_nomination_per_nominee(self, cycle, users):
        first = self.submitted(users)
        second = nominate(users["endorser"], track="innovator").nomination
        clash = Nomination.objects.get(pk=second.id)
        clash.track_id = Nomination.objects.get(pk=first.id).track_id
        clash.active_key = Nomination.objects.get(pk=first.id).active_key
        from django.db import IntegrityError, transaction  # pylint: disable=import-outside-toplevel
        with pytest.raises(IntegrityError), transaction.atomic():
            clash.save()


class TestCap:
    """The cap on nominations per nominator per cycle."""
    def test_cap_per_nominator_per_cycle(self, cycle, users):
        for index in range(3):
            UserFactory(username=f"peer{index}")
            nominate(users["nominator"], nominee=f"peer{index}")
        UserFactory(username="one-too-many")
        with pytest.raises(ValidationError) as error:
            nominate(users["nominator"], nominee="one-too-many")
        assert "limit of 3" in error.value.errors["non_field_errors"][0]
        assert Nomination.objects.filter(nominator=users["nominator"]).count() == 3

    def test_withdrawn_nominations_free_a_slot_and_cap_is_configurable(self, cycle, users):
        cycle.program.max_nominations_per_nominator = 1
        cycle.program.save()
        first = nominate(users["nominator"]).nomination
        UserFactory(username="second")
        with pytest.raises(ValidationError):
            nominate(users["nominator"], nominee="second")
        api.withdraw_nomination(nomination_id=first.id, actor=users["nominator"])
        assert nominate(users["nominator"], nominee="second").nomination is not None

    def test_cap_is_per_cycle(self, cycle, users):
        cycle.program.max_nominations_per_nominator = 1
        cycle.program.save()
        nominate(users["nominator"])
        CycleFactory(year=2027)
        assert nominate(users["nominator"], year=2027).nomination is not None


class TestVisibility:
    """Who sees which nominations."""
    def test_listing_shows_each_person_their_own(self, cycle, users, organization):
        peer = nominate(users["nominator"]).nomination
        draft_about_nominee = nominate(users["endorser"], track="innovator").nomination
        api.submit_nomination(nomination_id=peer.id, actor=users["nominator"])
        org = api.create_nomination(nominator=users["learner"], cycle_year=2026, track_slug="advocate",
                                    nominee_organization_slug="acme",
                                    justifications=full_justifications("advocate")).nomination
        api.submit_nomination(nomination_id=org.id, actor=users["learner"])

        def ids(user, **kwargs):
            return {n.id for n in api.list_nominations(user=user, **kwargs).items}

        assert ids(users["nominator"]) == {peer.id}
        # The nominee sees what names them once submitted, including through their organization,
        # but not someone's draft about them.
        assert ids(users["nominee"]) == {peer.id, org.id}
        assert ids(users["endorser"]) == {draft_about_nominee.id}
        assert ids(users["learner"]) == {org.id}
        assert ids(users["staff"]) == set()
        assert ids(users["staff"], include_all=True) == {peer.id, draft_about_nominee.id, org.id}
        # include_all means nothing for someone who is not staff.
        assert ids(users["learner"], include_all=True) == {org.id}

    def test_roles(self, cycle, users):
        draft = nominate(users["nominator"]).nomination
        assert api.nomination_roles(user=users["nominator"], nomination_id=draft.id) == {api.ROLE_NOMINATOR}
        assert api.nomination_roles(user=users["nominee"], nomination_id=draft.id) == set()
        assert api.nomination_roles(user=users["staff"], nomination_id=draft.id) == {api.ROLE_STAFF}
        assert api.nomination_roles(user=users["learner"], nomination_id=draft.id) == set()
        api.submit_nomination(nomination_id=draft.id, actor=users["nominator"])
        assert api.nomination_roles(user=users["nominee"], nomination_id=draft.id) == {api.ROLE_NOMINEE}
        assert api.nomination_roles(user=users["nominee"], nomination_id=999999) == set()
