"""
The program's emails, message by message: who gets them, in which language, what they say, and
their links; and that nothing about a decision goes out before the announcement is released.
"""
import re
import sys
import types
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from edx_ace.signals import ACE_MESSAGE_SENT

from openedx_distinguished import api, notifications
from openedx_distinguished.models import Activity, ActivityType, Cycle, Decision, MembershipTerm, MessageLog, Track

from .factories import PartnerOrganizationFactory, UserFactory
from .membership_fixtures import make_term
from .review_fixtures import at_announcement, reviewed_nomination, score_all, submitted_nomination

pytestmark = pytest.mark.django_db
SITE = "https://lms.example.org"
TEMPLATES = Path(notifications.__file__).parent / "templates" / "openedx_distinguished" / "edx_ace"


@pytest.fixture(autouse=True)
def site(settings):
    """Links are built from the site's public base URL."""
    settings.DISTINGUISHED_PUBLIC_BASE_URL = SITE


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block as if its transaction committed: the delivery tasks run (eagerly) after it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def delivered():
    """What edx-ace reported delivered: message name, address and the languages used."""
    seen = []

    def listen(sender, message, **kwargs):  # pylint: disable=unused-argument
        seen.append(message)

    ACE_MESSAGE_SENT.connect(listen, dispatch_uid="test-notifications")
    yield seen
    ACE_MESSAGE_SENT.disconnect(dispatch_uid="test-notifications")


@pytest.fixture
def preferences(monkeypatch):
    """The platform's preference API, answering ``pref-lang`` from a dict of username → language."""
    languages = {}
    path = "openedx.core.djangoapps.user_api.preferences.api"
    module = types.ModuleType(path)
    module.get_user_preference = lambda user, key: languages.get(user.username) if key == "pref-lang" else None
    for name in ("openedx", "openedx.core", "openedx.core.djangoapps", "openedx.core.djangoapps.user_api",
                 "openedx.core.djangoapps.user_api.preferences"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, path, module)
    return languages


def mails(outbox, user):
    return [mail for mail in outbox if mail.to == [user.email]]


def only_mail(outbox, user):
    found = mails(outbox, user)
    assert len(found) == 1, [m.subject for m in found]
    return found[0]


def html(mail):
    (body, mimetype), = mail.alternatives
    assert mimetype == "text/html"
    return body


def names(seen):
    return sorted((m["name"], m["recipient"]["email"]) for m in seen)


def assert_links(mail, *urls):
    """Every link is absolute, in the text and in the HTML version."""
    for url in urls:
        assert url.startswith(SITE) or url.startswith("https://www.linkedin.com/")
        assert url in mail.body
        assert url.replace("&", "&amp;") in html(mail)


# Nominations --------------------------------------------------------------------------------

def test_peer_nomination_tells_the_nominator_and_asks_the_nominee(cycle, users, committed, mailoutbox, delivered,
                                                                  preferences):
    preferences["nominee"] = "fr"
    users["nominee"].first_name, users["nominee"].last_name = "Ada", "Lovelace"
    users["nominee"].save()
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="engineer",
                                    nominee_username="nominee", justifications=_justify())
    with committed():
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"])

    assert names(delivered) == [("consent_request", "nominee@example.com"),
                                ("nomination_received", "nominator@example.com")]
    assert {m["name"]: m["message_language"] for m in delivered} == {"consent_request": "fr",
                                                                     "nomination_received": "en-us"}

    received = only_mail(mailoutbox, users["nominator"])
    assert received.subject == "Your nomination of Ada Lovelace for Distinguished Engineer (Cycle 2026) was received"
    assert "Dear Nominator," in received.body
    assert "We have asked Ada Lovelace to consent" in received.body
    # Both link to the nomination's own page, where the nominee answers.
    assert_links(received, f"{SITE}/distinguished/nominations/{outcome.nomination.id}/")

    consent = only_mail(mailoutbox, users["nominee"])
    assert consent.subject == "Nominator nominated you for Distinguished Engineer: your consent, please"
    assert "Dear Ada Lovelace," in consent.body and "Cycle 2026" in consent.body
    assert '<meta http-equiv="Content-Language" content="fr">' in html(consent)  # rendered in French
    assert '<meta http-equiv="Content-Language" content="en-us">' in html(received)
    assert f"by {cycle.review_deadline.date().isoformat()}" in consent.body
    assert_links(consent, f"{SITE}/distinguished/nominations/{outcome.nomination.id}/")
    assert MessageLog.objects.get(message_name="consent_request").language == "fr"


