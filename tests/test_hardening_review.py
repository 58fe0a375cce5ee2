"""
The findings of the outside review of the review process, each as the tests that would have caught it.

1. One person could block a whole cycle's announcement: a nomination withdrawn (by its nominator,
   its nominee, staff in the admin, or a retirement) after the panel recorded its decision made
   every release fail. The release now sets such a decision aside, unpublished and audited, and
   publishes the others, whichever way it is run (API, command, scheduled jobs); a property test
   tries any mix of decisions, withdrawals, retirements and reopened decisions.
2. A recorded decision could not be taken back: program staff now reopen a pending decision, with
   a reason kept in the audit log, through the API, REST, the review sheet and the admin.
3. A chair conflicted on a nomination still saw and assigned it through the cycle-level tools: the
   assignments CSV export and import and automatic assignment now leave it out for them.
"""
import csv
import io
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_distinguished import api
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.models import (
    AuditEntry,
    Cycle,
    Decision,
    MembershipTerm,
    MessageLog,
    Nomination,
    ReviewAssignment,
)

from .factories import UserFactory
from .review_fixtures import at_announcement, reviewed_nomination, submitted_nomination

pytestmark = pytest.mark.django_db

BASE = "/api/distinguished/v1"
PAGES = "/distinguished"
YEAR = 2026
OUTCOMES = ("accept", "decline", "defer")
OUTCOME_STATUS = {"accept": "accepted", "decline": "declined", "defer": "deferred"}
ANNOUNCEMENT = {"accept": "nomination_accepted", "decline": "nomination_declined", "defer": "nomination_deferred"}
REASON = "The nominee's employer sits on the panel."


@pytest.fixture
def superuser(db):
    """The admin's superuser."""
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


def announcements():
    """(message, nomination id, recipient id) of every announcement e-mail in the outbox."""
    return {(m.message_name, int(m.key.split(":")[1]), m.recipient_id)
            for m in MessageLog.objects.filter(message_name__in=ANNOUNCEMENT.values())}


def audited(action):
    """(nomination id, detail) of the audit entries of ``action``."""
    return list(AuditEntry.objects.filter(action=action).values_list("nomination_id", "detail"))


# 1. A withdrawal after the decision does not block the release ----------------------------------

@pytest.fixture
def decided(cycle, users, panels):
    """
    Three nominations the chair has decided: ada's (accept) and bob's (decline) stay in review;
    the nominator's peer nomination of the nominee (accept) is the one that will leave.
    """
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    return SimpleNamespace(
        accepted=reviewed_nomination(ada, ada, panels, decide="accept"),
        declined=reviewed_nomination(bob, bob, panels, decide="decline"),
        leaving=reviewed_nomination(users["nominator"], users["nominee"], panels, decide="accept"),
        ada=ada, bob=bob,
    )


@pytest.fixture
def actors(users, superuser, client, client_for):
    """Who and what can take a nomination out of the review."""
    return SimpleNamespace(users=users, superuser=superuser, client=client, client_for=client_for)


def withdraw_through_api(role):
    """``role`` withdraws the nomination through ``api.withdraw_nomination``."""
    def leave(actors, nomination_id):
        api.withdraw_nomination(nomination_id=nomination_id, actor=actors.users[role], reason="Changed my mind.")
    return leave


