"""
What the MFE widgets read: the learner dashboard's card (``/api/distinguished/v1/me/dashboard/``)
for each kind of caller, its query count whatever the caller holds, and the caching both widget
endpoints allow.
"""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.models import Activity, ActivityType, Cycle, Program

from .factories import CycleFactory, UserFactory
from .membership_fixtures import add_term

pytestmark = pytest.mark.django_db
URL = "/api/distinguished/v1/me/dashboard/"


@pytest.fixture
def closed(program):
    """A cycle whose nominations closed: the program is between calls."""
    return CycleFactory(year=2025, opened_days_ago=60)


def counted(person, term, verified, pending=0):
    """Activities of ``person`` of a kind the retention rule counts, inside ``term``."""
    kind = ActivityType.objects.get(slug=Program.objects.get().retention_activity_types[0])
    day = max(term.starts_at.date(), min(date.today(), term.ends_at.date()) - timedelta(days=1))
    for number in range(verified + pending):
        Activity.objects.create(user=person, activity_type=kind, title=f"Talk {number}", occurred_on=day,
                                source="self_reported", status="verified" if number < verified else "pending")


def test_anonymous_callers_are_refused(client_for, cycle):
    response = client_for(None).get(URL)
    assert response.status_code == 401 and "detail" in response.json()


def test_a_learner_sees_the_open_call(client_for, cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    response = client_for(users["learner"]).get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=60"
    card = response.json()
    assert card == {"kind": "call", "cycle_name": cycle.name,
                    "closes_at": cycle.nominations_close_at.isoformat().replace("+00:00", "Z"),
                    "remaining": Program.objects.get().max_nominations_per_nominator,
                    "nominate_url": "https://lms.example.org/distinguished/nominate/",
                    "nominations_url": "https://lms.example.org/distinguished/nominations/",
                    "program_url": "https://lms.example.org/distinguished/program/"}


def test_a_learner_sees_nothing_between_calls(client_for, closed, users):
    assert client_for(users["learner"]).get(URL).json() == {"kind": "none"}


def test_a_member_sees_their_terms_and_renewal_progress_not_the_call(client_for, cycle, users, settings):
    settings.DISTINGUISHED_PUBLIC_BASE_URL = "https://lms.example.org"
    person = users["nominee"]
    term = add_term(person, "engineer", cycle, "active")
    counted(person, term, verified=1, pending=1)
    add_term(person, "advocate", cycle, "lifetime")
    card = client_for(person).get(URL).json()
    assert card["kind"] == "member" and card["membership_url"] == "https://lms.example.org/distinguished/membership/"
    rows = {row["track"]: row for row in card["terms"]}
    assert set(rows) == {"engineer", "advocate"}
    needed = Program.objects.get().retention_min_activities
    assert rows["engineer"]["renewal"] == {"needed": needed, "verified": 1, "pending": 1, "met": needed <= 1}
    assert rows["engineer"]["status"] == "active" and rows["engineer"]["track_name"] == "Distinguished Engineer"
    assert rows["advocate"]["renewal"] is None and rows["advocate"]["status"] == "lifetime"


def test_an_organizations_contact_sees_its_membership(client_for, cycle, users, organization):
    add_term(organization, "innovator", cycle, "renewal_due")
    (row,) = client_for(users["nominee"]).get(URL).json()["terms"]
    assert (row["track"], row["status"]) == ("innovator", "renewal_due")


def test_alumni_and_revoked_terms_do_not_make_a_member(client_for, closed, users):
    person = users["nominee"]
    add_term(person, "engineer", closed, "alumni")
    assert client_for(person).get(URL).json() == {"kind": "none"}


def test_the_count_of_queries_does_not_grow_with_terms_or_activities(client_for, cycle, users,
                                                                     django_assert_max_num_queries):
    one, three = UserFactory(username="one"), UserFactory(username="three")
    counted(one, add_term(one, "engineer", cycle, "active"), verified=1)
    for slug in ("engineer", "advocate", "innovator"):
        counted(three, add_term(three, slug, cycle, "renewal_due"), verified=5, pending=5)
    with django_assert_max_num_queries(6) as few:
        assert len(client_for(one).get(URL).json()["terms"]) == 1
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client_for(three).get(URL).json()["terms"]) == 3


def test_the_profile_badges_are_kept_by_the_readers_browser_only(client_for, users):
    response = client_for(None).get(f"/api/distinguished/v1/profiles/{users['learner'].username}/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=60"


def test_the_card_follows_the_cycle(client_for, users, program):
    """Before the call opens there is nothing; once it opens, the call."""
    upcoming = CycleFactory(year=2027, opened_days_ago=-3)
    learner = users["learner"]
    assert client_for(learner).get(URL).json() == {"kind": "none"}
    Cycle.objects.filter(pk=upcoming.pk).update(nominations_open_at=timezone.now() - timedelta(minutes=1))
    assert client_for(learner).get(URL).json()["kind"] == "call"


def test_the_call_counts_down_the_callers_nominations(client_for, cycle, users):
    """Each nomination started leaves one fewer; the widget leads to the caller's nominations when none is left."""
    learner = users["learner"]
    cap = Program.objects.get().max_nominations_per_nominator
    api.create_nomination(nominator=learner, cycle_year=cycle.year, track_slug="engineer",
                          nominee_username=users["nominee"].username)
    card = client_for(learner).get(URL).json()
    assert card["kind"] == "call" and card["remaining"] == cap - 1
    assert card["nominations_url"].endswith("/distinguished/nominations/")
