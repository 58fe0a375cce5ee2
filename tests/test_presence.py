"""
The hall of fame, member pages, the feed and profile badges: who appears, and who never does.
"""
from datetime import timedelta

import pytest
from openedx_filters import PipelineStep

from openedx_distinguished import api, freshness, presence
from openedx_distinguished.models import MembershipTerm, Track

from .factories import PartnerOrganizationFactory, UserFactory
from .membership_fixtures import add_term, make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cycle, users, settings):
    """Listed and unlisted members in every status, with credentials."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    engineer, innovator = Track.objects.get(slug="engineer"), Track.objects.get(slug="innovator")
    made = {}
    for username, track, status, days in (("ada", innovator, "lifetime", 30), ("grace", engineer, "active", 30),
                                          ("linus", engineer, "lapsed", 800), ("hidden", engineer, "active", 30),
                                          ("bad", engineer, "active", 30)):
        person = UserFactory(username=username, first_name=username.capitalize(), last_name="Example")
        term = make_term(person, track, cycle, starts_days_ago=days, status=status)
        if status == "lifetime":
            MembershipTerm.objects.filter(pk=term.pk).update(ends_at=None)
        if status != "lapsed":
            api.issue_credential(term_id=term.pk)
        if username != "hidden":
            api.set_listing(user=person, listed=True)
        made[username] = person
    api.revoke_term(term_id=MembershipTerm.objects.get(holder_user=made["bad"]).pk, actor=None, reason="Conduct.")
    return made


def names(entries):
    return sorted(entry["name"] for entry in entries)


def test_sections_and_privacy(people, client):
    data = api.hall_of_fame()
    assert names(data["sections"]["current"]["engineer"]) == ["Grace Example"]
    assert names(data["sections"]["lifetime"]) == ["Ada Example"]
    assert names(data["sections"]["alumni"]) == ["Linus Example"]
    html = client.get("/distinguished/").content.decode()
    assert "Grace Example" in html and "Ada Example" in html and "Linus Example" in html
    for never in ("Hidden Example", "Bad Example"):  # not listed; revoked
        assert never not in html
    assert 'alt="Distinguished Engineer badge"' in html and "//cdn" not in html


def test_filters(people, client):
    assert names(api.hall_of_fame(track_slug="innovator")["sections"]["lifetime"]) == ["Ada Example"]
    assert not api.hall_of_fame(track_slug="innovator")["sections"]["current"]["engineer"]
    linus_year = MembershipTerm.objects.get(holder_user=people["linus"]).starts_at.year
    only_then = api.hall_of_fame(year=linus_year - 1)
    assert not only_then["sections"]["alumni"]
    # A year that is not one is refused with its message next to the filter, not ignored.
    refused = client.get("/distinguished/?track=engineer&year=nonsense")
    assert refused.status_code == 400 and 'id="year-error"' in refused.content.decode()


def test_retired_users_disappear(people, client):
    api.retire_user(user_id=people["grace"].pk)
    assert "Grace" not in client.get("/distinguished/").content.decode()
    assert "Grace" not in client.get("/distinguished/feed.json").content.decode()


def test_hall_of_fame_queries_do_not_grow(people, cycle, client, django_assert_max_num_queries,
                                          django_capture_on_commit_callbacks):
    with django_assert_max_num_queries(6) as few:
        client.get("/distinguished/?section=current")
    engineer = Track.objects.get(slug="engineer")
    with django_capture_on_commit_callbacks(execute=True):  # the changes commit: the lists are made anew
        for index in range(20):
            person = UserFactory(username=f"extra{index}")
            api.issue_credential(term_id=make_term(person, engineer, cycle, starts_days_ago=10).pk)
            api.set_listing(user=person, listed=True)
    verifiable = sum(1 for entries in api.hall_of_fame()["sections"]["current"].values() for entry in entries
                     if entry["verify_url"])
    assert verifiable >= 21
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/distinguished/?section=current").content.decode().count("Verify the badge") == verifiable
    # Until the next change, the lists are read from the cache: no query for them at all.
    with django_assert_max_num_queries(0):
        client.get("/distinguished/?section=current")


def test_the_first_view_shows_the_first_of_each_list_and_links_to_all(
        people, cycle, client, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(presence, "PAGE_ENTRIES", 20)
    engineer = Track.objects.get(slug="engineer")
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(30):
            person = UserFactory(username=f"many{index}")
            make_term(person, engineer, cycle, starts_days_ago=10)
            api.set_listing(user=person, listed=True)
    total = len(api.hall_of_fame()["sections"]["current"]["engineer"])
    first = client.get("/distinguished/").content.decode()
    assert first.count('class="od-card"') <= 12 + 2 * 12 + 12  # a dozen a list at most
    assert f"All {total} current members: Distinguished Engineer" in first
    listed = []
    for number in (1, 2):
        page = client.get(f"/distinguished/?section=current&track=engineer&page={number}")
        assert page.status_code == 200
        page = page.content.decode()
        listed.append(page.count('class="od-card"'))
    assert total > 20 and listed == [20, total - 20]
    assert client.get("/distinguished/?section=nowhere").status_code == 400
    assert client.get("/distinguished/?section=current&page=99").status_code == 400
    assert client.get("/distinguished/?page=0").status_code == 400


def test_member_page(people, client):
    slug = people["ada"].distinguished_profile.slug
    page = client.get(f"/distinguished/members/{slug}/")
    assert page.status_code == 200 and "Lifetime member" in page.content.decode()
    assert client.get("/distinguished/members/hidden-example/").status_code == 404
    assert client.get("/distinguished/members/nobody/").status_code == 404


def test_feed_is_public_json_with_cors(people, client):
    response = client.get("/distinguished/feed.json")
    assert response["Access-Control-Allow-Origin"] == "*" and "max-age" in response["Cache-Control"]
    data = response.json()
    assert [e["name"] for e in data["lifetime"]] == ["Ada Example"]
    assert data["current"]["engineer"][0]["verify_url"].startswith("https://lms.example.org/distinguished/verify/")


@pytest.mark.parametrize("viewer, expected", [("anonymous", 1), ("learner", 1), ("grace", 1), ("staff", 1)])
def test_profile_badges_of_a_listed_member(people, users, client_for, viewer, expected):
    who = None if viewer == "anonymous" else (people.get(viewer) or users[viewer])
    response = client_for(who).get("/api/distinguished/v1/profiles/grace/")
    assert response.status_code == 200
    assert len(response.json()["badges"]) == expected


@pytest.mark.parametrize("viewer, expected", [("anonymous", 0), ("learner", 0), ("hidden", 1), ("staff", 1)])
def test_unlisted_members_show_only_to_themselves_and_staff(people, users, client_for, viewer, expected):
    who = None if viewer == "anonymous" else (people.get(viewer) or users[viewer])
    assert len(client_for(who).get("/api/distinguished/v1/profiles/hidden/").json()["badges"]) == expected


def test_a_private_default_visibility_hides_everyone_who_saved_nothing(people, client, client_for, settings):
    """A site whose profiles are private by default shows nobody who did not make theirs public."""
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "private"}
    assert client_for().get("/api/distinguished/v1/profiles/grace/").json()["badges"] == []
    assert len(client_for(people["grace"]).get("/api/distinguished/v1/profiles/grace/").json()["badges"]) == 1
    html = client.get("/distinguished/").content.decode()
    assert "Grace" not in html and "Ada" not in html
    slug = people["grace"].distinguished_profile.slug
    assert client.get(f"/distinguished/members/{slug}/").status_code == 404
    assert "Grace" not in client.get("/distinguished/feed.json").content.decode()


def test_profile_badges_queries_are_constant(people, client_for, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client_for().get("/api/distinguished/v1/profiles/ada/").status_code == 200


def test_unknown_and_unlisted_usernames_answer_alike(people, users, client_for):
    """The endpoint cannot tell which usernames exist: nobody, and someone with nothing to show, look the same."""
    unknown = client_for().get("/api/distinguished/v1/profiles/nobody/")
    unlisted = client_for().get(f"/api/distinguished/v1/profiles/{users['learner'].username}/")
    assert unknown.status_code == unlisted.status_code == 200
    assert {**unknown.json(), "username": None} == {**unlisted.json(), "username": None}


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("learner", 200)])
def test_listing_choice(users, client_for, role, status, program):
    who = None if role == "anonymous" else users[role]
    response = client_for(who).put("/api/distinguished/v1/me/listing/", {"listed": True, "slug": "my-page"},
                                   format="json")
    assert response.status_code == status


def test_listing_slug_rules(people, users, client_for):
    client = client_for(users["learner"])
    bad = client.put("/api/distinguished/v1/me/listing/", {"listed": True, "slug": "Not A Slug!"}, format="json")
    assert bad.status_code == 400 and "slug" in bad.json()
    taken = people["ada"].distinguished_profile.slug
    clash = client.put("/api/distinguished/v1/me/listing/", {"listed": True, "slug": taken}, format="json")
    assert clash.status_code == 400 and "taken" in clash.json()["slug"][0]


class Reverse(PipelineStep):
    """A site's step that renames the page heading through the context."""

    def run_filter(self, context, template_name):  # pylint: disable=arguments-differ
        context = {**context, "sections": {**context["sections"], "alumni": []}}
        return {"context": context, "template_name": template_name}


