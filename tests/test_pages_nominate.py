"""
The nomination form at /distinguished/nominate/, used as a person would: step 1 (whom, which
track), step 2 (the case, or support for an existing nomination), errors next to their fields and
nothing typed lost, evidence rows without JavaScript, and a form posted twice.
"""
import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Cycle, Endorsement, MessageLog, Nomination, NominationTransition, Program

from .factories import UserFactory
from .membership_fixtures import add_term
from .review_fixtures import full_justifications, submitted_nomination

pytestmark = pytest.mark.django_db

URL = "/distinguished/nominate/"


def step_two(client, **choice):
    """Step 1 posted with ``choice``; returns the response (a redirect to step 2 when accepted)."""
    return client.post(URL, {"step": "choose", **choice})


def case_data(track="engineer", **extra):
    """A complete case: a justification for every criterion, one evidence link."""
    data = {f"justification-{slug}": text for slug, text in full_justifications(track).items()}
    data.update({"step": "write", "evidence": ["https://github.com/openedx/pull/1"], "form_token": "t-1"})
    data.update(extra)
    return data


def text_of(response):
    return unescape(response.content.decode())


def written():
    """What nominating can write: nominations, their history, endorsements and queued e-mails."""
    return (Nomination.objects.count(), NominationTransition.objects.count(), Endorsement.objects.count(),
            MessageLog.objects.count())


def test_anonymous_visitors_sign_in_and_come_back(cycle, client, settings):
    response = client.get(URL + "?track=engineer")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == settings.LOGIN_URL
    assert parse_qs(target.query)["next"] == ["/distinguished/nominate/?track=engineer"]


def test_step_one_says_whether_nominations_are_open_and_what_is_left(cycle, client, users):
    submitted_nomination(users["nominator"], users["nominee"])
    client.force_login(users["nominator"])
    html = text_of(client.get(URL))
    assert "nominations for <strong>Cycle 2026</strong> are open" in html
    assert "You can still make 2 nominations of the 3 each person may make in this cycle." in html
    # Every track as a card: who qualifies, the criteria with their weights and descriptions, the incentives.
    for track in api.list_tracks():
        assert f'value="{track.slug}"' in html and track.who_qualifies in html
        for criterion in track.criteria:
            assert criterion.description in html
        for incentive in track.incentives:
            assert incentive.name in html
    assert "weight 2.00" in html


def test_closed_nominations_show_when_they_open_and_no_form(db, program, client, users):
    Cycle.objects.create(program=Program.objects.get(), year=2027, name="Cycle 2027",
                         nominations_open_at=timezone.now() + timedelta(days=5),
                         nominations_close_at=timezone.now() + timedelta(days=30),
                         review_deadline=timezone.now() + timedelta(days=60),
                         decision_date=timezone.now() + timedelta(days=70),
                         announcement_at=timezone.now() + timedelta(days=80),
                         ends_at=timezone.now() + timedelta(days=400))
    client.force_login(users["nominator"])
    html = text_of(client.get(URL))
    assert "nominations for <strong>Cycle 2027</strong> open" in html
    assert 'name="step"' not in html
    # Step 2 addresses are refused the same way: no form while closed.
    assert 'name="step"' not in text_of(client.get(URL + "?as=self&track=engineer"))


