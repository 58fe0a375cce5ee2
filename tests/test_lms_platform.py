"""
The plugin inside the LMS (test_settings_lms): people are named by the platform's
``student.UserProfile.name`` (the LMS leaves ``User.first_name`` empty), profiles are hidden by the
``account_privacy`` preference of ``user_api.UserPreference`` or the site's default visibility,
listings stay at their query counts with those tables, and the REST API works with the LMS's
REST framework settings (no ``DEFAULT_SCHEMA_CLASS``, JSON only).
"""
import json

import pytest
import yaml
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openedx_events.learning.signals import BADGE_AWARDED

from openedx_distinguished import api, notifications, platform, presence
from openedx_distinguished.models import Credential, Decision, MemberProfile, MessageLog, Track

from .factories import UserFactory
from .membership_fixtures import make_term
from .review_fixtures import at_announcement, full_justifications, reviewed_nomination
from .test_certificates_and_fulfilment import pdf_text

pytestmark = [pytest.mark.lms, pytest.mark.django_db]
BASE = "/api/distinguished/v1"
SITE = "https://lms.example.org"
HOPPER = "Grace Brewster Hopper"


def profile_model():
    """The platform's UserProfile (the stand-in app in tests/platform)."""
    return apps.get_model("student", "UserProfile")


def preference_model():
    """The platform's UserPreference (the stand-in app in tests/platform)."""
    return apps.get_model("user_api", "UserPreference")


def person(username, *, profile_name=None, first_name="", last_name=""):
    """A user as the LMS registers them: the full name on the profile (``profile_name=None``: no profile row)."""
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    if profile_name is not None:
        profile_model().objects.create(user=user, name=profile_name)
    return user


def save_privacy(user, value):
    """The ``account_privacy`` the user chose on their learner profile (None: never saved)."""
    if value is not None:
        preference_model().objects.create(user=user, key="account_privacy", value=value)


@pytest.fixture(autouse=True)
def site(settings):
    """Links are absolute; the LMS's default visibility (each test may change it)."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = SITE
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "all_users"}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: events go out and e-mails are delivered (eagerly)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_plugin_finds_the_platforms_models():
    """Through the app registry, by app label and model name: the LMS's modules are never imported."""
    assert platform.profile_model() is profile_model() and profile_model()._meta.db_table == "auth_userprofile"
    assert platform.preference_model() is preference_model()


# Names --------------------------------------------------------------------------------------

@pytest.fixture
def hopper(cycle, users, panels, committed):
    """
    ``ghopper``, named only on her profile, nominated by a peer, reviewed, accepted, announced and
    listed; every e-mail of the way delivered. Returns her and the nomination.
    """
    api.add_signing_key()
    grace = person("ghopper", profile_name=HOPPER)
    with committed():
        nomination = reviewed_nomination(users["nominator"], grace, panels, decide="accept")
        api.release_announcement(cycle_year=at_announcement(cycle).year)
    api.set_listing(user=grace, listed=True)
    return grace, nomination


def public_id_of(user):
    return Credential.objects.get(term__holder_user=user).public_id


def test_public_pages_name_a_member_by_their_profile(hopper, client):
    grace, _ = hopper
    slug = MemberProfile.objects.get(user=grace).slug
    assert slug == "grace-brewster-hopper"  # the member page's address is drawn from the name too
    assert HOPPER in client.get("/distinguished/").content.decode()
    assert f'<h1>{HOPPER}</h1>' in client.get(f"/distinguished/members/{slug}/").content.decode()
    (entry,) = client.get("/distinguished/feed.json").json()["current"]["engineer"]
    assert (entry["name"], entry["member_url"]) == (HOPPER, f"{SITE}/distinguished/members/{slug}/")


def test_the_credential_names_its_holder_by_their_profile(hopper, client, client_for):
    grace, _ = hopper
    public_id = public_id_of(grace)
    assert HOPPER in client.get(f"/distinguished/verify/{public_id}/").content.decode()
    assert client_for(grace).get(f"{BASE}/credentials/").json()[0]["holder_display_name"] == HOPPER
    client.force_login(grace)
    certificate = client.get(f"/distinguished/certificates/{public_id}.pdf")
    assert certificate.status_code == 200 and HOPPER in pdf_text(certificate.content)