def test_self_nomination_needs_no_consent(cycle, users, committed, mailoutbox, settings):
    settings.DISTINGUISHED_NOMINATIONS_URL = "/u/nominations"
    with committed():
        submitted_nomination(users["nominee"], users["nominee"])
    mail = only_mail(mailoutbox, users["nominee"])
    assert mail.subject == "Your self-nomination for Distinguished Engineer (Cycle 2026) was received"
    assert "Your nomination is in the review queue." in mail.body
    assert_links(mail, f"{SITE}/u/nominations")
    assert len(mailoutbox) == 1


def test_organization_contacts_are_asked_for_consent(cycle, users, committed, mailoutbox):
    acme = PartnerOrganizationFactory(slug="acme", name="Acme & Sons")
    contacts = [UserFactory(username="contact1"), UserFactory(username="contact2")]
    acme.contacts.add(*contacts)
    outcome = api.create_nomination(nominator=users["nominator"], cycle_year=2026, track_slug="advocate",
                                    nominee_organization_slug="acme", justifications=_justify("advocate"))
    with committed():
        api.submit_nomination(nomination_id=outcome.nomination.id, actor=users["nominator"])
    for contact in contacts:
        mail = only_mail(mailoutbox, contact)
        assert mail.subject == "Nominator nominated Acme & Sons for Distinguished Advocate: your consent, please"
        assert "Acme & Sons, which you are a contact of" in mail.body
        assert "Acme &amp; Sons" in html(mail) and "Acme & Sons" not in html(mail)


def test_names_are_escaped_in_html_only(cycle, users, committed, mailoutbox):
    users["nominee"].first_name, users["nominee"].last_name = "O'Brien", "<b>&</b>"
    users["nominee"].save()
    with committed():
        submitted_nomination(users["nominee"], users["nominee"])
    mail = only_mail(mailoutbox, users["nominee"])
    assert "Dear O'Brien <b>&</b>," in mail.body
    assert "O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt;" in html(mail) and "<b>&" not in html(mail)


# Review -------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["manual", "csv", "automatic"])
def test_reviewers_hear_of_their_assignments(source, cycle, users, panels, committed, mailoutbox):
    nomination = submitted_nomination(users["nominee"], users["nominee"])
    mailoutbox.clear()
    with committed():
        if source == "manual":
            api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=panels["chair"])
        elif source == "csv":
            api.import_assignments_csv(cycle_year=2026, text=f"{nomination.id},rev1\n", actor=panels["chair"])
        else:
            api.auto_assign(cycle_year=2026, actor=panels["chair"], per_nomination=1)
    reviewer = panels["rev1"]  # the least loaded, lowest id: automatic assignment picks rev1 too
    mail = only_mail(mailoutbox, reviewer)
    assert mail.subject == "Please review: Nominee for Distinguished Engineer"
    assert "Dear Rev1," in mail.body and "Cycle 2026" in mail.body
    assert f"by {cycle.review_deadline.date().isoformat()}" in mail.body
    assert_links(mail, f"{SITE}/distinguished/review/nominations/{nomination.id}/")
    assert len(mailoutbox) == 1