def test_hall_of_fame_filter_changes_the_context(people, client, settings):
    settings.OPEN_EDX_FILTERS_CONFIG = {"org.openedx.distinguished.hall_of_fame.render.started.v1": {
        "pipeline": [f"{__name__}.Reverse"], "fail_silently": False}}
    assert "Linus Example" not in client.get("/distinguished/").content.decode()


def test_site_name_and_logo_are_themable(cycle, client, settings):
    html = client.get("/distinguished/").content.decode()
    assert '<span class="od-site">Open edX</span>' in html and "| Open edX</title>" in html
    assert 'href="#main"' in html and '<main id="main"' in html
    settings.PLATFORM_NAME = "Example Academy"
    assert "| Example Academy</title>" in client.get("/distinguished/").content.decode()
    settings.DISTINGUISHED_SITE_NAME = "Open edX Community"
    settings.DISTINGUISHED_LOGO_URL = "/static/community-logo.svg"
    html = client.get("/distinguished/program/").content.decode()
    assert '<img class="od-logo" src="/static/community-logo.svg" alt="Open edX Community"' in html
    assert "| Open edX Community</title>" in html and 'class="od-site"' not in html


def test_listed_organizations_appear_by_name_with_their_years(people, cycle, client):
    listed = PartnerOrganizationFactory(name="Listed Partner", listed=True)
    add_term(listed, "advocate", cycle, "active")
    add_term(PartnerOrganizationFactory(name="Quiet Partner"), "advocate", cycle, "active")
    entries = api.hall_of_fame()["sections"]["current"]["advocate"]
    assert [(e["name"], e["kind"], e["member_url"]) for e in entries] == [("Listed Partner", "organization", None)]
    start = cycle.announcement_at.year
    assert entries[0]["years"] == list(range(start, (cycle.announcement_at + timedelta(days=365)).year + 1))
    assert "Quiet Partner" not in client.get("/distinguished/").content.decode()


