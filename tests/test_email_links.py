"""
Every e-mail links to the page of its subject, and every link answers its recipient.

Each message type is produced through the domain API and delivered (Django's outbox). Its links
(the ``href`` and ``src`` of the HTML version, the URLs of the text version) are followed with the
test client signed in as the recipient: each on-site page answers 200 itself (no redirect to a login
page or elsewhere), an anchor names a section of that page, and links leaving the site are HTTPS.
The page of the subject shows that subject (the consent buttons, the panel's feedback, the term...).
A message type without a scenario here fails the guard test.
"""
import inspect
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import attrs
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from edx_ace.signals import ACE_MESSAGE_SENT

from openedx_distinguished import api, notifications, platform
from openedx_distinguished.models import Activity, ActivityType, Cycle, Incentive, MembershipTerm, MessageLog, Track

from .factories import PartnerOrganizationFactory, UserFactory
from .membership_fixtures import add_term, make_term
from .review_fixtures import at_announcement, full_justifications, reviewed_nomination, score_all, submitted_nomination

pytestmark = pytest.mark.django_db
SITE = "https://lms.example.org"
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(autouse=True)
def site(settings):
    """Links are built from the site's public base URL; a nomination's page is the plugin's own."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = SITE
    settings.DISTINGUISHED_NOMINATIONS_URL = ""


@attrs.frozen
class Letter:
    """One delivered e-mail: the message type it was rendered from, its recipient's address, and the mail itself."""

    name: str
    address: str
    mail: object


@pytest.fixture
def letters(mailoutbox):
    """Every e-mail delivered during the test, with its message type (paired through edx-ace's "sent" signal)."""
    seen = []

    def listen(sender, message, **kwargs):  # pylint: disable=unused-argument
        # The signal follows the channel's delivery: the mail just sent is the last in the outbox.
        seen.append(Letter(name=message["name"], address=message["recipient"]["email"], mail=mailoutbox[-1]))

    ACE_MESSAGE_SENT.connect(listen, dispatch_uid="test-email-links")
    yield seen
    ACE_MESSAGE_SENT.disconnect(dispatch_uid="test-email-links")


