"""
Invitations (ADR 0020): staff invite every eligible member of a track at once, members answer on
My membership until the event starts, the answers come out as CSV and the event as an iCalendar
file that Mozilla's ical.js (tests/interop/js) reads back. Through api.py, the pages and the admin,
with bad input and for each role.
"""
import csv
import io
import json
import re
import subprocess
from datetime import timedelta
from datetime import timezone as dt_timezone
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import Deliverable, Incentive, Invitation, InvitationReply

from .factories import UserFactory
from .membership_fixtures import add_term

pytestmark = pytest.mark.django_db

MEMBERSHIP = "/distinguished/membership/"
ICAL = Path(__file__).parent / "interop" / "js" / "parse-ics.mjs"


@pytest.fixture
def engineers(cycle):
    """Three current Distinguished Engineers, one lapsed, and an advocate."""
    people = {name: UserFactory(username=name, first_name=name.capitalize(), last_name="Doe")
              for name in ("ada", "bob", "cy", "old", "adv")}
    for name in ("ada", "bob", "cy"):
        add_term(people[name], "engineer", cycle, "active")
    add_term(people["old"], "engineer", cycle, "lapsed")
    add_term(people["adv"], "advocate", cycle, "active")
    api.ensure_current_deliverables()
    return people


@pytest.fixture
def invitation(engineers, users):
    """An architecture discussion, a week from now, with characters calendars must escape."""
    return api.create_invitation(
        incentive_id=Incentive.objects.get(slug="architecture-discussions").pk,
        title="Architecture summit; data, events & plugins", starts_at=timezone.now() + timedelta(days=7),
        ends_at=timezone.now() + timedelta(days=7, hours=2), location="https://meet.example.org/arch, room 4",
        details="Agenda:\n1. Events bus\n2. Plugin slots — what comes next for the Open edX platform's frontends",
        actor=users["staff"])


def reply_of(person, invitation):
    return InvitationReply.objects.get(invitation=invitation, term__holder_user=person)


