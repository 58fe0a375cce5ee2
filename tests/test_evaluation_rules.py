"""
The annual evaluation's confirmation rules (ADR 0016), in the API: nothing applied before a term's
end, no lapse while qualifying activities await verification, a recommendation the activities
changed evaluated again, and the verification page in step with a confirmed lapse.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Activity, ActivityType, MembershipTerm, MessageLog, TermEvaluation, Track

from .factories import UserFactory
from .membership_fixtures import make_term

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(program):
    return Track.objects.get(slug="engineer")


def activity(term, slug="working_group", status="pending", days_before_end=30):
    """An activity of the term's holder, a month before the term's end."""
    return Activity.objects.create(
        user=term.holder_user, activity_type=ActivityType.objects.get(slug=slug), title=f"A {slug}",
        occurred_on=(term.ends_at - timedelta(days=days_before_end)).date(), source="self_reported", status=status)


def ended(term):
    """A moment just after ``term`` ended."""
    return term.ends_at + timedelta(hours=1)


def statuses():
    return dict(MembershipTerm.objects.values_list("holder_user__username", "status"))


def test_nothing_is_applied_before_a_terms_end(cycle, track, users):
    ending = make_term(UserFactory(username="ending"), track, cycle, starts_days_ago=335)  # ends in a month
    api.evaluate_terms(cycle_year=cycle.year)
    assert TermEvaluation.objects.get().recommendation == "lapse"
    result = api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    assert result["lapse"] == 0 and [held["state"] for held in result["held"]] == ["not_ended"]
    assert statuses() == {"ending": "active"}
    assert not MessageLog.objects.filter(message_name="membership_lapsed").exists()
    assert TermEvaluation.objects.get().confirmed_at is None
    # After its end, the same confirmation applies it.
    assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"], now=ended(ending))["lapse"] == 1
    assert statuses() == {"ending": "lapsed"}


def test_a_lapse_waits_while_qualifying_activities_await_verification(cycle, track, users):
    term = make_term(UserFactory(username="grace"), track, cycle, starts_days_ago=368)  # ended three days ago
    pending = activity(term)
    api.evaluate_terms(cycle_year=cycle.year)
    evaluation = TermEvaluation.objects.get()
    assert evaluation.recommendation == "lapse" and "awaits staff verification" in " ".join(evaluation.reasons)
    result = api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    assert result["lapse"] == 0
    assert result["held"] == [{"term": term.pk, "state": "blocked", "reason": (
        "1 qualifying activity awaits verification: verify or reject before the lapse.")}]
    assert statuses() == {"grace": "active"}
    # Rejected: the lapse goes through.
    api.review_activity(activity_id=pending.pk, actor=users["staff"], verified=False, note="No record of it.")
    assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])["lapse"] == 1
    assert statuses() == {"grace": "lapsed"}


def test_an_activity_verified_since_the_evaluation_turns_a_lapse_into_a_renewal(cycle, track, users):
    term = make_term(UserFactory(username="grace"), track, cycle, starts_days_ago=368)
    pending = activity(term)
    api.evaluate_terms(cycle_year=cycle.year)
    api.review_activity(activity_id=pending.pk, actor=users["staff"], verified=True)
    result = api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    assert result["renew"] == result["lapse"] == 0
    assert [held["state"] for held in result["held"]] == ["re_evaluated"]
    evaluation = TermEvaluation.objects.get()
    assert (evaluation.recommendation, evaluation.qualifying_activities, evaluation.confirmed_at) == ("renew", 1, None)
    assert statuses() == {"grace": "active"}
    # Confirmed again, as staff now see it: renewed.
    assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])["renew"] == 1
    assert MembershipTerm.objects.get(pk=term.pk).status == "renewed"
    assert MembershipTerm.objects.get(previous=term).status == "active"


def test_a_pending_activity_of_a_type_that_does_not_count_blocks_nothing(cycle, track, users):
    term = make_term(UserFactory(username="grace"), track, cycle, starts_days_ago=368)
    activity(term, slug="talk")  # talks do not count for retention
    api.evaluate_terms(cycle_year=cycle.year)
    assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])["lapse"] == 1


def test_a_confirmed_lapse_expires_the_credential_on_the_verification_page(cycle, track, users, client, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    term = make_term(UserFactory(username="grace", first_name="Grace"), track, cycle, starts_days_ago=368)
    # An end date a little later than the term's own, as a term extended by staff would have.
    MembershipTerm.objects.filter(pk=term.pk).update(ends_at=timezone.now() + timedelta(days=20))
    credential = api.issue_credential(term_id=term.pk)
    page = f"/distinguished/verify/{credential.public_id}/"
    assert credential.status == "valid" and "Valid" in client.get(page).content.decode()
    MembershipTerm.objects.filter(pk=term.pk).update(status="lapsed", current_key=None)
    assert api.credential_for_term(term_id=term.pk).status == "expired"
    html = client.get(page).content.decode()
    assert "Expired" in html and ">Valid<" not in html


def test_a_lapse_and_the_verification_page_change_in_one_transaction(cycle, track, users, client, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    api.add_signing_key()
    term = make_term(UserFactory(username="grace"), track, cycle, starts_days_ago=368)
    credential = api.issue_credential(term_id=term.pk)
    api.evaluate_terms(cycle_year=cycle.year)
    seen = []

    def look(*args, **kwargs):
        seen.append(api.credential_for_term(term_id=term.pk).status)

    from openedx_distinguished import notifications  # pylint: disable=import-outside-toplevel
    original = notifications.membership_lapsed
    try:
        notifications.membership_lapsed = look  # called inside the confirmation's transaction
        api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    finally:
        notifications.membership_lapsed = original
    assert seen == ["expired"]
    assert api.get_credential(public_id=credential.public_id).status == "expired"


def test_the_preview_names_what_confirming_would_do_and_writes_nothing(cycle, track, users):
    renewing = make_term(UserFactory(username="ada", first_name="Ada"), track, cycle, starts_days_ago=368)
    activity(renewing, slug="event", status="verified")
    blocked = make_term(UserFactory(username="grace", first_name="Grace"), track, cycle, starts_days_ago=368)
    activity(blocked)
    make_term(UserFactory(username="linus", first_name="Linus"), track, cycle, starts_days_ago=368)
    make_term(UserFactory(username="later", first_name="Later"), track, cycle, starts_days_ago=340)
    api.evaluate_terms(cycle_year=cycle.year)
    preview = api.confirmation_preview(cycle_year=cycle.year)
    assert preview["renew"] == ["Ada (Distinguished Engineer)"]
    assert preview["lapse"] == ["Linus (Distinguished Engineer)"]
    assert preview["lifetime"] == []
    assert {(held["name"], held["state"]) for held in preview["held"]} == {
        ("Grace (Distinguished Engineer)", "blocked"), ("Later (Distinguished Engineer)", "not_ended")}
    assert set(statuses().values()) == {"active"}
    assert not TermEvaluation.objects.filter(confirmed_at__isnull=False).exists()
    applied = api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
    assert (applied["renew"], applied["lapse"], len(applied["held"])) == (1, 1, 2)


def test_the_overview_says_what_the_evaluation_covers_and_where_each_term_stands(
        cycle, track, users, django_assert_max_num_queries):
    blocked = make_term(UserFactory(username="grace"), track, cycle, starts_days_ago=368)
    activity(blocked)
    make_term(UserFactory(username="later"), track, cycle, starts_days_ago=340)
    make_term(UserFactory(username="new"), track, cycle, starts_days_ago=3)  # started after nominations opened
    overview = api.evaluation_overview(cycle_year=cycle.year)
    assert (overview.not_evaluated, overview.total) == (2, 0)
    assert overview.covers_running_on == cycle.nominations_open_at and overview.due_from == cycle.decision_date
    api.evaluate_terms(cycle_year=cycle.year)
    overview = api.evaluation_overview(cycle_year=cycle.year)
    assert overview.not_evaluated == 0
    assert overview.states == {"confirmed": 0, "not_ended": 1, "blocked": 1, "ready": 0}
    assert {(row.holder_display_name, row.state.value, row.pending_activities) for row in overview.rows} == {
        ("Grace", "blocked", 1), ("Later", "not_ended", 0)}
    only = api.evaluation_overview(cycle_year=cycle.year, states={"blocked"})
    assert [row.holder_display_name for row in only.rows] == ["Grace"] and only.total == 1
    with django_assert_max_num_queries(12) as few:
        api.evaluation_overview(cycle_year=cycle.year)
    for n in range(10):
        make_term(UserFactory(username=f"more{n}"), track, cycle, starts_days_ago=368)
    api.evaluate_terms(cycle_year=cycle.year)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.evaluation_overview(cycle_year=cycle.year).total == 12
