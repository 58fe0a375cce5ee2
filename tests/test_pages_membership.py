"""
My membership, as a member, an organization's contact, an alumna and a newcomer see it: status,
renewal progress in words, activities, badges and certificates, awards and their address, the
hall-of-fame listing and the referral link; its forms with bad input; its queries.
"""
import re
from datetime import date, timedelta
from html import unescape

import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Activity, Credential, Fulfilment, Incentive, MemberProfile, Onboarding, Track

from .factories import PartnerOrganizationFactory, UserFactory
from .membership_fixtures import add_term, credentialed_member, make_term, released_cycle

pytestmark = pytest.mark.django_db

URL = "/distinguished/membership/"


def text_of(response):
    return unescape(response.content.decode())


def visible(response):
    """The page's main text, tags removed, spaces collapsed."""
    html = text_of(response)
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def member(cycle, users, panels, settings):
    """A member of Distinguished Engineer, released with a credential and a pending physical award."""
    return credentialed_member(users, panels, settings)


def report(person, kind="event", title="Spoke at the meetup", days_ago=1, status="pending", note=""):
    term = api.list_terms(username=person.username).items[0]
    day = max(term.starts_at.date(), date.today() - timedelta(days=days_ago))
    return Activity.objects.create(user=person, activity_type=api_type(kind), title=title, occurred_on=day,
                                   source="self_reported", status=status, review_note=note)


def api_type(slug):
    from openedx_distinguished.models import ActivityType  # pylint: disable=import-outside-toplevel

    return ActivityType.objects.get(slug=slug)


class TestWhatAMemberSees:
    """Status, renewal, activities, badges, awards, listing, referral."""

    def test_status_and_renewal_progress_in_words(self, client, member):
        report(member, status="verified")
        report(member, kind="mentorship", title="Mentored a newcomer")
        term = api.list_terms(username="member").items[0]
        client.force_login(member)
        text = visible(client.get(URL))
        ends = term.ends_at.strftime("%b. %-d, %Y").replace("May.", "May")
        assert f"You are a member of Distinguished Engineer until {ends}." in text
        assert "1 of 1 qualifying activity verified; Event, Working group, Mentorship count." in text
        assert "1 more is waiting for verification by program staff." in text
        assert f"You meet the retention rule: the annual evaluation after {ends} will renew your membership." in text

    def test_what_is_still_needed(self, client, member):
        client.force_login(member)
        text = visible(client.get(URL))
        assert "0 of 1 qualifying activity verified" in text
        assert "Still needed: 1 verified qualifying activity before" in text

    def test_activities_with_their_status_and_staff_note(self, client, member):
        report(member, title="Wrote a blog post", kind="content", status="rejected", note="No link to the post.")
        client.force_login(member)
        text = visible(client.get(URL))
        assert "Wrote a blog post" in text and "Not verified" in text and "Staff: No link to the post." in text
        assert "rejected" not in text and "self_reported" not in text
        html = text_of(client.get(URL))
        options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', html)
        counting = [slug for slug, label in options if "counts for renewal" in label]
        # The kinds that count come first and are marked.
        assert sorted(counting) == ["event", "mentorship", "working_group"]
        assert [slug for slug, _ in options][:3] == counting

    def test_badges_and_certificate(self, client, member):
        credential = Credential.objects.get()
        client.force_login(member)
        html = text_of(client.get(URL))
        for path in (f"/distinguished/verify/{credential.public_id}/",
                     f"/distinguished/certificates/{credential.public_id}.pdf",
                     f"/distinguished/badges/{credential.public_id}/v3.png",
                     f"/distinguished/badges/{credential.public_id}/v3.svg",
                     f"/distinguished/badges/{credential.public_id}/v2.png",
                     f"/distinguished/badges/v3/credentials/{credential.public_id}/?format=jwt"):
            assert f"https://lms.example.org{path}" in html
        assert "https://www.linkedin.com/profile/add?" in html and "Add to LinkedIn profile" in html
        assert 'data-od-copy="share-1"' in html

    def test_award_address_form_and_its_errors(self, client, member):
        fulfilment = Fulfilment.objects.get()
        client.force_login(member)
        assert "Where should we ship it?" in text_of(client.get(URL))
        response = client.post(URL, {"form": "address", "fulfilment": fulfilment.pk, "name": "Margaret",
                                     "address": ""})
        html = text_of(response)
        assert response.status_code == 400
        assert f'id="address-{fulfilment.pk}-error">Give the full postal address' in html
        assert f'id="name-{fulfilment.pk}"' in html and 'value="Margaret"' in html
        assert Fulfilment.objects.get().shipping_address == ""
        response = client.post(URL, {"form": "address", "fulfilment": fulfilment.pk, "name": "Margaret Hamilton",
                                     "address": "1 Apollo Way\nBoston"})
        assert response.status_code == 302 and response["Location"] == URL + "#awards"
        assert Fulfilment.objects.get().shipping_address == "1 Apollo Way\nBoston"
        assert "Shipping address (you can still change it)" in text_of(client.get(URL))

    @pytest.mark.parametrize("fulfilment", ["other", "², ", "99999"])
    def test_someone_elses_or_no_award_is_not_found(self, client, users, member, fulfilment):
        value = str(Fulfilment.objects.get().pk) if fulfilment == "other" else fulfilment
        client.force_login(users["learner"])
        response = client.post(URL, {"form": "address", "fulfilment": value, "name": "X", "address": "Y"})
        assert response.status_code == 404
        assert Fulfilment.objects.get().shipping_address == ""

    def test_listing_toggle_shows_its_state(self, client, member):
        client.force_login(member)
        assert "You are not listed" in visible(client.get(URL))
        assert "Margaret Hamilton" not in visible(client.get("/distinguished/"))
        response = client.post(URL, {"form": "listing", "listed": "yes"}, follow=True)
        assert "You are listed" in visible(response) and MemberProfile.objects.get().listed
        assert "Margaret Hamilton" in visible(client.get("/distinguished/"))
        client.post(URL, {"form": "listing", "listed": "no"})
        assert not MemberProfile.objects.get().listed

    def test_referral_link_and_what_it_brought(self, client, member):
        Onboarding.objects.create(member=member, referred_user=UserFactory(username="newbie"), year=2026)
        Onboarding.objects.create(member=member, organization_name="Campus Lab", year=2026)
        client.force_login(member)
        text = visible(client.get(URL))
        code = member.distinguished_referral_code.code
        assert f"https://lms.example.org/distinguished/join/{code}/" in text_of(client.get(URL))
        assert "1 person registered through your link." in text
        assert "1 partner organization is recorded as brought in by you." in text

    def test_an_unknown_form_is_refused(self, client, member):
        client.force_login(member)
        assert client.post(URL, {"form": "nope"}).status_code == 404