def test_review_deadline_reminder_once_per_reviewer(cycle, users, panels, committed, mailoutbox, settings):
    settings.DISTINGUISHED_REVIEW_REMINDER_DAYS = 7
    nominations = [submitted_nomination(users[name], users[name]) for name in ("nominee", "learner")]
    for nomination in nominations:
        for reviewer in ("rev1", "rev2"):
            api.assign_reviewer(nomination_id=nomination.id, reviewer_username=reviewer, actor=None)
    api.submit_review(nomination_id=nominations[0].id, reviewer=panels["rev2"], scores=score_all("engineer", 4),
                      recommendation="accept")
    api.submit_review(nomination_id=nominations[1].id, reviewer=panels["rev2"], scores=score_all("engineer", 4),
                      recommendation="accept")
    now = timezone.now()
    with committed():
        api.run_due_jobs()  # the deadline is weeks away: nothing yet
    assert not [m for m in mailoutbox if "Reminder" in m.subject]
    Cycle.objects.filter(pk=cycle.pk).update(nominations_close_at=now - timedelta(days=1),
                                             review_deadline=now + timedelta(days=5))
    mailoutbox.clear()
    with committed():
        report = api.run_due_jobs()
    assert "review reminders: 1 queued" in report
    mail = only_mail(mailoutbox, panels["rev1"])
    deadline = (now + timedelta(days=5)).date().isoformat()
    assert mail.subject == f"Reminder: reviews for the Cycle 2026 cycle are due by {deadline}"
    assert "2 nominations assigned to you in the Cycle 2026 cycle still wait for your review." in mail.body
    assert_links(mail, f"{SITE}/distinguished/review/")
    assert len(mailoutbox) == 1  # rev2 reviewed everything
    with committed():
        assert "review reminders: 0 queued" in api.run_due_jobs()
    assert len(mailoutbox) == 1


# The announcement ---------------------------------------------------------------------------

@pytest.fixture
def decided(cycle, users, panels):
    """Three nominations decided (accept, decline, defer), the cycle at its announcement, not released."""
    api.add_signing_key()
    people = {outcome: UserFactory(username=f"{outcome}ed", first_name=outcome.capitalize())
              for outcome in ("accept", "decline", "defer")}
    for outcome, person in people.items():
        nomination = reviewed_nomination(person, person, panels, recommendation=outcome)
        api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome=outcome, rationale="Why.",
                            feedback=f"Feedback for {outcome}: show more community work.")
    at_announcement(cycle)
    # What the nominations and reviews queued is not under test here: count it as delivered.
    MessageLog.objects.update(sent_at=timezone.now())
    return people


ANNOUNCEMENT_MESSAGES = {"nomination_accepted", "nomination_declined", "nomination_deferred"}


def test_nothing_about_a_decision_before_the_release(decided, committed, mailoutbox, delivered):
    assert not MessageLog.objects.filter(message_name__in=ANNOUNCEMENT_MESSAGES).exists()
    assert not {m["name"] for m in delivered} & ANNOUNCEMENT_MESSAGES
    assert not any("Congratulations" in m.subject or "Feedback for" in m.body for m in mailoutbox)
    with committed():
        assert notifications.redeliver_stale(now=timezone.now() + timedelta(hours=1)) == (0, 0)
    with committed():
        api.run_due_jobs()  # the cron job releases the announcement, and the messages go out
    assert {m["name"] for m in delivered} == ANNOUNCEMENT_MESSAGES


def test_the_announcement_reaches_each_nominee_once(decided, cycle, committed, mailoutbox):
    mailoutbox.clear()
    with committed():
        api.release_announcement(cycle_year=2026)
        api.release_announcement(cycle_year=2026)
    with committed():
        api.run_due_jobs(now=timezone.now() + timedelta(minutes=30))
    assert len(mailoutbox) == 3

    accepted = only_mail(mailoutbox, decided["accept"])
    credential = api.list_credentials(holder=decided["accept"])[0]
    assert accepted.subject == "Congratulations: you are recognised as Distinguished Engineer"
    assert "Dear Accept," in accepted.body and "in the Cycle 2026 cycle, announced today" in accepted.body
    term = api.list_terms(username="accepted").items[0]
    assert f"until {term.ends_at.date().isoformat()}" in accepted.body
    assert_links(accepted, f"{SITE}/distinguished/verify/{credential.public_id}/",
                 f"{SITE}/distinguished/certificates/{credential.public_id}.pdf",
                 api.linkedin_url(public_id=credential.public_id), f"{SITE}/distinguished/membership/")

    declined = only_mail(mailoutbox, decided["decline"])
    assert declined.subject == "Your nomination for Distinguished Engineer (Cycle 2026)"
    assert "did not select you for Distinguished Engineer" in declined.body
    assert "Feedback for decline: show more community work." in declined.body
    assert "Feedback for decline" in html(declined)
    assert_links(declined, f"{SITE}/distinguished/nominations/"
                           f"{api.list_nominations(user=decided['decline']).items[0].id}/")

    deferred = only_mail(mailoutbox, decided["defer"])
    assert "deferred its decision on your nomination" in deferred.body
    assert "Feedback for defer" in deferred.body
    assert_links(deferred, f"{SITE}/distinguished/nominations/"
                           f"{api.list_nominations(user=decided['defer']).items[0].id}/")