def withdraw_through_rest(role):
    """``role`` withdraws the nomination through ``POST .../nominations/<id>/withdraw/``."""
    def leave(actors, nomination_id):
        response = actors.client_for(actors.users[role]).post(
            f"{BASE}/nominations/{nomination_id}/withdraw/", {"reason": "Changed my mind."}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "withdrawn"
    return leave


def withdraw_in_the_admin(actors, nomination_id):
    """Program staff withdraw the nomination with the admin's action."""
    actors.client.force_login(actors.superuser)
    response = actors.client.post(reverse("admin:openedx_distinguished_nomination_changelist"),
                                  {"action": "withdraw_selected", "_selected_action": [nomination_id]})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Withdrew 1 nomination(s)."]


def retire_the_nominee(actors, nomination_id):
    del nomination_id  # the nominee's account goes, and their nominations with it
    api.retire_user(user_id=actors.users["nominee"].pk)


LEAVING = {
    "nominator withdraws (API)": withdraw_through_api("nominator"),
    "nominee withdraws (API)": withdraw_through_api("nominee"),
    "nominator withdraws (REST)": withdraw_through_rest("nominator"),
    "nominee withdraws (REST)": withdraw_through_rest("nominee"),
    "staff withdraw (admin)": withdraw_in_the_admin,
    "nominee's account retired": retire_the_nominee,
}


def release_through_api(decided):
    report = api.release_announcement(cycle_year=YEAR)
    assert (report.already_released, report.outcomes) == (False, {"accept": 1, "decline": 1})
    assert report.set_aside == (decided.leaving.id,)


def release_by_command(decided):
    out = io.StringIO()
    call_command("release_distinguished_announcement", "--cycle", str(YEAR), stdout=out)
    assert f"Released the {YEAR} announcement: 1 accept, 1 decline." in out.getvalue()


def release_by_the_jobs(decided):
    out = io.StringIO()
    call_command("distinguished_run_jobs", stdout=out)
    line = f"release {YEAR}: released (1 accept, 1 decline; set aside: {decided.leaving.id})"
    assert line in out.getvalue().splitlines()


RELEASES = {
    "api.release_announcement": release_through_api,
    "release_distinguished_announcement": release_by_command,
    "distinguished_run_jobs": release_by_the_jobs,
}


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("leave", LEAVING)
def test_a_nomination_that_leaves_after_its_decision_does_not_block_the_release(
        decided, actors, cycle, leave, release):
    LEAVING[leave](actors, decided.leaving.id)
    assert Nomination.objects.get(pk=decided.leaving.id).status == "withdrawn"
    at_announcement(cycle)

    RELEASES[release](decided)

    assert Cycle.objects.get(pk=cycle.pk).announcement_released_at is not None
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert statuses == {decided.accepted.id: "accepted", decided.declined.id: "declined",
                        decided.leaving.id: "withdrawn"}
    released = dict(Decision.objects.values_list("nomination_id", "released_at"))
    assert released[decided.accepted.id] is not None and released[decided.declined.id] is not None
    assert released[decided.leaving.id] is None
    assert set(MembershipTerm.objects.values_list("nomination_id", flat=True)) == {decided.accepted.id}
    # The others hear their outcome; nobody is told anything of the withdrawn nomination.
    assert announcements() == {("nomination_accepted", decided.accepted.id, decided.ada.pk),
                               ("nomination_declined", decided.declined.id, decided.bob.pk)}
    assert api.get_nomination(nomination_id=decided.leaving.id).decision_feedback is None
    assert [(nomination_id, detail["outcome"]) for nomination_id, detail in audited("decision_set_aside")] == [
        (decided.leaving.id, "accept")]
    (entry,) = [detail for _, detail in audited("announcement_released")]
    assert entry["set_aside"] == [decided.leaving.id] and entry["outcomes"] == {"accept": 1, "decline": 1}


def test_a_set_aside_decision_stays_unpublished_for_good(decided, actors, cycle):
    withdraw_through_api("nominee")(actors, decided.leaving.id)
    at_announcement(cycle)
    first = api.release_announcement(cycle_year=YEAR)
    again = api.release_announcement(cycle_year=YEAR)
    assert again.already_released and again.released_at == first.released_at
    assert Decision.objects.get(nomination_id=decided.leaving.id).released_at is None
    assert len(audited("decision_set_aside")) == 1
    with pytest.raises(InvalidTransition):
        api.record_decision(nomination_id=decided.leaving.id, actor=actors.users["staff"], outcome="accept",
                            rationale="Try again.")
    assert not any(nomination_id == decided.leaving.id for _, nomination_id, _ in announcements())


# The property: any mix of acts ends in a release of exactly what is still in review.

WITHDRAW_BY_NOMINATOR, WITHDRAW_BY_NOMINEE = "withdraw by nominator", "withdraw by nominee"
RETIRE, DECIDE, REOPEN_AND_DECIDE = "retire the nominee", "decide", "staff reopen, then decide"
ACTS = st.one_of(
    st.tuples(st.sampled_from([DECIDE, REOPEN_AND_DECIDE]), st.sampled_from(OUTCOMES)),
    st.tuples(st.sampled_from([WITHDRAW_BY_NOMINATOR, WITHDRAW_BY_NOMINEE, RETIRE]), st.none()),
)


@st.composite
def scenarios(draw):
    """
    How many nominations take part (3-5), what happens to each of them in turn (the nominations do
    not touch each other, so each has its own sequence of acts), and their last decisions.
    """
    count = draw(st.integers(min_value=3, max_value=5))
    acts = [(index, act) for index in range(count) for act in draw(st.lists(ACTS, max_size=4))]
    last = draw(st.lists(st.sampled_from(OUTCOMES), min_size=count, max_size=count))
    return count, acts, last


@pytest.fixture
def five_in_review(cycle, panels):
    """Five peer nominations, each with its own nominator and nominee, reviewed to the quorum, undecided."""
    made = []
    for index in range(5):
        nominator, nominee = UserFactory(username=f"backer{index}"), UserFactory(username=f"candidate{index}")
        made.append(SimpleNamespace(id=reviewed_nomination(nominator, nominee, panels).id, nominator=nominator,
                                    nominee=nominee))
    return made


class Model:
    """What each act should do to the nominations, and the acts themselves, checked as they happen."""

    def __init__(self, nominations, staff, chair):
        self.nominations, self.staff, self.chair = nominations, staff, chair
        self.in_review = {n.id: True for n in nominations}
        self.decision = {n.id: None for n in nominations}

    def decide(self, nomination, outcome):
        """The chair decides: only a nomination still in review can be."""
        def act():
            api.record_decision(nomination_id=nomination.id, actor=self.chair, outcome=outcome, rationale="Ruled.")
        if self.in_review[nomination.id]:
            act()
            self.decision[nomination.id] = outcome
        else:
            with pytest.raises(InvalidTransition):
                act()

    def withdraw(self, nomination, actor):
        """The nominator or the nominee withdraws: only once."""
        def act():
            api.withdraw_nomination(nomination_id=nomination.id, actor=actor)
        if self.in_review[nomination.id]:
            act()
            self.in_review[nomination.id] = False
        else:
            with pytest.raises(InvalidTransition):
                act()

    def retire(self, nomination):
        """The nominee's account is retired (again, perhaps): their nomination is withdrawn."""
        api.retire_user(user_id=nomination.nominee.pk)
        self.in_review[nomination.id] = False

    def reopen(self, nomination):
        """
        Program staff reopen the decision: there must be one, on a nomination still in review
        (the decision of a withdrawn one stays aside).
        """
        def act():
            api.reopen_decision(nomination_id=nomination.id, actor=self.staff, reason=REASON)
        if self.decision[nomination.id] is None:
            with pytest.raises(NotFound):
                act()
        elif not self.in_review[nomination.id]:
            with pytest.raises(InvalidTransition):
                act()
        else:
            act()
            self.decision[nomination.id] = None

    def play(self, index, kind, outcome):
        """One act on the ``index``-th nomination."""
        nomination = self.nominations[index]
        if kind == DECIDE:
            self.decide(nomination, outcome)
        elif kind == REOPEN_AND_DECIDE:
            self.reopen(nomination)
            self.decide(nomination, outcome)
        elif kind == RETIRE:
            self.retire(nomination)
        else:
            self.withdraw(nomination, nomination.nominator if kind == WITHDRAW_BY_NOMINATOR else nomination.nominee)


# Each example runs in a savepoint of the test's transaction that is rolled back, so every example
# starts from the fixture's five nominations: the function-scoped fixtures are meant to be shared.
RELEASE_PROPERTY = settings(max_examples=25, derandomize=True, deadline=None, database=None,
                            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@RELEASE_PROPERTY
@given(scenario=scenarios())
def test_the_release_publishes_exactly_the_decisions_still_in_review(five_in_review, users, panels, scenario):
    """
    Whatever was decided, withdrawn, retired or reopened, once every nomination still in review is
    decided the release succeeds and publishes exactly their decisions: statuses, released
    decisions, announcement e-mails and terms; the decisions of the others are set aside.
    """
    count, acts, last = scenario
    with transaction.atomic():
        taking_part, left_out = five_in_review[:count], five_in_review[count:]
        for nomination in left_out:  # not part of this example: gone before any decision
            api.withdraw_nomination(nomination_id=nomination.id, actor=nomination.nominator)
        model = Model(taking_part, users["staff"], panels["chair"])
        for index, (kind, outcome) in acts:
            model.play(index, kind, outcome)
        for nomination, outcome in zip(taking_part, last):
            if model.in_review[nomination.id] and model.decision[nomination.id] is None:
                model.decide(nomination, outcome)
        at_announcement(Cycle.objects.get(year=YEAR))

        report = api.release_announcement(cycle_year=YEAR)

        staying = [n for n in taking_part if model.in_review[n.id]]
        set_aside = sorted(n.id for n in taking_part if not model.in_review[n.id] and model.decision[n.id])
        assert report.outcomes == dict(Counter(model.decision[n.id] for n in staying))
        assert report.set_aside == tuple(set_aside)
        assert sorted(nomination_id for nomination_id, _ in audited("decision_set_aside")) == set_aside
        expected = {n.id: OUTCOME_STATUS[model.decision[n.id]] for n in staying}
        expected.update({n.id: "withdrawn" for n in five_in_review if n not in staying})
        assert dict(Nomination.objects.filter(pk__in=[n.id for n in five_in_review])
                    .values_list("pk", "status")) == expected
        decisions = {d.nomination_id: d for d in Decision.objects.all()}
        assert {k: d.outcome for k, d in decisions.items()} == {
            n.id: model.decision[n.id] for n in taking_part if model.decision[n.id]}
        assert {k for k, d in decisions.items() if d.released_at is not None} == {n.id for n in staying}
        assert announcements() == {(ANNOUNCEMENT[model.decision[n.id]], n.id, n.nominee.pk) for n in staying}
        assert set(MembershipTerm.objects.values_list("nomination_id", flat=True)) == {
            n.id for n in staying if model.decision[n.id] == "accept"}
        transaction.set_rollback(True)


# 2. Program staff reopen a pending decision ----------------------------------------------------

@pytest.fixture
def pending(cycle, users, panels):
    """A nomination reviewed by rev1 and rev2 with the chair's pending accept; rev3 declared a conflict."""
    nomination = reviewed_nomination(users["nominator"], users["nominee"], panels, decide="accept")
    api.declare_conflict(nomination_id=nomination.id, reviewer=panels["rev3"], reason="We share a desk.")
    return nomination


def decision_row(nomination):
    """The nomination's decision as stored (None without one)."""
    return Decision.objects.filter(nomination_id=nomination.id).values_list("outcome", "rationale",
                                                                            "released_at").first()


@pytest.mark.parametrize("reason", ["", "   \n", None])
def test_reopening_needs_a_reason(pending, users, reason):
    before = decision_row(pending)
    with pytest.raises(ValidationError) as error:
        api.reopen_decision(nomination_id=pending.id, actor=users["staff"], reason=reason)
    assert "reason" in error.value.errors
    assert decision_row(pending) == before and before[0] == "accept"
    assert not audited("decision_reopened")


def test_reopening_takes_the_decision_back_and_the_panel_decides_again(pending, users, panels, cycle):
    api.reopen_decision(nomination_id=pending.id, actor=users["staff"], reason=f"  {REASON}  ")
    assert decision_row(pending) is None and api.get_decision(nomination_id=pending.id) is None
    entry = AuditEntry.objects.get(action="decision_reopened")
    assert (entry.actor, entry.nomination_id, entry.detail) == (
        users["staff"], pending.id, {"outcome": "accept", "reason": REASON})
    assert api.get_nomination(nomination_id=pending.id).status == "in_review"
    # Undecided again: the release waits for the panel.
    at_announcement(cycle)
    with pytest.raises(ValidationError) as error:
        api.release_announcement(cycle_year=YEAR)
    assert str(pending.id) in error.value.errors["nominations"][0]
    decision = api.record_decision(nomination_id=pending.id, actor=panels["chair"], outcome="decline",
                                   rationale="On reflection, not yet.")
    assert decision.outcome == "decline" and decision.released_at is None
    assert [e.action for e in AuditEntry.objects.filter(nomination_id=pending.id).order_by("pk")][-2:] == [
        "decision_reopened", "decision_recorded"]
    assert api.release_announcement(cycle_year=YEAR).outcomes == {"decline": 1}
    assert api.get_nomination(nomination_id=pending.id).status == "declined"


def test_a_released_decision_cannot_be_reopened(pending, users, cycle):
    at_announcement(cycle)
    api.release_announcement(cycle_year=YEAR)
    before = decision_row(pending)
    with pytest.raises(ValidationError) as error:
        api.reopen_decision(nomination_id=pending.id, actor=users["staff"], reason=REASON)
    assert "decision" in error.value.errors
    assert decision_row(pending) == before and before[2] is not None
    assert not audited("decision_reopened")


def test_reopening_nothing_is_not_found(cycle, users, panels):
    undecided = reviewed_nomination(users["nominator"], users["nominee"], panels)
    for nomination_id in (undecided.id, 999999):
        with pytest.raises(NotFound):
            api.reopen_decision(nomination_id=nomination_id, actor=users["staff"], reason=REASON)
    assert not audited("decision_reopened")


REOPEN_ANSWERS = {"anonymous": 401, "learner": 404, "nominee": 404, "nominator": 404, "conflicted": 404,
                  "reviewer": 403, "chair": 403, "staff": 204}


@pytest.mark.parametrize("role", REOPEN_ANSWERS)
def test_reopening_through_rest_is_for_program_staff(pending, users, panels, client_for, role):
    people = {**users, "anonymous": None, "reviewer": panels["rev1"], "conflicted": panels["rev3"],
              "chair": panels["chair"]}
    response = client_for(people[role]).post(f"{BASE}/review/nominations/{pending.id}/decision/reopen/",
                                             {"reason": REASON}, format="json")
    assert response.status_code == REOPEN_ANSWERS[role]
    assert (decision_row(pending) is None) == (role == "staff")
    assert len(audited("decision_reopened")) == (role == "staff")


def test_rest_reopen_without_a_reason_or_a_decision(pending, users, client_for):
    client = client_for(users["staff"])
    url = f"{BASE}/review/nominations/{pending.id}/decision/reopen/"
    response = client.post(url, {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert decision_row(pending) is not None
    assert client.post(url, {"reason": REASON}, format="json").status_code == 204
    again = client.post(url, {"reason": REASON}, format="json")
    assert again.status_code == 404 and "decision" in again.json()


def page_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_reopening_on_the_review_sheet(pending, users, panels, client):
    url = f"{PAGES}/review/nominations/{pending.id}/decision/reopen/"
    sheet = f"{PAGES}/review/nominations/{pending.id}/"
    client.force_login(panels["chair"])
    assert client.post(url, {"reason": REASON}).status_code == 403
    assert decision_row(pending) is not None
    client.force_login(users["staff"])
    response = client.post(url, {"reason": ""}, follow=True)
    assert response.redirect_chain == [(sheet, 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "reason: Say why the decision is reopened, for the record."]
    assert decision_row(pending) is not None
    response = client.post(url, {"reason": REASON}, follow=True)
    assert response.redirect_chain == [(sheet, 302)]
    assert [str(m) for m in response.context["messages"]] == ["The decision is reopened: the panel can decide again."]
    assert decision_row(pending) is None
    assert AuditEntry.objects.get(action="decision_reopened").actor == users["staff"]


def test_the_sheet_offers_reopening_to_staff_until_the_release(pending, users, panels, client, cycle):
    form = f'action="{PAGES}/review/nominations/{pending.id}/decision/reopen/"'
    sheet = f"{PAGES}/review/nominations/{pending.id}/"

    def offered(user):
        client.force_login(user)
        response = client.get(sheet)
        assert response.status_code == 200
        return form in response.content.decode()

    assert (offered(users["staff"]), offered(panels["chair"])) == (True, False)
    at_announcement(cycle)
    api.release_announcement(cycle_year=YEAR)
    assert (offered(users["staff"]), offered(panels["chair"])) == (False, False)


class TestReopenInTheAdmin:
    """The admin's action asks for the reason first, then reopens each selected pending decision."""

    @pytest.fixture
    def post(self, client, superuser, pending):
        """Post the action on the pending decision from the changelist, as the superuser."""
        client.force_login(superuser)
        selected = Decision.objects.get(nomination_id=pending.id).pk

        def send(**data):
            return client.post(reverse("admin:openedx_distinguished_decision_changelist"),
                               {"action": "reopen_selected", "_selected_action": [selected], **data})
        return send

    def test_the_reason_page_then_the_reopening(self, post, pending, superuser):
        asked = post()
        assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
        assert decision_row(pending) is not None
        done = post(apply="1", reason=REASON)
        assert done.status_code == 302 and page_messages(done) == ["Reopened 1."]
        assert decision_row(pending) is None
        entry = AuditEntry.objects.get(action="decision_reopened")
        assert (entry.actor, entry.detail["reason"]) == (superuser, REASON)

    def test_without_a_reason_nothing_happens(self, post, pending):
        response = post(apply="1", reason="  ")
        assert response.status_code == 200 and 'name="reason"' in response.content.decode()
        assert page_messages(response) == ["Give the reason, for the record."]
        assert decision_row(pending) is not None and not audited("decision_reopened")

    def test_a_released_decision_stays(self, post, pending, cycle):
        at_announcement(cycle)
        api.release_announcement(cycle_year=YEAR)
        response = post(apply="1", reason=REASON)
        assert response.status_code == 302
        assert [m.split(":")[0] for m in page_messages(response)] == [
            str(Decision.objects.get(nomination_id=pending.id).pk), "Reopened 0."]
        assert decision_row(pending)[2] is not None and not audited("decision_reopened")


# 3. A conflicted chair does not see or assign the nomination through the cycle's tools -----------

@pytest.fixture(params=["chair nominated it", "chair declared a conflict"])
def conflicted(request, cycle, users, panels):
    """
    Two submitted engineer nominations (the chair's panel): the chair is conflicted on ``theirs``,
    as its nominator or by a declared conflict, and not on ``other``.
    """
    if request.param == "chair nominated it":
        theirs = submitted_nomination(panels["chair"], UserFactory(username="protege", first_name="Protege"))
    else:
        friend = UserFactory(username="protege", first_name="Protege")
        theirs = submitted_nomination(friend, friend)
        api.declare_conflict(nomination_id=theirs.id, reviewer=panels["chair"], reason="We share an office.")
    other = submitted_nomination(users["nominator"], users["nominee"])
    assert api.ROLE_CONFLICTED in api.review_roles(user=panels["chair"], nomination_id=theirs.id)
    assert api.ROLE_CONFLICTED not in api.review_roles(user=panels["chair"], nomination_id=other.id)
    return SimpleNamespace(theirs=theirs, other=other)


CSV_URL = f"{BASE}/review/cycles/{YEAR}/assignments.csv"


def exported_ids(response):
    assert response.status_code == 200
    return {int(row["nomination_id"]) for row in csv.DictReader(io.StringIO(response.content.decode()))}


def test_the_csv_export_leaves_out_what_the_chair_is_conflicted_on(conflicted, users, panels, client_for):
    for nomination in (conflicted.theirs, conflicted.other):
        api.assign_reviewer(nomination_id=nomination.id, reviewer_username="rev1", actor=None)
    chair_export = client_for(panels["chair"]).get(CSV_URL)
    assert exported_ids(chair_export) == {conflicted.other.id}
    assert "Protege" not in chair_export.content.decode()
    assert exported_ids(client_for(users["staff"]).get(CSV_URL)) == {conflicted.theirs.id, conflicted.other.id}


def test_a_conflicted_chair_cannot_import_assignments_for_it(conflicted, users, panels, client_for):
    text = (f"nomination_id,reviewer\n{conflicted.other.id},rev2\n{conflicted.theirs.id},rev2\n"
            f"999999,rev2\n")
    response = client_for(panels["chair"]).post(CSV_URL, {"csv": text}, format="json")
    assert response.status_code == 400
    refused, unknown = response.json()["rows"]
    # Word for word what an unknown nomination gets: the nomination's existence is not confirmed.
    assert refused == unknown.replace("Line 4", "Line 3").replace("999999", str(conflicted.theirs.id))
    with pytest.raises(ValidationError) as error:
        api.import_assignments_csv(cycle_year=YEAR, text=text, actor=panels["chair"])
    assert error.value.errors["rows"] == [refused, unknown]
    assert not ReviewAssignment.objects.exists()
    statuses = {api.get_nomination(nomination_id=n.id).status for n in (conflicted.theirs, conflicted.other)}
    assert statuses == {"submitted"}
    # Program staff, not conflicted, set both.
    staff_import = client_for(users["staff"]).post(CSV_URL, {"csv": text.rsplit("999999", 1)[0]}, format="json")
    assert staff_import.status_code == 200 and staff_import.json() == {"created": 2, "skipped": 0}


def auto_assign_through_rest(user, client_for):
    response = client_for(user).post(f"{BASE}/review/cycles/{YEAR}/auto-assign/", {}, format="json")
    assert response.status_code == 200, response.content
    return {row["nomination"] for row in response.json()["assigned"]}


def auto_assign_through_api(user, client_for):
    del client_for
    return {nomination_id for nomination_id, _ in api.auto_assign(cycle_year=YEAR, actor=user).assigned}


AUTO_ASSIGN = {"REST": auto_assign_through_rest, "API": auto_assign_through_api}


def reviewers_of(nomination):
    return set(ReviewAssignment.objects.filter(nomination_id=nomination.id)
               .values_list("reviewer__username", flat=True))


@pytest.mark.parametrize("channel", AUTO_ASSIGN)
def test_automatic_assignment_by_a_conflicted_chair_leaves_the_nomination_alone(conflicted, users, panels,
                                                                                client_for, channel):
    assert AUTO_ASSIGN[channel](panels["chair"], client_for) == {conflicted.other.id}
    assert len(reviewers_of(conflicted.other)) == 3
    assert reviewers_of(conflicted.theirs) == set()
    assert api.get_nomination(nomination_id=conflicted.theirs.id).status == "submitted"
    # Program staff's run assigns the rest.
    assert AUTO_ASSIGN[channel](users["staff"], client_for) == {conflicted.theirs.id}
    assert len(reviewers_of(conflicted.theirs)) == 3 and "chair" not in reviewers_of(conflicted.theirs)


def test_the_conflict_list_leaves_out_what_the_chair_is_conflicted_on(conflicted, users, panels, client_for):
    """
    The cycle's list of conflicts is one more of the cycle's tools: a conflicted chair must not
    find the nomination there either, nor what other reviewers declared about it. (Fails today:
    ``CycleConflictsView`` and ``api.list_conflicts`` take no ``hide_for``.)
    """
    api.declare_conflict(nomination_id=conflicted.theirs.id, reviewer=panels["rev4"], reason="She is my sister.")
    api.declare_conflict(nomination_id=conflicted.other.id, reviewer=panels["rev4"], reason="Former colleague.")
    url = f"{BASE}/review/cycles/{YEAR}/conflicts/"
    staff_rows = client_for(users["staff"]).get(url).json()
    assert {row["nomination"] for row in staff_rows} == {conflicted.theirs.id, conflicted.other.id}
    chair_answer = client_for(panels["chair"]).get(url)
    assert chair_answer.status_code == 200
    assert {row["nomination"] for row in chair_answer.json()} == {conflicted.other.id}
    assert "sister" not in chair_answer.content.decode()