class TestSending:
    """Every eligible member at once; again, only those who became eligible."""

    def test_current_members_of_the_track_who_did_not_decline(self, engineers, invitation, cycle):
        Deliverable.objects.filter(term__holder_user=engineers["cy"], incentive__slug="architecture-discussions") \
            .update(status="declined")
        assert api.send_invitation(invitation_id=invitation.pk) == 2
        invited = set(InvitationReply.objects.values_list("term__holder_user__username", flat=True))
        assert invited == {"ada", "bob"}
        newcomer = UserFactory(username="new")
        add_term(newcomer, "engineer", cycle, "active")
        assert api.send_invitation(invitation_id=invitation.pk) == 1
        assert api.send_invitation(invitation_id=invitation.pk) == 0

    def test_not_once_it_has_started(self, invitation):
        Invitation.objects.filter(pk=invitation.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
        with pytest.raises(InvalidTransition):
            api.send_invitation(invitation_id=invitation.pk)
        assert not InvitationReply.objects.exists()

    def test_bad_invitations_are_refused_together(self, engineers):
        recognition = Incentive.objects.get(slug="conference-recognition")
        start = timezone.now() + timedelta(days=3)
        with pytest.raises(ValidationError) as caught:
            api.create_invitation(incentive_id=recognition.pk, title=" ", starts_at=start, ends_at=start,
                                  location="x" * 301)
        assert set(caught.value.errors) == {"incentive", "title", "ends_at", "location"}
        with pytest.raises(ValidationError) as dates:
            api.create_invitation(incentive_id=recognition.pk, title="T", starts_at="soon", ends_at="later")
        assert {"starts_at", "ends_at"} <= set(dates.value.errors)
        assert not Invitation.objects.exists()


class TestTheEmail:
    """Each invited person hears once what, when and where, and where to answer; the organizations' contacts too."""

    def test_each_invited_member_is_emailed_once(self, engineers, invitation, cycle, organization,
                                                 django_capture_on_commit_callbacks, mailoutbox, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        add_term(organization, "engineer", cycle, "active")
        Deliverable.objects.filter(term__holder_user=engineers["cy"], incentive__slug="architecture-discussions") \
            .update(status="declined")
        with django_capture_on_commit_callbacks(execute=True):
            api.send_invitation(invitation_id=invitation.pk)
        with django_capture_on_commit_callbacks(execute=True):
            api.send_invitation(invitation_id=invitation.pk)  # again: nobody new, nobody e-mailed twice
        assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
            person.email for person in (engineers["ada"], engineers["bob"], organization.contacts.get()))
        mail = next(mail for mail in mailoutbox if mail.to == [engineers["ada"].email])
        assert mail.subject == "You are invited: Architecture summit; data, events & plugins"
        start = invitation.starts_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        assert f"When: {start} to " in mail.body and "Where: https://meet.example.org/arch, room 4" in mail.body
        assert "1. Events bus" in mail.body
        assert "https://lms.example.org/distinguished/membership/#awards" in mail.body
        assert f"https://lms.example.org/distinguished/invitations/{invitation.pk}.ics" in mail.body
        html = mail.alternatives[0][0]
        assert "data, events &amp; plugins" in html and "Events bus<br>2. Plugin slots" in html
        contact = next(mail for mail in mailoutbox if mail.to == [organization.contacts.get().email])
        assert "As a contact of Acme Learning, member of Distinguished Engineer" in contact.body

    def test_nothing_is_sent_when_the_sending_is_refused(self, invitation, mailoutbox,
                                                         django_capture_on_commit_callbacks):
        Invitation.objects.filter(pk=invitation.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidTransition):
            api.send_invitation(invitation_id=invitation.pk)
        assert mailoutbox == []


class TestAnswers:
    """Only the invited member answers, and may change their mind until it starts."""

    def test_answer_and_change_it(self, engineers, invitation):
        api.send_invitation(invitation_id=invitation.pk)
        ada = reply_of(engineers["ada"], invitation)
        assert api.answer_invitation(reply_id=ada.pk, user=engineers["ada"], attend=True).answer == "yes"
        assert api.answer_invitation(reply_id=ada.pk, user=engineers["ada"], attend=False).answer == "no"
        listed = api.list_invitations(holder=engineers["ada"])
        assert [(i.title, i.answer, i.is_open) for i in listed] == [(invitation.title, "no", True)]
        assert api.list_invitations(holder=engineers["adv"]) == []

    @pytest.mark.parametrize("who", ["anonymous", "learner", "bob", "staff"])
    def test_nobody_else_answers(self, engineers, invitation, users, who):
        api.send_invitation(invitation_id=invitation.pk)
        ada = reply_of(engineers["ada"], invitation)
        person = {"anonymous": AnonymousUser(), "learner": users["learner"], "bob": engineers["bob"],
                  "staff": users["staff"]}[who]
        with pytest.raises(NotFound):
            api.answer_invitation(reply_id=ada.pk, user=person, attend=True)
        assert reply_of(engineers["ada"], invitation).answer == "waiting"

    def test_no_answer_once_it_has_started(self, engineers, invitation):
        api.send_invitation(invitation_id=invitation.pk)
        ada = reply_of(engineers["ada"], invitation)
        with pytest.raises(InvalidTransition):
            api.answer_invitation(reply_id=ada.pk, user=engineers["ada"], attend=True,
                                  now=invitation.starts_at + timedelta(seconds=1))
        assert api.list_invitations(holder=engineers["ada"], now=invitation.starts_at)[0].is_open is False


class TestExports:
    """The answers as CSV; the event as iCalendar, read back by ical.js."""

    def test_answers_csv(self, engineers, invitation):
        api.send_invitation(invitation_id=invitation.pk)
        api.answer_invitation(reply_id=reply_of(engineers["bob"], invitation).pk, user=engineers["bob"], attend=True)
        rows = list(csv.reader(io.StringIO(api.answers_csv(invitation_id=invitation.pk))))
        assert rows[0] == ["Member", "Username", "Email", "Track", "Answer", "Answered at"]
        by_user = {row[1]: row for row in rows[1:]}
        assert set(by_user) == {"ada", "bob", "cy"}
        assert by_user["bob"][:5] == ["Bob Doe", "bob", engineers["bob"].email, "Distinguished Engineer", "yes"]
        assert by_user["ada"][4:] == ["waiting", ""]

    def test_the_calendar_file_reads_back_with_ical_js(self, invitation, settings):
        settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
        text = api.invitation_ics(invitation_id=invitation.pk)
        assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        done = subprocess.run(["node", str(ICAL)], input=text, capture_output=True, text=True, timeout=60,
                              check=False)
        assert done.returncode == 0, done.stderr
        calendar = json.loads(done.stdout)
        assert calendar["version"] == "2.0"
        (event,) = calendar["events"]
        assert event["uid"] == f"invitation-{invitation.pk}@lms.example.org"
        assert event["summary"] == invitation.title
        assert event["location"] == invitation.location
        assert event["description"] == invitation.details
        assert event["start"] == invitation.starts_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        assert event["end"] == invitation.ends_at.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def test_no_such_invitation(self, db):
        with pytest.raises(NotFound):
            api.invitation_ics(invitation_id=999)
        with pytest.raises(NotFound):
            api.answers_csv(invitation_id=999)


def visible(response):
    html = unescape(response.content.decode())
    main = html[html.index('<main id="main"'):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


class TestPages:
    """My membership, the calendar download and the admin, for each role."""

    def test_the_member_answers_on_my_membership(self, client, engineers, invitation):
        api.send_invitation(invitation_id=invitation.pk)
        client.force_login(engineers["ada"])
        text = visible(client.get(MEMBERSHIP))
        assert "Architecture summit; data, events & plugins" in text and "Your answer: not given yet" in text
        assert "Will you attend “Architecture summit; data, events & plugins”? Yes, I will attend No" in text
        reply = reply_of(engineers["ada"], invitation)
        done = client.post(MEMBERSHIP, {"form": "invitation", "reply": reply.pk, "answer": "yes"})
        assert done.status_code == 302 and done["Location"] == MEMBERSHIP + "#awards"
        assert "Your answer: you will attend" in visible(client.get(MEMBERSHIP))
        bad = client.post(MEMBERSHIP, {"form": "invitation", "reply": reply.pk, "answer": "maybe"})
        assert bad.status_code == 400 and "Choose yes or no." in visible(bad)
        assert reply_of(engineers["ada"], invitation).answer == "yes"

    @pytest.mark.parametrize("who, status", [("learner", 404), ("bob", 404)])
    def test_someone_elses_answer_is_not_found(self, client, engineers, invitation, users, who, status):
        api.send_invitation(invitation_id=invitation.pk)
        client.force_login(users["learner"] if who == "learner" else engineers["bob"])
        reply = reply_of(engineers["ada"], invitation)
        assert client.post(MEMBERSHIP, {"form": "invitation", "reply": reply.pk, "answer": "yes"}
                           ).status_code == status
        assert reply_of(engineers["ada"], invitation).answer == "waiting"

    @pytest.mark.parametrize("who, status", [("anonymous", 302), ("learner", 404), ("adv", 404), ("ada", 200),
                                             ("staff", 200)])
    def test_the_calendar_file_for_invitees_and_staff(self, client, engineers, invitation, users, who, status):
        api.send_invitation(invitation_id=invitation.pk)
        person = {"learner": users["learner"], "adv": engineers["adv"], "ada": engineers["ada"],
                  "staff": users["staff"]}.get(who)
        if person:
            client.force_login(person)
        response = client.get(f"/distinguished/invitations/{invitation.pk}.ics")
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "text/calendar; charset=utf-8"
            assert response["Cache-Control"] == "private, no-store"
            assert b"BEGIN:VEVENT" in response.content

    def test_staff_create_send_and_download_in_the_admin(self, client, engineers):
        admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
        client.force_login(admin)
        add = reverse("admin:openedx_distinguished_invitation_add")
        management = {"replies-TOTAL_FORMS": "0", "replies-INITIAL_FORMS": "0"}
        start = timezone.localtime() + timedelta(days=10)
        form = {"incentive": Incentive.objects.get(slug="lead-sessions").pk, "title": "Working group kick-off",
                "starts_at_0": start.strftime("%Y-%m-%d"), "starts_at_1": "15:00:00",
                "ends_at_0": start.strftime("%Y-%m-%d"), "ends_at_1": "14:00:00", "location": "Online",
                "details": "", **management}
        refused = client.post(add, form)
        assert refused.status_code == 200
        assert refused.context["adminform"].form.errors["ends_at"] == ["End after the start."]
        recognition = client.post(add, {**form, "incentive": Incentive.objects.get(slug="conference-recognition").pk,
                                        "ends_at_1": "16:00:00"})
        assert "incentive" in recognition.context["adminform"].form.errors
        assert client.post(add, {**form, "ends_at_1": "16:00:00"}).status_code == 302
        invitation = Invitation.objects.get()
        assert invitation.created_by == admin
        changelist = reverse("admin:openedx_distinguished_invitation_changelist")
        sent = client.post(changelist, {"action": "send_selected", "_selected_action": [invitation.pk]}, follow=True)
        assert any("3 member(s) invited." in str(m) for m in sent.context["messages"])
        assert "0 yes of 3 invited" in sent.content.decode()
        answers = client.get(reverse("admin:openedx_distinguished_invitation_answers", args=[invitation.pk]))
        assert answers.status_code == 200 and answers["Content-Type"] == "text/csv; charset=utf-8"
        assert len(list(csv.reader(io.StringIO(answers.content.decode())))) == 4
        assert client.get(reverse("admin:openedx_distinguished_invitation_answers", args=[999])).status_code == 404

    def test_the_answers_are_for_staff_only(self, client, engineers, invitation, users):
        client.force_login(engineers["ada"])
        response = client.get(reverse("admin:openedx_distinguished_invitation_answers", args=[invitation.pk]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_my_membership_queries_do_not_grow_with_invitations(self, client, engineers, users,
                                                                django_assert_max_num_queries):
        incentive = Incentive.objects.get(slug="architecture-discussions")
        start = timezone.now() + timedelta(days=5)

        def invite(count):
            for number in range(count):
                made = api.create_invitation(incentive_id=incentive.pk, title=f"Meeting {number}", starts_at=start,
                                             ends_at=start + timedelta(hours=1))
                api.send_invitation(invitation_id=made.pk)

        client.force_login(engineers["ada"])
        invite(1)
        client.get(MEMBERSHIP)
        with django_assert_max_num_queries(40) as few:
            client.get(MEMBERSHIP)
        invite(20)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert visible(client.get(MEMBERSHIP)).count("Will you attend") == 21