def test_emails_name_people_by_their_profile(hopper, users, mailoutbox):
    grace, _ = hopper
    to_grace = {message.subject: message.body for message in mailoutbox if message.to == [grace.email]}
    assert len(to_grace) == 2  # the consent request and the announcement
    for body in to_grace.values():
        assert f"Dear {HOPPER}," in body
    (received,) = [m for m in mailoutbox if m.to == [users["nominator"].email]]
    assert received.subject.startswith(f"Your nomination of {HOPPER} for Distinguished Engineer")
    reviews = [m for m in mailoutbox if m.subject.startswith("Please review:")]
    assert [m.subject for m in reviews] == [f"Please review: {HOPPER} for Distinguished Engineer"] * 2
    assert not any("ghopper" in m.body + m.subject for m in mailoutbox)


def test_a_nominators_profile_name_asks_for_consent(cycle, users, committed, mailoutbox):
    grace = person("ghopper", profile_name=HOPPER)
    outcome = api.create_nomination(nominator=grace, cycle_year=2026, track_slug="engineer",
                                    nominee_username="nominee", justifications=full_justifications())
    with committed():
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=grace)
    (consent,) = [m for m in mailoutbox if m.to == [users["nominee"].email]]
    assert consent.subject == f"{HOPPER} nominated you for Distinguished Engineer: your consent, please"
    assert f"{HOPPER} nominated you for Distinguished Engineer" in consent.body


def test_nomination_pages_and_listings_name_people_by_their_profile(hopper, users, client, client_for):
    grace, nomination = hopper
    client.force_login(users["nominator"])
    assert HOPPER in client.get("/distinguished/nominations/").content.decode()
    assert HOPPER in client.get(f"/distinguished/nominations/{nomination.id}/").content.decode()
    for who in (users["nominator"], grace):
        (listed,) = client_for(who).get(f"{BASE}/nominations/").json()["results"]
        assert listed["nominee_display_name"] == HOPPER
    everything = client_for(users["staff"]).get(f"{BASE}/nominations/?scope=all").json()["results"]
    assert [row["nominee_display_name"] for row in everything] == [HOPPER]
    assert client_for(users["staff"]).get(f"{BASE}/nominations/{nomination.id}/").json()[
        "nominee_display_name"] == HOPPER


def test_the_review_names_nominees_by_their_profile(hopper, panels, client, client_for):
    _, nomination = hopper
    client.force_login(panels["chair"])
    sheet = client.get(f"/distinguished/review/nominations/{nomination.id}/").content.decode()
    assert f"{HOPPER} — Distinguished Engineer" in sheet
    assert HOPPER in client.get("/distinguished/review/cycles/2026/scoreboard/").content.decode()
    assert client_for(panels["chair"]).get(f"{BASE}/review/nominations/{nomination.id}/").json()[
        "nomination"]["nominee_display_name"] == HOPPER
    client.force_login(panels["rev1"])
    assert HOPPER in client.get("/distinguished/review/").content.decode()


@pytest.mark.parametrize("profile_name, first_name, last_name, shown", [
    (HOPPER, "", "", HOPPER),
    ("  Grace Hopper  ", "Amazing", "Grace", "Grace Hopper"),  # the profile wins over the auth user's names
    ("", "Ada", "Lovelace", "Ada Lovelace"),  # a blank profile name
    (None, "Ada", "Lovelace", "Ada Lovelace"),  # no profile row
    (None, "", "", "ghopper"),
])
def test_the_name_falls_back_to_the_users_names_then_the_username(cycle, client, profile_name, first_name,
                                                                  last_name, shown):
    api.add_signing_key()
    member = person("ghopper", profile_name=profile_name, first_name=first_name, last_name=last_name)
    term = make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.issue_credential(term_id=term.pk)
    api.set_listing(user=member, listed=True)
    (entry,) = client.get("/distinguished/feed.json").json()["current"]["engineer"]
    assert entry["name"] == shown
    assert f"<h1>{shown}</h1>" in client.get(entry["member_url"].removeprefix(SITE)).content.decode()
    assert api.get_credential(public_id=public_id_of(member)).holder_display_name == shown