@pytest.fixture
def committed(django_capture_on_commit_callbacks, letters):  # pylint: disable=unused-argument
    """Run a block as if its transaction committed: the messages are delivered after it, into ``letters``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@attrs.frozen
class Expected:
    """
    Who receives a message; the page of its subject (a path, with the anchor of its section); and
    what that page shows of the subject (a fragment of its HTML).
    """

    recipient: object
    page: str
    shows: str


# Scenarios: each produces some message types through the domain API and says where they lead.

def _nomination_page(nomination_id):
    return f"/distinguished/nominations/{nomination_id}/"


@pytest.fixture
def nomination_messages(cycle, users, committed):
    """A peer nomination submitted (received, consent asked) and endorsed, still awaiting consent."""
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=cycle.year, track_slug="engineer",
                                    nominee_username="nominee", justifications=full_justifications())
    with committed():
        nomination = api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"]).nomination
    with committed():
        api.endorse_nomination(endorser=users["endorser"], cycle_year=cycle.year, track_slug="engineer",
                               nominee_username="nominee", justifications=full_justifications())
    assert api.get_nomination(nomination_id=nomination.id).status == "awaiting_consent"
    page = _nomination_page(nomination.id)
    return {
        "nomination_received": Expected(users["nominator"], page,
                                        "<h1>Nomination of Nominee for Distinguished Engineer</h1>"),
        "consent_request": Expected(users["nominee"], page, f'href="{page}consent/?answer=accept"'),
        "endorsement_received": Expected(users["nominator"], page, "Endorser, on "),
    }


@pytest.fixture
def review_messages(cycle, users, panels, committed, settings):
    """A nomination assigned to a reviewer, who is then reminded of the near review deadline."""
    settings.DISTINGUISHED_REVIEW_REMINDER_DAYS = 7
    nomination = submitted_nomination(users["nominator"], users["nominee"])
    with committed():
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=panels["chair"])
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(nominations_close_at=now - timedelta(days=1),
                                             review_deadline=now + timedelta(days=5))
    with committed():
        assert notifications.queue_review_reminders() == 1
    sheet = f"/distinguished/review/nominations/{nomination.id}/"
    return {
        "review_assigned": Expected(panels["rev1"], sheet, "<h1>Nominee — Distinguished Engineer</h1>"),
        "review_reminder": Expected(panels["rev1"], "/distinguished/review/", f'href="{sheet}"'),
    }


@pytest.fixture
def announcement_messages(cycle, users, panels, committed):
    """Three peer nominations decided (accept, decline, defer), then the announcement released."""
    api.add_signing_key()
    expected = {}
    for outcome, name in (("accept", "nomination_accepted"), ("decline", "nomination_declined"),
                          ("defer", "nomination_deferred")):
        nominee = UserFactory(username=f"{outcome}ed")
        nomination = reviewed_nomination(users["nominator"], nominee, panels, recommendation=outcome)
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome, rationale="Why.",
                            feedback=f"Feedback for {outcome}: show more community work.")
        expected[name] = Expected(nominee, _nomination_page(nomination.id), f"Feedback for {outcome}:")
    expected["nomination_accepted"] = Expected(expected["nomination_accepted"].recipient, "/distinguished/membership/",
                                               "You are a member of <strong>Distinguished Engineer</strong>")
    at_announcement(cycle)
    with committed():
        api.release_announcement(cycle_year=cycle.year)
    return expected


@pytest.fixture
def renewal_messages(cycle, committed, settings):
    """A member whose term ends within the notice period."""
    settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 60
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=330)
    with committed():
        assert api.mark_renewals_due() == 1
    return {"renewal_due": Expected(member, "/distinguished/membership/#renewal",
                                    "Still needed: 1 verified qualifying activity")}


@pytest.fixture
def evaluation_messages(cycle, users, committed):
    """The annual evaluation confirmed: one term lapses, one is renewed, one becomes lifetime."""
    api.add_signing_key()
    track = Track.objects.get(slug="innovator")
    people = {name: UserFactory(username=name) for name in ("lapsing", "renewing", "veteran")}
    make_term(people["lapsing"], track, cycle, starts_days_ago=368)
    for name, sequence in (("renewing", 1), ("veteran", 5)):
        make_term(people[name], track, cycle, starts_days_ago=368, sequence=sequence)
        Activity.objects.create(user=people[name], activity_type=ActivityType.objects.get(slug="event"),
                                title="Summit", occurred_on=date.today() - timedelta(days=10), source="imported",
                                status="verified")
    api.evaluate_terms(cycle_year=cycle.year)
    with committed():
        api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    membership = "/distinguished/membership/"
    return {
        "membership_lapsed": Expected(people["lapsing"], membership, "You are among the program"),
        "membership_renewed": Expected(people["renewing"], membership,
                                       "You are a member of <strong>Distinguished Innovator</strong>"),
        "lifetime_granted": Expected(people["veteran"], membership,
                                     "You are a lifetime member of <strong>Distinguished Innovator</strong>"),
    }


@pytest.fixture
def activity_messages(cycle, users, committed):
    """A member's two reported activities: staff verify one and reject the other."""
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    expected = {}
    for name, title, verified in (("activity_verified", "Grading at scale", True),
                                  ("activity_rejected", "Unrelated talk", False)):
        activity = api.report_activity(user=member, activity_type="talk", title=title,
                                       occurred_on=date.today().isoformat())
        with committed():
            api.review_activity(activity_id=activity.id, actor=users["staff"], verified=verified,
                                note="" if verified else "We found no record of it.")
        expected[name] = Expected(member, "/distinguished/membership/#activities", title)
    return expected


# The scenario (fixture) that produces each message type.
SCENARIO = {
    "nomination_received": "nomination_messages",
    "consent_request": "nomination_messages",
    "endorsement_received": "nomination_messages",
    "review_assigned": "review_messages",
    "review_reminder": "review_messages",
    "nomination_accepted": "announcement_messages",
    "nomination_declined": "announcement_messages",
    "nomination_deferred": "announcement_messages",
    "renewal_due": "renewal_messages",
    "membership_renewed": "evaluation_messages",
    "membership_lapsed": "evaluation_messages",
    "lifetime_granted": "evaluation_messages",
    "activity_verified": "activity_messages",
    "activity_rejected": "activity_messages",
    "invitation_received": "invitation_messages",
}