def test_profile_badges_carry_the_terms_dates_and_links(people):
    grace = MembershipTerm.objects.select_related("credential").get(holder_user=people["grace"])
    ada = MembershipTerm.objects.select_related("credential").get(holder_user=people["ada"])
    site, art = "https://lms.example.org/distinguished", freshness.artwork_version()
    assert api.profile_badges(username="grace", viewer=None) == {
        "username": "grace", "member_url": f"{site}/members/{people['grace'].distinguished_profile.slug}/",
        "membership_url": None,
        "badges": [{"track": "engineer", "name": "Open edX Distinguished Engineer", "lifetime": False,
                    "valid_until": grace.ends_at, "image_url": f"{site}/badges/art/engineer.svg?v={art}",
                    "verify_url": f"{site}/verify/{grace.credential.public_id}/"}]}
    # Only the profile's owner is led to their membership page.
    assert api.profile_badges(username="grace", viewer=people["grace"])["membership_url"] == f"{site}/membership/"
    assert api.profile_badges(username="grace", viewer=people["ada"])["membership_url"] is None
    (lifetime,) = api.profile_badges(username="ada", viewer=None)["badges"]
    assert (lifetime["lifetime"], lifetime["valid_until"]) == (True, None)
    assert lifetime["verify_url"].endswith(f"/verify/{ada.credential.public_id}/")
