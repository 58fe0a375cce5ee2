"""
The membership REST API for each role: anonymous, learner, member (a Distinguished Contributor), staff.
"""
import pytest

from openedx_distinguished import api
from openedx_distinguished.models import Activity, Initiative, MembershipTerm, Onboarding, QualifyingCourseRun

from .factories import UserFactory
from .membership_fixtures import make_term, released_cycle

pytestmark = pytest.mark.django_db
BASE = "/api/distinguished/v1"
ROLES = ["anonymous", "learner", "member", "staff"]


@pytest.fixture
def member(cycle, users, panels):
    """A user whose engineer nomination was accepted and released: a member."""
    person = UserFactory(username="member")
    released_cycle(users, panels, [person])
    return person


@pytest.fixture
def as_role(users, member, client_for):
    """An API client for anonymous, learner, member or staff."""
    people = {**users, "member": member}

    def make(role):
        return client_for(None if role == "anonymous" else people[role])
    return make


STAFF_ONLY = {"anonymous": 401, "learner": 403, "member": 403, "staff": 200}


@pytest.mark.parametrize("role", ROLES)
def test_own_terms(as_role, role):
    response = as_role(role).get(f"{BASE}/terms/")
    assert response.status_code == (401 if role == "anonymous" else 200)
    if role == "member":
        assert [t["status"] for t in response.json()["results"]] == ["active"]
    elif role != "anonymous":
        assert response.json()["count"] == 0


@pytest.mark.parametrize("role", ROLES)
def test_someone_elses_terms_are_for_staff(as_role, role):
    response = as_role(role).get(f"{BASE}/terms/?username=member")
    expected = {**STAFF_ONLY, "member": 200}[role]
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_revoke(as_role, role, member):
    term = MembershipTerm.objects.get(holder_user=member)
    response = as_role(role).post(f"{BASE}/terms/{term.pk}/revoke/", {"reason": "Conduct."}, format="json")
    assert response.status_code == STAFF_ONLY[role]
    assert MembershipTerm.objects.get(pk=term.pk).status == ("revoked" if role == "staff" else "active")


@pytest.mark.parametrize("role", ROLES)
def test_report_activity(as_role, role):
    body = {"activity_type": "mentorship", "title": "Mentored two newcomers", "occurred_on": "2026-05-05"}
    response = as_role(role).post(f"{BASE}/activities/", body, format="json")
    expected = {"anonymous": 401, "learner": 403, "member": 201, "staff": 403}[role]
    assert response.status_code == expected
    assert Activity.objects.count() == (1 if expected == 201 else 0)


def test_bad_activity_report_is_a_400(as_role):
    response = as_role("member").post(f"{BASE}/activities/", {"activity_type": "party", "title": "",
                                                              "occurred_on": "soon"}, format="json")
    assert response.status_code == 400 and {"title", "occurred_on"} <= set(response.json())
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_verify_and_reject(as_role, role, member):
    first = api.report_activity(user=member, activity_type="event", title="Meetup", occurred_on="2026-05-05")
    second = api.report_activity(user=member, activity_type="event", title="Meetup 2", occurred_on="2026-05-06")
    client = as_role(role)
    assert client.post(f"{BASE}/activities/{first.id}/verify/").status_code == STAFF_ONLY[role]
    if role == "staff":  # a rejection without its reason is a 400 on the note, and changes nothing
        refused = client.post(f"{BASE}/activities/{second.id}/reject/")
        assert refused.status_code == 400 and "note" in refused.json()
    assert client.post(f"{BASE}/activities/{second.id}/reject/", {"note": "No such meetup."},
                       format="json").status_code == STAFF_ONLY[role]
    statuses = dict(Activity.objects.values_list("pk", "status"))
    assert (statuses[first.id], statuses[second.id]) == (("verified", "rejected") if role == "staff"
                                                         else ("pending", "pending"))


@pytest.mark.parametrize("role", ROLES)
def test_import(as_role, role):
    rows = [{"external_id": "x1", "username": "member", "activity_type": "event", "title": "Summit",
             "occurred_on": "2026-02-02"}]
    response = as_role(role).post(f"{BASE}/activities/import/", {"rows": rows}, format="json")
    assert response.status_code == STAFF_ONLY[role]
    assert Activity.objects.count() == (1 if role == "staff" else 0)


def test_import_errors_and_csv(as_role):
    client = as_role("staff")
    bad = client.post(f"{BASE}/activities/import/", {"rows": [{"external_id": "", "username": "nobody"}]},
                      format="json")
    assert bad.status_code == 400 and bad.json()["rows"][0].startswith("Row 1:")
    csv = ("external_id,username,activity_type,title,occurred_on\n"
           "c1,member,working_group,Frontend WG,2026-03-03\n")
    first = client.post(f"{BASE}/activities/import/", {"csv": csv}, format="json").json()
    again = client.post(f"{BASE}/activities/import/", {"csv": csv}, format="json").json()
    assert (first, again) == ({"created": 1, "skipped": 0}, {"created": 0, "skipped": 1})