# Query counts -------------------------------------------------------------------------------

def add_members(cycle, start, stop):
    """Listed members ``start`` to ``stop - 1``, named on their profiles, a third of them saving a public profile."""
    engineer = Track.objects.get(slug="engineer")
    for number in range(start, stop):
        member = person(f"m{number}", profile_name=f"Member Number {number}")
        if number % 3 == 0:
            save_privacy(member, "all_users")
        make_term(member, engineer, cycle, starts_days_ago=30)
        MemberProfile.objects.create(user=member, slug=f"member-{number}", listed=True)
    api.issue_missing_credentials()


def test_the_hall_of_fame_takes_the_same_queries_for_1_10_and_100_members(cycle, client, django_assert_num_queries,
                                                                          monkeypatch):
    """Names and privacy come in the page's one query of terms, however many members are listed."""
    monkeypatch.setattr(presence, "PAGE_ENTRIES", 100)  # the whole list of current members on one page
    api.add_signing_key()
    add_members(cycle, 0, 1)
    with CaptureQueriesContext(connection) as first:
        assert "Member Number 0<" in client.get("/distinguished/?section=current").content.decode()
    for start, total in ((1, 10), (10, 100)):
        add_members(cycle, start, total)  # each change makes the lists anew
        with django_assert_num_queries(len(first)):
            page = client.get("/distinguished/?section=current").content.decode()
        assert all(f"Member Number {number}<" in page for number in range(total))


@pytest.mark.parametrize("viewer", ["anonymous", "owner", "other"])
def test_profile_badges_take_at_most_three_queries(cycle, users, client_for, viewer, django_assert_max_num_queries):
    api.add_signing_key()
    add_members(cycle, 0, 2)
    who = {"anonymous": None, "owner": UserFactory(username="m0"), "other": users["learner"]}[viewer]
    client = client_for(who)
    with django_assert_max_num_queries(3):
        body = client.get(f"{BASE}/profiles/m0/").json()
    assert len(body["badges"]) == 1


def test_badge_events_name_the_holder_by_their_profile(cycle, django_capture_on_commit_callbacks):
    api.add_signing_key()
    awarded = []

    def listen(signal, sender, badge, metadata, **kwargs):  # pylint: disable=unused-argument
        awarded.append(badge.user.pii)

    BADGE_AWARDED.connect(listen, dispatch_uid="test-lms-badge-awarded")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            add_members(cycle, 0, 1)
    finally:
        BADGE_AWARDED.disconnect(dispatch_uid="test-lms-badge-awarded")
    assert [(pii.username, pii.name) for pii in awarded] == [("m0", "Member Number 0")]


def test_issuing_a_batch_loads_the_holders_profiles_with_them(cycle, django_capture_on_commit_callbacks):
    """Issuance and its BADGE_AWARDED events take the same queries for 3 and 9 holders named on their profiles."""
    api.add_signing_key()
    engineer = Track.objects.get(slug="engineer")

    def queries_for(count):
        for number in range(count):
            make_term(person(f"q{count}-{number}", profile_name=f"Holder {count}-{number}"), engineer, cycle,
                      starts_days_ago=10)
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
            assert api.issue_missing_credentials() == count
        return len(captured)

    assert queries_for(3) == queries_for(9)


def test_queueing_the_announcement_loads_the_recipients_profiles_with_them(cycle, users, panels):
    """Each nominee is greeted by their profile name, with the same queries for 1 and 4 nominees."""
    def queries_for(count):
        decisions = []
        for number in range(count):
            nominee = person(f"n{count}-{number}", profile_name=f"Nominee {count}-{number}")
            nomination = reviewed_nomination(nominee, nominee, panels, recommendation="decline")
            decisions.append(Decision(nomination_id=nomination.id, outcome="decline", feedback="Not yet."))
        with CaptureQueriesContext(connection) as captured:
            assert notifications.announcement_released(cycle=cycle, decisions=decisions) == count
        greeted = MessageLog.objects.filter(message_name=notifications.NominationDeclined.NAME,
                                            recipient__username__startswith=f"n{count}-")
        assert sorted(log.context["recipient_name"] for log in greeted) == [
            f"Nominee {count}-{number}" for number in range(count)]
        return len(captured)

    assert queries_for(1) == queries_for(4)