def test_step_one_resolves_a_peer_by_email_and_puts_only_the_username_in_the_address(cycle, client, users):
    client.force_login(users["nominator"])
    response = step_two(client, **{"as": "peer", "track": "engineer", "nominee": "NOMINEE@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/distinguished/nominate/?as=peer&track=engineer&nominee=nominee"
    html = text_of(client.get(response["Location"]))
    assert "You are nominating <strong>Nominee</strong> (username nominee) for <strong>Distinguished Engineer" \
           "</strong>" in html
    assert "example.com" not in response["Location"]


@pytest.mark.parametrize("choice, field, message", [
    ({"as": "peer", "track": "engineer", "nominee": "nobody-here"}, "nominee",
     "No active account has the username or e-mail address 'nobody-here'."),
    ({"as": "peer", "track": "engineer", "nominee": ""}, "nominee", "Give the username or e-mail address"),
    ({"as": "peer", "track": "engineer", "nominee": "nominator"}, "nominee", "That is your own account"),
    ({"as": "peer", "track": "no-such-track", "nominee": "nominee"}, "track-list", "Choose one of the tracks."),
    ({"as": "organization", "track": "engineer", "organization": "nope"}, "organization",
     "Choose one of the partner organizations."),
    ({"as": "", "track": "engineer"}, "as-self", "Choose whom you nominate"),
])
def test_step_one_errors_sit_next_to_their_field_and_keep_the_input(cycle, client, users, organization, choice,
                                                                    field, message):
    client.force_login(users["nominator"])
    before = written()
    response = step_two(client, **choice)
    html = text_of(response)
    assert response.status_code == 400
    assert re.search(rf'<p class="od-error" id="{field}-error">{re.escape(message)}', html), html
    assert 'class="od-errors-summary"' in html
    if choice.get("nominee"):
        assert f'value="{choice["nominee"]}"' in html
    assert written() == before


def test_an_ineligible_nominee_is_refused_with_the_reason(cycle, client, users):
    add_term(users["nominee"], "engineer", cycle, "lifetime")
    client.force_login(users["nominator"])
    response = step_two(client, **{"as": "peer", "track": "engineer", "nominee": "nominee"})
    assert response.status_code == 400
    assert "Nominee is already a lifetime member of Distinguished Engineer." in text_of(response)


def test_a_peer_nomination_submitted_waits_for_consent(cycle, client, users):
    client.force_login(users["nominator"])
    response = client.post(URL + "?as=peer&track=engineer&nominee=nominee", case_data(action="submit"),
                           follow=True)
    nomination = Nomination.objects.get()
    assert (nomination.status, nomination.nominee_user, nomination.kind) == (
        "awaiting_consent", users["nominee"], "peer")
    assert nomination.evidence_links == ["https://github.com/openedx/pull/1"]
    assert response.redirect_chain[-1][0] == f"/distinguished/nominations/{nomination.pk}/"
    assert "We have asked Nominee to consent" in text_of(response)


def test_a_draft_is_saved_even_when_incomplete(cycle, client, users):
    client.force_login(users["nominee"])
    data = case_data(action="draft")
    data["justification-significant-contributions"] = ""
    response = client.post(URL + "?as=self&track=engineer", data)
    nomination = Nomination.objects.get()
    assert response.status_code == 302 and nomination.status == "draft" and nomination.kind == "self"
    assert response["Location"] == f"/distinguished/nominations/{nomination.pk}/"


def test_a_refused_submission_keeps_every_field_and_writes_nothing(cycle, client, users):
    client.force_login(users["nominee"])
    data = case_data(action="submit")
    data["justification-significant-contributions"] = "   "
    data["justification-community-support"] = "y" * 5001
    data["evidence"] = ["https://github.com/openedx/pull/1", "not a link"]
    before = written()
    response = client.post(URL + "?as=self&track=engineer", data)
    html = text_of(response)
    assert response.status_code == 400 and written() == before
    # Each criterion's error is next to its textarea, and the textarea is marked invalid.
    assert re.search(r'id="justification-significant-contributions"[^>]*aria-invalid="true"', html)
    assert 'id="justification-community-support-error">Write at most 5000 characters (this has 5001)' in html
    assert 'id="evidence-error">&#x27;not a link&#x27; is not a valid' in response.content.decode()
    # Nothing typed is lost.
    for slug, text in full_justifications().items():
        if slug not in ("significant-contributions", "community-support"):
            assert f">{text}</textarea>" in html
    assert "y" * 5001 in html
    assert 'value="not a link"' in html and 'value="https://github.com/openedx/pull/1"' in html
    assert 'value="t-1"' in html  # the same form token, so that the corrected post is still one nomination


def test_evidence_rows_are_added_and_removed_without_javascript(cycle, client, users):
    client.force_login(users["nominee"])
    address = URL + "?as=self&track=engineer"
    data = case_data(action="add-link")
    html = text_of(client.post(address, data))
    assert html.count('name="evidence"') == 2
    data = case_data(action="remove-0", evidence=["https://a.example", "https://b.example"])
    html = text_of(client.post(address, data))
    assert html.count('name="evidence"') == 1 and 'value="https://b.example"' in html
    assert "https://a.example" not in html
    # Nothing was written by either button, and the texts survived.
    assert not Nomination.objects.exists()
    assert f">{full_justifications()['significant-contributions']}</textarea>" in html


def test_at_most_the_allowed_evidence_rows(cycle, client, users, settings):
    settings.DISTINGUISHED_MAX_EVIDENCE_LINKS = 2
    client.force_login(users["nominee"])
    html = text_of(client.post(URL + "?as=self&track=engineer",
                               case_data(action="add-link", evidence=["https://a.example", "https://b.example"])))
    assert html.count('name="evidence"') == 2 and 'value="add-link"' not in html


def test_a_form_posted_twice_makes_one_nomination(cycle, client, users):
    client.force_login(users["nominator"])
    address = URL + "?as=peer&track=engineer&nominee=nominee"
    first = client.post(address, case_data(action="submit"))
    second = client.post(address, case_data(action="submit"))
    nomination = Nomination.objects.get()
    assert first["Location"] == second["Location"] == f"/distinguished/nominations/{nomination.pk}/"
    assert MessageLog.objects.filter(message_name="consent_request").count() == 1


def test_someone_already_nominated_turns_the_form_into_support(cycle, client, users):
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    client.force_login(users["endorser"])
    response = client.get(URL + "?as=peer&track=engineer&nominee=nominee")
    html = text_of(response)
    assert "Nominee is already nominated for Distinguished Engineer in this cycle." in html
    assert 'value="endorse"' in html and 'value="submit"' not in html
    # Nothing of the existing nomination is revealed: not who made it, not its status.
    assert "nominator" not in html.lower().replace("the nominator and the nominee", "")
    assert "submitted" not in html.lower()
    data = case_data(action="endorse")
    response = client.post(URL + "?as=peer&track=engineer&nominee=nominee", data, follow=True)
    endorsement = Endorsement.objects.get()
    assert (endorsement.nomination_id, endorsement.endorser) == (nomination.id, users["endorser"])
    assert response.redirect_chain[-1][0] == "/distinguished/nominations/"
    assert "Nominee, for Distinguished Engineer" in text_of(response)
    assert MessageLog.objects.filter(message_name="endorsement_received", recipient=users["nominator"]).count() == 1


def test_support_without_a_word_is_refused_next_to_the_case(cycle, client, users):
    submitted_nomination(users["nominator"], users["nominee"])
    client.force_login(users["endorser"])
    data = {"step": "write", "action": "endorse", "form_token": "t-2", "evidence": [""]}
    response = client.post(URL + "?as=peer&track=engineer&nominee=nominee", data)
    assert response.status_code == 400 and not Endorsement.objects.exists()
    assert "Say, for at least one criterion, why you support this nomination." in text_of(response)


def test_ones_own_nomination_and_support_are_pointed_to(cycle, client, users):
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    client.force_login(users["nominator"])
    html = text_of(client.get(URL + "?as=peer&track=engineer&nominee=nominee"))
    assert "You have already nominated Nominee for Distinguished Engineer" in html
    assert f'href="/distinguished/nominations/{nomination.id}/"' in html and 'name="step"' not in html
    api.endorse_nomination(endorser=users["endorser"], cycle_year=2026, track_slug="engineer",
                           nominee_username="nominee", justifications={"significant-contributions": "Yes."})
    client.force_login(users["endorser"])
    html = text_of(client.get(URL + "?as=peer&track=engineer&nominee=nominee"))
    assert "You already support the nomination of Nominee" in html and 'name="step"' not in html


def test_an_existing_draft_is_opened_for_editing(cycle, client, users):
    draft = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                  nominee_username="nominee").nomination
    client.force_login(users["nominator"])
    response = client.get(URL + "?as=peer&track=engineer&nominee=nominee")
    assert response.status_code == 302 and response["Location"] == f"/distinguished/nominations/{draft.id}/edit/"


def test_the_cap_stops_new_nominations_but_not_support(cycle, client, users):
    Program.objects.update(max_nominations_per_nominator=1)
    submitted_nomination(users["nominator"], users["nominee"])
    other = UserFactory(username="other")
    submitted_nomination(other, other)
    client.force_login(users["nominator"])
    html = text_of(client.get(URL + "?as=self&track=engineer"))
    assert "You have made the 1 nominations each person may make in this cycle." in html
    assert 'value="submit"' not in html
    html = text_of(client.get(URL + "?as=peer&track=engineer&nominee=other"))
    assert 'value="endorse"' in html


def test_an_organization_contact_nominating_it_is_a_self_nomination(cycle, client, users, organization):
    client.force_login(users["nominee"])
    response = step_two(client, **{"as": "organization", "track": "advocate", "organization": "acme"})
    assert response["Location"] == "/distinguished/nominate/?as=organization&track=advocate&organization=acme"
    client.post(response["Location"], case_data("advocate", action="submit"))
    nomination = Nomination.objects.get()
    assert (nomination.nominee_organization, nomination.kind, nomination.status) == (
        organization, "self", "submitted")
