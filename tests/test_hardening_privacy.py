"""
What the outside review and the run inside a real LMS found, as tests that run without the
platform's tables: a private default visibility hides members everywhere the public looks, public
initiative listings name only leads who chose to be listed, profile badges do not tell which
usernames exist, a revocation's internal reason never reaches the public, and a referred
registration is attributed even when the platform's eager tasks clear django-crum's request.
"""
from datetime import timedelta

import pytest
from celery import shared_task
from crum import set_current_request
from django.contrib.auth import authenticate, get_user_model, login
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import BADGE_REVOKED, STUDENT_REGISTRATION_COMPLETED

import test_urls
from openedx_distinguished import api
from openedx_distinguished.conf import REFERRAL_COOKIE
from openedx_distinguished.models import Credential, MembershipTerm, Onboarding, Track
from openedx_distinguished.signals.signals import CREDENTIAL_REVOKED

from .factories import PartnerOrganizationFactory, UserFactory
from .membership_fixtures import add_term, make_term

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"
SITE = "https://lms.example.org"
GENERIC_REVOCATION = "The issuer revoked this credential."
INTERNAL_REASON = "upheld a harassment report"


@pytest.fixture
def members(cycle, users, settings):
    """
    Grace (engineer, active) and Ada (innovator, lifetime): listed members with credentials; Hedy:
    a member who chose not to be listed; a listed partner organization.
    """
    settings.DISTINGUISHED_PUBLIC_BASE_URL = SITE
    api.add_signing_key()
    engineer, innovator = Track.objects.get(slug="engineer"), Track.objects.get(slug="innovator")
    made = {}
    for username, track, status in (("grace", engineer, "active"), ("ada", innovator, "lifetime"),
                                    ("hedy", engineer, "active")):
        person = UserFactory(username=username, first_name=username.capitalize(), last_name="Example")
        term = make_term(person, track, cycle, starts_days_ago=30, status=status)
        if status == "lifetime":
            MembershipTerm.objects.filter(pk=term.pk).update(ends_at=None)
        api.issue_credential(term_id=term.pk)
        api.set_listing(user=person, listed=username != "hedy")
        made[username] = person
    add_term(PartnerOrganizationFactory(name="Listed Partner", listed=True), "advocate", cycle, "active")
    return made


def who(role, members, users):
    """The user for ``role`` (None: anonymous)."""
    return None if role == "anonymous" else members.get(role) or users[role]


# A private default visibility ---------------------------------------------------------------

@pytest.mark.parametrize("configuration, shown", [
    (None, True), ({}, True), ({"default_visibility": "all_users"}, True), ({"default_visibility": "private"}, False),
])
def test_the_default_visibility_decides_for_members_who_saved_none(members, client, settings, configuration, shown):
    """
    Members who saved no ``account_privacy`` (outside the platform: everyone) have the site's default visibility.
    A private default hides every member from the hall of fame, member pages and the feed;
    listed organizations have no learner profile and stay.
    """
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = configuration
    hall = client.get("/distinguished/").content.decode()
    feed = client.get("/distinguished/feed.json").content.decode()
    for page in (hall, feed):
        assert ("Grace Example" in page and "Ada Example" in page) is shown
        assert ("Grace" in page or "Ada" in page) is shown
        assert "Listed Partner" in page and "Hedy" not in page
    for person in ("grace", "ada"):
        slug = members[person].distinguished_profile.slug
        assert client.get(f"/distinguished/members/{slug}/").status_code == (200 if shown else 404)
        assert (slug in hall) is shown


@pytest.mark.parametrize("viewer, sees", [("anonymous", False), ("learner", False), ("ada", False), ("grace", True),
                                          ("staff", True)])