def test_an_accepted_organization_hears_through_its_contacts(cycle, users, panels, committed, mailoutbox):
    acme = PartnerOrganizationFactory(slug="acme", name="Acme Learning")
    contacts = [UserFactory(username="contact1"), UserFactory(username="contact2")]
    acme.contacts.add(*contacts)
    outcome = api.create_nomination(nominator=contacts[0], cycle_year=2026, track_slug="advocate",
                                    nominee_organization_slug="acme", justifications=_justify("advocate"))
    nomination = api.submit_nomination(nomination_id=outcome.nomination.id, actor=contacts[0]).nomination
    api.assign_reviewer(nomination_id=nomination.id, reviewer_username="bizrev", actor=None)
    api.submit_review(nomination_id=nomination.id, reviewer=panels["bizrev"], scores=score_all("advocate", 5),
                      recommendation="accept")
    api.record_decision(nomination_id=nomination.id, actor=panels["chair"], outcome="accept", rationale="Yes.",
                        override_reason="One reviewer on this panel.")
    at_announcement(cycle)
    mailoutbox.clear()
    with committed():
        api.release_announcement(cycle_year=2026)
    for contact in contacts:
        mail = only_mail(mailoutbox, contact)
        assert mail.subject == "Congratulations: Acme Learning is recognised as Distinguished Advocate"
        # No signing key yet: the credential follows later.
        assert "Your digital badge and certificate are issued shortly" in mail.body


@pytest.mark.parametrize("outcome", ["decline", "accept"])
def test_queueing_the_announcement_does_not_grow_with_the_cycle(cycle, users, panels, outcome):
    api.add_signing_key()

    def queries_for(count):
        decisions = []
        for index in range(count):
            person = UserFactory(username=f"person{count}-{index}")
            nomination = reviewed_nomination(person, person, panels, recommendation=outcome)
            if outcome == "accept":  # a term and its credential, whose links the message carries
                term = make_term(person, Track.objects.get(slug=nomination.track_slug), cycle, starts_days_ago=0)
                MembershipTerm.objects.filter(pk=term.pk).update(nomination_id=nomination.id)
                api.issue_credential(term_id=term.pk)
            decisions.append(Decision(nomination_id=nomination.id, outcome=outcome, feedback="No."))
        with CaptureQueriesContext(connection) as captured:
            assert notifications.announcement_released(cycle=cycle, decisions=decisions) == count
        if outcome == "accept":
            verify_links = [log.context["verify_url"] for log in MessageLog.objects.filter(
                message_name=notifications.NominationAccepted.NAME, recipient__username__startswith=f"person{count}-")]
            assert len(verify_links) == count and all("/distinguished/verify/" in link for link in verify_links)
        return len(captured)

    assert queries_for(1) == queries_for(4)


# Membership ---------------------------------------------------------------------------------

def test_renewal_due_says_what_the_rule_still_asks(cycle, users, committed, mailoutbox, settings):
    settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 60
    member = UserFactory(username="member", first_name="Grace")
    term = make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=330)
    Activity.objects.create(user=member, activity_type=ActivityType.objects.get(slug="event"), title="Meetup",
                            occurred_on=date.today(), source="self_reported", status="pending")
    with committed():
        assert api.mark_renewals_due() == 1
        assert api.mark_renewals_due() == 0
    mail = only_mail(mailoutbox, member)
    ends = term.ends_at.date().isoformat()
    assert mail.subject == f"Your Distinguished Engineer membership ends on {ends}"
    assert "Dear Grace," in mail.body
    assert "at least one verified activity during the term of one of these kinds: Event, Working group, " \
           "Mentorship." in mail.body
    assert "So far: 0 verified, 1 waiting for verification." in mail.body
    assert "One more verified activity is needed." in mail.body
    assert_links(mail, f"{SITE}/distinguished/membership/#renewal")
    assert len(mailoutbox) == 1


