"""
My nominations, a nomination's page, and what people do there: finish a draft, answer a consent
request, withdraw a nomination or their support; each with its confirmation step and bad input.
"""
import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import NominationStatus
from openedx_distinguished.models import Endorsement, Nomination, NominationTransition, Program

from .factories import UserFactory
from .review_fixtures import full_justifications, submitted_nomination

pytestmark = pytest.mark.django_db

MINE = "/distinguished/nominations/"


def text_of(response):
    return unescape(response.content.decode())


def peer_nomination(users, submit=True):
    """The nominator's peer nomination of the nominee, submitted (awaiting consent) or a draft."""
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                    nominee_username="nominee", justifications=full_justifications(),
                                    evidence_links=["https://github.com/openedx/pull/7"], submit=submit)
    return outcome.nomination


def endorse(user, nominee="nominee"):
    return api.endorse_nomination(endorser=user, cycle_year=2026, track_slug="engineer", nominee_username=nominee,
                                  justifications={"significant-contributions": "I reviewed their pull requests."}
                                  ).endorsement


class TestMyNominations:
    """The three lists, in words, with a timeline and what happens next."""

    def test_made_about_me_and_supported(self, cycle, client, users):
        nomination = peer_nomination(users)
        other = UserFactory(username="other", first_name="Olga")
        submitted_nomination(other, other)
        endorse(users["nominator"], nominee="other")
        client.force_login(users["nominator"])
        html = text_of(client.get(MINE))
        made = html[html.index("Nominations I made"):html.index("Nominations of me")]
        supported = html[html.index("Nominations I support"):]
        assert "Nominee, for Distinguished Engineer" in made
        assert "Waiting for the nominee's consent" in made
        assert "We have asked Nominee to consent." in made
        assert "Olga, for Distinguished Engineer" in supported and "Under consideration" in supported
        assert f'href="/distinguished/nominations/{nomination.id}/withdraw/"' in made

        client.force_login(users["nominee"])
        html = text_of(client.get(MINE))
        about = html[html.index("Nominations of me"):html.index("Nominations I support")]
        assert "You, for Distinguished Engineer" in about and "Nominated by Nominator" in about
        assert f'href="/distinguished/nominations/{nomination.id}/#consent"' in about
        # The nominee answers the consent request; withdrawing is for afterwards.
        assert f"/distinguished/nominations/{nomination.id}/withdraw/" not in about

    def test_statuses_are_words_never_codes(self, cycle, client, users):
        peer_nomination(users)
        api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="advocate",
                              nominee_username="learner")
        client.force_login(users["nominator"])
        html = text_of(client.get(MINE))
        body = html[html.index("<h1>"):html.index("</main>")]
        visible = re.sub(r"<[^>]+>", " ", body)
        for status in NominationStatus:
            if "_" in status.value:
                assert status.value not in visible
        assert "Draft" in visible and "Only you can see this draft." in visible
        assert "Started as a draft" in visible and "Submitted; the nominee was asked to consent" in visible

    def test_empty_states_invite_to_act(self, cycle, client, users):
        client.force_login(users["learner"])
        html = text_of(client.get(MINE))
        assert "You have not nominated anyone yet." in html
        assert "Nobody else has nominated you." in html and "You support no nomination." in html
        assert 'href="/distinguished/nominate/"' in html

    def test_anonymous_is_sent_to_sign_in(self, cycle, client):
        response = client.get(MINE)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