# Reading and following links ----------------------------------------------------------------

class _Links(HTMLParser):
    """The ``href`` and ``src`` attributes of an HTML document, entities decoded."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):  # pylint: disable=redefined-outer-name
        self.found += [value for key, value in attrs if key in ("href", "src") and value is not None]


def html_links(message):
    """The links of a message's HTML version."""
    (body, mimetype), = message.alternatives
    assert mimetype == "text/html"
    parser = _Links()
    parser.feed(body)
    parser.close()
    return set(parser.found)


def text_links(message):
    """The URLs of a message's text version (without the punctuation that may end a sentence)."""
    return {link.rstrip(".,;:!?)") for link in URL_IN_TEXT.findall(message.body)}


def the_letter(letters, name, recipient):
    """The one e-mail of message type ``name`` to ``recipient``."""
    found = [letter.mail for letter in letters if letter.name == name and letter.address == recipient.email]
    assert len(found) == 1, (name, recipient.username, [(letter.name, letter.address) for letter in letters])
    assert found[0].to == [recipient.email]  # the pairing of signal and outbox holds
    return found[0]


def visit(client, recipient, link):
    """Follow an on-site link as ``recipient``: the response, which must be the page itself (200)."""
    assert link.startswith(f"{SITE}/"), link
    parts = urlsplit(link)
    client.force_login(recipient)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, (link, response.status_code, response.get("Location"))
    if parts.fragment:  # the anchor names a section of the page
        assert f'id="{parts.fragment}"' in response.content.decode(), link
    if parts.path.endswith(".pdf"):
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF"), link
    return response


def follow_every_link(client, recipient, message):
    """
    Every link of a message, in both versions, followed as its recipient: the on-site ones answer
    200, the others are HTTPS. Returns the on-site pages' responses by link.
    """
    in_html, in_text = html_links(message), text_links(message)
    assert in_html == in_text  # a reader of the text version gets every link too
    pages = {}
    for link in sorted(in_html):
        if link.startswith(f"{SITE}/"):
            pages[link] = visit(client, recipient, link)
        else:
            assert link.startswith("https://"), link
    return pages


def message_names():
    """The names of the message types the notifications module defines."""
    return {cls.NAME for _, cls in inspect.getmembers(notifications, inspect.isclass)
            if issubclass(cls, notifications.ProgramMessage) and cls is not notifications.ProgramMessage}


@pytest.fixture
def invitation_messages(cycle, users, committed):
    """A member invited to an architecture discussion next week."""
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    api.ensure_current_deliverables()
    start = timezone.now() + timedelta(days=7)
    invitation = api.create_invitation(
        incentive_id=Incentive.objects.get(slug="architecture-discussions").pk, title="Architecture summit",
        starts_at=start, ends_at=start + timedelta(hours=2), location="https://meet.example.org/arch")
    with committed():
        assert api.send_invitation(invitation_id=invitation.pk) == 1
    return {"invitation_received": Expected(member, "/distinguished/membership/#awards",
                                            "Will you attend “Architecture summit”?")}


def test_every_message_type_has_a_link_scenario():
    assert set(SCENARIO) == message_names() == set(notifications.MESSAGE_TYPES)


@pytest.mark.parametrize("name", sorted(SCENARIO))
def test_every_link_of_the_message_answers_its_recipient(name, request, letters, client):
    expected = request.getfixturevalue(SCENARIO[name])[name]
    message = the_letter(letters, name, expected.recipient)
    pages = follow_every_link(client, expected.recipient, message)
    subject = f"{SITE}{expected.page}"
    assert subject in pages, sorted(pages)
    assert expected.shows in pages[subject].content.decode()