# Privacy ------------------------------------------------------------------------------------

@pytest.fixture
def listed_member(cycle):
    """Grace, listed, with a credential and an initiative she leads."""
    api.add_signing_key()
    grace = person("ghopper", profile_name=HOPPER)
    term = make_term(grace, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.issue_credential(term_id=term.pk)
    api.set_listing(user=grace, listed=True)
    api.save_initiative(title="COBOL for everyone", year=2026, lead_usernames=["ghopper"])
    return grace


@pytest.mark.parametrize("default_visibility, saved, visible", [
    ("all_users", None, True),
    ("all_users", "all_users", True),
    ("all_users", "private", False),
    ("private", None, False),
    ("private", "all_users", True),
    ("private", "private", False),
])
def test_account_privacy_decides_who_appears(listed_member, users, client, client_for, settings,
                                             default_visibility, saved, visible):
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": default_visibility}
    save_privacy(listed_member, saved)
    slug = MemberProfile.objects.get(user=listed_member).slug
    assert (HOPPER in client.get("/distinguished/").content.decode()) is visible
    assert client.get(f"/distinguished/members/{slug}/").status_code == (200 if visible else 404)
    feed = client.get("/distinguished/feed.json").json()
    assert [entry["name"] for entry in feed["current"]["engineer"]] == ([HOPPER] if visible else [])
    for viewer, sees in ((None, visible), (users["learner"], visible), (listed_member, True), (users["staff"], True)):
        badges = client_for(viewer).get(f"{BASE}/profiles/ghopper/").json()["badges"]
        assert len(badges) == (1 if sees else 0), viewer
    for viewer, sees in ((None, visible), (users["learner"], visible), (users["staff"], True)):
        (initiative,) = client_for(viewer).get(f"{BASE}/initiatives/").json()["results"]
        assert initiative["leads"] == (["ghopper"] if sees else []), viewer


def test_another_users_preferences_change_nothing(listed_member, users, client):
    """Only the member's own ``account_privacy`` counts: another user's, or another of her preferences, does not."""
    save_privacy(users["learner"], "private")
    preference_model().objects.create(user=listed_member, key="pref-lang", value="private")
    assert HOPPER in client.get("/distinguished/").content.decode()


# The REST API with the LMS's settings -------------------------------------------------------

def test_the_schema_is_served_without_a_default_schema_class(client, settings):
    assert "DEFAULT_SCHEMA_CLASS" not in settings.REST_FRAMEWORK
    response = client.get(f"{BASE}/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    revoke = document["paths"][f"{BASE}/credentials/{{public_id}}/revoke/"]["post"]
    assert "public_reason" in json.dumps(document["components"]["schemas"]["RevokeInput"])
    assert revoke["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/RevokeInput")
    listing = document["paths"][f"{BASE}/initiatives/"]["get"]
    assert {"limit", "offset", "year"} <= {parameter["name"] for parameter in listing["parameters"]}
    as_json = client.get(f"{BASE}/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json.status_code == 200 and json.loads(as_json.content)["paths"] == document["paths"]


# What a browser sends: HTML first, anything else after.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path, status", [
    ("/tracks/", 200), ("/profiles/nobody/", 200), ("/initiatives/?year=soon", 400), ("/no-such-endpoint/", 404),
])
def test_endpoints_answer_json_with_the_lms_renderers(program, client, path, status):
    response = client.get(f"{BASE}{path}", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)


def test_listings_keep_their_envelope_under_the_lms_pagination(program, client_for, users):
    """The LMS's DEFAULT_PAGINATION_CLASS does not change the plugin's listing envelope."""
    response = client_for(users["learner"]).get(f"{BASE}/nominations/?limit=5", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
