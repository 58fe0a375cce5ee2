"""
Races between workers, on a real database server: each guarantee must come from the database.

These tests need row locks and concurrent connections, which SQLite's in-memory test database does
not have; they run in the MariaDB run of CI (``make test-mariadb``).
"""
import itertools
from collections import Counter
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    AuditEntry,
    Credential,
    Decision,
    Endorsement,
    MembershipTerm,
    MessageLog,
    Nomination,
    TermEvaluation,
    Track,
)

from .factories import CycleFactory, UserFactory
from .membership_fixtures import make_term
from .races import race
from .review_fixtures import at_announcement, full_justifications, reviewed_nomination, submitted_nomination

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.mariadb,
]


def test_parallel_release_happens_once(cycle, users, panels):
    nomination = reviewed_nomination(users["nominator"], users["nominee"], panels, decide="accept")
    at_announcement(cycle)
    reports = race(*[lambda: api.release_announcement(cycle_year=2026)] * 4)
    assert sorted(r.already_released for r in reports) == [False, True, True, True]
    assert AuditEntry.objects.filter(action="announcement_released").count() == 1
    assert Nomination.objects.get(pk=nomination.id).transitions.filter(to_status="accepted").count() == 1


def test_parallel_decisions_leave_one_decision(cycle, users, panels):
    nomination = reviewed_nomination(users["nominator"], users["nominee"], panels)
    results = race(*[
        (lambda outcome=outcome: api.record_decision(nomination_id=nomination.id, actor=panels["chair"],
                                                     outcome=outcome, rationale="Race."))
        for outcome in ("accept", "decline", "defer")
    ])
    assert all(not isinstance(r, Exception) for r in results), results
    assert Decision.objects.count() == 1
    assert Decision.objects.get().outcome in {"accept", "decline", "defer"}


def test_parallel_submissions_make_one_nomination_and_endorsements(cycle, users):
    nominators = [UserFactory(username=f"racer{i}") for i in range(3)]
    drafts = [api.create_nomination(nominator=n, cycle_year=2026, track_slug="engineer", nominee_username="nominee",
                                    justifications=full_justifications()).nomination for n in nominators]
    results = race(*[
        (lambda draft=draft, nominator=nominator: api.submit_nomination(nomination_id=draft.id, actor=nominator))
        for draft, nominator in zip(drafts, nominators)
    ])
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(1 for r in results if r.nomination is not None) == 1
    assert Nomination.objects.exclude(active_key=None).count() == 1
    assert Endorsement.objects.count() == 2


def test_parallel_nominations_respect_the_cap(cycle, users):
    cycle.program.max_nominations_per_nominator = 1
    cycle.program.save()
    nominees = [UserFactory(username=f"target{i}") for i in range(3)]
    results = race(*[
        (lambda nominee=nominee: api.create_nomination(nominator=users["nominator"], cycle_year=2026,
                                                       track_slug="engineer", nominee_username=nominee.username))
        for nominee in nominees
    ])
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert Nomination.objects.filter(nominator=users["nominator"]).count() == 1


def test_parallel_automatic_assignment_does_not_over_assign(cycle, users, panels):
    for index in range(3):
        nominee = UserFactory(username=f"auto{index}")
        submitted_nomination(nominee, nominee)
    race(*[lambda: api.auto_assign(cycle_year=2026, actor=None)] * 3)
    counts = [n.assignments.count() for n in Nomination.objects.all()]
    assert counts == [3, 3, 3]


def test_parallel_issuance_for_one_term_yields_one_credential(cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=10)
    results = race(*[lambda: api.issue_credential(term_id=term.pk)] * 4)
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.public_id for r in results}) == 1
    assert Credential.objects.count() == 1


def test_parallel_issuance_for_many_terms_gives_distinct_status_indexes(cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    track = Track.objects.get(slug="engineer")
    terms = [make_term(UserFactory(username=f"holder{i}"), track, cycle, starts_days_ago=10) for i in range(4)]
    results = race(*[(lambda term=term: api.issue_credential(term_id=term.pk)) for term in terms])
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(Credential.objects.values_list("status_index", flat=True)) == [0, 1, 2, 3]


def test_parallel_confirmations_start_one_renewal_term(cycle, users):
    track = Track.objects.get(slug="engineer")
    ending = [make_term(UserFactory(username=f"renewing{i}"), track, cycle, starts_days_ago=368) for i in range(3)]
    for term in ending:
        Activity.objects.create(user=term.holder_user, activity_type=ActivityType.objects.get(slug="event"),
                                title="Conference", occurred_on=timezone.now().date() - timedelta(days=30),
                                source="imported", status="verified")
    assert api.evaluate_terms(cycle_year=2026)["renew"] == 3
    results = race(*[lambda: api.confirm_evaluations(cycle_year=2026, actor=users["staff"])] * 4)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r["renew"] for r in results if isinstance(r, dict)) == [0, 0, 0, 3]
    for term in ending:
        assert MembershipTerm.objects.filter(previous=term).count() == 1
        assert MembershipTerm.objects.get(pk=term.pk).status == "renewed"
    assert TermEvaluation.objects.filter(confirmed_at__isnull=True).count() == 0


def test_parallel_release_starts_one_term_per_accepted_nomination(cycle, users, panels):
    accepted = [reviewed_nomination(UserFactory(username=f"winner{i}"), UserFactory(username=f"winner{i}"), panels,
                                    decide="accept") for i in range(3)]
    reviewed_nomination(users["nominator"], users["nominee"], panels, decide="decline")
    at_announcement(cycle)
    results = race(*[lambda: api.release_announcement(cycle_year=2026)] * 4)
    assert all(not isinstance(r, Exception) for r in results), results
    assert MembershipTerm.objects.count() == 3
    for nomination in accepted:
        assert MembershipTerm.objects.filter(nomination_id=nomination.id, status="active").count() == 1