class TestNominationPage:
    """The case, its status and history, and consent for the nominee."""

    def test_nominee_reads_the_case_and_is_asked_to_consent(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        html = text_of(client.get(f"{MINE}{nomination.id}/"))
        assert "Do you accept this nomination?" in html
        assert f'href="{MINE}{nomination.id}/consent/?answer=accept"' in html
        assert f'href="{MINE}{nomination.id}/consent/?answer=decline"' in html
        for text in full_justifications().values():
            assert text in html
        assert "https://github.com/openedx/pull/7" in html

    @pytest.mark.parametrize("who", ["learner", "endorser"])
    def test_others_get_not_found(self, cycle, client, users, who):
        nomination = peer_nomination(users)
        if who == "endorser":
            endorse(users["endorser"])
        client.force_login(users[who])
        assert client.get(f"{MINE}{nomination.id}/").status_code == 404

    def test_a_draft_is_the_nominators_alone(self, cycle, client, users):
        draft = peer_nomination(users, submit=False)
        client.force_login(users["nominee"])
        assert client.get(f"{MINE}{draft.id}/").status_code == 404
        client.force_login(users["nominator"])
        html = text_of(client.get(f"{MINE}{draft.id}/"))
        assert f'href="{MINE}{draft.id}/edit/"' in html and "Discard the draft" in html

    def test_supporters_names_but_not_their_words(self, cycle, client, users):
        nomination = peer_nomination(users)
        api.respond_to_nomination(nomination_id=nomination.id, actor=users["nominee"], decision="accept")
        endorse(users["endorser"])
        client.force_login(users["nominator"])
        html = text_of(client.get(f"{MINE}{nomination.id}/"))
        assert "Endorser, on" in html and "I reviewed their pull requests." not in html
        client.force_login(users["staff"])
        assert "I reviewed their pull requests." in text_of(client.get(f"{MINE}{nomination.id}/"))

    def test_a_refusal_reason_is_for_staff_and_its_author(self, cycle, client, users):
        nomination = peer_nomination(users)
        api.respond_to_nomination(nomination_id=nomination.id, actor=users["nominee"], decision="decline",
                                  reason="Not this year, thank you.")
        client.force_login(users["nominator"])
        html = text_of(client.get(f"{MINE}{nomination.id}/"))
        assert "The nominee declined to be nominated" in html and "Not this year" not in html
        for who in ("nominee", "staff"):
            client.force_login(users[who])
            assert "Not this year, thank you." in text_of(client.get(f"{MINE}{nomination.id}/"))


class TestConsent:
    """Accept or decline, after a confirmation page."""

    def test_accept_after_confirmation(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        confirm = text_of(client.get(f"{MINE}{nomination.id}/consent/?answer=accept"))
        assert "Accept the nomination?" in confirm and Nomination.objects.get().status == "awaiting_consent"
        response = client.post(f"{MINE}{nomination.id}/consent/", {"answer": "accept"}, follow=True)
        assert Nomination.objects.get().status == "submitted"
        assert "the nomination goes to the review panel" in text_of(response)

    def test_decline_with_a_reason(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        client.post(f"{MINE}{nomination.id}/consent/", {"answer": "decline", "reason": "Too busy."})
        assert Nomination.objects.get().status == "consent_refused"
        assert NominationTransition.objects.filter(to_status="consent_refused", reason="Too busy.").exists()

    def test_a_too_long_reason_is_refused_next_to_its_field(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        response = client.post(f"{MINE}{nomination.id}/consent/", {"answer": "decline", "reason": "z" * 2001})
        html = text_of(response)
        assert response.status_code == 400 and 'id="reason-error"' in html and "z" * 2001 in html
        assert Nomination.objects.get().status == "awaiting_consent"

    def test_answering_twice_says_so(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        client.post(f"{MINE}{nomination.id}/consent/", {"answer": "accept"})
        response = client.post(f"{MINE}{nomination.id}/consent/", {"answer": "decline"}, follow=True)
        assert "not waiting for your answer any more" in text_of(response)
        assert Nomination.objects.get().status == "submitted"

    def test_an_unknown_answer_changes_nothing(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominee"])
        response = client.post(f"{MINE}{nomination.id}/consent/", {"answer": "maybe"})
        assert response.status_code == 302 and Nomination.objects.get().status == "awaiting_consent"

    def test_only_the_nominee_answers(self, cycle, client, users):
        nomination = peer_nomination(users)
        client.force_login(users["nominator"])
        assert client.post(f"{MINE}{nomination.id}/consent/", {"answer": "accept"}).status_code == 403
        assert Nomination.objects.get().status == "awaiting_consent"


class TestWithdrawAndEdit:
    """Withdrawing after a confirmation; finishing a draft."""

    def test_withdraw_after_confirmation(self, cycle, client, users):
        nomination = submitted_nomination(users["nominator"], users["nominee"])
        client.force_login(users["nominator"])
        assert "Withdraw the nomination?" in text_of(client.get(f"{MINE}{nomination.id}/withdraw/"))
        assert Nomination.objects.get().status == "submitted"
        client.post(f"{MINE}{nomination.id}/withdraw/", {"reason": "Changed my mind."})
        assert Nomination.objects.get().status == "withdrawn"
        response = client.post(f"{MINE}{nomination.id}/withdraw/", {}, follow=True)
        assert "can no longer be withdrawn" in text_of(response)

    def test_finish_a_draft_keeps_text_on_error_and_submits(self, cycle, client, users):
        draft = peer_nomination(users, submit=False)
        client.force_login(users["nominator"])
        url = f"{MINE}{draft.id}/edit/"
        data = {f"justification-{slug}": text for slug, text in full_justifications().items()}
        data.update({"evidence": ["ftp://nope"], "action": "submit"})
        response = client.post(url, data)
        assert response.status_code == 400 and 'value="ftp://nope"' in text_of(response)
        assert Nomination.objects.get().status == "draft"
        assert Nomination.objects.get().evidence_links == ["https://github.com/openedx/pull/7"]
        data["evidence"] = ["https://github.com/openedx/pull/8"]
        response = client.post(url, data)
        assert response["Location"] == f"{MINE}{draft.id}/"
        nomination = Nomination.objects.get()
        assert (nomination.status, nomination.evidence_links) == ("awaiting_consent",
                                                                  ["https://github.com/openedx/pull/8"])
        # The page of a submitted nomination's draft form now says so.
        assert client.get(url)["Location"] == f"{MINE}{draft.id}/"

    def test_nobody_else_edits_a_draft(self, cycle, client, users):
        draft = peer_nomination(users, submit=False)
        client.force_login(users["learner"])
        assert client.post(f"{MINE}{draft.id}/edit/", {"action": "submit"}).status_code == 404
        assert Nomination.objects.get().status == "draft"


class TestEndorsements:
    """Withdrawing one's support."""

    def test_withdraw_support_after_confirmation(self, cycle, client, users):
        submitted_nomination(users["nominator"], users["nominee"])
        endorsement = endorse(users["endorser"])
        client.force_login(users["endorser"])
        url = f"/distinguished/endorsements/{endorsement.id}/withdraw/"
        assert "Withdraw your support?" in text_of(client.get(url))
        response = client.post(url, follow=True)
        assert Endorsement.objects.get().withdrawn_at is not None
        assert "Support withdrawn" in text_of(response)

    def test_someone_elses_support_is_not_found(self, cycle, client, users):
        submitted_nomination(users["nominator"], users["nominee"])
        endorsement = endorse(users["endorser"])
        for who in ("nominator", "nominee", "learner"):
            client.force_login(users[who])
            assert client.post(f"/distinguished/endorsements/{endorsement.id}/withdraw/").status_code == 404
        assert Endorsement.objects.get().withdrawn_at is None

    def test_after_the_review_support_stays(self, cycle, client, users):
        submitted_nomination(users["nominator"], users["nominee"])
        endorsement = endorse(users["endorser"])
        now = timezone.now()
        cycle.nominations_open_at, cycle.nominations_close_at = now - timedelta(days=60), now - timedelta(days=40)
        cycle.review_deadline = now - timedelta(days=1)
        cycle.save()
        client.force_login(users["endorser"])
        html = text_of(client.get(MINE))
        assert f"/distinguished/endorsements/{endorsement.id}/withdraw/" not in html
        response = client.post(f"/distinguished/endorsements/{endorsement.id}/withdraw/", follow=True)
        assert "Withdrawing support is not possible" in text_of(response)
        assert Endorsement.objects.get().withdrawn_at is None


@pytest.mark.parametrize("rows", [1, 10, 100])
def test_my_nominations_queries_do_not_grow(cycle, client, users, rows, django_assert_max_num_queries):
    """Nominations made, about me and supported: a fixed number of queries for 1, 10 or 100 of each."""
    Program.objects.update(max_nominations_per_nominator=1000)
    me = users["nominator"]
    for number in range(rows):
        peer = UserFactory(username=f"peer{number}")
        api.create_nomination(nominator=me, cycle_year=2026, track_slug="engineer", nominee_username=peer.username,
                              justifications=full_justifications(), submit=number % 2 == 0)
        if number < 3:
            submitted_nomination(peer, me, track=("advocate", "innovator", "engineer")[number])
        other = UserFactory(username=f"star{number}")
        submitted_nomination(other, other, track="innovator")
        api.endorse_nomination(endorser=me, cycle_year=2026, track_slug="innovator", nominee_username=other.username,
                               justifications={"innovative-tools": "Yes."})
    client.force_login(me)
    with django_assert_max_num_queries(15):
        response = client.get(MINE)
    assert text_of(response).count('class="od-card"') >= 2 * rows