def test_renewed_lapsed_and_lifetime(cycle, users, committed, mailoutbox):
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
        api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])

    lapsed = only_mail(mailoutbox, people["lapsing"])
    assert lapsed.subject == "Your Distinguished Innovator membership has ended"
    assert "fewer verified qualifying activities than the retention rule asks" in lapsed.body

    renewed = only_mail(mailoutbox, people["renewing"])
    new_term = api.list_terms(username="renewing", statuses=["active"]).items[0]
    credential = api.credential_for_term(term_id=new_term.id)
    assert renewed.subject == "Your Distinguished Innovator membership is renewed"
    assert f"The new term runs until {new_term.ends_at.date().isoformat()}." in renewed.body
    assert_links(renewed, credential.links["verify"], credential.links["certificate_pdf"])

    lifetime = only_mail(mailoutbox, people["veteran"])
    assert lifetime.subject == "Lifetime Distinguished Innovator status"
    assert "for life" in lifetime.body and f"{SITE}/distinguished/verify/" in lifetime.body
    assert len(mailoutbox) == 3


@pytest.mark.parametrize("verified", [True, False])
def test_activity_review_is_reported_to_the_member(verified, cycle, users, committed, mailoutbox):
    member = UserFactory(username="member")
    make_term(member, Track.objects.get(slug="engineer"), cycle, starts_days_ago=30)
    activity = api.report_activity(user=member, activity_type="talk", title="Grading at scale",
                                   occurred_on=date(2026, 3, 1).isoformat() if date.today() >= date(2026, 3, 1)
                                   else date.today().isoformat())
    with committed():
        api.review_activity(activity_id=activity.id, actor=users["staff"], verified=verified,
                            note="" if verified else "We found no record of it.")
    mail = only_mail(mailoutbox, member)
    if verified:
        assert mail.subject == 'Your activity "Grading at scale" is verified'
        assert "It counts towards your membership." in mail.body
    else:
        assert mail.subject == 'Your activity "Grading at scale" could not be verified'
        assert "It does not count towards your membership." in mail.body
        assert "We found no record of it." in mail.body  # the reason, in the e-mail
        assert "We found no record of it." in mail.alternatives[0][0]
    assert f"(Talk, {activity.occurred_on.isoformat()})" in mail.body
    assert_links(mail, f"{SITE}/distinguished/membership/#activities")


# Templates ----------------------------------------------------------------------------------

def test_every_message_has_all_its_templates():
    expected = {"subject.txt", "body.txt", "body.html", "head.html", "from_name.txt"}
    for name in notifications.MESSAGE_TYPES:
        assert {p.name for p in (TEMPLATES / name / "email").iterdir()} == expected, name
    assert {p.name for p in TEMPLATES.iterdir()} - {"_layout"} == set(notifications.MESSAGE_TYPES)


TAG = re.compile(r"{%.*?%}|{{.*?}}|<[^>]+>|&[a-z#0-9]+;", re.S)
TRANSLATED = re.compile(r"{% blocktranslate.*?{% endblocktranslate %}|{% translate \".*?\".*?%}", re.S)


@pytest.mark.parametrize("path", sorted(TEMPLATES.rglob("*.*")), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_sentence_is_translatable(path):
    """Outside the translation tags, a template holds only markup, variables and punctuation."""
    text = TAG.sub(" ", TRANSLATED.sub(" ", path.read_text()))
    assert not re.search(r"[A-Za-z]{2,}", text), text


def _justify(track="engineer"):
    return {c.slug: "Because." for c in api.get_track_data(slug=track).criteria}


def test_a_message_must_declare_what_it_is_about_and_names_retirement_can_find():
    with pytest.raises(TypeError, match="SUBJECT"):
        type("Vague", (notifications.ProgramMessage,), {"NAME": "vague"})
    with pytest.raises(TypeError, match="retirement cannot find"):
        type("Gossip", (notifications.ProgramMessage,), {"NAME": "gossip", "SUBJECT": "term",
                                                         "NAMES": frozenset({"holder"})})
    assert set(notifications.MESSAGE_TYPES) == {m.NAME for m in notifications.ProgramMessage.__subclasses__()
                                                if m.__module__ == notifications.__name__}


def test_forgetting_needs_every_role_a_message_declares(db):
    with pytest.raises(KeyError):
        notifications.forget_messages(user_id=1, named={("nomination", "nominee"): [1]})