@pytest.mark.parametrize("role", ROLES)
def test_list_activities(as_role, role, member):
    api.report_activity(user=member, activity_type="event", title="Meetup", occurred_on="2026-05-05")
    mine = as_role(role).get(f"{BASE}/activities/")
    assert mine.status_code == (401 if role == "anonymous" else 200)
    if role == "member":
        assert mine.json()["count"] == 1
    if role == "learner":
        assert mine.json()["count"] == 0
        assert as_role(role).get(f"{BASE}/activities/?username=member").status_code == 403
    if role == "staff":
        assert mine.json()["count"] == 1  # staff see every activity by default
        assert as_role(role).get(f"{BASE}/activities/?status=pending").json()["count"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_qualifying_runs(as_role, role):
    body = {"course_key": "course-v1:OpenedX+WG+2026", "activity_type": "working_group", "title": "Frontend WG"}
    response = as_role(role).post(f"{BASE}/qualifying-runs/", body, format="json")
    assert response.status_code == {**STAFF_ONLY, "staff": 201}[role]
    assert QualifyingCourseRun.objects.count() == (1 if role == "staff" else 0)


def test_bad_course_key_is_a_400(as_role):
    response = as_role("staff").post(f"{BASE}/qualifying-runs/", {"course_key": "nope", "activity_type": "event"},
                                     format="json")
    assert response.status_code == 400 and "course_key" in response.json()


@pytest.mark.parametrize("role", ROLES)
def test_evaluation_endpoints(as_role, role, cycle, users):
    from openedx_distinguished.models import Track  # pylint: disable=import-outside-toplevel

    # Ended three days ago: confirmation applies only after a term's end (ADR 0016).
    make_term(UserFactory(username="old"), Track.objects.get(slug="engineer"), cycle, starts_days_ago=368)
    client = as_role(role)
    run = client.post(f"{BASE}/evaluations/2026/")
    listing = client.get(f"{BASE}/evaluations/2026/")
    confirm = client.post(f"{BASE}/evaluations/2026/confirm/", {}, format="json")
    assert run.status_code == listing.status_code == confirm.status_code == STAFF_ONLY[role]
    if role == "staff":
        assert run.json() == {"renew": 0, "lapse": 1, "lifetime": 0}
        assert listing.json()["results"][0]["recommendation"] == "lapse"
        assert confirm.json()["lapse"] == 1
        assert MembershipTerm.objects.get(holder_user__username="old").status == "lapsed"


@pytest.mark.parametrize("role", ROLES)
def test_initiatives(as_role, role):
    body = {"title": "OEP-77", "year": 2026, "status": "accepted", "leads": ["member"]}
    created = as_role(role).post(f"{BASE}/initiatives/", body, format="json")
    assert created.status_code == {**STAFF_ONLY, "staff": 201}[role]
    assert as_role(role).get(f"{BASE}/initiatives/").status_code == 200
    if role == "staff":
        pk = created.json()["id"]
        updated = as_role(role).put(f"{BASE}/initiatives/{pk}/", {**body, "status": "delivered"}, format="json")
        assert updated.json()["status"] == "delivered"
    else:
        assert not Initiative.objects.exists()


def test_initiative_update_by_non_staff_is_refused(as_role, users):
    made = api.save_initiative(title="OEP-1", year=2026)
    for role in ("learner", "member"):
        assert as_role(role).put(f"{BASE}/initiatives/{made.id}/", {"title": "Hijacked", "year": 2026},
                                 format="json").status_code == 403
    assert Initiative.objects.get().title == "OEP-1"


@pytest.mark.parametrize("role", ROLES)
def test_referral_link(as_role, role):
    response = as_role(role).get(f"{BASE}/referral/")
    expected = {"anonymous": 401, "learner": 400, "member": 200, "staff": 400}[role]
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["url"].endswith(f"/distinguished/join/{response.json()['code']}/")


@pytest.mark.parametrize("role", ROLES)
def test_record_onboarded_partner(as_role, role, organization):
    body = {"member": "member", "organization": "acme", "year": 2026}
    response = as_role(role).post(f"{BASE}/onboardings/", body, format="json")
    assert response.status_code == {**STAFF_ONLY, "staff": 201}[role]
    assert Onboarding.objects.count() == (1 if role == "staff" else 0)


def test_listings_keep_a_constant_number_of_queries(as_role, member, django_assert_max_num_queries):
    for index in range(3):
        api.report_activity(user=member, activity_type="event", title=f"Meetup {index}", occurred_on="2026-05-05")
        api.save_initiative(title=f"Initiative {index}", year=2026, lead_usernames=["member"])
    client = as_role("staff")
    urls = [f"{BASE}/activities/", f"{BASE}/initiatives/", f"{BASE}/terms/?username=member"]
    budgets = []
    for url in urls:
        with django_assert_max_num_queries(15) as counted:
            client.get(url)
        budgets.append(len(counted.captured_queries))
    for index in range(3, 25):
        api.report_activity(user=member, activity_type="event", title=f"Meetup {index}", occurred_on="2026-05-05")
        api.save_initiative(title=f"Initiative {index}", year=2026, lead_usernames=["member"])
    for url, budget in zip(urls, budgets):
        with django_assert_max_num_queries(budget):
            client.get(url)