def test_a_decision_racing_the_release_is_either_released_or_refused(cycle, users, panels):
    nominations = [reviewed_nomination(UserFactory(username=f"close{i}"), UserFactory(username=f"close{i}"), panels,
                                       decide="decline") for i in range(4)]
    at_announcement(cycle)
    results = race(
        lambda: api.release_announcement(cycle_year=2026),
        *[(lambda nomination=nomination: api.record_decision(nomination_id=nomination.id, actor=panels["chair"],
                                                             outcome="accept", rationale="Changed our mind."))
          for nomination in nominations],
    )
    assert not [r for r in results if isinstance(r, DatabaseError)], results
    assert not isinstance(results[0], Exception), results
    for nomination in nominations:
        decision = Decision.objects.get(nomination_id=nomination.id)
        status = Nomination.objects.get(pk=nomination.id).status
        # Whatever came first, what was released is what the nominee sees, and only an accept has a term.
        assert decision.released_at is not None
        assert status == {"accept": "accepted", "decline": "declined"}[decision.outcome]
        assert MembershipTerm.objects.filter(nomination_id=nomination.id).count() == (decision.outcome == "accept")


def test_submissions_racing_new_nominations_in_one_cycle(cycle, users):
    """Submitting locks the nomination only: not its cycle and track, which every new nomination refers to."""
    nominators = [UserFactory(username=f"rusher{i}") for i in range(8)]
    drafts = {n.pk: api.create_nomination(nominator=n, cycle_year=2026, track_slug="engineer",
                                          nominee_username=n.username,
                                          justifications=full_justifications()).nomination for n in nominators[:4]}

    def submit(nominator):
        return lambda: api.submit_nomination(nomination_id=drafts[nominator.pk].id, actor=nominator)

    def create(nominator):
        return lambda: api.create_nomination(nominator=nominator, cycle_year=2026, track_slug="engineer",
                                             nominee_username=nominator.username,
                                             justifications=full_justifications())

    results = race(*[submit(n) for n in nominators[:4]], *[create(n) for n in nominators[4:]])
    assert all(not isinstance(r, Exception) for r in results), results
    assert Nomination.objects.filter(status="submitted").count() == 4
    assert Nomination.objects.filter(status="draft").count() == 4


def test_parallel_runs_of_the_jobs_end_as_one_run(cycle, users, panels, settings, mailoutbox):
    """
    ``distinguished_run_jobs`` started twice at once, with something of every kind due: an
    announcement with decided nominations, a term ending soon (its renewal notice and its
    evaluation), a credential to issue, a review reminder, and e-mails no task delivered.
    """
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    accepted = [reviewed_nomination(UserFactory(username=f"laureate{i}"), UserFactory(username=f"laureate{i}"),
                                    panels, decide="accept") for i in range(2)]
    declined = reviewed_nomination(users["nominator"], users["nominee"], panels, decide="decline")
    at_announcement(cycle)
    veteran = make_term(UserFactory(username="veteran"), Track.objects.get(slug="engineer"), cycle,
                        starts_days_ago=360)
    next_cycle = CycleFactory(year=2027)
    pending = submitted_nomination(users["learner"], users["learner"], year=2027)
    api.assign_reviewer(nomination_id=pending.id, reviewer_username="rev3", actor=None)
    # 2027's nominations close and its review deadline comes within the reminder window.
    next_cycle.nominations_close_at = timezone.now() - timedelta(minutes=1)
    next_cycle.review_deadline = timezone.now() + timedelta(days=2)
    next_cycle.save()
    # The setup's e-mails went out as its transactions committed: make them queued long ago and never sent.
    stale = MessageLog.objects.update(sent_at=None, attempts=0, last_error="", language="",
                                      created=timezone.now() - timedelta(hours=1))
    mailoutbox.clear()
    assert stale > 0

    reports = race(api.run_due_jobs, api.run_due_jobs)

    assert all(isinstance(report, list) for report in reports), reports
    lines = list(itertools.chain.from_iterable(reports))
    assert lines.count("release 2026: released (2 accept, 1 decline)") == 1, reports
    assert sum(int(line.split()[1]) for line in lines if line.startswith("emails:")) == stale, reports
    assert AuditEntry.objects.filter(action="announcement_released").count() == 1
    assert Nomination.objects.get(pk=declined.id).status == "declined"
    for nomination in accepted:
        assert Nomination.objects.get(pk=nomination.id).transitions.filter(to_status="accepted").count() == 1
        assert MembershipTerm.objects.filter(nomination_id=nomination.id).count() == 1
    assert MembershipTerm.objects.get(pk=veteran.pk).status == "renewal_due"
    assert list(TermEvaluation.objects.values_list("term_id", flat=True)) == [veteran.pk]
    assert sorted(Credential.objects.values_list("term_id", flat=True)) == sorted(
        MembershipTerm.objects.values_list("pk", flat=True))
    new = Counter(MessageLog.objects.filter(created__gte=timezone.now() - timedelta(minutes=5))
                  .values_list("message_name", flat=True))
    assert new == {"nomination_accepted": 2, "nomination_declined": 1, "renewal_due": 1, "review_reminder": 1}
    # Each message sent once: one attempt, and one e-mail per message in the outbox.
    messages = list(MessageLog.objects.values_list("recipient__email", "sent_at", "attempts"))
    assert all(sent_at is not None and attempts == 1 for _, sent_at, attempts in messages), messages
    assert Counter(address for message in mailoutbox for address in message.to) == Counter(
        email for email, _, _ in messages)