def test_a_private_default_visibility_shows_profile_badges_to_their_owner_and_staff_only(
        members, users, client_for, settings, viewer, sees):
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "private"}
    body = client_for(who(viewer, members, users)).get(f"{BASE}/profiles/grace/").json()
    assert len(body["badges"]) == (1 if sees else 0)
    if not sees:
        assert body["member_url"] is None and body["membership_url"] is None
    # The public sees the badges again once the site's profiles are public by default.
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "all_users"}
    assert len(client_for(who(viewer, members, users)).get(f"{BASE}/profiles/grace/").json()["badges"]) == 1


# Initiatives --------------------------------------------------------------------------------

@pytest.fixture
def initiative(members, users, cycle):
    """An initiative led by a listed member, an unlisted one, a learner without a profile and a deactivated member."""
    gone = UserFactory(username="gone")
    make_term(gone, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.set_listing(user=gone, listed=True)
    get_user_model().objects.filter(pk=gone.pk).update(is_active=False)
    return api.save_initiative(title="OEP-99: Badges", year=2026,
                               lead_usernames=["grace", "hedy", users["learner"].username, "gone"])


def leads(response):
    assert response.status_code == 200
    (item,) = response.json()["results"]
    return item["leads"]


@pytest.mark.parametrize("viewer, expected", [
    ("anonymous", ["grace"]), ("learner", ["grace"]), ("hedy", ["grace"]),
    ("staff", ["gone", "grace", "hedy", "learner"]),
])
def test_initiatives_name_only_the_leads_who_chose_to_be_listed(initiative, members, users, client_for, viewer,
                                                                expected):
    assert leads(client_for(who(viewer, members, users)).get(f"{BASE}/initiatives/")) == expected


def test_a_private_default_visibility_hides_initiative_leads_from_the_public(initiative, users, client_for,
                                                                             settings):
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "private"}
    assert leads(client_for().get(f"{BASE}/initiatives/")) == []
    assert leads(client_for(users["staff"]).get(f"{BASE}/initiatives/")) == ["gone", "grace", "hedy", "learner"]
    # The initiative itself stays listed, and counted.
    assert client_for().get(f"{BASE}/initiatives/").json()["count"] == 1


# Profile badges of unknown usernames --------------------------------------------------------

@pytest.mark.parametrize("viewer", ["anonymous", "learner", "ada"])
def test_an_unknown_username_answers_like_a_person_with_nothing_to_show(members, users, client_for, settings,
                                                                        viewer):
    """Nobody, an unlisted member, a user who never was a member and (on a private site) a listed member look alike."""
    client = client_for(who(viewer, members, users))

    def shown(username):
        response = client.get(f"{BASE}/profiles/{username}/")
        return response.status_code, response["Content-Type"], {**response.json(), "username": None}

    unknown = shown("nobody-at-all")
    assert unknown[0] == 200
    assert unknown[2] == {"username": None, "member_url": None, "membership_url": None, "badges": []}
    assert shown("hedy") == unknown
    assert shown(users["endorser"].username) == unknown
    settings.ACCOUNT_VISIBILITY_CONFIGURATION = {"default_visibility": "private"}
    assert shown("grace") == unknown
    assert client.get(f"{BASE}/profiles/nobody-at-all/").json()["username"] == "nobody-at-all"


# Revocation reasons -------------------------------------------------------------------------

@pytest.fixture
def broadcast():
    """What the plugin's CREDENTIAL_REVOKED and the platform's BADGE_REVOKED events carried."""
    sent = []

    def listen(signal, sender, **kwargs):  # pylint: disable=unused-argument
        sent.append(repr(kwargs))

    CREDENTIAL_REVOKED.connect(listen, dispatch_uid="test-hardening-revoked")
    BADGE_REVOKED.connect(listen, dispatch_uid="test-hardening-badge-revoked")
    yield sent
    CREDENTIAL_REVOKED.disconnect(dispatch_uid="test-hardening-revoked")
    BADGE_REVOKED.disconnect(dispatch_uid="test-hardening-badge-revoked")