def test_an_organizations_contact_sees_its_membership(cycle, client, users):
    acme = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    acme.contacts.add(users["learner"])
    add_term(acme, "advocate", cycle, "active")
    client.force_login(users["learner"])
    text = visible(client.get(URL))
    assert "Acme Learning , which you are a contact of, is a member of Distinguished Advocate" in text


def test_alumni_and_newcomers(cycle, client, users):
    make_term(users["learner"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=500, status="lapsed")
    client.force_login(users["learner"])
    text = visible(client.get(URL))
    assert "You are among the program's alumni." in text and "Ended (alumni)" in text
    assert "Report an activity" not in text
    client.force_login(users["nominee"])
    text = visible(client.get(URL))
    assert "You are not a Distinguished Contributor yet." in text and "Nominate yourself or a peer" in text


@pytest.mark.parametrize("rows", [1, 10, 100])
def test_my_membership_queries_do_not_grow(cycle, client, users, panels, settings, rows,
                                           django_assert_max_num_queries):
    """Activities, past terms, onboardings and incentives owed: fixed queries for 1, 10 or 100 of each."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    person = UserFactory(username="member")
    released_cycle(users, panels, [person])
    track = Track.objects.get(slug="innovator")
    for number in range(rows):
        report(person, title=f"Activity {number}", status=("pending", "verified", "rejected")[number % 3])
        make_term(person, track, cycle, starts_days_ago=400 + 400 * number, status="lapsed", sequence=number + 1)
        Onboarding.objects.create(member=person, organization_name=f"Org {number}", year=2026)
        Incentive.objects.create(track=Track.objects.get(slug="engineer"), slug=f"perk-{number}", name=f"Perk {number}",
                                 kind="opportunity")
    api.ensure_current_deliverables()
    client.force_login(person)
    # 31: the share kit reads the panel's citations and the program's name.
    with django_assert_max_num_queries(31):
        response = client.get(URL)
    assert visible(response).count("Activity ") >= rows
    assert visible(response).count("Perk ") == rows