@pytest.mark.parametrize("name", sorted(SCENARIO))
def test_a_message_that_names_someone_else_declares_it(name, request, letters):
    """
    Retirement erases people from others' e-mails by what each message type declares it names
    (``NAMES``): every value of every message of the type is searched for the names of everyone
    but its recipient, and a type that names someone must declare whom.
    """
    request.getfixturevalue(SCENARIO[name])
    people = {user.pk: platform.display_name(user) for user in get_user_model().objects.all()}
    message = notifications.MESSAGE_TYPES[name]
    logs = list(MessageLog.objects.filter(message_name=name))
    assert logs
    named = set()
    for log in logs:
        text = json.dumps(log.context, ensure_ascii=False)
        named |= {person for pk, person in people.items()
                  if pk != log.recipient_id and re.search(rf"\b{re.escape(person)}\b", text)}
    assert bool(named) == bool(message.NAMES), (
        f"{name} names {sorted(named)} but declares NAMES={sorted(message.NAMES)}: declare the roles it names, "
        f"so that retirement erases them (notifications.ProgramMessage).")


def test_the_consent_buttons_lead_to_their_confirmation(nomination_messages, letters, client):
    expected = nomination_messages["consent_request"]
    landing = follow_every_link(client, expected.recipient, the_letter(letters, "consent_request",
                                                                       expected.recipient))
    for answer in ("accept", "decline"):
        button = f"{expected.page}consent/?answer={answer}"
        assert f'href="{button}"' in landing[f"{SITE}{expected.page}"].content.decode()
        confirmation = visit(client, expected.recipient, f"{SITE}{button}").content.decode()
        assert f'value="{answer}"' in confirmation


def test_the_consent_link_is_the_recipients_alone(nomination_messages, client):
    """The 200s are the recipient's: someone else following the same link finds nothing."""
    client.force_login(UserFactory(username="stranger"))
    assert client.get(nomination_messages["consent_request"].page).status_code == 404


def test_an_organizations_contacts_land_on_the_consent_buttons(cycle, users, committed, letters, client):
    acme = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    contacts = [UserFactory(username="contact1"), UserFactory(username="contact2")]
    acme.contacts.add(*contacts)
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=cycle.year, track_slug="advocate",
                                    nominee_organization_slug="acme", justifications=full_justifications("advocate"))
    with committed():
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"])
    page = f"{SITE}{_nomination_page(outcome.nomination.id)}"
    for contact in contacts:
        pages = follow_every_link(client, contact, the_letter(letters, "consent_request", contact))
        assert f'href="{urlsplit(page).path}consent/?answer=accept"' in pages[page].content.decode()


def test_an_accepted_organizations_contacts_reach_every_link(cycle, panels, committed, letters, client):
    api.add_signing_key()
    acme = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    contact = UserFactory(username="contact1")
    acme.contacts.add(contact)
    outcome = api.create_nomination(nominator=contact, cycle_year=cycle.year, track_slug="advocate",
                                    nominee_organization_slug="acme", justifications=full_justifications("advocate"))
    nomination = api.submit_nomination(nomination_id=outcome.nomination.id, actor=contact).nomination
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="bizrev", actor=None)
    api.submit_review(nomination_id=nomination.id, reviewer=panels["bizrev"], scores=score_all("advocate", 5),
                      recommendation="accept")
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.",
                        override_reason="One reviewer on this panel.")
    at_announcement(cycle)
    with committed():
        api.release_announcement(cycle_year=cycle.year)
    pages = follow_every_link(client, contact, the_letter(letters, "nomination_accepted", contact))
    assert f"{SITE}/distinguished/membership/" in pages
    # The credential was issued at the release: the contact downloads the organization's certificate.
    assert [link for link in pages if "/distinguished/certificates/" in link], sorted(pages)


def test_an_organizations_contacts_find_the_renewal_section(cycle, committed, letters, client):
    acme = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    contact = UserFactory(username="contact1")
    acme.contacts.add(contact)
    term = add_term(acme, "advocate", cycle, "active")
    ends = timezone.now() + timedelta(days=30)
    MembershipTerm.objects.filter(pk=term.pk).update(starts_at=ends - timedelta(days=365), ends_at=ends)
    with committed():
        assert api.mark_renewals_due() == 1
    pages = follow_every_link(client, contact, the_letter(letters, "renewal_due", contact))
    landing = pages[f"{SITE}/distinguished/membership/#renewal"].content.decode()
    renewal = landing[landing.index('id="renewal"'):]
    assert "<h3>Distinguished Advocate</h3>" in renewal[:renewal.index("</section>")]