@pytest.fixture
def revoke(members, users, client_for, django_capture_on_commit_callbacks):
    """Revoke Grace's credential through REST as staff (the transaction commits: events and e-mails go out)."""
    def run(**body):
        public_id = Credential.objects.get(term__holder_user=members["grace"]).public_id
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(users["staff"]).post(f"{BASE}/credentials/{public_id}/revoke/", body, format="json")
        assert response.status_code == 200, response.content
        return public_id, response.json()
    return run


def public_views(client, client_for, members, public_id):
    """Every response about the revoked credential or its holder that someone other than program staff gets."""
    grace = members["grace"]
    responses = {
        "verify": client.get(f"/distinguished/verify/{public_id}/"),
        "assertion": client.get(f"/distinguished/badges/v2/assertions/{public_id}/"),
        "credential": client.get(f"/distinguished/badges/v3/credentials/{public_id}/"),
        "jwt": client.get(f"/distinguished/badges/v3/credentials/{public_id}/?format=jwt"),
        "status": client.get("/distinguished/badges/v3/status/"),
        "baked": client.get(f"/distinguished/badges/{public_id}/v2.svg"),
        "hall": client.get("/distinguished/"),
        "feed": client.get("/distinguished/feed.json"),
        "member": client.get(f"/distinguished/members/{grace.distinguished_profile.slug}/"),
        "profile": client_for().get(f"{BASE}/profiles/grace/"),
        "own profile": client_for(grace).get(f"{BASE}/profiles/grace/"),
        "own credentials": client_for(grace).get(f"{BASE}/credentials/"),
    }
    return {name: response.content.decode("utf-8", errors="replace") for name, response in responses.items()}


def test_revoking_without_a_public_reason_shows_a_generic_text_and_never_the_internal_reason(
        revoke, client, client_for, members, broadcast, mailoutbox):
    public_id, revoked = revoke(reason=INTERNAL_REASON, public_reason="")
    assert revoked["status"] == "revoked" and revoked["public_reason"] == GENERIC_REVOCATION

    assertion = client.get(f"/distinguished/badges/v2/assertions/{public_id}/")
    assert assertion.status_code == 410
    assert assertion.json()["revoked"] is True and assertion.json()["revocationReason"] == GENERIC_REVOCATION
    page = client.get(f"/distinguished/verify/{public_id}/").content.decode()
    assert "This credential was revoked" in page and GENERIC_REVOCATION in page

    shown = public_views(client, client_for, members, public_id)
    assert shown["own credentials"] and broadcast  # something was said, and sent
    for name, text in [*shown.items(), *((f"event {n}", e) for n, e in enumerate(broadcast)),
                       *((f"mail to {m.to}", m.body + m.subject) for m in mailoutbox)]:
        assert "harassment" not in text.lower(), name


def test_a_public_reason_is_what_verifiers_read(revoke, client, client_for, members):
    public_id, revoked = revoke(reason=INTERNAL_REASON, public_reason="Awarded in error.")
    assert revoked["public_reason"] == "Awarded in error."
    assert client.get(f"/distinguished/badges/v2/assertions/{public_id}/").json()["revocationReason"] == (
        "Awarded in error.")
    page = client.get(f"/distinguished/verify/{public_id}/").content.decode()
    assert "Awarded in error." in page and GENERIC_REVOCATION not in page
    for name, text in public_views(client, client_for, members, public_id).items():
        assert "harassment" not in text.lower(), name


def test_staff_still_read_the_internal_reason_in_the_admin(revoke, client):
    public_id, _ = revoke(reason=INTERNAL_REASON, public_reason="")
    credential = Credential.objects.get(public_id=public_id)
    assert (credential.revocation_reason, credential.public_reason) == (INTERNAL_REASON, "")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:openedx_distinguished_credential_change", args=[credential.pk]))
    assert page.status_code == 200 and INTERNAL_REASON in page.content.decode()


# Referred registrations ---------------------------------------------------------------------

@shared_task
def send_activation_email(user_id):  # pylint: disable=unused-argument
    """The platform's activation e-mail task, as far as it matters here: run eagerly, it clears django-crum."""
    set_current_request(None)


def user_data(user):
    """The event payload's picture of a user."""
    return UserData(id=user.pk, is_active=True,
                    pii=UserPersonalData(username=user.username, email=user.email, name=user.get_full_name()))


def register(request):
    """
    The LMS's registration view, in the order that matters: create the account, send the
    activation e-mail (an eager task that clears django-crum's request, unless ``keep_request``),
    announce STUDENT_REGISTRATION_COMPLETED, then sign the new account in.
    """
    user = get_user_model().objects.create_user(username=request.POST["username"],
                                                email=f"{request.POST['username']}@example.com", password="secret")
    if not request.POST.get("keep_request"):
        send_activation_email.delay(user.pk)
    STUDENT_REGISTRATION_COMPLETED.send_event(user=user_data(user))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponse("registered")


def sign_in(request):
    """A sign-in with a username and password."""
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    login(request, user)
    return HttpResponse("signed in")


urlpatterns = [
    path("test-register/", register),
    path("test-sign-in/", sign_in),
    *test_urls.urlpatterns,
]


@pytest.fixture
def lms_like(settings):
    """The LMS's request handling: django-crum's middleware, and the registration and sign-in views above."""
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "crum.CurrentRequestUserMiddleware"]


@pytest.fixture
def referred(lms_like, cycle, client):
    """A member, and a visitor's browser that followed the member's referral link (it carries the cookie)."""
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    code = api.referral_code(user=member)
    assert client.get(f"/distinguished/join/{code}/").status_code == 302
    assert client.cookies[REFERRAL_COOKIE].value == code
    return member


@pytest.fixture
def attempts(monkeypatch):
    """Every attribution the plugin attempted: (user id, code, whether it attributed)."""
    seen = []
    attribute = api.attribute_registration

    def spy(*, user_id, code):
        seen.append((user_id, code, attribute(user_id=user_id, code=code)))
        return seen[-1][2]

    monkeypatch.setattr(api, "attribute_registration", spy)
    return seen


def test_a_referred_registration_is_attributed_when_an_eager_task_cleared_the_request(
        referred, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/test-register/", {"username": "newcomer"}).status_code == 200
    onboarding = Onboarding.objects.get()
    assert (onboarding.member, onboarding.referred_user.username) == (referred, "newcomer")
    assert onboarding.year == timezone.now().year


def test_attribution_happens_once_when_both_the_event_and_the_sign_in_see_the_cookie(
        referred, client, attempts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/test-register/", {"username": "newcomer", "keep_request": "1"}).status_code == 200
    newcomer = get_user_model().objects.get(username="newcomer")
    # The registration event and the sign-in both tried; the first attributed, the second found it done.
    assert [(user_id, done) for user_id, _, done in attempts] == [(newcomer.pk, True), (newcomer.pk, False)]
    assert list(Onboarding.objects.values_list("member", "referred_user")) == [(referred.pk, newcomer.pk)]


@pytest.mark.parametrize("joined_ago, attributed", [(timedelta(minutes=5), True), (timedelta(minutes=59), True),
                                                    (timedelta(hours=2), False), (timedelta(days=2), False)])
def test_only_a_new_account_signing_in_with_the_cookie_is_attributed(referred, client, joined_ago, attributed,
                                                                     django_capture_on_commit_callbacks):
    """A member's old contact who follows a referral link and signs in is not a newcomer."""
    person = UserFactory(username="contact", date_joined=timezone.now() - joined_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/test-sign-in/", {"username": "contact", "password": "password"}).status_code == 200
    assert Onboarding.objects.filter(member=referred, referred_user=person).exists() is attributed
    assert Onboarding.objects.count() == int(attributed)


def test_signing_in_without_the_cookie_attributes_nobody(lms_like, cycle, client, django_capture_on_commit_callbacks):
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.referral_code(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/test-register/", {"username": "newcomer"})
    assert not Onboarding.objects.exists()
